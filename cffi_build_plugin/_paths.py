"""Path helpers shared by the modules that read a project's files."""

from __future__ import annotations

from pathlib import Path

__all__ = ["is_inside"]


def is_inside(path: Path, root: Path) -> bool:
    """Whether *path* (resolved) lies under *root* (resolved)."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
