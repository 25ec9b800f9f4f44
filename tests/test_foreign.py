"""devtools.foreign: an older glibc and aarch64 (CPython and PyPy) run a wheel's code."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from devtools.foreign import (
    ForeignPython,
    bookworm_aarch64_cpython,
    bookworm_aarch64_pypy,
    bullseye_x86_64,
    run_with_wheel,
)
from tests.conftest import need_foreign

pytestmark = pytest.mark.slow

# factory, then what the interpreter says about itself: machine, (major, minor), implementation
TARGETS: dict[str, tuple[Callable[[], ForeignPython], str, tuple[int, int], str]] = {
    "bullseye-cpython3.9-x86_64": (bullseye_x86_64, "x86_64", (3, 9), "cpython"),
    "bookworm-cpython3.11-aarch64": (bookworm_aarch64_cpython, "aarch64", (3, 11), "cpython"),
    "bookworm-pypy3.9-aarch64": (bookworm_aarch64_pypy, "aarch64", (3, 9), "pypy"),
}

PROBE = """\
import os, platform, sys

def describe():
    libc = os.confstr("CS_GNU_LIBC_VERSION")
    return f"{platform.machine()}|{tuple(sys.version_info[:2])}|{sys.implementation.name}|{libc}"
"""


@pytest.fixture(params=list(TARGETS))
def target(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def foreign(target: str) -> ForeignPython:
    py = need_foreign(TARGETS[target][0])
    assert py.name == target
    return py


@pytest.fixture(scope="module")
def probe_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny pure wheel, written by hand: one module, `probe`."""
    wheel = tmp_path_factory.mktemp("probe") / "probe-1.0-py3-none-any.whl"
    info = "probe-1.0.dist-info"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("probe.py", PROBE)
        zf.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: probe\nVersion: 1.0\n")
        zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"
                                     "Tag: py3-none-any\n")
        zf.writestr(f"{info}/RECORD", "")
    return wheel


def test_interpreter_identity(foreign: ForeignPython, target: str, probe_wheel: Path,
                              tmp_path: Path) -> None:
    _, machine, version, implementation = TARGETS[target]
    proc = run_with_wheel(foreign, probe_wheel, "import probe; print(probe.describe())", tmp_path)
    assert proc.returncode == 0, proc.stderr
    got_machine, got_version, got_impl, libc = proc.stdout.strip().split("|")
    assert (got_machine, got_version, got_impl) == (machine, str(version), implementation)
    if target.startswith("bullseye"):
        assert libc == "glibc 2.31"
    else:
        assert libc == "glibc 2.36"  # bookworm


def test_cffi_backend_loads(foreign: ForeignPython, target: str, probe_wheel: Path,
                            tmp_path: Path) -> None:
    """cffi's ABI mode calls libc: the backend (a PyPI wheel, or PyPy's own) works there."""
    code = ("import cffi; ffi = cffi.FFI(); ffi.cdef('int abs(int);'); C = ffi.dlopen(None); "
            "print(C.abs(-3), cffi.__version__)")
    proc = run_with_wheel(foreign, probe_wheel, code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    result, version = proc.stdout.split()
    assert result == "3"
    assert version == ("1.15.1" if TARGETS[target][3] == "pypy" else "2.0.0")
