"""A module's `when` marker (issue 17, pattern 1): parsed and checked at load, shown by `list`,
honoured by the build, the sdist and `check --project`; tests/packages/pypy-only-module is
the issue's shape (a C extension from setup.py on CPython, a cffi module on PyPy only)."""

from __future__ import annotations

import json
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.utils import parse_wheel_filename

from devtools.venvs import auditwheel_repair, for_interpreter, isolated_build, run
from tests.conftest import copy_project
from tests.wheels import PLATFORM, names, run_project_tests, tag

PYPY_ONLY = "platform_python_implementation == 'PyPy'"
CPYTHON_ONLY = "platform_python_implementation == 'CPython'"
MODULE = "interp_split._ffi"
SKIPPED_ON_311 = (f'module {MODULE} (interp_split/_build.py:ffi) skipped: when = "{PYPY_ONLY}" '
                  "is false on CPython 3.11")


def cli(*args: object) -> tuple[int, str, str]:
    proc = run([sys.executable, "-m", "cffi_build_plugin", *args], check=False)
    return proc.returncode, proc.stdout, proc.stderr


def project_with(tmp_path: Path, when: object) -> Path:
    """The fixture with its one module's `when` replaced (a TOML value, as written)."""
    project = copy_project("pypy-only-module", tmp_path / "proj")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace(f'when = "{PYPY_ONLY}"', f"when = {when}"))
    return project


# -- load, list ----------------------------------------------------------------------------

def test_list_marks_the_module_this_interpreter_skips(tmp_path: Path) -> None:
    project = copy_project("pypy-only-module", tmp_path / "proj")
    code, out, err = cli("list", project)
    assert code == 0, err
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert (f"{MODULE}  API   interp_split/_build.py:ffi (not built on CPython {version}: "
            f"when {PYPY_ONLY})") in out
    code, out, err = cli("list", "--json", project)
    data = json.loads(out)
    assert data["interpreter"] == f"CPython {version}"
    (module,) = data["modules"]
    assert module == {"module": MODULE, "mode": "API", "builder": "interp_split/_build.py:ffi",
                      "optional": False, "py_limited_api": "auto", "when": PYPY_ONLY,
                      "built_here": False}


def test_list_shows_a_true_marker_as_built(tmp_path: Path) -> None:
    project = project_with(tmp_path, "\"platform_python_implementation == 'CPython'\"")
    data = json.loads(cli("list", "--json", project)[1])
    assert data["modules"][0]["built_here"] is True
    assert "(when platform_python_implementation == 'CPython')" in cli("list", project)[1]


@pytest.mark.parametrize(("when", "says"), [
    ("\"platform_python_implemntation == 'PyPy'\"",
     "\"platform_python_implemntation == 'PyPy'\" is not a PEP 508 environment marker "
     "(packaging: Expected a marker variable or quoted string at "
     "\"platform_python_implemntation == 'PyPy'\"; did you mean "
     "platform_python_implementation?)"),
    ("\"python_version >= 3\"",
     "'python_version >= 3' is not a PEP 508 environment marker (packaging: Expected a marker "
     "variable or quoted string at '3')"),
    ("\"extra == 'speedups'\"", "\"extra == 'speedups'\" asks for extra, which only an "
                                 "installer knows"),
    ("true", "expected an environment marker string like"),
])
def test_a_wrong_marker_fails_at_load_naming_key_marker_and_example(
        tmp_path: Path, when: str, says: str) -> None:
    project = project_with(tmp_path, when)
    code, out, err = cli("list", project)
    assert code == 3, out + err
    assert f"invalid configuration in {project / 'pyproject.toml'}" in err
    assert f"tool.cffi-build-plugin.modules[0].when: {says}" in err
    assert "Traceback" not in err
    if "expected an environment" not in says:
        assert f'for example when = "{PYPY_ONLY}"' in err


# -- what check --project expects of a wheel, from its tags --------------------------------

