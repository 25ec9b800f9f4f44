"""Which ABI a build targets: abi3 with which floor, or version-specific."""

from __future__ import annotations

import sys
import sysconfig

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from .errors import TagError
from .settings import LimitedApi

__all__ = [
    "interpreter_supports_abi3",
    "limited_api_floor",
    "limited_api_hex",
    "limited_api_tag",
    "supports_abi3",
]

PythonVersion = tuple[int, int]


def supports_abi3(implementation: str, *, free_threaded: bool, debug: bool = False) -> bool:
    """CPython with the GIL and without a debug build; PyPy and free-threaded builds
    (before 3.15) have no stable ABI, so their wheels are version-specific."""
    return implementation == "cpython" and not free_threaded and not debug


def interpreter_supports_abi3() -> bool:
    """:func:`supports_abi3` for the running interpreter."""
    return supports_abi3(
        sys.implementation.name,
        free_threaded=bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        debug=hasattr(sys, "gettotalrefcount"),
    )


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
