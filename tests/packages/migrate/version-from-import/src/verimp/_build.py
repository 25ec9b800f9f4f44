from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("double halve(double);")
ffibuilder.set_source("verimp._half", "static double halve(double x) { return x / 2; }")
