from cffi import FFI

ffi = FFI()
ffi.cdef("long add(long a, long b);\nlong total(const long *values, size_t n);")
ffi.set_source("pypyonly._cffi_speedups", """
static long add(long a, long b) { return a + b; }
static long total(const long *values, size_t n) {
    long sum = 0;
    for (size_t i = 0; i < n; i++) sum += values[i];
    return sum;
}
""")

if __name__ == "__main__":
    ffi.compile(verbose=True)
