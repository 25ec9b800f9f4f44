"""Stripping a setup.py down to what pyproject.toml cannot say.

The kept keywords stay as the user wrote them (source text, not a reformatted AST), and so
does every statement they depend on; statements that only computed what moved out are
removed. Code that does something when setup.py runs (a configure step, a download) is never
removed: it stays, and is reported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .file_runs import FileRuns
from .moved_leftovers import drop_moved_leftovers, without_placeholders
from .outside_references import OutsideReferences
from .reading_calls import EFFECTFUL_MODULES, READING_CALLS, READING_METHODS
from .setup_py_reader import SetupScript
from .setup_py_statements import mutated_names

__all__ = ["HEADER", "Stripped", "strip_setup_py"]

HEADER = "# Stripped by `cffi-build-plugin migrate`"

#: Statements that only prepare for running setup.py itself.
_INERT_CALLS = frozenset({"sys.path.insert", "sys.path.append"})


@dataclass(frozen=True)
class Stripped:
    #: The new setup.py, or None when nothing is left that needs one.
    text: str | None
    #: Module-level statements kept because they run code (first line of each).
    effects: tuple[str, ...]
    #: What stays because the project's other files reach it, and where they do:
    #: ("def make_docs", "Makefile:4 imports it (...)").
    reached: tuple[tuple[str, str], ...] = ()
    #: Where the project runs setup.py, when that alone keeps it (calling setup() alone).
    run_by: str = ""


def _offsets(source: str) -> list[int]:
    starts, total = [0], 0
    for line in source.splitlines(keepends=True):
        total += len(line)
        starts.append(total)
    return starts


def _position(source: str, starts: list[int], lineno: int, col: int) -> int:
    """ast's (line, UTF-8 byte column) as an index into *source*."""
    line_start = starts[lineno - 1]
    line = source[line_start:starts[lineno]] if lineno < len(starts) else source[line_start:]
    return line_start + len(line.encode("utf-8")[:col].decode("utf-8", "replace"))


def _span(source: str, starts: list[int], node: ast.AST) -> tuple[int, int]:
    return (_position(source, starts, node.lineno, node.col_offset),  # type: ignore[attr-defined]
            _position(source, starts, node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]


def _call_text(script: SetupScript, keep: Iterable[str], replace: Mapping[str, str]) -> str:
    call = script.call.node
    parts = []
    for kw in call.keywords:
        segment = ast.get_source_segment(script.source, kw.value) or ast.unparse(kw.value)
        if kw.arg is None:
            parts.append(f"**{segment}")
        elif kw.arg in keep:
            parts.append(f"{kw.arg}={replace.get(kw.arg, segment)}")
    head = ast.get_source_segment(script.source, call.func) or "setup"
    if not parts:
        return f"{head}()"
    return head + "(\n" + "".join(f"    {p},\n" for p in parts) + ")"


def _loads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _binds(node: ast.stmt) -> set[str]:
    names: set[str] = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    for sub in ast.walk(node):
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(sub.name)
        elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            names.add(sub.id)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in sub.names}
        elif isinstance(sub, (ast.Subscript, ast.Attribute)) and isinstance(sub.ctx, ast.Store) \
                and isinstance(sub.value, ast.Name):
            names.add(sub.value.id)
    # exec(f.read(), about) fills `about`: the statement is needed wherever `about` is.
    return names | set(mutated_names(node))


