"""Editable installs and in-place builds: a build folder that stays, so the next build is
incremental; a record of what the modules were built from; and, in an editable wheel, the
check at import that rebuilds them when that changed (``_editable_loader.py``).

setuptools' editable install compiles in a new temporary folder every time. Here it uses
``build/temp.<platform>-<interpreter>`` in the project, setuptools' own for ``build_ext
--inplace``, so cffi's generated C keeps its path and ccache (hashing paths relative to the
project) hits for every file that did not change.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cffi_build_plugin.config.build_options import env_name
from cffi_build_plugin.modules.builders import BuiltModule

from ._editable_loader import changes, listing, record_lines
from .builder_reads import recording_reads
from .state import BuilderResults, BuildState, state_of

__all__ = ["RECORD_NAME", "builder_results", "in_tree_build_temp", "inputs_changed",
           "note_built", "write_editable_check"]

log = logging.getLogger("cffi_build_plugin")

RECORD_NAME = "cffi-build-plugin-inputs.txt"
_LOADER = Path(__file__).with_name("_editable_loader.py")
#: Folders whose files are never a project's own input.
_NOT_INPUTS = {"site-packages", "dist-packages", "__pycache__", ".git", ".tox", ".nox"}


@dataclass
class _Record:
    """One build's inputs (absolute paths) and in-place outputs, written as JSON."""

    started: int
    #: What the builders read (and the builders themselves).
    files: set[str] = field(default_factory=set)
    #: What the compiler read: C sources, depends, the headers its dependency files list.
    compiled: set[str] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    outputs: set[str] = field(default_factory=set)


_records: weakref.WeakKeyDictionary[BuildState, _Record] = weakref.WeakKeyDictionary()


def _in_place(command: Any) -> bool:
    return bool(getattr(command, "editable_mode", False) or getattr(command, "inplace", False))


def in_tree_build_temp(command: Any) -> str:
    """Where ``build_ext --inplace`` compiles: the ``build_temp`` setuptools' own ``build``
    computes for a build that is not an editable wheel's (which points it at a temporary
    folder), so its naming (free-threaded, debug builds) is setuptools' own."""
    from setuptools.command.build import build

    fresh = build(command.distribution)
    fresh.build_base = command.get_finalized_command("build").build_base
    fresh.ensure_finalized()
    return str(Path(fresh.build_temp).resolve())


def _build_temp(command: Any) -> str:
    """Where this in-place build compiles and keeps its record (build_ext's folder; in an
    editable install of ABI-mode modules alone, build_ext is not run nor made editable)."""
    build_ext = command.get_finalized_command("build_ext")
    if getattr(command, "editable_mode", False):
        return in_tree_build_temp(build_ext)
    return str(build_ext.build_temp)


def builder_results(command: Any) -> BuilderResults:
    """The builders' results; in an in-place build, the first call records what they read."""
    state = state_of(command)
    if not _in_place(command) or state.results_so_far is not None or state in _records:
        return state.builder_results()
    record = _records[state] = _Record(started=time.time_ns())
    with recording_reads(state.project.root) as reads:
        try:
            return state.builder_results()
        finally:
            record.files |= reads.files | {str(p) for p in state.builder_paths()}
            record.folders |= reads.folders
            record.written |= reads.written


def inputs_changed(command: Any) -> bool:
    """Whether anything the last in-place build read changed since (or it left no record)."""
    record = Path(_build_temp(command), RECORD_NAME)
    return bool(changes(str(state_of(command).project.root.resolve()), str(record)))


def note_built(command: Any, built: Iterable[tuple[BuiltModule, Path]],
               inputs: Iterable[str] = ()) -> None:
    """Add modules built in place and their C inputs to the build's record, and write it."""
    state = state_of(command)
    record = _records.get(state)
    if record is None:
        return  # not an in-place build
    record.outputs.update(str(path.resolve()) for _, path in built)
    record.compiled.update(str(Path(p).absolute()) for p in inputs)
    build_temp = Path(_build_temp(command))
    build_base = Path(command.get_finalized_command("build").build_base).resolve()
    build_temp.mkdir(parents=True, exist_ok=True)
    (build_temp / RECORD_NAME).write_text(
        _record_text(record, state.project.root.resolve(), build_base), "utf-8")


