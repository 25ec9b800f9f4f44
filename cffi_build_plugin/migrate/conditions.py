"""setup.py's interpreter and platform tests → PEP 508 environment markers.

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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Union

from packaging.markers import InvalidMarker, Marker

from cffi_build_plugin.modules.markers import holds

__all__ = ["AllOf", "AnyOf", "Atom", "Condition", "Conditions", "Untranslatable", "assume",
           "both", "either", "negate", "parse", "render", "simplify"]


@dataclass(frozen=True)
class Atom:
    """One marker comparison: ``variable op 'value'``."""

    variable: str
    op: str
    value: str


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


Condition = Union[Atom, AllOf, AnyOf]


class Untranslatable(Exception):
    """A test migrate cannot write as a marker: *node* is where, *why* says what it found."""

    def __init__(self, node: ast.AST, why: str) -> None:
        super().__init__(why)
        self.line: int = getattr(node, "lineno", 0)
        self.why = why


_NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_PYPY = Atom("platform_python_implementation", "==", "PyPy")


def negate(condition: Condition) -> Condition:
    """``not condition``, pushed down to the comparisons (PEP 508 has no ``not``)."""
    if isinstance(condition, Atom):
        return Atom(condition.variable, _NEGATED[condition.op], condition.value)
    if isinstance(condition, AllOf):
        return either(*(negate(p) for p in condition.parts))
    return AllOf(tuple(dict.fromkeys(_flat(AllOf, tuple(negate(p) for p in condition.parts)))))


def _flat(kind: type[AllOf] | type[AnyOf], parts: tuple[Condition | None, ...]
          ) -> Iterator[Condition]:
    for part in parts:
        if isinstance(part, kind):
            yield from part.parts
        elif part is not None:
            yield part


def both(*parts: Condition | None) -> Condition | None:
    """``a and b``; None (always true) drops out."""
    unique = tuple(dict.fromkeys(_flat(AllOf, parts)))
    return None if not unique else unique[0] if len(unique) == 1 else AllOf(unique)


def either(*parts: Condition) -> Condition:
    unique = tuple(dict.fromkeys(_flat(AnyOf, parts)))
    return unique[0] if len(unique) == 1 else AnyOf(unique)


def _terms(condition: Condition) -> list[tuple[Condition, ...]]:
    """*condition* as an or of and-ed parts."""
    parts = condition.parts if isinstance(condition, AnyOf) else (condition,)
    return [p.parts if isinstance(p, AllOf) else (p,) for p in parts]


def simplify(condition: Condition) -> Condition | None:
    """The same condition with complementary terms merged (``a and b or a and not b`` → ``a``)
    and absorbed ones dropped (``a or a and b`` → ``a``); None when it is always true. Only
    these two rules: the markers migrate writes are short or-s of and-s."""
    terms = _terms(condition)
    changed = True
    while changed:
        changed = False
        for i, first in enumerate(terms):
            for j, second in enumerate(terms):
                if i == j:
                    continue
                a, b = set(first), set(second)
                if a <= b:  # second is absorbed by first
                    del terms[j]
                    changed = True
                    break
                odd = a ^ b
                if len(odd) == 2 and all(isinstance(p, Atom) for p in odd) and \
                        negate(next(iter(odd))) in odd:
                    terms[i] = tuple(p for p in first if p in b)
                    del terms[j]
                    changed = True
                    break
            if changed:
                break
    if any(not term for term in terms):
        return None
    merged = [both(*term) for term in terms]
    return either(*(m for m in merged if m is not None))


def assume(condition: Condition, known: Mapping[str, str]) -> Condition | bool:
    """*condition* where the variables in *known* have those values: True or False when that
    decides it, else what is left to decide. Each comparison is packaging's own."""
    if isinstance(condition, Atom):
        if condition.variable not in known:
            return condition
        return holds(render(condition), known, "migrate")
    parts = [assume(p, known) for p in condition.parts]
    decided = isinstance(condition, AnyOf)  # the value that settles an or / an and
    if decided in parts:
        return decided
    left = [p for p in parts if not isinstance(p, bool)]
    if not left:
        return not decided
    result = both(*left) if isinstance(condition, AllOf) else either(*left)
    assert result is not None
    return result


def parse(text: str) -> Condition | None:
    """A marker pyproject.toml holds, as a condition; None when it uses what migrate never
    writes (``in``, ``===``, extras)."""
    try:
        tree = Marker(text)._markers  # the parsed marker: tuples, "and"/"or", nested lists
    except InvalidMarker:
        return None
    return _parsed(tree)


def _parsed(items: Sequence[object]) -> Condition | None:
    groups: list[list[Condition]] = [[]]
    for item in items:
        if item == "or":
            groups.append([])
        elif item == "and":
            continue
        else:
            part = _parsed(item) if isinstance(item, list) else _atom(item)
            if part is None:
                return None
            groups[-1].append(part)
    merged = [both(*group) for group in groups]
    if any(m is None for m in merged):
        return None
    return either(*(m for m in merged if m is not None))


def _atom(item: object) -> Atom | None:
    if not isinstance(item, tuple) or len(item) != 3:
        return None
    left, op, right = (str(getattr(part, "value", "")) for part in item)
    if type(item[0]).__name__ == "Value":
        left, right, op = right, left, _SWAPPED.get(op, "")
    variable = type(item[0]).__name__ == "Variable" or type(item[2]).__name__ == "Variable"
    return Atom(left, op, right) if variable and op in _NEGATED else None


def render(condition: Condition, nested: bool = False) -> str:
    """The marker text; checked by packaging (a bug here must not reach pyproject.toml)."""
    if isinstance(condition, Atom):
        text = f"{condition.variable} {condition.op} '{condition.value}'"
    else:
        joiner = " and " if isinstance(condition, AllOf) else " or "
        text = joiner.join(render(p, nested=True) for p in condition.parts)
        text = f"({text})" if nested else text
    if not nested:
        try:
            Marker(text)
        except InvalidMarker as exc:  # pragma: no cover - the atoms above are all valid
            raise AssertionError(f"migrate made an invalid marker {text!r}: {exc}") from None
    return text


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
_SWAPPED = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
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
            left, right, op = right, left, _SWAPPED[op]
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
    if probe == "sys.version_info[:2]" and len(numbers) == 2 and op in _NEGATED:
        return Atom("python_version", op, text)
    if probe != "sys.version_info" or len(numbers) > 3:
        return None
    # The whole version_info is longer than the tuple: (3, 10, 0, 'final', 0) > (3, 10).
    op = {">": ">=", "<=": "<"}.get(op, op)
    if op not in {">=", "<"}:
        return None
    return Atom("python_full_version" if len(numbers) == 3 else "python_version", op, text)
