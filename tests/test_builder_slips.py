"""The usual slips in a builder, through the real commands: a spec naming the wrong variable or
file, a builder importing the package it builds, a module in a namespace folder of the
package, a module installed top-level by mistake, ``ffibuilder.compile()`` without the
``__main__`` guard, and what in-place builds leave for the sdist."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

import pytest

from cffi_build_plugin.errors import ConfigError
from cffi_build_plugin.modules.sdist_inputs import module_outputs
from devtools.pyproject import pyproject_text
from devtools.venvs import make_venv, run
from tests.conftest import snapshot, tree_changes
from tests.test_bad_input import (
    NATIVE,
    TRACEBACK,
    ProjectCopy,
    assert_says,
    base_env,
    built_wheel,
    failed_build,
    flat_api,
    log_of,
    module_table,
    run_from_wheel,
)

KEY = "tool.cffi-build-plugin.modules[0].builder"


def cli_list(project: Path) -> subprocess.CompletedProcess[str]:
    """``python -m cffi_build_plugin list project``, as a user runs it."""
    return run([sys.executable, "-m", "cffi_build_plugin", "list", project], env=base_env(),
               check=False, timeout=120)


def write(project: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return project


def src_project(tmp_path: Path, name: str, files: dict[str, str], extra: str = "") -> Path:
    """A src-layout project *name* with *files*, discovery finding its builders."""
    return write(tmp_path / name, {
        "pyproject.toml": pyproject_text(name) + extra,
        **files,
    })


# -- a spec naming the wrong variable or file -------------------------------------------------

@pytest.mark.parametrize(("spec", "expected"), [
    pytest.param("build_flatapi.py:ffi",
                 f"{KEY}: build_flatapi.py defines no 'ffi'; did you mean 'ffibuilder'?",
                 id="ffi-for-ffibuilder"),
    pytest.param("buld_flatapi.py:ffibuilder",
                 f"{KEY}: 'buld_flatapi.py' does not exist (paths are relative to "
                 "pyproject.toml's folder); did you mean build_flatapi.py:ffibuilder?",
                 id="path-typo"),
    pytest.param("tools/build_flatapi.py:ffibuilder",
                 f"{KEY}: 'tools/build_flatapi.py' does not exist (paths are relative to "
                 "pyproject.toml's folder); did you mean build_flatapi.py:ffibuilder?",
                 id="path-wrong-folder"),
])
def test_list_refuses_a_spec_that_cannot_work(spec: str, expected: str,
                                              project_copy: ProjectCopy) -> None:
    project = flat_api(project_copy, table=module_table(f'"{spec}"'))
    proc = cli_list(project)
    assert proc.returncode == ConfigError.exit_code, log_of(proc)
    assert proc.stdout == ""  # no "? unknown" row
    assert_says(proc.stderr, [expected])
    assert TRACEBACK not in proc.stderr


def test_list_keeps_a_spec_it_cannot_read_as_unknown(project_copy: ProjectCopy) -> None:
    # A function builder discovery cannot follow is still a valid spec: listed, exit 0.
    project = flat_api(project_copy, table=module_table('"build_other.py:make"'), files={
        "build_other.py": "from build_flatapi import ffibuilder\n\n\n"
                          "def make():\n    return ffibuilder\n"})
    proc = cli_list(project)
    assert proc.returncode == 0, log_of(proc)
    assert "build_other.py:make" in proc.stdout


def test_build_says_did_you_mean_for_the_wrong_variable(project_copy: ProjectCopy,
                                                        tmp_path: Path) -> None:
    project = flat_api(project_copy, table=module_table('"build_flatapi.py:ffi"'))
    log = failed_build(project, tmp_path)
    assert_says(log, [f"{KEY}: build_flatapi.py defines no 'ffi'; did you mean 'ffibuilder'?"])


def test_builder_run_says_did_you_mean_when_reading_cannot_tell(project_copy: ProjectCopy,
                                                                tmp_path: Path) -> None:
    # A star import hides the file's names from reading: the builder runs, then it is said.
    project = flat_api(project_copy, table=module_table('"build_other.py:ffi"'), files={
        "build_other.py": "from build_flatapi import *  # noqa\n"})
    assert cli_list(project).returncode == 0
    log = failed_build(project, tmp_path)
    assert_says(log, ["builder build_other.py:ffi: build_other.py defines no 'ffi'; did you "
                      "mean 'ffibuilder'?"])


# -- a builder importing the package it builds ------------------------------------------------

_CDEFS = 'CDEF = "int magic(void);"\n'
_BUILD = ("from cffi import FFI\n\n{import_line}\n\nffibuilder = FFI()\nffibuilder.cdef(CDEF)\n"
          'ffibuilder.set_source("mypkg._native", "static int magic(void) { return 7; }")\n')


def _importing_project(tmp_path: Path, import_line: str) -> Path:
    return src_project(tmp_path, "mypkg", {
        "src/mypkg/__init__.py": "from ._native import lib\n",
        "src/mypkg/_cdefs.py": _CDEFS,
        "src/mypkg/_build.py": _BUILD.replace("{import_line}", import_line),
    })


def test_builder_importing_its_own_package_is_told_the_import_that_works(tmp_path: Path) -> None:
    project = _importing_project(tmp_path, "from mypkg._cdefs import CDEF")
    log = failed_build(project, tmp_path)
    assert_says(log, [
        "builder file src/mypkg/_build.py raised ModuleNotFoundError: No module named 'mypkg'",
        "builders run before mypkg is built or installed, so a builder cannot import "
        "mypkg._cdefs (in src/mypkg/_build.py, line 3); `from _cdefs import ...` works: the "
        "builder's folder (src/mypkg/) is on sys.path while it runs",
    ])
    # What the message says works, works.
    fixed = _importing_project(tmp_path / "fixed", "from _cdefs import CDEF")
    wheel, _ = built_wheel(fixed, tmp_path)
    assert run_from_wheel(wheel, tmp_path, "import mypkg; print(mypkg.lib.magic())").strip() \
        == "7"


# -- a module in a namespace folder inside the package ----------------------------------------

_GENERATED = {
    "src/nspkg/__init__.py": "from ._generated.ffi import ffi\n\nlibc = ffi.dlopen(None)\n",
    "src/nspkg/_build_ffi.py": (
        'from cffi import FFI\n\nffibuilder = FFI()\nffibuilder.cdef("size_t strlen(const '
        'char *);")\nffibuilder.set_source("nspkg._generated.ffi", None)\n'),
    "src/nspkg/_generated/README": "generated modules, kept out of the packages\n",
    "src/nspkg/_build_api.py": (
        'from cffi import FFI\n\nffibuilder = FFI()\nffibuilder.cdef("int seven(void);")\n'
        'ffibuilder.set_source("nspkg._generated._seven", '
        '"static int seven(void) { return 7; }")\n'),
}
_EXCLUDED = ('\n[tool.setuptools.packages.find]\nwhere = ["src"]\n'
             'exclude = ["nspkg._generated"]\n')


def test_module_in_a_namespace_folder_of_the_package_builds_and_imports(tmp_path: Path) -> None:
    project = src_project(tmp_path, "nspkg", _GENERATED, _EXCLUDED)
    wheel, _ = built_wheel(project, tmp_path)
    with zipfile.ZipFile(wheel) as zf:
        files = set(zf.namelist())
    assert {"nspkg/_generated/ffi.py", "nspkg/_generated/ffi.pyi"} <= files
    assert any(f.startswith("nspkg/_generated/_seven.") and f.endswith(".so") for f in files)
    code = ("import nspkg; from nspkg._generated._seven import lib; "
            "print(nspkg.libc.strlen(b'abcd'), lib.seven())")
    assert run_from_wheel(wheel, tmp_path, code).split() == ["4", "7"]


def test_near_miss_of_a_package_is_still_refused(project_copy: ProjectCopy,
                                                 tmp_path: Path) -> None:
    project = flat_api(project_copy, native=NATIVE.replace("flatapi._native", "flatapy._native"))
    log = failed_build(project, tmp_path)
    assert_says(log, ["builder build_flatapi.py:ffibuilder: module flatapy._native would go "
                      "into package 'flatapy', which this project does not have (its "
                      "packages: flatapi); fix the name in set_source() or the module's "
                      "package setting (did you mean flatapi._native?)"])


# -- a module installed top-level by mistake --------------------------------------------------

_TOP = ('from cffi import FFI\n\nffibuilder = FFI()\nffibuilder.cdef("int magic(void);")\n'
        'ffibuilder.set_source("_native", "static int magic(void) { return 7; }")\n')


@pytest.mark.parametrize(("folder", "importer", "extra"), [
    ("src", "__init__.py", ""),
    # package-dir maps the packages to lib/: its files' relative imports are still resolved.
    ("lib", "sub/__init__.py", '\n[tool.setuptools.package-dir]\n"" = "lib"\n'),
])
def test_top_level_module_the_package_imports_relatively_fails(folder: str, importer: str,
                                                               extra: str,
                                                               tmp_path: Path) -> None:
    dots = "." * importer.count("/")
    project = src_project(tmp_path, "mypkg", {
        f"{folder}/mypkg/__init__.py": "", f"{folder}/mypkg/_build.py": _TOP,
        f"{folder}/mypkg/{importer}": f"from .{dots}_native import lib\n"}, extra)
    log = failed_build(project, tmp_path)
    assert_says(log, [f"builder {folder}/mypkg/_build.py:ffibuilder: module _native is "
                      f"installed top-level, but {folder}/mypkg/{importer} (line 1) imports it "
                      'as mypkg._native; did you mean set_source("mypkg._native", ...)?'])


def test_top_level_module_nothing_imports_warns(tmp_path: Path) -> None:
    project = src_project(tmp_path, "mypkg", {
        "src/mypkg/__init__.py": "", "src/mypkg/_build.py": _TOP})
    wheel, log = built_wheel(project, tmp_path)
    assert_says(log, ["cffi module _native (builder src/mypkg/_build.py:ffibuilder) is "
                      "installed top-level, beside the project's package 'mypkg', and no code "
                      "of the project imports it as _native; if it belongs in the package, "
                      'write set_source("mypkg._native", ...)'])
    # A warning, not an error: the module is built, top-level as asked.
    assert run_from_wheel(wheel, tmp_path, "import _native; print(_native.lib.magic())") \
        .strip() == "7"


@pytest.mark.parametrize("layout", ["package-imports-it-top-level", "single-module-project"])
def test_top_level_module_on_purpose_builds_quietly(layout: str, tmp_path: Path) -> None:
    if layout == "package-imports-it-top-level":
        project = src_project(tmp_path, "mypkg", {
            "src/mypkg/__init__.py": "from _native import lib\n", "src/mypkg/_build.py": _TOP})
        code = "import mypkg; print(mypkg.lib.magic())"
    else:
        project = src_project(tmp_path, "fastfoo", {
            "fastfoo.py": "from _native import lib\n", "build_native.py": _TOP},
            '\n[tool.setuptools]\npy-modules = ["fastfoo"]\n')
        code = "import fastfoo; print(fastfoo.lib.magic())"
    wheel, log = built_wheel(project, tmp_path)
    assert "top-level" not in log.replace("writing top-level names", "")
    assert run_from_wheel(wheel, tmp_path, code).strip() == "7"


# -- ffibuilder.compile() without the __main__ guard ------------------------------------------

def test_unguarded_compile_is_skipped_and_named(project_copy: ProjectCopy,
                                                tmp_path: Path) -> None:
    project = flat_api(project_copy)
    builder = project / "build_flatapi.py"
    builder.write_text(builder.read_text() + "ffibuilder.compile(verbose=True)\n")
    line = len(builder.read_text().splitlines())
    # built_wheel: the tree is left exactly as it was (no .c, .o, .so next to the sources).
    wheel, log = built_wheel(project, tmp_path)
    assert_says(log, [f"build_flatapi.py, line {line}: compile() runs while the build loads "
                      "the builder; skipped, since the build compiles the module itself and "
                      "the call would leave its outputs in the source tree: put it under "
                      '`if __name__ == "__main__":`'])
    assert run_from_wheel(wheel, tmp_path, "import flatapi; print(flatapi.magic())").strip() \
        == "42"


_PROBE = """import importlib.util
import tempfile

