"""The bindings of a moved ``cffi_modules`` list left in a stripped setup.py.

``if 'PyPy' in sys.version: cffi_modules = [...]; ext_modules = []`` stays for
``ext_modules``; once the modules are in pyproject.toml (with ``when``), nothing reads the
list, and its assignments (in that block, and wherever else) would only mislead: they go, and
a block left empty gets ``pass``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from .conditional_modules import ConditionalModules
from .setup_py_reader import SetupScript

__all__ = ["drop_moved_leftovers", "without_placeholders"]

#: What a dropped line becomes until the stripper is done: line numbers stay as the reader
#: saw them, and the eliminator never sees the list (a method call on it looks like an effect).
PLACEHOLDER = "# <moved to pyproject.toml by cffi-build-plugin migrate>\n"


def _calls(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) for n in ast.walk(node))


def _is_leftover(statement: ast.stmt, name: str) -> bool:
    """An assignment to *name*, ``name.append/extend(...)`` calling nothing else, or an
    ``if`` holding nothing but those: dropping it changes nothing else."""
    if isinstance(statement, ast.Assign):
        return len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name) \
            and statement.targets[0].id == name and not _calls(statement.value)
    if isinstance(statement, ast.AugAssign):
        return isinstance(statement.target, ast.Name) and statement.target.id == name \
            and not _calls(statement.value)
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        return ast.unparse(call.func) in {f"{name}.append", f"{name}.extend"} and not any(
            _calls(a) for a in call.args)
    if isinstance(statement, ast.If):  # `if os.name == "nt": pass` too
        inner = [s for s in [*statement.body, *statement.orelse] if not isinstance(s, ast.Pass)]
        return bool(inner) and all(_is_leftover(s, name) for s in inner)
    return False


def _alone(lines: list[str], statement: ast.stmt) -> bool:
    """No other statement shares its lines (no ``a = 1; b = 2``, no ``if x: a = 1``)."""
    first, last = lines[statement.lineno - 1], lines[(statement.end_lineno or 0) - 1]
    before = first.encode()[:statement.col_offset].decode("utf-8", "replace")
    after = last.encode()[statement.end_col_offset or 0:].decode("utf-8", "replace")
    return not before.strip() and (not after.strip() or after.strip().startswith("#"))


def _leftovers(block: list[ast.stmt], name: str,
               found: list[tuple[ast.stmt, bool]]) -> None:
    """The outermost leftovers in *block* and the blocks of its kept ``if`` statements;
    (statement, True) for the first of a block left empty."""
    dropped = [s for s in block if _is_leftover(s, name)]
    found += [(s, i == 0 and len(dropped) == len(block)) for i, s in enumerate(dropped)]
    for statement in block:
        if isinstance(statement, ast.If) and statement not in dropped:
            for inner in (statement.body, statement.orelse):
                _leftovers(inner, name, found)


def drop_moved_leftovers(text: str, script: SetupScript, keep: Mapping[str, str]) -> str:
    """*text* (setup.py, its setup() call rewritten) with the bindings of the list
    ``cffi_modules=`` named turned into placeholders (``pass`` where a block would be left
    empty), when the list moved as :class:`ConditionalModules` and nothing else reads it.
    Line numbers do not change."""
    value = script.call.keywords.get("cffi_modules")
    if "cffi_modules" in keep or not isinstance(value, ConditionalModules) or \
            value.name is None:
        return text
    name = value.name
    tree = ast.parse(text)
    found: list[tuple[ast.stmt, bool]] = []
    _leftovers(tree.body, name, found)
    dropped = {id(n) for s, _ in found for n in ast.walk(s)}
    if not found or any(isinstance(n, ast.Name) and n.id == name and id(n) not in dropped
                        for n in ast.walk(tree)):
        return text  # still read somewhere: leave it
    lines = text.splitlines(keepends=True)
    if any(not _alone(lines, s) and s.end_lineno != s.lineno for s, _ in found):
        return text  # all or none: a half-removed list would fail when setup.py runs
    for statement, emptied in found:
        first, last = statement.lineno - 1, statement.end_lineno or statement.lineno
        if _alone(lines, statement):
            indent = lines[first][:len(lines[first]) - len(lines[first].lstrip())]
            lines[first:last] = [f"{indent}pass\n" if emptied else PLACEHOLDER] + \
                [PLACEHOLDER] * (last - first - 1)
        else:  # on a line with others: the one statement becomes `pass`
            line = lines[first].encode()
            start, end = statement.col_offset, statement.end_col_offset or 0
            lines[first] = (line[:start] + b"pass" + line[end:]).decode()
    return "".join(lines)


def without_placeholders(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if line != PLACEHOLDER)
