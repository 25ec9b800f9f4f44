"""`cffi-build-plugin init`: what it writes, what it keeps, and that the result is a project
that builds and passes the same checks as our own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import tomlkit

from cffi_build_plugin.cli import main
from cffi_build_plugin.edits.files import apply_changes
from cffi_build_plugin.errors import ConfigError
from cffi_build_plugin.init.changes import WORKFLOW, init_changes
from devtools.venvs import make_venv, run
from tests.checks import cibuildwheel_identifiers, validate_pyproject, workflow_schema, zizmor
from tests.wheels import PLATFORM, build_wheel, run_in_fresh_venv, tag

PLAIN_PYPROJECT = """\
# A cffi project that has never heard of the plugin.
[build-system]
requires = [
    "setuptools>=70.1",  # the backend
]
build-backend = "setuptools.build_meta"

[project]
name = "Plain_Thing"
version = "2.0"
requires-python = ">=3.9"  # keep me
dependencies = []

[tool.setuptools]
packages = ["plain"]
"""

PLAIN_BUILDER = """\
from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int twice(int);")
ffibuilder.set_source("plain._twice", "static int twice(int x) { return 2 * x; }",
                      libraries=["sodium", "m", "mystery"])
"""


def make_plain(root: Path, builder: str = PLAIN_BUILDER) -> Path:
    (root / "plain").mkdir(parents=True)
    (root / "plain" / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(PLAIN_PYPROJECT)
    (root / "build_plain.py").write_text(builder)
    return root


def pyproject(root: Path) -> dict:
    return tomlkit.parse((root / "pyproject.toml").read_text()).unwrap()


def test_adds_plugin_dependency_and_cibuildwheel_keeping_comments(tmp_path: Path) -> None:
    root = make_plain(tmp_path / "p")
    apply_changes(init_changes(root).changes)
    text = (root / "pyproject.toml").read_text()
    assert text.startswith("# A cffi project that has never heard of the plugin.\n[build-system]")
    for comment in ("# the backend", "# keep me", "# A cffi project that has never heard"):
        assert comment in text
    data = pyproject(root)
    assert data["build-system"]["requires"] == ["setuptools>=70.1", "cffi-build-plugin"]
    assert data["project"]["dependencies"] == [
        "cffi>=1.15; platform_python_implementation != 'PyPy'"]
    cibw = data["tool"]["cibuildwheel"]
    assert cibw["enable"] == ["pypy", "pypy-eol"]  # requires-python admits PyPy 3.9/3.10
    assert cibw["archs"] == ["auto64"]
    assert cibw["test-command"] == 'python -c "import plain._twice"'  # no tests/ folder
    # libraries=["sodium", "m", "mystery"]: sodium is known, m is libc's, mystery is not.
    assert cibw["linux"]["before-all"] == (
        "yum install -y epel-release && yum install -y libsodium-devel")
    assert cibw["macos"]["before-all"] == "brew install libsodium"
    assert cibw["windows"]["before-all"] == "vcpkg install libsodium:x64-windows"
    assert cibw["overrides"] == [
        {"select": "*-musllinux*", "before-all": "apk add libsodium-dev"},
        {"select": "*-win_arm64", "before-all": "vcpkg install libsodium:arm64-windows"},
    ]
    assert "TODO: a module links 'mystery'" in text
    assert "limited" not in str(cibw).lower()
    flow = (root / WORKFLOW).read_text()
    assert "cibuildwheel==4.3.5" in flow
    assert "url: https://pypi.org/p/plain-thing" in flow


def test_keeps_line_endings_file_mode_and_inline_tables(tmp_path: Path) -> None:
    root = make_plain(tmp_path / "p")
    text = PLAIN_PYPROJECT.replace(
        '[build-system]\nrequires = [\n    "setuptools>=70.1",  # the backend\n]\n'
        'build-backend = "setuptools.build_meta"\n',
        'build-system = { requires = ["setuptools>=70.1"], build-backend = '
        '"setuptools.build_meta" }\n')
    (root / "pyproject.toml").write_bytes(text.replace("\n", "\r\n").encode())
    (root / "pyproject.toml").chmod(0o640)
    apply_changes(init_changes(root).changes)
    raw = (root / "pyproject.toml").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # every line still ends in CRLF
    assert (root / "pyproject.toml").stat().st_mode & 0o777 == 0o640
    umask = os.umask(0)
    os.umask(umask)
    assert (root / WORKFLOW).stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    assert pyproject(root)["build-system"]["requires"] == ["setuptools>=70.1",
                                                           "cffi-build-plugin"]
    assert init_changes(root).changes == ()


def test_running_twice_changes_nothing(tmp_path: Path) -> None:
    root = make_plain(tmp_path / "p")
    apply_changes(init_changes(root).changes)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    again = init_changes(root)
    assert again.changes == ()
    assert any("kept [tool.cibuildwheel]: already" in line for line in again.report)
    apply_changes(again.changes)
    assert before == {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_pure_project_gets_one_build_job_and_no_cibuildwheel(tmp_path: Path) -> None:
    root = make_plain(tmp_path / "p", builder=PLAIN_BUILDER.replace(
        '"static int twice(int x) { return 2 * x; }",\n                      libraries=["sodium", '
        '"m", "mystery"]', "None"))
    plan = init_changes(root)
    apply_changes(plan.changes)
    assert "cibuildwheel" not in pyproject(root).get("tool", {})
    flow = (root / WORKFLOW).read_text()
    assert "python -m cibuildwheel" not in flow
    assert "python -m build --outdir dist" in flow
    assert any("every module is ABI mode" in line for line in plan.report)


def test_existing_files_and_tables_are_kept_unless_forced(tmp_path: Path) -> None:
    root = make_plain(tmp_path / "p")
    (root / WORKFLOW).parent.mkdir(parents=True)
    (root / WORKFLOW).write_text("name: mine\n")
    with (root / "pyproject.toml").open("a") as f:
        f.write('\n[tool.cibuildwheel]\nbuild = "cp312-*"\n')
    plan = init_changes(root)
    apply_changes(plan.changes)
    assert (root / WORKFLOW).read_text() == "name: mine\n"
    assert pyproject(root)["tool"]["cibuildwheel"] == {"build": "cp312-*"}
    assert sum("--force replaces it" in line for line in plan.report) == 2
    apply_changes(init_changes(root, force=True).changes)
    assert (root / WORKFLOW).read_text().startswith("# Written by `cffi-build-plugin init`")
    assert "build" not in pyproject(root)["tool"]["cibuildwheel"]


def test_dry_run_prints_a_diff_and_writes_nothing(tmp_path: Path, capsys) -> None:
    root = make_plain(tmp_path / "p")
    assert main(["init", "--dry-run", str(root)]) == 0
    out = capsys.readouterr().out
    assert "+++ b/pyproject.toml" in out
    assert '+    "cffi-build-plugin",\n' in out
    assert "--- /dev/null\n+++ b/.github/workflows/wheels.yml" in out
    assert (root / "pyproject.toml").read_text() == PLAIN_PYPROJECT
    assert not (root / ".github").exists()


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace('build-backend = "setuptools.build_meta"',
                         'build-backend = "hatchling.build"'),
     "build-backend is 'hatchling.build': cffi-build-plugin is a setuptools plugin"),
    (lambda t: t.replace('name = "Plain_Thing"\n', ""), "[project].name is missing"),
    (lambda t: t + "[oops\n", "not valid TOML"),
    (lambda t: t.replace("dependencies = []", 'dependencies = "cffi"'),
     "dependencies: expected a list of requirement strings, found 'cffi'; for example"),
])
def test_bad_projects_get_a_clear_error_and_no_change(edit, message, tmp_path: Path,
                                                      capsys) -> None:
    root = make_plain(tmp_path / "p")
    broken = edit(PLAIN_PYPROJECT)
    (root / "pyproject.toml").write_text(broken)
    assert main(["init", str(root)]) == 3  # ConfigError
    err = capsys.readouterr().err
    assert err.startswith("ERROR ")
    assert message in err
    assert str((root / "pyproject.toml").resolve()) in err
    assert (root / "pyproject.toml").read_text() == broken
    assert not (root / ".github").exists()


def test_no_builder_is_an_error(tmp_path: Path) -> None:
    root = make_plain(tmp_path / "p")
    (root / "build_plain.py").unlink()
    with pytest.raises(ConfigError, match="no cffi builder found"):
        init_changes(root)
    with pytest.raises(ConfigError, match="not found: init sets up an existing project"):
        init_changes(tmp_path / "nowhere")


@pytest.mark.slow
def test_initialised_project_builds_and_passes_the_checks(py311, tools, env, tmp_path):
    # The builder without the libraries, so this machine can link it.
    root = make_plain(tmp_path / "p", builder=PLAIN_BUILDER.replace(
        ',\n                      libraries=["sodium", "m", "mystery"]', ""))
    assert main(["init", str(root)]) == 0
    assert validate_pyproject(root / "pyproject.toml").returncode == 0
    assert zizmor(root / ".github").returncode == 0
    assert workflow_schema([root / WORKFLOW]).returncode == 0
    for platform in ("linux", "macos", "windows"):
        pythons = {i.split("-")[0] for i in cibuildwheel_identifiers(root, platform)}
        assert {"cp39", "cp314t", "pp39", "pp311"} <= pythons
    wheel = build_wheel(tools(py311), root, tmp_path / "dist", env)
    assert tag(wheel) == f"cp39-abi3-{PLATFORM}"
    code = "import plain._twice as m; print(m.lib.twice(21))"
    assert run_in_fresh_venv(py311, wheel, code, tmp_path, env).strip() == "42"


@pytest.mark.slow
def test_init_runs_on_the_oldest_python(py39, env, tmp_path):
    # The installed plugin, not this checkout: package data and 3.9's importlib.resources.
    python = make_venv(py39, tmp_path / "venv", ["cffi-build-plugin"], env=env)
    root = make_plain(tmp_path / "p")
    out = run([python, "-m", "cffi_build_plugin", "init", root], env=env).stdout
    assert "added .github/workflows/wheels.yml" in out
    assert (root / WORKFLOW).read_text().startswith("# Written by `cffi-build-plugin init`")
    again = run([python, "-m", "cffi_build_plugin", "init", root], env=env).stdout
    assert again.rstrip().endswith("nothing changed")
