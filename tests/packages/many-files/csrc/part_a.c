#include "parts.h"

/* A little work, so that the compiler has something to do. */
long part_a(long x)
{
    long acc = 0;
    for (long i = 0; i < x; i++)
        acc += (i * 97) % 7;
    return acc * SCALE;
}
