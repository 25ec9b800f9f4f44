from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int negate(int);")
ffibuilder.set_source("cfghack._neg", "static int negate(int x) { return -x; }")
