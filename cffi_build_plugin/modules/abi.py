"""Which ABI a build targets: the stable ABI (abi3, or abi3t from 3.15 on) with which floor,
or version-specific; and what that means for the module's file name and the wheel's tag."""

from __future__ import annotations

import sys
import sysconfig
from dataclasses import dataclass
from typing import Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from cffi_build_plugin.config.settings import LimitedApi
from cffi_build_plugin.errors import TagError

__all__ = [
    "ABI3T_SINCE",
    "PythonBuild",
    "StableAbi",
    "limited_api_floor",
    "limited_api_hex",
    "limited_api_tag",
    "stable_abi",
    "supports_stable_abi",
]

PythonVersion = tuple[int, int]

#: PEP 803: the stable ABI of free-threaded builds (abi3t) starts with CPython 3.15.
ABI3T_SINCE: PythonVersion = (3, 15)


@dataclass(frozen=True)
class PythonBuild:
    """The facts about an interpreter that decide its extension ABI."""

    implementation: str  # sys.implementation.name: "cpython", "pypy", ...
    version: PythonVersion
    free_threaded: bool = False
    debug: bool = False

    @classmethod
    def running(cls) -> PythonBuild:
        return cls(sys.implementation.name, (sys.version_info[0], sys.version_info[1]),
                   free_threaded=bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
                   debug=hasattr(sys, "gettotalrefcount"))


@dataclass(frozen=True)
class StableAbi:
    """A limited-API build: ``abi3`` (GIL CPython >= floor) or ``abi3t`` (PEP 803: GIL and
    free-threaded CPython >= floor, floor >= 3.15)."""

    kind: Literal["abi3", "abi3t"]
    floor: PythonVersion

    @property
    def macros(self) -> list[tuple[str, str]]:
        """What to define before Python.h. abi3t also names Py_LIMITED_API, which cffi's
        header would otherwise define bare (meaning 3.2) on a GIL build."""
        value = limited_api_hex(self.floor)
        if self.kind == "abi3t":
            return [("Py_LIMITED_API", value), ("Py_TARGET_ABI3T", value)]
        return [("Py_LIMITED_API", value)]

    def file_suffix(self, ext_suffix: str) -> str:
        """The module's suffix, given the building interpreter's EXT_SUFFIX.

        ``.abi3.so`` / ``.abi3t.so`` without the platform: CPython 3.15 also imports
        ``.abi3-x86_64-linux-gnu.so`` (and lists it first, which setuptools follows), but
        3.9-3.14 do not. Windows names every stable-ABI module plain ``.pyd``.
        """
        extension = "." + ext_suffix.rsplit(".", 1)[-1] if "." in ext_suffix else ".so"
        if extension == ".pyd":
            return ".pyd"
        return f".{self.kind}{extension}"

    @property
    def python_tag(self) -> str:
        return limited_api_tag(self.floor)

    @property
    def abi_tag(self) -> str:
        """``abi3``, or ``abi3.abi3t`` (PEP 803): an abi3t module also loads on GIL builds,
        so one wheel serves both (packaging gives GIL builds abi3, free-threaded abi3t)."""
        return "abi3.abi3t" if self.kind == "abi3t" else "abi3"


def supports_stable_abi(build: PythonBuild) -> bool:
    """CPython without a debug build, with the GIL or free-threaded from 3.15 on (abi3t);
    PyPy and older free-threaded builds have no stable ABI: their wheels are
    version-specific."""
    if build.implementation != "cpython" or build.debug:
        return False
    return not build.free_threaded or build.version >= ABI3T_SINCE


def stable_abi(build: PythonBuild, floor: PythonVersion | None) -> StableAbi | None:
    """The stable ABI a module built by *build* targets for *floor* (from
    :func:`limited_api_floor`; None: version-specific).

    A free-threaded 3.15+ build can only target abi3t, whose floor is 3.15 at least; a
    floor of 3.15 or more is abi3t on any build, so the wheel also serves free-threaded
    interpreters.
    """
    if floor is None or not supports_stable_abi(build):
        return None
    if build.free_threaded:
        return StableAbi("abi3t", max(floor, ABI3T_SINCE))
    return StableAbi("abi3t" if floor >= ABI3T_SINCE else "abi3", floor)


def requires_python_floor(requires_python: str | None) -> PythonVersion | None:
    """The lowest ``3.X`` that *requires_python* admits, or None without a usable bound."""
    if not requires_python:
        return None
    try:
        spec = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return None
    for minor in range(0, 40):
        if any(spec.contains(Version(f"3.{minor}.{patch}")) for patch in (0, 99)):
            return (3, minor)
    return None


def limited_api_floor(
    setting: LimitedApi,
    requires_python: str | None,
    running: PythonVersion | None = None,
) -> PythonVersion | None:
    """The oldest CPython an abi3 module must load on, or None for a version-specific build.

    ``"auto"``: requires-python's lower bound, else the building interpreter;
    ``"cp3X"``: 3.X. A floor above the building interpreter cannot be built here.
    """
    running = running or (sys.version_info[0], sys.version_info[1])
    if setting is False:
        return None
    if setting == "auto":
        # The limited API starts at 3.2; cffi's generated code needs nothing newer.
        floor = max(requires_python_floor(requires_python) or running, (3, 2))
        origin = f"requires-python {requires_python!r}"
    else:
        floor = (3, int(setting[3:]))
        origin = f"py-limited-api = {setting!r}"
        admitted = requires_python_floor(requires_python)
        if admitted is not None and admitted < floor:
            raise TagError(
                f"{origin} builds abi3 modules for CPython >= {floor[0]}.{floor[1]}, but "
                f"requires-python {requires_python!r} admits {admitted[0]}.{admitted[1]}, "
                "where the wheel would not install: raise requires-python to "
                f'">={floor[0]}.{floor[1]}" or set py-limited-api to '
                f'"cp{admitted[0]}{admitted[1]}" (or "auto")'
            )
    if floor > running:
        raise TagError(
            f"{origin} asks for abi3 modules that need CPython >= {floor[0]}.{floor[1]}, "
            f"but this build runs on {running[0]}.{running[1]}; build with a newer interpreter "
            "or lower the floor"
        )
    return floor


def limited_api_hex(floor: PythonVersion) -> str:
    """The ``Py_LIMITED_API`` value for *floor*, e.g. ``0x03090000``."""
    return f"0x{floor[0]:02X}{floor[1]:02X}0000"


def limited_api_tag(floor: PythonVersion) -> str:
    """bdist_wheel's ``py_limited_api`` value for *floor*, e.g. ``cp39``."""
    return f"cp{floor[0]}{floor[1]}"
