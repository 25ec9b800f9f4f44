# A builder inside tests/: not package code, so discovery skips it.
from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int nope(void);")
ffibuilder.set_source("disco._tests_only", "static int nope(void) { return 0; }")
