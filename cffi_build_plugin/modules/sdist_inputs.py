"""The files builders read, found by reading them: what the sdist must carry."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

from cffi_build_plugin._paths import is_inside

__all__ = ["C_SUFFIXES", "static_build_inputs"]

#: Files a C compiler reads; a folder a builder names contributes these.
C_SUFFIXES = frozenset(
    {".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx", ".inc", ".inl", ".def", ".m"}
)
_GLOB_CHARS = frozenset("*?[")


def _string_literals(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value.strip()
            if value and len(value) < 400 and "\n" not in value:
                yield value


def _sibling_imports(tree: ast.AST, folder: Path) -> Iterator[Path]:
    """Modules next to the builder that it imports (``from _cdefs import CDEF``)."""
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module.split(".")[0]]
        for name in names:
            candidate = folder / f"{name}.py"
            if candidate.is_file():
                yield candidate
            elif (folder / name / "__init__.py").is_file():
                yield from (folder / name).rglob("*.py")


def _named_files(literal: str, bases: Iterable[Path], root: Path) -> Iterator[Path]:
    """Files a string literal names: itself, the C files of a folder, or a glob's matches."""
    if "://" in literal or literal.startswith("-"):
        return
    for base in bases:
        if _GLOB_CHARS & set(literal):
            try:
                matches = list(base.glob(literal))
            except (ValueError, NotImplementedError):
                matches = []
            for match in matches:
                if match.is_file():
                    yield match
            continue
        try:
            path = (base / literal).resolve()
        except (OSError, ValueError):
            continue
        if not is_inside(path, root) or path == root:
            continue
        if path.is_file():
            yield path
        elif path.is_dir() and not (path / "pyvenv.cfg").exists():
            for child in sorted(path.rglob("*")):
                if child.suffix.lower() in C_SUFFIXES and child.is_file():
                    yield child


def static_build_inputs(root: Path, builder_files: Iterable[str]) -> list[str]:
    """Root-relative posix paths of builders, their sibling modules, and every file or C
    folder their string literals name (sources, include dirs, depends, cdef files)."""
    root = root.resolve()
    todo = [(root / f).resolve() for f in builder_files]
    seen: set[Path] = set()
    found: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        found.add(path)
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError, OSError):
            continue  # reported when the builder runs
        todo.extend(_sibling_imports(tree, path.parent))
        for literal in _string_literals(tree):
            for named in _named_files(literal, (root, path.parent), root):
                if is_inside(named.resolve(), root):
                    found.add(named.resolve())
    return sorted(p.relative_to(root).as_posix() for p in found if _is_source(p.relative_to(root)))


def _is_source(rel: Path) -> bool:
    """Not a build output, cache or hidden file."""
    parts = rel.parts
    return not (
        parts[0] in {"build", "dist", "wheelhouse"}
        or any(p.startswith(".") or p == "__pycache__" or p.endswith(".egg-info") for p in parts)
    )
