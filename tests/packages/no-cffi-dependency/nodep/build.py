from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int one(void);")
ffibuilder.set_source("nodep._one", "static int one(void) { return 1; }")
