/* arc4random arrived in glibc 2.36, getrandom in 2.25: use them only when the glibc this is
   compiled against has them, as portable C does. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <time.h>
#include "random_word.h"

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 36))
unsigned int random_word(void) { return arc4random(); }
const char *which_random(void) { return "arc4random"; }
#else
unsigned int random_word(void) {
    static int seeded = 0;
    if (!seeded) { srand((unsigned int)time(NULL)); seeded = 1; }
    return (unsigned int)rand();
}
const char *which_random(void) { return "rand"; }
#endif
