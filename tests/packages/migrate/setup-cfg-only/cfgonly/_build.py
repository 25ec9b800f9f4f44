from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("long mul(long a, long b);")
ffibuilder.set_source("cfgonly._native", "static long mul(long a, long b) { return a * b; }")
