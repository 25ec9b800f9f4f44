"""Modules an editable install (or ``build_ext --inplace``) writes next to the sources, and the
build folder it keeps, show as ignored in ``git status``, and no tracked file changes: those
not ignored already are added to the repository's own ``.git/info/exclude``. Outside a git
work tree, or without git, nothing happens."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from cffi_build_plugin._process import find_tool, run
from cffi_build_plugin.errors import CffiBuildPluginError

__all__ = ["ignore_in_git"]

log = logging.getLogger("cffi_build_plugin")

HEADER = "# cffi-build-plugin: modules built next to their sources (editable installs)"


def ignore_in_git(paths: Sequence[Path], folders: Sequence[Path] = ()) -> None:
    """*paths* (files) one by one; each of *folders* whole (``/build/``)."""
    git = find_tool("git")
    existing = [p.resolve() for p in paths if p.exists()]
    existing_folders = [p.resolve() for p in folders if p.is_dir()]
    if git is None or not [*existing, *existing_folders]:
        return
    try:
        top = Path(run([git, "-C", str([*existing, *existing_folders][0].parent), "rev-parse",
                        "--show-toplevel"], timeout=60).strip()).resolve()
        untracked = [*_untracked(git, top, existing, "all"),
                     *_untracked(git, top, existing_folders, "normal")]
        exclude = Path(top, run([git, "-C", str(top), "rev-parse", "--git-path",
                                 "info/exclude"], timeout=60).strip())
    except (CffiBuildPluginError, ValueError):
        return  # not a work tree, or the modules are outside it
    untracked.sort()
    if not untracked:
        return
    text = exclude.read_text() if exclude.exists() else ""
    lines = [f"/{path}" for path in untracked if f"/{path}" not in text.splitlines()]
    if not lines:
        return
    if HEADER not in text:
        lines.insert(0, HEADER)
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a") as f:
        f.write(("" if not text or text.endswith("\n") else "\n") + "\n".join(lines) + "\n")
    log.info("git: ignoring %s (in %s)", ", ".join(untracked), exclude)


def _untracked(git: str, top: Path, paths: Sequence[Path], mode: str) -> list[str]:
    """The untracked, not ignored, among *paths*; with mode "normal" a folder stays whole
    (``build/``)."""
    if not paths:
        return []
    relative = [p.relative_to(top).as_posix() for p in paths]
    status = run([git, "-C", str(top), "status", "--porcelain=v1", "--ignored=matching",
                  f"--untracked-files={mode}", "--", *relative], timeout=60)
    return [line[3:] for line in status.splitlines() if line.startswith("?? ")]
