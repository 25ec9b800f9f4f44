"""`cffi-build-plugin init`: set an existing cffi project up to build and publish its wheels.

Everything is computed first and written last, each file atomically, so a failure leaves the
project as it was. pyproject.toml is edited with tomlkit: its comments and layout survive.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array, Table
from tomlkit.toml_document import TOMLDocument

from .ci_config import ProjectFacts, cibuildwheel_table, workflow
from .errors import ConfigError
from .plan import make_plan
from .project import PLUGIN_NAME, Project
from .runtime_dependency import RUNTIME_REQUIREMENT, requires_name
from .settings import parse_settings
from .tags import requires_python_floor

__all__ = ["Change", "InitPlan", "apply", "plan_init"]

WORKFLOW = Path(".github", "workflows", "wheels.yml")
_SETUPTOOLS_BACKENDS = {"setuptools.build_meta", "setuptools.build_meta:__legacy__"}


@dataclass(frozen=True)
class Change:
    path: Path
    old: str | None  # None: a new file
    new: str

    def diff(self, root: Path) -> str:
        name = self.path.relative_to(root).as_posix()
        return "".join(difflib.unified_diff(
            (self.old or "").splitlines(keepends=True), self.new.splitlines(keepends=True),
            fromfile="/dev/null" if self.old is None else f"a/{name}", tofile=f"b/{name}"))


@dataclass(frozen=True)
class InitPlan:
    root: Path
    changes: tuple[Change, ...]
    #: One line per decision: what is added, and what is kept as it was and why.
    report: tuple[str, ...]


def _load(pyproject: Path) -> TOMLDocument:
    try:
        return tomlkit.parse(pyproject.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(pyproject), [
            "not found: init sets up an existing project; write pyproject.toml with a "
            "[project] table (name, version) first"]) from None
    except (UnicodeDecodeError, TOMLKitError) as exc:
        raise ConfigError(str(pyproject), [f"not valid TOML: {exc}"]) from None


def _table(doc: TOMLDocument | Table, key: str) -> Table:
    if key not in doc:
        doc[key] = tomlkit.table()
    item = doc[key]
    if not isinstance(item, Table):
        raise ConfigError("pyproject.toml", [f"[{key}]: expected a table, found {item!r}"])
    return item


def _facts(root: Path, doc: TOMLDocument) -> ProjectFacts:
    plain: dict[str, Any] = doc.unwrap()
    metadata = plain.get("project")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
        raise ConfigError(str(root / "pyproject.toml"),
                          ["[project].name is missing: init needs the distribution's name"])
    table = plain.get("tool", {}).get(PLUGIN_NAME, {})
    settings = parse_settings(table, str(root / "pyproject.toml"))
    plan = make_plan(Project(root, settings, metadata))
    if not plan.modules:
        raise ConfigError(str(root), [
            "no cffi builder found: nothing to set up. A builder is a module-level FFI() "
            "with cdef() and set_source() (or a function returning one); name it in "
            f"[tool.{PLUGIN_NAME}] modules if it lives under tests/ or docs/"])
    declared = tuple(m.declared for m in plan.modules if m.declared is not None)
    extras = metadata.get("optional-dependencies", {})
    return ProjectFacts(
        name=metadata["name"],
        modules=declared if len(declared) == len(plan.modules) else (),
        python_floor=requires_python_floor(metadata.get("requires-python")),
        has_tests=(root / "tests").is_dir(),
        test_extra=next((e for e in ("test", "tests") if e in extras), None),
    )


def _build_system(doc: TOMLDocument, report: list[str]) -> None:
    if "build-system" not in doc:
        table = tomlkit.table()
        table["requires"] = ["setuptools>=70.1", PLUGIN_NAME]
        table["build-backend"] = "setuptools.build_meta"
        doc["build-system"] = table
        report.append("added [build-system] (setuptools with cffi-build-plugin)")
        return
    table = _table(doc, "build-system")
    backend = table.get("build-backend")
    if backend is not None and backend not in _SETUPTOOLS_BACKENDS:
        raise ConfigError("pyproject.toml", [
            f"[build-system].build-backend is {backend!r}: cffi-build-plugin is a setuptools "
            "plugin; use build-backend = \"setuptools.build_meta\""])
    requires = table.get("requires")
    if requires is None:
        table["requires"] = ["setuptools>=70.1", PLUGIN_NAME]
    elif not isinstance(requires, Array):
        raise ConfigError("pyproject.toml", ["[build-system].requires: expected a list"])
    elif requires_name(requires.unwrap(), PLUGIN_NAME):
        report.append("kept [build-system]: it already requires cffi-build-plugin")
        return
    else:
        requires.append(PLUGIN_NAME)
    report.append("added cffi-build-plugin to [build-system].requires")


def _runtime_dependency(doc: TOMLDocument, report: list[str]) -> None:
    project = _table(doc, "project")
    if "dependencies" in project.get("dynamic", []):
        report.append("dependencies are dynamic: make sure they include " + RUNTIME_REQUIREMENT)
        return
    deps = project.get("dependencies")
    if deps is None:
        project["dependencies"] = [RUNTIME_REQUIREMENT]
    elif requires_name(deps.unwrap(), "cffi"):
        return
    else:
        deps.append(RUNTIME_REQUIREMENT)
    report.append(f"added {RUNTIME_REQUIREMENT!r} to [project].dependencies "
                  "(the built modules import cffi's backend)")


def _cibuildwheel(doc: TOMLDocument, facts: ProjectFacts, force: bool,
                  report: list[str]) -> None:
    if facts.pure:
        report.append("no [tool.cibuildwheel]: every module is ABI mode, so the wheel is pure "
                      "and cibuildwheel would refuse it")
        return
    tool = _table(doc, "tool")
    wanted = cibuildwheel_table(facts)
    existing = tool.get("cibuildwheel")
    if existing is None:
        tool["cibuildwheel"] = wanted
        report.append("added [tool.cibuildwheel]")
    elif existing.unwrap() == wanted.unwrap():
        report.append("kept [tool.cibuildwheel]: already what init writes")
    elif force:
        tool["cibuildwheel"] = wanted
        report.append("replaced [tool.cibuildwheel] (--force)")
    else:
        report.append("kept [tool.cibuildwheel] as it is: it differs from what init writes; "
                      "--force replaces it")


def plan_init(root: Path, *, force: bool = False) -> InitPlan:
    """What init would change in the project at *root*; nothing is written."""
    root = root.resolve()
    pyproject = root / "pyproject.toml"
    doc = _load(pyproject)
    before = doc.as_string()
    facts = _facts(root, doc)
    report: list[str] = []
    _build_system(doc, report)
    _runtime_dependency(doc, report)
    _cibuildwheel(doc, facts, force, report)
    changes = []
    if doc.as_string() != before:
        changes.append(Change(pyproject, before, doc.as_string()))

    flow_path = root / WORKFLOW
    flow = workflow(facts)
    old_flow = flow_path.read_text("utf-8") if flow_path.exists() else None
    if old_flow == flow:
        report.append(f"kept {WORKFLOW.as_posix()}: already what init writes")
    elif old_flow is not None and not force:
        report.append(f"kept {WORKFLOW.as_posix()} as it is: it differs from what init writes; "
                      "--force replaces it")
    else:
        changes.append(Change(flow_path, old_flow, flow))
        kind = "pure wheel + sdist" if facts.pure else "cibuildwheel matrix + sdist"
        report.append(f"{'replaced' if old_flow else 'added'} {WORKFLOW.as_posix()} "
                      f"({kind}, publish with trusted publishing)")
    return InitPlan(root, tuple(changes), tuple(report))


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply(plan: InitPlan) -> None:
    for change in plan.changes:
        _write_atomic(change.path, change.new)
