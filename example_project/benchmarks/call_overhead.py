"""What a call into C costs: cffi_example's API-mode function against the very same C function
called through ctypes, and against the same work in pure Python.

    python benchmarks/call_overhead.py      # with cffi_example installed

Prints nanoseconds per call (median of several timeit repeats, after a warm-up that lets
PyPy's JIT compile the loops) and the ratios to the cffi call.
"""

from __future__ import annotations

import ctypes
import platform
import statistics
import sys
import timeit
from typing import Callable

from cffi_example import _cvec

N = 4  # short vectors: the call itself dominates, which is what is measured
XS = [1.5, 2.5, 3.5, 4.5]
YS = [0.5, -1.0, 2.0, 0.25]


def _ns_per_call(fn: Callable[[], object], number: int, repeat: int = 7) -> float:
    timeit.repeat(fn, number=number, repeat=3)  # warm-up (the JIT, caches)
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e9


def main() -> int:
    ffi, lib = _cvec.ffi, _cvec.lib
    a, b = ffi.new("double[]", XS), ffi.new("double[]", YS)

    # The same exported C function, out of the same shared object, through ctypes.
    dll = ctypes.CDLL(_cvec.__file__)
    dll.cvec_dot.restype = ctypes.c_double
    dll.cvec_dot.argtypes = [ctypes.POINTER(ctypes.c_double)] * 2 + [ctypes.c_size_t]
    ca, cb = (ctypes.c_double * N)(*XS), (ctypes.c_double * N)(*YS)

    def python_dot() -> float:
        total = 0.0
        for x, y in zip(XS, YS):
            total += x * y
        return total

    expected = python_dot()
    assert lib.cvec_dot(a, b, N) == dll.cvec_dot(ca, cb, N) == expected

    number = 200_000
    results = {
        "cffi API mode": _ns_per_call(lambda: lib.cvec_dot(a, b, N), number),
        "ctypes": _ns_per_call(lambda: dll.cvec_dot(ca, cb, N), number),
        "pure Python": _ns_per_call(python_dot, number),
    }
    impl = f"{platform.python_implementation()} {platform.python_version()}"
    base = results["cffi API mode"]
    print(f"{impl}: dot product of {N} doubles, ns per call (median of 7)")
    for name, ns in results.items():
        print(f"  {name:<14} {ns:8.1f} ns   {ns / base:6.2f} x cffi")
    return 0


if __name__ == "__main__":
    sys.exit(main())
