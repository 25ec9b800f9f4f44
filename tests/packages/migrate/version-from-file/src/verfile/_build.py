from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int triple(int);")
ffibuilder.set_source("verfile._triple", "static int triple(int x) { return 3 * x; }")
