"""Real PyPI projects built as their sdists build them and converted by ``cffi-build-plugin
migrate``: print the table tests/test_real_projects.py writes (for release notes).

    python -m devtools.real_projects [--jobs N] [--keep DIR] [--case ID ...]

The cases, the pinned sdists and the test dependencies are those of tests/real_projects.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.real_projects import (
    CASES,
    RESULTS_MD,
    Case,
    Result,
    compare_outcomes,
    interpreter,
    run_case,
    write_table,
)

from .interpreters import Interpreter
from .venvs import build_env, build_plugin_wheel, make_venv


def run_cases(cases: Sequence[Case], work: Path, jobs: int) -> tuple[list[Result], list[str]]:
    """Each case's result, and a line for each case that could not run or failed."""
    wheelhouse = work / "wheelhouse"
    build_plugin_wheel(wheelhouse)
    env = build_env(wheelhouse)
    found: dict[str, Interpreter] = {}
    problems: list[str] = []
    for case in cases:
        interp = interpreter(case.interpreter)
        if interp is None:
            problems.append(f"{case.id}: {case.interpreter} is not installed")
        else:
            found[case.interpreter] = interp
    tools = {name: make_venv(i, work / f"tool-{name}", ["build"], env=env, with_pip=True)
             for name, i in found.items()}

    def one(case: Case) -> Result | str:
        try:
            return run_case(case, found[case.interpreter], tools[case.interpreter],
                            work / case.id, env)
        except Exception as exc:
            return f"{case.id}: {exc}"

    results: list[Result] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for outcome in pool.map(one, [c for c in cases if c.interpreter in found]):
            if isinstance(outcome, str):
                problems.append(outcome)
            else:
                results.append(outcome)
    return results, problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--case", action="append", choices=[c.id for c in CASES],
                        help="only this case (repeatable)")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if not args.case or c.id in args.case]
    start = time.monotonic()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        results, problems = run_cases(cases, args.keep.resolve(), args.jobs)
    else:
        with tempfile.TemporaryDirectory(prefix="cffi-real-projects-") as tmp:
            results, problems = run_cases(cases, Path(tmp), args.jobs)
    print(write_table(results, RESULTS_MD), end="")
    for r in results:
        if r.ours.error:
            problems.append(f"{r.case}: our build failed:\n{r.ours.error}")
        problems += [f"{r.case}: passes with the original build only: {t}"
                     for t in compare_outcomes(r.original.effective(), r.ours.effective())]
        problems += [f"{r.case}: METADATA {d}" for d in r.metadata_diffs]
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    print(f"{len(results)} of {len(cases)} cases in {time.monotonic() - start:.0f} s; "
          f"table written to {RESULTS_MD}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
