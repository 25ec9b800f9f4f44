"""The module a version setup.py computes is read from, as setuptools' ``attr =`` names it.

setuptools reads ``version = {attr = "pkg._version.__version__"}`` statically first
(``StaticModule``: the first top-level assignment of the name, through ``ast.literal_eval``)
and imports the module only when that fails; a cffi package imported before its modules are
built fails. So a module qualifies when its top level binds the name once, to a string literal
that is a version (its other statements, imports included, do not matter to that read), and
the module's dotted name finds the same file through ``package_dir`` the way setuptools looks.
A module that re-exports the version (``from ._version import __version__``) is followed to
the one that assigns it.

setup.py reads it many ways: a path it opens, execs or runs (``runpy.run_path``,
``spec_from_file_location``), or an import (``from pkg import __version__``, ``import pkg``
then ``pkg.__version__``), directly or in a ``get_version()`` of its own.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

from packaging.version import InvalidVersion, Version

from .setup_py_reader import SetupScript, paths_mentioned
from .shipped_inputs import package_folder

__all__ = ["static_version", "version_attr"]

_NAME = "__version__"
#: Code that makes another version of what it read: a suffix, formatting.
_CHANGES = re.compile(r"\+\s*['\"]|%|\.format\(|\bf['\"]")


def _is_version(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return bool(text) and "\n" not in text


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run at import: the module's, and those in its if/try/with/for
    blocks (not def or class bodies)."""
    for node in body:
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody"):
            yield from _top_level(getattr(node, name, []) or [])
        for handler in getattr(node, "handlers", []) or []:
            yield from _top_level(handler.body)


def _bindings(tree: ast.Module, name: str) -> int:
    """How many statements may bind *name* at import (``global name`` in a function: many)."""
    if any(isinstance(n, ast.Global) and name in n.names for n in ast.walk(tree)):
        return 2
    count = 0
    for node in _top_level(tree.body):
        stored: list[str] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stored = [node.name]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stored = [(a.asname or a.name).split(".")[0] for a in node.names]
        elif not isinstance(node, (ast.If, ast.Try, ast.While)):
            own = [node] if not isinstance(node, (ast.For, ast.With)) else (
                [node.target] if isinstance(node, ast.For) else
                [i.optional_vars for i in node.items if i.optional_vars is not None])
            stored = [n.id for part in own for n in ast.walk(part)
                      if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))]
        count += stored.count(name)
    return count


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None


def static_version(path: Path, name: str = _NAME) -> str | None:
    """The version setuptools' static read finds for *name* in *path*, when importing the
    module would give the same (the one binding, a literal); None otherwise."""
    tree = _parse(path)
    if tree is None or _bindings(tree, name) != 1:
        return None
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            value = getattr(node, "value", None)
            if isinstance(value, ast.Constant) and isinstance(value.value, str) \
                    and _is_version(value.value):
                return value.value
            return None
    return None


def _module_file(module: str, package_dir: Mapping[str, str], root: Path) -> Path | None:
    """setuptools' ``_find_module``: the file *module* is, through *package_dir*."""
    start = root / package_folder(module, package_dir)
    for candidate in (start.with_name(start.name + ".py"), start / "__init__.py"):
        if candidate.is_file():
            return candidate.resolve()
    return None


def _module_name(rel: str, package_dir: Mapping[str, str], root: Path) -> str | None:
    """The dotted name setuptools finds *rel* (a project-relative .py file) by, or None."""
    parts = PurePosixPath(rel).with_suffix("").parts
    target = (root / rel).resolve()
    for package, folder in [*package_dir.items(), ("", "")]:
        prefix = PurePosixPath(folder).parts if folder not in ("", ".") else ()
        if parts[:len(prefix)] != prefix:
            continue
        rest = list(parts[len(prefix):])
        if rest and rest[-1] == "__init__":
            rest.pop()
        name = ".".join([*([package] if package else []), *rest])
        if name and all(p.isidentifier() for p in name.split(".")) and \
                _module_file(name, package_dir, root) == target:
            return name
    return None


