import pkgconfig  # from setup_requires: the build fails without it
from cffi import FFI

# Compiler flags for libffi when pkg-config knows it; none are needed for this module.
flags = pkgconfig.parse("libffi") if pkgconfig.exists("libffi") else {}

ffibuilder = FFI()
ffibuilder.cdef("int clamp(int, int, int);")
ffibuilder.set_source(
    "sreq._clamp",
    "static int clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }",
    include_dirs=list(flags.get("include_dirs", [])),
)
