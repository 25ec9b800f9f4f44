from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("double square(double);")
ffibuilder.set_source("abihack._square", "static double square(double x) { return x * x; }")
