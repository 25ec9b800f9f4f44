"""Where the libraries a module records as NEEDED come from: libc itself, the wheel, or the
system, and whether the wheel's manylinux/musllinux policy lets it rely on the system's."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from cffi_build_plugin.errors import CffiBuildPluginError

from .elf import read_elf
from .platform_tags import canonical_platform

__all__ = ["LIBC_LIBRARIES", "allowed_libraries", "find_library", "libc_library"]

#: glibc's own libraries (their symbols are versioned like libc's) and musl's libc.
LIBC_LIBRARIES = ("libc.so", "libm.so", "libdl.so", "libpthread.so", "librt.so", "libutil.so",
                  "libanl.so", "libnsl.so", "libresolv.so", "libmvec.so", "ld-linux",
                  "libc.musl-", "ld-musl-")
#: The folders the loader searches after its cache (glibc's "trusted" folders).
_TRUSTED = ("/lib", "/lib64", "/usr/lib", "/usr/lib64")


def libc_library(soname: str) -> bool:
    return soname.startswith(LIBC_LIBRARIES)


def allowed_libraries(platform: str) -> frozenset[str] | None:
    """The system libraries a wheel tagged *platform* may link without bundling them:
    auditwheel's policy (its ``lib_whitelist``) for that tag, and for an unrepaired
    ``linux_*`` wheel those every policy allows. None when auditwheel is not installed."""
    spec = importlib.util.find_spec("auditwheel")
    if spec is None or spec.origin is None:
        return None
    kind = "musllinux" if platform.startswith("musllinux") else "manylinux"
    data = Path(spec.origin).parent / "policy" / f"{kind}-policy.json"
    try:
        policies = [p for p in json.loads(data.read_text(encoding="utf-8"))
                    if p["name"] != "linux"]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # another auditwheel layout: judge nothing rather than guess
    match = re.match(r"(?:manylinux|musllinux)_\d+_\d+", canonical_platform(platform))
    named = [p for p in policies if match and p["name"] == match[0]]
    lists = [frozenset(p["lib_whitelist"]) for p in (named or policies)]
    return frozenset.intersection(*lists) if lists else frozenset()


def find_library(soname: str, module: Path, rpaths: Sequence[str],
                 machine: str) -> Path | None:
    """Where this machine's loader (and auditwheel repair) would find *soname* for *module*:
    its RPATH/RUNPATH, LD_LIBRARY_PATH (and AUDITWHEEL_LD_LIBRARY_PATH), ld.so.conf's
    folders, the trusted folders; only a library built for *machine* counts.

    auditwheel's lddtree searches the same way, but it is no public API (its signatures
    changed between the versions the check extra admits)."""
    origin = str(module.parent)
    folders = [p.replace("$ORIGIN", origin).replace("${ORIGIN}", origin) for p in rpaths]
    for variable in ("AUDITWHEEL_LD_LIBRARY_PATH", "LD_LIBRARY_PATH"):
        folders += [p for p in os.environ.get(variable, "").split(":") if p]
    folders += [*_ld_so_conf(Path("/etc/ld.so.conf")), *_TRUSTED]
    for folder in dict.fromkeys(folders):
        candidate = Path(folder, soname)
        if not candidate.is_file():
            continue
        try:
            if read_elf(candidate.resolve()).machine == machine:
                return candidate
        except CffiBuildPluginError:
            continue  # not an ELF file (a linker script): the loader skips it too
    return None


def _ld_so_conf(conf: Path, depth: int = 0) -> list[str]:
    """The folders ld.so.conf lists, following its ``include`` lines."""
    try:
        lines = conf.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    folders: list[str] = []
    for line in (raw.split("#", 1)[0].strip() for raw in lines):
        if line.startswith("include ") and depth < 8:
            pattern = conf.parent / line.split(None, 1)[1]  # relative to the file
            root = Path(pattern.anchor)
            for included in sorted(root.glob(str(pattern.relative_to(root)))):
                folders += _ld_so_conf(included, depth + 1)
        elif line:
            folders.append(line)
    return folders
