"""add() from the C extension on CPython, from the cffi module on PyPy."""

import platform

if platform.python_implementation() == "PyPy":
    from ._ffi import lib

    add = lib.add
    BACKEND = "cffi"
else:
    from ._speedups import add

    BACKEND = "c-extension"

__all__ = ["BACKEND", "add"]
