"""What a user sees when C does not compile or link, or CC names no compiler, built for real.

A failure names the module and its builder, the C file, where the C generated from the builder
is kept, and the command to run again as it would be typed in a shell: no _launcher.py or its
lock file, no ccache the plugin added, no temporary folder twice in a path. The build's own
compile lines look the same. The compiler's diagnostics appear once, each file's in one piece,
and the command shown reproduces them when pasted into a shell.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cffi_build_plugin.compile.commands import object_filenames
from devtools.pyproject import pyproject_text
from devtools.venvs import isolated_build, run
from tests.conftest import Tools, copy_project
from tests.test_bad_input import (
    NATIVE,
    ProjectCopy,
    assert_says,
    built_wheel,
    failed_build,
    flat_api,
)
from tests.wheels import names

#: README.md's quick start, with an inline C function missing its semicolon.
QUICK_START_TOML = pyproject_text("fastthing", requires="cffi-build-plugin[ccache]",
                                  requires_python=">=3.9",
                                  modules=["src/fastthing/_build.py:ffibuilder"])
BROKEN_ADD = "static int add(int a, int b) { return a + b }"
QUICK_START_BUILDER = f"""\
from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int add(int, int);")
ffibuilder.set_source("fastthing._native", "{BROKEN_ADD}")
"""
#: What the plugin wraps compile commands in; none of it may show.
NOT_TYPED = ("_launcher.py", ".lock", "ccache", "CCACHE_", " -MD")


def quick_start(root: Path) -> Path:
    (root / "src/fastthing").mkdir(parents=True)
    (root / "pyproject.toml").write_text(QUICK_START_TOML)
    (root / "src/fastthing/__init__.py").write_text("")
    (root / "src/fastthing/_build.py").write_text(QUICK_START_BUILDER)
    return root


def run_again(log: str, tool: str = "compiler") -> tuple[Path, list[str]]:
    """The folder and commands the error gives to run the *tool* again."""
    found = re.search(rf"^\s*To run the {tool} again, in (.+):\n((?:\s+\S.*\n?)+)", log,
                      re.MULTILINE)
    assert found, log
    lines = [line.strip() for line in found[2].splitlines()]
    return Path(found[1]), [line for line in lines if line and not line.startswith("[")]


def diagnostic_lines(log: str, prefix: str) -> list[int]:
    """The numbers of the log's lines that start with *prefix* (a compiler's diagnostics)."""
    return [i for i, line in enumerate(log.splitlines()) if line.strip().startswith(prefix)]


def compile_lines(log: str) -> list[str]:
    """The compile commands the build logged."""
    return [line.strip() for line in log.splitlines() if " -c " in line and " -o " in line]


def assert_typed(command: str, tmp: Path) -> None:
    """*command* is the compiler's own: nothing the plugin wrapped it in, no folder twice."""
    assert not [w for w in NOT_TYPED if w in command], command
    assert command.split(maxsplit=1)[0] in ("gcc", "cc"), command
    for path in re.findall(r"\S*/\S+\.o\b", command):
        assert path.count(str(tmp)) <= 1, path
        assert path.count("/build/temp.") <= 1, path


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """*command* pasted into a POSIX shell in *cwd*."""
    return run(["sh", "-c", command], cwd=cwd, check=False)


