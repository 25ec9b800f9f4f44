"""Path helpers shared by the modules that read a project's files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from traceback import FrameSummary

__all__ = ["is_inside", "project_frames"]

_PLUGIN = Path(__file__).resolve().parent


def is_inside(path: Path, root: Path) -> bool:
    """Whether *path* (resolved) lies under *root* (resolved)."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def project_frames(frames: Iterable[FrameSummary], root: Path
                   ) -> list[tuple[str, FrameSummary]]:
    """The frames (outermost first) of the project's own code, each with its file's
    root-relative posix path: not the plugin's nor an installed package's, even when they lie
    inside the project (its own repository, a virtual environment in it)."""
    root = root.resolve()
    found = []
    for frame in frames:
        path = Path(frame.filename).resolve()
        if (is_inside(path, root) and not is_inside(path, _PLUGIN) and path.is_file()
                and not {"site-packages", "dist-packages"} & set(path.parts)):
            found.append((path.relative_to(root).as_posix(), frame))
    return found
