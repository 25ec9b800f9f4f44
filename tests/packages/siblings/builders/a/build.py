from _cdefs import CDEF, VALUE  # a sibling import: fails under cffi's own cffi_modules
from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef(CDEF)
ffibuilder.set_source("twomods._mod_a", "static int which(void) { return %d; }" % VALUE)
