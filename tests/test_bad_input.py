"""The bad-input suite: wrong projects, configurations and environments, built for real.

Each case makes a small wrong project from tests/packages/flat-api in tmp_path and builds it with
``python -m build --wheel --no-isolation`` (this environment's plugin, setuptools and cffi, so a
case takes a second or two). Configuration mistakes are read in this process, by the command
line's ``list`` (which reads the table as a build does); a few of them are also built for real
(slow). A wrong one must fail with a message that names the file, key or
builder and the fix, show no traceback (a builder's own frames only, never the plugin's), and
leave the project's folder exactly as it was. Inputs that only look wrong (a noisy builder, a
failing optional module, a path with spaces and accents) must build a correct wheel.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from cffi_build_plugin.cli import main
from cffi_build_plugin.errors import ConfigError
from devtools.venvs import build_env, run
from tests.conftest import snapshot, tree_changes, unavailable
from tests.wheels import PLATFORM, names, only, tag

ProjectCopy = Callable[..., Path]

TRACEBACK = "Traceback (most recent call last)"
#: A frame of the plugin's own code, as a traceback would show it.
PLUGIN_FRAME = re.compile(r'File "[^"]*cffi_build_plugin/')
TABLE_HEADER = "[tool.cffi-build-plugin]\n"
FLAT_SPEC = 'modules = ["build_flatapi.py:ffibuilder"]\n'
#: The last line of flat-api's builder.
NATIVE = ('ffibuilder.set_source("flatapi._native", '
          '"static int magic(void) { return %d; }" % MAGIC)')
FLAT_WHEEL = {"flatapi/__init__.py", "flatapi/_native.abi3.so", "flatapi/_native.pyi"}
RUNNING = sys.version_info[:2]
#: Variables of the developer's shell that would change what these builds do.
_UNSET = ("CC", "CXX", "CFLAGS", "CPPFLAGS", "LDFLAGS", "LDSHARED", "SOURCE_DATE_EPOCH")


# -- helpers ------------------------------------------------------------------------------------


def base_env(changes: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """build_env() without the plugin's variables or compiler flags; *changes* sets (a value)
    or removes (None) variables on top."""
    env = {k: v for k, v in build_env().items()
           if not k.startswith("CFFI_BUILD_PLUGIN_") and k not in _UNSET}
    for key, value in (changes or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def build(project: Path, out: Path, env: Mapping[str, str | None] | None = None,
          prefix: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """``python -m build --wheel --no-isolation`` of *project* into *out*, never raising."""
    return run([*prefix, sys.executable, "-m", "build", "--wheel", "--no-isolation",
                "--skip-dependency-check", "--outdir", out, project],
               env=base_env(env), check=False, timeout=300)


def log_of(proc: subprocess.CompletedProcess[str]) -> str:
    return proc.stdout + proc.stderr


def failed_build(project: Path, tmp_path: Path,
                 env: Mapping[str, str | None] | None = None) -> str:
    """Build a project that must fail: non-zero exit, no wheel, no traceback nor plugin frame,
    the tree unchanged. Returns the whole output."""
    before = snapshot(project)
    out = tmp_path / "out"
    proc = build(project, out, env)
    log = log_of(proc)
    assert proc.returncode != 0, log
    assert not list(out.glob("*.whl")), log
    assert TRACEBACK not in log, log
    assert not PLUGIN_FRAME.search(log), log
    assert tree_changes(before, snapshot(project)) == [], log
    return log


def built_wheel(project: Path, tmp_path: Path, env: Mapping[str, str | None] | None = None,
                out: Path | None = None) -> tuple[Path, str]:
    """Build a project that must work; the tree stays as it was. Returns the wheel and log."""
    before = snapshot(project)
    out = out or tmp_path / "out"
    proc = build(project, out, env)
    log = log_of(proc)
    assert proc.returncode == 0, log
    assert TRACEBACK not in log, log
    assert tree_changes(before, snapshot(project)) == [], log
    return only(sorted(out.glob("*.whl"))), log


def run_from_wheel(wheel: Path, tmp_path: Path, code: str) -> str:
    """Unpack *wheel* and run *code* with only it (and this environment) importable."""
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(unpacked)
    empty = tmp_path / "empty"
    empty.mkdir()
    return run([sys.executable, "-c", code], cwd=empty,
               env=base_env({"PYTHONPATH": str(unpacked)})).stdout


def assert_says(log: str, phrases: Sequence[str]) -> None:
    missing = [p for p in phrases if p not in log]
    assert not missing, f"missing {missing} in:\n{log}"


def cli_list(project: Path) -> subprocess.CompletedProcess[str]:
    """``cffi-build-plugin list project``, run in this process (``cli.main``): it reads the
    table as a build does, so its errors are the build's, without a build per case."""
    argv = ["list", str(project)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def flat_api(project_copy: ProjectCopy, *, table: str | None = None, native: str | None = None,
             files: Mapping[str, str | bytes] | None = None, folder: str | None = None) -> Path:
    """flat-api with its [tool.cffi-build-plugin] table replaced by *table* (the text from the
    header on), the builder's set_source() line by *native*, and *files* added."""
    project = project_copy("flat-api", folder)
    if table is not None:
        pyproject = project / "pyproject.toml"
        head, header, _ = pyproject.read_text().partition(TABLE_HEADER)
        assert header, "flat-api's pyproject.toml has no [tool.cffi-build-plugin] table"
        pyproject.write_text(head + table)
    if native is not None:
        builder = project / "build_flatapi.py"
        text = builder.read_text()
        assert NATIVE in text
        builder.write_text(text.replace(NATIVE, native))
    for rel, content in (files or {}).items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return project


def table(body: str) -> str:
    return TABLE_HEADER + body


def module_table(entry: str) -> str:
    return table(f"modules = [{entry}]\n")


def builder_source(module: str = "flatapi._other", *, before: str = "",
                   source: str = '"static int other(void) { return 1; }"') -> str:
    """A small builder file declaring *module*; *before* runs first."""
    return (f"from cffi import FFI\n{before}\nffibuilder = FFI()\n"
            f'ffibuilder.cdef("int other(void);")\n'
            f'ffibuilder.set_source("{module}", {source})\n')


# -- [tool.cffi-build-plugin]: every key checked, every problem named -------------------------

KEY = "tool.cffi-build-plugin"
SPEC_FORM = (f'{KEY}.modules[0].builder: expected a builder spec "path/to/build.py:name" (the '
             "file, a colon, the variable or function holding the FFI), got a string")

CONFIG_CASES = [
    pytest.param(table(FLAT_SPEC + "exclde = []\n"),
                 [f'{KEY}.exclde: unknown key. Did you mean "exclude"? Known keys: '],
                 id="unknown-key"),
    pytest.param(module_table('{ builder = "build_flatapi.py:ffibuilder", optinal = true }'),
                 [f'{KEY}.modules[0].optinal: unknown key. Did you mean "optional"?'],
                 id="unknown-module-key"),
    pytest.param(table(FLAT_SPEC + "exclde = []\njobs = 0\n"),
                 [f'{KEY}.exclde: unknown key. Did you mean "exclude"?',
                  f"{KEY}.jobs: expected a whole number of at least 1, got an integer (0)"],
                 id="every-problem-at-once"),
    # A wrong type for each top-level key.
    pytest.param(table('modules = "build_flatapi.py:ffibuilder"\n'),
                 [f"{KEY}.modules: expected a list of builder specs or tables, got a string "
                  "('build_flatapi.py:ffibuilder')"],
                 id="type-modules"),
    pytest.param(table(FLAT_SPEC + 'include = "src/*.py"\n'),
                 [f"{KEY}.include: expected a list of strings, got a string ('src/*.py')"],
                 id="type-include"),
    pytest.param(table(FLAT_SPEC + 'exclude = ["tests", 3]\n'),
                 [f"{KEY}.exclude: expected a list of strings, got a list (['tests', 3])"],
                 id="type-exclude"),
    pytest.param(table(FLAT_SPEC + "py-limited-api = 39\n"),
                 [f'{KEY}.py-limited-api: expected "auto", false or a CPython tag like "cp39", '
                  "got an integer (39)"],
                 id="type-py-limited-api"),
    pytest.param(table(FLAT_SPEC + "missing-cffi-dependency = false\n"),
                 [f'{KEY}.missing-cffi-dependency: expected "error" or "warn", got a boolean '
                  "(False)"],
                 id="type-missing-cffi-dependency"),
    pytest.param(table(FLAT_SPEC + 'ship-build-inputs = "yes"\n'),
                 [f"{KEY}.ship-build-inputs: expected true or false, got a string ('yes')"],
                 id="type-ship-build-inputs"),
    pytest.param(table(FLAT_SPEC + 'jobs = "4"\n'),
                 [f"{KEY}.jobs: expected a whole number of at least 1, got a string ('4')"],
                 id="type-jobs"),
    pytest.param(table(FLAT_SPEC + "compiler-cache = true\n"),
                 [f'{KEY}.compiler-cache: expected "auto" or "ccache" or "off", got a boolean '
                  "(True)"],
                 id="type-compiler-cache"),
    pytest.param(table(FLAT_SPEC + "debug-info = 1\n"),
                 [f"{KEY}.debug-info: expected true or false, got an integer (1)"],
                 id="type-debug-info"),
    # A wrong type for each key of a module table.
    pytest.param(module_table("{ builder = 3 }"),
                 [SPEC_FORM.replace("got a string", "got an integer (3)")],
                 id="type-module-builder"),
    pytest.param(module_table('{ builder = "build_flatapi.py:ffibuilder", optional = "yes" }'),
                 [f"{KEY}.modules[0].optional: expected true or false, got a string ('yes')"],
                 id="type-module-optional"),
    pytest.param(module_table(
        '{ builder = "build_flatapi.py:ffibuilder", py-limited-api = "cp3" }'),
                 [f'{KEY}.modules[0].py-limited-api: expected "auto", false or a CPython tag '
                  "like \"cp39\", got a string ('cp3')"],
                 id="type-module-py-limited-api"),
    pytest.param(module_table('{ builder = "build_flatapi.py:ffibuilder", package = "my-pkg" }'),
                 [f'{KEY}.modules[0].package: expected a dotted package name like "mypkg.sub", '
                  "got a string ('my-pkg')"],
                 id="type-module-package"),
    pytest.param(module_table("42"),
                 [f'{KEY}.modules[0]: expected "path/to/build.py:name" or a table '
                  "{ builder = ... }, got an integer (42)"],
                 id="type-module-entry"),
    pytest.param(module_table("{ optional = true }"),
                 [f'{KEY}.modules[0]: missing key "builder" ("path/to/build.py:name")'],
                 id="module-without-builder"),
    # Specs: the form, the file.
    pytest.param(module_table('"build_flatapi.py"'),
                 [SPEC_FORM + " ('build_flatapi.py')"], id="spec-without-name"),
    pytest.param(module_table('"build_flatapi:ffibuilder"'),
                 [SPEC_FORM + " ('build_flatapi:ffibuilder')"], id="spec-without-py"),
    pytest.param(module_table('"missing.py:ffibuilder"'),
                 [f"{KEY}.modules[0].builder: 'missing.py' does not exist (paths are relative "
                  "to pyproject.toml's folder)"],
                 id="builder-file-missing"),
    pytest.param(module_table('"../outside.py:ffibuilder"'),
                 [f"{KEY}.modules[0].builder: '../outside.py' is outside the project root; "
                  "builders must live inside the project"],
                 id="builder-file-outside"),
    pytest.param(module_table('"build_flatapi.py:ffibuilder", "build_flatapi.py:ffibuilder"'),
                 [f"{KEY}.modules[1].builder: build_flatapi.py:ffibuilder is listed twice"],
                 id="spec-listed-twice"),
    pytest.param('[tool]\ncffi-build-plugin = "yes"\n',
                 [f"{KEY}: expected a table, got a string ('yes')"], id="table-not-a-table"),
]


@pytest.mark.parametrize(("tail", "expected"), CONFIG_CASES)
def test_config_errors_are_named_by_key(tail: str, expected: list[str],
                                        project_copy: ProjectCopy) -> None:
    """In this process: the command line reads the table as a build does (one full build per
    kind of mistake follows)."""
    project = flat_api(project_copy, table=tail)
    pyproject = project / "pyproject.toml"
    proc = cli_list(project)
    assert proc.returncode == ConfigError.exit_code, log_of(proc)
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"ERROR invalid configuration in {pyproject}:"), proc.stderr
    assert_says(proc.stderr, expected)


