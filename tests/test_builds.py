"""Real isolated builds of fixture projects: tags, contents, and the modules working."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

from devtools.venvs import isolated_build, run
from tests.wheels import PLATFORM, build_wheel, metadata, names, run_in_fresh_venv, tag

pytestmark = pytest.mark.slow


def test_flat_layout_api_module_is_abi3_and_lean(py311, tools, env, project_copy, tmp_path):
    project = project_copy("flat-api")
    wheel = build_wheel(tools(py311), project, tmp_path / "out", env)
    # requires-python >= 3.9 sets the abi3 floor, whatever interpreter built it.
    assert tag(wheel) == f"cp39-abi3-{PLATFORM}"
    assert names(wheel) == {"flatapi/__init__.py", "flatapi/_native.abi3.so", "flatapi/_native.pyi"}
    assert "Requires-Dist: cffi" in metadata(wheel)
    out = run_in_fresh_venv(py311, wheel, "import flatapi; print(flatapi.magic())", tmp_path, env)
    assert out.strip() == "42"


def test_builders_see_the_environment(py311, tools, env, project_copy, tmp_path):
    project = project_copy("flat-api")
    wheel = build_wheel(tools(py311), project, tmp_path / "out", {**env, "FLATAPI_MAGIC": "7"})
    out = run_in_fresh_venv(py311, wheel, "import flatapi; print(flatapi.magic())", tmp_path, env)
    assert out.strip() == "7"


def test_abi_only_project_gives_pure_wheel_that_runs_on_pypy(
    py311, pypy39, tools, env, project_copy, tmp_path
):
    wheel = build_wheel(tools(py311), project_copy("abi-only"), tmp_path / "out", env)
    assert tag(wheel) == "py3-none-any"
    assert names(wheel) == {"abionly/__init__.py", "abionly/_crt.py", "abionly/_crt.pyi"}
    code = "import abionly; print(abionly.strlen(b'four'))"
    assert run_in_fresh_venv(py311, wheel, code, tmp_path, env).strip() == "4"
    # The module generated with cffi 2.x must load with PyPy's bundled cffi 1.15.
    assert run_in_fresh_venv(pypy39, wheel, code, tmp_path, env).strip() == "4"


def test_sibling_imports_function_builder_and_two_modules(
    py311, tools, env, project_copy, tmp_path
):
    wheel = build_wheel(tools(py311), project_copy("siblings"), tmp_path / "out", env)
    # No requires-python: the floor is the building interpreter.
    assert tag(wheel) == f"cp311-abi3-{PLATFORM}"
    assert names(wheel) == {
        "twomods/__init__.py", "twomods/_mod_a.abi3.so", "twomods/_mod_b.abi3.so",
        "twomods/_mod_a.pyi", "twomods/_mod_b.pyi",
    }
    out = run_in_fresh_venv(py311, wheel, "import twomods; print(twomods.which())", tmp_path, env)
    assert out.strip() == "(1, 2)"  # each builder got its own `_cdefs` sibling


def test_discovery_without_table(py311, tools, env, project_copy, tmp_path):
    wheel = build_wheel(tools(py311), project_copy("discovered"), tmp_path / "out", env)
    assert tag(wheel) == f"cp310-abi3-{PLATFORM}"  # requires-python = ">=3.10"
    assert names(wheel) == {
        "disco/__init__.py", "disco/runtime_inline.py", "disco/_square.abi3.so",
        "disco/_square.pyi",
    }
    out = run_in_fresh_venv(py311, wheel, "import disco; print(disco.square(12))", tmp_path, env)
    assert out.strip() == "144"


def test_ext_package_places_api_and_abi_modules(py311, tools, env, project_copy, tmp_path):
    wheel = build_wheel(tools(py311), project_copy("ext-package"), tmp_path / "out", env)
    assert names(wheel) == {"extpkg/__init__.py", "extpkg/_api.abi3.so", "extpkg/_abi.py",
                            "extpkg/_api.pyi", "extpkg/_abi.pyi"}
    code = "from extpkg import _api, _abi; print(_api.lib.seven(), type(_abi.ffi).__name__)"
    assert run_in_fresh_venv(py311, wheel, code, tmp_path, env).split() == ["7", "FFI"]


def test_optional_module_failure_warns_and_still_builds(py311, tools, env, project_copy,
                                                        tmp_path):
    out = tmp_path / "out"
    proc = isolated_build(tools(py311), project_copy("optional-fallback"), out, env=env)
    log = proc.stdout + proc.stderr
    assert "optional cffi module optfb._api (src/optfb/build_api.py:ffibuilder) skipped" in log
    (wheel,) = out.glob("*.whl")
    assert tag(wheel) == "py3-none-any"  # nothing compiled survived: the wheel is pure
    assert names(wheel) == {"optfb/__init__.py", "optfb/_abi.py", "optfb/_abi.pyi"}
    code = "import optfb; print(optfb.MODE, optfb.lib.strlen(b'abc'))"
    assert run_in_fresh_venv(py311, wheel, code, tmp_path, env).split() == ["abi", "3"]


def failed_build_log(tool: Path, project: Path, out: Path, env: dict[str, str]) -> str:
    """Build a project that must fail: non-zero exit, no wheel, no Python traceback."""
    proc = isolated_build(tool, project, out, env=env, check=False)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log
    assert "Traceback (most recent call last)" not in log
    assert not list(out.glob("*.whl"))
    return log


def test_failing_builder_gives_clear_error(py311, tools, env, project_copy, tmp_path):
    log = failed_build_log(tools(py311), project_copy("failing-builder"), tmp_path / "out", env)
    assert "builder file pkg/build_it.py raised ValueError: libfoo.pc not found" in log
    assert 'File "pkg/build_it.py", line 10, in <module>' in log
    assert 'File "pkg/build_it.py", line 7, in read_config' in log


def test_missing_runtime_cffi_dependency_gives_the_line_to_add(py311, tools, env, project_copy,
                                                              tmp_path):
    log = failed_build_log(tools(py311), project_copy("no-cffi-dependency"), tmp_path / "out",
                           env)
    assert "nodep builds cffi modules (nodep._one)" in log
    assert "Add this line to [project].dependencies in pyproject.toml:" in log
    assert """    "cffi>=1.15; platform_python_implementation != 'PyPy'",""" in log


def test_sdist_carries_build_inputs_runs_no_builder_and_builds(py311, tools, env, project_copy,
                                                              tmp_path):
    project = project_copy("flat-api")
    marker = tmp_path / "builder-ran.txt"
    env = {**env, "FIXTURE_BUILDER_MARKER": str(marker)}
    out = tmp_path / "out"
    isolated_build(tools(py311), project, out, sdist=True, wheel=False, env=env)
    assert not marker.exists(), "a builder ran for the sdist"
    (sdist,) = out.glob("*.tar.gz")
    assert {"build_flatapi.py", "cdefs/magic.h", "flatapi/__init__.py", "pyproject.toml"} <= \
        names(sdist)
    # Plain `python -m build` builds the sdist, then the wheel from the unpacked sdist.
    isolated_build(tools(py311), project, tmp_path / "out2", wheel=False, env=env)
    (wheel,) = (tmp_path / "out2").glob("*.whl")
    assert tag(wheel) == f"cp39-abi3-{PLATFORM}"
    # The builder ran once, for the wheel, with cwd = the unpacked sdist's root.
    (ran_in,) = marker.read_text().splitlines()
    assert Path(ran_in).name == "flatapi-1.0"


def test_example_sdist_has_every_c_input(py311, tools, env, project_copy, tmp_path):
    out = tmp_path / "out"
    isolated_build(tools(py311), project_copy("example_project"), out, sdist=True, wheel=False,
                   env=env)
    (sdist,) = out.glob("*.tar.gz")
    csrc = "src/cffi_example/csrc/"
    assert {csrc + f for f in ("cvec.h", "vec_sum.c", "vec_dot.c", "fnv1a.c")} <= names(sdist)
    assert {f"src/cffi_example/_build_{m}.py" for m in ("cvec", "fast", "libc")} <= names(sdist)


def test_pypy_builds_project_pinning_newer_cffi(pypy39, tools, env, project_copy, tmp_path):
    wheel = build_wheel(tools(pypy39), project_copy("pins-new-cffi"), tmp_path / "out", env)
    assert tag(wheel).startswith("pp39-pypy39_pp73-")
    code = "import cffi, pinned; print(pinned.twice(21), cffi.__version__)"
    out = run_in_fresh_venv(pypy39, wheel, code, tmp_path, env).split()
    assert out[0] == "42"
    assert out[1] == "1.15.1"  # PyPy's bundled cffi, never one from PyPI


def test_own_build_ext_build_clib_and_shared_builder_file(py311, tools, env, project_copy,
                                                         tmp_path):
    builder_marker = tmp_path / "builder.txt"
    build_ext_marker = tmp_path / "build_ext.txt"
    env = {**env, "FIXTURE_BUILDER_MARKER": str(builder_marker),
           "FIXTURE_BUILD_EXT_MARKER": str(build_ext_marker)}
    wheel = build_wheel(tools(py311), project_copy("own-build-ext"), tmp_path / "out", env)
    assert builder_marker.read_text() == "builders.py ran\n"  # two specs, one run
    assert build_ext_marker.read_text() == "own build_ext ran\n"
    assert names(wheel) == {"ownpkg/__init__.py", "ownpkg/_withlib.abi3.so", "ownpkg/_abi.py",
                            "ownpkg/_withlib.pyi", "ownpkg/_abi.pyi"}
    code = "import ownpkg; print(ownpkg.triple_plus_pre_run(4))"
    assert run_in_fresh_venv(py311, wheel, code, tmp_path, env).strip() == "17"


@pytest.mark.parametrize("minor", [11, 13])
def test_sibling_builder_imports_distutils_on_new_pythons(minor, tools, env, project_copy,
                                                         tmp_path):
    from devtools.interpreters import cpython
    from tests.conftest import need

    interp = need(cpython(minor), f"CPython 3.{minor}")
    # 3.12+ has no distutils in the stdlib: builders get setuptools' copy.
    wheel = build_wheel(tools(interp), project_copy("siblings"), tmp_path / "out", env)
    assert tag(wheel) == f"cp3{minor}-abi3-{PLATFORM}"


def test_package_data_never_ships_build_inputs_unless_asked(py311, tools, env, project_copy,
                                                            tmp_path):
    project = project_copy("example_project")
    # With a MANIFEST.in, setuptools would put the C files into the wheel as package data.
    (project / "MANIFEST.in").write_text("recursive-include src *.c *.h\n")
    wheel = build_wheel(tools(py311), project, tmp_path / "lean", env)
    assert not [n for n in names(wheel) if n.endswith((".c", ".h")) or "/_build_" in n]

    with (project / "pyproject.toml").open("a") as f:
        f.write("\n[tool.cffi-build-plugin]\nship-build-inputs = true\n")
    wheel = build_wheel(tools(py311), project, tmp_path / "full", env)
    shipped = names(wheel)
    assert "cffi_example/_build_cvec.py" in shipped
    assert "cffi_example/csrc/cvec.h" in shipped
    assert "cffi_example/csrc/vec_sum.c" in shipped


def test_opted_in_project_without_builders_fails(py311, tools, env, tmp_path):
    project = tmp_path / "empty-project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg/__init__.py").write_text("")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=70.1", "cffi-build-plugin"]\n'
        'build-backend = "setuptools.build_meta"\n'
        '[project]\nname = "empty"\nversion = "1"\ndependencies = ["cffi"]\n')
    log = failed_build_log(tools(py311), project, tmp_path / "out", env)
    assert "discovery found no cffi builder" in log


def test_config_error_fails_cleanly(py311, tools, env, project_copy, tmp_path):
    project = project_copy("flat-api")
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(text + 'py-limited-api = "cp3"\nexclde = []\n')
    log = failed_build_log(tools(py311), project, tmp_path / "out", env)
    assert "tool.cffi-build-plugin.py-limited-api: expected" in log
    assert 'tool.cffi-build-plugin.exclde: unknown key. Did you mean "exclude"?' in log


def test_limited_api_false_gives_version_specific_wheel(py311, tools, env, project_copy,
                                                        tmp_path):
    project = project_copy("flat-api")
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(text + "py-limited-api = false\n")
    wheel = build_wheel(tools(py311), project, tmp_path / "out", env)
    assert tag(wheel) == f"cp311-cp311-{PLATFORM}"
    assert names(wheel) == {"flatapi/__init__.py", f"flatapi/_native{py311.ext_suffix}",
                            "flatapi/_native.pyi"}


def test_cmdclass_from_pyproject_is_wrapped(py311, tools, env, project_copy, tmp_path):
    project = project_copy("flat-api")
    (project / "custom_commands.py").write_text(
        "from setuptools.command.build_ext import build_ext\n\n\n"
        "class BuildExt(build_ext):\n    pass\n")
    with (project / "pyproject.toml").open("r+") as f:
        text = f.read().replace('[tool.setuptools]\n', '[tool.setuptools]\npy-modules = []\n')
        text += '\n[tool.setuptools.cmdclass]\nbuild_ext = "custom_commands.BuildExt"\n'
        f.seek(0)
        f.write(text)
    wheel = build_wheel(tools(py311), project, tmp_path / "out", env)
    assert names(wheel) == {"flatapi/__init__.py", "flatapi/_native.abi3.so", "flatapi/_native.pyi"}


def test_leftover_bdist_wheel_py_limited_api_that_disagrees_is_an_error(
    py311, tools, env, project_copy, tmp_path
):
    project = project_copy("flat-api")
    (project / "setup.cfg").write_text("[bdist_wheel]\npy_limited_api = cp37\n")
    log = failed_build_log(tools(py311), project, tmp_path / "out", env)
    assert ("bdist_wheel's py_limited_api is 'cp37' (from setup.cfg's [bdist_wheel] or "
            "--py-limited-api), but cffi-build-plugin built abi3 modules for CPython >= 3.9") in log
    # One that agrees is harmless.
    (project / "setup.cfg").write_text("[bdist_wheel]\npy_limited_api = cp39\n")
    assert tag(build_wheel(tools(py311), project, tmp_path / "ok", env)) == \
        f"cp39-abi3-{PLATFORM}"


def test_abi_only_project_built_on_pypy_is_pure(pypy39, tools, env, project_copy, tmp_path):
    wheel = build_wheel(tools(pypy39), project_copy("abi-only"), tmp_path / "out", env)
    assert tag(wheel) == "py3-none-any"
    assert names(wheel) == {"abionly/__init__.py", "abionly/_crt.py", "abionly/_crt.pyi"}


def test_metadata_hooks_run_no_builder(env, project_copy, tmp_path):
    # In-process, with this checkout's plugin: every PEP 517 metadata hook, and egg_info.
    project = project_copy("flat-api")
    marker = tmp_path / "builder-ran.txt"
    code = (
        "import os, sys; from setuptools import build_meta as b; out = sys.argv[1]\n"
        "b.get_requires_for_build_wheel(); b.get_requires_for_build_sdist()\n"
        "b.get_requires_for_build_editable()\n"
        "b.prepare_metadata_for_build_wheel(out)\n"
        "b.prepare_metadata_for_build_editable(out)\n"
    )
    for i, args in enumerate((["-c", code, str(tmp_path / "md")], ["setup.py", "egg_info"])):
        if args[0] == "setup.py":
            (project / "setup.py").write_text("from setuptools import setup\nsetup()\n")
        (tmp_path / "md").mkdir(exist_ok=True)
        run([sys.executable, *args], cwd=project,
            env={**env, "FIXTURE_BUILDER_MARKER": str(marker)})
        assert not marker.exists(), f"a builder ran in step {i}"


def test_changed_header_rebuilds_incremental_build(env, project_copy, tmp_path):
    # A developer's build in the tree (PEP 517 wheel builds use a build folder of their own):
    # without ccache, setuptools skips up-to-date extensions, so a header the builder's
    # include_dirs reach must count as a dependency (through ccache every file is compiled,
    # each unchanged one a hit).
    env = {**env, "CFFI_BUILD_PLUGIN_COMPILER_CACHE": "off"}
    project = project_copy("example_project")
    builder = project / "src/cffi_example/_build_cvec.py"
    text = builder.read_text()
    assert 'depends=["src/cffi_example/csrc/cvec.h"],' in text
    builder.write_text(text.replace('depends=["src/cffi_example/csrc/cvec.h"],', ""))
    build = [sys.executable, "-c", "from setuptools import setup; setup()", "build_ext",
             "--inplace"]
    compiles = "building 'cffi_example._cvec' extension"
    assert compiles in run(build, cwd=project, env=env).stdout
    assert compiles not in run(build, cwd=project, env=env).stdout  # up to date
    header = project / "src/cffi_example/csrc/cvec.h"
    time.sleep(1.1)
    header.write_text(header.read_text() + "\n/* changed */\n")
    assert compiles in run(build, cwd=project, env=env).stdout


_NATIVE = ('ffibuilder.set_source("flatapi._native", '
           '"static int magic(void) { return %d; }" % MAGIC)')


@pytest.mark.parametrize(("replacement", "expected"), [
    pytest.param(
        'ffibuilder.set_source("flatapi._native", "static int magic(void) { return }")',
        ["cffi module flatapi._native (builder build_flatapi.py:ffibuilder) failed to compile",
         "the C generated from its builder, kept at /"],
        id="compile-error"),
    pytest.param(
        _NATIVE[:-1] + ', libraries=["no_such_library_xyz"])',
        ["cffi module flatapi._native (builder build_flatapi.py:ffibuilder) failed to link",
         "no_such_library_xyz", "check libraries= and library_dirs="],
        id="link-error"),
    pytest.param(
        _NATIVE[:-1] + ', sources=["csrc/missing.c"], include_dirs=["csrc/include"])',
        ["builder build_flatapi.py:ffibuilder: source file 'csrc/missing.c' does not exist",
         "builder build_flatapi.py:ffibuilder: include dir 'csrc/include' does not exist"],
        id="missing-inputs"),
    pytest.param(
        _NATIVE.replace("flatapi._native", "flatapy._native"),
        ["module flatapy._native would go into package 'flatapy', which this project does not "
         "have (its packages: flatapi)"],
        id="wrong-package"),
    pytest.param(
        'ffibuilder.cdef("int broken(;")\n' + _NATIVE,
        ["builder file build_flatapi.py raised CDefError:", 'File "build_flatapi.py", line'],
        id="cdef-syntax"),
])
def test_builder_mistakes_are_named(replacement, expected, py311, tools, env, project_copy,
                                    tmp_path):
    project = project_copy("flat-api")
    builder = project / "build_flatapi.py"
    text = builder.read_text()
    assert _NATIVE in text
    builder.write_text(text.replace(_NATIVE, replacement))
    log = failed_build_log(tools(py311), project, tmp_path / "out", env)
    for fragment in expected:
        assert fragment in log
    generated = re.search(r"the C generated from the builder is (\S+\.c)", log)
    if generated:  # kept for the user to read, outside the source tree
        assert Path(generated[1]).is_file()
        assert not Path(generated[1]).is_relative_to(project)


@pytest.mark.parametrize("table", [
    'stubs = false\nmodules = ["build_flatapi.py:ffibuilder"]\n',
    'modules = [{ builder = "build_flatapi.py:ffibuilder", stubs = false }]\n',
])
def test_stubs_can_be_turned_off(table, py311, tools, env, project_copy, tmp_path):
    project = project_copy("flat-api")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('modules = ["build_flatapi.py:ffibuilder"]\n', table))
    wheel = build_wheel(tools(py311), project, tmp_path / "out", env)
    assert names(wheel) == {"flatapi/__init__.py", "flatapi/_native.abi3.so"}


def test_a_stub_that_cannot_be_rendered_never_fails_the_build(py311, tools, env, project_copy,
                                                              tmp_path):
    # The renderer fails (a builder breaks it, in the build's own process): the module
    # builds, the stub is a warning.
    project = project_copy("flat-api")
    builder = project / "build_flatapi.py"
    builder.write_text(builder.read_text() + (
        "\nimport cffi_build_plugin.modules.stubs as _stubs\n"
        "def _broken(*args, **kwargs):\n    raise RuntimeError('no stub today')\n"
        "_stubs.render_stub = _broken\n"))
    proc = isolated_build(tools(py311), project, tmp_path / "out", env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = (tmp_path / "out").glob("*.whl")
    assert names(wheel) == {"flatapi/__init__.py", "flatapi/_native.abi3.so"}
    assert "flatapi._native: its stub was not written (RuntimeError: no stub today)" in \
        proc.stdout + proc.stderr
