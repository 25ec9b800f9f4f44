"""The pyproject.toml of the small projects that tests and benchmarks write: one template, so
they differ only in what they say differently."""

from __future__ import annotations

import json
from collections.abc import Sequence

__all__ = ["CFFI_DEPENDENCY", "pyproject_text"]

#: The runtime dependency a cffi project declares (PyPy ships its own cffi).
CFFI_DEPENDENCY = "cffi>=1.15; platform_python_implementation != 'PyPy'"


def _array(values: Sequence[str]) -> str:
    return json.dumps(list(values))  # plain strings: JSON's quoting is TOML's


def pyproject_text(name: str, *, requires: str = "cffi-build-plugin",
                   dependencies: Sequence[str] = (CFFI_DEPENDENCY,),
                   requires_python: str | None = None, packages: Sequence[str] | None = None,
                   package_dir: str | None = None, modules: Sequence[str] | None = None) -> str:
    """A project *name* 1.0 built by setuptools with *requires*; [tool.setuptools] only with
    *packages* or *package_dir* (the folder of the root package), [tool.cffi-build-plugin]
    only with *modules* (an empty list: the table without a modules key)."""
    lines = ["[build-system]", f'requires = ["setuptools>=70.1", "{requires}"]',
             'build-backend = "setuptools.build_meta"', "", "[project]", f'name = "{name}"',
             'version = "1.0"']
    if requires_python:
        lines.append(f'requires-python = "{requires_python}"')
    lines.append(f"dependencies = {_array(dependencies)}")
    if packages is not None or package_dir is not None:
        lines += ["", "[tool.setuptools]"]
        if packages is not None:
            lines.append(f"packages = {_array(packages)}")
        if package_dir is not None:
            lines.append(f'package-dir = {{"" = "{package_dir}"}}')
    if modules is not None:
        lines += ["", "[tool.cffi-build-plugin]"]
        if modules:
            lines.append(f"modules = {_array(modules)}")
    return "\n".join(lines) + "\n"
