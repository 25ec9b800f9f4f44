from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int inc(int);")
ffibuilder.set_source("fallbk._fast", "static int inc(int x) { return x + 1; }")
