"""Planned edits to a project's files: shown as a diff, then written whole or not at all."""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Change", "apply_changes", "with_lf", "write_atomic"]


@dataclass(frozen=True)
class Change:
    path: Path
    old: str | None  # None: a new file
    new: str | None  # None: the file is deleted

    def diff(self, root: Path) -> str:
        name = self.path.relative_to(root).as_posix()
        return "".join(difflib.unified_diff(
            (self.old or "").splitlines(keepends=True), (self.new or "").splitlines(keepends=True),
            fromfile="/dev/null" if self.old is None else f"a/{name}",
            tofile="/dev/null" if self.new is None else f"b/{name}"))


def write_atomic(path: Path, text: str) -> None:
    """Replace *path* whole (its mode kept), or leave it as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        if path.exists():
            shutil.copymode(path, tmp)
        else:  # mkstemp makes 0600; a new file gets what the umask gives any other
            umask = os.umask(0)
            os.umask(umask)
            Path(tmp).chmod(0o666 & ~umask)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply_changes(changes: Iterable[Change]) -> None:
    """Writes first, deletions last: an interrupted run never leaves a project with its old
    configuration gone and the new one missing."""
    ordered = sorted(changes, key=lambda c: c.new is None)
    for change in ordered:
        if change.new is None:
            change.path.unlink(missing_ok=True)
        else:
            write_atomic(change.path, change.new)


def with_lf(raw: str) -> tuple[str, str]:
    """*raw* with \\n line ends, and the line end the file had (\\r\\n or \\n), to write back."""
    return raw.replace("\r\n", "\n"), "\r\n" if "\r\n" in raw else "\n"
