import glob
import os

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
HEADERS = sorted(glob.glob(os.path.join(HERE, "*.h")))

ffi = FFI()
for header in HEADERS:
    with open(header) as f:
        ffi.cdef(f.read())

ffi.set_source(
    "_native",
    "\n".join('#include "%s"' % os.path.basename(h) for h in HEADERS),
    include_dirs=["src/bindings"],
    sources=["src/bindings/extpy.c"],
)

if __name__ == "__main__":
    ffi.compile(verbose=True)
