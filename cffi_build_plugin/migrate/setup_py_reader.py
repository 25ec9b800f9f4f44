"""Reading what a setup.py passes to ``setup()`` without running it.

Values are resolved from literals, module-level names bound once, and the handful of idioms
setup.py files use to read files (``open("README.rst").read()``, a ``read(name)`` helper,
``Path(...).read_text()``, ``os.path.join(here, ...)``) or find packages. Anything else is
:class:`Unresolved`, with the lines that compute it, and stays in setup.py.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cffi_build_plugin.errors import MigrateError

from .conditional_modules import trace_modules
from .reading_calls import READING_CALLS, READING_METHODS

__all__ = [
    "FileText",
    "FindPackages",
    "SetupCall",
    "SetupScript",
    "Unresolved",
    "cmdclass_entries",
    "mutated_names",
    "paths_mentioned",
    "read_setup_py",
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
class _ProjectPath:
    path: str


@dataclass(frozen=True)
class _ReaderFunction:
    """A module-level ``def read(name): return open(...name...).read()`` helper."""

    node: ast.FunctionDef


Value = Any  # a Python literal, or one of the markers above
_Env = dict[str, Value]


@dataclass(frozen=True)
class SetupCall:
    """One ``setup(...)`` call: its keywords, resolved where possible."""

    node: ast.Call
    keywords: Mapping[str, Value]
    #: ``**kwargs`` arguments that could not be read (they make every key uncertain).
    opaque_kwargs: tuple[Unresolved, ...] = ()


@dataclass(frozen=True)
class SetupScript:
    path: Path
    source: str
    tree: ast.Module
    call: SetupCall
    #: ``try: setup(cffi_modules=...) except ...: setup(...)``: the except clause's call.
    fallback: SetupCall | None = None
    #: The statement holding both calls of that pattern.
    fallback_statement: ast.Try | None = None
    #: What resolved the call's values: module-level names, and the idioms above.
    resolver: _NameValues | None = None

    def class_named(self, name: str) -> ast.ClassDef | None:
        for node in _all_statements(self.tree.body):
            if isinstance(node, ast.ClassDef) and node.name == name:
                return node
        return None


_SETUP_NAMES = {"setup"}
_SETUP_MODULES = {"setuptools", "distutils.core"}
_FIND = {"find_packages": False, "find_namespace_packages": True}
_READ_METHODS = {"read", "read_text"}


def _all_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements at module level, including those nested in if/try/with/for, and in def and
    class bodies too (a local named like a module-level name makes that name computed: on
    the safe side)."""
    for node in body:
        yield node
        for name in ("body", "orelse", "finalbody"):
            yield from _all_statements(getattr(node, name, []) or [])
        for handler in getattr(node, "handlers", []) or []:
            yield from _all_statements(handler.body)


