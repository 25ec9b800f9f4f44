"""What a module that did not compile or link tells the user: which module, which C file, where
the C generated from its builder is kept, and the command to run again, as typed in a shell."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from setuptools.errors import CompileError, LinkError

from .shown import failed_command, shell_line

__all__ = ["CompileFailure", "failure_message"]


class CompileFailure(CompileError):
    """C files that did not compile, each with its command as shown (None: not known)."""

    def __init__(self, failures: Sequence[tuple[str, list[str] | None]]) -> None:
        self.failures = list(failures)
        super().__init__("; ".join(f"{source} did not compile" for source, _ in failures))


def failure_message(module: str, exc: CompileError | LinkError, *, generated: str,
                    cwd: Path) -> str:
    """The error for *module* (its name and builder spec), which failed with *exc*; *generated*
    is the C generated from its builder."""
    if isinstance(exc, LinkError):
        return (f"{module} failed to link (the linker's messages are above); check libraries= "
                "and library_dirs= in set_source()"
                + _run_again("linker", [c for c in [failed_command()] if c], cwd))
    if not isinstance(exc, CompileFailure):  # a compiler the plugin does not run (MSVC)
        return (f"{module} failed to compile: {exc} (the compiler's messages are above); the "
                f"C generated from its builder is kept at {generated}")
    files = [source for source, _ in exc.failures]
    if files == [generated]:
        what = (f"the C generated from its builder, kept at {generated} (the compiler's "
                "messages are above)")
    else:
        what = (f"{_listed(files)} (the compiler's messages are above); the C generated from "
                f"its builder is kept at {generated}")
    commands = [command for _, command in exc.failures if command]
    return f"{module} failed to compile {what}" + _run_again("compiler", commands, cwd)


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def _run_again(tool: str, commands: Sequence[Sequence[str]], cwd: Path) -> str:
    if not commands:
        return ""
    lines = "".join(f"\n    {shell_line(command)}" for command in commands)
    return f".\nTo run the {tool} again, in {cwd}:{lines}"
