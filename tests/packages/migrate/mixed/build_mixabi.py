from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int abs(int);")
ffibuilder.set_source("mixabi._libc", None)
