from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int twice(int);")
ffibuilder.set_source("livehelp._twice", "static int twice(int n) { return 2 * n; }")
