"""`cffi-build-plugin init`: set an existing cffi project up to build and publish its wheels.

Everything is computed first and written last, each file atomically (replaced whole or not at
all), so bad input leaves the project as it was. pyproject.toml is edited with tomlkit: its
comments and layout survive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tomlkit.toml_document import TOMLDocument

from cffi_build_plugin.config.project import PLUGIN_NAME, Project
from cffi_build_plugin.config.settings import parse_settings
from cffi_build_plugin.edits.files import Change
from cffi_build_plugin.edits.pyproject import (
    add_build_system,
    add_runtime_dependency,
    get_table,
    load_pyproject,
)
from cffi_build_plugin.errors import ConfigError
from cffi_build_plugin.modules.abi import requires_python_floor
from cffi_build_plugin.modules.plan import make_plan

from .cibuildwheel import ProjectFacts, cibuildwheel_table
from .manifest import tests_manifest_change
from .next_steps import next_steps
from .repository import read_repository
from .skips import builds_own_extensions
from .workflow import workflow

__all__ = ["Change", "InitChanges", "init_changes"]

WORKFLOW = Path(".github", "workflows", "wheels.yml")


@dataclass(frozen=True)
class InitChanges:
    root: Path
    changes: tuple[Change, ...]
    #: One line per decision: what is added, and what is kept as it was and why.
    report: tuple[str, ...]
    #: What is left for the maintainer: the trusted publisher to register, libraries to
    #: install (plain text, numbered).
    next_steps: tuple[str, ...] = ()


def _facts(root: Path, doc: TOMLDocument) -> tuple[Project, ProjectFacts]:
    plain: dict[str, Any] = doc.unwrap()
    metadata = plain.get("project")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
        raise ConfigError(str(root / "pyproject.toml"),
                          ["[project].name is missing: init needs the distribution's name"])
    tool = plain.get("tool", {})
    table = tool.get(PLUGIN_NAME, {}) if isinstance(tool, dict) else {}
    settings = parse_settings(table, str(root / "pyproject.toml"))
    project = Project(root, settings, metadata)
    plan = make_plan(project)
    if not plan.modules:
        raise ConfigError(str(root), [
            "no cffi builder found: nothing to set up. A builder is a module-level FFI() "
            "with cdef() and set_source() (or a function returning one); name it in "
            f"[tool.{PLUGIN_NAME}] modules if it lives under tests/ or docs/"])
    declared = tuple(m.declared for m in plan.modules if m.declared is not None)
    extras = metadata.get("optional-dependencies", {})
    return project, ProjectFacts(
        name=metadata["name"],
        modules=declared,
        python_floor=requires_python_floor(metadata.get("requires-python")),
        has_tests=(root / "tests").is_dir(),
        test_extra=next((e for e in ("test", "tests") if e in extras), None),
        all_declared=len(declared) == len(plan.modules),
        limited_api=tuple(m.py_limited_api for m in plan.modules if m.may_be_api),
        conditional=frozenset(m.declared.module_name for m in plan.modules
                              if m.when and m.declared and m.declared.module_name),
        markers=tuple(m.when for m in plan.modules if m.when),
        compiled_markers=tuple(m.when for m in plan.modules if m.may_be_api),
        own_extensions=builds_own_extensions(root),
    )


def _cibuildwheel(doc: TOMLDocument, facts: ProjectFacts, force: bool, source: str,
                  report: list[str]) -> bool:
    """Add or keep the table; whether it is (now) what init writes."""
    if facts.abi_only:
        report.append("no [tool.cibuildwheel]: every module is ABI mode, so the wheel is pure "
                      "and cibuildwheel would refuse it")
        return False
    if facts.pure_builds:
        report.append(f"[tool.cibuildwheel] skips {', '.join(facts.pure_builds)}: their "
                      "modules' when markers build no compiled module there, and cibuildwheel "
                      "refuses a pure wheel; those interpreters install from the sdist")
    tool = get_table(doc, "tool", source)
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
        return False
    return True


def init_changes(root: Path, *, force: bool = False) -> InitChanges:
    """What init would change in the project at *root*; nothing is written."""
    root = root.resolve()
    pyproject = root / "pyproject.toml"
    source = str(pyproject)
    doc, newline = load_pyproject(pyproject)
    before = doc.as_string()
    project, facts = _facts(root, doc)
    report: list[str] = []
    add_build_system(doc, source, report)
    add_runtime_dependency(doc, project, source, report)
    table_is_ours = _cibuildwheel(doc, facts, force, source, report)
    changes = []
    if doc.as_string() != before:
        changes.append(Change(pyproject, before.replace("\n", newline),
                              doc.as_string().replace("\n", newline)))
    if not facts.abi_only and facts.has_tests:
        requires = doc.unwrap().get("build-system", {}).get("requires", [])
        manifest = tests_manifest_change(root, requires, report)
        if manifest is not None:
            changes.append(manifest)

    repository = read_repository(root)
    flow_path = root / WORKFLOW
    flow = workflow(facts, repository.default_branch, WORKFLOW.name)
    old_flow = flow_path.read_text("utf-8") if flow_path.exists() else None
    workflow_is_ours = True
    if old_flow == flow:
        report.append(f"kept {WORKFLOW.as_posix()}: already what init writes")
    elif old_flow is not None and not force:
        report.append(f"kept {WORKFLOW.as_posix()} as it is: it differs from what init writes; "
                      "--force replaces it")
        workflow_is_ours = False
    else:
        changes.append(Change(flow_path, old_flow, flow))
        kind = ("sdist, the pure wheel from it" if facts.pure
                else "the sdist alone: each interpreter builds its own pure wheel from it"
                if facts.sdist_only else "sdist, the cibuildwheel matrix from it")
        report.append(f"{'replaced' if old_flow else 'added'} {WORKFLOW.as_posix()} "
                      f"({kind}, check, publish with trusted publishing; runs on pushes to "
                      f"{repository.default_branch!r}, {repository.branch_source})")
        if repository.guessed_because:
            report.append(f"push trigger: branch {repository.default_branch!r} (guessed: "
                          f"{repository.guessed_because}; edit {WORKFLOW.as_posix()} if your "
                          "default branch differs)")
    steps = next_steps(facts, repository, WORKFLOW.name, workflow_is_ours=workflow_is_ours,
                       table_is_ours=table_is_ours)
    return InitChanges(root, tuple(changes), tuple(report), steps)