#: The configuration cases also built for real: the build path must say what list says.
BUILT_CONFIG_CASES = ("unknown-key", "every-problem-at-once", "type-module-builder",
                      "builder-file-outside")


@pytest.mark.slow
@pytest.mark.parametrize(("tail", "expected"),
                         [c for c in CONFIG_CASES if c.id in BUILT_CONFIG_CASES])
def test_config_errors_fail_the_build_named_by_key(tail: str, expected: list[str],
                                                   project_copy: ProjectCopy,
                                                   tmp_path: Path) -> None:
    project = flat_api(project_copy, table=tail)
    pyproject = project / "pyproject.toml"
    log = failed_build(project, tmp_path)
    assert_says(log, [f"invalid configuration in {pyproject}:", *expected])
    # The command line, as a process, reads the same table and says the same.
    proc = run([sys.executable, "-m", "cffi_build_plugin", "list", project], env=base_env(),
               check=False, timeout=120)
    assert proc.returncode == ConfigError.exit_code, log_of(proc)
    assert proc.stderr.startswith(f"ERROR invalid configuration in {pyproject}:"), proc.stderr
    assert_says(proc.stderr, expected)
    assert TRACEBACK not in log_of(proc)


_BAD_TOML = table(FLAT_SPEC + "jobs = 2 3\n")
_WHERE = "Expected newline or end of document after a statement (at line 17, column 10)"


