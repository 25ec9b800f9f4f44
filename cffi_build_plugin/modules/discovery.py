"""Finding cffi builders by reading source code, never running it."""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

__all__ = [
    "BuilderSpec",
    "DeclaredModule",
    "Discovery",
    "Skipped",
    "analyze_source",
    "discover",
    "iter_candidate_files",
]

Mode = Literal["API", "ABI", "unknown"]

#: Folders never searched: build outputs, caches, version control, installed packages.
_ALWAYS_PRUNED = {"__pycache__", "node_modules", "site-packages", "__pypackages__"}
#: Top-level folders that are not package code, searched only when ``include`` asks.
_NOT_PACKAGE_CODE = {"tests", "test", "testing", "docs", "doc", "benchmarks"}
#: Top-level build outputs.
_BUILD_OUTPUTS = {"build", "dist", "wheelhouse"}


@dataclass(frozen=True, order=True)
class BuilderSpec:
    """cffi's ``"path/to/build.py:name"``, the path relative to the project root."""

    path: str
    name: str

    @classmethod
    def parse(cls, spec: str) -> BuilderSpec:
        path, _, name = spec.rpartition(":")
        return cls(PurePosixPath(path.replace("\\", "/")).as_posix(), name)

    def __str__(self) -> str:
        return f"{self.path}:{self.name}"


@dataclass(frozen=True)
class DeclaredModule:
    """A builder as read from its source: what set_source() is statically known to say."""

    spec: BuilderSpec
    #: The first argument of set_source() when it is a literal string.
    module_name: str | None
    #: ``ABI`` when set_source()'s source is the literal None, ``API`` when it is code.
    mode: Mode
    #: The literal names in set_source(libraries=[...]): what the module links against.
    libraries: tuple[str, ...] = ()
    #: libraries= is there but computed, so :attr:`libraries` may be incomplete.
    libraries_unknown: bool = False


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class Discovery:
    modules: tuple[DeclaredModule, ...]
    skipped: tuple[Skipped, ...]


