# An in-line ABI FFI used at run time: not a builder, and never imported by the build.
from cffi import FFI

ffi = FFI()
ffi.cdef("int abs(int);")
