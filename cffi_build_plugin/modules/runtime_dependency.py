"""Checking that a wheel with cffi modules will find ``_cffi_backend`` at run time."""

from __future__ import annotations

from collections.abc import Iterable

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from cffi_build_plugin._requirements import requirement_name, requires_name

__all__ = ["RUNTIME_REQUIREMENT", "missing_cffi_message", "requirement_name", "requires_name",
           "with_pypy_marker"]

#: PyPy bundles cffi; a cffi from PyPI must never be installed over it.
RUNTIME_REQUIREMENT = "cffi>=1.15; platform_python_implementation != 'PyPy'"


def with_pypy_marker(requirement: str) -> str:
    """A cffi requirement gets the PyPy marker when it has no marker of its own; any other
    requirement (or an invalid one) is returned as it is."""
    try:
        req = Requirement(requirement)
    except InvalidRequirement:
        return requirement
    if canonicalize_name(req.name) != "cffi" or req.marker is not None:
        return requirement
    return f"{requirement}; platform_python_implementation != 'PyPy'"


def missing_cffi_message(project_name: str, modules: Iterable[str], dynamic: bool) -> str:
    names = ", ".join(modules)
    where = (
        "Your dependencies are dynamic: add this requirement where they are defined (a "
        "requirements file named by tool.setuptools.dynamic, or setup.py's install_requires):"
        if dynamic
        else "Add this line to [project].dependencies in pyproject.toml:"
    )
    return (
        f"{project_name} builds cffi modules ({names}) that import cffi's _cffi_backend at run "
        "time, but its dependencies do not name cffi, so the wheel would fail at import with "
        "\"No module named '_cffi_backend'\".\n"
        f"{where}\n"
        f'    "{RUNTIME_REQUIREMENT}",\n'
        '(or set missing-cffi-dependency = "warn" in [tool.cffi-build-plugin] to only warn)'
    )
