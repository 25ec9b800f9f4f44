"""What an ELF shared object says about where it can run, read with pyelftools."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cffi_build_plugin.errors import CffiBuildPluginError, ToolError

__all__ = ["ELF_MACHINES", "ElfFacts", "read_elf", "unexplained_symbols"]

#: e_machine for each architecture portable mode and `check` know.
ELF_MACHINES = {"x86_64": "EM_X86_64", "aarch64": "EM_AARCH64"}

#: Symbols the interpreter itself provides: CPython's C API and PyPy's cpyext.
_INTERPRETER_PREFIXES = ("Py", "_Py", "PyPy", "_PyPy")


@dataclass(frozen=True)
class ElfFacts:
    machine: str  # e_machine, e.g. EM_X86_64, EM_AARCH64
    needed: tuple[str, ...]
    rpaths: tuple[str, ...]  # DT_RPATH and DT_RUNPATH entries, split on ':'
    #: Undefined, non-weak dynamic symbols with no version: (name, ...).
    unversioned: tuple[str, ...]
    #: Every undefined, non-weak dynamic symbol, versioned or not.
    imported: frozenset[str]
    #: Defined dynamic symbols (what this object offers to others).
    defined: frozenset[str]


def read_elf(path: Path) -> ElfFacts:
    try:
        from elftools.elf.dynamic import DynamicSection
        from elftools.elf.elffile import ELFFile
        from elftools.elf.gnuversions import GNUVerSymSection
        from elftools.elf.sections import SymbolTableSection
    except ImportError:
        raise ToolError(
            "reading ELF files needs pyelftools: pip install 'cffi-build-plugin[zig]' (for "
            "portable builds; in an isolated build, add it to [build-system].requires) or "
            "'cffi-build-plugin[check]'") from None

    from elftools.common.exceptions import ELFError

    with path.open("rb") as f:
        try:
            elf = ELFFile(f)
        except ELFError as exc:
            raise CffiBuildPluginError(f"{path.name} is not an ELF shared object: {exc}") from None
        needed: list[str] = []
        rpaths: list[str] = []
        for section in elf.iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    if tag.entry.d_tag == "DT_NEEDED":
                        needed.append(str(getattr(tag, "needed")))  # noqa: B009
                    elif tag.entry.d_tag in ("DT_RPATH", "DT_RUNPATH"):
                        value = getattr(tag, "rpath" if tag.entry.d_tag == "DT_RPATH"
                                        else "runpath")
                        rpaths.extend(p for p in str(value).split(":") if p)
        dynsym = next((s for s in elf.iter_sections() if isinstance(s, SymbolTableSection)
                       and s.name == ".dynsym"), None)
        versym = next((s for s in elf.iter_sections() if isinstance(s, GNUVerSymSection)),
                      None)
        unversioned: list[str] = []
        imported: set[str] = set()
        defined: set[str] = set()
        for index, sym in enumerate(dynsym.iter_symbols() if dynsym else ()):
            if not sym.name:
                continue
            if sym["st_shndx"] != "SHN_UNDEF":
                defined.add(sym.name)
                continue
            if sym["st_info"]["bind"] == "STB_WEAK":
                continue
            imported.add(sym.name)
            # Index 0 (local) and 1 (global) carry no version name.
            version = versym.get_symbol(index)["ndx"] if versym is not None else "VER_NDX_GLOBAL"
            if version in ("VER_NDX_LOCAL", "VER_NDX_GLOBAL", 0, 1):
                unversioned.append(sym.name)
        return ElfFacts(elf["e_machine"], tuple(needed), tuple(rpaths), tuple(unversioned),
                        frozenset(imported), frozenset(defined))


def unexplained_symbols(facts: ElfFacts, providers: Iterable[ElfFacts] = ()) -> list[str]:
    """Unversioned undefined symbols that neither the interpreter nor one of *providers* (the
    libraries the module links) defines: each one is a libc function the target may lack.

    glibc versions every symbol it exports, so a libc function that links unversioned was
    declared without glibc's headers knowing it (by hand, or implicitly in old C) and is
    likely newer than the target: the module links, auditwheel rates it manylinux_2_5, and
    the import fails with "undefined symbol" on an older glibc.
    """
    offered = set().union(*(p.defined for p in providers))
    return sorted(s for s in facts.unversioned
                  if not s.startswith(_INTERPRETER_PREFIXES) and s not in offered)
