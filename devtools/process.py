"""The one way devtools run a command: output captured, and all of it shown on failure."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["run"]


def run(cmd: Sequence[object], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
        check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing output; on failure raise with the whole output."""
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=dict(env) if env else None,
                          capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )
    return proc
