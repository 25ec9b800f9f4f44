"""Link flags for Linux wheels that auditwheel can judge and that carry no build-machine paths
or symbol tables."""

from __future__ import annotations

import sys
import sysconfig
from collections.abc import Sequence
from typing import Any

__all__ = ["extra_link_args", "link_commands", "strip_rpath"]


def extra_link_args(platform: str = sys.platform) -> list[str]:
    """Appended after the libraries, so it only touches the compiler driver's implicit ones.

    Debian's and Ubuntu's gcc link with --as-needed: a cffi module that calls no libc function
    (and every PyPy cffi module) then records no NEEDED libc.so.6, and auditwheel stops with
    "couldn't detect libc".
    """
    return ["-Wl,--no-as-needed"] if platform.startswith("linux") else []


def _interpreter_libdirs() -> set[str]:
    return {d for d in (sysconfig.get_config_var("LIBDIR"), sys.base_prefix + "/lib") if d}


def strip_rpath(command: Sequence[str], libdirs: set[str]) -> list[str]:
    """*command* without -Wl,-rpath entries that name one of *libdirs*.

    pyenv and some other builds of Python bake `-Wl,-rpath,<prefix>/lib` into LDSHARED; an
    extension never links libpython on Linux, so that RUNPATH only leaks the build machine.
    """
    kept: list[str] = []
    args = list(command)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-Wl,-rpath", "-Wl,-R") and i + 1 < len(args) \
                and args[i + 1].removeprefix("-Wl,").rstrip("/") in libdirs:
            i += 2  # the two-argument form: -Wl,-rpath -Wl,<dir>
            continue
        if not any(arg.startswith(p) and arg[len(p):].rstrip("/") in libdirs
                   for p in ("-Wl,-rpath,", "-Wl,-rpath=", "-Wl,-R,", "-Wl,-R")):
            kept.append(arg)
        i += 1
    return kept


def link_commands(compiler: Any, *, debug_info: bool,
                  platform: str = sys.platform) -> dict[str, list[str]]:
    """The compiler's link commands for our modules (Linux): without the interpreter's own
    RUNPATH, and stripped (``-s``) unless debug information is kept. Elsewhere unchanged."""
    if not platform.startswith("linux"):
        return {}
    libdirs = {d.rstrip("/") for d in _interpreter_libdirs()}
    commands = {}
    for name in ("linker_so", "linker_so_cxx"):
        command = getattr(compiler, name, None)
        if isinstance(command, list):
            commands[name] = strip_rpath(command, libdirs) + ([] if debug_info else ["-s"])
    return commands
