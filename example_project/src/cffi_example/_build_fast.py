"""Builder for cffi_example._fast: API mode, a hot loop written inline."""

from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef(
    """
    uint64_t fib(unsigned int n);
    int64_t collatz_steps(uint64_t n);
    int add(int a, int b);
    """
)
ffibuilder.set_source(
    "cffi_example._fast",
    r"""
    #include <stdint.h>

    static uint64_t fib(unsigned int n)
    {
        uint64_t a = 0, b = 1;
        while (n--) {
            uint64_t t = a + b;
            a = b;
            b = t;
        }
        return a;
    }

    static int64_t collatz_steps(uint64_t n)
    {
        int64_t steps = 0;
        if (n == 0)
            return -1;
        while (n != 1) {
            n = (n & 1) ? 3 * n + 1 : n / 2;
            steps++;
        }
        return steps;
    }

    static int add(int a, int b) { return a + b; }
    """,
)
