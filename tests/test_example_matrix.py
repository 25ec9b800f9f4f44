"""The decisive test: example_project's one abi3 wheel (built by CPython 3.9) and its PyPy
wheel pass the project's own tests in fresh venvs of every interpreter: CPython 3.9-3.15
(3.14 and 3.15 from Debian's packages) and PyPy 3.9. The wheels the newer interpreters build
themselves are in test_new_interpreters.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from devtools.interpreters import pypy
from devtools.venvs import run
from tests.conftest import EXAMPLE, GIL_CPYTHON_MINORS, gil_cpython
from tests.wheels import PLATFORM, names, run_project_tests, tag

pytestmark = pytest.mark.slow
EXPECTED_FILES = {
    "cffi_example/__init__.py",
    "cffi_example/_libc.py",
}


def test_abi3_wheel_tag_and_contents(abi3_wheel: Path) -> None:
    assert tag(abi3_wheel) == f"cp39-abi3-{PLATFORM}"
    assert names(abi3_wheel) == EXPECTED_FILES | {
        "cffi_example/_cvec.abi3.so", "cffi_example/_fast.abi3.so",
    }


def test_abi3_wheel_is_abi3audit_clean(abi3_wheel: Path, env: dict[str, str]) -> None:
    # abi3audit checks every symbol the .abi3.so modules use against the cp39 limited API.
    abi3audit = Path(sys.executable).with_name("abi3audit")
    proc = run([abi3audit, "--strict", "--verbose", abi3_wheel], env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 extensions" in proc.stdout + proc.stderr


@pytest.mark.parametrize("minor", GIL_CPYTHON_MINORS)
def test_abi3_wheel_on_cpython(minor: int, abi3_wheel: Path, env: dict[str, str],
                               tmp_path: Path) -> None:
    interp = gil_cpython(minor)
    run_project_tests(interp, abi3_wheel, EXAMPLE / "tests", tmp_path, env)


@pytest.mark.pypy
def test_pypy_wheel(pypy_wheel: Path, env: dict[str, str], tmp_path: Path) -> None:
    interp = pypy()
    assert interp is not None
    assert tag(pypy_wheel) == f"pp39-pypy39_pp73-{PLATFORM}"
    suffix = interp.ext_suffix  # .pypy39-pp73-x86_64-linux-gnu.so
    assert names(pypy_wheel) == EXPECTED_FILES | {
        f"cffi_example/_cvec{suffix}", f"cffi_example/_fast{suffix}",
    }
    run_project_tests(interp, pypy_wheel, EXAMPLE / "tests", tmp_path, env)
