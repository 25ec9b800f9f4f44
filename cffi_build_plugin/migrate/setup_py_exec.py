"""``migrate --exec``: run setup.py with ``setup()`` intercepted, to record what it passes.

Only on the user's request: running setup.py runs whatever it does. It runs in a child
interpreter, from the project folder, writing no bytecode; ``setup()`` records its keywords
and stops the script before any command runs.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from cffi_build_plugin._process import run
from cffi_build_plugin.errors import CffiBuildPluginError, MigrateError

__all__ = ["UNREADABLE", "record_setup_keywords"]

#: The key a recorded value carries when it was no JSON value (a class, a function).
UNREADABLE = "__unreadable__"

_RECORDER = r"""
import json, os, runpy, sys

out, script = sys.argv[1], sys.argv[2]

def plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: plain(v) for k, v in value.items()}
    return {"__unreadable__": repr(value)[:200]}

class Recorded(BaseException):
    pass

def setup(**kwargs):
    with open(out, "w", encoding="utf-8") as f:
        json.dump({k: plain(v) for k, v in kwargs.items()}, f)
    raise Recorded

import setuptools
setuptools.setup = setup
try:
    import distutils.core
    distutils.core.setup = setup
except ImportError:
    pass
os.chdir(os.path.dirname(os.path.abspath(script)))
sys.path.insert(0, os.getcwd())
sys.argv = [script, "--version"]
try:
    runpy.run_path(script, run_name="__main__")
except Recorded:
    sys.exit(0)
sys.exit("setup.py finished without calling setup()")
"""


def record_setup_keywords(setup_py: Path) -> dict[str, Any]:
    """The keywords setup.py passes to setup() when run by this interpreter."""
    fd, out = tempfile.mkstemp(prefix="cffi-build-plugin-setup-", suffix=".json")
    os.close(fd)
    try:
        try:
            run([sys.executable, "-B", "-c", _RECORDER, out, str(setup_py)])
        except CffiBuildPluginError as exc:
            raise MigrateError(str(setup_py), [
                f"running it with setup() intercepted (--exec) failed: {exc}"]) from None
        recorded: dict[str, Any] = json.loads(Path(out).read_text("utf-8"))
        return recorded
    finally:
        Path(out).unlink(missing_ok=True)
