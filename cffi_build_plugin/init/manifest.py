"""The sdist must carry tests/: cibuildwheel builds the wheels from it and runs the tests it
holds. setuptools puts only tests/test*.py in an sdist by itself."""

from __future__ import annotations

import re
from pathlib import Path

from cffi_build_plugin.edits.files import Change

__all__ = ["MANIFEST_LINES", "tests_manifest_change"]

MANIFEST_LINES = (
    "# The wheels are built from the sdist and tested with the tests/ it holds.",
    "graft tests",
    "global-exclude *.py[cod]",
)


def _left_out(root: Path) -> list[str]:
    """Files of tests/ that setuptools' defaults leave out of the sdist."""
    tests = root / "tests"
    out = []
    for path in sorted(tests.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in {".pyc", ".pyo"}:
            continue
        if path.parent == tests and re.fullmatch(r"test.*\.py", path.name):
            continue
        out.append(path.relative_to(root).as_posix())
    return out


def _handled(manifest: str | None, build_requires: list[str]) -> bool:
    """MANIFEST.in already says what to do with tests/, or setuptools-scm puts every file
    git tracks in the sdist."""
    if any(re.match(r"setuptools[-_]scm", r.strip(), re.IGNORECASE) for r in build_requires):
        return True
    return manifest is not None and bool(re.search(r"^\s*\S+.*\btests\b", manifest, re.M))


def tests_manifest_change(root: Path, build_requires: list[str], report: list[str]
                          ) -> Change | None:
    """`graft tests` in MANIFEST.in when the sdist would lack part of tests/."""
    path = root / "MANIFEST.in"
    old = path.read_text("utf-8") if path.exists() else None
    left_out = _left_out(root)
    if not left_out or _handled(old, build_requires):
        return None
    shown = ", ".join(left_out[:3]) + (f" and {len(left_out) - 3} more" if len(left_out) > 3
                                        else "")
    report.append(f"added `graft tests` to MANIFEST.in: the wheels are built and tested from "
                  f"the sdist, and setuptools alone leaves {shown} out of it")
    newline = "\r\n" if old and "\r\n" in old else "\n"
    head = old if not old or old.endswith(("\n", "\r")) else old + newline
    return Change(path, old, (head or "") + newline.join(MANIFEST_LINES) + newline)
