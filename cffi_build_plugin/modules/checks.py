"""Checks on what builders returned, before anything is compiled: names and input files."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from cffi_build_plugin._paths import is_inside

from .builders import BuiltModule

__all__ = ["check_inputs_exist", "check_modes", "check_module_names"]

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def check_modes(built: Sequence[BuiltModule]) -> list[str]:
    """setuptools decided from the reading whether anything needs compiling: a builder that
    reads as ABI mode must not turn out to be API mode."""
    return [
        f"builder {m.planned.spec} reads as ABI mode (set_source(..., None)) but produced C "
        "source; pass the source in one set_source() call"
        for m in built
        if m.planned.declared is not None and m.planned.declared.mode == "ABI"
        and m.mode == "API"
    ]


def _inside_a_package(parent: str, known: set[str],
                      folder_of: Callable[[str], Path | None]) -> bool:
    """Whether *parent* is a folder inside one of the project's packages, an implicit
    namespace subpackage (``pkg._generated`` without ``__init__.py``), as cffi's own
    ``cffi_modules`` would build it. A folder not in the tree (it may hold generated
    modules only) counts unless its name is a near miss of a package the project has."""
    parts = parent.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        ancestor = ".".join(parts[:cut])
        if ancestor not in known:
            continue
        base = folder_of(ancestor)
        if base is not None and base.joinpath(*parts[cut:]).is_dir():
            return True
        return not difflib.get_close_matches(parent, known, n=1, cutoff=0.8)
    return False


def check_module_names(built: Sequence[BuiltModule], packages: Iterable[str],
                       folder_of: Callable[[str], Path | None] = lambda _: None) -> list[str]:
    """Each module name is importable, unique, and lies in one of the project's packages or
    a folder inside one; *folder_of* tells where a package's sources are."""
    problems: list[str] = []
    known = set(packages)
    seen: dict[str, str] = {}
    for module in built:
        spec, name = module.planned.spec, module.full_name
        if not _DOTTED.fullmatch(name):
            problems.append(
                f"builder {spec}: set_source() names the module {module.declared_name!r}, which "
                'is not a dotted Python module name (like "mypkg._native")'
            )
            continue
        if name in seen:
            problems.append(
                f"builders {seen[name]} and {spec} both declare the module {name}; give each "
                "set_source() its own module name"
            )
        seen[name] = str(spec)
        parent = name.rpartition(".")[0]
        if parent and parent not in known and not _inside_a_package(parent, known, folder_of):
            have = ", ".join(sorted(known)) or "none"
            near = difflib.get_close_matches(parent, known, n=1, cutoff=0.8)
            hint = f" (did you mean {near[0]}.{name.rpartition('.')[2]}?)" if near else ""
            problems.append(
                f"builder {spec}: module {name} would go into package {parent!r}, which this "
                f"project does not have (its packages: {have}); fix the name in set_source() "
                f"or the module's package setting{hint}"
            )
    return problems


def check_inputs_exist(built: Sequence[BuiltModule], root: Path) -> list[str]:
    """Sources must exist; so must include dirs inside the project (system ones may not)."""
    problems: list[str] = []
    for module in built:
        if module.mode != "API":
            continue
        for source in module.kwds.get("sources", []):
            if not (root / source).is_file():
                problems.append(
                    f"builder {module.planned.spec}: source file {str(source)!r} does not exist "
                    "(relative paths are taken from the project root)"
                )
        for folder in module.kwds.get("include_dirs", []):
            path = root / folder
            if is_inside(path, root) and not path.is_dir():
                problems.append(
                    f"builder {module.planned.spec}: include dir {str(folder)!r} does not exist "
                    "(relative paths are taken from the project root)"
                )
    return problems
