"""The values setup.py's expressions hold, read without running it.

Values are resolved from literals, module-level names bound once, and the handful of idioms
setup.py files use to read files (``open("README.rst").read()``, a ``read(name)`` helper,
``Path(...).read_text()``, ``os.path.join(here, ...)``) or find packages. Anything else is
:class:`Unresolved`, with the lines that compute it, and stays in setup.py.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .setup_py_statements import all_statements, mutated_names, stored_names

__all__ = [
    "FileText",
    "FindPackages",
    "NameValues",
    "ProjectPath",
    "Unresolved",
    "Value",
    "unresolved",
]


@dataclass(frozen=True)
class FileText:
    """The text of a project file, as read by setup.py (``lines``: its lines, stripped)."""

    path: str
    lines: bool = False


@dataclass(frozen=True)
class FindPackages:
    """``find_packages(...)`` / ``find_namespace_packages(...)``."""

    where: str = "."
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    namespaces: bool = False


@dataclass(frozen=True)
class Unresolved:
    """A value setup.py computes: *why* it cannot be read, and where it is computed."""

    why: str
    lines: tuple[int, int]
    #: Every statement's lines, when more than one computes it (a name assigned 3 times).
    spans: tuple[tuple[int, int], ...] = ()

    def where(self) -> str:
        spans = self.spans or (self.lines,)
        text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
        return f"line {text}" if len(spans) == 1 and spans[0][0] == spans[0][1] else \
            f"lines {text}"


@dataclass(frozen=True)
class _ProjectDir:
    """``os.path.dirname(__file__)`` and friends: the project root."""


@dataclass(frozen=True)
class ProjectPath:
    path: str


@dataclass(frozen=True)
class _ReaderFunction:
    """A module-level ``def read(name): return open(...name...).read()`` helper."""

    node: ast.FunctionDef


Value = Any  # a Python literal, or one of the markers above
_Env = dict[str, Value]

_FIND = {"find_packages": False, "find_namespace_packages": True}
_READ_METHODS = {"read", "read_text"}


class NameValues:
    """The values of setup.py's module-level names, and of expressions read with them."""

    def __init__(self, tree: ast.Module) -> None:
        self.env: _Env = {}
        self._bind_module_names(tree)

    def _bind_module_names(self, tree: ast.Module) -> None:
        """Names assigned once at module level resolve; names assigned under control flow, or
        more than once, are computed."""
        counts: dict[str, int] = {}
        spans: dict[str, list[tuple[int, int]]] = {}
        for node in all_statements(tree.body):
            for target in stored_names(node):
                counts[target] = counts.get(target, 0) + 1
                spans.setdefault(target, []).append((node.lineno, node.end_lineno or node.lineno))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and counts.get(node.name) == 1:
                self.env[node.name] = _ReaderFunction(node)
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)):
                name = node.targets[0].id
                self.env[name] = (self.resolve(node.value) if counts.get(name) == 1 else
                                  replace(unresolved(node, f"{name} is assigned more than once"),
                                          spans=tuple(spans[name])))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                    and node.value is not None and counts.get(node.target.id) == 1:
                self.env[node.target.id] = self.resolve(node.value)
            elif isinstance(node, ast.With):
                self._bind_with(node, counts)
        for top in tree.body:
            for node in all_statements([top]):
                changed = set(mutated_names(node))
                for name in stored_names(node) + sorted(changed):
                    if name not in self.env or (name in changed and _mutable(self.env[name])):
                        self.env[name] = unresolved(top, f"{name} is computed")

    def _bind_with(self, node: ast.With, counts: Mapping[str, int]) -> None:
        """pyvips: ``with open(...) as f: long_description = f.read()``."""
        if len(node.items) != 1 or not isinstance(node.items[0].optional_vars, ast.Name):
            return
        self.env[node.items[0].optional_vars.id] = self.resolve(node.items[0].context_expr)
        for inner in node.body:
            if isinstance(inner, ast.Assign) and len(inner.targets) == 1 and \
                    isinstance(inner.targets[0], ast.Name) and \
                    counts.get(inner.targets[0].id) == 1:
                self.env[inner.targets[0].id] = self.resolve(inner.value)

    def resolve(self, node: ast.expr) -> Value:  # noqa: PLR0911, PLR0912 - one case per idiom
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.resolve(e) for e in node.elts]
            bad = next((i for i in items if isinstance(i, Unresolved)), None)
            return bad or (list(items) if isinstance(node, ast.List) else tuple(items))
        if isinstance(node, ast.Dict):
            out: dict[Any, Any] = {}
            for k, v in zip(node.keys, node.values):
                if k is None:
                    return unresolved(node, "a dict built with ** is computed")
                key, value = self.resolve(k), self.resolve(v)
                for part in (key, value):
                    if isinstance(part, Unresolved):
                        return part
                out[key] = value
            return out
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return ProjectPath("setup.py")
            if node.id in self.env:
                value = self.env[node.id]
                return value if not isinstance(value, _ReaderFunction) else unresolved(
                    node, f"{node.id} is a function")
            return unresolved(node, f"{node.id} is not defined at module level")
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
            return self._binop(node)
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            base = self.resolve(node.value)
            if isinstance(base, ProjectPath) and base.path.endswith("setup.py"):
                return _ProjectDir()
        if isinstance(node, ast.Call):
            return self._call(node)
        return unresolved(node, f"{_short(node)} is computed")

    def _binop(self, node: ast.BinOp) -> Value:
        left, right = self.resolve(node.left), self.resolve(node.right)
        for part in (left, right):
            if isinstance(part, Unresolved):
                return part
        if isinstance(node.op, ast.Div) and isinstance(left, _ProjectDir) \
                and isinstance(right, str):
            return ProjectPath(right)
        if isinstance(node.op, ast.Add) and type(left) is type(right) \
                and isinstance(left, (str, list, tuple)):
            return left + right
        return unresolved(node, f"{_short(node)} is computed")

    def _call(self, node: ast.Call) -> Value:  # noqa: PLR0911
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else (
            func.id if isinstance(func, ast.Name) else "")
        dotted = ast.unparse(func)
        if name in _FIND:
            return self._find_packages(node, namespaces=_FIND[name])
        if dotted in {"os.path.dirname", "path.dirname", "dirname", "os.path.abspath",
                      "path.abspath", "abspath", "os.path.realpath", "realpath",
                      "Path", "pathlib.Path"} and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, ast.Name) and arg.id == "__file__":
                return ProjectPath("setup.py") if name in {"Path", "abspath", "realpath"} \
                    else _ProjectDir()
            inner = self.resolve(arg)
            if isinstance(inner, ProjectPath) and "dirname" in dotted:
                return _ProjectDir()
            if isinstance(inner, (_ProjectDir, ProjectPath)):
                return inner
            if isinstance(inner, str) and name == "Path":
                return ProjectPath(inner)
            return inner if isinstance(inner, Unresolved) else unresolved(node, "computed path")
        if dotted in {"os.path.join", "path.join", "join"}:
            return self._join(node)
        if dotted in {"open", "io.open", "codecs.open"} and node.args:
            target = self.resolve(node.args[0])
            path = target.path if isinstance(target, ProjectPath) else target
            return _OpenFile(path) if isinstance(path, str) else unresolved(
                node, "opens a computed path")
        if isinstance(func, ast.Attribute):
            return self._method(node, func)
        if isinstance(func, ast.Name) and isinstance(self.env.get(func.id), _ReaderFunction):
            return self._inline_reader(node, self.env[func.id].node)
        return unresolved(node, f"{_short(node)} is computed")

    def _join(self, node: ast.Call) -> Value:
        parts: list[Value] = []
        for a in node.args:
            value = self.resolve(a.value if isinstance(a, ast.Starred) else a)
            parts += list(value) if isinstance(a, ast.Starred) and isinstance(
                value, tuple) else [value]
        if parts and isinstance(parts[0], _ProjectDir) and all(
                isinstance(p, str) for p in parts[1:]):
            return ProjectPath("/".join(parts[1:]))
        if all(isinstance(p, str) for p in parts):
            return ProjectPath("/".join(parts))
        return unresolved(node, f"{_short(node)} is computed")

    def _method(self, node: ast.Call, func: ast.Attribute) -> Value:
        base = self.resolve(func.value)
        if isinstance(base, Unresolved):
            return base
        if func.attr in {"resolve", "absolute"} and isinstance(base, (_ProjectDir, ProjectPath)):
            return base
        if func.attr in _READ_METHODS and isinstance(base, (_OpenFile, ProjectPath)):
            return FileText(base.path)
        if isinstance(base, FileText) and func.attr == "splitlines" and not base.lines:
            return FileText(base.path, lines=True)
        if isinstance(base, FileText) and func.attr == "strip" and not node.args:
            return base  # setuptools strips file: and attr: values too
        return unresolved(node, f"{_short(node)} is computed")

    def _inline_reader(self, call: ast.Call, fn: ast.FunctionDef) -> Value:
        """``read("README.rst")`` where ``read`` returns a file's text."""
        params = [a.arg for a in fn.args.args]
        args = [self.resolve(a) for a in call.args]
        if call.keywords or not args or not all(isinstance(a, str) for a in args):
            return unresolved(call, f"{fn.name}() is a function of its own")
        saved = dict(self.env)
        if len(params) == 1 and len(args) == 1:
            self.env[params[0]] = args[0]
        elif not params and fn.args.vararg is not None:  # argon2-cffi's read(*parts)
            self.env[fn.args.vararg.arg] = tuple(args)
        else:
            return unresolved(call, f"{fn.name}() is a function of its own")
        try:
            result = self._function_result(fn)
        finally:
            self.env = saved
        return result if isinstance(result, FileText) else unresolved(
            call, f"{fn.name}() is a function of its own")

    def _function_result(self, fn: ast.FunctionDef) -> Value:
        body = [s for s in fn.body if not (isinstance(s, ast.Expr)
                                             and isinstance(s.value, ast.Constant))]
        if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
            return self.resolve(body[0].value)
        if len(body) == 1 and isinstance(body[0], ast.With) and len(body[0].items) == 1:
            item = body[0].items[0]
            inner = body[0].body
            if isinstance(item.optional_vars, ast.Name) and len(inner) == 1 \
                    and isinstance(inner[0], ast.Return) and inner[0].value is not None:
                self.env[item.optional_vars.id] = self.resolve(item.context_expr)
                return self.resolve(inner[0].value)
        return unresolved(fn, f"{fn.name}() is a function of its own")

    def _find_packages(self, node: ast.Call, *, namespaces: bool) -> Value:
        values: dict[str, Any] = {}
        names = ["where", "exclude", "include"]
        for i, arg in enumerate(node.args[:3]):
            values[names[i]] = self.resolve(arg)
        for kw in node.keywords:
            if kw.arg is None:
                return unresolved(node, "find_packages(**...) is computed")
            values[kw.arg] = self.resolve(kw.value)
        if any(isinstance(v, Unresolved) for v in values.values()):
            return unresolved(node, "find_packages() has computed arguments")
        where = values.get("where", ".")
        if isinstance(where, ProjectPath):
            where = where.path
        if isinstance(where, _ProjectDir):
            where = "."
        if not isinstance(where, str):
            return unresolved(node, "find_packages() has computed arguments")
        return FindPackages(where, tuple(values.get("include", ())),
                            tuple(values.get("exclude", ())), namespaces)


@dataclass(frozen=True)
class _OpenFile:
    path: str


def _short(node: ast.AST) -> str:
    """The expression as written when short; else what it is (the message names its line)."""
    text = ast.unparse(node)
    if len(text) <= 40:
        return text
    if isinstance(node, ast.Call):
        return f"a call to {_short(node.func)}"
    return f"a {type(node).__name__.lower()} expression"


def unresolved(node: ast.AST, why: str) -> Unresolved:
    first = getattr(node, "lineno", 0)
    return Unresolved(why, (first, getattr(node, "end_lineno", first) or first))


def _mutable(value: Value) -> bool:
    """A value a statement can change in place (a string or a path cannot be)."""
    return isinstance(value, (list, dict, set, FindPackages, Unresolved)) or (
        isinstance(value, FileText) and value.lines)

