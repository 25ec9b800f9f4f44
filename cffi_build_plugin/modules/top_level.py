"""A module installed top-level in a project that has a package: `set_source("_native", ...)`
where the package imports `from ._native import lib`, which breaks only at run time."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cffi_build_plugin._paths import is_inside

from .builders import BuiltModule
from .discovery import iter_candidate_files

__all__ = ["TopLevelReport", "check_top_level"]


@dataclass
class TopLevelReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _package_folders(packages: Iterable[str], root: Path,
                     folder_of: Callable[[str], Path | None]) -> dict[str, str]:
    """Root-relative posix folder -> the package whose sources it holds (package_dir
    applied: a lib/ or src/ layout, or a package folder named otherwise)."""
    folders = {}
    for package in packages:
        folder = folder_of(package)
        if folder is not None and is_inside(folder, root):
            folders[folder.resolve().relative_to(root.resolve()).as_posix()] = package
    return folders


def _imports(tree: ast.AST, package: str | None) -> Iterator[tuple[str, int]]:
    """Each module an import statement names, absolute, with its line; relative imports
    resolved against *package* (skipped outside one)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if package is None:
                    continue
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
            else:
                base = ""
            module = ".".join(p for p in (base, node.module or "") if p)
            yield module, node.lineno
            for alias in node.names:
                yield f"{module}.{alias.name}" if module else alias.name, node.lineno


def check_top_level(built: Sequence[BuiltModule], packages: Sequence[str], root: Path,
                    folder_of: Callable[[str], Path | None]) -> TopLevelReport:
    """An error when the project's code imports a top-level module as part of a package; a
    warning when nothing imports it by its top-level name; silence when something does (a
    top-level module on purpose), and in a project without packages. *folder_of* tells where
    a package's sources are, for the relative imports of its files."""
    report = TopLevelReport()
    lonely = [m for m in built if "." not in m.full_name]
    known = set(packages)
    tops = sorted({p.partition(".")[0] for p in known})
    if not lonely or not tops:
        return report
    names = {m.full_name for m in lonely}
    folders = _package_folders(known, root, folder_of)
    as_top: set[str] = set()
    in_package: dict[str, tuple[str, str, int]] = {}  # name -> (package, file, line)
    for rel, reason in iter_candidate_files(root, include=("**",)):
        if reason is not None:
            continue
        try:
            data = (root / rel).read_bytes()
        except OSError:
            continue
        if not any(name.encode() in data for name in names):
            continue  # cheap: most files never mention the module
        try:
            tree = ast.parse(data, filename=rel)
        except (SyntaxError, ValueError):
            continue
        for imported, line in _imports(tree, folders.get(rel.rpartition("/")[0] or ".")):
            head, _, last = imported.rpartition(".")
            if imported in names:
                as_top.add(imported)
            elif last in names and head in known:
                in_package.setdefault(last, (head, rel, line))
    for module in lonely:
        name, spec = module.full_name, module.planned.spec
        if name in in_package:
            package, rel, line = in_package[name]
            report.errors.append(
                f"builder {spec}: module {name} is installed top-level, but {rel} (line "
                f"{line}) imports it as {package}.{name}; did you mean "
                f'set_source("{package}.{name}", ...)?')
        elif name not in as_top:
            report.warnings.append(
                f"cffi module {name} (builder {spec}) is installed top-level, beside the "
                f"project's package {' and '.join(repr(t) for t in tops)}, and no code of the "
                f"project imports it as {name}; if it belongs in the package, write "
                f'set_source("{tops[0]}.{name}", ...)')
    return report
