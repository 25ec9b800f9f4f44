from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int twice(int);")
ffibuilder.set_source("pinned._twice", "static int twice(int x) { return 2 * x; }")
