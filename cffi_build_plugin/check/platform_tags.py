"""Linux wheel platform tags: PEP 600's legacy aliases and the libc level a tag promises."""

from __future__ import annotations

import re

__all__ = ["LEGACY_MANYLINUX", "canonical_platform", "libc_level"]

#: PEP 600: the pre-PEP 600 names and the glibc each stands for.
LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}

_LEVEL = re.compile(r"(?:manylinux|musllinux)_(\d+)_(\d+)_")


def canonical_platform(tag: str) -> str:
    """``manylinux2014_x86_64`` -> ``manylinux_2_17_x86_64``; any other tag unchanged."""
    legacy, _, arch = tag.partition("_")
    if legacy in LEGACY_MANYLINUX and arch:
        major, minor = LEGACY_MANYLINUX[legacy]
        return f"manylinux_{major}_{minor}_{arch}"
    return tag


def libc_level(tag: str) -> tuple[int, int]:
    """The glibc (or musl) version a manylinux/musllinux tag promises; (0, 0) for others."""
    match = _LEVEL.match(canonical_platform(tag))
    return (int(match[1]), int(match[2])) if match else (0, 0)
