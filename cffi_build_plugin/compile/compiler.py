"""Whether the build's C compiler can run: checked once before anything compiles, so that a
missing one is one error saying what CC names and what to do, not a failed compile per file."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sysconfig
from collections.abc import Sequence
from pathlib import Path

__all__ = ["compiler_problem"]

#: Launchers that run the compiler named after them (and env(1)'s VAR=value settings).
_LAUNCHERS = {"ccache", "sccache", "env", "distcc"}
_SETTING = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_INSTALL = ("install one (Debian/Ubuntu: apt-get install gcc, Fedora: dnf install gcc, Alpine: "
            "apk add gcc musl-dev, macOS: xcode-select --install)")


def _program(command: Sequence[str]) -> str | None:
    """The program that compiles: the first word that is no launcher or env setting."""
    for word in command:
        if Path(word).name not in _LAUNCHERS and not _SETTING.match(word):
            return word
    return None


def _why_not(program: str, cwd: Path) -> str | None:
    """Why *program* cannot run, or None when it can."""
    if os.sep not in program and (os.altsep is None or os.altsep not in program):
        return None if shutil.which(program) else "which is not on PATH"
    path = cwd / program
    where = "" if Path(program).is_absolute() else f" in {cwd}, the folder the build runs in"
    if not path.exists():
        return f"which does not exist{where}"
    if path.is_dir():
        return f"which is a folder{where}, not a program"
    if not os.access(path, os.X_OK):
        return (f"which is not executable{where} (not a program, or without execute "
                "permission)")
    return None


def _built_with() -> str | None:
    """The compiler this Python was built with, when it is on PATH."""
    words = shlex.split(str(sysconfig.get_config_var("CC") or ""))
    program = _program(words)
    return program if program and shutil.which(program) else None


def compiler_problem(command: Sequence[str], *, cc: str | None, cwd: Path) -> str | None:
    """What is wrong with the compile *command* (setuptools' ``compiler_so``, from *cc*, the
    CC environment variable, when set), or None when its compiler can run."""
    program = _program(command)
    if program is None:
        return None
    why = _why_not(program, cwd)
    if why is None:
        return None
    if cc is None or program not in shlex.split(cc):
        return (f"no C compiler: {program!r} (the compiler this Python was built with) "
                f"{why.removeprefix('which ')}; {_INSTALL} or set CC to one that exists")
    names = f"CC={shlex.quote(cc)}" + (f" names {program}," if cc.strip() != program else ",")
    fix = f"install {program}, " if "PATH" in why else ""
    fallback = _built_with()
    unset = (f", or unset CC to use {fallback}, the compiler this Python was built with"
             if fallback and fallback != program else "")
    return (f"no C compiler: {names} {why}; {fix}set CC to a C compiler's name or path (for "
            f"example CC=gcc or CC=/usr/bin/clang){unset}")
