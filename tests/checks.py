"""The checks the issue names, run as a user would: cibuildwheel, validate-pyproject, zizmor
and the GitHub workflow schema. Each returns the finished process; callers assert on it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from devtools.venvs import run

#: Where this environment's console scripts are (bin/, or Scripts\ on Windows).
BIN = Path(sysconfig.get_path("scripts"))
#: cibuildwheel 4 and zizmor need Python >= 3.11; on older hosts (a CI matrix entry) their
#: checks are skipped, on newer ones a missing tool is a failure.
TOOLS_PYTHON = (3, 11)


def tool(name: str) -> Path:
    """This environment's *name* script (``name.exe`` on Windows)."""
    found = shutil.which(name, path=str(BIN))
    return Path(found) if found else BIN / name


def need_tool(name: str) -> None:
    if tool(name).exists():
        return
    if sys.version_info >= TOOLS_PYTHON:
        pytest.fail(f"{name} is missing: pip install -e '.[dev]' installs it")
    pytest.skip(f"{name} needs Python >= 3.11")


def _cibuildwheel_schema() -> Path:
    import cibuildwheel

    return Path(cibuildwheel.__file__).parent / "resources" / "cibuildwheel.schema.json"


def cibuildwheel_identifiers(project: Path, platform: str, archs: str | None = None) -> list[str]:
    need_tool("cibuildwheel")
    cmd: list[object] = [tool("cibuildwheel"), "--print-build-identifiers", "--platform",
                         platform]
    if archs:
        cmd += ["--archs", archs]
    return run([*cmd, project]).stdout.split()


def validate_pyproject(pyproject: Path) -> subprocess.CompletedProcess[str]:
    """validate-pyproject with our schema (an entry point of the installed plugin) and
    cibuildwheel's, which it only applies when told to."""
    need_tool("cibuildwheel")
    return run([tool("validate-pyproject"), "-t",
                f"cibuildwheel={_cibuildwheel_schema().as_uri()}", pyproject], check=False)


def zizmor(folder: Path) -> subprocess.CompletedProcess[str]:
    need_tool("zizmor")
    return run([tool("zizmor"), "--offline", "--persona", "pedantic", "--no-progress", folder],
               check=False)


def workflow_schema(files: list[Path]) -> subprocess.CompletedProcess[str]:
    return run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                *files], check=False)
