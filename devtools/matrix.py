"""The main job, as the wheels workflow runs it on each runner: build example_project's wheels
for every interpreter here, repair them (auditwheel, on Linux), install each into fresh venvs,
run the project's tests, and print a table.

Interpreters: pyenv's CPython 3.9-3.13 and Debian's PyPy 3.9, plus (fetched or built into a
cache on first use, see devtools/newer_pythons.py) CPython 3.14 and 3.15, free-threaded
CPython 3.13 and PyPy 3.11 with both ABIs. The oldest CPython builds the one abi3 wheel, which
every GIL CPython tests; each other GIL CPython's own build is checked to give the same tag;
free-threaded and PyPy interpreters build and test their own wheels."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import parse_wheel_filename

from .interpreters import Interpreter, find_interpreters
from .venvs import (
    ROOT,
    auditwheel_repair,
    build_env,
    build_plugin_wheel,
    for_interpreter,
    isolated_build,
    make_venv,
    run,
)

EXAMPLE = ROOT / "example_project"


@dataclass(frozen=True)
class Row:
    wheel: str
    tag: str
    interpreter: str
    result: str


def _tags(wheel: Path) -> str:
    """The tag as the file name spells it (compressed sets included)."""
    parse_wheel_filename(wheel.name)
    return "-".join(wheel.name[: -len(".whl")].split("-")[-3:])


def _build_wheel(builder: Interpreter, work: Path, wheelhouse: Path) -> Path:
    _say(f"building example_project with {builder.name}")
    env = for_interpreter(builder, build_env(wheelhouse))
    tool = make_venv(builder, work / f"tool-{builder.name}", ["build"], env=env,
                     with_pip=True)
    project = work / f"src-{builder.name}"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(
        "build", "dist", "*.egg-info", "__pycache__", "*.so", "_libc.py"))
    out = work / f"dist-{builder.name}"
    isolated_build(tool, project, out, env=env)
    (wheel,) = out.glob("*.whl")
    return wheel


def _repair(wheel: Path, work: Path) -> Path:
    """``auditwheel repair``, cibuildwheel's default repair step on Linux."""
    if not sys.platform.startswith("linux"):
        return wheel
    return auditwheel_repair(wheel, work / f"repaired-{wheel.stem[:40]}")


def _say(message: str) -> None:
    print(f"[demo] {message}", file=sys.stderr, flush=True)


def _test_wheel(wheel: Path, target: Interpreter, work: Path) -> str:
    _say(f"testing {wheel.name} on {target.name}")
    env = build_env()
    venv = work / f"venv-{target.name}-{wheel.stem[:40]}"
    try:
        python = make_venv(target, venv, [str(wheel), "pytest"], env=env)
    except RuntimeError as exc:
        return "install failed: " + str(exc).splitlines()[0]
    # Run from an empty folder so the tests import the installed wheel, not the sources.
    cwd = work / "empty"
    cwd.mkdir(exist_ok=True)
    proc = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", EXAMPLE / "tests"],
               cwd=cwd, env=env, check=False)
    last = (proc.stdout.strip().splitlines() or ["no output"])[-1]
    return ("PASS " if proc.returncode == 0 else "FAIL ") + last.strip("= ")


def run_matrix(interpreters: Sequence[Interpreter], work: Path) -> list[Row]:
    wheelhouse = work / "wheelhouse"
    build_plugin_wheel(wheelhouse)
    cpythons = [i for i in interpreters if not i.is_pypy and not i.free_threaded]
    others = [i for i in interpreters if i.is_pypy or i.free_threaded]
    rows: list[Row] = []
    groups = []
    if cpythons:
        # One abi3 wheel, built with the oldest CPython, serves them all...
        groups.append((_repair(_build_wheel(cpythons[0], work, wheelhouse), work), cpythons))
    for interp in others:
        groups.append((_repair(_build_wheel(interp, work, wheelhouse), work), [interp]))
    for wheel, targets in groups:
        for target in targets:
            result = _test_wheel(wheel, target, work)
            rows.append(Row(wheel.name, _tags(wheel), target.name, result))
    if cpythons:
        # ...and the newest CPython, building it itself, gives the same wheel (3.15 names
        # stable-ABI modules for its own platform unless told otherwise), which the oldest
        # CPython then imports.
        again = work / "by-newest"
        again.mkdir()
        newest = _repair(_build_wheel(cpythons[-1], again, wheelhouse), again)
        result = _test_wheel(newest, cpythons[0], again)
        if _tags(newest) != _tags(groups[0][0]):
            result = f"FAIL tag {_tags(newest)} differs from {_tags(groups[0][0])}"
        rows.append(Row(newest.name + f" (by {cpythons[-1].name})", _tags(newest),
                        cpythons[0].name, result))
    return rows


def _print_table(rows: Sequence[Row]) -> None:
    header = Row("WHEEL", "TAG", "INTERPRETER", "RESULT")
    all_rows = [header, *rows]
    widths = [max(len(getattr(r, f)) for r in all_rows) for f in ("wheel", "tag", "interpreter")]
    for r in all_rows:
        print(f"{r.wheel:<{widths[0]}}  {r.tag:<{widths[1]}}  {r.interpreter:<{widths[2]}}  "
              f"{r.result}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--installed-only", action="store_true",
                        help="only the interpreters installed here (pyenv's CPython 3.9-3.13, "
                        "Debian's PyPy 3.9): fetch or build none")
    args = parser.parse_args(argv)
    if not args.installed_only:
        _say("finding interpreters (CPython 3.14/3.15 and PyPy 3.11 are fetched from Debian, "
             "free-threaded 3.13 is built from source on first use: ~10 min, then cached)")
    interpreters = find_interpreters(newer=not args.installed_only)
    if not interpreters:
        print("no interpreters found", file=sys.stderr)
        return 1
    print("interpreters: " + ", ".join(f"{i.name} ({i.executable})" for i in interpreters))
    start = time.monotonic()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        rows = run_matrix(interpreters, args.keep.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="cffi-matrix-") as tmp:
            rows = run_matrix(interpreters, Path(tmp))
    _print_table(rows)
    print(f"{len(rows)} runs in {time.monotonic() - start:.0f} s")
    return 0 if rows and all(r.result.startswith("PASS") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
