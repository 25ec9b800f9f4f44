"""Runs example_project/benchmarks/call_overhead.py on every CPython and PyPy here: the
example's wheel is built by the plugin, installed into a fresh venv, and called.

    python -m benchmarks.call_overhead
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from devtools.interpreters import find_interpreters
from devtools.venvs import ROOT, make_venv

EXAMPLE = ROOT / "example_project"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cffi-call-bench-") as tmp:
        work = Path(tmp)
        for interp in find_interpreters():
            if interp.implementation == "cpython" and interp.version not in ((3, 9), (3, 13)):
                continue
            tools = [str(ROOT), "build", "setuptools", "wheel"]
            if interp.implementation == "cpython":
                tools.append("cffi")
            builder = make_venv(interp, work / f"build-{interp.name}", tools)
            dist = work / f"dist-{interp.name}"
            subprocess.run([builder, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                            dist, EXAMPLE], check=True, capture_output=True)
            (wheel,) = dist.glob("*.whl")
            python = make_venv(interp, work / f"run-{interp.name}", [str(wheel)])
            subprocess.run([python, EXAMPLE / "benchmarks/call_overhead.py"], check=True,
                           cwd=work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
