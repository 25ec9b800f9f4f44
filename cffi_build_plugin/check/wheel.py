"""`cffi-build-plugin check`: will this wheel run everywhere its tag promises?

The portability audit a release manager runs before uploading. Each finding names the file
and what to do; a wheel passes only with none.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from cffi_build_plugin._process import find_tool, run
from cffi_build_plugin.errors import CffiBuildPluginError
from cffi_build_plugin.modules.import_names import (
    Importer,
    covered_importers,
    extension_suffixes,
    module_suffix,
    platform_multiarch,
)

from .elf import ELF_MACHINES, ElfFacts, read_elf, unexplained_symbols

__all__ = ["WheelReport", "check_wheel"]

_LEVEL = re.compile(r'platform tag:\s*"(?P<tag>[^"]+)"')


@dataclass
class WheelReport:
    wheel: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _linux(platform: str) -> bool:
    return platform.startswith(("manylinux", "musllinux", "linux"))


def _platform_arch(platform: str) -> str | None:
    """The architecture of a Linux platform tag (the ELF checks know x86_64 and aarch64)."""
    if not _linux(platform):
        return None
    return next((a for a in ELF_MACHINES if platform.endswith("_" + a)), None)


def _spans(importers: list[Importer]) -> str:
    """CPython 3.9, 3.10, 3.11 -> "CPython 3.9-3.11"."""
    groups: dict[str, list[Importer]] = {}
    for imp in sorted(importers):
        groups.setdefault(imp.label.rsplit(" ", 1)[0] if imp.implementation == "cpython"
                          else imp.label, []).append(imp)
    parts = []
    for kind, members in groups.items():
        if members[0].implementation != "cpython":
            parts.append(kind)
            continue
        first, last = members[0].version, members[-1].version
        span = f"{first[0]}.{first[1]}" + (f"-{last[0]}.{last[1]}" if last != first else "")
        parts.append(f"{kind} {span}")
    return ", ".join(parts)


def _why(suffix: str, refused: list[Importer], tags: frozenset[Tag]) -> str:
    """What went wrong, for the usual cases."""
    abis = {t.abi for t in tags}
    if re.fullmatch(r"\.abi3-[^.]+\.so", suffix):
        return ("stable-ABI modules named with the platform are imported by CPython 3.15+ "
                "only (setuptools names them so when 3.15 builds them); a module for an older "
                "floor must be named *.abi3.so")
    if suffix.startswith((".abi3t.", ".abi3t-")) and "abi3t" not in abis:
        return ("an abi3t module (built by free-threaded CPython 3.15+, or for a 3.15 floor) "
                "in a wheel tagged for abi3 only: tag it abi3.abi3t (cp315-abi3.abi3t), "
                "which installs on CPython 3.15+ only")
    if suffix == ".abi3.so" and any(i.free_threaded for i in refused):
        return ("free-threaded CPython never imports *.abi3.so: an abi3t wheel's modules are "
                "named *.abi3t.so (compiled with Py_TARGET_ABI3T)")
    if suffix.startswith((".cpython-", ".pypy", ".cp")) and abis & {"abi3", "abi3t"}:
        return ("this module is version-specific; only modules compiled with the limited "
                "API and named *.abi3.so (or *.abi3t.so for abi3t) may be in a stable-ABI "
                "wheel")
    return "its name is not one they import"


def _suffix_problems(name: str, tags: frozenset[Tag]) -> list[str]:
    """The module's file name must be one every interpreter the tags admit imports."""
    suffix = module_suffix(name)
    refused: list[Importer] = []
    expected: list[str] = []
    for tag in sorted(tags, key=str):
        multiarch = platform_multiarch(tag.platform)
        for importer in covered_importers(tag):
            suffixes = extension_suffixes(importer, multiarch)
            if suffix not in suffixes and importer not in refused:
                refused.append(importer)
                expected += [s for s in suffixes[:2] if s not in expected]
    if not refused:
        return []
    return [f"{name}: {_spans(refused)}, which the tag {_tag_text(tags)} admits, cannot "
            f"import it (they import {', '.join(expected[:4])}): {_why(suffix, refused, tags)}"]


def _tag_text(tags: frozenset[Tag]) -> str:
    interpreters = ".".join(sorted({t.interpreter for t in tags}))
    abis = ".".join(sorted({t.abi for t in tags}))
    return f"{interpreters}-{abis}"


def _elf_problems(rel: str, facts: ElfFacts, platform: str, arch: str | None,
                  providers: list[ElfFacts]) -> list[str]:
    problems = []
    if arch and facts.machine != ELF_MACHINES[arch]:
        problems.append(f"{rel}: built for {facts.machine}, but the tag says {arch}")
    if platform.startswith("manylinux") or platform.startswith("linux"):
        if "libc.so.6" not in facts.needed:
            problems.append(f"{rel}: records no libc.so.6 (linked --as-needed): auditwheel "
                            "cannot tell which libc it needs; link with -Wl,--no-as-needed")
        missing = unexplained_symbols(facts, providers)
        if missing:
            problems.append(
                f"{rel}: {', '.join(missing)} undefined without a glibc symbol version "
                "(declared by hand or implicitly): probably newer than the oldest glibc the "
                "tag promises; the import fails there with 'undefined symbol'")
    elif platform.startswith("musllinux") and not any(n.startswith("libc.musl-")
                                                        for n in facts.needed):
        problems.append(f"{rel}: records no libc.musl-{arch}.so.1; auditwheel cannot read it")
    outside = [p for p in facts.rpaths if not p.startswith("$ORIGIN")]
    if outside:
        problems.append(f"{rel}: RPATH/RUNPATH {':'.join(outside)} points outside the wheel "
                        "(a build-machine path): drop it, or run auditwheel repair")
    return problems


