"""Shared libraries shipped as package data next to an ABI-mode module.

An ABI-mode module is Python, so the wheel would be pure; but a project that bundles the C
library it dlopen()s (soundfile's ``_soundfile_data/libsndfile_x86_64.dylib``) ships
machine code, and a ``py3-none-any`` tag would install it on every platform. Such a wheel is
``py3-none-<platform>``: any Python 3, one platform.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["native_libraries"]

_SUFFIX = re.compile(r"\.(so(\.\d+)*|dylib|dll|pyd)$", re.IGNORECASE)
#: ELF; Mach-O 32/64-bit either byte order, and universal binaries; PE ("MZ").
_MAGIC = (b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf",
          b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"MZ")


def native_libraries(folder: Path) -> list[Path]:
    """Files under *folder* named and made like shared libraries."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and _SUFFIX.search(path.name):
            with path.open("rb") as f:
                if f.read(4).startswith(_MAGIC):
                    found.append(path)
    return found
