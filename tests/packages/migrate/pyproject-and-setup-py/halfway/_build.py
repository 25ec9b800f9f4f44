from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("long fib(int);")
ffibuilder.set_source(
    "halfway._fib", "static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }"
)
