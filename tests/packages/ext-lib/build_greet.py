import os

from cffi import FFI

# Where the library was installed, as pkg-config or a -prefix option would say.
PREFIX = os.environ["GREET_PREFIX"]

ffibuilder = FFI()
ffibuilder.cdef("int greet_answer(void); const char *greet_name(void);")
ffibuilder.set_source(
    "extlib._greet",
    '#include "greet.h"',
    libraries=["greet"],
    include_dirs=[os.path.join(PREFIX, "include")],
    library_dirs=[os.path.join(PREFIX, "lib")],
)
