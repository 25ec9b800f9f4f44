"""The files and folders builders read while they run, for an editable install's record of its
inputs: the cdef a builder reads from a file, the sibling module it imports, the folder it
globs for C files. Seen through audit events (PEP 578), so whatever way a builder reads, it
is seen."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Reads", "recording_reads"]


@dataclass
class Reads:
    files: set[str] = field(default_factory=set)
    #: Folders listed: a file added to or removed from one changes its mtime.
    folders: set[str] = field(default_factory=set)
    #: Files opened for writing: a header a builder generates is an output, not an input.
    written: set[str] = field(default_factory=set)


#: Each recording, with the prefixes of the project's code and of setuptools' and ours.
_recording: list[tuple[Reads, tuple[str, tuple[str, ...]]]] = []
_hooked: list[bool] = []  # one item once the hook is added


def _path(value: object) -> str | None:
    if isinstance(value, (str, bytes, os.PathLike)):
        return str(Path(os.fsdecode(value)).absolute())
    return None  # a file descriptor


def _read_only(mode: object, flags: object) -> bool:
    if isinstance(mode, str):
        return "r" in mode and "+" not in mode
    return isinstance(flags, int) and flags & 3 == os.O_RDONLY


def _hook(event: str, args: tuple[object, ...]) -> None:
    if not _recording or event not in _EVENTS or not args:
        return
    reads, (project, ours) = _recording[-1]
    if event == "open":
        path = _path(args[0])
        if path is not None and len(args) >= 3 and _by_project(project, ours):
            (reads.files if _read_only(args[1], args[2]) else reads.written).add(path)
    elif not _by_import_system() and _by_project(project, ours):
        path = _path(args[0]) if args[0] is not None else str(Path.cwd())
        if path is not None:
            reads.folders.add(path)


_EVENTS = frozenset({"open", "os.listdir", "os.scandir"})


def _by_import_system() -> bool:
    """Whether the listing is the import system's (its path finders list every folder on
    sys.path), not the builder's."""
    caller = sys._getframe(2)  # the audited C function's Python caller
    return caller.f_code.co_filename.startswith("<frozen importlib")


def _by_project(project: str, ours: tuple[str, ...]) -> bool:
    """Whether the project's code (a builder, a module it imports) asked, rather than
    setuptools or the plugin (finding packages, reading pyproject.toml): the innermost
    frame that is either decides."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(ours):
            return False
        if name.startswith(project):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def _code_folders() -> tuple[str, ...]:
    import setuptools

    import cffi_build_plugin

    return tuple(str(Path(m.__file__).parent) + os.sep  # type: ignore[arg-type]
                 for m in (cffi_build_plugin, setuptools))


@contextmanager
def recording_reads(project: Path) -> Iterator[Reads]:
    """What the code of *project* reads within the block. An audit hook cannot be removed:
    it is added once, and costs one call that returns at once outside a recording."""
    if not _hooked:
        sys.addaudithook(_hook)
        _hooked.append(True)
    reads = Reads()
    entry = (reads, (str(project.absolute()) + os.sep, _code_folders()))
    _recording.append(entry)
    try:
        yield reads
    finally:
        _recording.remove(entry)