def _auditwheel_level(wheel: Path, platform: str, report: WheelReport) -> None:
    auditwheel = find_tool("auditwheel")
    if auditwheel is None:
        report.problems.append("auditwheel is not installed, so the manylinux level is "
                               "unchecked: pip install 'cffi-build-plugin[check]'")
        return
    try:
        out = " ".join(run([auditwheel, "show", str(wheel)]).split())
    except CffiBuildPluginError as exc:
        report.problems.append(f"auditwheel cannot judge it: {str(exc).splitlines()[-1]}")
        return
    match = _LEVEL.search(out)
    if match is None:
        report.problems.append(f"auditwheel gave no platform: {out[-300:]}")
        return
    level = match["tag"]
    report.notes.append(f"auditwheel: consistent with {level}")
    if platform.startswith(("manylinux", "musllinux")) and _newer(platform, level):
        report.problems.append(f"tagged {platform}, but auditwheel says it needs {level}: "
                               "it will fail on the older systems the tag admits")
    elif platform.startswith("linux_"):
        report.problems.append(f"tagged {platform}, which PyPI refuses: run auditwheel repair "
                               f"(it can be {level})")


def _libc_version(tag: str) -> tuple[int, int]:
    m = re.match(r"(?:manylinux|musllinux)_(\d+)_(\d+)_", tag)
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    return (int(m[1]), int(m[2])) if m else legacy.get(tag.partition("_")[0], (0, 0))


def _newer(claimed: str, needed: str) -> bool:
    """Whether *needed* (e.g. manylinux_2_36_x86_64) asks more than *claimed* promises."""
    if claimed.startswith("musllinux") != needed.startswith("musllinux"):
        return True  # a glibc wheel tagged musllinux, or the other way round
    return _libc_version(needed) > _libc_version(claimed)


def _abi3audit(wheel: Path, report: WheelReport) -> None:
    tool = find_tool("abi3audit")
    if tool is None:
        report.problems.append("abi3audit is not installed: pip install "
                               "'cffi-build-plugin[check]'")
        return
    try:
        run([tool, "--strict", str(wheel)])
    except CffiBuildPluginError as exc:
        report.problems.append(f"abi3audit: {exc}")


def check_wheel(wheel: Path, declared: Iterable[str] = ()) -> WheelReport:
    """Every finding for *wheel*; *declared* are the module names the project builds."""
    report = WheelReport(wheel)
    try:
        _, _, _, tags = parse_wheel_filename(wheel.name)
    except InvalidWheelFilename as exc:
        report.problems.append(f"not a wheel file name: {exc}")
        return report
    platforms = {t.platform for t in tags}
    # The most compatible tag is the promise to hold it to (manylinux_2_5 before _2_17).
    platform = min(platforms, key=_libc_version)
    arch = _platform_arch(platform)
    with tempfile.TemporaryDirectory(prefix="cffi-check-") as tmp:
        try:
            with zipfile.ZipFile(wheel) as zf:
                zf.extractall(tmp)
        except (OSError, zipfile.BadZipFile) as exc:
            report.problems.append(f"cannot be read as a zip archive: {exc}")
            return report
        root = Path(tmp)
        files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        shared = [f for f in files if f.endswith(".so") or ".so." in f]
        modules = [f for f in shared if ".libs/" not in f] + [f for f in files
                                                               if f.endswith(".pyd")]
        for name in modules:
            report.problems.extend(_suffix_problems(name, tags))
        elf_platform = any(_linux(p) for p in platforms)
        if elf_platform and shared:
            try:
                facts = {f: read_elf(root / f) for f in shared}
            except CffiBuildPluginError as exc:
                report.problems.append(str(exc))
                return report
            for name in modules:
                others = [facts[f] for f in shared if f != name]
                report.problems.extend(_elf_problems(name, facts[name], platform, arch, others))
        for module in declared:
            path = module.replace(".", "/")
            if not any(f == f"{path}.py" or (f.startswith(f"{path}.") and f in modules)
                       for f in files):
                report.problems.append(f"the project declares cffi module {module}, but the "
                                       "wheel does not hold it")
    if elf_platform and shared:
        _auditwheel_level(wheel, platform, report)
    if {t.abi for t in tags} & {"abi3", "abi3t"} and modules:
        _abi3audit(wheel, report)
    if not modules and not declared:
        report.notes.append("no compiled modules: nothing platform-specific to check")
    return report
