"""migrate keeps the modules' names and the wheel's contents, and needs the ``[migrate]`` extra
only for what it translates (issue 17, patterns 3 to 5).

- ``ext_package`` (setup.py's keyword, setup.cfg's ``[options]`` key) becomes the ``package``
  of each module entry: pyproject.toml's ``[tool.setuptools]`` has no ``ext-package`` (the
  build fails on it), and left in setup.py the plugin's ``list`` and ``check --project`` never
  see it (tests/packages/migrate/ext-package-py, PyNaCl's shape; ext-package-cfg).
- Build inputs the wheel ships through package data (headers other projects compile against,
  the builder they reuse) keep shipping: ``ship-build-inputs = true``
  (tests/packages/migrate/shipped-inputs); a builder the wheel only held as a module of its
  package goes, and the report says so.
- A setup.cfg holding nothing migrate translates (an sdist's ``[egg_info]``, ``[tool:pytest]``)
  needs no ini2toml (tests/packages/migrate/egg-info-cfg); one that does, without the extra, is
  a missing tool (exit 8), not a wrong configuration.

The slow tests migrate each fixture through the real command (in a venv without the extra
where the project needs none), build the original and the migrated project in isolation on
CPython 3.11 and PyPy 3.9, compare METADATA and files, run the project's own tests against
the wheel, and ask ``list`` and ``check --project``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from devtools.interpreters import Interpreter
from devtools.venvs import auditwheel_repair, for_interpreter, make_venv
from tests.conftest import snapshot, tree_changes
from tests.test_migrate import (
    PKG,
    ProjectCopy,
    _env,
    assert_lines,
    assert_same_project,
    cli,
    cli_process,
    fixture,
    line_starting,
    migrate,
    pyproject,
    write,
)
from tests.wheels import PLATFORM, build_wheel, run_project_tests, tag

PLUGIN = "cffi-build-plugin"
#: The full name of each fixture's module.
MODULES = {"ext-package-py": "extpy._native", "ext-package-cfg": "extcfg._gcd",
           "shipped-inputs": "shipin._ring", "egg-info-cfg": "eggcfg._pop"}
#: Fixtures whose migration needs ini2toml (their setup.cfg has [metadata]/[options]).
NEEDS_EXTRA = {"ext-package-cfg"}
SHIPPED = ("kept shipping shipin/_build.py, shipin/include/ring_size.h, shipin/include/shipin.h "
           "in the wheel (package_data lists them): [tool.cffi-build-plugin] ship-build-inputs "
           "= true (the plugin leaves builders and their C files out of wheels by default)")


def listed_modules(root: Path) -> list[str]:
    """The module names ``cffi-build-plugin list --json`` shows for the project."""
    proc = subprocess.run([sys.executable, "-m", "cffi_build_plugin", "list", "--json",
                           str(root)], capture_output=True, text=True, env=_env(),
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [m["module"] for m in json.loads(proc.stdout)["modules"]]


def modules_table(root: Path) -> Any:
    return pyproject(root)["tool"][PLUGIN]["modules"]


# -- ext_package ----------------------------------------------------------------------------


def test_ext_package_from_setup_py_becomes_the_modules_package(
        project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "ext-package-py")
    out = migrate(root)
    assert modules_table(root) == [{"builder": "src/bindings/build.py:ffi", "package": "extpy"}]
    assert "ext-package" not in pyproject(root)["tool"]["setuptools"]
    assert not (root / "setup.py").exists()  # ext_package was all that stayed
    assert_lines(out, [
        'ext_package = "extpy" → package = "extpy" in each of [tool.cffi-build-plugin].modules '
        "(pyproject.toml's [tool.setuptools] has no ext-package; cffi-build-plugin names the "
        "modules with it)"])
    assert not [line for line in out if "ext_package: not a keyword" in line]
    assert listed_modules(root) == ["extpy._native"]


def test_ext_package_from_setup_cfg_becomes_the_modules_package(
        project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "ext-package-cfg")
    out = migrate(root)
    assert modules_table(root) == [{"builder": "extcfg/_build.py:ffibuilder",
                                    "package": "extcfg"}]
    setuptools = pyproject(root)["tool"]["setuptools"]
    assert {"ext-package", "ext_package"}.isdisjoint(setuptools)
    # Its comment went with it, rather than sit above another key.
    assert "names the module inside this package" not in (root / "pyproject.toml").read_text()
    assert (root / "setup.cfg").read_text() == "[flake8]\nmax-line-length = 100\n"
    line_starting(out, 'ext_package = "extcfg" → package = "extcfg"')
    assert listed_modules(root) == ["extcfg._gcd"]


_EXT_SETUP = ('from setuptools import Extension, setup\n\nsetup(name="x", version="1", '
              'packages=["pkg"], {ext_package}ext_modules=[Extension("_speed", ["pkg/speed.c"])],'
              ' cffi_modules=["pkg/_build.py:ffibuilder"])\n')
_UNQUALIFIED = {"pkg/_build.py": PKG["pkg/_build.py"].replace('"pkg._f"', '"_f"')}


def test_ext_package_stays_in_setup_py_for_the_c_extensions_it_names(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {**PKG, **_UNQUALIFIED,
                                  "setup.py": _EXT_SETUP.format(ext_package='ext_package="pkg", ')})
    out = migrate(root)
    assert modules_table(root) == [{"builder": "pkg/_build.py:ffibuilder", "package": "pkg"}]
    text = (root / "setup.py").read_text()
    assert 'ext_package="pkg"' in text
    assert "ext_modules=" in text
    assert_lines(out, ["setup.py keeps ext_package: the C extensions in ext_modules are named "
                       "inside it (the cffi modules get [tool.cffi-build-plugin]'s package = "
                       "'pkg')"])
    assert listed_modules(root) == ["pkg._f"]


def test_setup_cfg_keeps_ext_package_for_the_c_extensions_setup_py_builds(
        tmp_path: Path) -> None:
    root = write(tmp_path / "p", {
        **PKG, **_UNQUALIFIED, "setup.py": _EXT_SETUP.format(ext_package=""),
        "setup.cfg": "[metadata]\ndescription = d\n\n[options]\nzip_safe = False\n"
                     "ext_package = pkg\n\n[flake8]\nmax-line-length = 100\n"})
    migrate(root)
    assert modules_table(root) == [{"builder": "pkg/_build.py:ffibuilder", "package": "pkg"}]
    assert (root / "setup.cfg").read_text() == (
        "[options]\next_package = pkg\n\n[flake8]\nmax-line-length = 100\n")
    assert pyproject(root)["tool"]["setuptools"]["zip-safe"] is False


def test_ext_package_in_pyproject_tool_setuptools_moves_too(tmp_path: Path) -> None:
    """setuptools rejects [tool.setuptools] ext-package; a pyproject.toml that has it (written
    by hand, or by an older migrate) gets the same package keys."""
    root = write(tmp_path / "p", {
        **PKG, **_UNQUALIFIED,
        "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["cffi"]\n\n'
                          '[tool.setuptools]\npackages = ["pkg"]\next-package = "pkg"\n',
        "setup.py": 'from setuptools import setup\n\n'
                    'setup(cffi_modules=["pkg/_build.py:ffibuilder"])\n'})
    migrate(root)
    assert pyproject(root)["tool"]["setuptools"] == {"packages": ["pkg"]}
    assert modules_table(root) == [{"builder": "pkg/_build.py:ffibuilder", "package": "pkg"}]


def test_a_dotted_module_name_under_ext_package_from_pyproject_is_an_error_naming_the_line(
        tmp_path: Path) -> None:
    """ext_package also prefixes dotted names; the package key does not. setup.py's
    ext_package can stay for them (tests/test_migrate_ext_package_dotted.py); one written in
    pyproject.toml's [tool.setuptools] cannot: say what to write."""
    builder = PKG["pkg/_build.py"].replace('"pkg._f"', '"sub._f"')
    root = write(tmp_path / "p", {
        **PKG, "pkg/_build.py": builder,
        "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["cffi"]\n\n'
                          '[tool.setuptools]\npackages = ["pkg"]\next-package = "pkg"\n',
        "setup.py": 'from setuptools import setup\n\n'
                    'setup(cffi_modules=["pkg/_build.py:ffibuilder"])\n'})
    before = snapshot(root)
    proc = cli(root)
    assert proc.returncode == 10, proc.stdout + proc.stderr
    assert ("pkg/_build.py:5: set_source() names the module 'sub._f', which ext_package 'pkg' "
            "makes pkg.sub._f; the package key of [tool.cffi-build-plugin].modules only "
            'prefixes names without a dot: write set_source("pkg.sub._f", ...), then run '
            "migrate again (ext_package goes: nothing else is named inside it)") in proc.stderr
    assert tree_changes(before, snapshot(root)) == []