def _is_ffi_call(node: ast.AST | None) -> bool:
    """``FFI()``, ``cffi.FFI()`` or ``cffi.api.FFI()``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "FFI") or (
        isinstance(func, ast.Attribute) and func.attr == "FFI"
    )


def _set_source_calls(tree: ast.AST) -> Iterator[tuple[str, ast.Call]]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "set_source"
            and isinstance(node.func.value, ast.Name)
        ):
            yield node.func.value.id, node


def _arg(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[:index]):
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _mode_of(calls: Sequence[ast.Call]) -> Mode:
    modes: set[Mode] = set()
    for call in calls:
        source = _arg(call, 1, "source")
        if isinstance(source, ast.Constant) and source.value is None:
            modes.add("ABI")
        elif isinstance(source, (ast.Constant, ast.JoinedStr, ast.BinOp)):
            modes.add("API")
        else:
            modes.add("unknown")
    return modes.pop() if len(modes) == 1 else "unknown"


def _name_of(calls: Sequence[ast.Call]) -> str | None:
    for call in calls:
        name = _arg(call, 0, "module_name")
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            return name.value
    return None


def _libraries_of(calls: Sequence[ast.Call]) -> tuple[tuple[str, ...], bool]:
    names: list[str] = []
    unknown = False
    for call in calls:
        value = next((k.value for k in call.keywords if k.arg == "libraries"), None)
        if value is None:
            unknown = unknown or any(k.arg is None for k in call.keywords)  # **kwargs
            continue
        items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else None
        if items is None:
            unknown = True
            continue
        for item in items:
            if isinstance(item, ast.Constant) and isinstance(item.value, str):
                names.append(item.value)
            else:
                unknown = True
    return tuple(dict.fromkeys(names)), unknown


def _declared(spec: BuilderSpec, calls: Sequence[ast.Call]) -> DeclaredModule:
    libraries, unknown = _libraries_of(calls)
    return DeclaredModule(spec, _name_of(calls), _mode_of(calls), libraries, unknown)


def _module_level(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import: the body and what if/try/with blocks hold, not functions."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.For, ast.While, ast.With)):
            yield from _module_level(stmt.body)
            yield from _module_level(getattr(stmt, "orelse", []))
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody):
                yield from _module_level(block)
            for handler in stmt.handlers:
                yield from _module_level(handler.body)


def _ffi_targets(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.Assign) and _is_ffi_call(stmt.value):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and _is_ffi_call(stmt.value):
        return [stmt.target.id] if isinstance(stmt.target, ast.Name) else []
    return []


def _function_builder(func: ast.FunctionDef) -> list[ast.Call] | None:
    """The set_source() calls of a function that makes an FFI and returns it, else None."""
    local_ffis = {name for stmt in ast.walk(func) if isinstance(stmt, ast.stmt)
                  for name in _ffi_targets(stmt)}
    returned = {
        node.value.id
        for node in ast.walk(func)
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Name)
    }
    names = local_ffis & returned
    calls = [call for var, call in _set_source_calls(func) if var in names]
    return calls or None


def analyze_source(path: str, text: str) -> tuple[list[DeclaredModule], list[Skipped]]:
    """The builders one file declares, and why FFI objects in it are not builders."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        return [], [Skipped(path, f"cannot be parsed: {exc.msg} (line {exc.lineno})")]
    found: list[DeclaredModule] = []
    skipped: list[Skipped] = []
    ffi_vars: dict[str, None] = {}
    for stmt in _module_level(tree.body):
        for target in _ffi_targets(stmt):
            ffi_vars.setdefault(target)
    calls_by_var: dict[str, list[ast.Call]] = {}
    for var, call in _set_source_calls(tree):
        calls_by_var.setdefault(var, []).append(call)
    for var in ffi_vars:
        calls = calls_by_var.get(var)
        if calls:
            found.append(_declared(BuilderSpec(path, var), calls))
        else:
            skipped.append(Skipped(
                path,
                f"FFI object {var!r} never gets set_source(): an in-line FFI used at run time, "
                "not a builder",
            ))
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef):
            calls = _function_builder(stmt)
            if calls:
                found.append(_declared(BuilderSpec(path, stmt.name), calls))
    found_names = {m.spec.name for m in found}
    func_locals = {
        name
        for stmt in tree.body
        if isinstance(stmt, ast.FunctionDef)
        for node in ast.walk(stmt)
        if isinstance(node, ast.stmt)
        for name in _ffi_targets(node)
    }
    for var in sorted(set(calls_by_var) - set(ffi_vars) - func_locals - found_names):
        skipped.append(Skipped(
            path,
            f"set_source() is called on {var!r}, which is not bound to FFI() at module level "
            "(a builder must be a module-level FFI object or a function returning one)",
        ))
    return found, skipped


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Match a root-relative posix path against a glob where ``**`` spans folders."""
    out = []
    i = 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?$")


def iter_candidate_files(
    root: Path, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Iterator[tuple[str, str | None]]:
    """Yield ``(relative path, None)`` for each .py file to read, or ``(folder, reason)``
    for a top-level folder left out; sorted, so discovery is deterministic."""
    includes = [_glob_regex(p) for p in include]
    excludes = [_glob_regex(p) for p in exclude]
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        keep = []
        for d in sorted(dirnames):
            rel = f"{rel_dir}/{d}" if rel_dir else d
            full = Path(dirpath, d)
            if (
                d.startswith(".")
                or d in _ALWAYS_PRUNED
                or d.endswith(".egg-info")
                or (full / "pyvenv.cfg").exists()
                or (not rel_dir and d in _BUILD_OUTPUTS)
                or any(x.match(rel) for x in excludes)
            ):
                continue
            if not rel_dir and d in _NOT_PACKAGE_CODE and not includes:
                yield rel + "/", "not package code (list it in include to search it)"
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if any(x.match(rel) for x in excludes):
                continue
            if includes and not any(x.match(rel) for x in includes):
                continue
            yield rel, None


def discover(root: Path, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Discovery:
    """Every builder declared under *root*, in path order; nothing is executed."""
    modules: list[DeclaredModule] = []
    skipped: list[Skipped] = []
    for rel, reason in iter_candidate_files(root, include, exclude):
        if reason is not None:
            skipped.append(Skipped(rel, reason))
            continue
        try:
            data = (root / rel).read_bytes()
        except OSError as exc:
            skipped.append(Skipped(rel, f"cannot be read: {exc.strerror}"))
            continue
        if not _mentions_cffi(data):
            continue  # cheap filter: most files have nothing to do with cffi
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            skipped.append(Skipped(rel, f"not UTF-8 ({exc.reason} at byte {exc.start})"))
            continue
        found, why = analyze_source(rel, text)
        modules.extend(found)
        skipped.extend(why)
    return Discovery(tuple(modules), tuple(skipped))


def _mentions_cffi(data: bytes) -> bool:
    return b"FFI" in data or b"set_source" in data