def test_invalid_toml_names_the_file_and_line(project_copy: ProjectCopy) -> None:
    project = flat_api(project_copy, table=_BAD_TOML)
    proc = cli_list(project)
    assert proc.returncode == ConfigError.exit_code, log_of(proc)
    assert_says(proc.stderr, [f"ERROR invalid configuration in {project / 'pyproject.toml'}:",
                              f"not valid TOML: {_WHERE}"])


@pytest.mark.slow
def test_invalid_toml_fails_the_build_in_the_front_end(project_copy: ProjectCopy,
                                                       tmp_path: Path) -> None:
    project = flat_api(project_copy, table=_BAD_TOML)
    # The front end reads [build-system] before any backend runs, and says so itself.
    log = failed_build(project, tmp_path)
    assert_says(log, [f"ERROR Failed to parse {project / 'pyproject.toml'}: {_WHERE}"])


@pytest.mark.parametrize(("modules", "expected"), [
    pytest.param(None, ["the project opts in to cffi-build-plugin, but discovery found no cffi "
                        "builder",
                        'name them in [tool.cffi-build-plugin] modules = '
                        '["path/to/build.py:ffibuilder"]'],
                 id="discovery-finds-nothing"),
    pytest.param("modules = []\n", ["tool.cffi-build-plugin.modules is empty: list at least one "
                                    "builder spec"],
                 id="modules-empty"),
])
def test_opted_in_without_builders(modules: str | None, expected: list[str],
                                   project_copy: ProjectCopy, tmp_path: Path) -> None:
    # Without a table the project opts in through [build-system].requires alone.
    project = flat_api(project_copy, table="" if modules is None else table(modules))
    (project / "build_flatapi.py").unlink()
    log = failed_build(project, tmp_path)
    assert_says(log, [f"invalid configuration in {project / 'pyproject.toml'}:", *expected])


