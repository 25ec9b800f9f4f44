"""The steps of the workflows `init` writes, run here as the runner runs them (bash, the
commands as written), on fixture projects: the wheels come from the sdist, so a header the
sdist lacks fails the build; the check passes a good wheel; an ABI-only project's tests run.
cibuildwheel itself cannot build Linux wheels here (no container engine), so its step is
played as it runs with build-frontend = "build": unpack the sdist, `python -m build --wheel`
in it."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from devtools.venvs import auditwheel_repair, isolated_build, make_venv, run
from tests.test_init import git_repo, init_cmd
from tests.wheels import only

pytestmark = pytest.mark.slow

PYPROJECT = """\
[build-system]
requires = ["setuptools>=70.1"]
build-backend = "setuptools.build_meta"

[project]
name = "kconst"
version = "1.0"
requires-python = ">=3.9"
dependencies = []

[tool.setuptools]
package-dir = {"" = "src"}
packages = ["kconst"]
"""

BUILDER = """\
from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int k_value(void);")
ffibuilder.set_source("kconst._k", "int k_value(void);", sources=["src/kconst/csrc/k.c"])
"""

# Reached by a relative path alone: no include dir names third_party/, no builder mentions it.
C_SOURCE = '#include "../../../third_party/k.h"\nint k_value(void) { return K; }\n'


def make_kconst(root: Path) -> Path:
    (root / "src" / "kconst" / "csrc").mkdir(parents=True)
    (root / "third_party").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "src" / "kconst" / "__init__.py").write_text("")
    (root / "src" / "kconst" / "_build.py").write_text(BUILDER)
    (root / "src" / "kconst" / "csrc" / "k.c").write_text(C_SOURCE)
    (root / "third_party" / "k.h").write_text("#define K 7\n")
    return root


def steps(root: Path, job: str) -> dict[str, str]:
    """A job's run steps of the generated workflow, by name."""
    flow: Any = YAML(typ="safe").load((root / ".github" / "workflows" / "wheels.yml").read_text())
    return {s["name"]: s["run"] for s in flow["jobs"][job]["steps"] if "run" in s}


def run_step(script: str, cwd: Path, python: Path, env: dict[str, str], temp: Path
             ) -> subprocess.CompletedProcess[str]:
    """*script* as GitHub runs a bash step, with *python*'s venv first on PATH."""
    step_env = {**env, "PATH": f"{python.parent}:{env['PATH']}", "RUNNER_TEMP": str(temp)}
    return run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
               env=step_env, check=False)


def cibuildwheel_from_sdist(build_python: Path, sdist: Path, out: Path, env: dict[str, str]
                            ) -> subprocess.CompletedProcess[str]:
    """What `cibuildwheel <sdist>` does before repairing: unpack, build the wheel in there."""
    unpacked = sdist.parent / "unpacked"
    with tarfile.open(sdist) as tar:
        tar.extractall(unpacked, filter="data")
    (project,) = unpacked.iterdir()
    return isolated_build(build_python, project, out, env=env, check=False)


def test_a_header_outside_the_sdist_fails_the_wheel_build(py311, tools, env, tmp_path):
    root = git_repo(make_kconst(tmp_path / "kconst"), "main")
    assert init_cmd(root).returncode == 0
    build_python = tools(py311)
    sdist_step = steps(root, "sdist")["Build the sdist"]
    assert run_step(sdist_step, root, build_python, env, tmp_path).returncode == 0
    sdist = only(sorted((root / "dist").glob("*.tar.gz")))
    # From the checkout the wheel builds: what the workflow used to publish.
    assert isolated_build(build_python, root, tmp_path / "from-tree", env=env).returncode == 0
    failed = cibuildwheel_from_sdist(build_python, sdist, tmp_path / "wheelhouse", env)
    assert failed.returncode != 0
    assert "third_party/k.h" in failed.stdout + failed.stderr
    assert not list((tmp_path / "wheelhouse").glob("*.whl"))

    # The maintainer's fix: the header goes into the sdist. Then the wheel builds from it,
    # and the check step passes the repaired wheel.
    (root / "MANIFEST.in").write_text("include third_party/k.h\n")
    sdist.unlink()
    assert run_step(sdist_step, root, build_python, env, tmp_path).returncode == 0
    sdist = only(sorted((root / "dist").glob("*.tar.gz")))
    built = cibuildwheel_from_sdist(build_python, sdist, tmp_path / "wheelhouse", env)
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = only(sorted((tmp_path / "wheelhouse").glob("*.whl")))
    auditwheel_repair(wheel, root / "dist", env)  # cibuildwheel's repair step on Linux
    checker = make_venv(py311, tmp_path / "check-venv", env=env, with_pip=True)
    check = run_step(steps(root, "check")["cffi-build-plugin check"], root, checker, env,
                     tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "OK      dist/kconst-1.0-cp39-abi3-manylinux" in check.stdout


ABI_BUILDER = """\
from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("size_t strlen(const char *);")
ffibuilder.set_source("kconst._crt", None)
"""

ABI_INIT = """\
import sys

from kconst._crt import ffi

lib = ffi.dlopen(None if sys.platform != "win32" else "ucrtbase")
"""


@pytest.mark.parametrize("outcome", ["passes", "fails"])
def test_abi_only_project_runs_its_tests_against_the_wheel(outcome, py311, tools, env,
                                                          tmp_path):
    root = make_kconst(tmp_path / "kconst")
    (root / "src" / "kconst" / "_build.py").write_text(ABI_BUILDER)
    (root / "src" / "kconst" / "__init__.py").write_text(ABI_INIT)
    (root / "tests").mkdir()
    expected = 5 if outcome == "passes" else 6
    (root / "tests" / "test_strlen.py").write_text(
        f"from kconst import lib\n\ndef test_strlen():\n    assert lib.strlen(b'hello') == "
        f"{expected}\n")
    git_repo(root, "main")
    assert init_cmd(root).returncode == 0
    dist = steps(root, "dist")
    # The Build step: `python -m build` makes the sdist, then the wheel from it.
    build = run_step(dist["Build"], root, tools(py311), env, tmp_path)
    assert "Building wheel from sdist" in build.stderr, build.stdout + build.stderr
    assert sorted(p.name for p in (root / "dist").iterdir()) == [
        "kconst-1.0-py3-none-any.whl", "kconst-1.0.tar.gz"]
    tester = make_venv(py311, tmp_path / "test-venv", env=env, with_pip=True)
    check = run_step(dist["cffi-build-plugin check"], root, tester, env, tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    test_step = steps(root, "tests")["Install the wheel, run tests/"]
    tests = run_step(test_step, root, tester, env, tmp_path)
    summary = tests.stdout.strip().splitlines()[-1]
    if outcome == "passes":
        assert tests.returncode == 0, tests.stdout + tests.stderr
        assert " 1 passed" in summary
    else:
        assert tests.returncode != 0
        assert " 1 failed" in summary