# -- build inputs the wheel ships -------------------------------------------------------------


def test_build_inputs_package_data_ships_keep_shipping(project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "shipped-inputs")
    out = migrate(root)
    table = pyproject(root)["tool"][PLUGIN]
    assert table == {"modules": ["shipin/_build.py:ffibuilder"], "ship-build-inputs": True}
    assert_lines(out, [SHIPPED])


_HEADER_BUILDER = ('from cffi import FFI\n\nffibuilder = FFI()\nffibuilder.cdef("int f(void);")\n'
                   'ffibuilder.set_source("pkg._f", \'#include "f.h"\', '
                   'include_dirs=["pkg/include"]{sources})\n')


@pytest.mark.parametrize(("files", "keywords", "shipped"), [
    pytest.param({"MANIFEST.in": "recursive-include pkg *.h\n"}, "include_package_data=True",
                 ["pkg/include/f.h"], id="manifest-in"),
    pytest.param({"MANIFEST.in": "graft pkg\nglobal-exclude *.h\n"},
                 "include_package_data=True", [], id="manifest-in-excludes-them"),
    pytest.param({"MANIFEST.in": "recursive-include pkg *.h\n"}, "", [],
                 id="manifest-in-without-include-package-data"),
    pytest.param({}, 'package_data={"": ["**/*.h"]}', ["pkg/include/f.h"],
                 id="package-data-for-every-package"),
    pytest.param({}, 'package_data={"pkg": ["include/*.h"]}, exclude_package_data={"pkg": '
                     '["include/f.h"]}', [], id="package-data-excluded"),
    pytest.param({"pkg/src/f.c": "int f(void) { return 1; }\n"}, "include_package_data=True",
                 ["pkg/src/f.c"], id="include-package-data-ships-sources"),
])
def test_what_package_data_ships_is_read_as_setuptools_reads_it(
        tmp_path: Path, files: dict[str, str], keywords: str, shipped: list[str]) -> None:
    sources = ', sources=["pkg/src/f.c"]' if "pkg/src/f.c" in files else ""
    root = write(tmp_path / "p", {
        "pkg/__init__.py": "", "pkg/include/f.h": "int f(void);\n",
        "pkg/_build.py": _HEADER_BUILDER.format(sources=sources), **files,
        "setup.py": 'from setuptools import setup\n\nsetup(name="x", version="1", '
                    f'packages=["pkg"], {keywords + ", " if keywords else ""}'
                    'cffi_modules=["pkg/_build.py:ffibuilder"])\n'})
    out = migrate(root)
    table = pyproject(root)["tool"][PLUGIN]
    if shipped:
        assert table.get("ship-build-inputs") is True
        line = line_starting(out, "kept shipping ")
        assert line.startswith(f"kept shipping {', '.join(['pkg/_build.py', *shipped])} in "
                               "the wheel ("), line
    else:
        assert "ship-build-inputs" not in table
        assert_lines(out, ["the wheel no longer holds pkg/_build.py: the plugin leaves builder "
                           "scripts out of wheels (the sdist carries them); ship-build-inputs "
                           "= true in [tool.cffi-build-plugin] keeps them"])


