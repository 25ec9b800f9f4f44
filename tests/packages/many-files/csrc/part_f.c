#include "parts.h"

/* A little work, so that the compiler has something to do. */
long part_f(long x)
{
    long acc = 0;
    for (long i = 0; i < x; i++)
        acc += (i * 102) % 7;
    return acc * SCALE;
}
