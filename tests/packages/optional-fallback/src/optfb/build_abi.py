from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("size_t strlen(const char *);")
ffibuilder.set_source("optfb._abi", None)
