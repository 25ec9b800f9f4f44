"""Checks on what builders returned, before anything is compiled: names and input files."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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


def check_module_names(built: Sequence[BuiltModule], packages: Iterable[str]) -> list[str]:
    """Each module name is importable, unique, and lies in one of the project's packages."""
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
        if parent and parent not in known:
            have = ", ".join(sorted(known)) or "none"
            problems.append(
                f"builder {spec}: module {name} would go into package {parent!r}, which this "
                f"project does not have (its packages: {have}); fix the name in set_source() "
                "or the module's package setting"
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
