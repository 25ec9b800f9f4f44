"""`migrate` and a cffi module with a dotted name under setup.py's ext_package.

setuptools' ext_package prefixes every extension name, dotted or not; the plugin's per-module
``package`` key prefixes only names without a dot (config/settings.py), and no key sets a
module's full name. So a builder's ``set_source("bindings._native")`` under
``ext_package="extpy"`` (extpy.bindings._native) keeps ext_package in setup.py, which the
plugin reads as setuptools does; modules without a dot still get ``package``. The variant of
tests/packages/migrate/ext-package-py built here is migrated through the real command and
built in isolation before and after on CPython 3.11, with its own tests run on each wheel.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.interpreters import Interpreter
from devtools.venvs import for_interpreter
from tests.conftest import snapshot, tree_changes
from tests.test_migrate import (
    PKG,
    ProjectCopy,
    assert_same_project,
    fixture,
    migrate,
    pyproject,
    write,
)
from tests.test_migrate_packaging import _with_build_requirements
from tests.wheels import build_wheel, names, run_project_tests

KEEPS = ("setup.py keeps ext_package: a cffi module's dotted name is prefixed by it (package "
         "only prefixes names without a dot)")


def _dotted_variant(root: Path) -> Path:
    """ext-package-py with its module named bindings._native (extpy.bindings._native)."""
    edits = {"src/bindings/build.py": ('"_native",', '"bindings._native",'),
             "src/extpy/bindings/__init__.py": ("extpy._native", "extpy.bindings._native"),
             "tests/test_extpy.py": ("from extpy import _native", "from extpy.bindings import "
                                     "_native")}
    for rel, (old, new) in edits.items():
        path = root / rel
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new).replace('"extpy._native"',
                                                       '"extpy.bindings._native"'))
    return root


def test_setup_py_keeps_ext_package_for_a_dotted_module_name(tmp_path: Path) -> None:
    builder = PKG["pkg/_build.py"].replace('"pkg._f"', '"sub._f"')
    other = PKG["pkg/_build.py"].replace('"pkg._f"', '"_g"')
    root = write(tmp_path / "p", {
        **PKG, "pkg/_build.py": builder, "pkg/_other.py": other, "pkg/sub/__init__.py": "",
        "setup.py": 'from setuptools import setup\n\nsetup(name="x", version="1", packages=['
                    '"pkg", "pkg.sub"], ext_package="pkg", cffi_modules=['
                    '"pkg/_build.py:ffibuilder", "pkg/_other.py:ffibuilder"])\n'})
    out = migrate(root)
    assert pyproject(root)["tool"]["cffi-build-plugin"]["modules"] == [
        "pkg/_build.py:ffibuilder", {"builder": "pkg/_other.py:ffibuilder", "package": "pkg"}]
    assert KEEPS in out
    assert ("pkg/_build.py:5: set_source() names the module 'sub._f', which ext_package 'pkg' "
            "makes pkg.sub._f: the package key only prefixes names without a dot, so the plugin "
            "prefixes this one with setup.py's ext_package, as setuptools did") in out
    assert 'setup(\n    ext_package="pkg",\n)' in (root / "setup.py").read_text()
    before = snapshot(root)
    migrate(root)  # a second run changes nothing
    assert tree_changes(before, snapshot(root)) == []


@pytest.mark.slow
def test_dotted_variant_builds_the_same_wheel(project_copy: ProjectCopy, tmp_path: Path,
                                              py311: Interpreter, tools,
                                              env: dict[str, str]) -> None:
    build_env = for_interpreter(py311, env)
    original_root = _with_build_requirements(_dotted_variant(
        project_copy("migrate/ext-package-py", "original")))
    original = build_wheel(tools(py311), original_root, tmp_path / "before", build_env)
    root = _dotted_variant(fixture(project_copy, "ext-package-py"))
    out = migrate(root, process=True)
    assert KEEPS in out
    converted = build_wheel(tools(py311), root, tmp_path / "after", build_env)
    assert [n for n in names(original) if n.startswith("extpy/bindings/_native.")]
    assert_same_project(original, converted, root)
    run_project_tests(py311, converted, root / "tests", tmp_path / "run", build_env)
