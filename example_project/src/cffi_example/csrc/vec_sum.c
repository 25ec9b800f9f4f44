#include "cvec.h"

/* Kahan summation: exact enough that the tests can compare with math.fsum. */
double cvec_sum(const double *xs, size_t n)
{
    double sum = 0.0, carry = 0.0;
    for (size_t i = 0; i < n; i++) {
        double y = xs[i] - carry;
        double t = sum + y;
        carry = (t - sum) - y;
        sum = t;
    }
    return sum;
}