def test_missing_runtime_cffi_dependency(project_copy: ProjectCopy, tmp_path: Path) -> None:
    project = flat_api(project_copy)
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    line = "dependencies = [\"cffi>=1.15; platform_python_implementation != 'PyPy'\"]\n"
    assert line in text
    pyproject.write_text(text.replace(line, ""))
    log = failed_build(project, tmp_path)
    assert_says(log, ["flatapi builds cffi modules (flatapi._native)",
                      "Add this line to [project].dependencies in pyproject.toml:",
                      """    "cffi>=1.15; platform_python_implementation != 'PyPy'","""])


# -- builders: what they define, what they declare --------------------------------------------

BUILDER_CASES = [
    pytest.param(module_table('"build_flatapi.py:ffibuildr"'), None, {},
                 ["tool.cffi-build-plugin.modules[0].builder: build_flatapi.py defines no "
                  "'ffibuildr'; did you mean 'ffibuilder'?"],
                 id="name-missing"),
    pytest.param(module_table('"build_flatapi.py:CDEF"'), None, {},
                 ["builder build_flatapi.py:CDEF: 'CDEF' is a str, not a cffi.FFI object; name "
                  "the FFI object on which set_source() was called, or a function returning it"],
                 id="name-not-an-ffi"),
    pytest.param(module_table('"build_other.py:ffibuilder"'), None,
                 {"build_other.py": "from cffi import FFI\n\nffibuilder = FFI()\n"
                                    'ffibuilder.cdef("int other(void);")\n'},
                 ["builder build_other.py:ffibuilder: set_source() was never called on "
                  "'ffibuilder'; call `ffibuilder.set_source(\"pkg._mod\", \"#include ...\")` "
                  '(API mode) or `set_source("pkg._mod", None)` (ABI mode)'],
                 id="set-source-never-called"),
    pytest.param(module_table('"build_other.py:ffibuilder"'), None,
                 {"build_other.py": "from cffi import FFI\n\nffibuilder = FFI()\n"
                                    'ffibuilder.cdef("int broken(;")\n'},
                 ["builder file build_other.py raised CDefError: cannot parse \"int broken(;\"",
                  'File "build_other.py", line 4, in <module>',
                  '    ffibuilder.cdef("int broken(;")'],
                 id="cdef-syntax-error"),
    pytest.param(module_table('"build_other.py:ffibuilder"'), None,
                 {"build_other.py": "from cffi import FFI\n\nffibuilder = FFI(\n"},
                 ["builder file build_other.py, line 3: '(' was never closed"],
                 id="builder-syntax-error"),
    pytest.param(module_table('"build_other.py:ffibuilder"'), None,
                 {"build_other.py": builder_source(
                     before="import sys\nsys.exit('libfoo is missing')\n")},
                 ["builder file build_other.py called sys.exit('libfoo is missing') while "
                  "loading"],
                 id="builder-exits"),
    pytest.param(module_table('"build_other.py:ffibuilder"'), None,
                 {"build_other.py": b"# caf\xe9 au lait\n" + builder_source().encode()},
                 ["builder file build_other.py: not UTF-8 (invalid continuation byte at byte 5); "
                  "save it as UTF-8"],
                 id="builder-not-utf8"),
    pytest.param(module_table('"build_flatapi.py:ffibuilder", "build_other.py:ffibuilder"'),
                 None, {"build_other.py": builder_source("flatapi._native")},
                 ["builders build_flatapi.py:ffibuilder and build_other.py:ffibuilder both "
                  "declare the module flatapi._native; give each set_source() its own module "
                  "name"],
                 id="duplicate-module-name"),
    pytest.param(None, NATIVE.replace("flatapi._native", "flatapy._native"), {},
                 ["builder build_flatapi.py:ffibuilder: module flatapy._native would go into "
                  "package 'flatapy', which this project does not have (its packages: flatapi); "
                  "fix the name in set_source() or the module's package setting (did you mean "
                  "flatapi._native?)"],
                 id="module-outside-packages"),
    pytest.param(None, NATIVE.replace("flatapi._native", "..flatapi._native"), {},
                 ["builder build_flatapi.py:ffibuilder: set_source() names the module "
                  "'..flatapi._native', which is not a dotted Python module name (like "
                  '"mypkg._native")'],
                 id="module-name-escapes"),
    # cffi refuses a path itself; the builder's line is shown.
    pytest.param(None, NATIVE.replace("flatapi._native", "../flatapi/_native"), {},
                 ["builder file build_flatapi.py raised ValueError: 'module_name' must not "
                  "contain '/': use a dotted name",
                  'File "build_flatapi.py", line 29, in <module>\n'
                  '    ffibuilder.set_source("../flatapi/_native", '],
                 id="module-name-is-a-path"),
    pytest.param(module_table('{ builder = "build_other.py:ffibuilder", package = "nopkg" }'),
                 None, {"build_other.py": builder_source("_other")},
                 ["builder build_other.py:ffibuilder: module nopkg._other would go into package "
                  "'nopkg', which this project does not have (its packages: flatapi)"],
                 id="package-setting-unknown"),
    pytest.param(None, NATIVE[:-1] + ', sources=["csrc/missing.c"])', {},
                 ["builder build_flatapi.py:ffibuilder: source file 'csrc/missing.c' does not "
                  "exist (relative paths are taken from the project root)"],
                 id="source-file-missing"),
    pytest.param(None, NATIVE[:-1] + ', include_dirs=["csrc/include"])', {},
                 ["builder build_flatapi.py:ffibuilder: include dir 'csrc/include' does not "
                  "exist (relative paths are taken from the project root)"],
                 id="include-dir-missing"),
]


