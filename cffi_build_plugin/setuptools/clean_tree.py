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
import itertools
import logging
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

__all__ = ["keep_private_folder", "private_build_folder", "remove_new_egg_info_at_exit"]

log = logging.getLogger("cffi_build_plugin")

#: Commands that need setuptools' own places.
_IN_TREE = {"sdist", "editable_wheel", "develop"}


class _Process:
    folder: Path | None = None
    lock: IO[str] | None = None
    keep = False
    watching = False


def private_build_folder(dist: Any) -> Path | None:
    """This process's build folder, when the build is a PEP 517 wheel or metadata build."""
    commands = set(getattr(dist, "commands", None) or ())
    if "setuptools.build_meta" not in sys.modules or not commands or commands & _IN_TREE:
        return None
    if _Process.folder is None:
        _Process.folder = _claim_folder()
        atexit.register(_remove_private_folder)
    return _Process.folder


def _claim_folder() -> Path:
    """The lowest free ``<tmp>/cffi-build-plugin-<uid>/build-N``, held with a lock while this
    process lives. The same name build after build keeps ccache's keys the same: it hashes
    the path of cffi's generated C, which lives here. A concurrent build takes the next N."""
    base = Path(tempfile.gettempdir(), f"cffi-build-plugin-{os.getuid()}")
    try:
        import fcntl

        base.mkdir(mode=0o700, exist_ok=True)
        info = base.lstat()
        if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
            raise OSError("not ours")  # another user's trap in a shared /tmp
    except (ImportError, OSError, AttributeError):  # Windows, or no usable /tmp
        return Path(tempfile.mkdtemp(prefix="cffi-build-plugin-"))
    for slot in itertools.count():
        lock = (base / f"build-{slot}.lock").open("a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        _Process.lock = lock
        folder = base / f"build-{slot}"
        shutil.rmtree(folder, ignore_errors=True)  # what a crashed or failed build left
        folder.mkdir()
        return folder
    raise AssertionError("unreachable")


def keep_private_folder() -> None:
    """A module failed to compile or link: its generated C and objects stay where the error
    message says, for its command to be run again."""
    _Process.keep = True


def _remove_private_folder() -> None:
    """At exit, unless a module failed to compile or link (then the next build clears it)."""
    if _Process.folder is not None and not _Process.keep:
        shutil.rmtree(_Process.folder, ignore_errors=True)
    if _Process.lock is not None:
        _Process.lock.close()


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
