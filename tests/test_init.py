"""`cffi-build-plugin init`: what it writes, what it keeps, and that the result is a project
that builds and passes the same checks as our own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit
from ruamel.yaml import YAML

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


ABI_BUILDER = PLAIN_BUILDER.replace(
    '"static int twice(int x) { return 2 * x; }",\n                      libraries=["sodium", '
    '"m", "mystery"]', "None")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def git_repo(root: Path, branch: str, origin: str | None = None) -> Path:
    """*root* as a fresh repository on *branch* (no commit), with a remote *origin*."""
    git(root, "init", "-q", "-b", branch)
    if origin:
        git(root, "remote", "add", "origin", origin)
    return root


def init_cmd(root: Path, *args: str, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess[str]:
    """`cffi-build-plugin init` as a user runs it, git's global configuration left out."""
    environ = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, **(env or {})}
    return subprocess.run([sys.executable, "-m", "cffi_build_plugin", "init", *args, str(root)],
                          capture_output=True, text=True, env=environ, check=False)


def load_flow(root: Path) -> dict:
    return YAML(typ="safe").load((root / WORKFLOW).read_text())


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


def test_compiled_workflow_builds_wheels_from_the_sdist_and_checks_them(tmp_path: Path) -> None:
    root = git_repo(make_plain(tmp_path / "p"), "main")
    assert init_cmd(root).returncode == 0
    jobs = load_flow(root)["jobs"]
    # The wheels job has no checkout: cibuildwheel gets the sdist the sdist job made.
    assert "python -m build --sdist --outdir dist" in jobs["sdist"]["steps"][-2]["run"]
    assert jobs["wheels"]["needs"] == "sdist"
    wheel_steps = jobs["wheels"]["steps"]
    assert not [s for s in wheel_steps if "checkout" in s.get("uses", "")]
    assert wheel_steps[0]["with"] == {"name": "dist-sdist", "path": "sdist"}
    build = next(s for s in wheel_steps if "cibuildwheel" in s.get("run", ""))
    assert "python -m cibuildwheel --output-dir wheelhouse sdist/*.tar.gz" in build["run"]
    assert build["shell"] == "bash"  # the glob, on Windows too
    # Every wheel is checked before anything is published.
    check = jobs["check"]["steps"][-1]["run"]
    assert 'python -m pip install "cffi-build-plugin[check]>=' in check
    assert "cffi-build-plugin check --project . dist/*.whl" in check
    assert "check" in jobs["publish"]["needs"]


def test_sdist_carries_the_whole_tests_folder(tmp_path: Path) -> None:
    root = make_plain(tmp_path / "p")
    (root / "tests" / "data").mkdir(parents=True)
    (root / "tests" / "test_twice.py").write_text("def test_it(): pass\n")
    (root / "tests" / "conftest.py").write_text("")
    (root / "tests" / "data" / "input.bin").write_bytes(b"")
    proc = init_cmd(root)
    assert "added `graft tests` to MANIFEST.in" in proc.stdout
    assert "leaves tests/conftest.py, tests/data/input.bin out of it" in proc.stdout
    assert (root / "MANIFEST.in").read_text().splitlines()[1:] == [
        "graft tests", "global-exclude *.py[cod]"]
    # Only test*.py (which setuptools takes by itself), or a MANIFEST.in that already speaks
    # of tests/: nothing to add.
    for extra in ("", "recursive-include tests *.py *.bin\n"):
        other = make_plain(tmp_path / f"q{len(extra)}")
        (other / "tests").mkdir()
        (other / "tests" / "test_twice.py").write_text("def test_it(): pass\n")
        if extra:
            (other / "tests" / "conftest.py").write_text("")
            (other / "MANIFEST.in").write_text(extra)
        assert "MANIFEST.in" not in init_cmd(other).stdout
        assert (other / "MANIFEST.in").exists() == bool(extra)


def on_feature_branch_after_main(root: Path) -> None:
    """*root* as a repository whose main has a commit, a feature branch checked out."""
    git_repo(root, "main")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q",
        "--allow-empty", "-m", "start")
    git(root, "checkout", "-q", "-b", "feature")


def guessed(branch: str, why: str) -> str:
    return (f"push trigger: branch {branch!r} (guessed: {why}; edit .github/workflows/wheels.yml"
            " if your default branch differs)")


