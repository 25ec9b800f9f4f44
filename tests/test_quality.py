"""The code-quality gates run as tests, so `make test` and CI enforce them."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)


def test_ruff():
    proc = _run("ruff", "check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None and sys.implementation.name == "pypy",
                    reason="mypy does not install on PyPy")
def test_mypy_strict():
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_generated_docs_and_schema_are_current():
    proc = _run("devtools.docs", "--check")
    assert proc.returncode == 0, proc.stderr