def test_a_builder_outside_the_packages_is_not_mentioned(project_copy: ProjectCopy) -> None:
    out = migrate(fixture(project_copy, "ext-package-py"))
    assert not [line for line in out if "ship" in line or "no longer holds" in line]


def test_ship_build_inputs_the_project_set_is_kept(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {
        "pkg/__init__.py": "", "pkg/include/f.h": "int f(void);\n",
        "pkg/_build.py": _HEADER_BUILDER.format(sources=""),
        "pyproject.toml": f"[tool.{PLUGIN}]\nship-build-inputs = false\n",
        "setup.py": 'from setuptools import setup\n\nsetup(name="x", version="1", '
                    'packages=["pkg"], package_data={"pkg": ["include/*.h"]}, '
                    'cffi_modules=["pkg/_build.py:ffibuilder"])\n'})
    out = migrate(root)
    assert pyproject(root)["tool"][PLUGIN]["ship-build-inputs"] is False
    assert not [line for line in out if "ship" in line or "no longer holds" in line]


# -- setup.cfg and the [migrate] extra ----------------------------------------------------------


@pytest.fixture
def without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """ini2toml and configupdater not importable, as without `[migrate]`."""
    for name in ("ini2toml", "ini2toml.api", "configupdater", "configupdater.parser"):
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.usefixtures("without_the_extra")
def test_a_setup_cfg_with_nothing_to_translate_needs_no_extra(
        project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "egg-info-cfg")
    cfg = (root / "setup.cfg").read_bytes()
    out = migrate(root)
    assert (root / "setup.cfg").read_bytes() == cfg  # [egg_info] and [tool:pytest] stay
    assert not (root / "setup.py").exists()
    assert not [line for line in out if "setup.cfg" in line or "egg_info" in line]
    assert modules_table(root) == ["eggcfg/_build.py:ffibuilder"]


