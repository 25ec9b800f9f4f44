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
from .expected import ExpectedModule, expectations
from .libraries import allowed_libraries, find_library, libc_library
from .platform_tags import canonical_platform, libc_level

__all__ = ["WheelReport", "check_wheel", "wheels_to_check"]

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
                  providers: list[ElfFacts], bundled: set[str], report: WheelReport,
                  module: Path) -> list[str]:
    """*providers* are the wheel's other shared objects, *bundled* their file names."""
    problems = []
    if arch and facts.machine != ELF_MACHINES[arch]:
        problems.append(f"{rel}: built for {facts.machine}, but the tag says {arch}")
    glibc = platform.startswith(("manylinux", "linux"))
    if glibc and "libc.so.6" not in facts.needed:
        problems.append(f"{rel}: records no libc.so.6 (linked --as-needed): auditwheel "
                        "cannot tell which libc it needs; link with -Wl,--no-as-needed")
    elif platform.startswith("musllinux") and not any(n.startswith("libc.musl-")
                                                        for n in facts.needed):
        problems.append(f"{rel}: records no libc.musl-{arch}.so.1; auditwheel cannot read it")
    system = [n for n in facts.needed if not libc_library(n) and n not in bundled]
    found = {n: find_library(n, module, facts.rpaths, facts.machine) for n in system}
    libraries = {n: read_elf(path) for n, path in found.items() if path is not None}
    problems += _system_library_problems(rel, facts, platform, system, libraries, report)
    missing = unexplained_symbols(facts, [*providers, *libraries.values()])
    unfound = [n for n, path in found.items() if path is None]
    if glibc and missing and unfound:
        problems.append(
            f"{rel}: {', '.join(missing)} undefined without a symbol version: from "
            f"{', '.join(unfound)} (not found on this machine) or glibc functions newer than "
            "the tag promises; set LD_LIBRARY_PATH to the library's folder and check again")
    elif glibc and missing:
        problems.append(
            f"{rel}: {', '.join(missing)} undefined without a glibc symbol version "
            "(declared by hand or implicitly): probably newer than the oldest glibc the "
            "tag promises; the import fails there with 'undefined symbol'")
    outside = [p for p in facts.rpaths if not p.startswith("$ORIGIN")]
    if outside:
        problems.append(f"{rel}: RPATH/RUNPATH {':'.join(outside)} points outside the wheel "
                        "(a build-machine path): drop it, or run auditwheel repair")
    return problems


def _system_library_problems(rel: str, facts: ElfFacts, platform: str, system: list[str],
                             libraries: dict[str, ElfFacts], report: WheelReport
                             ) -> list[str]:
    """One line per library the module takes from the system: fine when the tag's policy
    lets wheels rely on it, else the wheel is not uploadable until auditwheel bundles it."""
    allowed = allowed_libraries(platform)
    problems = []
    for name in system:
        lib = libraries.get(name)
        count = len(facts.imported & lib.defined) if lib else 0
        used = f" ({count} symbol{'s' if count != 1 else ''})" if count else ""
        if allowed is None:
            report.notes.append(f"{rel}: uses {name} from the system{used}")
        elif name in allowed:
            report.notes.append(f"{rel}: uses {name} from the system{used}, which "
                                f"{_policy_name(platform)} allows")
        elif lib is None:
            problems.append(
                f"{rel}: needs {name}, which is neither in the wheel nor found on this "
                "machine (RUNPATH, LD_LIBRARY_PATH, ld.so.conf): set LD_LIBRARY_PATH to its "
                "folder, then run auditwheel repair, which bundles it")
        elif platform.startswith("linux_"):
            problems.append(f"{rel}: needs {name} from the system{used}; auditwheel repair "
                            "will bundle it")
        else:
            problems.append(
                f"{rel}: needs {name} from the system{used}, which {platform} does not "
                "promise: the import fails where it is missing; auditwheel repair bundles it")
    return problems


