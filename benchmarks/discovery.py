"""Discovery on a large tree: how long finding the builders takes in a project of 10,000 .py
files, most of them vendored copies of real packages.

    python -m benchmarks.discovery [--runs N] [--files 10000] [--keep DIR]

The tree is a project whose pyproject.toml opts in without a ``modules`` key, with one real
builder (src/mypkg/_build.py) and, under src/mypkg/_vendor/, copies of the .py files of the
running interpreter's site-packages (run it with the dev venv's python: pip, setuptools, cffi,
auditwheel, mypy, ...), copied in path order, again under a new folder when one round is not
enough, until the tree holds --files files. Its content depends on the venv only, not on the
machine. Three figures, each the median of N runs after one unmeasured run (so the files are in
the page cache, as on a second build): the ``discover()`` function in this process, the plan a
build without ``modules`` makes (the project loaded, then discovered), and the whole
``cffi-build-plugin list`` command in a new process, beside the same command on the same tree
with a ``modules`` key (which skips discovery).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from cffi_build_plugin.config.project import load_project
from cffi_build_plugin.modules.discovery import BuilderSpec, discover
from cffi_build_plugin.modules.plan import make_plan
from devtools.pyproject import pyproject_text

#: Seconds discovery may take on the 10,000-file tree: "well under" it is the aim.
TARGET_SECONDS = 1.0

_BUILDER = '''\
from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("int add(int a, int b);")
ffibuilder.set_source("mypkg._native", """
    static int add(int a, int b) { return a + b; }
""")

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
'''

#: What discovery must find in the tree: the project's builder and nothing vendored.
EXPECTED = (BuilderSpec("src/mypkg/_build.py", "ffibuilder"),)


def _site_packages_files(site: Path) -> Iterator[Path]:
    """The .py files under *site*, in path order (deterministic for one venv)."""
    for dirpath, dirnames, filenames in os.walk(site):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py") and not Path(dirpath, name).is_symlink():
                yield Path(dirpath, name)


def make_tree(root: Path, files: int, modules_key: bool = False) -> int:
    """Write the project into *root*; returns its number of .py files."""
    site = Path(sysconfig.get_paths()["purelib"])
    own = {"src/mypkg/__init__.py": "", "src/mypkg/_build.py": _BUILDER}
    (root / "src/mypkg").mkdir(parents=True)
    modules = ["src/mypkg/_build.py:ffibuilder"] if modules_key else []
    (root / "pyproject.toml").write_text(pyproject_text(
        "mypkg", dependencies=["cffi>=1.15"], packages=["mypkg"], package_dir="src",
        modules=modules))
    for rel, text in own.items():
        (root / rel).write_text(text)
    count = len(own)
    round_ = 0
    while count < files:
        round_ += 1
        before = count
        for src in _site_packages_files(site):
            if count >= files:
                break
            dest = root / "src/mypkg/_vendor" / f"copy{round_}" / src.relative_to(site)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            count += 1
        if count == before:
            sys.exit(f"no .py files to copy in {site}")
    return count


def _median_seconds(run: Callable[[], object], runs: int) -> float:
    run()  # unmeasured: fills the page cache and imports what the first call imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _list_command(root: Path) -> None:
    subprocess.run([sys.executable, "-m", "cffi_build_plugin", "list", str(root)],
                   check=True, capture_output=True)


def _line(label: str, seconds: float, runs: int, target: bool = True) -> None:
    verdict = "ok" if seconds < TARGET_SECONDS else "OVER"
    against = f"; target < {TARGET_SECONDS:.0f} s: {verdict}" if target else "; yardstick"
    print(f"{label:45} {seconds * 1000:7.0f} ms  (median of {runs}{against})", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median)")
    parser.add_argument("--files", type=int, default=10_000, help=".py files in the tree")
    parser.add_argument("--keep", type=Path,
                        help="write the trees into this new folder, and keep them")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cffi-discovery-bench-") as tmp:
        base = args.keep or Path(tmp)
        root, keyed = base / "discovered", base / "listed"
        count = make_tree(root, args.files)
        make_tree(keyed, args.files, modules_key=True)
        found = discover(root)
        candidates = sum(1 for p in root.rglob("*.py")
                         if b"FFI" in (data := p.read_bytes()) or b"set_source" in data)
        print(f"tree: {count} .py files ({candidates} mention FFI or set_source), "
              f"vendored from {sysconfig.get_paths()['purelib']}")
        if tuple(m.spec for m in found.modules) != EXPECTED:
            sys.exit(f"discovery found {[str(m.spec) for m in found.modules]}, expected "
                     f"{[str(s) for s in EXPECTED]}")

        def plan() -> object:
            project = load_project(root)
            assert project is not None
            return make_plan(project)

        _line("discover() in process", _median_seconds(lambda: discover(root), args.runs),
              args.runs)
        _line("plan of a build without modules", _median_seconds(plan, args.runs), args.runs)
        _line("`list` command, without modules (discovers)",
              _median_seconds(lambda: _list_command(root), args.runs), args.runs)
        _line("`list` command, with modules (no discovery)",
              _median_seconds(lambda: _list_command(keyed), args.runs), args.runs, target=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
