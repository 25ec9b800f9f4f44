"""The files discovery reads: which folders it leaves out, which .py files it takes, and
which of those are worth parsing (a test on the text, before any parse)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["iter_candidate_files", "may_declare_builders"]

#: Folders never searched: build outputs, caches, version control, installed packages.
_ALWAYS_PRUNED = {"__pycache__", "node_modules", "site-packages", "__pypackages__"}
#: Top-level folders that are not package code, searched only when ``include`` asks.
_NOT_PACKAGE_CODE = {"tests", "test", "testing", "docs", "doc", "benchmarks"}
#: Top-level build outputs.
_BUILD_OUTPUTS = {"build", "dist", "wheelhouse"}
#: What a Python environment holds at its top: venv/virtualenv/uv, conda/pixi.
_ENVIRONMENT_MARKERS = ("pyvenv.cfg", "conda-meta")


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Match a root-relative posix path against a glob where ``**`` spans folders."""
    out = []
    i = 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?$")


def iter_candidate_files(
    root: Path, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Iterator[tuple[str, str | None]]:
    """Yield ``(relative path, None)`` for each .py file to read, or ``(folder, reason)``
    for a top-level folder left out; sorted, so discovery is deterministic."""
    includes = [_glob_regex(p) for p in include]
    excludes = [_glob_regex(p) for p in exclude]
    # The relative folder by slicing, not Path.relative_to: this runs for every folder.
    top = os.fspath(root)
    for dirpath, dirnames, filenames in os.walk(top):
        rel_dir = dirpath[len(top):].lstrip(os.sep).replace(os.sep, "/")
        keep = []
        for d in sorted(dirnames):
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if (
                d.startswith(".")
                or d in _ALWAYS_PRUNED
                or d.endswith(".egg-info")
                or any(Path(dirpath, d, marker).exists() for marker in _ENVIRONMENT_MARKERS)
                or (not rel_dir and d in _BUILD_OUTPUTS)
                or any(x.match(rel) for x in excludes)
            ):
                continue
            if not rel_dir and d in _NOT_PACKAGE_CODE and not includes:
                yield rel + "/", "not package code (list it in include to search it)"
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if any(x.match(rel) for x in excludes):
                continue
            if includes and not any(x.match(rel) for x in includes):
                continue
            yield rel, None


#: What may stand between a called name and its "(": spaces, line continuations, comments
#: and a closing bracket (``(cffi.FFI)()``). Each pattern starts with a literal, which keeps
#: the search fast; what stands before the name is checked by hand.
_GAP = rb"(?:[ \t\f\r\n\\)]|#[^\n]*\n)*"
_FFI_CALL = re.compile(rb"FFI" + _GAP + rb"\(")
_SET_SOURCE_CALL = re.compile(rb"set_source" + _GAP + rb"\(")
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _calls_ffi(data: bytes) -> bool:
    """``FFI(`` or ``x.FFI(``, not ``CFFI(``."""
    return any(m.start() == 0 or data[m.start() - 1] not in _NAME_BYTES
               for m in _FFI_CALL.finditer(data))


def _calls_set_source(data: bytes) -> bool:
    """``x.set_source(``, not ``def set_source(``; after a line break (a comment may hide
    the dot), assumed."""
    for match in _SET_SOURCE_CALL.finditer(data):
        i = match.start() - 1
        while i >= 0 and data[i] in b" \t\f\\":
            i -= 1
        if i >= 0 and data[i] in b".\r\n":
            return True
    return False


def may_declare_builders(data: bytes) -> bool:
    """Whether *data* calls FFI() or set_source(), as every builder, in-line FFI and stray
    set_source() that analyze_source() reports does; a file that does not is not parsed."""
    return (b"FFI" in data and _calls_ffi(data)) or (
        b"set_source" in data and _calls_set_source(data))