# The builder asks the compiler: a probe module compiled in a temporary folder and loaded.
probe = FFI()
probe.cdef("int answer(void);")
probe.set_source("_probe", "static int answer(void) { return 6 * 7 + 1; }")
built = probe.compile(tmpdir=tempfile.mkdtemp())
spec = importlib.util.spec_from_file_location("_probe", built)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
MAGIC = module.lib.answer()
"""


def test_builder_probing_the_compiler_in_a_temporary_folder_runs(project_copy: ProjectCopy,
                                                                 tmp_path: Path) -> None:
    project = flat_api(project_copy)
    builder = project / "build_flatapi.py"
    text = builder.read_text()
    magic_line = 'MAGIC = int(os.environ.get("FLATAPI_MAGIC", "42"))\n'
    assert magic_line in text
    builder.write_text(text.replace(magic_line, _PROBE))
    wheel, log = built_wheel(project, tmp_path)
    assert "skipped" not in log
    assert run_from_wheel(wheel, tmp_path, "import flatapi; print(flatapi.magic())").strip() \
        == "43"


def test_unguarded_compile_is_skipped_under_setup_py(project_copy: ProjectCopy,
                                                     tmp_path: Path) -> None:
    # `python setup.py bdist_wheel`: the project's setup.py is on the stack under the builder.
    project = flat_api(project_copy, files={"setup.py": "from setuptools import setup\n\n"
                                                        "setup()\n"})
    builder = project / "build_flatapi.py"
    builder.write_text(builder.read_text() + "ffibuilder.compile()\n")
    line = len(builder.read_text().splitlines())
    proc = run([sys.executable, "setup.py", "bdist_wheel", "-d", tmp_path / "out"], cwd=project,
               env=base_env(), check=False, timeout=300)
    log = log_of(proc)
    assert proc.returncode == 0, log
    assert_says(log, [f"build_flatapi.py, line {line}: compile() runs while the build loads "
                      "the builder; skipped"])
    assert not list(project.glob("flatapi/_native*.c")), log
    assert [p.name for p in (tmp_path / "out").glob("*.whl")], log


def sdist_names(project: Path, tmp_path: Path) -> tuple[set[str], str]:
    """``python -m build --sdist`` of *project*: the sdist's root-relative names, the log."""
    proc = run([sys.executable, "-m", "build", "--sdist", "--no-isolation",
                "--skip-dependency-check", "--outdir", tmp_path / "out", project],
               env=base_env(), check=False, timeout=300)
    log = log_of(proc)
    assert proc.returncode == 0, log
    (sdist,) = (tmp_path / "out").glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        return {n.partition("/")[2] for n in tf.getnames()}, log


