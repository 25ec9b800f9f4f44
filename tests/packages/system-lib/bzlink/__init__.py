from bzlink._bz import ffi, lib


def version() -> str:
    return ffi.string(lib.BZ2_bzlibVersion()).decode()
