import cffi

ffibuilder = cffi.FFI()
ffibuilder.cdef("size_t strlen(const char *);")
ffibuilder.set_source("abionly._crt", None)
