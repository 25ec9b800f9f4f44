"""Finding the interpreters this machine has: pyenv's CPythons and Debian's PyPy."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Interpreter", "cpython", "find_interpreters", "pypy"]

CPYTHON_MINORS = (9, 10, 11, 12, 13)

_PROBE = (
    "import json, sys, sysconfig; print(json.dumps({'impl': sys.implementation.name, "
    "'version': list(sys.version_info[:2]), 'ext_suffix': sysconfig.get_config_var('EXT_SUFFIX'),"
    " 'free_threaded': bool(sysconfig.get_config_var('Py_GIL_DISABLED'))}))"
)


@dataclass(frozen=True)
class Interpreter:
    executable: Path
    implementation: str  # "cpython" or "pypy"
    version: tuple[int, int]
    ext_suffix: str
    free_threaded: bool = False

    @property
    def name(self) -> str:
        prefix = "pypy" if self.implementation == "pypy" else "cpython"
        return f"{prefix}{self.version[0]}.{self.version[1]}"

    @property
    def is_pypy(self) -> bool:
        return self.implementation == "pypy"


def _probe(executable: Path) -> Interpreter | None:
    try:
        out = subprocess.run(
            [str(executable), "-c", _PROBE], capture_output=True, text=True, timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    data = json.loads(out)
    return Interpreter(executable, data["impl"], tuple(data["version"]), data["ext_suffix"],
                       data["free_threaded"])


def _pyenv_candidates(minor: int) -> list[Path]:
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = []
    for version_dir in (root / "versions").glob(f"3.{minor}.*"):
        if re.fullmatch(rf"3\.{minor}\.\d+", version_dir.name):
            exe = version_dir / "bin" / f"python3.{minor}"
            if exe.exists():
                found.append(exe)
    return sorted(found, key=lambda p: int(p.parent.parent.name.split(".")[2]), reverse=True)


def _on_path(name: str) -> list[Path]:
    """Every *name* on PATH, in order, not just the first: with several interpreters set up
    (GitHub's setup-python), PyPy's folder may also hold a ``python3.9``."""
    found: list[Path] = []
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        exe = shutil.which(name, path=folder) if folder else None
        if exe and "/.pyenv/shims/" not in exe and Path(exe) not in found:
            found.append(Path(exe))
    return found


@cache
def cpython(minor: int) -> Interpreter | None:
    """CPython 3.<minor>: pyenv's newest patch release, else one on PATH."""
    candidates = _pyenv_candidates(minor) + _on_path(f"python3.{minor}")
    for exe in candidates:
        interp = _probe(exe)
        if interp and interp.implementation == "cpython" and interp.version == (3, minor):
            return interp
    return None


@cache
def pypy() -> Interpreter | None:
    """PyPy 3.9 (Debian's pypy3 here; setup-python's pypy3.9 next to newer PyPys on GitHub)."""
    for exe in _on_path("pypy3.9") + _on_path("pypy3"):
        interp = _probe(exe)
        if interp and interp.is_pypy and interp.version == (3, 9):
            return interp
    return None


def find_interpreters() -> list[Interpreter]:
    """Every CPython 3.9-3.13 and PyPy found, oldest CPython first."""
    found = [i for i in (cpython(m) for m in CPYTHON_MINORS) if i is not None]
    p = pypy()
    return [*found, p] if p else found