@pytest.mark.usefixtures("without_the_extra")
def test_a_setup_cfg_to_translate_without_the_extra_is_a_missing_tool(
        project_copy: ProjectCopy) -> None:
    root = fixture(project_copy, "ext-package-cfg")
    before = snapshot(root)
    proc = cli(root)
    assert (proc.returncode, proc.stdout) == (8, ""), proc.stderr
    assert proc.stderr == (
        f"ERROR {root / 'setup.cfg'} has [metadata], [options], [options.packages.find] for "
        "migrate to move into pyproject.toml, which it does with ini2toml and configupdater, "
        "not installed here: pip install 'cffi-build-plugin[migrate]'\n")
    assert tree_changes(before, snapshot(root)) == []


def test_a_broken_setup_cfg_is_named_with_or_without_the_extra(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    root = write(tmp_path / "p", {**PKG, "setup.cfg": "[egg_info\ntag_build =\n",
                                  "setup.py": 'from setuptools import setup\nsetup(name="x", '
                                              'cffi_modules=["pkg/_build.py:ffibuilder"])\n'})
    with_extra = cli(root)
    monkeypatch.setitem(sys.modules, "ini2toml", None)
    without = cli(root)
    assert with_extra.returncode == without.returncode == 10
    assert with_extra.stderr == without.stderr
    assert f"cannot migrate {root / 'setup.cfg'}:\n  - not a valid setup.cfg" in without.stderr


# -- the migrated projects, built ---------------------------------------------------------------


@pytest.fixture(scope="module")
def bare_plugin(py311: Interpreter, env: dict[str, str],
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the plugin's wheel and no extras: no ini2toml, no configupdater."""
    python = make_venv(py311, tmp_path_factory.mktemp("bare") / "venv", [PLUGIN], env=env)
    probe = subprocess.run([python, "-c", "import ini2toml"], capture_output=True, check=False)
    assert probe.returncode == 1
    return python


def _migrate_as_users_do(bare_python: Path, root: Path, case: str) -> None:
    """Without the extra where the project needs none; else it must say to install it."""
    proc = subprocess.run([bare_python, "-m", "cffi_build_plugin", "migrate", str(root)],
                          capture_output=True, text=True, env=_env(), cwd=root.parent,
                          timeout=120, check=False)
    if case in NEEDS_EXTRA:
        assert proc.returncode == 8, proc.stdout + proc.stderr
        assert "pip install 'cffi-build-plugin[migrate]'" in proc.stderr
        proc = cli_process(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def _with_build_requirements(original: Path) -> Path:
    """The original as pip builds it in isolation: setup.py needs cffi to read cffi_modules."""
    (original / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=70.1", '
        "\"cffi>=1.15; platform_python_implementation != 'PyPy'\"]\n"
        'build-backend = "setuptools.build_meta"\n')
    return original


def _check_project(root: Path, wheel: Path, tmp_path: Path, env: dict[str, str]) -> None:
    """`check --project` passes the wheel repaired as cibuildwheel repairs it."""
    repaired = auditwheel_repair(wheel, tmp_path / "repaired", env)
    proc = subprocess.run([sys.executable, "-m", "cffi_build_plugin", "check", "--project",
                           str(root), str(repaired)], capture_output=True, text=True,
                          env=_env(), timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("OK "), proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("interpreter", [
    "py311", pytest.param("pypy39", marks=pytest.mark.pypy)])
@pytest.mark.parametrize("case", sorted(MODULES))
def test_migrated_project_builds_in_isolation_and_is_the_same_project(
        project_copy: ProjectCopy, tmp_path: Path, request: pytest.FixtureRequest, tools,
        env: dict[str, str], bare_plugin: Path, case: str, interpreter: str) -> None:
    interp: Interpreter = request.getfixturevalue(interpreter)
    build_env = for_interpreter(interp, env)
    original_root = _with_build_requirements(project_copy(f"migrate/{case}", f"{case}-original"))
    original = build_wheel(tools(interp), original_root, tmp_path / "dist-original", build_env)
    root = fixture(project_copy, case)
    _migrate_as_users_do(bare_plugin, root, case)
    converted = build_wheel(tools(interp), root, tmp_path / "dist-converted", build_env)

    assert_same_project(original, converted, root)  # METADATA, and the files
    expected_tag = f"pp39-pypy39_pp73-{PLATFORM}" if interp.implementation == "pypy" \
        else f"cp39-abi3-{PLATFORM}"
    assert tag(converted) == expected_tag
    run_project_tests(interp, converted, root / "tests", tmp_path / "run", build_env)
    assert listed_modules(root) == [MODULES[case]]
    _check_project(root, converted, tmp_path, env)