@pytest.mark.parametrize(("setup", "branch", "why", "guess"), [
    # origin's default branch wins over the branch checked out when init runs.
    (lambda r: (git_repo(r, "feature", "https://github.com/o/r"),
                git(r, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")),
     "trunk", "origin's default branch", None),
    (lambda r: git_repo(r, "master"), "master", "the local branch master", "no origin remote"),
    # A feature branch checked out is never the trigger: main, which the repository has...
    (on_feature_branch_after_main, "main", "the local branch main", "no origin remote"),
    # ... or git's usual default when it has neither main nor master.
    (lambda r: git_repo(r, "feature"), "main", "git's usual default", "no origin remote"),
    (lambda r: git_repo(r, "feature", "https://github.com/o/r"), "main", "git's usual default",
     "origin does not name its default branch"),
    (lambda r: git_repo(r, "trunk"), "trunk", "the current branch", "no origin remote"),
    (lambda r: None, "main", "git's usual default", "not a git repository"),
])
def test_push_trigger_names_the_default_branch(setup, branch, why, guess,
                                               tmp_path: Path) -> None:
    root = make_plain(tmp_path / "p")
    setup(root)
    proc = init_cmd(root)
    assert proc.returncode == 0, proc.stderr
    assert f"runs on pushes to {branch!r}, {why}" in proc.stdout
    assert (guessed(branch, guess) in proc.stdout) if guess else ("guessed" not in proc.stdout)
    assert load_flow(root)["on"]["push"] == {"branches": [branch]}


@pytest.mark.parametrize(("setup", "branch"), [
    (lambda r: None, "develop"),  # outside a repository
    (lambda r: git_repo(r, "feature"), "develop"),
    # A branch the repository has beats a configured name it lacks.
    (lambda r: git_repo(r, "master"), "master"),
])
def test_push_trigger_follows_init_default_branch(setup, branch, tmp_path: Path) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = develop\n")
    root = make_plain(tmp_path / "p")
    setup(root)
    proc = init_cmd(root, env={"GIT_CONFIG_GLOBAL": str(config)})
    assert proc.returncode == 0, proc.stderr
    assert f"branches: [{branch}]" in (root / WORKFLOW).read_text()
    assert f"push trigger: branch {branch!r} (guessed: " in proc.stdout


@pytest.mark.parametrize("origin", ["https://github.com/some-org/plain.thing.git",
                                    "git@github.com:some-org/plain.thing.git",
                                    "ssh://git@github.com/some-org/plain.thing"])
def test_next_steps_name_the_trusted_publisher(origin: str, tmp_path: Path) -> None:
    root = git_repo(make_plain(tmp_path / "p"), "main", origin)
    out = init_cmd(root).stdout
    steps = out[out.index("\nNext steps:\n"):]
    for line in ("1. Register the trusted publisher on PyPI, once:",
                 "https://pypi.org/manage/account/publishing/",
                 "PyPI project name: plain-thing", "Owner:             some-org",
                 "Repository name:   plain.thing", "Workflow name:     wheels.yml",
                 "Environment name:  pypi"):
        assert line in steps
    assert "environment:\n      name: pypi\n" in (root / WORKFLOW).read_text()
    # libraries=["sodium", "m", "mystery"]: sodium's packages are in the table, m is libc's.
    assert "2. Install what these modules link" in steps
    assert "library 'mystery': libraries= of build_plain.py:ffibuilder" in steps
    assert "sodium" not in steps
    assert "'m'" not in steps
    assert "add their packages to the before-all lines init wrote" in steps


def test_next_steps_without_a_github_remote_and_in_every_mode(tmp_path: Path) -> None:
    root = git_repo(make_plain(tmp_path / "p"), "main", "https://gitlab.com/o/r.git")
    dry = init_cmd(root, "--dry-run")
    assert "\nNext steps (once these changes are written):\n" in dry.stdout
    assert not (root / ".github").exists()
    wet = init_cmd(root)
    assert "Owner:             OWNER" in wet.stdout
    assert "Repository name:   REPO" in wet.stdout
    assert "no GitHub remote named origin" in wet.stdout
    steps = wet.stdout[wet.stdout.index("Next steps"):]
    assert dry.stdout[dry.stdout.index("Next steps"):].split("\n", 1)[1] == \
        steps.split("\n", 1)[1]
    again = init_cmd(root).stdout  # nothing to write, and still the steps to take
    assert "nothing changed\n\nNext steps:\n" in again
    # A workflow of the maintainer's own: nothing said about its publishing.
    (root / WORKFLOW).write_text("name: mine\n")
    mine = init_cmd(root).stdout
    assert "trusted publisher" not in mine
    assert "library 'mystery'" in mine


def test_pure_project_tests_run_on_every_os(tmp_path: Path) -> None:
    root = make_plain(tmp_path / "p", builder=ABI_BUILDER)
    (root / "tests").mkdir()
    (root / "tests" / "test_crt.py").write_text("def test_it(): pass\n")
    with (root / "pyproject.toml").open("a") as f:
        f.write('\n[project.optional-dependencies]\ntest = ["pytest"]\n')
    out = init_cmd(root).stdout
    jobs = load_flow(root)["jobs"]
    assert jobs["tests"]["needs"] == "dist"
    matrix = jobs["tests"]["strategy"]["matrix"]
    assert matrix == {"os": ["ubuntu-24.04", "macos-15", "windows-2025"],
                      "python": ["3.9", "3.14", "pypy3.11"]}
    run = jobs["tests"]["steps"][-1]["run"]
    assert 'python -m pip install "$(ls dist/*.whl)[test]"' in run
    assert run.rstrip().endswith("python -m pytest tests")
    assert "cffi-build-plugin check --project . dist/*.whl" in jobs["dist"]["steps"][3]["run"]
    assert set(jobs["publish"]["needs"]) == {"dist", "tests"}
    assert "ABI-mode modules open their C library at run time" in out
    # Without tests/: each module imported.
    bare = make_plain(tmp_path / "q", builder=ABI_BUILDER)
    init_cmd(bare)
    run = load_flow(bare)["jobs"]["tests"]["steps"][-1]["run"]
    assert run.rstrip().endswith('python -c "import plain._twice"')


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
    root = make_plain(tmp_path / "p", builder=ABI_BUILDER)
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
    assert "nothing changed\n\nNext steps:\n" in again


# -- when markers (issue 17): no build that comes out pure -----------------------------------

CPYTHON_ONLY = "platform_python_implementation == 'CPython'"


def with_marker(root: Path, when: str) -> Path:
    with (root / "pyproject.toml").open("a") as f:
        f.write(f'\n[tool.cffi-build-plugin]\nmodules = [{{ builder = "build_plain.py:ffibuilder"'
                f', when = "{when}" }}]\n')
    return root


def test_markers_skip_the_builds_they_leave_pure(tmp_path: Path) -> None:
    # PyPy builds no compiled module here: its wheel would be pp39-none-any, which
    # cibuildwheel stops on (NonPlatformWheelError). PyPy installs from the sdist instead.
    root = with_marker(make_plain(tmp_path / "p"), CPYTHON_ONLY)
    plan = init_changes(root)
    apply_changes(plan.changes)
    table = pyproject(root)["tool"]["cibuildwheel"]
    assert table["skip"] == ["cp3{16..40}t-*", "pp*"]
    assert "these interpreters install from the sdist" in (root / "pyproject.toml").read_text()
    assert any(line.startswith("[tool.cibuildwheel] skips pp*: ") for line in plan.report)
    ids = cibuildwheel_identifiers(root, "linux")
    assert ids
    assert not [i for i in ids if i.startswith("pp")]
    assert "cp311-manylinux_x86_64" in ids


def test_setup_py_extensions_keep_every_build(tmp_path: Path) -> None:
    # tests/packages/pypy-only-module's shape: CPython's wheel holds setup.py's extension.
    root = with_marker(make_plain(tmp_path / "p"), "platform_python_implementation == 'PyPy'")
    (root / "setup.py").write_text("from setuptools import Extension, setup\n"
                                   "setup(ext_modules=[Extension('plain._c', ['c.c'])])\n")
    apply_changes(init_changes(root).changes)
    assert pyproject(root)["tool"]["cibuildwheel"]["skip"] == ["cp3{16..40}t-*"]


def test_abi_only_project_with_markers_publishes_the_sdist_alone(tmp_path: Path) -> None:
    # Each interpreter's pure wheel (cp313-none-any) is right for that interpreter only:
    # neither "one py3-none-any wheel for everyone" nor cibuildwheel can serve it.
    root = with_marker(make_plain(tmp_path / "p", builder=ABI_BUILDER), CPYTHON_ONLY)
    plan = init_changes(root)
    apply_changes(plan.changes)
    assert "cibuildwheel" not in pyproject(root).get("tool", {})
    text = (root / WORKFLOW).read_text()
    assert "serves CPython and PyPy everywhere" not in text
    assert "no wheel is published, every interpreter builds its own from the sdist" in text
    assert "release the sdist alone goes to\n# PyPI" in text
    jobs = load_flow(root)["jobs"]
    dist_run = jobs["dist"]["steps"][3]["run"]
    assert dist_run.rstrip().endswith("rm dist/*.whl  # right for CPython 3.13 only")
    tests_run = jobs["tests"]["steps"][-1]["run"]
    assert "python -m pip install dist/*.tar.gz" in tests_run
    assert 'import plain._twice' not in tests_run  # conditional: not in every install
    assert any("the sdist alone: each interpreter builds its own pure wheel" in line
               for line in plan.report)
    assert workflow_schema([root / WORKFLOW]).returncode == 0
