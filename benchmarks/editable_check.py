"""What an editable install's import-time check costs when nothing changed: the ``.pth``
line that loads the finder at every start-up of the environment, and the check at the first
import of one of the project's cffi modules.

    python -m benchmarks.editable_check [--runs N] [--files N]

Start-up: a venv without and with the finder's ``.pth`` and module (as an editable wheel
installs them: the loader's text and an ``install(...)`` call, compiled to bytecode as pip
does), ``python -X importtime -c pass`` in fresh processes: the finder module's own line of
-X importtime, and the wall time of the whole start-up. The check: ``changes()`` on a record
of N C files (as the 40-file benchmark project's), a header, a builder and the folder they
are globbed from, in fresh processes (the first check of a process is the one that runs).
Medians of N runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
from pathlib import Path

from cffi_build_plugin.setuptools import _editable_loader as loader

NAME = "_cffi_build_plugin_editable_bench"

_CHECK = """
import sys, time
sys.path.insert(0, {folder!r})
from {module} import changes
start = time.perf_counter()
changed = changes({project!r}, {record!r})
elapsed = time.perf_counter() - start
assert changed == [], changed
print(elapsed)
"""


def _python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def _site_packages(python: Path) -> Path:
    out = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                         check=True, capture_output=True, text=True).stdout
    return Path(out.strip())


def _record(project: Path, files: int) -> Path:
    csrc = project / "csrc"
    csrc.mkdir(parents=True)
    inputs = {}
    for i in range(files):
        (csrc / f"part_{i}.c").write_text(f"int part_{i}(void) {{ return {i}; }}\n")
    (project / "lib.h").write_text("#define X 1\n")
    (project / "build.py").write_text("")
    for path in [*csrc.iterdir(), project / "lib.h", project / "build.py"]:
        inputs[path.relative_to(project).as_posix()] = path.stat().st_mtime_ns
    (project / "mod.so").write_text("")
    record = project / "record.txt"
    record.write_text(loader.record_lines(inputs, {"csrc": loader.listing(str(csrc))},
                                          ["mod.so"]))
    return record


def _start_up(python: Path, runs: int) -> tuple[float, float]:
    """(median wall seconds of `python -X importtime -c pass`, median microseconds of the
    finder module's own import, 0 when it is not there)."""
    walls, ours = [], []
    for _ in range(runs):
        start = time.perf_counter()
        err = subprocess.run([python, "-X", "importtime", "-c", "pass"], check=True,
                             capture_output=True, text=True).stderr
        walls.append(time.perf_counter() - start)
        lines = [line for line in err.splitlines() if line.rstrip().endswith(NAME)]
        ours.append(float(lines[0].split("|")[1]) if lines else 0.0)
    return statistics.median(walls), statistics.median(ours)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--files", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cffi-editable-bench-") as tmp:
        project = Path(tmp, "project")
        record = _record(project, args.files)
        env_dir = Path(tmp, "venv")
        venv.create(env_dir, with_pip=False)
        python = _python(env_dir)
        without = _start_up(python, args.runs)
        site = _site_packages(python)
        call = (f"\n\ninstall(project={str(project)!r}, record={str(record)!r}, "
                f"modules=['pkg._native'], command=['build_ext', '--inplace'], "
                f"environment={{}}, requires=['setuptools', 'cffi-build-plugin'])\n")
        (site / f"{NAME}.py").write_text(Path(loader.__file__).read_text("utf-8") + call)
        (site / f"{NAME}.pth").write_text(f"import {NAME}\n")
        # Its bytecode, as pip writes it when it installs a wheel (whatever
        # PYTHONDONTWRITEBYTECODE says for the processes measured).
        subprocess.run([python, "-m", "compileall", "-q", site / f"{NAME}.py"], check=True)
        with_pth = _start_up(python, args.runs)
        checks = []
        for _ in range(args.runs):
            code = _CHECK.format(folder=str(site), module=NAME, project=str(project),
                                 record=str(record))
            out = subprocess.run([python, "-c", code], check=True, capture_output=True,
                                 text=True).stdout
            checks.append(float(out))
    print(f"{sys.implementation.name} {sysconfig.get_python_version()}, medians of "
          f"{args.runs}:")
    print(f"start-up (-X importtime -c pass), no .pth:   {without[0] * 1000:6.1f} ms")
    print(f"start-up (-X importtime -c pass), with .pth: {with_pth[0] * 1000:6.1f} ms "
          f"(the finder module's own import: {with_pth[1] / 1000:.2f} ms)")
    print(f"check at the first import, {args.files} C files + 2 files + 1 folder, nothing "
          f"changed: {statistics.median(checks) * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
