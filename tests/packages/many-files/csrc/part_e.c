#include "parts.h"

/* A little work, so that the compiler has something to do. */
long part_e(long x)
{
    long acc = 0;
    for (long i = 0; i < x; i++)
        acc += (i * 101) % 7;
    return acc * SCALE;
}
