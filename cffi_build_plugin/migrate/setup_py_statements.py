"""Walking setup.py's statements: every one at module level and nested, the names each binds,
and the names each may change in place."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .reading_calls import READING_CALLS, READING_METHODS

__all__ = ["all_statements", "mutated_names", "stored_names"]


def all_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements at module level, including those nested in if/try/with/for, and in def and
    class bodies too (a local named like a module-level name makes that name computed: on
    the safe side)."""
    for node in body:
        yield node
        for name in ("body", "orelse", "finalbody"):
            yield from all_statements(getattr(node, name, []) or [])
        for handler in getattr(node, "handlers", []) or []:
            yield from all_statements(handler.body)


def stored_names(node: ast.stmt) -> list[str]:
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
