"""cffi_example's own tests: they run against the installed wheel."""

import math
import random
import sys
import sysconfig
from pathlib import Path

import cffi_example
import pytest
from cffi_example import _cvec, _fast, _libc


def test_installed_not_source_tree():
    # The tests must exercise the wheel, not a checkout on sys.path.
    assert "site-packages" in Path(cffi_example.__file__).parts


def test_vsum_matches_fsum():
    rng = random.Random(1234)
    values = [rng.uniform(-1e6, 1e6) for _ in range(10_000)]
    assert cffi_example.vsum(values) == pytest.approx(math.fsum(values), rel=1e-12)
    assert cffi_example.vsum([]) == 0.0


def test_dot():
    assert cffi_example.dot([1, 2, 3], [4, 5, 6]) == 32.0
    with pytest.raises(ValueError, match="length mismatch"):
        cffi_example.dot([1], [1, 2])


def test_fnv1a_known_vectors():
    assert cffi_example.fnv1a(b"") == 0x811C9DC5
    assert cffi_example.fnv1a(b"a") == 0xE40C292C
    assert cffi_example.fnv1a(b"foobar") == 0xBF9CF968


def test_fast_functions():
    assert [cffi_example.fib(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert cffi_example.fib(90) == cffi_example.py_fib(90) == 2880067194370816120
    assert cffi_example.fib(100) == cffi_example.py_fib(100)  # wraps modulo 2**64
    assert cffi_example.collatz_steps(27) == 111
    assert cffi_example.collatz_steps(0) == -1
    assert cffi_example.add(2, 40) == 42


def test_libc_abi_mode():
    assert cffi_example.c_strlen(b"hello, world") == 12
    assert cffi_example.c_abs(-17) == 17
    assert cffi_example.c_strtol(b"  -1234xyz") == (-1234, b"xyz")
    assert cffi_example.c_strtol(b"ff", 16) == (255, b"")
    values = random.Random(7).sample(range(-1000, 1000), 200)
    assert cffi_example.sort_ints(values) == sorted(values)


def test_module_kinds():
    # API-mode modules are compiled extensions; the ABI-mode one is generated Python.
    for module in (_cvec, _fast):
        assert Path(module.__file__).suffix in {".so", ".pyd"}
    assert Path(_libc.__file__).suffix == ".py"


def test_extension_suffix_matches_interpreter():
    # CPython gets the stable ABI (abi3; abi3t on free-threaded 3.15+), named without the
    # platform so that every version the wheel's tag admits imports it; PyPy and older
    # free-threaded builds get their own version-specific suffix.
    name = Path(_fast.__file__).name
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    if sys.implementation.name == "cpython" and (not free_threaded or sys.version_info >= (3, 15)):
        assert name.endswith((".abi3t.so", ".pyd") if free_threaded else
                             (".abi3.so", ".abi3t.so", ".pyd")), name
    else:
        assert sysconfig.get_config_var("EXT_SUFFIX") in name, name