def _policy_name(platform: str) -> str:
    return "every manylinux policy" if platform.startswith("linux_") else platform


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
    outside = level.startswith("linux_")  # it needs libraries from outside the wheel
    if platform.startswith(("manylinux", "musllinux")) and _newer(platform, level):
        report.problems.append(
            f"tagged {platform}, but auditwheel says it needs {level}"
            + (" (libraries from outside the wheel): run auditwheel repair" if outside else
               ": it will fail on the older systems the tag admits"))
    elif platform.startswith("linux_"):
        report.problems.append(f"tagged {platform}, which PyPI refuses: run auditwheel repair"
                               + ("" if outside else f" (it can be {level})"))


def _newer(claimed: str, needed: str) -> bool:
    """Whether *needed* (e.g. manylinux_2_36_x86_64) asks more than *claimed* promises."""
    if claimed.startswith("musllinux") != needed.startswith("musllinux"):
        return True  # a glibc wheel tagged musllinux, or the other way round
    if needed.startswith("linux_"):
        return True  # no policy at all: it needs libraries the wheel does not hold
    return libc_level(needed) > libc_level(claimed)


def _abi3audit(wheel: Path, report: WheelReport) -> None:
    tool = find_tool("abi3audit")
    if tool is None:  # an optional audit: its absence is no finding about the wheel
        report.notes.append("not audited for abi3 (abi3audit is not installed): "
                            "pip install abi3audit")
        return
    try:
        run([tool, "--strict", str(wheel)])
    except CffiBuildPluginError as exc:
        report.problems.append(f"abi3audit: {exc}")


def check_wheel(wheel: Path, declared: Iterable[str | ExpectedModule] = ()) -> WheelReport:
    """Every finding for *wheel*; *declared* are the modules the project builds (a name:
    everywhere)."""
    report = WheelReport(wheel)
    try:
        _, _, _, tags = parse_wheel_filename(wheel.name)
    except InvalidWheelFilename as exc:
        report.problems.append(f"not a wheel file name: {exc}")
        return report
    platforms = {t.platform for t in tags}
    # The most compatible tag is the promise to hold it to (manylinux_2_5 before _2_17).
    platform = canonical_platform(min(platforms, key=libc_level))
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
                others = [f for f in shared if f != name]
                report.problems.extend(_elf_problems(
                    name, facts[name], platform, arch, [facts[f] for f in others],
                    {Path(f).name for f in others}, report, root / name))
        _check_declared(report, tags, declared, files, modules)
    if elf_platform and shared:
        _auditwheel_level(wheel, platform, report)
    if {t.abi for t in tags} & {"abi3", "abi3t"} and modules:
        _abi3audit(wheel, report)
    if not modules and not declared:
        report.notes.append("no compiled modules: nothing platform-specific to check")
    return report


def _check_declared(report: WheelReport, tags: frozenset[Tag],
                    declared: Iterable[str | ExpectedModule], files: list[str],
                    modules: list[str]) -> None:
    """The project's modules that belong in a wheel with these tags are in it, and those
    whose marker is false for it are not."""
    expected = expectations(tags, _tag_text(tags), declared)
    report.problems.extend(expected.problems)
    report.notes.extend(expected.notes)
    for module in expected.required:
        if not _holds(module, files, modules):
            report.problems.append(f"the project declares cffi module {module}, but the "
                                   "wheel does not hold it")
    for module, why in expected.excluded.items():
        if _holds(module, files, modules):
            report.problems.append(f"the wheel holds cffi module {module}, but {why}")


def _holds(module: str, files: list[str], modules: list[str]) -> bool:
    path = module.replace(".", "/")
    return any(f == f"{path}.py" or (f.startswith(f"{path}.") and f in modules) for f in files)


def wheels_to_check(paths: Iterable[str]) -> list[Path]:
    """The wheels *paths* name: files as given, folders by their ``*.whl``. A path that does
    not exist, or a folder without wheels, is an error naming each."""
    wheels: list[Path] = []
    errors: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(path.glob("*.whl"))
            wheels += found
            if not found:
                errors.append(f"no wheels (*.whl) in the folder {given}")
        elif path.exists():
            wheels.append(path)
        else:
            errors.append(f"no such file: {given}")
    if errors:
        raise CffiBuildPluginError("; ".join(errors))
    return wheels
