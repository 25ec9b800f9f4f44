"""Finding the interpreters this machine has: pyenv's CPythons and Debian's PyPy, and the
newer ones :mod:`devtools.newer_pythons` fetches or builds into the cache.

* ``cpython(minor)``: pyenv's newest 3.<minor>, else ``python3.<minor>`` on PATH; for 3.14
  and 3.15, which pyenv lacks here, sid's packages (fetched on first use, ~15 s).
* ``cpython(13, free_threaded=True)``: pyenv's ``3.13.Nt`` or ``python3.13t`` on PATH (as
  GitHub's setup-python gives), else built from trixie's source (first use ~4-10 min).
* ``pypy()``: PyPy 3.9 (Debian's pypy3 here). ``pypy(11, "pp73")`` / ``pypy(11, "pp80")``:
  ``pypy3.11`` on PATH with that ABI, else trixie's PyPy 7.3.19 / sid's PyPy 8.0.
* ``find_interpreters()``: CPython 3.9-3.13 and PyPy 3.9, what is installed (unchanged);
  ``find_interpreters(newer=True)`` adds the newer ones, fetching what is missing: CPython
  3.9-3.15, 3.13t, PyPy 3.9, PyPy 3.11 pp73, PyPy 3.11 pp80, in that order.

What cannot be had is left out (``None``), and the reason kept in :data:`SKIPPED` and said on
stderr. Every interpreter has a distinct ``Interpreter.name`` (cpython3.13t, pypy3.11-pp80).
"""

from __future__ import annotations

import os
import re
import shutil
from functools import cache
from pathlib import Path

from . import newer_pythons
from .probe import Interpreter, probe

__all__ = ["SKIPPED", "Interpreter", "cpython", "find_interpreters", "pypy"]

CPYTHON_MINORS = (9, 10, 11, 12, 13)
NEWER_CPYTHON_MINORS = (14, 15)  # from Debian sid's packages when not installed
SKIPPED = newer_pythons.SKIPPED  # Interpreter.name -> why find_interpreters & co. left it out

def _pyenv_candidates(minor: int, t: str = "") -> list[Path]:
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = []
    for version_dir in (root / "versions").glob(f"3.{minor}.*"):
        if re.fullmatch(rf"3\.{minor}\.\d+{t}", version_dir.name):
            exe = version_dir / "bin" / f"python3.{minor}{t}"
            if exe.exists():
                found.append(exe)
    return sorted(found, key=lambda p: int(p.parent.parent.name.split(".")[2].rstrip("t")),
                  reverse=True)


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
def cpython(minor: int, *, free_threaded: bool = False) -> Interpreter | None:
    """CPython 3.<minor> (free-threaded: 3.<minor>t): pyenv's newest patch release, else one
    on PATH, else (3.14, 3.15, 3.13t) fetched or built into the cache; None if none."""
    t = "t" if free_threaded else ""
    candidates = _pyenv_candidates(minor, t) + _on_path(f"python3.{minor}{t}")
    for exe in candidates:
        interp = probe(exe)
        if (interp and interp.implementation == "cpython" and interp.version == (3, minor)
                and interp.free_threaded == free_threaded):
            return interp

    if free_threaded and minor == 13:
        return newer_pythons.fetch("cpython3.13t")
    if not free_threaded and minor in NEWER_CPYTHON_MINORS:
        return newer_pythons.fetch(f"cpython3.{minor}")
    return None


@cache
def pypy(minor: int = 9, pp: str = "pp73") -> Interpreter | None:
    """PyPy 3.9 (Debian's pypy3 here; setup-python's pypy3.9 next to newer PyPys on GitHub),
    or PyPy 3.11 with the ABI *pp* (``pp73``: 7.3.x, ``pp80``: 8.x): ``pypy3.11`` on PATH,
    else trixie's (pp73) or sid's (pp80) packages fetched into the cache; None if none."""
    for exe in _on_path(f"pypy3.{minor}") + _on_path("pypy3"):
        interp = probe(exe)
        if (interp and interp.is_pypy and interp.version == (3, minor)
                and interp.abi.endswith(f"_{pp}")):
            return interp
    if minor == 11:
        return newer_pythons.fetch(f"pypy3.11-{pp}")
    return None


def find_interpreters(*, newer: bool = False) -> list[Interpreter]:
    """Every CPython 3.9-3.13 and PyPy 3.9 found, oldest CPython first. With *newer*, also
    CPython 3.14, 3.15 and 3.13t and PyPy 3.11 (pp73, pp80), fetched or built if missing:
    CPython 3.9-3.15, 3.13t, PyPy 3.9, PyPy 3.11 pp73, PyPy 3.11 pp80."""
    minors = CPYTHON_MINORS + (NEWER_CPYTHON_MINORS if newer else ())
    found = [cpython(m) for m in minors]
    if newer:
        found.append(cpython(13, free_threaded=True))
    found.append(pypy())
    if newer:
        found += [pypy(11, "pp73"), pypy(11, "pp80")]
    return [i for i in found if i is not None]
