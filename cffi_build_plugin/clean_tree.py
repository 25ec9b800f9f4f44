"""Wheel builds leave the project's folder as they found it, and two of them can run at once.

setuptools writes ``build/`` and ``<name>.egg-info`` into the source tree. In a PEP 517 hook
that builds a wheel or its metadata, both go to a folder of the process's own instead, removed
when it exits: two interpreters building one checkout at once share nothing. An sdist needs its
egg-info inside the tree (setuptools copies it by its relative path), so an sdist build
removes the one it created when it exits. Editable installs, and builds run by hand
(``setup.py build_ext --inplace``), keep setuptools' own places: there, build/ is what makes
the next build incremental.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["private_build_folder", "remove_new_egg_info_at_exit"]

log = logging.getLogger("cffi_build_plugin")

#: Commands that need setuptools' own places.
_IN_TREE = {"sdist", "editable_wheel", "develop"}


class _Process:
    folder: Path | None = None
    watching = False


def private_build_folder(dist: Any) -> Path | None:
    """This process's build folder, when the build is a PEP 517 wheel or metadata build."""
    commands = set(getattr(dist, "commands", None) or ())
    if "setuptools.build_meta" not in sys.modules or not commands or commands & _IN_TREE:
        return None
    if _Process.folder is None:
        _Process.folder = Path(tempfile.mkdtemp(prefix="cffi-build-plugin-"))
        atexit.register(shutil.rmtree, _Process.folder, ignore_errors=True)
    return _Process.folder


def remove_new_egg_info_at_exit(root: Path) -> None:
    """At an sdist build: the egg-info it writes into the tree goes when the process ends."""
    if _Process.watching or "setuptools.build_meta" not in sys.modules:
        return
    _Process.watching = True
    atexit.register(_remove_new, root, _egg_infos(root))


def _egg_infos(root: Path) -> set[Path]:
    """egg-info folders next to the packages: the root, src/ or another package_dir."""
    return {*root.glob("*.egg-info"), *root.glob("*/*.egg-info")}


def _remove_new(root: Path, before: set[Path]) -> None:
    for path in sorted(_egg_infos(root) - before):
        try:
            shutil.rmtree(path)
        except OSError as exc:  # a read-only tree, a file held open on Windows
            log.warning("could not remove %s after the build: %s", path, exc.strerror)
