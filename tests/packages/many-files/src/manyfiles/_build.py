import glob

from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("""
    long part_a(long x); long part_b(long x); long part_c(long x);
    long part_d(long x); long part_e(long x); long part_f(long x);
""")
ffibuilder.set_source(
    "manyfiles._parts",
    '#include "parts.h"',
    sources=sorted(glob.glob("csrc/*.c")),
    include_dirs=["csrc"],
)
