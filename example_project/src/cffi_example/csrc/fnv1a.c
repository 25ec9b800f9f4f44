#include "cvec.h"

uint32_t cvec_fnv1a(const unsigned char *data, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= data[i];
        h *= 16777619u;
    }
    return h;
}