def _wheel(folder: Path, name: str, files: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / name
    dist = name.split("-", 1)[0] + "-1.0.dist-info"
    with zipfile.ZipFile(wheel, "w") as zf:
        for file in files:
            zf.writestr(file, "")
        zf.writestr(f"{dist}/METADATA", "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n")
    return wheel


def _expect(wheel_name: str, when: str) -> object:
    from cffi_build_plugin.check.expected import ExpectedModule, expectations

    tags = parse_wheel_filename(wheel_name)[3]
    return expectations(tags, "T", [ExpectedModule(MODULE, when)])


def test_expectations_follow_the_tags() -> None:
    pypy = _expect("x-1.0-pp39-pypy39_pp73-manylinux_2_17_x86_64.whl", PYPY_ONLY)
    assert (pypy.required, pypy.excluded, pypy.problems) == ([MODULE], {}, [])
    cpython = _expect("x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", PYPY_ONLY)
    assert cpython.required == []
    assert cpython.excluded == {
        MODULE: "its marker is false on CPython 3.11 on manylinux_2_17_x86_64"}
    arm = _expect("x-1.0-cp311-cp311-manylinux_2_17_aarch64.whl",
                  "platform_machine == 'aarch64'")
    assert arm.required == [MODULE]
    windows = _expect("x-1.0-cp311-cp311-win_amd64.whl", "sys_platform == 'win32'")
    assert windows.required == [MODULE]


def test_an_abi3_wheel_stands_for_every_cpython_from_its_floor() -> None:
    split = _expect("x-1.0-cp39-abi3-manylinux_2_17_x86_64.whl", "python_version >= '3.12'")
    (problem,) = split.problems
    assert problem.startswith(f"""{MODULE} (when = "python_version >= '3.12'"): the tag T """
                              "admits CPython 3.12 on manylinux_2_17_x86_64 ... CPython 3.15 "
                              "on manylinux_2_17_x86_64, where the marker is true, and "
                              "CPython 3.9 on manylinux_2_17_x86_64, CPython 3.10 on "
                              "manylinux_2_17_x86_64, CPython 3.11 on manylinux_2_17_x86_64, "
                              "where it is false")
    assert _expect("x-1.0-cp39-abi3-manylinux_2_17_x86_64.whl",
                   "python_version >= '3.9'").required == [MODULE]


def test_what_the_tag_cannot_tell_is_said_not_guessed() -> None:
    release = _expect("x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                      "platform_release >= '6'")
    assert (release.required, release.excluded, release.problems) == ([], {}, [])
    assert release.notes == [f"""{MODULE} (when = "platform_release >= '6'"): the tag T does """
                             "not tell platform_release, so whether the wheel should hold it "
                             "is unchecked"]
    pure = _expect("x-1.0-py3-none-any.whl", PYPY_ONLY)
    assert pure.notes
    assert "does not tell platform_python_implementation" in pure.notes[0]


def test_check_project_on_wheels_with_and_without_the_module(tmp_path: Path) -> None:
    project = copy_project("pypy-only-module", tmp_path / "proj")
    lacking = _wheel(tmp_path / "a", "interp_split-1.0-pp39-pypy39_pp73-any.whl",
                     ["interp_split/__init__.py"])
    code, out, _ = cli("check", "--project", project, lacking)
    assert code == 1, out
    assert (f"the project declares cffi module {MODULE}, but the wheel does not hold it"
            in out)
    # A CPython wheel need not hold it, and must not.
    cp = _wheel(tmp_path / "b", "interp_split-1.0-cp311-none-any.whl",
                ["interp_split/__init__.py"])
    code, out, _ = cli("check", "--project", project, cp)
    assert code == 0, out
    wrong = _wheel(tmp_path / "c", "interp_split-1.0-cp311-none-any.whl",
                   ["interp_split/__init__.py", "interp_split/_ffi.py"])
    code, out, _ = cli("check", "--project", project, wrong)
    assert code == 1, out
    assert (f"the wheel holds cffi module {MODULE}, but its marker is false on CPython 3.11 "
            "on any") in out


# -- real builds ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cpython_build(py311, tools, env, tmp_path_factory) -> tuple[Path, Path, str]:
    """`python -m build` on CPython 3.11: the sdist, the wheel built from it, the log."""
    work = tmp_path_factory.mktemp("markers-cp311")
    project = copy_project("pypy-only-module", work / "src")
    out = work / "dist"
    proc = isolated_build(tools(py311), project, out, wheel=False,
                          env=for_interpreter(py311, env))
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel, proc.stdout + proc.stderr


@pytest.mark.slow
def test_cpython_wheel_holds_the_c_extension_only(cpython_build, py311, env,
                                                  tmp_path: Path) -> None:
    sdist, wheel, log = cpython_build
    assert SKIPPED_ON_311 in log
    # The sdist serves PyPy too: the skipped module's builder is in it.
    assert {"interp_split/_build.py", "interp_split/_speedups.c", "setup.py"} <= names(sdist)
    assert tag(wheel) == f"cp311-cp311-{PLATFORM}"
    # The C source of setup.py's own extension is package data, as setuptools ships it;
    # the skipped module's builder is left out like any builder.
    assert names(wheel) == {"interp_split/__init__.py", "interp_split/_speedups.c",
                            "interp_split/_speedups.cpython-311-x86_64-linux-gnu.so"}
    run_project_tests(py311, wheel, Path(__file__).parent / "packages" / "pypy-only-module"
                      / "tests", tmp_path, env)


@pytest.mark.slow
@pytest.mark.pypy
def test_pypy_wheel_from_the_cpython_sdist_holds_the_cffi_module(
        cpython_build, pypy39, tools, env, tmp_path: Path) -> None:
    sdist, cp_wheel, _ = cpython_build
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp_path / "unpacked")
    (source,) = (tmp_path / "unpacked").iterdir()
    out = tmp_path / "dist"
    proc = isolated_build(tools(pypy39), source, out, env=for_interpreter(pypy39, env))
    assert "skipped: when" not in proc.stdout + proc.stderr
    (wheel,) = out.glob("*.whl")
    assert tag(wheel) == f"pp39-pypy39_pp73-{PLATFORM}"
    assert names(wheel) == {"interp_split/__init__.py", "interp_split/_ffi.pyi",
                            "interp_split/_ffi.pypy39-pp73-x86_64-linux-gnu.so"}
    tests = Path(__file__).parent / "packages" / "pypy-only-module" / "tests"
    run_project_tests(pypy39, wheel, tests, tmp_path / "run", env)

    # check --project: both wheels (repaired, as cibuildwheel does) pass ...
    dist = tmp_path / "repaired"
    dist.mkdir()
    for number, built in enumerate((cp_wheel, wheel)):
        repaired = auditwheel_repair(built, tmp_path / f"repair-{number}", env)
        shutil.copy(repaired, dist / repaired.name)
    code, out, _ = cli("check", "--project", source, dist)
    assert code == 0, out
    assert out.count("OK ") == 2, out
    # ... and a PyPy wheel without the module fails, naming it.
    (pp,) = dist.glob("*pp39*.whl")
    broken = tmp_path / "broken" / pp.name
    broken.parent.mkdir()
    with zipfile.ZipFile(pp) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            if "/_ffi." not in item.filename:
                dst.writestr(item, src.read(item))
    code, out, _ = cli("check", "--project", source, broken)
    assert code == 1, out
    assert f"the project declares cffi module {MODULE}, but the wheel does not hold it" in out


@pytest.mark.slow
@pytest.mark.parametrize(("fixture", "modules", "expected_tag", "says"), [
    # An abi3 wheel from a 3.9 floor would serve 3.9, where this marker is false.
    ("flat-api", """[{ builder = "build_flatapi.py:ffibuilder", """
                 """when = "python_version >= '3.10'" }]""",
     f"cp311-cp311-{PLATFORM}", "building version-specific modules, not abi3"),
    # A pure wheel holding a CPython-only module: not for PyPy, so not py3-none-any.
    ("abi-only", """[{ builder = "src/abionly/ffi_build.py:ffibuilder", """
                 """when = "platform_python_implementation == 'CPython'" }]""",
     "cp311-none-any", "tagging the pure wheel for this interpreter"),
    # The full version is the interpreter's: no platform in the tag.
    ("abi-only", """[{ builder = "src/abionly/ffi_build.py:ffibuilder", """
                 """when = "python_full_version >= '3.9.1'" }]""",
     "cp311-none-any", "tagging the pure wheel for this interpreter:"),
    # A platform marker: right to install here (pip from the sdist), said to be no upload.
    ("abi-only", """[{ builder = "src/abionly/ffi_build.py:ffibuilder", """
                 """when = "sys_platform == 'linux'" }]""",
     f"cp311-none-{PLATFORM}", "right to install here, not to publish"),
])
def test_markers_narrow_the_tag_where_one_wheel_would_promise_too_much(
        py311, tools, env, tmp_path: Path, fixture: str, modules: str, expected_tag: str,
        says: str) -> None:
    project = copy_project(fixture, tmp_path / "proj")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    head, _, _ = text.partition("[tool.cffi-build-plugin]")
    pyproject.write_text(f"{head}[tool.cffi-build-plugin]\nmodules = {modules}\n")
    out = tmp_path / "out"
    proc = isolated_build(tools(py311), project, out, env=for_interpreter(py311, env))
    assert says in proc.stdout + proc.stderr
    (wheel,) = out.glob("*.whl")
    assert tag(wheel) == expected_tag


# -- what a marker reads: interpreter or platform; cross-compiling -------------------------

@pytest.mark.parametrize("variable", ["python_full_version", "implementation_version"])
def test_full_versions_are_the_interpreters(variable: str) -> None:
    from cffi_build_plugin.modules.markers import INTERPRETER_VARIABLES, marker_variables

    # A pure wheel whose marker reads only these is right for this interpreter anywhere.
    assert marker_variables(f"{variable} >= '3.9.1'") <= INTERPRETER_VARIABLES


@pytest.mark.parametrize(("variables", "expected"), [
    # cibuildwheel's macOS arm64 build on an x86_64 runner.
    ({"_PYTHON_HOST_PLATFORM": "macosx-11.0-arm64", "ARCHFLAGS": "-arch arm64"},
     {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"}),
    ({"_PYTHON_HOST_PLATFORM": "linux-aarch64"},
     {"sys_platform": "linux", "platform_machine": "aarch64"}),
    # universal2: one module for two machines, so ARCHFLAGS decides only when it names one.
    ({"_PYTHON_HOST_PLATFORM": "macosx-10.9-universal2", "ARCHFLAGS": "-arch x86_64"},
     {"sys_platform": "darwin", "platform_machine": "x86_64"}),
])
def test_a_cross_compile_is_evaluated_for_its_target(variables: dict[str, str],
                                                     expected: dict[str, str]) -> None:
    from cffi_build_plugin.modules.markers import build_environment

    env = build_environment(variables=variables)
    assert {k: env[k] for k in expected} == expected
    # wheel --target's machine wins over the variables.
    assert build_environment("ppc64le", variables)["platform_machine"] == "ppc64le"


def test_several_archs_leave_the_machine_the_hosts() -> None:
    from packaging.markers import default_environment

    from cffi_build_plugin.modules.markers import build_environment

    both = {"_PYTHON_HOST_PLATFORM": "macosx-10.9-universal2",
            "ARCHFLAGS": "-arch arm64 -arch x86_64"}
    assert build_environment(variables=both)["platform_machine"] == \
        default_environment()["platform_machine"]


def test_list_follows_pythons_host_platform(tmp_path: Path, monkeypatch) -> None:
    project = project_with(tmp_path, "\"platform_machine == 'aarch64'\"")
    monkeypatch.setenv("_PYTHON_HOST_PLATFORM", "linux-aarch64")
    data = json.loads(cli("list", "--json", project)[1])
    assert data["modules"][0]["built_here"] is True


@pytest.mark.slow
@pytest.mark.pypy
def test_pypy_build_left_pure_by_a_marker_is_one_cibuildwheel_skips(pypy39, tools, env,
                                                                     tmp_path: Path) -> None:
    """A compiled-only project for CPython: PyPy's wheel is pure (pp39-none-any, which
    cibuildwheel stops on), so init's table skips PyPy, per cibuildwheel's own identifiers."""
    from cffi_build_plugin.edits.files import apply_changes
    from cffi_build_plugin.init.changes import init_changes
    from tests.checks import cibuildwheel_identifiers

    project = copy_project("flat-api", tmp_path / "proj")
    pyproject = project / "pyproject.toml"
    head, _, _ = pyproject.read_text().partition("[tool.cffi-build-plugin]")
    pyproject.write_text(f"{head}[tool.cffi-build-plugin]\nmodules = [{{ builder = "
                         f'"build_flatapi.py:ffibuilder", when = "{CPYTHON_ONLY}" }}]\n')
    out = tmp_path / "out"
    isolated_build(tools(pypy39), project, out, env=for_interpreter(pypy39, env))
    (wheel,) = out.glob("*.whl")
    assert tag(wheel) == "pp39-none-any"
    apply_changes(init_changes(project).changes)
    ids = cibuildwheel_identifiers(project, "linux", "x86_64")
    assert "cp311-manylinux_x86_64" in ids
    assert not [i for i in ids if i.startswith("pp39")], ids
