"""migrate's requirement lists: [build-system].requires from setup_requires, and the cffi
run-time dependency the built modules need (only where CPython builds one: PyPy bundles
cffi), both with cffi marked to leave PyPy's own alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tomlkit.toml_document import TOMLDocument

from cffi_build_plugin._requirements import requirement_name, requires_name
from cffi_build_plugin.config.project import PLUGIN_NAME, Project
from cffi_build_plugin.edits.pyproject import add_build_system, add_runtime_dependency
from cffi_build_plugin.modules.runtime_dependency import RUNTIME_REQUIREMENT, with_pypy_marker

from .conditions import Atom, Condition, assume, both, either, parse, render, simplify

__all__ = ["cffi_requirement", "merge_build_requires", "merge_requirements"]

#: What an interpreter that is not PyPy is, for a module's marker (the build checks the
#: dependency the same way: its environment with CPython's implementation).
_CPYTHON = {"platform_python_implementation": "CPython", "implementation_name": "cpython"}
_NOT_PYPY = Atom("platform_python_implementation", "!=", "PyPy")


def cffi_requirement(modules: Sequence[tuple[str, str | None]] | None) -> str | None:
    """The cffi run-time requirement for these modules ((builder, its ``when``), None when
    builders are discovered): the usual one when CPython builds a module everywhere, one
    also carrying the modules' markers when CPython builds them somewhere only, None when
    CPython builds none."""
    if not modules:  # discovered builders: none is known to be PyPy-only
        return RUNTIME_REQUIREMENT
    where: list[Condition] = []
    for _, when in modules:
        condition = parse(when) if when else None
        on_cpython = True if condition is None else assume(condition, _CPYTHON)
        if on_cpython is True:  # everywhere, or a marker migrate cannot read: on the safe side
            return RUNTIME_REQUIREMENT
        if on_cpython is not False:
            where.append(on_cpython)
    if not where:
        return None
    combined = simplify(either(*where))
    if combined is None:
        return RUNTIME_REQUIREMENT
    marker = both(_NOT_PYPY, combined)
    assert marker is not None
    return f"{RUNTIME_REQUIREMENT.split(';')[0]}; {render(marker)}"


def _declared(doc: TOMLDocument) -> list[tuple[str, str | None]] | None:
    """pyproject.toml's modules as (builder, when); None when it lists none."""
    modules: Any = doc.get("tool", {}).get(PLUGIN_NAME, {}).get("modules")
    if not isinstance(modules, list):
        return None
    return [(str(e), None) if isinstance(e, str) else
            (str(e.get("builder")), None if e.get("when") is None else str(e.get("when")))
            for e in modules]


def merge_build_requires(doc: TOMLDocument, requires: Sequence[str], source: str,
                         report: list[str]) -> None:
    add_build_system(doc, source, report)
    table: Any = doc["build-system"]
    present = {requirement_name(str(r)) for r in table["requires"]}
    for line in requires:
        name = requirement_name(line)
        if name is not None and name not in present:
            table["requires"].append(line)
            present.add(name)
            report.append(f"build requirement {line!r} → [build-system].requires")


def merge_requirements(doc: TOMLDocument, project: Project, build_requires: Sequence[str],
                       source: str, report: list[str]) -> None:
    """[build-system].requires, then the cffi run-time dependency for the modules
    pyproject.toml now lists, then the PyPy marker on every unmarked cffi in both."""
    merge_build_requires(doc, build_requires, source, report)
    requirement = cffi_requirement(_declared(doc))
    if requirement is None:
        report.append("no cffi run-time dependency added: every cffi module is built on PyPy "
                      "only, which bundles cffi (CPython builds none)")
    elif requirement == RUNTIME_REQUIREMENT:
        add_runtime_dependency(doc, project, source, report)
    else:
        _add_marked_dependency(doc, project, requirement, report)
    _mark_cffi_for_pypy(doc, report)


def _add_marked_dependency(doc: TOMLDocument, project: Project, requirement: str,
                           report: list[str]) -> None:
    """cffi where CPython builds a module only under the modules' markers."""
    if "dependencies" in project.dynamic:
        report.append("dependencies are dynamic: make sure they include " + requirement)
        return
    table: Any = doc["project"]
    deps: Any = table.get("dependencies")
    if deps is not None and requires_name(deps.unwrap(), "cffi"):
        report.append("kept [project].dependencies: cffi is already required")
        return
    if deps is None:
        table["dependencies"] = [requirement]
    else:
        deps.append(requirement)
    report.append(f"added {requirement!r} to [project].dependencies (CPython builds cffi "
                  "modules under their markers only, and they import cffi's backend)")


def _mark_cffi_for_pypy(doc: TOMLDocument, report: list[str]) -> None:
    """An unmarked cffi requirement installs PyPI's cffi over the one PyPy bundles (uv does;
    pip installs an empty distribution): both lists get the marker."""
    places = (("build-system", "requires"), ("project", "dependencies"))
    for table_name, key in places:
        array: Any = doc.get(table_name, {}).get(key)
        if not isinstance(array, list):
            continue
        for i, line in enumerate(list(array)):
            marked = with_pypy_marker(str(line))
            if marked != str(line):
                array[i] = marked
                report.append(f"[{table_name}].{key}: {str(line)!r} → {marked!r} (PyPy bundles "
                              "its own cffi)")