def _calls(node: ast.stmt) -> list[ast.Call]:
    """Calls the statement makes when it runs (not those inside function bodies)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [c for d in node.decorator_list for c in ast.walk(d) if isinstance(c, ast.Call)]
    found: list[ast.Call] = []
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        for child in ast.iter_child_nodes(current):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(child, ast.Call):
                found.append(child)
            stack.append(child)
    return found


def _root_name(func: ast.expr) -> str | None:
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None


def _is_exec_of_a_file(call: ast.Call) -> bool:
    """``exec(f.read(), about)``: the version-file idiom runs a file of assignments."""
    return ast.unparse(call.func) == "exec" and bool(call.args) and isinstance(
        call.args[0], ast.Call) and ast.unparse(call.args[0].func).endswith(".read")


def _is_pure_call(call: ast.Call, functions: Mapping[str, ast.stmt],
                  seen: set[str], runs: FileRuns) -> bool:
    func = call.func
    if runs.only_computes(call) or ast.unparse(func) in _INERT_CALLS:
        return True  # runpy.run_path("pkg/_version.py"); sys.path.insert in get_version()
    if _root_name(func) in EFFECTFUL_MODULES:
        return ast.unparse(func) in READING_CALLS
    name = func.attr if isinstance(func, ast.Attribute) else (
        func.id if isinstance(func, ast.Name) else "")
    if name in functions:  # a function of setup.py's own: pure if its body is
        if name in seen:
            return True
        return _is_pure(functions[name], functions, runs, seen | {name}, body=True)
    return name in READING_METHODS or name in READING_CALLS or _is_exec_of_a_file(call)


def _is_pure(node: ast.stmt, functions: Mapping[str, ast.stmt], runs: FileRuns,
             seen: frozenset[str] | set[str] = frozenset(), body: bool = False) -> bool:
    """Whether running *node* only computes values (*body*: a def's body runs too)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and body:
        calls = [c for s in node.body for c in ast.walk(s) if isinstance(c, ast.Call)]
    elif isinstance(node, ast.ClassDef):
        return all(_is_pure(s, functions, runs, seen) for s in node.body
                   if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))
    else:
        calls = _calls(node)
    return all(_is_pure_call(c, functions, set(seen), runs) for c in calls)


def _is_inert(node: ast.stmt) -> bool:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # a docstring
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and ast.unparse(node.value.func) in _INERT_CALLS)


def _eliminate(tree: ast.Module, root: ast.stmt, runs: FileRuns,
               reached: Iterable[ast.stmt] = ()) -> tuple[list[ast.stmt], list[ast.stmt]]:
    """(statements to remove, statements kept because they run code); *reached*: statements
    the project's other files use, kept with what they need."""
    functions: dict[str, ast.stmt] = {n.name: n for n in tree.body
                                      if isinstance(n, (ast.FunctionDef, ast.ClassDef))}

    def binds(statement: ast.stmt) -> set[str]:
        return _binds(statement) | runs.names_bound(statement)

    removable = {id(s) for s in tree.body
                 if s is not root and (isinstance(s, (ast.Import, ast.ImportFrom))
                                       or _is_inert(s)
                                       or (binds(s) and _is_pure(s, functions, runs)))}
    effects = [s for s in tree.body if s is not root and id(s) not in removable]
    kept = {id(s) for s in effects} | {id(root)} | {id(s) for s in reached}
    needed: set[str] = set()
    changed = True
    while changed:
        changed = False
        for statement in tree.body:
            if id(statement) in kept:
                needed |= _loads(statement)
        for statement in tree.body:
            if id(statement) in kept or _is_inert(statement):
                continue
            if binds(statement) & needed:
                kept.add(id(statement))
                changed = True
    remove = [s for s in tree.body if id(s) not in kept and not _is_inert(s)]
    return remove, effects


def _root_statement(tree: ast.Module, call: ast.Call) -> ast.stmt:
    return next(s for s in tree.body if any(n is call for n in ast.walk(s)))


def _header(reasons: Mapping[str, str], effects: Iterable[str],
            reached: Iterable[tuple[str, str]] = (), run_by: str = "") -> str:
    lines = [f"{HEADER}: the rest of this project's configuration is in",
             "# pyproject.toml. What stays here, and why:"]
    lines += [f"# - {key}: {why}" for key, why in reasons.items()]
    lines += [f"# - code that runs when setup.py runs: {first}" for first in effects]
    lines += [f"# - {what}, used outside setup.py: {where}" for what, where in reached]
    lines += [f"# - setup.py itself, which the project runs: {run_by}"] if run_by else []
    return "\n".join(lines) + "\n"


def _described(statement: ast.stmt) -> str:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return f"def {statement.name}"
    if isinstance(statement, ast.ClassDef):
        return f"class {statement.name}"
    first = ast.unparse(statement).splitlines()[0]
    return first if len(first) <= 60 else first[:57] + "..."


