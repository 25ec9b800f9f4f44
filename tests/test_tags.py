"""Which ABI a build targets."""

from __future__ import annotations

import sys
import sysconfig

import pytest

from cffi_build_plugin import TagError
from cffi_build_plugin.modules.abi import (
    PythonBuild,
    StableAbi,
    limited_api_floor,
    limited_api_hex,
    limited_api_tag,
    requires_python_floor,
    stable_abi,
)


@pytest.mark.parametrize(("spec", "floor"), [
    (">=3.9", (3, 9)),
    (">=3.9.2", (3, 9)),
    (">3.9", (3, 9)),
    ("~=3.10", (3, 10)),
    (">=3.8,<4", (3, 8)),
    ("==3.12.*", (3, 12)),
    ("", None),
    (None, None),
    ("not a specifier", None),
])
def test_requires_python_floor(spec, floor):
    assert requires_python_floor(spec) == floor


def test_limited_api_floor_choices():
    assert limited_api_floor("auto", ">=3.9", running=(3, 11)) == (3, 9)
    assert limited_api_floor("auto", None, running=(3, 11)) == (3, 11)
    assert limited_api_floor("auto", ">=2.7", running=(3, 11)) == (3, 2)
    assert limited_api_floor("cp310", ">=3.10", running=(3, 11)) == (3, 10)
    assert limited_api_floor("cp39", ">=3.10", running=(3, 11)) == (3, 9)  # wider: fine
    assert limited_api_floor(False, ">=3.9", running=(3, 11)) is None


def test_floor_above_requires_python_is_an_error():
    # A 3.9 user would get no wheel, then an sdist whose build refuses 3.9.
    with pytest.raises(TagError, match=r"requires-python '>=3\.9' admits 3\.9, where the wheel "
                       r"would not install: raise requires-python to \">=3\.10\""):
        limited_api_floor("cp310", ">=3.9", running=(3, 11))


def test_floor_above_running_interpreter_is_an_error():
    with pytest.raises(TagError, match=r"need CPython >= 3\.12, but this build runs on 3\.11"):
        limited_api_floor("cp312", None, running=(3, 11))
    with pytest.raises(TagError, match=r"requires-python '>=3\.12'"):
        limited_api_floor("auto", ">=3.12", running=(3, 11))


def test_macro_and_tag_spelling():
    assert limited_api_hex((3, 9)) == "0x03090000"
    assert limited_api_hex((3, 10)) == "0x030A0000"
    assert limited_api_tag((3, 9)) == "cp39"


def test_running_build(monkeypatch):
    real = sysconfig.get_config_var
    build = PythonBuild.running()
    assert build.version == sys.version_info[:2]
    assert build.implementation == sys.implementation.name
    monkeypatch.setattr(sysconfig, "get_config_var",
                        lambda name: 1 if name == "Py_GIL_DISABLED" else real(name))
    assert PythonBuild.running().free_threaded is True


CP = "cpython"


@pytest.mark.parametrize(("build", "floor", "expected"), [
    # GIL CPython: abi3 for a floor below 3.15, whatever builds it (3.15 included)...
    (PythonBuild(CP, (3, 9)), (3, 9), StableAbi("abi3", (3, 9))),
    (PythonBuild(CP, (3, 15)), (3, 9), StableAbi("abi3", (3, 9))),
    (PythonBuild(CP, (3, 15)), (3, 14), StableAbi("abi3", (3, 14))),
    # ...abi3t (PEP 803) from a 3.15 floor on, so the wheel serves free-threaded 3.15+ too.
    (PythonBuild(CP, (3, 15)), (3, 15), StableAbi("abi3t", (3, 15))),
    (PythonBuild(CP, (3, 16)), (3, 16), StableAbi("abi3t", (3, 16))),
    # Free-threaded: nothing stable before 3.15; abi3t from 3.15, its floor at least 3.15.
    (PythonBuild(CP, (3, 13), free_threaded=True), (3, 9), None),
    (PythonBuild(CP, (3, 14), free_threaded=True), (3, 14), None),
    (PythonBuild(CP, (3, 15), free_threaded=True), (3, 9), StableAbi("abi3t", (3, 15))),
    (PythonBuild(CP, (3, 16), free_threaded=True), (3, 16), StableAbi("abi3t", (3, 16))),
    # No stable ABI on PyPy, debug builds, or when the project says so.
    (PythonBuild("pypy", (3, 11)), (3, 11), None),
    (PythonBuild(CP, (3, 12), debug=True), (3, 9), None),
    (PythonBuild(CP, (3, 12)), None, None),
])
def test_stable_abi_decision(build, floor, expected):
    assert stable_abi(build, floor) == expected


@pytest.mark.parametrize(("abi", "ext_suffix", "suffix", "tag", "macros"), [
    (StableAbi("abi3", (3, 9)), ".cpython-315-x86_64-linux-gnu.so", ".abi3.so", "cp39-abi3",
     [("Py_LIMITED_API", "0x03090000")]),
    (StableAbi("abi3", (3, 10)), ".cp315-win_amd64.pyd", ".pyd", "cp310-abi3",
     [("Py_LIMITED_API", "0x030A0000")]),
    (StableAbi("abi3", (3, 9)), ".cpython-313-darwin.so", ".abi3.so", "cp39-abi3",
     [("Py_LIMITED_API", "0x03090000")]),
    (StableAbi("abi3t", (3, 15)), ".cpython-315t-x86_64-linux-gnu.so", ".abi3t.so",
     "cp315-abi3.abi3t",
     [("Py_LIMITED_API", "0x030F0000"), ("Py_TARGET_ABI3T", "0x030F0000")]),
    (StableAbi("abi3t", (3, 15)), ".cp315t-win_amd64.pyd", ".pyd", "cp315-abi3.abi3t",
     [("Py_LIMITED_API", "0x030F0000"), ("Py_TARGET_ABI3T", "0x030F0000")]),
])
def test_stable_abi_spelling(abi, ext_suffix, suffix, tag, macros):
    assert abi.file_suffix(ext_suffix) == suffix
    assert f"{abi.python_tag}-{abi.abi_tag}" == tag
    assert abi.macros == macros