def _env(env: dict[str, str], tmp_path: Path, **extra: str) -> dict[str, str]:
    """A TMPDIR of the test's own (the build folder a failed build keeps is its), a private
    ccache, no compiler settings of the developer's shell."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    out = {k: v for k, v in env.items()
           if k not in ("CC", "CFLAGS", "LDFLAGS", "CFFI_BUILD_PLUGIN_JOBS")}
    return {**out, "TMPDIR": str(tmp_path / "tmp"), "CCACHE_DIR": str(tmp_path / "ccache"),
            **extra}


@pytest.mark.slow
def test_quick_start_inline_c_that_does_not_compile(tmp_path: Path, py311, tools: Tools,
                                                    env: dict[str, str]) -> None:
    project = quick_start(tmp_path / "fastthing")
    build_env = _env(env, tmp_path, CFFI_BUILD_PLUGIN_COMPILER_CACHE="ccache")
    proc = isolated_build(tools(py311), project, tmp_path / "dist", env=build_env, check=False)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log
    assert "Traceback" not in log, log
    found = re.search(r"cffi module fastthing\._native \(builder src/fastthing/_build\.py:"
                      r"ffibuilder\) failed to compile the C generated from its builder, kept at "
                      r"(\S+/fastthing\._native\.c) \(the compiler's messages are above\)\.", log)
    assert found, log
    generated = Path(found[1])
    assert generated.is_relative_to(tmp_path / "tmp")
    assert BROKEN_ADD in generated.read_text()
    # gcc's own diagnostic, once.
    diagnostic = rf"{re.escape(str(generated))}:\d+:\d+: error: expected"
    assert len(re.findall(diagnostic, log)) == 1, log
    # The command, as typed: the build's own log line and the one the error gives.
    folder, commands = run_again(log)
    assert folder == project
    assert len(commands) == 1
    assert_typed(commands[0], tmp_path / "tmp")
    assert commands[0].endswith(f"-c {generated} -o {generated}.o")
    assert compile_lines(log) == commands * 2  # logged when it ran, and in the error
    # Pasted into a shell, it says the same (the kept C is still there).
    again = shell(commands[0], folder)
    assert again.returncode != 0
    assert re.search(diagnostic, again.stderr), again.stderr


@pytest.mark.slow
def test_separate_c_files_that_do_not_compile_in_parallel(tmp_path: Path, py311, tools: Tools,
                                                          env: dict[str, str]) -> None:
    project = copy_project("many-files", tmp_path / "manyfiles")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        '"cffi-build-plugin"]', '"cffi-build-plugin[ccache]"]'))
    # Sorted, cffi's C and part_a start first; both parts fail at once, slowly enough (a big
    # file) that both run, printing their diagnostics at the same time.
    filler = "".join(f"long f{i}(long x) {{ return x * {i}; }}\n" for i in range(20000))
    for part in ("a", "b"):
        (project / f"csrc/part_{part}.c").write_text(
            f"{filler}long part_{part}(long x) {{ return x + ; }}\n")
    build_env = _env(env, tmp_path, CFFI_BUILD_PLUGIN_JOBS="3",
                     CFFI_BUILD_PLUGIN_COMPILER_CACHE="ccache")
    proc = isolated_build(tools(py311), project, tmp_path / "dist", env=build_env, check=False)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log
    found = re.search(r"cffi module manyfiles\._parts \(builder src/manyfiles/_build\.py:"
                      r"ffibuilder\) failed to compile csrc/part_a\.c and csrc/part_b\.c \(the "
                      r"compiler's messages are above\); the C generated from its builder is "
                      r"kept at (\S+/manyfiles\._parts\.c)\.", log)
    assert found, log
    assert Path(found[1]).is_file()
    folder, commands = run_again(log)
    assert folder == project
    assert [c.split(" -c ")[1].split()[0] for c in commands] == ["csrc/part_a.c", "csrc/part_b.c"]
    for command in commands:
        assert_typed(command, tmp_path / "tmp")
    logged = compile_lines(log)
    assert set(commands) <= set(logged)
    for line in logged:
        assert_typed(line, tmp_path / "tmp")
    # Each file's diagnostics once, in one piece: no line of one inside the other's.
    blocks = [diagnostic_lines(log, f"csrc/part_{part}.c:") for part in ("a", "b")]
    assert blocks[0][-1] < blocks[1][0] or blocks[1][-1] < blocks[0][0], log
    for part in ("a", "b"):
        assert log.count(f"csrc/part_{part}.c:20001:34: error") == 1, log
    again = shell(commands[1], folder)
    assert again.returncode != 0
    assert "csrc/part_b.c:20001:34: error" in again.stderr


@pytest.mark.slow
def test_a_link_failure_gives_the_linker_command(project_copy: ProjectCopy,
                                                 tmp_path: Path) -> None:
    project = flat_api(project_copy, native=NATIVE[:-1] + ', libraries=["no_such_library_xyz"])')
    (tmp_path / "tmp").mkdir()  # the build folder the failure keeps is the test's own
    log = failed_build(project, tmp_path, {"TMPDIR": str(tmp_path / "tmp")})
    assert_says(log, [
        "cffi module flatapi._native (builder build_flatapi.py:ffibuilder) failed to link (the "
        "linker's messages are above); check libraries= and library_dirs= in set_source().",
        "cannot find -lno_such_library_xyz",
    ])
    folder, (command,) = run_again(log, "linker")
    assert folder == project
    assert "-lno_such_library_xyz" in command
    assert_typed(command, tmp_path / "tmp")
    again = shell(command, folder)
    assert "cannot find -lno_such_library_xyz" in again.stderr, again.stderr


# -- CC ------------------------------------------------------------------------------------------


def _not_executable(tmp_path: Path) -> str:
    path = tmp_path / "notes.txt"
    path.write_text("not a compiler\n")
    path.chmod(0o644)
    return str(path)


FIX = ("set CC to a C compiler's name or path (for example CC=gcc or CC=/usr/bin/clang), or "
       "unset CC to use gcc, the compiler this Python was built with")


@pytest.mark.slow
@pytest.mark.parametrize(("cc", "expected"), [
    pytest.param("/nonexistent", f"no C compiler: CC=/nonexistent, which does not exist; {FIX}",
                 id="absolute-path-missing"),
    pytest.param("./bin/mycc", "no C compiler: CC=./bin/mycc, which does not exist in {project}, "
                 f"the folder the build runs in; {FIX}", id="relative-path-missing"),
    pytest.param("nonexistent-cc", "no C compiler: CC=nonexistent-cc, which is not on PATH; "
                 f"install nonexistent-cc, {FIX}", id="name-not-on-path"),
    pytest.param("{not_executable}", "no C compiler: CC={not_executable}, which is not "
                 f"executable (not a program, or without execute permission); {FIX}",
                 id="not-executable"),
    pytest.param("{tmp}", f"no C compiler: CC={{tmp}}, which is a folder, not a program; {FIX}",
                 id="folder"),
    pytest.param("ccache /nonexistent", "no C compiler: CC='ccache /nonexistent' names "
                 f"/nonexistent, which does not exist; {FIX}", id="behind-ccache"),
])
def test_cc_that_names_no_compiler(cc: str, expected: str, project_copy: ProjectCopy,
                                   tmp_path: Path) -> None:
    if shutil.which("gcc") is None:
        pytest.skip("the advice names gcc, this Python's compiler")
    project = flat_api(project_copy)
    values = {"project": str(project), "not_executable": _not_executable(tmp_path),
              "tmp": str(tmp_path)}
    log = failed_build(project, tmp_path, {"CC": cc.format(**values)})
    assert_says(log, [expected.format(**values)])
    assert "failed to compile" not in log


@pytest.mark.slow
def test_cc_with_arguments_builds(project_copy: ProjectCopy, tmp_path: Path) -> None:
    ccache = shutil.which("ccache") or str(Path(sys.executable).parent / "ccache")
    for i, cc in enumerate((f"{ccache} gcc", "gcc -m64")):
        project = flat_api(project_copy, folder=f"p{i}")
        wheel, log = built_wheel(project, tmp_path / f"w{i}",
                                 {"CC": cc, "CCACHE_DIR": str(tmp_path / "ccache")})
        assert names(wheel) >= {"flatapi/_native.abi3.so"}
        assert f"{cc} -" in log  # as given, ccache included since the user put it there
        assert not [w for w in ("CCACHE_", " -MD", "_launcher.py") if w in log], log


@pytest.mark.slow
def test_cc_with_a_flag_the_machine_cannot_build_for_is_a_compile_failure(
        project_copy: ProjectCopy, tmp_path: Path) -> None:
    project = flat_api(project_copy)
    log = failed_build(project, tmp_path, {"CC": "gcc -m32"})
    assert "no C compiler" not in log
    assert "failed to" in log  # to compile (no 32-bit headers) or to link (no 32-bit libc)
    tool = "compiler" if "failed to compile" in log else "linker"
    _, (command,) = run_again(log, tool)
    assert command.startswith("gcc -m32 ")
    assert os.path.basename(command.split()[0]) == "gcc"


def test_objects_of_generated_c_lie_beside_it_apart_from_the_users(tmp_path: Path) -> None:
    from setuptools._distutils.ccompiler import new_compiler

    compiler = new_compiler()
    for temp in ("build/temp.linux-x86_64-cpython-311", str(tmp_path / "build-0/temp")):
        generated = f"{temp}/pkg._native.c"
        objects = object_filenames(compiler, [generated, "pkg._native.c", "csrc/a.c"],
                                   output_dir=temp)
        # Not build/temp.X/build/temp.X/pkg._native.o, nor apart from the user's file's.
        assert objects == [f"{generated}.o", f"{temp}/pkg._native.o", f"{temp}/csrc/a.o"]
