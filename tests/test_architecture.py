"""The shape of the package, enforced: the build-time core imports none of the tools around
it, the setuptools hook costs next to nothing for a project that did not opt in, and the
published entry points still load."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from benchmarks.hook_import import _PROBE, PROJECTS

PACKAGE = Path(__file__).resolve().parent.parent / "cffi_build_plugin"
#: What every user's isolated build imports.
BUILD_TIME = ("config", "setuptools", "modules", "compile")
BUILD_TIME_FILES = ("__init__.py", "errors.py", "_paths.py", "_process.py", "_messages.py",
                    "_requirements.py",
                    "setuptools_ext.py", "schema.py")
#: What they must never import at module level (portable/ only once a target is set).
FORBIDDEN = ("cffi_build_plugin.init", "cffi_build_plugin.migrate", "cffi_build_plugin.portable",
             "cffi_build_plugin.check", "cffi_build_plugin.cli", "cffi_build_plugin.edits",
             "tomlkit", "ini2toml", "configupdater", "elftools")


def _build_time_files() -> list[Path]:
    files = [PACKAGE / name for name in BUILD_TIME_FILES]
    for folder in BUILD_TIME:
        files += sorted((PACKAGE / folder).glob("*.py"))
    return files


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for imports run when the module loads: its body, and the
    if/try blocks in it, but not ``if TYPE_CHECKING:`` nor any function body."""
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: list[tuple[int, str]] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.extend((node.lineno, a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                found.append((node.lineno, base))
                found.extend((node.lineno, f"{base}.{a.name}") for a in node.names)
            elif isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)

    visit(ast.parse(path.read_text("utf-8")).body)
    return found


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


@pytest.mark.parametrize("path", _build_time_files(), ids=_module_name)
def test_build_time_code_imports_no_tool_at_module_level(path: Path) -> None:
    bad = [f"line {line}: {name}" for line, name in _module_level_imports(path)
           if _forbidden(name)]
    assert not bad, f"{_module_name(path)} imports at module level: {bad}"


def test_the_rule_sees_a_forbidden_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    # The checker itself: a relative import of a forbidden folder is found, TYPE_CHECKING is not.
    folder = tmp_path / "cffi_build_plugin" / "modules"
    folder.mkdir(parents=True)
    sample = folder / "sample.py"
    sample.write_text("from typing import TYPE_CHECKING\nfrom ..portable.target import x\n"
                      "if TYPE_CHECKING:\n    import tomlkit\n"
                      "def f():\n    from ..check import wheel\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "cffi_build_plugin")
    names = [name for _, name in _module_level_imports(sample) if _forbidden(name)]
    assert names == ["cffi_build_plugin.portable.target", "cffi_build_plugin.portable.target.x"]


def test_importing_every_build_time_module_loads_no_tool() -> None:
    modules = [_module_name(p) for p in _build_time_files()]
    code = (f"import importlib, sys\nfor m in {modules!r}:\n    importlib.import_module(m)\n"
            f"print([m for m in sys.modules if any(m == f or m.startswith(f + '.') "
            f"for f in {FORBIDDEN!r})])")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    assert out.strip() == "[]"


def _hook_run(tmp_path: Path, pyproject: str) -> dict[str, object]:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    out = subprocess.run([sys.executable, "-c", _PROBE], cwd=tmp_path, check=True,
                         capture_output=True, text=True).stdout
    data: dict[str, object] = json.loads(out)
    return data


def test_hook_for_a_project_that_did_not_opt_in_loads_almost_nothing(tmp_path: Path) -> None:
    loaded = _hook_run(tmp_path, PROJECTS["not opted in"])["modules"]
    assert loaded == ["cffi_build_plugin", "cffi_build_plugin.config",
                      "cffi_build_plugin.config.opt_in", "cffi_build_plugin.setuptools",
                      "cffi_build_plugin.setuptools.hook", "cffi_build_plugin.setuptools_ext"]


def test_hook_for_a_project_that_opted_in_loads_the_build_time_core(tmp_path: Path) -> None:
    loaded = _hook_run(tmp_path, PROJECTS["opted in"])["modules"]
    assert isinstance(loaded, list)
    assert {"cffi_build_plugin.config.settings", "cffi_build_plugin.setuptools.wrap",
            "cffi_build_plugin.setuptools.state"} <= set(loaded)
    assert not [m for m in loaded if _forbidden(m)]


@pytest.mark.parametrize(("group", "name", "target"), [
    ("setuptools.finalize_distribution_options", "cffi_build_plugin",
     "cffi_build_plugin.setuptools.hook:finalize_distribution_options"),
    ("validate_pyproject.tool_schema", "cffi-build-plugin",
     "cffi_build_plugin.config.schema:tool_schema"),
    ("console_scripts", "cffi-build-plugin", "cffi_build_plugin.cli:main"),
])
def test_published_entry_points_still_load(group: str, name: str, target: str) -> None:
    (ep,) = [e for e in entry_points(group=group) if e.name == name]
    module, _, attribute = target.partition(":")
    real = getattr(__import__(module, fromlist=[attribute]), attribute)
    assert ep.load() is real
