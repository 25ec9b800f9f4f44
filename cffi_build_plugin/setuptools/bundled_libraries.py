"""Shared libraries shipped as package data next to an ABI-mode module.

An ABI-mode module is Python, so the wheel would be pure; but a project that bundles the C
library it dlopen()s (soundfile's ``_soundfile_data/libsndfile_x86_64.dylib``) ships
machine code, and a ``py3-none-any`` tag would install it on every platform. Such a wheel is
``py3-none-<platform>``: any Python 3, one platform.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

__all__ = ["native_libraries"]

_SUFFIX = re.compile(r"\.(so(\.\d+)*|dylib|dll)$", re.IGNORECASE)
#: Python extension modules (``.cpython-311-x86_64-linux-gnu.so``, ``.abi3.so``, ``.abi3t.so``,
#: ``.abi3-x86_64-linux-gnu.so``, ``.pyd``) are tied to an interpreter: they are no bundled
#: library, and never make a wheel Python-independent.
_EXTENSION = re.compile(
    r"\.(cpython-[^/]*|pypy[^/]*|abi3t?(?:-[^/.]*)?|cp3\d+-[^/]*)\.(so|dylib)$|\.pyd$",
    re.IGNORECASE)
#: The format this platform loads: ELF; Mach-O 32/64-bit either byte order, and universal
#: binaries; PE ("MZ"). A Windows DLL carried in a Linux build is data there, not code.
_ELF = (b"\x7fELF",)
_MACH_O = (b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",
           b"\xca\xfe\xba\xbe")
_PE = (b"MZ",)


def _host_magic() -> tuple[bytes, ...]:
    if sys.platform == "darwin":
        return _MACH_O
    if sys.platform == "win32":
        return _PE
    return _ELF


def native_libraries(folder: Path) -> list[Path]:
    """Files under *folder* named and made like shared libraries of this platform."""
    if not folder.is_dir():
        return []
    magic = _host_magic()
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and _SUFFIX.search(path.name) and not _EXTENSION.search(path.name):
            with path.open("rb") as f:
                if f.read(4).startswith(magic):
                    found.append(path)
    return found
