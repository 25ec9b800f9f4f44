import os

from cffi import FFI

INCLUDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "include")

ffibuilder = FFI()
ffibuilder.cdef("""
#define SHIPIN_RING_SIZE ...
typedef struct { int start; int count; ...; } shipin_ring;
void shipin_init(shipin_ring *ring);
int shipin_push(shipin_ring *ring, long value);
long shipin_sum(const shipin_ring *ring);
""")
ffibuilder.set_source(
    "shipin._ring",
    '#include "shipin.h"',
    include_dirs=["shipin/include"],
    sources=["shipin/src/ring.c"],
    depends=["shipin/include/shipin.h", "shipin/include/ring_size.h"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
