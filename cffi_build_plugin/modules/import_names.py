"""Which extension-module file names each interpreter imports, and which interpreters a wheel
tag covers: what `check` holds a wheel's modules to.

The suffix lists follow ``importlib.machinery.EXTENSION_SUFFIXES`` of the real interpreters
(recorded in tests/data/interpreters/ and compared there): CPython 3.15 added the
platform-named stable-ABI suffixes (``.abi3-x86_64-linux-gnu.so``) and abi3t (PEP 803), and
its free-threaded build dropped ``.abi3.so``. A bare ``.so`` is importable everywhere but says
nothing of the ABI it was built for, so it counts as no interpreter's name here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.tags import Tag

from .abi import ABI3T_SINCE, PythonVersion

__all__ = [
    "NEWEST_KNOWN",
    "Importer",
    "covered_importers",
    "extension_suffixes",
    "implementation_label",
    "module_suffix",
    "platform_multiarch",
]

#: The newest CPython whose import rules are known; stable-ABI tags are checked up to it.
NEWEST_KNOWN: PythonVersion = (3, 15)
_OLDEST_FREE_THREADED: PythonVersion = (3, 13)


#: implementation_name -> platform_python_implementation, the name people read.
_IMPLEMENTATION_LABELS = {"cpython": "CPython", "pypy": "PyPy"}


def implementation_label(implementation: str) -> str:
    """``cpython`` -> ``CPython``, ``pypy`` -> ``PyPy``; any other name unchanged."""
    return _IMPLEMENTATION_LABELS.get(implementation, implementation)


@dataclass(frozen=True, order=True)
class Importer:
    """An interpreter a wheel tag admits: its implementation, version and ABI."""

    implementation: str  # "cpython" or "pypy"
    version: PythonVersion
    free_threaded: bool = False
    pypy_abi: str = ""  # e.g. "pypy311_pp80"

    @property
    def label(self) -> str:
        name = implementation_label(self.implementation)
        if self.implementation == "pypy":
            return f"{name} {self.version[0]}.{self.version[1]} ({self.pypy_abi})"
        kind = f"free-threaded {name}" if self.free_threaded else name
        return f"{kind} {self.version[0]}.{self.version[1]}"


def extension_suffixes(importer: Importer, multiarch: str) -> list[str]:
    """The suffixes *importer* imports, most specific first; *multiarch* is a Windows platform
    (``win_amd64``: ``.pyd`` files), ``darwin`` for macOS, else a Linux triplet such as
    ``x86_64-linux-gnu``."""
    major, minor = importer.version
    if multiarch.startswith("win"):
        if importer.implementation == "pypy":
            return [f".{importer.pypy_abi.replace('_', '-')}-{multiarch}.pyd", ".pyd"]
        return [f".cp{major}{minor}{'t' if importer.free_threaded else ''}-{multiarch}.pyd",
                ".pyd"]
    if importer.implementation == "pypy":
        return [f".{importer.pypy_abi.replace('_', '-')}-{multiarch}.so"]
    new = importer.version >= ABI3T_SINCE
    if importer.free_threaded:
        suffixes = [f".cpython-{major}{minor}t-{multiarch}.so"]
        if new:
            suffixes += [f".abi3t-{multiarch}.so", ".abi3t.so"]
        return suffixes
    suffixes = [f".cpython-{major}{minor}-{multiarch}.so"]
    if new:
        suffixes.append(f".abi3-{multiarch}.so")
    suffixes.append(".abi3.so")
    if new:
        suffixes += [f".abi3t-{multiarch}.so", ".abi3t.so"]
    return suffixes


def platform_multiarch(platform: str) -> str:
    """The platform part of version-specific suffixes for a wheel's platform tag: the tag
    itself on Windows (``.cp311-win_arm64.pyd``), ``darwin``, or a Linux triplet."""
    if platform.startswith("win"):
        return platform
    if platform.startswith("macosx"):
        return "darwin"
    match = re.match(r"(manylinux\d*|musllinux|linux)(?:_\d+_\d+)?_(?P<arch>.+)$", platform)
    if match is None:
        return "unknown"
    libc = "musl" if platform.startswith("musllinux") else "gnu"
    return f"{match['arch']}-linux-{libc}"


def module_suffix(filename: str) -> str:
    """``pkg/_cvec.abi3.so`` -> ``.abi3.so``: everything from the first dot of the name."""
    base = filename.rsplit("/", 1)[-1]
    return base[base.find("."):] if "." in base else ""


def _versions(floor: PythonVersion, newest: PythonVersion) -> Iterable[PythonVersion]:
    return ((3, minor) for minor in range(floor[1], newest[1] + 1)) if floor[0] == 3 else ()


def covered_importers(tag: Tag) -> list[Importer]:
    """The interpreters *tag* admits whose import rules are known; empty for tags that pin
    no ABI (``none``) or that this knows nothing of."""
    interp, abi = tag.interpreter, tag.abi
    digits = re.fullmatch(r"(cp|pp)(\d)(\d+)", interp)
    if digits is None:
        return []
    version = (int(digits[2]), int(digits[3]))
    if abi == "abi3":
        return [Importer("cpython", v) for v in _versions(version, NEWEST_KNOWN)]
    if abi == "abi3t":
        return [Importer("cpython", v, free_threaded=True)
                for v in _versions(max(version, ABI3T_SINCE), NEWEST_KNOWN)]
    if interp.startswith("pp") and abi.startswith("pypy"):
        return [Importer("pypy", version, pypy_abi=abi)]
    specific = re.fullmatch(rf"cp{version[0]}{version[1]}(?P<flags>t?)", abi)
    if interp.startswith("cp") and specific is not None:
        free_threaded = specific["flags"] == "t" and version >= _OLDEST_FREE_THREADED
        return [Importer("cpython", version, free_threaded=free_threaded)]
    return []
