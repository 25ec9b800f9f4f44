from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("double halve(double);")
ffibuilder.set_source("vertext._halve", "static double halve(double x) { return x / 2; }")
