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

from ._process import find_tool, run
from .elf import ELF_MACHINES, ElfFacts, read_elf, unexplained_symbols
from .errors import CffiBuildPluginError

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


def _expected_suffix(tag: Tag) -> str | None:
    """What a version-specific module's name holds for *tag*'s ABI: cp313t → .cpython-313t-,
    pypy310_pp73 → .pypy310-pp73-."""
    if tag.abi.startswith("cp"):
        return f".cpython-{tag.abi[2:]}-"
    if tag.abi.startswith("pypy"):
        return "." + tag.abi.replace("_", "-") + "-"
    return None


def _suffix_problems(name: str, tags: frozenset[Tag], arch: str | None) -> list[str]:
    """The module's file name must be one the tagged interpreters import."""
    abis = {t.abi for t in tags}
    if "abi3" in abis:
        return [] if name.endswith(".abi3.so") else [
            f"{name}: the wheel is tagged abi3 but this module is version-specific; only "
            "modules named *.abi3.so (compiled with Py_LIMITED_API) may be in an abi3 wheel"]
    if name.endswith(".abi3.so"):
        return []  # an abi3 module in a version-specific wheel loads fine
    problems = []
    for tag in tags:
        expected = _expected_suffix(tag)
        if expected and expected not in name:
            problems.append(f"{name}: its suffix is not {expected}…: {tag.interpreter} "
                            "will not import it")
    if arch and f"-{arch}-linux-" not in name:
        problems.append(f"{name}: its suffix names another architecture than {arch}")
    return problems


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
            report.problems.extend(_suffix_problems(name, tags, arch))
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
    if "abi3" in {t.abi for t in tags} and modules:
        _abi3audit(wheel, report)
    if not modules and not declared:
        report.notes.append("no compiled modules: nothing platform-specific to check")
    return report
