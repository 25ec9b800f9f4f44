"""Reading what a setup.py passes to ``setup()`` without running it: the call (or the
try/except pair that makes cffi_modules optional), its keywords as values
(:mod:`.setup_py_values`), and the commands ``cmdclass`` names.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cffi_build_plugin.errors import MigrateError

from .conditional_modules import trace_modules
from .setup_py_statements import all_statements, mutated_names
from .setup_py_values import NameValues, ProjectPath, Unresolved, Value, unresolved

__all__ = [
    "SetupCall",
    "SetupScript",
    "cmdclass_entries",
    "paths_mentioned",
    "read_setup_py",
]


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
    #: What resolved the call's values: module-level names, and the idioms
    #: :mod:`.setup_py_values` reads.
    resolver: NameValues | None = None

    def class_named(self, name: str) -> ast.ClassDef | None:
        for node in all_statements(self.tree.body):
            if isinstance(node, ast.ClassDef) and node.name == name:
                return node
        return None


_SETUP_NAMES = {"setup"}
_SETUP_MODULES = {"setuptools", "distutils.core"}


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
        for statement in all_statements(script.tree.body):
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
    resolver = script.resolver or NameValues(script.tree)
    found = {n.value for n in ast.walk(script.tree)
             if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    for node in ast.walk(script.tree):
        if isinstance(node, (ast.Call, ast.BinOp)):
            value = resolver.resolve(node)
            if isinstance(value, ProjectPath):
                found.add(value.path)
    return found


def _read_call(call: ast.Call, resolver: NameValues) -> SetupCall:
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
                          else unresolved(kw.value, "**kwargs is computed"))
    if call.args:
        opaque.append(unresolved(call, "setup() is given positional arguments"))
    return SetupCall(call, keywords, tuple(opaque))


def _fallback_pattern(tree: ast.Module, calls: list[ast.Call]) -> ast.Try | None:
    """``try: setup(A) except ...: setup(B)``: cffi's documented way to make modules
    optional (pyvips does it)."""
    for node in all_statements(tree.body):
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
    resolver = NameValues(tree)
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


def _with_conditions(source: str, tree: ast.Module, call: SetupCall, resolver: NameValues
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