def test_sdist_leaves_out_what_a_hand_run_compile_left(project_copy: ProjectCopy,
                                                       tmp_path: Path) -> None:
    # cffi's compile() run by hand writes flatapi/_native.c; a builder naming the package
    # folder as an include dir would otherwise carry it into the sdist.
    project = flat_api(project_copy,
                       native=NATIVE[:-1] + ', include_dirs=["flatapi"])',
                       files={"flatapi/_native.c": "#define _CFFI_\n/* generated */\n",
                              "flatapi/_native.o": "",
                              "flatapi/helper.h": "/* hand-written, shipped */\n"})
    names, log = sdist_names(project, tmp_path)
    assert_says(log, ["sdist: leaving out flatapi/_native.c: outputs of cffi's compile() run "
                      "by hand, which every build makes again; delete them"])
    assert "flatapi/_native.c" not in names
    assert "flatapi/helper.h" in names


def test_sdist_keeps_shipped_files_named_like_the_module(project_copy: ProjectCopy,
                                                        tmp_path: Path) -> None:
    # A library the package ships and a D source beside the module share its name; only a
    # compiler output's tag or a generated file's first line marks a file as the build's.
    shipped = {"flatapi/_native.dylib": "not an extension module",
               "flatapi/_native.d": "module _native;\n",
               "flatapi/_native.so": "a prebuilt library the package loads"}
    project = flat_api(project_copy, files={
        **shipped, "flatapi/_native.abi3.so": "", "MANIFEST.in": "include flatapi/_native.*\n"})
    names, log = sdist_names(project, tmp_path)
    assert set(shipped) <= names, log
    assert "flatapi/_native.abi3.so" not in names
    assert_says(log, ["sdist: leaving out flatapi/_native.abi3.so (built in place; every "
                      "build makes them again)"])


