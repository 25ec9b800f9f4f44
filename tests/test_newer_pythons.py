"""devtools.newer_pythons: each newer interpreter is fetched (or built) into the cache, starts
from its executable alone, reports the ABI recorded in tests/data/interpreters, compiles
against its own headers, and makes venvs (with pip, and with uv)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devtools.foreign import ForeignUnavailable
from devtools.interpreters import Interpreter
from devtools.newer_pythons import MAKERS, NEWER
from tests.conftest import unavailable

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data/interpreters"
# What a bare environment holds: no LD_LIBRARY_PATH, CPATH, PYTHONPATH...
BARE = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "LC_ALL": "C.UTF-8"}


def get(name: str) -> Interpreter:
    try:
        return MAKERS[name]()
    except ForeignUnavailable as exc:
        unavailable(exc.reason)


def bare_run(cmd: list[object], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(c) for c in cmd], env=BARE, cwd=cwd, capture_output=True,
                          text=True, check=False, timeout=300)
    assert proc.returncode == 0, f"{cmd}:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.mark.parametrize("name", NEWER)
def test_reports_recorded_abi(name: str) -> None:
    interp = get(name)
    assert interp.name == name
    recorded = json.loads((DATA / f"{name}.json").read_text())
    code = ("import importlib.machinery, json, sys, sysconfig; print(json.dumps(["
            "sys.implementation.name, importlib.machinery.EXTENSION_SUFFIXES, "
            "sysconfig.get_config_var('SOABI'), sysconfig.get_config_var('EXT_SUFFIX'), "
            "bool(sysconfig.get_config_var('Py_GIL_DISABLED'))]))")
    impl, suffixes, soabi, ext_suffix, free_threaded = json.loads(
        bare_run([interp.executable, "-c", code]).stdout)
    assert impl == recorded["implementation"] == interp.implementation
    assert suffixes == recorded["EXTENSION_SUFFIXES"]
    assert soabi == recorded["SOABI"] == interp.soabi
    assert ext_suffix == recorded["EXT_SUFFIX"] == interp.ext_suffix
    assert free_threaded == recorded["free_threaded"] == interp.free_threaded
    # The modules that wrap C libraries load from the root's own libraries.
    bare_run([interp.executable, "-c", "import ssl, sqlite3, ctypes, lzma, bz2, zlib, decimal"])


@pytest.mark.parametrize("name", NEWER)
def test_second_call_uses_the_cache(name: str) -> None:
    first = get(name)
    started = time.monotonic()
    again = MAKERS[name]()
    assert again == first
    assert time.monotonic() - started < 10  # one probe of the interpreter, no download


@pytest.mark.parametrize("name", NEWER)
def test_compiles_against_its_headers(name: str, tmp_path: Path) -> None:
    interp = get(name)
    include = bare_run([interp.executable, "-c",
                        "import sysconfig; print(sysconfig.get_config_var('INCLUDEPY'))"])
    folder = Path(include.stdout.strip())
    assert (folder / "Python.h").is_file(), folder
    source = tmp_path / "m.c"
    source.write_text("#include <Python.h>\nint f(void) { return PY_MAJOR_VERSION; }\n")
    gcc = shutil.which("gcc") or pytest.skip("no gcc")
    bare_run([gcc, "-fsyntax-only", f"-I{folder}", source])  # no CPATH


@pytest.mark.parametrize("name", NEWER)
def test_venvs(name: str, tmp_path: Path) -> None:
    interp = get(name)
    bare_run([interp.executable, "-m", "venv", tmp_path / "venv"])
    pip = bare_run([tmp_path / "venv/bin/python", "-m", "pip", "--version"])
    assert "pip " in pip.stdout
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(uv).exists():
        pytest.skip("uv is not installed")
    made = subprocess.run([uv, "venv", "-q", "--python", str(interp.executable),
                           str(tmp_path / "uv")], env={**BARE, "UV_PYTHON_DOWNLOADS": "never"},
                          capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    version = bare_run([tmp_path / "uv/bin/python", "-c",
                        "import sys; print(sys.implementation.name, *sys.version_info[:2])"])
    assert version.stdout.split() == [interp.implementation, *map(str, interp.version)]
