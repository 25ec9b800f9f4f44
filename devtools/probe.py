"""One interpreter as it describes itself: implementation, version, ABI."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Interpreter", "probe"]

_PROBE = (
    "import json, sys, sysconfig; print(json.dumps({'impl': sys.implementation.name, "
    "'version': list(sys.version_info[:2]), 'ext_suffix': sysconfig.get_config_var('EXT_SUFFIX'),"
    " 'free_threaded': bool(sysconfig.get_config_var('Py_GIL_DISABLED')),"
    " 'soabi': sysconfig.get_config_var('SOABI') or ''}))"
)


@dataclass(frozen=True)
class Interpreter:
    executable: Path
    implementation: str  # "cpython" or "pypy"
    version: tuple[int, int]
    ext_suffix: str
    free_threaded: bool = False
    soabi: str = ""  # sysconfig's SOABI: cpython-313t-x86_64-linux-gnu, pypy311-pp73

    @property
    def name(self) -> str:
        """Distinct for every interpreter here: cpython3.13, cpython3.13t, pypy3.9,
        pypy3.11-pp73, pypy3.11-pp80 (PyPy 3.11 comes with two ABIs; PyPy 3.9 keeps its
        plain name)."""
        version = f"{self.version[0]}.{self.version[1]}"
        if self.is_pypy:
            pp = self.soabi.rpartition("-")[2]
            return f"pypy{version}-{pp}" if self.version >= (3, 11) and pp else f"pypy{version}"
        return f"cpython{version}{'t' if self.free_threaded else ''}"

    @property
    def abi(self) -> str:
        """The wheel ABI tag: cp313, cp313t, pypy39_pp73, pypy311_pp80."""
        if self.is_pypy:
            return self.soabi.replace("-", "_") or f"pypy{self.version[0]}{self.version[1]}_pp73"
        return f"cp{self.version[0]}{self.version[1]}{'t' if self.free_threaded else ''}"

    @property
    def is_pypy(self) -> bool:
        return self.implementation == "pypy"


def probe(executable: Path) -> Interpreter | None:
    """What *executable* says about itself; None if it does not start."""
    try:
        out = subprocess.run(
            [str(executable), "-c", _PROBE], capture_output=True, text=True, timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    data = json.loads(out)
    return Interpreter(executable, data["impl"], tuple(data["version"]), data["ext_suffix"],
                       data["free_threaded"], data["soabi"])
