"""Builds that leave no trace, give the same bytes twice, and run side by side.

- A wheel or sdist build leaves the source tree exactly as it was (every path and byte).
- With SOURCE_DATE_EPOCH, two builds of example_project in different folders give identical
  wheels and sdists, with the host's compiler and in portable mode; cffi's generated C names no
  build folder and no time.
- Two interpreters building one checkout at the same moment both succeed.
- The environment's build choices parse or fail with our error, whatever their value.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cffi_build_plugin.compile import choices as build_choices
from cffi_build_plugin.config.settings import Settings
from cffi_build_plugin.errors import ConfigError
from devtools.venvs import ROOT, isolated_build, make_venv, run
from tests.conftest import Tools, copy_project, snapshot, tree_changes
from tests.wheels import only

EPOCH = "1700000000"


def _no_isolation(project: Path, out: Path, *extra: str,
                  env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "build", "--no-isolation", "--skip-dependency-check",
                "--outdir", out, *extra, project], env=env)


@pytest.mark.parametrize("kind", ["sdist and wheel", "wheel", "wheel from the tree by pip"])
def test_builds_leave_the_source_tree_exactly_as_it_was(tmp_path, kind):
    project = copy_project("example_project", tmp_path / "src")
    before = snapshot(project)
    if kind == "sdist and wheel":
        _no_isolation(project, tmp_path / "dist", "--sdist", "--wheel")
    elif kind == "wheel":
        _no_isolation(project, tmp_path / "dist", "--wheel")
    else:
        run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-w",
             tmp_path / "dist", project])
    assert tree_changes(before, snapshot(project)) == []
    assert len(list((tmp_path / "dist").iterdir())) >= 1


@pytest.mark.slow
def test_an_editable_install_adds_only_the_built_modules_and_git_ignores_them(tmp_path, py311,
                                                                                 env):
    project = copy_project("example_project", tmp_path / "src")
    (project / ".gitignore").write_text("build/\n*.egg-info/\n__pycache__/\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "init"]):
        run([*git, *args], cwd=project)
    before = {k: v for k, v in snapshot(project).items() if not k.startswith(".git/")}
    python = make_venv(py311, tmp_path / "venv", [str(ROOT), "setuptools>=70.1", "cffi"],
                       env=env, with_pip=True)
    run([python, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps", "-e",
         project], env=env)
    after = {k: v for k, v in snapshot(project).items() if not k.startswith(".git/")}
    added = set(after) - set(before)
    assert {k: after[k] for k in before} == before  # no file of the project changed
    package = "src/cffi_example"
    built = {p for p in added if p.startswith(package + "/_") and "/" not in p[len(package) + 1:]}
    assert {p.split(".")[0] for p in built} == {f"{package}/_cvec", f"{package}/_fast",
                                                f"{package}/_libc"}
    # setuptools' incremental build/ and the egg-info stay for the next editable build.
    assert added - built <= {p for p in added if p.startswith(("build", "src/cffi_example.egg"))}
    # git: nothing to add; the modules (the ABI one is plain .py) show as ignored.
    assert run(["git", "status", "--porcelain"], cwd=project).stdout == ""
    ignored = run(["git", "status", "--porcelain", "--ignored"], cwd=project).stdout
    for module in ("_cvec", "_fast", "_libc"):
        assert re.search(rf"^!! {package}/{module}\.", ignored, re.M), ignored
    run([python, "-c", "import cffi_example; assert cffi_example.add(2, 3) == 5"],
        cwd=tmp_path)


def _two_builds(tmp_path: Path, build: Callable[[Path, Path], object]) -> list[list[Path]]:
    outputs = []
    for name in ("first", "second place é"):
        project = copy_project("example_project", tmp_path / name / "example_project")
        out = tmp_path / f"dist-{len(outputs)}"
        build(project, out)
        outputs.append(sorted(out.iterdir()))
    return outputs


def _assert_same_bytes(first: list[Path], second: list[Path]) -> None:
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between the two builds"


@pytest.mark.slow
def test_source_date_epoch_gives_identical_wheels_and_sdists(tmp_path, py311, tools: Tools,
                                                             env):
    # python -m build: the sdist, then the wheel from it, each in an isolated environment.
    epoch_env = {**env, "SOURCE_DATE_EPOCH": EPOCH}
    first, second = _two_builds(tmp_path, lambda project, out: isolated_build(
        tools(py311), project, out, sdist=True, wheel=True, env=epoch_env))
    assert {p.suffix for p in first} == {".gz", ".whl"}
    _assert_same_bytes(first, second)


@pytest.mark.slow
def test_source_date_epoch_gives_identical_portable_wheels(tmp_path, env):
    epoch_env = {**env, "SOURCE_DATE_EPOCH": EPOCH}
    first, second = _two_builds(tmp_path, lambda project, out: run(
        [sys.executable, "-m", "cffi_build_plugin", "wheel", project, "--target",
         "manylinux_2_17_x86_64", "--python", sys.executable, "-o", out], env=epoch_env))
    first = [p for p in first if p.suffix == ".whl"]
    second = [p for p in second if p.suffix == ".whl"]
    assert first
    _assert_same_bytes(first, second)


def test_generated_c_names_no_build_folder_and_no_time(tmp_path):
    project = copy_project("example_project", tmp_path / "a build folder")
    # build_ext by hand keeps build/, where the generated C is.
    run([sys.executable, "-c", "from setuptools import setup; setup()", "build_ext"],
        cwd=project)
    generated = list((project / "build").glob("temp*/cffi_example._*.c"))
    assert len(generated) == 2
    today = [time.strftime(f, time.gmtime()) for f in ("%Y-%m-%d", "%b %d %Y", "%H:%M")]
    for c_file in generated:
        text = c_file.read_text()
        assert str(tmp_path) not in text
        assert "a build folder" not in text
        assert not any(stamp in text for stamp in today), c_file


@pytest.mark.slow
def test_two_interpreters_build_one_checkout_at_the_same_time(tmp_path, py39, py313,
                                                              tools: Tools, env):
    project = copy_project("example_project", tmp_path / "src")
    before = snapshot(project)
    pythons = {"cp39": tools(py39), "cp313": tools(py313)}
    procs = {tag: subprocess.Popen(
        [str(python), "-m", "build", "--wheel", "--outdir", str(tmp_path / tag), str(project)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for tag, python in pythons.items()}
    for tag, proc in procs.items():
        output, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, output
        wheel = only(list((tmp_path / tag).glob("*.whl")))
        assert "-abi3-" in wheel.name
    assert tree_changes(before, snapshot(project)) == []


_VALUES = st.one_of(st.text(max_size=12), st.integers(-3, 99).map(str),
                    st.sampled_from(["", " ", "0", "1", "true", "off", "ccache", "auto", "²"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(jobs=_VALUES, cache=_VALUES, debug=_VALUES)
def test_any_environment_value_parses_or_gives_our_error(jobs, cache, debug):
    names = ("CFFI_BUILD_PLUGIN_JOBS", "CFFI_BUILD_PLUGIN_COMPILER_CACHE",
             "CFFI_BUILD_PLUGIN_DEBUG_INFO")
    saved = {n: os.environ.get(n) for n in names}
    try:
        for name, value in zip(names, (jobs, cache, debug)):
            if "\x00" in value:
                continue
            os.environ[name] = value
        message = None
        try:
            choices = build_choices.compile_choices(Settings(), portable=True)
        except ConfigError as exc:
            message = str(exc)
        if message is None:
            assert choices.jobs >= 1
        else:
            assert "invalid configuration in the environment" in message
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