@pytest.mark.parametrize(("tail", "native", "files", "expected"), BUILDER_CASES)
def test_builder_mistakes(tail: str | None, native: str | None, files: dict[str, str | bytes],
                          expected: list[str], project_copy: ProjectCopy,
                          tmp_path: Path) -> None:
    project = flat_api(project_copy, table=tail, native=native, files=files)
    log = failed_build(project, tmp_path)
    assert_says(log, expected)


def test_builder_raising_shows_its_own_frames_only(project_copy: ProjectCopy,
                                                   tmp_path: Path) -> None:
    raising = ("from cffi import FFI\n\n\n"
               "def find_library():\n"
               '    raise RuntimeError("libfoo not found: set FOO_PREFIX")\n\n\n'
               "ffibuilder = FFI()\n"
               "find_library()\n")
    project = flat_api(project_copy, table=module_table('"tools/build_x.py:ffibuilder"'),
                       files={"tools/build_x.py": raising})
    log = failed_build(project, tmp_path)
    assert_says(log, [
        "builder file tools/build_x.py raised RuntimeError: libfoo not found: set FOO_PREFIX",
        'File "tools/build_x.py", line 9, in <module>\n    find_library()',
        'File "tools/build_x.py", line 5, in find_library\n'
        '    raise RuntimeError("libfoo not found: set FOO_PREFIX")',
    ])
    assert "cffi_build_plugin/" not in log


