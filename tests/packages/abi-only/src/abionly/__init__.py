import sys

from abionly._crt import ffi

lib = ffi.dlopen(None if sys.platform != "win32" else "ucrtbase")


def strlen(s: bytes) -> int:
    return lib.strlen(s)
