"""setup.py's interpreter and platform tests → conditions, written as PEP 508 markers.

``'PyPy' in sys.version``, ``platform.python_implementation() == 'PyPy'``,
``sys.implementation.name == 'pypy'``, ``hasattr(sys, 'pypy_version_info')``, ``import
__pypy__`` in a try/except, ``sys.platform``, ``os.name``, ``platform.system()``,
``platform.machine()``, ``sys.version_info`` comparisons, module-level flags bound to one of
these, and ``not``/``and``/``or`` of them. Anything else is :class:`Untranslatable`, naming
the line and the test as written.
"""

from __future__ import annotations

import ast
import re

from .conditions import NEGATED, SWAPPED, AllOf, AnyOf, Atom, Condition, both, either, negate

__all__ = ["Conditions", "Untranslatable"]


class Untranslatable(Exception):
    """A test migrate cannot write as a marker: *node* is where, *why* says what it found."""

    def __init__(self, node: ast.AST, why: str) -> None:
        super().__init__(why)
        self.line: int = getattr(node, "lineno", 0)
        self.why = why


_PYPY = Atom("platform_python_implementation", "==", "PyPy")


#: Dotted names (after imports are resolved) that compare with a string → marker variable.
_STRING_PROBES = {
    "platform.python_implementation()": "platform_python_implementation",
    "sys.implementation.name": "implementation_name",
    "sys.platform": "sys_platform",
    "os.name": "os_name",
    "platform.system()": "platform_system",
    "platform.machine()": "platform_machine",
}
#: ``sys.platform.startswith(prefix)``: the prefixes that name one sys_platform value.
_PLATFORM_PREFIXES = {"win": "win32", "win32": "win32", "linux": "linux", "darwin": "darwin",
                      "cygwin": "cygwin", "emscripten": "emscripten", "wasi": "wasi"}
_OPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
}
#: How PyPy's name is spelled in sys.version and its case-changed copies.
_VERSION_TEXTS = {"sys.version": "PyPy", "sys.version.lower()": "pypy",
                  "sys.version.upper()": "PYPY"}
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