def test_builder_function_returning_something_else(project_copy: ProjectCopy,
                                                   tmp_path: Path) -> None:
    project = flat_api(project_copy, table=module_table('"build_other.py:make_ffi"'),
                       files={"build_other.py": "def make_ffi():\n    return 42\n"})
    log = failed_build(project, tmp_path)
    assert_says(log, ["builder build_other.py:make_ffi: make_ffi() returned an int (42), not a "
                      "cffi.FFI object"])


def test_cffi_not_installed(project_copy: ProjectCopy, tmp_path: Path) -> None:
    # What a build environment without cffi looks like to the builder's `from cffi import FFI`.
    shim = tmp_path / "no-cffi"
    shim.mkdir()
    (shim / "cffi.py").write_text(
        'raise ModuleNotFoundError("No module named \'cffi\'", name="cffi")\n')
    project = flat_api(project_copy)
    log = failed_build(project, tmp_path, {"PYTHONPATH": str(shim)})
    assert_says(log, ["builder file build_flatapi.py imports cffi, which is not installed where "
                      "the build runs",
                      'add "cffi" to [build-system].requires'])


# -- the wheel's ABI ----------------------------------------------------------------------------

NEXT = f"3.{RUNNING[1] + 1}"


@pytest.mark.parametrize(("tail", "requires_python", "expected"), [
    pytest.param(table(FLAT_SPEC + 'py-limited-api = "cp310"\n'), ">=3.9",
                 ["py-limited-api = 'cp310' builds abi3 modules for CPython >= 3.10, but "
                  "requires-python '>=3.9' admits 3.9, where the wheel would not install: raise "
                  'requires-python to ">=3.10" or set py-limited-api to "cp39" (or "auto")'],
                 id="limited-api-contradicts-requires-python"),
    pytest.param(table(FLAT_SPEC + f'py-limited-api = "cp3{RUNNING[1] + 1}"\n'), f">={NEXT}",
                 [f"py-limited-api = 'cp3{RUNNING[1] + 1}' asks for abi3 modules that need "
                  f"CPython >= {NEXT}, but this build runs on 3.{RUNNING[1]}; build with a newer "
                  "interpreter or lower the floor"],
                 id="limited-api-above-interpreter"),
    pytest.param(None, f">={NEXT}",
                 [f"requires-python '>={NEXT}' asks for abi3 modules that need CPython >= "
                  f"{NEXT}, but this build runs on 3.{RUNNING[1]}"],
                 id="requires-python-above-interpreter"),
])
def test_abi3_floor_the_interpreter_cannot_build(tail: str | None, requires_python: str,
                                                 expected: list[str], project_copy: ProjectCopy,
                                                 tmp_path: Path) -> None:
    project = flat_api(project_copy, table=tail)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'requires-python = ">=3.9"', f'requires-python = "{requires_python}"'))
    log = failed_build(project, tmp_path)
    assert_says(log, expected)