def _record_text(record: _Record, root: Path, build_base: Path) -> str:
    def inside(path: Path) -> str | None:
        try:
            relative = path.relative_to(root)
        except ValueError:
            return None
        if path == build_base or build_base in path.parents or \
                _NOT_INPUTS & set(relative.parts):
            return None
        return relative.as_posix()

    inputs: dict[str, int] = {}
    builder_reads = {_source_of(p) for p in record.files}
    for path in (builder_reads | record.compiled) - record.written:
        relative = inside(Path(path))
        if relative is not None and Path(path).is_file():
            mtime = Path(path).stat().st_mtime_ns
            # A builder's input changed while the build ran: what was built may be the old
            # one, so the next import must rebuild. Not what the compiler read: the build
            # itself may write a header it compiles, and this would rebuild forever.
            stale = path in builder_reads and mtime >= record.started
            inputs[relative] = -1 if stale else mtime
    folders: dict[str, list[str]] = {}
    for path in record.folders:
        relative = inside(Path(path))
        if relative is not None and Path(path).is_dir():
            folders[relative] = listing(path)
    outputs = [r for r in map(inside, map(Path, record.outputs)) if r]
    return record_lines(inputs, folders, outputs)


def _source_of(path: str) -> str:
    """A module imported from its bytecode stands for its source."""
    p = Path(path)
    if p.suffix == ".pyc" and p.parent.name == "__pycache__":
        return str(p.parent.parent / f"{p.name.partition('.')[0]}.py")
    return path


def depfile_inputs(depfile: Path) -> list[str]:
    """The files a ``-MD`` dependency file lists (ccache's depend mode writes them)."""
    try:
        text = depfile.read_text("utf-8", errors="replace")
    except OSError:
        return []
    text = text.replace("\\\n", " ").replace("\\ ", "\0")
    rules = text.split(":", 1)[1] if ":" in text else ""
    return [word.replace("\0", " ") for line in rules.splitlines()
            for word in line.split() if not word.endswith(":")]


def write_editable_check(command: Any, results: BuilderResults) -> None:
    """In an editable wheel: the import-time check and the ``.pth`` line that loads it.

    They go to the wheel's ``<name>.data/purelib``, which installers put in site-packages:
    editable_wheel puts ``install``'s data folder in ``<name>.data`` (setuptools 64+).
    """
    if not getattr(command, "editable_mode", False):
        return
    install_data = Path(command.get_finalized_command("install").install_data)
    data_dir = next((p for p in [install_data, *install_data.parents]
                     if p.name.endswith(".data")), None)
    if data_dir is None:
        log.warning("cffi modules will not be checked on import: setuptools' editable wheel "
                    "has no data folder (install_data is %s)", install_data)
        return
    state = state_of(command)
    build_temp = _build_temp(command)
    name = "_cffi_build_plugin_editable_" + \
        re.sub(r"[^A-Za-z0-9]+", "_", command.distribution.get_name()).lower()
    options = {env_name(o.name): _env_text(o.value) for o in state.options.entries()
               if o.origin.kind != "default"}
    call = (f"\n\ninstall(project={str(state.project.root.resolve())!r}, "
            f"record={str(Path(build_temp, RECORD_NAME))!r}, "
            f"modules={sorted(_module_names(results))!r}, "
            f"command={['build_ext', '--inplace', '--build-temp', build_temp]!r}, "
            f"environment={options!r}, "
            f"requires={_build_requires(state.project.root)!r})\n")
    purelib = data_dir / "purelib"
    purelib.mkdir(parents=True, exist_ok=True)
    (purelib / f"{name}.py").write_text(_LOADER.read_text("utf-8") + call, "utf-8")
    (purelib / f"{name}.pth").write_text(f"import {name}\n", "utf-8")


def _build_requires(root: Path) -> list[str]:
    """The project's ``[build-system].requires``, which a rebuild on import needs installed."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    except (OSError, ValueError):
        return []
    requires = data.get("build-system", {}).get("requires", [])
    return [r for r in requires if isinstance(r, str)] if isinstance(requires, list) else []


def _module_names(results: BuilderResults) -> set[str]:
    return {m.full_name for m, _ in results.api} | {m.full_name for m in results.abi}


def _env_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
