from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("long square(long);")
ffibuilder.set_source("disco._square", "static long square(long x) { return x * x; }")