def _reached(tree: ast.Module, root: ast.stmt, outside: OutsideReferences | None
             ) -> tuple[list[ast.stmt], list[tuple[str, str]]]:
    """The module-level statements the project's other files use (all of them when one
    imports setup.py whole: any name may be used), and (statement, where) for the report."""
    if outside is None:
        return [], []
    if outside.whole:
        where = "; ".join(r.describe() for r in outside.whole[:3])
        return [s for s in tree.body if s is not root], [
            ("every module-level statement", where)]
    statements: dict[int, ast.stmt] = {}
    places: dict[int, dict[str, None]] = {}
    for name, references in sorted(outside.names.items()):
        for statement in tree.body:
            if statement is not root and name in _binds(statement):
                statements[id(statement)] = statement
                places.setdefault(id(statement), {}).update(
                    dict.fromkeys(r.describe() for r in references[:3]))
    ordered = sorted(statements.values(), key=lambda s: s.lineno)
    return ordered, [(_described(s), "; ".join(places[id(s)])) for s in ordered]


def _with_header(text: str, header: str) -> str:
    """*header* after a shebang or coding line; an earlier run's header is replaced, so a
    second run changes nothing."""
    lines = text.splitlines(keepends=True)
    start = 0
    while start < min(len(lines), 2) and (lines[start].startswith("#!") or (
            lines[start].startswith("#") and "coding" in lines[start])):
        start += 1
    end = start
    if end < len(lines) and lines[end].startswith(HEADER):
        while end < len(lines) and lines[end].strip():
            end += 1
        while end < len(lines) and not lines[end].strip():
            end += 1
    return "".join(lines[:start]) + header + "\n" + "".join(lines[end:])


def strip_setup_py(script: SetupScript, keep: Mapping[str, str],
                   replace: Mapping[str, str] | None = None,
                   outside: OutsideReferences | None = None) -> Stripped:
    """setup.py with only the keywords in *keep* (keyword → why it stays), their values
    rewritten where *replace* says (keyword → source text), and the fallback try/except
    (if any) collapsed into one call: the plugin's ``optional`` says it now. What *outside*
    says the project's other files use stays, with what it needs; setup.py stays (calling
    ``setup()``) when they use a name in it or run it."""
    replace = replace or {}
    source = script.source
    starts = _offsets(source)
    target: ast.AST = script.fallback_statement or script.call.node
    start, end = _span(source, starts, target)
    indent = " " * target.col_offset  # type: ignore[attr-defined]
    call = _call_text(script, keep, replace).replace("\n", "\n" + indent)
    new_source = drop_moved_leftovers(source[:start] + call + source[end:], script, keep)

    tree = ast.parse(new_source)
    at = (target.lineno, target.col_offset)  # type: ignore[attr-defined]
    new_call = next(n for n in ast.walk(tree)
                    if isinstance(n, ast.Call) and (n.lineno, n.col_offset) == at)
    root = _root_statement(tree, new_call)
    reached_statements, reached = _reached(tree, root, outside)
    remove, effects = _eliminate(tree, root, FileRuns(script, tree), reached_statements)
    run_by = ""
    if outside is not None and outside.runs and not (keep or effects or reached):
        # A script runs it (python setup.py build_ext): it stays, calling setup() alone.
        run_by = "; ".join(r.describe() for r in outside.runs[:3])
    starts = _offsets(new_source)
    for statement in sorted(remove, key=lambda s: s.lineno, reverse=True):
        first = starts[statement.lineno - 1]
        last = starts[statement.end_lineno] if statement.end_lineno is not None and \
            statement.end_lineno < len(starts) else len(new_source)
        new_source = new_source[:first] + new_source[last:]
    new_source = without_placeholders(new_source)
    effect_lines = tuple(ast.unparse(s).splitlines()[0] for s in effects)
    if not keep and not effects and not reached and not run_by:
        return Stripped(None, ())
    while "\n\n\n\n" in new_source:
        new_source = new_source.replace("\n\n\n\n", "\n\n\n")
    header = _header(keep, effect_lines, reached, run_by)
    return Stripped(_with_header(new_source.lstrip("\n"), header), effect_lines, tuple(reached),
                    run_by)
