"""`migrate`'s requirement lists and the markers it writes for conditional cffi modules.

The cffi run-time dependency is added only where CPython builds a cffi module (PyPy bundles
cffi): never for a PyPy-only project, with the modules' markers for modules CPython builds
somewhere only. The markers themselves are simplified (``a and b or a and not b`` → ``a``),
and ``'pypy' in sys.version``, never true, is an error rather than a PyPy marker.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from cffi_build_plugin.migrate.conditions import parse, render, simplify
from cffi_build_plugin.migrate.marker_translation import Conditions, Untranslatable
from cffi_build_plugin.migrate.requirements import cffi_requirement
from tests.test_migrate import PKG, ProjectCopy, cli, fixture, migrate, pyproject, write

PYPY = "platform_python_implementation == 'PyPy'"
NOT_PYPY = "platform_python_implementation != 'PyPy'"
PLAIN = "cffi>=1.15; platform_python_implementation != 'PyPy'"
_HEAD = "import sys, os, platform\nfrom setuptools import setup\n\n"
_CALL = 'setup(name="p", version="1", packages=["pkg"], cffi_modules=cffi_modules)\n'
_BUILDER = "pkg/_build.py:ffibuilder"
_OTHER = "pkg/_other.py:ffibuilder"


def _condition(test: str) -> object:
    tree = ast.parse(f"import sys, os, platform\nx = {test}\n")
    node = tree.body[-1]
    assert isinstance(node, ast.Assign)
    return Conditions(tree).translate(node.value)


# -- the run-time dependency ---------------------------------------------------------------------

def test_pypy_only_fixture_gets_no_cffi_dependency(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "pypy-only")
    out = migrate(root)
    assert "dependencies" not in pyproject(root)["project"]
    assert ("no cffi run-time dependency added: every cffi module is built on PyPy only, "
            "which bundles cffi (CPython builds none)") in out


@pytest.mark.parametrize(("tests", "expected"), [
    pytest.param([], PLAIN, id="discovered"),
    pytest.param(["'PyPy' == platform.python_implementation() or os.name in ('nt',)"],
                 f"cffi>=1.15; {NOT_PYPY} and os_name == 'nt'", id="swapped"),
    pytest.param([None], PLAIN, id="unconditional"),
    pytest.param(["'PyPy' in sys.version"], None, id="pypy-only"),
    pytest.param(["sys.implementation.name == 'pypy'"], None, id="implementation-name"),
    pytest.param(["'PyPy' in sys.version", None], PLAIN, id="one-everywhere"),
    pytest.param(["'PyPy' not in sys.version"], PLAIN, id="cpython-only"),
    pytest.param(["sys.platform != 'win32'"], f"cffi>=1.15; {NOT_PYPY} and sys_platform != "
                 "'win32'", id="platform"),
    pytest.param(["'PyPy' in sys.version or os.name == 'nt'"],
                 f"cffi>=1.15; {NOT_PYPY} and os_name == 'nt'", id="pypy-or-windows"),
    pytest.param(["'PyPy' in sys.version", "sys.version_info >= (3, 10)"],
                 f"cffi>=1.15; {NOT_PYPY} and python_version >= '3.10'", id="two-modules"),
    pytest.param(["os.name == 'nt'", "os.name != 'nt'"], PLAIN, id="complementary"),
])
def test_cffi_requirement(tests: list[str | None], expected: str | None) -> None:
    modules = [(f"m{i}.py:ffi", None if t is None else render(_condition(t)))  # type: ignore[arg-type]
               for i, t in enumerate(tests)]
    found = cffi_requirement(modules)
    assert found == expected
    if found is not None:
        Requirement(found)


def test_a_module_cpython_builds_on_one_platform_is_required_there(tmp_path: Path) -> None:
    body = (f"cffi_modules = []\nif 'PyPy' in sys.version:\n    cffi_modules = ['{_BUILDER}']\n"
            f"if sys.platform == 'linux':\n    cffi_modules.append('{_OTHER}')\n")
    root = write(tmp_path / "p", {**PKG, "pkg/_other.py": PKG["pkg/_build.py"],
                                  "setup.py": _HEAD + body + _CALL})
    migrate(root)
    assert pyproject(root)["project"]["dependencies"] == [
        f"cffi>=1.15; {NOT_PYPY} and sys_platform == 'linux'"]


# -- the markers -----------------------------------------------------------------------------

@pytest.mark.parametrize("test", [
    "'pypy' in sys.version",
    "'PyPy' in sys.version.lower()",
    "'Pypy' in sys.version",
    "'pypy' not in sys.version",
])
def test_a_pypy_test_that_is_never_true_is_untranslatable(test: str) -> None:
    with pytest.raises(Untranslatable, match="this test is never true"):
        _condition(test)


@pytest.mark.parametrize(("test", "expected"), [
    ("'PyPy' in sys.version", PYPY),
    ("'pypy' in sys.version.lower()", PYPY),
    ("'PYPY' in sys.version.upper()", PYPY),
])
def test_the_exact_spellings_stay_pypy(test: str, expected: str) -> None:
    condition = _condition(test)
    assert render(condition) == expected  # type: ignore[arg-type]


def test_never_true_test_in_setup_py_is_an_error(tmp_path: Path) -> None:
    body = f"cffi_modules = []\nif 'pypy' in sys.version:\n    cffi_modules = ['{_BUILDER}']\n"
    root = write(tmp_path / "p", {**PKG, "setup.py": _HEAD + body + _CALL})
    proc = cli(root)
    assert proc.returncode == 10
    assert "setup.py:5: cffi_modules changes under `'pypy' in sys.version`" in proc.stderr
    assert "this test is never true" in proc.stderr


@pytest.mark.parametrize(("test", "expected"), [
    ("(sys.platform != 'win32' and os.name == 'nt') or (sys.platform != 'win32' and "
     "os.name != 'nt')", "sys_platform != 'win32'"),
    ("os.name == 'nt' or (os.name == 'nt' and sys.platform == 'win32')", "os_name == 'nt'"),
    ("os.name == 'nt' or os.name != 'nt'", None),
    ("os.name == 'nt' or sys.platform == 'win32'", "os_name == 'nt' or sys_platform == 'win32'"),
])
def test_simplify(test: str, expected: str | None) -> None:
    found = simplify(_condition(test))  # type: ignore[arg-type]
    assert (None if found is None else render(found)) == expected


def test_if_elif_else_append_marker_is_simplified(tmp_path: Path) -> None:
    body = (f"cffi_modules = []\nif sys.platform == 'win32':\n    pass\n"
            f"elif 'PyPy' in sys.version:\n    cffi_modules.append('{_BUILDER}')\n"
            f"else:\n    cffi_modules.append('{_BUILDER}')\n")
    root = write(tmp_path / "p", {**PKG, "setup.py": _HEAD + body + _CALL})
    migrate(root)
    assert pyproject(root)["tool"]["cffi-build-plugin"]["modules"] == [
        {"builder": _BUILDER, "when": "sys_platform != 'win32'"}]


@pytest.mark.parametrize(("text", "rendered"), [
    (PYPY, PYPY),
    (f"{PYPY} and (sys_platform != 'win32' or python_version >= '3.10')",
     f"{PYPY} and (sys_platform != 'win32' or python_version >= '3.10')"),
    (f"{NOT_PYPY} or os_name == 'nt' and platform_machine == 'x86_64'",
     f"{NOT_PYPY} or (os_name == 'nt' and platform_machine == 'x86_64')"),
    ("'PyPy' == platform_python_implementation", PYPY),
])
def test_parse_reads_back_what_render_writes(text: str, rendered: str) -> None:
    found = parse(text)
    assert found is not None
    assert render(found) == rendered


@pytest.mark.parametrize("text", ["'linux' in sys_platform",
                                  "platform_python_implementation === 'PyPy'"])
def test_parse_leaves_what_migrate_never_writes(text: str) -> None:
    assert parse(text) is None


def test_second_run_keeps_the_pypy_only_project_without_cffi(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "pypy-only")
    migrate(root)
    migrate(root)
    assert "dependencies" not in pyproject(root)["project"]
