"""Calls in setup.py that run a file of the project, and whether that only computes values.

``runpy.run_path(p)``, ``exec(open(p).read(), ns)`` and ``spec.loader.exec_module(m)`` for a
``spec = importlib.util.spec_from_file_location(name, p)`` run *p*; when *p*'s top level only
assigns literals (a ``_version.py``), running it does nothing else, so the stripper may drop
the statement once nothing needs what it read (the version moved to ``attr =``).
``exec(open(p).read())`` without a namespace binds *p*'s names in setup.py itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .setup_py_reader import SetupScript

__all__ = ["FileRuns", "literal_assignments"]

#: importlib.util calls that prepare a module object without running anything.
_PREPARING = frozenset({"spec_from_file_location", "module_from_spec"})


def _is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def literal_assignments(path: Path) -> frozenset[str] | None:
    """The names *path*'s top level assigns, when that is all it does (docstrings, ``from
    __future__`` imports and ``name = <literal>``); None when it does more, or is unreadable."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else [])
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if not targets or value is None or not _is_literal(value) or not all(
                isinstance(t, ast.Name) for t in targets):
            return None
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return frozenset(names)


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else (
        func.id if isinstance(func, ast.Name) else "")


class FileRuns:
    """The file-running calls of one setup.py (*tree*: its text as the stripper has it)."""

    def __init__(self, script: SetupScript, tree: ast.Module) -> None:
        self.script, self.tree = script, tree
        self.root = script.path.parent.resolve()

    def _file(self, node: ast.expr | None) -> Path | None:
        """The project file *node* names (a path, or the text read from one)."""
        if node is None or self.script.resolver is None:
            return None
        value = self.script.resolver.resolve(node)
        rel = value if isinstance(value, str) else getattr(value, "path", None)
        if not isinstance(rel, str) or not rel:
            return None
        path = (self.root / rel).resolve()
        return path if path.is_relative_to(self.root) and path.is_file() else None

    def _run_file(self, call: ast.Call) -> Path | None:
        name = _called(call)
        if name == "run_path" and call.args:
            return self._file(call.args[0])
        if name == "exec" and isinstance(call.func, ast.Name) and call.args:
            return self._file(call.args[0])  # resolves to the text of a file: exec(f.read())
        if name == "exec_module" and isinstance(call.func, ast.Attribute):
            return self._spec_file(call.func.value)
        return None

    def _spec_file(self, loader: ast.expr) -> Path | None:
        """``spec.loader``: the file every ``spec = spec_from_file_location(_, p)`` names."""
        if not (isinstance(loader, ast.Attribute) and loader.attr == "loader"
                and isinstance(loader.value, ast.Name)):
            return None
        name = loader.value.id
        files = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == name for t in node.targets):
                value = node.value
                if not (isinstance(value, ast.Call)
                        and _called(value) == "spec_from_file_location"):
                    return None
                location = value.args[1] if len(value.args) > 1 else next(
                    (k.value for k in value.keywords if k.arg == "location"), None)
                files.add(self._file(location))
        return files.pop() if len(files) == 1 else None

    def only_computes(self, call: ast.Call) -> bool:
        """The call prepares a module object, or runs a project file of literal assignments."""
        if _called(call) in _PREPARING:
            return True
        path = self._run_file(call)
        return path is not None and literal_assignments(path) is not None

    def names_bound(self, node: ast.stmt) -> set[str]:
        """What ``exec(open(p).read())`` with no namespace binds in setup.py: *p*'s names."""
        found: set[str] = set()
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            if _called(call) != "exec" or len(call.args) > 1 or call.keywords:
                continue
            path = self._run_file(call)
            names = literal_assignments(path) if path is not None else None
            found |= set(names or ())
        return found