class Conditions:
    """Translates the tests of one setup.py (its imports and module-level flags known)."""

    def __init__(self, tree: ast.Module) -> None:
        self._aliases: dict[str, str] = {}
        self._flags: dict[str, Condition | ast.AST] = {}
        counts: dict[str, int] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                counts[node.id] = counts.get(node.id, 0) + 1
            elif isinstance(node, ast.Import):
                for a in node.names:
                    self._aliases[a.asname or a.name] = a.name
            elif isinstance(node, ast.ImportFrom) and node.module in {"sys", "os", "platform"}:
                for a in node.names:
                    self._aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        # Flags: bound once at module level (their test is translated when used), or by the
        # ``try: import __pypy__`` idiom.
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                    isinstance(statement.targets[0], ast.Name) and \
                    counts.get(statement.targets[0].id) == 1:
                self._flags[statement.targets[0].id] = statement.value
            elif isinstance(statement, ast.Try):
                self._pypy_import_flags(statement, tree)

    def _pypy_import_flags(self, statement: ast.Try, tree: ast.Module) -> None:
        """``try: import __pypy__ (flag = True) except ImportError: flag = False``; also a
        default bound before the try, and ``__pypy__ = None`` in the handler."""
        imports = [s for s in statement.body if isinstance(s, ast.Import)
                   and [a.name for a in s.names] == ["__pypy__"]]
        caught = all(h.type is None or ast.unparse(h.type) in _IMPORT_ERRORS or (
            isinstance(h.type, ast.Tuple) and all(ast.unparse(e) in _IMPORT_ERRORS
                                                  for e in h.type.elts))
            for h in statement.handlers)
        if not imports or not caught or not statement.handlers:
            return
        on_pypy = _constants([*statement.body, *statement.orelse])
        elsewhere = _constants([s for h in statement.handlers for s in h.body])
        before = _constants([s for s in tree.body if s.lineno < statement.lineno])
        for name, value in on_pypy.items():
            other = elsewhere.get(name, before.get(name))
            if isinstance(value, bool) and isinstance(other, bool) and value != other:
                self._flags[name] = _PYPY if value else negate(_PYPY)
        if elsewhere.get("__pypy__", True) is None:
            self._flags["__pypy__"] = _PYPY

    def _dotted(self, node: ast.expr) -> str:
        """``platform.system()`` as written, its first name resolved through the imports."""
        text = ast.unparse(node)
        name = re.split(r"[.(\[]", text, maxsplit=1)[0]
        if name in self._aliases:
            return self._aliases[name] + text[len(name):]
        return text

    def translate(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> Condition:
        """The marker condition for the test *node*, or Untranslatable."""
        if isinstance(node, ast.BoolOp):
            parts = [self.translate(v, seen) for v in node.values]
            result = both(*parts) if isinstance(node.op, ast.And) else either(*parts)
            assert result is not None
            return result
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return negate(self.translate(node.operand, seen))
        if isinstance(node, ast.Name) and node.id in self._flags and node.id not in seen:
            flag = self._flags[node.id]
            if isinstance(flag, (Atom, AllOf, AnyOf)):
                return flag
            assert isinstance(flag, ast.expr)
            try:
                return self.translate(flag, seen | {node.id})
            except Untranslatable as exc:
                raise Untranslatable(node, f"{node.id} is bound to {ast.unparse(flag)} (line "
                                           f"{exc.line}), and {exc.why}") from None
        found: Condition | None = None
        if isinstance(node, ast.Call):
            found = self._call(node)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1:
            found = self._compare(node.left, _OPS[type(node.ops[0])], node.comparators[0])
        if found is not None:
            return found
        raise Untranslatable(node, f"{ast.unparse(node)} is not a test migrate can write as "
                                   "an environment marker")

    def _call(self, node: ast.Call) -> Condition | None:
        """``hasattr(sys, 'pypy_version_info')``, ``sys.platform.startswith('linux')``."""
        func = self._dotted(node.func)
        if func == "hasattr" and len(node.args) == 2 and self._dotted(node.args[0]) == "sys" \
                and _string(node.args[1]) == "pypy_version_info":
            return _PYPY
        prefix = _string(node.args[0]) if len(node.args) == 1 else None
        if func == "sys.platform.startswith" and prefix in _PLATFORM_PREFIXES:
            return Atom("sys_platform", "==", _PLATFORM_PREFIXES[str(prefix)])
        return None

    def _compare(self, left: ast.expr, op: str, right: ast.expr) -> Condition | None:
        if op in {"in", "not in"}:
            found = self._membership(left, right)
            return None if found is None else found if op == "in" else negate(found)
        if op in {"is", "is not"}:  # __pypy__ is None, after `except ImportError: __pypy__ = None`
            if isinstance(left, ast.Name) and left.id == "__pypy__" and \
                    isinstance(self._flags.get("__pypy__"), Atom) and \
                    isinstance(right, ast.Constant) and right.value is None:
                return negate(_PYPY) if op == "is" else _PYPY
            return None
        if _string(left) is not None or isinstance(left, ast.Tuple) or (
                isinstance(left, ast.Constant) and isinstance(left.value, int)):
            left, right, op = right, left, SWAPPED[op]
        probe = self._dotted(left)
        if probe in _STRING_PROBES and _string(right) is not None and op in {"==", "!="}:
            return Atom(_STRING_PROBES[probe], op, str(_string(right)))
        return _version(probe, op, right)

    def _membership(self, left: ast.expr, right: ast.expr) -> Condition | None:
        item, container = _string(left), self._dotted(right)
        if item is not None and container in _VERSION_TEXTS and item.lower() == "pypy":
            if item != _VERSION_TEXTS[container]:  # 'pypy' in sys.version: never true
                raise Untranslatable(left, f"{ast.unparse(left)} in {container}: this test is "
                                           f"never true ({container} says "
                                           f"{_VERSION_TEXTS[container]!r}); write "
                                           f"{_VERSION_TEXTS[container]!r} in {container}")
            return _PYPY
        if item == "__pypy__" and container == "sys.builtin_module_names":
            return _PYPY
        probe = self._dotted(left)
        if probe in _STRING_PROBES and isinstance(right, (ast.Tuple, ast.List, ast.Set)) \
                and right.elts and all(_string(e) is not None for e in right.elts):
            return either(*(Atom(_STRING_PROBES[probe], "==", str(_string(e)))
                            for e in right.elts))
        return None


def _string(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) \
        else None


def _constants(body: list[ast.stmt]) -> dict[str, object]:
    """Names these statements bind to a constant (True, False, None)."""
    found: dict[str, object] = {}
    for statement in body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = statement.value.value
    return found


def _major(op: str, major: int) -> Condition | None:
    """``sys.version_info[0]`` / ``.major`` against an integer."""
    if op == "!=":
        return either(Atom("python_version", "<", str(major)),
                      Atom("python_version", ">=", str(major + 1)))
    bounds = {">=": (major, None), ">": (major + 1, None), "<": (None, major),
              "<=": (None, major + 1), "==": (major, major + 1)}
    low, high = bounds[op]
    return both(None if low is None else Atom("python_version", ">=", str(low)),
                None if high is None else Atom("python_version", "<", str(high)))


def _version(probe: str, op: str, right: ast.expr) -> Condition | None:
    """``sys.version_info`` against a tuple, ``sys.version_info[:2]`` likewise, and
    ``sys.version_info[0]`` / ``.major`` against an integer."""
    if probe in {"sys.version_info[0]", "sys.version_info.major"}:
        return _major(op, right.value) if isinstance(right, ast.Constant) and isinstance(
            right.value, int) and not isinstance(right.value, bool) else None
    if not isinstance(right, ast.Tuple) or not right.elts or not all(
            isinstance(e, ast.Constant) and isinstance(e.value, int) for e in right.elts):
        return None
    numbers = [e.value for e in right.elts if isinstance(e, ast.Constant)]
    text = ".".join(str(n) for n in numbers)
    if probe == "sys.version_info[:2]" and len(numbers) == 2 and op in NEGATED:
        return Atom("python_version", op, text)
    if probe != "sys.version_info" or len(numbers) > 3:
        return None
    # The whole version_info is longer than the tuple: (3, 10, 0, 'final', 0) > (3, 10).
    op = {">": ">=", "<=": "<"}.get(op, op)
    if op not in {">=", "<"}:
        return None
    return Atom("python_full_version" if len(numbers) == 3 else "python_version", op, text)
