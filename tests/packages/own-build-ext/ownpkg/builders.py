import os

from cffi import FFI

marker = os.environ.get("FIXTURE_BUILDER_MARKER")
if marker:
    with open(marker, "a") as f:
        f.write("builders.py ran\n")

ffi_lib = FFI()
ffi_lib.cdef("int triple(int); int from_pre_run(void);")
ffi_lib.set_source(
    "ownpkg._withlib",
    "int triple(int);\nstatic int from_pre_run(void) { return FROM_PRE_RUN; }",
    libraries=["triple"],  # built by build_clib from setup.py's `libraries`
)

ffi_abi = FFI()
ffi_abi.cdef("int abs(int);")
ffi_abi.set_source("ownpkg._abi", None)
