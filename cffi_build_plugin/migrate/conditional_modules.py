"""``cffi_modules`` set under interpreter or platform tests, read as per-module markers.

A setup.py that builds its cffi module on PyPy only (a C extension on CPython) binds the list
more than once: ``cffi_modules = []`` then ``if 'PyPy' in sys.version: cffi_modules = [...]``
(or ``else:``, ``.append``, ``+=``, ``x if cond else y``). Followed statement by statement at
module level, each builder gets the condition under which the list holds it when ``setup()``
runs, as a PEP 508 marker for pyproject.toml's ``when``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

from .conditions import (
    AllOf,
    Atom,
    Condition,
    both,
    either,
    negate,
    render,
    simplify,
)
from .marker_translation import Conditions, Untranslatable

__all__ = ["ConditionalModule", "ConditionalModules", "UnreadableCondition", "trace_modules"]


@dataclass(frozen=True)
class ConditionalModule:
    builder: str
    #: The PEP 508 marker; None when every interpreter builds it.
    when: str | None
    #: The line that adds it to the list.
    line: int


@dataclass(frozen=True)
class ConditionalModules:
    """The read value of a ``cffi_modules`` bound under conditions."""

    modules: tuple[ConditionalModule, ...]
    #: The module-level name setup() is given (its leftover bindings are dropped from setup.py).
    name: str | None
    #: (line, marker) of the statements that only read the list, and the marker under which
    #: the list holds a builder there ("always", "never" when that is decided).
    reads: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class UnreadableCondition:
    """``cffi_modules`` changes under a test no marker says."""

    line: int
    test: str
    why: str


#: (builder, condition it is in the list under, line that put it there)
_Items = list[tuple[str, Optional[Condition], int]]
_Resolve = Callable[[ast.expr], Any]


#: Calls that read a list without changing it.
_READING_CALLS = frozenset({"len", "bool", "list", "tuple", "sorted", "any", "all", "print"})


class _GiveUp(Exception):
    """Not the conditional pattern: the value stays computed, as before."""


def _contradicts(condition: Condition | None) -> bool:
    if not isinstance(condition, AllOf):
        return False
    atoms = {p for p in condition.parts if isinstance(p, Atom)}
    return any(negate(a) in atoms for a in atoms)


class _Tracer:
    def __init__(self, source: str, tree: ast.Module, resolve: _Resolve, name: str,
                 stop: int) -> None:
        self.conditions, self.source = Conditions(tree), source
        self.resolve, self.name, self.stop = resolve, name, stop
        self.state: _Items | None = None
        #: (line, marker under which the list is non-empty there) of statements that only
        #: read the list.
        self.read: list[tuple[int, str]] = []

    def value(self, node: ast.expr, where: Condition | None) -> _Items:
        """The items of a list expression, each under *where*."""
        if isinstance(node, ast.IfExp):
            test = self.test(node.test)
            return self.value(node.body, both(where, test)) + \
                self.value(node.orelse, both(where, negate(test)))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.value(node.left, where) + self.value(node.right, where)
        if isinstance(node, ast.Name) and node.id == self.name:
            if self.state is None:
                raise _GiveUp
            return [(b, both(c, where), line) for b, c, line in self.state]
        found = self.resolve(node)
        if isinstance(found, (list, tuple)) and all(isinstance(s, str) for s in found):
            return [(s, where, node.lineno) for s in found]
        raise _GiveUp

    def test(self, node: ast.expr) -> Condition:
        try:
            return self.conditions.translate(node)
        except Untranslatable as exc:
            text = ast.get_source_segment(self.source, node) or ast.unparse(node)
            raise _Unreadable(UnreadableCondition(exc.line, text, exc.why)) from None

    def touches(self, statement: ast.stmt) -> bool:
        return any(isinstance(n, ast.Name) and n.id == self.name for n in ast.walk(statement))

    def statements(self, body: list[ast.stmt], where: Condition | None) -> None:
        for statement in body:
            if statement.lineno >= self.stop or not self.touches(statement):
                continue
            self.statement(statement, where)

    def statement(self, statement: ast.stmt, where: Condition | None) -> None:
        target = statement.targets[0] if isinstance(statement, ast.Assign) and \
            len(statement.targets) == 1 else None
        if isinstance(target, ast.Name) and target.id == self.name:
            assert isinstance(statement, ast.Assign)
            new = self.value(statement.value, where)
            old = [] if self.state is None or where is None else [
                (b, both(c, negate(where)), line) for b, c, line in self.state]
            self.state = old + new
        elif isinstance(statement, ast.AugAssign) and isinstance(statement.op, ast.Add) and \
                isinstance(statement.target, ast.Name) and statement.target.id == self.name:
            self.extend(self.value(statement.value, where))
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) and \
                ast.unparse(statement.value.func) in {f"{self.name}.append",
                                                      f"{self.name}.extend"} and \
                len(statement.value.args) == 1 and not statement.value.keywords:
            arg = statement.value.args[0]
            if ast.unparse(statement.value.func).endswith(".extend"):
                self.extend(self.value(arg, where))
                return
            builder = self.resolve(arg)
            if not isinstance(builder, str):
                raise _GiveUp
            self.extend([(builder, where, arg.lineno)])
        elif isinstance(statement, ast.If) and not self.reads(statement.test):
            test = self.test(statement.test)
            self.statements(statement.body, both(where, test))
            self.statements(statement.orelse, both(where, negate(test)))
        elif self.only_reads(statement):
            if self.state is None:
                raise _GiveUp
            self.read.append((statement.lineno, self.non_empty(where)))
        else:
            raise _GiveUp

    def reads(self, node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id == self.name for n in ast.walk(node))

    def only_reads(self, statement: ast.stmt) -> bool:
        """Whether *statement* uses the list without changing it: no binding or deletion of
        the name, no method called on it, not handed to a call (which might change it)."""
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and node.id == self.name and \
                    not isinstance(node.ctx, ast.Load):
                return False
            if isinstance(node, ast.Call) and any(
                    self.reads(a) and not (isinstance(node.func, ast.Name) and node.func.id in
                                           _READING_CALLS)
                    for a in [node.func, *node.args, *(k.value for k in node.keywords)]):
                return False
        return True

    def non_empty(self, where: Condition | None) -> str:
        """The marker under which the list holds a builder at a reading line."""
        assert self.state is not None
        found = [both(c, where) for _, c, _ in self.state if not _contradicts(both(c, where))]
        if not found:
            return "never"
        if None in found:
            return "always"
        merged = simplify(either(*(c for c in found if c is not None)))
        return "always" if merged is None else render(merged)

    def extend(self, items: _Items) -> None:
        if self.state is None:
            raise _GiveUp
        self.state += items


class _Unreadable(Exception):
    def __init__(self, found: UnreadableCondition) -> None:
        super().__init__(found.why)
        self.found = found


def _collect(items: _Items) -> tuple[ConditionalModule, ...]:
    """One entry per builder, its conditions or-ed; never-true entries dropped."""
    conditions: dict[str, list[Condition | None]] = {}
    lines: dict[str, int] = {}
    for builder, condition, line in items:
        if _contradicts(condition):
            continue
        conditions.setdefault(builder, []).append(condition)
        lines.setdefault(builder, line)
    out = []
    for builder, found in conditions.items():
        merged = None if None in found else simplify(
            either(*(c for c in found if c is not None)))
        out.append(ConditionalModule(builder, None if merged is None else render(merged),
                                     lines[builder]))
    return tuple(out)


def trace_modules(source: str, tree: ast.Module, value: ast.expr, stop: int,
                  resolve: _Resolve) -> ConditionalModules | UnreadableCondition | None:
    """What ``cffi_modules=<value>`` holds on each interpreter, from the module-level
    statements before line *stop* (the statement calling setup()); None when it is not built under
    conditions (a function computes it, a loop changes it: it stays computed)."""
    name = value.id if isinstance(value, ast.Name) else None
    tracer = _Tracer(source, tree, resolve, name or "", stop)
    try:
        if name is not None:
            tracer.statements(tree.body, None)
            if tracer.state is None:
                return None
            items = tracer.state
        else:
            items = tracer.value(value, None)
    except _GiveUp:
        return None
    except _Unreadable as exc:
        return exc.found
    return ConditionalModules(_collect(items), name, tuple(tracer.read))
