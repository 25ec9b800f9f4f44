"""Builder for cffi_example._cvec: API mode over the bundled C library in csrc/."""

from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef(
    """
    double cvec_sum(const double *xs, size_t n);
    double cvec_dot(const double *a, const double *b, size_t n);
    uint32_t cvec_fnv1a(const unsigned char *data, size_t n);
    """
)
# Paths are relative to the project root (the builder runs there).
ffibuilder.set_source(
    "cffi_example._cvec",
    '#include "cvec.h"',
    sources=[
        "src/cffi_example/csrc/vec_sum.c",
        "src/cffi_example/csrc/vec_dot.c",
        "src/cffi_example/csrc/fnv1a.c",
    ],
    include_dirs=["src/cffi_example/csrc"],
    depends=["src/cffi_example/csrc/cvec.h"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