# -- compiling and linking ----------------------------------------------------------------------


def test_compile_error_names_module_builder_and_generated_file(project_copy: ProjectCopy,
                                                               tmp_path: Path) -> None:
    native = 'ffibuilder.set_source("flatapi._native", "static int magic(void) { return }")'
    project = flat_api(project_copy, native=native)
    # A temporary folder of this test's own: the build folder a failed build keeps is cleared
    # by the next build that takes its slot.
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    log = failed_build(project, tmp_path, {"TMPDIR": str(tmp)})
    generated = re.search(r"the C generated from its builder, kept at (\S+/flatapi\._native\.c) ",
                          log)
    assert generated, log
    assert_says(log, [
        "cffi module flatapi._native (builder build_flatapi.py:ffibuilder) failed to compile",
        # The compiler's own message, at the generated file's line.
        f"{generated[1]}:",
        "error: expected expression before ",
    ])
    # Kept, outside the project, so it can be read.
    c_file = Path(generated[1])
    assert c_file.is_relative_to(tmp), c_file
    assert "static int magic(void) { return }" in c_file.read_text()


def test_link_error_names_the_library(project_copy: ProjectCopy, tmp_path: Path) -> None:
    project = flat_api(project_copy, native=NATIVE[:-1] + ', libraries=["no_such_library_xyz"])')
    log = failed_build(project, tmp_path)
    assert_says(log, [
        "cffi module flatapi._native (builder build_flatapi.py:ffibuilder) failed to link",
        "cannot find -lno_such_library_xyz",
        "check libraries= and library_dirs= in set_source()",
    ])


def _no_gcc_path(tmp_path: Path) -> str:
    """A PATH with the tools a build runs besides the compiler, but no compiler."""
    bin_dir = tmp_path / "bin-without-cc"
    bin_dir.mkdir()
    for tool in ("env", "ccache"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


@pytest.mark.parametrize("how", ["CC-nonexistent", "PATH-without-gcc"])
def test_no_c_compiler(how: str, project_copy: ProjectCopy, tmp_path: Path) -> None:
    if how == "CC-nonexistent":
        env = {"CC": "/nonexistent/cc"}
        expected = ["no C compiler: CC=/nonexistent/cc, which does not exist; set CC to a C "
                    "compiler's name or path (for example CC=gcc or CC=/usr/bin/clang), or "
                    "unset CC to use "]
    else:
        env = {"PATH": _no_gcc_path(tmp_path)}
        expected = ["no C compiler: 'gcc' (the compiler this Python was built with) is not on "
                    "PATH; install one", "or set CC to one that exists"]
    project = flat_api(project_copy)
    log = failed_build(project, tmp_path, env)
    # Which compiler is missing, and what to do about it: one error, not one per file.
    assert_says(log, expected)
    assert "failed to compile" not in log


# -- the environment ----------------------------------------------------------------------------


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("CFFI_BUILD_PLUGIN_JOBS", "0",
     ["invalid configuration in the environment:",
      "CFFI_BUILD_PLUGIN_JOBS: expected a whole number of at least 1, got an integer (0) (the "
      "environment's value for [tool.cffi-build-plugin] jobs)"]),
    ("CFFI_BUILD_PLUGIN_COMPILER_CACHE", "sccache",
     ['CFFI_BUILD_PLUGIN_COMPILER_CACHE: expected "auto" or "ccache" or "off", got a string '
      "('sccache') (the environment's value for [tool.cffi-build-plugin] compiler-cache)"]),
    ("CFFI_BUILD_PLUGIN_DEBUG_INFO", "maybe",
     ["CFFI_BUILD_PLUGIN_DEBUG_INFO: expected true or false, got a string ('maybe')"]),
    ("CFFI_BUILD_PLUGIN_TARGET", "bogus",
     ["CFFI_BUILD_PLUGIN_TARGET = 'bogus' is not a manylinux_X_Y_ARCH or musllinux_X_Y_ARCH "
      "platform tag (for example manylinux_2_17_x86_64"]),
    ("SOURCE_DATE_EPOCH", "yesterday",
     ["SOURCE_DATE_EPOCH: expected a whole number of seconds since 1970 (for example the last "
      "commit's: git log -1 --format=%ct), got 'yesterday'"]),
])
def test_bad_environment_values(variable: str, value: str, expected: list[str],
                                project_copy: ProjectCopy, tmp_path: Path) -> None:
    log = failed_build(flat_api(project_copy), tmp_path, {variable: value})
    assert_says(log, expected)


