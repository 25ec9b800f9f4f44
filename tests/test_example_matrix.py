"""The decisive test: example_project's one abi3 wheel (built by CPython 3.9) and its PyPy
wheel pass the project's own tests in fresh venvs of every interpreter: CPython 3.9-3.15
(3.14 and 3.15 from Debian's packages) and PyPy 3.9. The wheels the newer interpreters build
themselves are in test_new_interpreters.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from devtools.interpreters import pypy
from devtools.venvs import make_venv, run
from tests.conftest import EXAMPLE, GIL_CPYTHON_MINORS, copy_project, gil_cpython, unavailable
from tests.wheels import PLATFORM, names, run_project_tests, tag

pytestmark = pytest.mark.slow
EXPECTED_FILES = {
    "cffi_example/__init__.py",
    "cffi_example/_libc.py",
    "cffi_example/py.typed",
    # The typed stubs, one per cffi module, generated from the cdefs.
    "cffi_example/_cvec.pyi", "cffi_example/_fast.pyi", "cffi_example/_libc.pyi",
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


def _stubs(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as zf:
        return {n: zf.read(n).decode() for n in zf.namelist() if n.endswith(".pyi")}


def test_stubs_are_the_same_in_the_abi3_and_the_pypy_wheel(abi3_wheel: Path,
                                                         pypy_wheel: Path) -> None:
    # Rendered from the cdefs alone: CPython 3.9 with cffi 2.0 and PyPy with its cffi 1.15
    # write the same text.
    stubs = _stubs(abi3_wheel)
    assert set(stubs) == {"cffi_example/_cvec.pyi", "cffi_example/_fast.pyi",
                          "cffi_example/_libc.pyi"}
    assert stubs == _stubs(pypy_wheel)


USER_CODE_OK = '''
from cffi_example._cvec import ffi, lib
from cffi_example._fast import lib as fast
from cffi_example._libc import ffi as libc_ffi

values = ffi.new("double[]", [1.0, 2.0])
total: float = lib.cvec_sum(values, 2)
steps: int = fast.collatz_steps(27)
crt = libc_ffi.dlopen(None)
length: int = crt.strlen(b"four")
'''
USER_CODE_BAD = '''
from cffi_example._cvec import lib
from cffi_example._fast import lib as fast

lib.cvec_sum("not a pointer", 2)
fast.collatz_steps(27, 1)
fast.colatz_steps(27)
'''


def test_mypy_sees_the_c_signatures_of_the_installed_wheel(abi3_wheel: Path, env: dict[str, str],
                                                           tmp_path: Path) -> None:
    """User code calling example_project's installed modules, checked by mypy --strict with
    the wheel's stubs (and typeshed's types-cffi): right calls pass, wrong ones fail with
    mypy's own messages."""
    python = make_venv(gil_cpython(11), tmp_path / "venv", [str(abi3_wheel), "types-cffi"],
                       env=env)
    (tmp_path / "good.py").write_text(USER_CODE_OK)
    (tmp_path / "bad.py").write_text(USER_CODE_BAD)

    def mypy(name: str) -> subprocess.CompletedProcess[str]:
        return run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                    "--python-executable", python, name], cwd=tmp_path, env=env, check=False)

    good = mypy("good.py")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = mypy("bad.py").stdout
    assert 'Argument 1 to "cvec_sum" of "_Lib" has incompatible type "str"' in bad, bad
    assert 'Too many arguments for "collatz_steps" of "_Lib"' in bad, bad
    assert '"_Lib" has no attribute "colatz_steps"' in bad, bad


def test_stubs_command_writes_the_wheels_stubs_next_to_the_sources(
        abi3_wheel: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cffi_build_plugin.cli import main

    project = copy_project("example_project", tmp_path / "src")
    assert main(["stubs", str(project)]) == 0
    package = project / "src" / "cffi_example"
    written = {f"cffi_example/{p.name}": p.read_text() for p in package.glob("*.pyi")}
    assert written == _stubs(abi3_wheel)
    assert not list(package.glob("*.so"))  # nothing compiled
    assert "wrote" in capsys.readouterr().out


PYRIGHT = "pyright@1.1.414"


def _pyright(env: dict[str, str]) -> list[str]:
    """pyright from the npm registry, installed once into the user cache (it is a node
    program; PyPI's `pyright` package would fetch the same at run time)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable("pyright needs node and npm (Debian: apt-get install nodejs npm)")
    home = Path.home() / ".cache" / "cffi-build-plugin" / "pyright"
    main = home / "node_modules" / "pyright" / "index.js"
    if not main.exists():
        home.mkdir(parents=True, exist_ok=True)
        proc = run([npm, "install", "--prefix", home, "--no-audit", "--no-fund", PYRIGHT],
                   env=env, check=False)
        if proc.returncode != 0 or not main.exists():
            unavailable(f"npm could not install {PYRIGHT}: {proc.stderr[-500:]}")
    return [node, str(main)]


def test_pyright_sees_the_c_signatures_too(abi3_wheel: Path, env: dict[str, str],
                                          tmp_path: Path) -> None:
    pyright = _pyright(env)
    python = make_venv(gil_cpython(11), tmp_path / "venv", [str(abi3_wheel), "types-cffi"],
                       env=env)
    (tmp_path / "good.py").write_text(USER_CODE_OK)
    (tmp_path / "bad.py").write_text(USER_CODE_BAD)
    good = run([*pyright, "--pythonpath", python, "good.py"], cwd=tmp_path, env=env,
               check=False)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = run([*pyright, "--pythonpath", python, "bad.py"], cwd=tmp_path, env=env, check=False)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert 'parameter "_0" of type "_CData" in function "cvec_sum"' in bad.stdout, bad.stdout
    assert "Expected 1 positional argument" in bad.stdout, bad.stdout
    assert 'Cannot access attribute "colatz_steps" for class "_Lib"' in bad.stdout, bad.stdout
