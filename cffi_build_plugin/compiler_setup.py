"""The compiler's commands while our modules build, and how many run at once.

Compile commands run through ``_launcher.py`` (each compiler's messages in one piece, as they
run in parallel) and through ccache when there is one; the interpreter's ``-g`` is dropped
unless debug information is kept. Link commands come from linking.py. Everything is set once
around ``build_extensions`` and put back afterwards: ``build_ext --parallel`` builds modules
from several threads, so nothing may be swapped per module.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from .build_choices import CompileChoices
from .linking import link_commands
from .parallel_compile import compiling_in_parallel

__all__ = ["compile_commands", "compiling", "without_debug_flags"]

_COMPILE = ("compiler_so", "compiler_so_cxx")
#: -g, -g3, -ggdb, -gdwarf-4, -gline-tables-only... but not -gsplit-dwarf's relatives in -f.
_DEBUG_FLAG = re.compile(r"-g(\d|gdb\d?|dwarf(-\d+)?|line-tables-only|codeview)?")
LAUNCHER = Path(__file__).with_name("_launcher.py")


def without_debug_flags(command: list[str]) -> list[str]:
    return [arg for arg in command if not _DEBUG_FLAG.fullmatch(arg)]


def compile_commands(compiler: Any, choices: CompileChoices, *, lock_file: Path,
                     basedir: Path) -> dict[str, list[str]]:
    """The new compile commands of a Unix compiler (others are left as they are)."""
    if getattr(compiler, "compiler_type", None) != "unix":
        return {}
    launcher = [sys.executable, "-I", "-S", str(LAUNCHER), str(lock_file)]
    if choices.ccache:
        # Paths under the project become relative in what ccache hashes: the same project
        # unpacked elsewhere (an sdist build, another checkout) hits the same entries.
        launcher += [f"CCACHE_BASEDIR={basedir}"]
    launcher += ["--"]
    commands = {}
    for name in _COMPILE:
        command = getattr(compiler, name, None)
        if not isinstance(command, list) or not command:
            continue
        if not choices.debug_info:
            command = without_debug_flags(command)
        if choices.ccache and Path(command[0]).name not in ("ccache", "sccache"):
            command = [choices.ccache, *command]
        commands[name] = [*launcher, *command]
    return commands


@contextmanager
def _swapped(compiler: Any, commands: Mapping[str, list[str]]) -> Iterator[None]:
    saved = {name: getattr(compiler, name) for name in commands}
    try:
        for name, command in commands.items():
            setattr(compiler, name, command)
        yield
    finally:
        for name, command in saved.items():
            setattr(compiler, name, command)


@contextmanager
def compiling(compiler: Any, choices: CompileChoices, build_temp: Path) -> Iterator[None]:
    """Within the block, *compiler* builds our modules the way *choices* say."""
    build_temp.mkdir(parents=True, exist_ok=True)
    commands = compile_commands(compiler, choices, basedir=Path.cwd(),
                                lock_file=build_temp / ".cffi-build-plugin-output.lock")
    commands.update(link_commands(compiler, debug_info=choices.debug_info))
    with ExitStack() as stack:
        stack.enter_context(_swapped(compiler, commands))
        if "compiler_so" in commands:  # launched: parallel messages stay readable
            stack.enter_context(compiling_in_parallel(compiler, choices.jobs))
        yield