def _setup_aliases(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to ``setup`` and to the modules that define it."""
    functions, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in _SETUP_MODULES:
            functions |= {a.asname or a.name for a in node.names if a.name in _SETUP_NAMES}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name in _SETUP_MODULES}
    return functions, modules


def _is_setup(call: ast.Call, functions: set[str], modules: set[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in functions
    return (isinstance(func, ast.Attribute) and func.attr == "setup"
            and ast.unparse(func.value) in modules)


class _NameValues:
    def __init__(self, tree: ast.Module) -> None:
        self.env: _Env = {}
        self._bind_module_names(tree)

    def _bind_module_names(self, tree: ast.Module) -> None:
        """Names assigned once at module level resolve; names assigned under control flow, or
        more than once, are computed."""
        counts: dict[str, int] = {}
        spans: dict[str, list[tuple[int, int]]] = {}
        for node in _all_statements(tree.body):
            for target in _stored_names(node):
                counts[target] = counts.get(target, 0) + 1
                spans.setdefault(target, []).append((node.lineno, node.end_lineno or node.lineno))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and counts.get(node.name) == 1:
                self.env[node.name] = _ReaderFunction(node)
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)):
                name = node.targets[0].id
                self.env[name] = (self.resolve(node.value) if counts.get(name) == 1 else
                                  replace(_unresolved(node, f"{name} is assigned more than once"),
                                          spans=tuple(spans[name])))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                    and node.value is not None and counts.get(node.target.id) == 1:
                self.env[node.target.id] = self.resolve(node.value)
            elif isinstance(node, ast.With):
                self._bind_with(node, counts)
        for top in tree.body:
            for node in _all_statements([top]):
                changed = set(mutated_names(node))
                for name in _stored_names(node) + sorted(changed):
                    if name not in self.env or (name in changed and _mutable(self.env[name])):
                        self.env[name] = _unresolved(top, f"{name} is computed")

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
                    return _unresolved(node, "a dict built with ** is computed")
                key, value = self.resolve(k), self.resolve(v)
                for part in (key, value):
                    if isinstance(part, Unresolved):
                        return part
                out[key] = value
            return out
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return _ProjectPath("setup.py")
            if node.id in self.env:
                value = self.env[node.id]
                return value if not isinstance(value, _ReaderFunction) else _unresolved(
                    node, f"{node.id} is a function")
            return _unresolved(node, f"{node.id} is not defined at module level")
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
            return self._binop(node)
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            base = self.resolve(node.value)
            if isinstance(base, _ProjectPath) and base.path.endswith("setup.py"):
                return _ProjectDir()
        if isinstance(node, ast.Call):
            return self._call(node)
        return _unresolved(node, f"{_short(node)} is computed")

    def _binop(self, node: ast.BinOp) -> Value:
        left, right = self.resolve(node.left), self.resolve(node.right)
        for part in (left, right):
            if isinstance(part, Unresolved):
                return part
        if isinstance(node.op, ast.Div) and isinstance(left, _ProjectDir) \
                and isinstance(right, str):
            return _ProjectPath(right)
        if isinstance(node.op, ast.Add) and type(left) is type(right) \
                and isinstance(left, (str, list, tuple)):
            return left + right
        return _unresolved(node, f"{_short(node)} is computed")

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
                return _ProjectPath("setup.py") if name in {"Path", "abspath", "realpath"} \
                    else _ProjectDir()
            inner = self.resolve(arg)
            if isinstance(inner, _ProjectPath) and "dirname" in dotted:
                return _ProjectDir()
            if isinstance(inner, (_ProjectDir, _ProjectPath)):
                return inner
            if isinstance(inner, str) and name == "Path":
                return _ProjectPath(inner)
            return inner if isinstance(inner, Unresolved) else _unresolved(node, "computed path")
        if dotted in {"os.path.join", "path.join", "join"}:
            return self._join(node)
        if dotted in {"open", "io.open", "codecs.open"} and node.args:
            target = self.resolve(node.args[0])
            path = target.path if isinstance(target, _ProjectPath) else target
            return _OpenFile(path) if isinstance(path, str) else _unresolved(
                node, "opens a computed path")
        if isinstance(func, ast.Attribute):
            return self._method(node, func)
        if isinstance(func, ast.Name) and isinstance(self.env.get(func.id), _ReaderFunction):
            return self._inline_reader(node, self.env[func.id].node)
        return _unresolved(node, f"{_short(node)} is computed")

    def _join(self, node: ast.Call) -> Value:
        parts: list[Value] = []
        for a in node.args:
            value = self.resolve(a.value if isinstance(a, ast.Starred) else a)
            parts += list(value) if isinstance(a, ast.Starred) and isinstance(
                value, tuple) else [value]
        if parts and isinstance(parts[0], _ProjectDir) and all(
                isinstance(p, str) for p in parts[1:]):
            return _ProjectPath("/".join(parts[1:]))
        if all(isinstance(p, str) for p in parts):
            return _ProjectPath("/".join(parts))
        return _unresolved(node, f"{_short(node)} is computed")

    def _method(self, node: ast.Call, func: ast.Attribute) -> Value:
        base = self.resolve(func.value)
        if isinstance(base, Unresolved):
            return base
        if func.attr in {"resolve", "absolute"} and isinstance(base, (_ProjectDir, _ProjectPath)):
            return base
        if func.attr in _READ_METHODS and isinstance(base, (_OpenFile, _ProjectPath)):
            return FileText(base.path)
        if isinstance(base, FileText) and func.attr == "splitlines" and not base.lines:
            return FileText(base.path, lines=True)
        if isinstance(base, FileText) and func.attr == "strip" and not node.args:
            return base  # setuptools strips file: and attr: values too
        return _unresolved(node, f"{_short(node)} is computed")

    def _inline_reader(self, call: ast.Call, fn: ast.FunctionDef) -> Value:
        """``read("README.rst")`` where ``read`` returns a file's text."""
        params = [a.arg for a in fn.args.args]
        args = [self.resolve(a) for a in call.args]
        if call.keywords or not args or not all(isinstance(a, str) for a in args):
            return _unresolved(call, f"{fn.name}() is a function of its own")
        saved = dict(self.env)
        if len(params) == 1 and len(args) == 1:
            self.env[params[0]] = args[0]
        elif not params and fn.args.vararg is not None:  # argon2-cffi's read(*parts)
            self.env[fn.args.vararg.arg] = tuple(args)
        else:
            return _unresolved(call, f"{fn.name}() is a function of its own")
        try:
            result = self._function_result(fn)
        finally:
            self.env = saved
        return result if isinstance(result, FileText) else _unresolved(
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
        return _unresolved(fn, f"{fn.name}() is a function of its own")

    def _find_packages(self, node: ast.Call, *, namespaces: bool) -> Value:
        values: dict[str, Any] = {}
        names = ["where", "exclude", "include"]
        for i, arg in enumerate(node.args[:3]):
            values[names[i]] = self.resolve(arg)
        for kw in node.keywords:
            if kw.arg is None:
                return _unresolved(node, "find_packages(**...) is computed")
            values[kw.arg] = self.resolve(kw.value)
        if any(isinstance(v, Unresolved) for v in values.values()):
            return _unresolved(node, "find_packages() has computed arguments")
        where = values.get("where", ".")
        if isinstance(where, _ProjectPath):
            where = where.path
        if isinstance(where, _ProjectDir):
            where = "."
        if not isinstance(where, str):
            return _unresolved(node, "find_packages() has computed arguments")
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


def _unresolved(node: ast.AST, why: str) -> Unresolved:
    first = getattr(node, "lineno", 0)
    return Unresolved(why, (first, getattr(node, "end_lineno", first) or first))


def _stored_names(node: ast.stmt) -> list[str]:
    """Names a statement binds itself (not those in its nested blocks)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For)):
        targets = [node.target]
    elif isinstance(node, ast.With):
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    names = []
    for target in targets:
        names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)
                  and isinstance(n.ctx, ast.Store)]
    return names


def _mutable(value: Value) -> bool:
    """A value a statement can change in place (a string or a path cannot be)."""
    return isinstance(value, (list, dict, set, FindPackages, Unresolved)) or (
        isinstance(value, FileText) and value.lines)


def mutated_names(node: ast.stmt) -> list[str]:
    """Names a statement may change in place: ``x[k] = v``, ``x += ...``, ``del x[k]``, a
    method that is not a known reader (``x.append``, ``x.remove``), or passing ``x`` to a
    function (``add_platform_deps(x)``). setup() itself only reads its arguments."""
    names = []
    targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else (
        [node.target] if isinstance(node, ast.AugAssign) else [])
    for target in targets:
        if isinstance(target, (ast.Subscript, ast.Attribute)) and \
                isinstance(target.value, ast.Name):
            names.append(target.value.id)
        elif isinstance(target, ast.Name) and isinstance(node, ast.Delete):
            names.append(target.id)
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        func = call.func
        dotted = ast.unparse(func)
        if dotted == "setup" or dotted.endswith(".setup") or dotted in READING_CALLS:
            continue
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                func.attr not in READING_METHODS:
            names.append(func.value.id)
        if isinstance(func, ast.Attribute) and func.attr in READING_METHODS:
            continue
        names += [a.id for a in [*call.args, *(k.value for k in call.keywords)]
                  if isinstance(a, ast.Name)]
    return names


def cmdclass_entries(script: SetupScript) -> dict[str, str] | None:
    """The commands ``cmdclass`` maps to module-level classes, found by reading: a dict
    literal, a name bound to one, and ``cmdclass["x"] = Cls`` anywhere at module level.
    None when it is built some other way."""
    node = next((kw.value for kw in script.call.node.keywords if kw.arg == "cmdclass"), None)
    if node is None:
        return {}
    entries: dict[str, str] = {}
    name = node.id if isinstance(node, ast.Name) else None
    literal: ast.expr | None = node
    if name is not None:
        literal = None
        for statement in _all_statements(script.tree.body):
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if isinstance(target, ast.Name) and target.id == name:
                    literal = statement.value
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                        and target.value.id == name:
                    key, value = target.slice, statement.value
                    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)
                            and isinstance(value, ast.Name)):
                        return None
                    entries[key.value] = value.id
            elif name in mutated_names(statement):
                return None
    if isinstance(literal, ast.Call) and ast.unparse(literal.func) == "dict" and \
            not literal.args:
        literal = ast.Dict([ast.Constant(k.arg) for k in literal.keywords],
                           [k.value for k in literal.keywords])
    if not isinstance(literal, ast.Dict):
        return None
    for dict_key, dict_value in zip(literal.keys, literal.values):
        if not (isinstance(dict_key, ast.Constant) and isinstance(dict_key.value, str)
                and isinstance(dict_value, ast.Name)):
            return None
        entries[dict_key.value] = dict_value.id
    return entries


def paths_mentioned(script: SetupScript) -> set[str]:
    """Project-relative paths setup.py names: string literals, and the paths it builds with
    ``os.path.join(here, ...)`` or ``Path(__file__).parent / ...``."""
    resolver = script.resolver or _NameValues(script.tree)
    found = {n.value for n in ast.walk(script.tree)
             if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    for node in ast.walk(script.tree):
        if isinstance(node, (ast.Call, ast.BinOp)):
            value = resolver.resolve(node)
            if isinstance(value, _ProjectPath):
                found.add(value.path)
    return found


def _read_call(call: ast.Call, resolver: _NameValues) -> SetupCall:
    keywords: dict[str, Value] = {}
    opaque: list[Unresolved] = []
    for kw in call.keywords:
        if kw.arg is not None:
            keywords[kw.arg] = resolver.resolve(kw.value)
            continue
        expanded = resolver.resolve(kw.value)
        if isinstance(expanded, dict) and all(isinstance(k, str) for k in expanded):
            keywords.update(expanded)
        else:
            opaque.append(expanded if isinstance(expanded, Unresolved)
                          else _unresolved(kw.value, "**kwargs is computed"))
    if call.args:
        opaque.append(_unresolved(call, "setup() is given positional arguments"))
    return SetupCall(call, keywords, tuple(opaque))


def _fallback_pattern(tree: ast.Module, calls: list[ast.Call]) -> ast.Try | None:
    """``try: setup(A) except ...: setup(B)``: cffi's documented way to make modules
    optional (pyvips does it)."""
    for node in _all_statements(tree.body):
        if not isinstance(node, ast.Try) or len(node.handlers) != 1:
            continue
        inside = {id(c) for s in node.body for c in ast.walk(s)}
        handled = {id(c) for s in node.handlers[0].body for c in ast.walk(s)}
        if any(id(c) in inside for c in calls) and any(id(c) in handled for c in calls):
            return node
    return None


def read_setup_py(path: Path) -> SetupScript:
    """Parse *path* and find its ``setup()`` call; raises MigrateError when there is none, or
    more than the one (or the try/except pair) this reader understands."""
    try:
        source = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MigrateError(str(path), [f"not UTF-8 ({exc.reason}); save it as UTF-8"]) from None
    try:
        tree = ast.parse(source, str(path))
    except SyntaxError as exc:
        raise MigrateError(str(path), [f"line {exc.lineno}: {exc.msg}"]) from None
    functions, modules = _setup_aliases(tree)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and _is_setup(n, functions, modules)]
    if not calls:
        raise MigrateError(str(path), [
            "no setup() call from setuptools found: migrate reads setup.py without running "
            "it, and converts a setup.py that calls setuptools' (or distutils') setup()"])
    resolver = _NameValues(tree)
    calls.sort(key=lambda c: (c.lineno, c.col_offset))
    if len(calls) == 1:
        return SetupScript(path, source, tree, _with_conditions(
            source, tree, _read_call(calls[0], resolver), resolver), resolver=resolver)
    statement = _fallback_pattern(tree, calls) if len(calls) == 2 else None
    if statement is None:
        lines = ", ".join(str(c.lineno) for c in calls)
        raise MigrateError(str(path), [
            f"setup() is called {len(calls)} times (lines {lines}): migrate converts one "
            "call, or a try/except pair that falls back to a build without cffi_modules; "
            "make setup.py call setup() once (with the keywords of the build you ship), "
            "then run migrate again"])
    first, second = (_read_call(c, resolver) for c in calls)
    first = _with_conditions(source, tree, first, resolver)
    return SetupScript(path, source, tree, first, second, statement, resolver)


def _with_conditions(source: str, tree: ast.Module, call: SetupCall, resolver: _NameValues
                     ) -> SetupCall:
    """cffi_modules bound under interpreter or platform tests: read as
    :class:`ConditionalModules` (or :class:`UnreadableCondition`), not left computed."""
    if not isinstance(call.keywords.get("cffi_modules"), Unresolved):
        return call
    node = next((kw.value for kw in call.node.keywords if kw.arg == "cffi_modules"), None)
    if node is None:  # from a **dict
        return call
    stop = next(s.lineno for s in tree.body if any(n is call.node for n in ast.walk(s)))
    found = trace_modules(source, tree, node, stop, resolver.resolve)
    if found is None:
        return call
    return SetupCall(call.node, {**call.keywords, "cffi_modules": found}, call.opaque_kwargs)
