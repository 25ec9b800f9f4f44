from cffi import FFI

ffi = FFI()
ffi.cdef("int add(int a, int b);")
ffi.set_source("interp_split._ffi", "static int add(int a, int b) { return a + b; }")
