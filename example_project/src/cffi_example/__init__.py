"""cffi_example: C inside a Python package, built by cffi-build-plugin."""

from __future__ import annotations

import ctypes.util
import math
import sys
from collections.abc import Iterable, Sequence

from ._cvec import ffi as _cvec_ffi
from ._cvec import lib as _cvec_lib
from ._fast import lib as _fast_lib
from ._libc import ffi as _libc_ffi

__all__ = [
    "add",
    "c_abs",
    "c_strlen",
    "c_strtol",
    "collatz_steps",
    "dot",
    "fib",
    "fnv1a",
    "py_fib",
    "sort_ints",
    "vsum",
]


def _c_runtime_name() -> str:
    if sys.platform == "win32":
        return "ucrtbase"  # the Universal C Runtime, present on every supported Windows
    found = ctypes.util.find_library("c")
    if found:
        return found
    return "libc.dylib" if sys.platform == "darwin" else "libc.so.6"


_crt = _libc_ffi.dlopen(_c_runtime_name())


def vsum(values: Iterable[float]) -> float:
    """Compensated sum in C (bundled library, API mode)."""
    data = [float(v) for v in values]
    return float(_cvec_lib.cvec_sum(_cvec_ffi.new("double[]", data), len(data)))


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    """Dot product in C."""
    if len(a) != len(b):
        raise ValueError(f"length mismatch: {len(a)} != {len(b)}")
    ca = _cvec_ffi.new("double[]", [float(x) for x in a])
    cb = _cvec_ffi.new("double[]", [float(x) for x in b])
    return float(_cvec_lib.cvec_dot(ca, cb, len(a)))


def fnv1a(data: bytes) -> int:
    """32-bit FNV-1a hash in C."""
    return int(_cvec_lib.cvec_fnv1a(data, len(data)))


def fib(n: int) -> int:
    """The n-th Fibonacci number modulo 2**64, in C (inline API mode)."""
    return int(_fast_lib.fib(n))


def py_fib(n: int) -> int:
    """The same in pure Python, for comparison and benchmarks."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, (a + b) & 0xFFFFFFFFFFFFFFFF
    return a


def collatz_steps(n: int) -> int:
    return int(_fast_lib.collatz_steps(n))


def add(a: int, b: int) -> int:
    return int(_fast_lib.add(a, b))


def c_strlen(s: bytes) -> int:
    """strlen() from the C runtime (ABI mode)."""
    return int(_crt.strlen(s))


def c_abs(j: int) -> int:
    return int(_crt.abs(j))


def c_strtol(text: bytes, base: int = 10) -> tuple[int, bytes]:
    """strtol(): the parsed number and the unparsed rest."""
    buf = _libc_ffi.new("char[]", text)
    end = _libc_ffi.new("char **")
    value = int(_crt.strtol(buf, end, base))
    consumed = int(end[0] - _libc_ffi.cast("char *", buf))
    return value, text[consumed:]


def sort_ints(values: Iterable[int]) -> list[int]:
    """Sort with the C runtime's qsort() and a Python comparison callback."""
    data = list(values)
    array = _libc_ffi.new("long[]", data)

    @_libc_ffi.callback("int(*)(const void *, const void *)")
    def compare(pa: object, pb: object) -> int:
        a = _libc_ffi.cast("long *", pa)[0]
        b = _libc_ffi.cast("long *", pb)[0]
        return (a > b) - (a < b)

    _crt.qsort(array, len(data), _libc_ffi.sizeof("long"), compare)
    return list(array)


assert math.isfinite(vsum([1.0]))  # fail at import, not later, if the module is broken
