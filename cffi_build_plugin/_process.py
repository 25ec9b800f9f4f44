"""The one place the plugin runs another program."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from .errors import ToolError

__all__ = ["find_tool", "run"]


def find_tool(name: str) -> str | None:
    """*name* on PATH, or installed next to this interpreter (a venv not activated)."""
    return shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))


def run(cmd: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 1800,
        show_stderr: bool = False) -> str:
    """Run *cmd*; its stdout, or an error with its output when it fails. With *show_stderr*
    the program's stderr (a build's log) goes to ours as it happens."""
    try:
        proc = subprocess.run(list(cmd), stdout=subprocess.PIPE,
                              stderr=None if show_stderr else subprocess.PIPE, text=True,
                              env=dict(env) if env is not None else None, timeout=timeout,
                              check=False)
    except OSError as exc:
        raise ToolError(f"cannot run {cmd[0]}: {exc}") from None
    except subprocess.TimeoutExpired:
        raise ToolError(f"{' '.join(cmd)} did not finish in {timeout:.0f} s") from None
    if proc.returncode != 0:
        raise ToolError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr or ''}")
    return proc.stdout