# -- inputs that only look wrong: these build ---------------------------------------------------


def test_noisy_builder_still_builds_a_correct_wheel(project_copy: ProjectCopy,
                                                    tmp_path: Path) -> None:
    noise = ("import os, sys\n"
             "for i in range(2000):\n"
             '    print(f"builder line {i}: error: Traceback? no, just noise " + "x" * 60)\n'
             'sys.stderr.write("warning: the builder writes to stderr too\\n")\n'
             'os.write(1, "raw bytes on fd 1, \\u00fc\\n".encode())\n'
             'sys.stdout.write("and no newline at the end")\n')
    project = flat_api(project_copy)
    builder = project / "build_flatapi.py"
    builder.write_text(noise + builder.read_text())
    wheel, log = built_wheel(project, tmp_path)
    assert "builder line 1999" in log
    assert tag(wheel) == f"cp39-abi3-{PLATFORM}"
    assert names(wheel) == FLAT_WHEEL
    assert run_from_wheel(wheel, tmp_path, "import flatapi; print(flatapi.magic())") == "42\n"


_OPTIONAL = module_table('"build_flatapi.py:ffibuilder", '
                         '{ builder = "build_opt.py:ffibuilder", optional = true }')


@pytest.mark.parametrize("failure", [
    pytest.param("compile", id="optional-compile-fails"),
    pytest.param("builder", id="optional-builder-raises"),
])
def test_optional_module_that_fails_only_warns(failure: str, project_copy: ProjectCopy,
                                               tmp_path: Path) -> None:
    if failure == "compile":
        opt = builder_source("flatapi._opt",
                             source='"#include <no_such_header_xyz.h>\\nint other(void);"')
    else:
        opt = builder_source("flatapi._opt", before='raise OSError("libopt is not installed")')
    project = flat_api(project_copy, table=_OPTIONAL, files={"build_opt.py": opt})
    wheel, log = built_wheel(project, tmp_path)
    assert re.search(r"optional cffi module \S*flatapi\._opt.* skipped", log), log
    assert "build_opt.py:ffibuilder" in log
    assert tag(wheel) == f"cp39-abi3-{PLATFORM}"
    assert names(wheel) == FLAT_WHEEL
    assert run_from_wheel(wheel, tmp_path, "import flatapi; print(flatapi.magic())") == "42\n"


def test_path_with_spaces_and_non_ascii_characters(project_copy: ProjectCopy,
                                                   tmp_path: Path) -> None:
    project = flat_api(project_copy, folder="a folder with spaces/ünïcödé prøject ✓")
    wheel, _ = built_wheel(project, tmp_path, out=tmp_path / "out dir ü")
    assert tag(wheel) == f"cp39-abi3-{PLATFORM}"
    assert names(wheel) == FLAT_WHEEL
    assert run_from_wheel(wheel, tmp_path, "import flatapi; print(flatapi.magic())") == "42\n"


def _read_only_prefix() -> list[str]:
    """What makes a read-only tree read-only for this process: root ignores file modes unless
    it gives up CAP_DAC_OVERRIDE."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        unavailable("running as root without setpriv: a read-only tree would be writable")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_read_only_source_tree(project_copy: ProjectCopy, tmp_path: Path) -> None:
    project = flat_api(project_copy)
    before = snapshot(project)
    modes = {p: p.stat().st_mode for p in [project, *project.rglob("*")]}
    for path, mode in modes.items():
        path.chmod(mode & ~0o222)
    try:
        proc = build(project, tmp_path / "out", prefix=_read_only_prefix())
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    log = log_of(proc)
    assert tree_changes(before, snapshot(project)) == [], log
    assert TRACEBACK not in log, log
    # A build from a read-only checkout (a mounted volume, a store path) works: setuptools'
    # outputs go elsewhere.
    assert proc.returncode == 0, log
    assert names(only(sorted((tmp_path / "out").glob("*.whl")))) == FLAT_WHEEL
