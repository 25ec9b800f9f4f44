"""Helpers for the integration tests: build, inspect and run wheels for real."""

from __future__ import annotations

import sysconfig
import zipfile
from pathlib import Path

from packaging.utils import parse_wheel_filename

from devtools.interpreters import Interpreter
from devtools.venvs import isolated_build, make_venv, run

#: This machine's platform tag, as wheels spell it (linux_x86_64).
PLATFORM = sysconfig.get_platform().replace("-", "_").replace(".", "_")


def only(paths: list[Path]) -> Path:
    assert len(paths) == 1, paths
    return paths[0]


def build_wheel(tool: Path, project: Path, out: Path, env: dict[str, str]) -> Path:
    isolated_build(tool, project, out, env=env)
    return only(sorted(out.glob("*.whl")))


def tag(wheel: Path) -> str:
    """The wheel's tag as its file name spells it: cp39-abi3-linux_x86_64, and compressed
    sets such as cp315-abi3.abi3t-linux_x86_64."""
    parse_wheel_filename(wheel.name)  # a valid name
    return "-".join(wheel.name[: -len(".whl")].split("-")[-3:])


def names(archive: Path) -> set[str]:
    """Files in a wheel (dist-info excluded) or an sdist (its top folder stripped)."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zf:
            return {n for n in zf.namelist() if ".dist-info/" not in n and not n.endswith("/")}
    import tarfile

    with tarfile.open(archive) as tf:
        return {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name and m.isfile()}


def metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return zf.read(meta).decode()


def run_in_fresh_venv(interp: Interpreter, wheel: Path, code: str, tmp: Path,
                      env: dict[str, str], extra: tuple[str, ...] = ()) -> str:
    """Install *wheel* into a new venv of *interp*, run *code* from an empty folder."""
    venv = tmp / f"venv-{interp.name}-{wheel.stem[:30]}"
    python = make_venv(interp, venv, [str(wheel), *extra], env=env)
    cwd = tmp / "empty"
    cwd.mkdir(exist_ok=True)
    return run([python, "-c", code], cwd=cwd, env=env).stdout


def run_project_tests(interp: Interpreter, wheel: Path, tests: Path, tmp: Path,
                      env: dict[str, str]) -> None:
    """Install *wheel* and pytest into a fresh venv of *interp* and run the *tests* folder
    from an empty directory, so only the installed package can be imported."""
    python = make_venv(interp, tmp / "venv", [str(wheel), "pytest"], env=env)
    empty = tmp / "empty"
    empty.mkdir()
    proc = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests],
               cwd=empty, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout
    assert "failed" not in proc.stdout


def platforms(wheel: Path) -> set[str]:
    _, _, _, tags = parse_wheel_filename(wheel.name)
    return {t.platform for t in tags}
