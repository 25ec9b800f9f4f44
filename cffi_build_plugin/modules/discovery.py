"""Finding cffi builders by reading source code, never running it."""

from __future__ import annotations

import ast
import io
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from .candidates import iter_candidate_files, may_declare_builders

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


def _set_source_call(node: ast.AST) -> tuple[str, ast.Call] | None:
    """``(NAME, node)`` for a ``NAME.set_source(...)`` call."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "set_source"
        and isinstance(node.func.value, ast.Name)
    ):
        return node.func.value.id, node
    return None


@dataclass
class _Function:
    """What one top-level function holds, anywhere in its body."""

    node: ast.FunctionDef
    ffi_locals: set[str] = field(default_factory=set)
    returned: set[str] = field(default_factory=set)
    calls: list[tuple[str, ast.Call]] = field(default_factory=list)

    def builder_calls(self) -> list[ast.Call]:
        """The set_source() calls on an FFI the function makes and returns (a builder)."""
        names = self.ffi_locals & self.returned
        return [call for var, call in self.calls if var in names]


def _scan(tree: ast.Module) -> tuple[list[tuple[str, ast.Call]], list[_Function]]:
    """Every ``NAME.set_source()`` call, and what each top-level function holds.

    One pass over the tree, breadth first as ast.walk goes (the order of the calls decides
    which literal module name is read first); each node is visited once, whatever the
    number of functions or FFI objects.
    """
    calls: list[tuple[str, ast.Call]] = []
    functions: list[_Function] = []
    queue: deque[tuple[ast.AST, _Function | None]] = deque()
    for child in ast.iter_child_nodes(tree):
        owner = None
        if isinstance(child, ast.FunctionDef):
            owner = _Function(child)
            functions.append(owner)
        queue.append((child, owner))
    while queue:
        node, owner = queue.popleft()
        queue.extend((child, owner) for child in ast.iter_child_nodes(node))
        call = _set_source_call(node)
        if call is not None:
            calls.append(call)
            if owner is not None:
                owner.calls.append(call)
        elif owner is not None:
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Name):
                owner.returned.add(node.value.id)
            elif isinstance(node, ast.stmt):
                owner.ffi_locals.update(_ffi_targets(node))
    return calls, functions


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
    # Without a set_source() call there is no builder, and nothing a function holds matters.
    all_calls, functions = _scan(tree) if "set_source" in text else ([], [])
    calls_by_var: dict[str, list[ast.Call]] = {}
    for var, call in all_calls:
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
    for function in functions:
        calls = function.builder_calls()
        if calls:
            found.append(_declared(BuilderSpec(path, function.node.name), calls))
    found_names = {m.spec.name for m in found}
    func_locals = {name for function in functions for name in function.ffi_locals}
    for var in sorted(set(calls_by_var) - set(ffi_vars) - func_locals - found_names):
        skipped.append(Skipped(
            path,
            f"set_source() is called on {var!r}, which is not bound to FFI() at module level "
            "(a builder must be a module-level FFI object or a function returning one)",
        ))
    return found, skipped


def discover(root: Path, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Discovery:
    """Every builder declared under *root*, in path order; nothing is executed."""
    modules: list[DeclaredModule] = []
    skipped: list[Skipped] = []
    top = os.fspath(root)
    for rel, reason in iter_candidate_files(root, include, exclude):
        if reason is not None:
            skipped.append(Skipped(rel, reason))
            continue
        try:
            # FileIO, not Path.read_bytes(): no Path object and no buffered reader for each
            # of the thousands of files a tree with vendored packages has.
            with io.FileIO(f"{top}/{rel}") as file:
                data = file.readall()
        except OSError as exc:
            skipped.append(Skipped(rel, f"cannot be read: {exc.strerror}"))
            continue
        if not may_declare_builders(data):
            continue  # most files have nothing to do with cffi: not parsed
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            skipped.append(Skipped(rel, f"not UTF-8 ({exc.reason} at byte {exc.start})"))
            continue
        found, why = analyze_source(rel, text)
        modules.extend(found)
        skipped.extend(why)
    return Discovery(tuple(modules), tuple(skipped))
