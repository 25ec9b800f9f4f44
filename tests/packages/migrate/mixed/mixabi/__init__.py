"""abs() from the C library."""

__version__ = "2.0.0"


def absolute(x):
    from mixabi._libc import ffi

    return ffi.dlopen(None).abs(x)
