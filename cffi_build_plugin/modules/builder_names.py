"""What a wrong builder spec should have said: the name its file binds, the builder file
discovery finds nearest to a path that does not exist."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Iterator, Sequence

__all__ = ["bound_names", "closest", "did_you_mean"]


def _targets(node: ast.expr) -> Iterator[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)


def _bound_by(stmt: ast.stmt) -> Iterator[str]:
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            yield from _targets(target)
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        yield from _targets(stmt.target)
    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield stmt.name
    elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
        for alias in stmt.names:
            yield alias.asname or alias.name.split(".")[0]
    elif isinstance(stmt, (ast.For, ast.AsyncFor)):
        yield from _targets(stmt.target)
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        for item in stmt.items:
            if item.optional_vars is not None:
                yield from _targets(item.optional_vars)


def _blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists run at import inside *stmt* (not function or class bodies)."""
    if isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)):
        yield stmt.body
        yield getattr(stmt, "orelse", [])
    elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
        for name in ("body", "orelse", "finalbody"):
            yield getattr(stmt, name)
        for handler in getattr(stmt, "handlers", []):
            yield handler.body


def bound_names(tree: ast.Module) -> set[str] | None:
    """The names the module binds when it runs; None when that cannot be told by reading
    (``from x import *``, ``globals()``, a walrus at module level)."""
    names: set[str] = set()
    todo: list[list[ast.stmt]] = [tree.body]
    while todo:
        for stmt in todo.pop():
            if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
                return None
            if isinstance(stmt, ast.Global):
                return None
            names.update(_bound_by(stmt))
            todo.extend(_blocks(stmt))
    for node in ast.walk(tree):
        if isinstance(node, ast.NamedExpr) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in {"globals", "exec", "vars"}
        ):
            return None
    return names


def closest(wanted: str, candidates: Iterable[str]) -> str | None:
    hits = difflib.get_close_matches(wanted, list(candidates), n=1, cutoff=0.6)
    return hits[0] if hits else None


def did_you_mean(wanted: str, builders: Sequence[str], others: Iterable[str] = ()) -> str:
    """`` did you mean 'x'?``: the builder (the only one, else the closest), else the closest
    other name; empty when nothing is close."""
    if len(builders) == 1:
        return f"; did you mean {builders[0]!r}?"
    hint = closest(wanted, builders) or closest(wanted, others)
    if hint:
        return f"; did you mean {hint!r}?"
    if builders:
        return f"; its builders: {', '.join(repr(b) for b in builders)}"
    return ""
