"""The interpreters users ship to now, really built and run: example_project and fixture
projects built in isolation by CPython 3.14 and 3.15 (Debian sid), free-threaded CPython 3.13
(built from source) and PyPy 3.11 with both of its ABIs (pp73, pp80), their tests run on the
installed wheels; and the abi3t (PEP 803) wheel built by CPython 3.15."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from packaging.tags import parse_tag

from cffi_build_plugin.check.wheel import check_wheel
from devtools.interpreters import Interpreter
from devtools.venvs import auditwheel_repair, for_interpreter, run
from tests.conftest import EXAMPLE, Tools, copy_project, gil_cpython, need_newer
from tests.wheels import PLATFORM, build_wheel, names, run_in_fresh_venv, run_project_tests, tag

pytestmark = pytest.mark.slow

EXAMPLE_PY = {"cffi_example/__init__.py", "cffi_example/_libc.py", "cffi_example/py.typed",
              "cffi_example/_cvec.pyi", "cffi_example/_fast.pyi", "cffi_example/_libc.pyi"}

#: name -> (the wheel's tag, its two modules' suffix) for example_project (requires-python
#: >= 3.9) built by that interpreter.
EXPECTED = {
    # CPython 3.15 lists .abi3-x86_64-linux-gnu.so first; 3.9-3.14 import .abi3.so only.
    "cpython3.14": ("cp39-abi3", ".abi3.so"),
    "cpython3.15": ("cp39-abi3", ".abi3.so"),
    # No stable ABI for free-threaded builds before 3.15.
    "cpython3.13t": ("cp313-cp313t", ".cpython-313t-x86_64-linux-gnu.so"),
    "pypy3.11-pp73": ("pp311-pypy311_pp73", ".pypy311-pp73-x86_64-linux-gnu.so"),
    "pypy3.11-pp80": ("pp311-pypy311_pp80", ".pypy311-pp80-x86_64-linux-gnu.so"),
}


def _build(builder: Interpreter, project: Path, out: Path, tools: Tools,
           env: dict[str, str]) -> Path:
    return build_wheel(tools(builder), project, out, for_interpreter(builder, env))


@pytest.mark.parametrize("name", list(EXPECTED))
def test_example_wheel_built_and_tested(name: str, tools: Tools, env: dict[str, str],
                                        tmp_path: Path) -> None:
    builder = need_newer(name)
    project = copy_project("example_project", tmp_path / "src")
    wheel = _build(builder, project, tmp_path / "dist", tools, env)
    expected_tag, suffix = EXPECTED[name]
    assert tag(wheel) == f"{expected_tag}-{PLATFORM}"
    assert names(wheel) == EXAMPLE_PY | {f"cffi_example/_cvec{suffix}",
                                         f"cffi_example/_fast{suffix}"}
    repaired = auditwheel_repair(wheel, tmp_path / "repaired")
    report = check_wheel(repaired, ["cffi_example._cvec", "cffi_example._fast"])
    assert report.ok, report.problems
    run_project_tests(builder, repaired, EXAMPLE / "tests", tmp_path / "own", env)


def test_abi3_wheel_built_by_315_runs_on_39(tools: Tools, env: dict[str, str],
                                            tmp_path: Path) -> None:
    """The reported bug: a cp39-abi3 wheel that CPython 3.15 built must import on 3.9."""
    builder = need_newer("cpython3.15")
    project = copy_project("example_project", tmp_path / "src")
    wheel = _build(builder, project, tmp_path / "dist", tools, env)
    assert tag(wheel) == f"cp39-abi3-{PLATFORM}"
    run_project_tests(gil_cpython(9), wheel, EXAMPLE / "tests", tmp_path / "on39", env)


@pytest.fixture(scope="module")
def abi3t_wheel(tools: Tools, env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
                ) -> Path:
    """example_project with requires-python >= 3.15, built by GIL CPython 3.15, repaired."""
    builder = need_newer("cpython3.15")
    work = tmp_path_factory.mktemp("abi3t")
    project = copy_project("example_project", work / "src")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert 'requires-python = ">=3.9"' in text
    pyproject.write_text(text.replace('requires-python = ">=3.9"', 'requires-python = ">=3.15"'))
    wheel = _build(builder, project, work / "dist", tools, env)
    return auditwheel_repair(wheel, work / "repaired")


def test_abi3t_wheel_serves_gil_and_free_threaded_315(abi3t_wheel: Path, env: dict[str, str],
                                                      tmp_path: Path) -> None:
    # One wheel for GIL and free-threaded 3.15+ (PEP 803): abi3t modules, named .abi3t.so.
    assert "-cp315-abi3.abi3t-manylinux" in abi3t_wheel.name
    assert {n for n in names(abi3t_wheel) if n.endswith(".so")} >= {
        "cffi_example/_cvec.abi3t.so", "cffi_example/_fast.abi3t.so"}
    report = check_wheel(abi3t_wheel, ["cffi_example._cvec", "cffi_example._fast"])
    assert report.ok, report.problems
    # Built and imported, tests passing, on GIL 3.15.
    run_project_tests(need_newer("cpython3.15"), abi3t_wheel, EXAMPLE / "tests", tmp_path, env)


@pytest.mark.parametrize(("abi", "version", "installs"), [
    ("cp315t", "3.15", True),  # free-threaded 3.15: packaging gives it cp315-abi3t
    ("cp315", "3.15", True),
    ("cp314t", "3.14", False),  # abi3t starts with 3.15
    ("cp314", "3.14", False),
])
def test_pip_picks_the_abi3t_wheel_by_tag_set(abi3t_wheel: Path, abi: str, version: str,
                                              installs: bool, env: dict[str, str],
                                              tmp_path: Path) -> None:
    """pip (packaging >= 26.1 inside) asked for a free-threaded 3.15's tags: the abi3.abi3t
    wheel installs, and an abi3-only one would not."""
    platform = next(iter(parse_tag(abi3t_wheel.name[:-4].split("-", 2)[2]))).platform
    proc = run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-index",
                "--find-links", abi3t_wheel.parent, "--only-binary=:all:", "--python-version",
                version, "--implementation", "cp", "--abi", abi, "--platform", platform,
                "--target", tmp_path / "target", "cffi-example"], env=env, check=False)
    assert (proc.returncode == 0) == installs, proc.stdout + proc.stderr
    if installs:
        assert "Would install cffi-example-0.1.0" in proc.stdout


def test_check_refuses_abi3_names_in_an_abi3t_wheel(abi3t_wheel: Path, tmp_path: Path) -> None:
    # The same wheel with its modules renamed .abi3.so: free-threaded 3.15 cannot import them.
    broken = tmp_path / abi3t_wheel.name
    with zipfile.ZipFile(abi3t_wheel) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            dst.writestr(item.filename.replace(".abi3t.so", ".abi3.so"), src.read(item))
    problems = check_wheel(broken).problems
    assert any("_cvec.abi3.so: free-threaded CPython 3.15" in p and
               "never imports *.abi3.so" in p for p in problems), problems


#: Fixture projects each new interpreter builds: (code run on the installed wheel, its output).
FIXTURES = {
    "flat-api": ("import flatapi; print(flatapi.magic())", "42"),  # API mode, floor 3.9
    "abi-only": ("import abionly; print(abionly.strlen(b'four'))", "4"),  # ABI mode: pure
    # A function builder and two modules; no requires-python: the floor is the builder's
    # own version, so CPython 3.15 builds abi3t.
    "siblings": ("import twomods; print(twomods.which())", "(1, 2)"),
}
SIBLINGS_TAG = {
    "cpython3.14": "cp314-abi3",
    "cpython3.15": "cp315-abi3.abi3t",
    "cpython3.13t": "cp313-cp313t",
    "pypy3.11-pp73": "pp311-pypy311_pp73",
    "pypy3.11-pp80": "pp311-pypy311_pp80",
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_fixture_projects_built_and_imported(name: str, tools: Tools, env: dict[str, str],
                                             tmp_path: Path) -> None:
    builder = need_newer(name)
    for project_name, (code, expected) in FIXTURES.items():
        project = copy_project(project_name, tmp_path / project_name)
        wheel = _build(builder, project, tmp_path / f"dist-{project_name}", tools, env)
        if project_name == "siblings":
            assert tag(wheel) == f"{SIBLINGS_TAG[name]}-{PLATFORM}"
        out = run_in_fresh_venv(builder, wheel, code, tmp_path / f"run-{project_name}", env)
        assert out.strip() == expected, (project_name, wheel.name)