@pytest.mark.parametrize("native", [PurePosixPath, PureWindowsPath])
def test_generated_files_are_found_in_native_paths(native: type[PurePath],
                                                   tmp_path: Path) -> None:
    # setuptools' FileList holds paths as the system spells them: pkg\\_native.pyd on Windows.
    write(tmp_path, {"pkg/_native.c": "#define _CFFI_\n", "pkg/_native.h": "int f(void);\n",
                     "pkg/_ffi.py": "# auto-generated file\nimport _cffi_backend\n"})
    sep = "\\" if native is PureWindowsPath else "/"
    files = [sep.join(("pkg", name)) for name in (
        "_native.c", "_native.h", "_native.cp311-win_amd64.pyd", "_native.obj", "_native.dll",
        "_ffi.py", "_ffi.pyi", "other.pyd")]
    in_place, stray = module_outputs(tmp_path, files, {"pkg._native": "pkg", "pkg._ffi": "pkg"},
                                     native)
    assert in_place == [f"pkg{sep}_native.cp311-win_amd64.pyd", f"pkg{sep}_ffi.py"]
    assert stray == [f"pkg{sep}_native.c", f"pkg{sep}_native.obj"]


@pytest.mark.slow
def test_sdist_after_editable_install_carries_no_generated_module(py311, env,
                                                                  project_copy: ProjectCopy,
                                                                  tmp_path: Path) -> None:
    project = project_copy("abi-only")
    python = make_venv(py311, tmp_path / "venv", env=env, with_pip=True)
    run([python, "-m", "pip", "install", "-q", "-e", project], env=env)
    generated = sorted(p.name for p in (project / "src/abionly").glob("_crt.py*"))
    assert generated == ["_crt.py", "_crt.pyi"]  # the editable install built it in place
    run([python, "-m", "pip", "install", "-q", "build"], env=env)
    before = snapshot(project)
    proc = run([python, "-m", "build", "--sdist", "--outdir", tmp_path / "out", project],
               env=env)
    assert_says(log_of(proc), ["sdist: leaving out src/abionly/_crt.py, src/abionly/_crt.pyi "
                               "(built in place; every build makes them again)"])
    (sdist,) = (tmp_path / "out").glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = {n.partition("/")[2] for n in tf.getnames()}
    assert "src/abionly/ffi_build.py" in names
    assert not {"src/abionly/_crt.py", "src/abionly/_crt.pyi"} & names
    assert tree_changes(before, snapshot(project)) == []


def test_builder_run_by_hand_compiles_as_cffi_does(project_copy: ProjectCopy,
                                                   tmp_path: Path) -> None:
    # `python build_x.py` runs cffi's own compile(); the plugin, installed in the same
    # environment, must not take over the Distribution cffi makes for it.
    project = flat_api(project_copy)
    builder = project / "build_flatapi.py"
    builder.write_text(builder.read_text()
                       + 'if __name__ == "__main__":\n    ffibuilder.compile()\n')
    proc = run([sys.executable, "build_flatapi.py"], cwd=project, env=base_env(), check=False,
               timeout=300)
    assert proc.returncode == 0, log_of(proc)
    assert run([sys.executable, "-c", "import flatapi; print(flatapi.magic())"], cwd=project,
               env=base_env()).stdout.strip() == "42"
