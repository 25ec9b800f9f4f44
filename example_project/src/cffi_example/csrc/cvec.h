/* cvec: a tiny bundled C library (vector sums, dot product, FNV-1a hashing). */
#ifndef CVEC_H
#define CVEC_H

#include <stddef.h>
#include <stdint.h>

double cvec_sum(const double *xs, size_t n);
double cvec_dot(const double *a, const double *b, size_t n);
uint32_t cvec_fnv1a(const unsigned char *data, size_t n);

#endif
