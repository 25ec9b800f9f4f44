"""Which build inputs the project's wheel ships today, found without running anything.

The plugin leaves builder scripts, and the C files builders read, out of wheels unless
``ship-build-inputs`` is true. A setuptools wheel holds a builder that lives in a package (as
one of its modules), and the C files package data names: headers other projects compile
against, say. migrate reads the package data as setuptools' ``build_py`` does (the
``package-data`` globs from each package's folder; with ``include-package-data``, what
MANIFEST.in selects and the extensions' C sources, which setuptools' manifest always holds)
so the migrated wheel keeps them, or the report says they go.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from tomlkit.toml_document import TOMLDocument

from cffi_build_plugin.config.project import PLUGIN_NAME
from cffi_build_plugin.modules.sdist_inputs import C_SUFFIXES, static_build_inputs

__all__ = ["ShippedInputs", "keep_shipped_inputs", "package_folder", "shipped_inputs"]

#: C files a compiler is given (cffi's ``sources=``), not only included: setuptools' manifest
#: holds every extension's sources, so include-package-data ships those inside a package.
_COMPILED_SUFFIXES = frozenset({".c", ".cc", ".cpp", ".cxx", ".m"})


@dataclass(frozen=True)
class ShippedInputs:
    #: Build inputs (root-relative posix paths) the wheel holds through package data.
    data: tuple[str, ...] = ()
    #: Builder scripts the wheel holds as modules of its packages.
    builders: tuple[str, ...] = ()
    #: How package data includes *data*, for the report.
    how: str = ""


def shipped_inputs(root: Path, setuptools: Mapping[str, Any],
                   builder_files: Sequence[str]) -> ShippedInputs:
    """What of the builders and the C files they read the wheel holds today; *setuptools* is
    the migrated ``[tool.setuptools]`` table (pyproject.toml's defaults apply)."""
    inputs = static_build_inputs(root, builder_files)
    candidates = sorted({*builder_files, *(p for p in inputs
                                           if PurePosixPath(p).suffix.lower() in C_SUFFIXES)})
    folders = _package_folders(root, setuptools)
    packaged = {c: _packages_holding(c, folders) for c in candidates}
    builders = tuple(b for b in builder_files if packaged.get(b) and b.endswith(".py"))
    by_data = _by_package_data(root, setuptools, packaged)
    if by_data:
        return ShippedInputs(tuple(by_data), builders, "package_data lists them")
    if setuptools.get("include-package-data", True) is True:
        c_files = [c for c in candidates if packaged[c] and c not in builder_files]
        selected = _manifest_selects(root, c_files)
        by_manifest = [c for c in c_files
                       if c in selected or PurePosixPath(c).suffix.lower() in _COMPILED_SUFFIXES]
        if by_manifest:
            return ShippedInputs(tuple(by_manifest), builders,
                                 "include-package-data ships what the sdist's manifest holds "
                                 "inside a package")
    return ShippedInputs((), builders)


# -- packages and their folders, as build_py finds them ------------------------------------


def _package_folders(root: Path, setuptools: Mapping[str, Any]) -> dict[str, str]:
    """Root-relative posix folder -> package name. Packages setup.py still computes are not
    known here: every folder with an ``__init__.py`` stands in for them."""
    package_dir = dict(setuptools.get("package-dir") or {})
    packages = setuptools.get("packages")
    names: Iterable[str]
    if isinstance(packages, list):
        names = [str(p) for p in packages]
    elif isinstance(packages, dict) and isinstance(packages.get("find"), dict):
        names = _found(root, packages["find"], package_dir)
    else:
        names = _init_packages(root, str(package_dir.get("", "")))
    return {package_folder(name, package_dir): name for name in names}


def _found(root: Path, find: Mapping[str, Any], package_dir: dict[str, Any]) -> list[str]:
    from setuptools import find_namespace_packages, find_packages

    where = [str(w) for w in find.get("where", ["."])]
    if len(where) == 1 and where[0] not in (".", "") and "" not in package_dir:
        package_dir[""] = where[0]  # setuptools' own rule for a single `where`
    finder = find_namespace_packages if find.get("namespaces", True) else find_packages
    kwargs: dict[str, Any] = {"include": tuple(find.get("include", ["*"])),
                              "exclude": tuple(find.get("exclude", []))}
    return [name for w in where for name in finder(str(root / w), **kwargs)]


def _init_packages(root: Path, base: str) -> list[str]:
    top = root / base
    return [".".join(init.parent.relative_to(top).parts) for init in top.rglob("__init__.py")
            if init.parent != top and not any(p.startswith(".") for p in init.parts)]


def package_folder(name: str, package_dir: Mapping[str, Any]) -> str:
    """build_py.get_package_dir: the longest prefix package_dir maps, then the rest."""
    parts = name.split(".")
    for cut in range(len(parts), -1, -1):
        prefix = ".".join(parts[:cut])
        if prefix in package_dir:
            base = PurePosixPath(str(package_dir[prefix]))
            return (base.joinpath(*parts[cut:])).as_posix()
    return PurePosixPath(*parts).as_posix()


def _packages_holding(path: str, folders: Mapping[str, str]) -> list[tuple[str, str]]:
    """(folder, package) of every package whose folder holds *path*, innermost first."""
    parents = [p.as_posix() for p in PurePosixPath(path).parents]
    return [(p, folders[p]) for p in parents if p in folders]


# -- what package data selects -------------------------------------------------------------


def _by_package_data(root: Path, setuptools: Mapping[str, Any],
                     packaged: Mapping[str, list[tuple[str, str]]]) -> list[str]:
    data = setuptools.get("package-data") or {}
    excluded = setuptools.get("exclude-package-data") or {}
    if not isinstance(data, dict):
        return []
    found: list[str] = []
    for path, holders in packaged.items():
        for folder, package in holders:
            if _matches(root, folder, path, _patterns(data, package)) and not _matches(
                    root, folder, path, _patterns(excluded, package)):
                found.append(path)
                break
    return found


def _patterns(table: Mapping[str, Any], package: str) -> list[str]:
    """A package's globs: its own, and those for every package ("" in setup.py, "*" in
    pyproject.toml)."""
    return [str(p) for key in (package, "", "*") for p in (table.get(key) or [])]


def _matches(root: Path, folder: str, path: str, patterns: Sequence[str]) -> bool:
    """Whether one of *patterns*, globbed from the package's folder, names *path*."""
    target = (root / path).resolve()
    for pattern in patterns:
        try:
            if any(m.resolve() == target for m in (root / folder).glob(pattern)):
                return True
        except (ValueError, NotImplementedError):
            continue  # an absolute or empty pattern: setuptools finds nothing with it either
    return False


# -- MANIFEST.in, as distutils' FileList reads it (for the candidate files alone) ------------


def _glob_re(pattern: str) -> str:
    """distutils' glob_to_re: * and ? never cross a /."""
    out = ""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            out += pattern[i:end + 1]
            i = end
        else:
            out += re.escape(char)
        i += 1
    return out


def _manifest_selects(root: Path, candidates: Sequence[str]) -> set[str]:
    """Of *candidates*, those MANIFEST.in's commands leave in the sdist's file list."""
    manifest = root / "MANIFEST.in"
    if not manifest.is_file() or not candidates:
        return set()
    selected: set[str] = set()
    for raw in manifest.read_text("utf-8", "replace").splitlines():
        try:
            words = shlex.split(raw, comments=True)
        except ValueError:
            continue
        if len(words) < 2:
            continue
        action, args = words[0], words[1:]
        regexes: list[str]
        if action in ("include", "exclude"):
            regexes = [rf"\A{_glob_re(p)}\Z" for p in args]
        elif action in ("global-include", "global-exclude"):
            regexes = [rf"(?:\A|/){_glob_re(p)}\Z" for p in args]
        elif action in ("recursive-include", "recursive-exclude"):
            folder = re.escape(args[0].strip("/"))
            regexes = [rf"\A{folder}/.*{_glob_re(p)}\Z" for p in args[1:]]
        elif action in ("graft", "prune"):
            regexes = [rf"\A{re.escape(p.strip('/'))}/" for p in args]
        else:
            continue
        hits = {c for c in candidates if any(re.search(r, c) for r in regexes)}
        if action.endswith("include") or action == "graft":
            selected |= hits
        else:
            selected -= hits
    return selected


# -- what migrate writes --------------------------------------------------------------------


def _listed(paths: Sequence[str], most: int = 6) -> str:
    shown = ", ".join(paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")


def keep_shipped_inputs(doc: TOMLDocument, root: Path, report: list[str]) -> None:
    """``ship-build-inputs = true`` when the wheel ships C inputs or a builder package data
    names; else a report line for the builders the wheel stops carrying. A table that already
    says ship-build-inputs is the project's choice."""
    tool: Any = doc.get("tool", {})
    table: Any = tool.get(PLUGIN_NAME)
    modules = table.get("modules") if table is not None else None
    if modules is None or "ship-build-inputs" in table:
        return
    builders = sorted({str(m if isinstance(m, str) else m["builder"]).rpartition(":")[0]
                       for m in modules})
    setuptools = tool.get("setuptools", {})
    found = shipped_inputs(root, setuptools.unwrap() if hasattr(setuptools, "unwrap")
                           else setuptools, builders)
    if found.data:
        table["ship-build-inputs"] = True
        report.append(
            f"kept shipping {_listed(sorted({*found.builders, *found.data}))} in the wheel "
            f"({found.how}): [tool.{PLUGIN_NAME}] ship-build-inputs = true (the plugin "
            "leaves builders and their C files out of wheels by default)")
    elif found.builders:
        report.append(
            f"the wheel no longer holds {_listed(found.builders)}: the plugin leaves builder "
            "scripts out of wheels (the sdist carries them); ship-build-inputs = true in "
            f"[tool.{PLUGIN_NAME}] keeps them")
