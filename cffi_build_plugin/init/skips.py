"""Which cibuildwheel build identifiers would make a wheel with no compiled module, read from
the modules' ``when`` markers: cibuildwheel stops on such a (pure, ``*-none-any``) wheel, and
a ``cpXY-none-linux_x86_64`` one is neither repairable nor uploadable, so init skips them and
those interpreters install from the sdist (a pure build: no compiler needed)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from cffi_build_plugin.modules.import_names import NEWEST_KNOWN, Importer
from cffi_build_plugin.modules.markers import holds, importer_environment, marker_variables

__all__ = ["builds_own_extensions", "skip_patterns"]

#: cibuildwheel's platform parts (64-bit, as init's archs = ["auto64"]) -> what they tell.
_PLATFORMS: dict[str, dict[str, str]] = {
    **{f"{libc}linux_{m}": {"sys_platform": "linux", "platform_system": "Linux",
                            "os_name": "posix", "platform_machine": m}
       for libc in ("many", "musl") for m in ("x86_64", "aarch64")},
    **{f"macosx_{m}": {"sys_platform": "darwin", "platform_system": "Darwin",
                       "os_name": "posix", "platform_machine": m}
       for m in ("x86_64", "arm64")},
    **{f"win_{t}": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
                    "platform_machine": m}
       for t, m in (("amd64", "AMD64"), ("arm64", "ARM64"))},
}
_PYPY_NEWEST = (3, 12)
#: Variables a newer interpreter may answer differently: no wildcard over interpreters then.
_VERSIONS = frozenset({"python_version", "python_full_version", "implementation_version"})


def _pythons() -> dict[str, Importer]:
    """cibuildwheel's interpreter parts, oldest first: CPython (GIL, free-threaded) and PyPy."""
    out = {f"cp3{n}": Importer("cpython", (3, n)) for n in range(9, NEWEST_KNOWN[1] + 1)}
    out.update({f"cp3{n}t": Importer("cpython", (3, n), free_threaded=True)
                for n in range(13, NEWEST_KNOWN[1] + 1)})
    out.update({f"pp3{n}": Importer("pypy", (3, n)) for n in range(9, _PYPY_NEWEST[1] + 1)})
    return out


def _built(marker: str | None, env: dict[str, str]) -> bool:
    """Whether a module with *marker* is built there; undecidable (a variable the
    identifier does not tell, such as platform_release) counts as built."""
    if marker is None or marker_variables(marker) - env.keys():
        return True
    return holds(marker, env, "pyproject.toml")


def pure_identifiers(compiled: Sequence[str | None]) -> list[tuple[str, str]]:
    """(python, platform) identifiers where none of the compiled modules (their markers,
    None for always) is built."""
    return [(python, platform)
            for python, importer in _pythons().items()
            for platform, platform_env in _PLATFORMS.items()
            if not any(_built(m, {**importer_environment(importer), **platform_env})
                       for m in compiled)]


def skip_patterns(compiled: Sequence[str | None]) -> list[str]:
    """cibuildwheel skip selectors for the builds where none of the compiled modules (their
    markers, None for always) is built: whole platforms, ``pp*`` or ``cp*``, whole
    interpreters, then single identifiers. Wildcards over interpreters (which also match
    releases newer than this plugin knows) only when no marker reads a version."""
    wanted = set(pure_identifiers(compiled))
    pythons = list(_pythons())
    rows: list[tuple[str, set[tuple[str, str]]]] = []
    if not any(marker_variables(m) & _VERSIONS for m in compiled if m is not None):
        rows += [(f"*-{q}", {(p, q) for p in pythons}) for q in _PLATFORMS]
        rows += [(f"{family}*", {(p, q) for p in pythons if p.startswith(family)
                                 for q in _PLATFORMS}) for family in ("pp", "cp")]
    rows += [(f"{p}-*", {(p, q) for q in _PLATFORMS}) for p in pythons]
    rows += [(f"{p}-{q}", {(p, q)}) for p in pythons for q in _PLATFORMS]
    patterns: list[str] = []
    covered: set[tuple[str, str]] = set()
    for pattern, matches in rows:
        if matches <= wanted and not matches <= covered:
            patterns.append(pattern)
            covered |= matches
    return patterns


def builds_own_extensions(root: Path) -> bool:
    """Whether setup.py may build extensions of its own (read, not run: naming ext_modules
    or Extension is enough); its wheels are never pure then, whatever the markers say."""
    setup = root / "setup.py"
    try:
        text = setup.read_text("utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"\bext_modules\b|\bExtension\b", text) is not None
