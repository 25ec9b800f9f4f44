from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int one(void);")
ffibuilder.set_source("execpkg._one", "static int one(void) { return 1; }")
