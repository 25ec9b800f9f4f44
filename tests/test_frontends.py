"""The other ways users build: pip wheel, pip install, uv build, editable installs."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from devtools.venvs import make_venv, run
from tests.wheels import PLATFORM, names, tag

pytestmark = pytest.mark.slow


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_pip_wheel_and_pip_install(py39, env, project_copy, tmp_path):
    # CPython 3.9's own pip 23.0.1: isolated build with setuptools 82 and cffi 2.0.0.
    project = project_copy("flat-api")
    python = make_venv(py39, tmp_path / "venv", env=env, with_pip=True)
    marker = tmp_path / "builder-ran.txt"
    run([python, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "wh", project],
        env={**env, "FIXTURE_BUILDER_MARKER": str(marker)})
    (wheel,) = (tmp_path / "wh").glob("*.whl")
    assert tag(wheel) == f"cp39-abi3-{PLATFORM}"
    # pip asked for metadata first (prepare_metadata_for_build_wheel): no builder ran then.
    assert len(marker.read_text().splitlines()) == 1
    run([python, "-m", "pip", "install", "-q", project], env=env)
    out = run([python, "-c", "import flatapi; print(flatapi.magic())"], cwd=tmp_path, env=env)
    assert out.stdout.strip() == "42"


def test_uv_build(py311, env, project_copy, tmp_path):
    project = project_copy("example_project")
    uv = shutil.which("uv") or str(Path(os.sys.executable).with_name("uv"))
    run([uv, "build", "--python", py311.executable, "--out-dir", tmp_path / "out", project],
        env=env)
    (wheel,) = (tmp_path / "out").glob("*.whl")
    (sdist,) = (tmp_path / "out").glob("*.tar.gz")
    assert tag(wheel) == f"cp39-abi3-{PLATFORM}"
    assert "src/cffi_example/csrc/cvec.h" in names(sdist)


def test_editable_install_works_and_rebuilds_on_change(py311, env, project_copy, tmp_path):
    project = project_copy("example_project")
    (project / ".gitignore").write_text("build/\n*.egg-info/\n*.so\n_libc.py\n")
    before = _tree(project)
    python = make_venv(py311, tmp_path / "venv", ["pytest"], env=env, with_pip=True)

    def install() -> None:
        run([python, "-m", "pip", "install", "-q", "-e", project], env=env)

    def fib10() -> str:
        code = "import cffi_example as c; print(c.fib(10), c.c_strlen(b'abc'), c.__file__)"
        return run([python, "-c", code], cwd=tmp_path, env=env).stdout.split()

    install()
    value, strlen, where = fib10()
    assert (value, strlen) == ("55", "3")
    assert Path(where).is_relative_to(project / "src")  # imported from the source tree
    added = _tree(project) - before
    # Only the built modules and their typed stubs land next to the sources (plus
    # setuptools' own egg-info, and build/, where the next install compiles incrementally).
    package = "src/cffi_example/"
    assert any(a.startswith("build/temp.") for a in added)
    assert {a for a in added if ".egg-info/" not in a and not a.startswith("build/")} == {
        package + "_cvec.abi3.so", package + "_fast.abi3.so", package + "_libc.py",
        package + "_cvec.pyi", package + "_fast.pyi", package + "_libc.pyi",
    }

    # Change the C code in the builder: a re-install rebuilds the module.
    builder = project / "src/cffi_example/_build_fast.py"
    builder.write_text(builder.read_text().replace("uint64_t a = 0, b = 1;",
                                                   "uint64_t a = 1, b = 1;"))
    time.sleep(1)
    install()
    assert fib10()[0] == "89"

    # Change a bundled C file: rebuilt too.
    c_file = project / "src/cffi_example/csrc/vec_dot.c"
    c_file.write_text(c_file.read_text().replace("acc += a[i] * b[i];", "acc += 2 * a[i] * b[i];"))
    install()
    code = "import cffi_example as c; print(c.dot([1, 2], [3, 4]))"
    assert run([python, "-c", code], cwd=tmp_path, env=env).stdout.strip() == "22.0"

    # Change the ABI-mode builder: the generated module in the source tree is rewritten.
    abi_builder = project / "src/cffi_example/_build_libc.py"
    new_cdef = "int abs(int j);\n    long labs(long j);"
    abi_builder.write_text(abi_builder.read_text().replace("int abs(int j);", new_cdef))
    install()
    code = "import cffi_example as c; print(c._crt.labs(-5))"
    assert run([python, "-c", code], cwd=tmp_path, env=env).stdout.strip() == "5"


def test_oldest_supported_setuptools_and_cffi(py311, tools, env, project_copy, tmp_path):
    # The floors we declare: setuptools 70.1 (its own bdist_wheel) and cffi 1.15 (PyPy's).
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("setuptools==70.1.0\ncffi==1.15.1\n")
    project = project_copy("flat-api")
    out = tmp_path / "out"
    report = tmp_path / "versions.txt"
    run([tools(py311), "-m", "build", "--wheel", "--outdir", out, project],
        env={**env, "PIP_CONSTRAINT": str(constraints), "FIXTURE_VERSIONS_REPORT": str(report)})
    assert report.read_text() == "1.15.1 70.1.0"
    (wheel,) = out.glob("*.whl")
    assert tag(wheel) == f"cp39-abi3-{PLATFORM}"
    python = make_venv(py311, tmp_path / "venv", [str(wheel)], env=env)
    assert run([python, "-c", "import flatapi; print(flatapi.magic())"],
               cwd=tmp_path, env=env).stdout.strip() == "42"
