from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int seven(void);")
ffibuilder.set_source("_api", "static int seven(void) { return 7; }")