def _reexported(path: Path, module: str, name: str) -> tuple[str, str] | None:
    """``from ._version import __version__`` in *module*: (source module, its name)."""
    tree = _parse(path)
    if tree is None or _bindings(tree, name) != 1:
        return None
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        for alias in node.names:
            if (alias.asname or alias.name) != name:
                continue
            if node.level == 0:
                return (node.module or "", alias.name) if node.module else None
            package = module.split(".") if path.name == "__init__.py" else \
                module.split(".")[:-1]
            base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
            if not base:
                return None
            return ".".join([*base, *([node.module] if node.module else [])]), alias.name
    return None


def _resolve(module: str, name: str, package_dir: Mapping[str, str], root: Path
             ) -> str | None:
    """``module.name`` as an attr setuptools reads statically, re-exports followed."""
    for _ in range(4):
        path = _module_file(module, package_dir, root)
        if path is None or not path.is_relative_to(root):
            return None
        if static_version(path, name) is not None:
            return f"{module}.{name}"
        found = _reexported(path, module, name)
        if found is None:
            return None
        module, name = found
    return None


def _imported_modules(script: SetupScript, code: str) -> set[str]:
    """Modules setup.py imports the version from: ``from pkg import __version__``,
    ``import pkg`` with ``pkg.__version__`` in *code*, ``from pkg import _version`` with
    ``_version.__version__``."""
    found = set()
    for node in ast.walk(script.tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                if alias.name == _NAME:
                    found.add(node.module)
                elif f"{alias.asname or alias.name}.{_NAME}" in code:
                    found.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if f"{alias.asname or alias.name}.{_NAME}" in code:
                    found.add(alias.name)
    return found


def _why_not(module: str, package_dir: Mapping[str, str], root: Path) -> str:
    """Why ``module.__version__`` is no attr setuptools reads (for the kept version's reason)."""
    path = _module_file(module, package_dir, root)
    if path is None or not path.is_relative_to(root):
        return f"module {module} is not found through package_dir {dict(package_dir)!r}"
    rel = path.relative_to(root).as_posix()
    tree = _parse(path)
    if tree is None:
        return f"{rel} does not parse"
    count = _bindings(tree, _NAME)
    if count != 1:
        return f"{rel} binds {_NAME} {count} times (setuptools' static read needs one literal)"
    return f"{rel}'s {_NAME} is not a version string literal"


def version_attr(script: SetupScript, lines: tuple[int, int], root: Path,
                 package_dir: Mapping[str, str], problems: list[str] | None = None
                 ) -> str | None:
    """The attr a version computed on *lines* of setup.py is read from: the code there (and
    the functions it calls) reads ``__version__`` from one module of the project and does
    nothing to it; None when not (*problems* then says why for each file it reads)."""
    first, last = lines
    code = "\n".join(script.source.splitlines()[first - 1:last])
    for node in script.tree.body:  # and the functions it calls: get_version()
        if isinstance(node, ast.FunctionDef) and re.search(rf"\b{node.name}\(", code):
            code += "\n" + (ast.get_source_segment(script.source, node) or "")
    if _NAME not in code or _CHANGES.search(code):
        return None
    root = root.resolve()
    found = set()
    why: list[str] = []
    for rel in sorted(paths_mentioned(script)):
        if rel.endswith(".py") and "\n" not in rel and (root / rel).is_file():
            module = _module_name(rel, package_dir, root)
            if module is None:
                why.append(f"{rel} is no module setuptools' attr finds through package_dir "
                           f"{dict(package_dir)!r}")
                continue
            attr = _resolve(module, _NAME, package_dir, root)
            found |= {attr} if attr else set()
            why += [] if attr else [_why_not(module, package_dir, root)]
    for module in _imported_modules(script, code):
        attr = _resolve(module, _NAME, package_dir, root)
        found |= {attr} if attr else set()
        why += [] if attr else [_why_not(module, package_dir, root)]
    if len(found) > 1:
        why.append(f"it is read from several modules ({', '.join(sorted(found))})")
    if problems is not None:
        problems += why
    return found.pop() if len(found) == 1 else None
