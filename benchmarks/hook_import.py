"""What the setuptools hook costs a build of a project that did not opt in: how many of the
plugin's modules it imports and how long that takes, in fresh processes, side by side with
the same for a project that opted in (which loads the configuration, builders and mixins).

    python -m benchmarks.hook_import [--runs N]

Each run is a new interpreter that has imported setuptools and made a Distribution already (as
every build has); the time is the hook's part only: importing it and running it. Medians of N
runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# The Distribution is made with our entry point left out (setuptools' own _removed filter),
# so the timer sees our hook alone: importing it, and running it on that Distribution.
_PROBE = """
import json, sys, time
import setuptools
from setuptools.dist import Distribution
Distribution._removed = staticmethod(lambda ep: ep.name == "cffi_build_plugin")
dist = Distribution({"name": "x"})
assert not [m for m in sys.modules if m.startswith("cffi_build_plugin")]
start = time.perf_counter()
import cffi_build_plugin.setuptools_ext as hook
hook.finalize_distribution_options(dist)
elapsed = time.perf_counter() - start
ours = sorted(m for m in sys.modules if m.split(".")[0] == "cffi_build_plugin")
print(json.dumps({"seconds": elapsed, "modules": ours}))
"""

PROJECTS = {
    "not opted in": '[project]\nname = "x"\nversion = "1"\n',
    "opted in": ('[build-system]\nrequires = ["setuptools", "cffi-build-plugin"]\n'
                 '[project]\nname = "x"\nversion = "1"\ndependencies = ["cffi"]\n'
                 '[tool.cffi-build-plugin]\nmodules = []\n'),
}


def measure(pyproject: str, runs: int) -> tuple[float, list[str]]:
    """(median seconds, modules imported) of the hook for a project with *pyproject*."""
    times: list[float] = []
    modules: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cffi-hook-bench-") as tmp:
        Path(tmp, "pyproject.toml").write_text(pyproject)
        for _ in range(runs):
            out = subprocess.run([sys.executable, "-c", _PROBE], cwd=tmp, check=True,
                                 capture_output=True, text=True).stdout
            data = json.loads(out)
            times.append(data["seconds"])
            modules = data["modules"]
    return statistics.median(times), modules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    results = {name: measure(text, args.runs) for name, text in PROJECTS.items()}
    for name, (seconds, modules) in results.items():
        print(f"{name:13}  {len(modules):3} cffi_build_plugin modules  "
              f"{seconds * 1000:7.2f} ms (median of {args.runs})")
    cheap, full = results["not opted in"][0], results["opted in"][0]
    print(f"ratio opted-in / not opted in: {full / cheap:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
