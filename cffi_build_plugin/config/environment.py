"""Every ``CFFI_BUILD_PLUGIN_*`` environment variable, in one registry (docs are generated
from it), and the two rules they share: an empty value means unset, and a flag is one of
1/true/yes/on or 0/false/no/off."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "COMPILER_CACHE",
    "DEBUG_INFO",
    "EDITABLE_REBUILD",
    "JOBS",
    "OPTION_PREFIX",
    "TARGET",
    "VARIABLES",
    "ZIG",
    "Variable",
    "env_value",
    "parse_flag",
]


@dataclass(frozen=True)
class Variable:
    name: str
    #: What it does, for the generated reference.
    doc: str


JOBS = Variable(
    "CFFI_BUILD_PLUGIN_JOBS",
    "Compilers run at once (a whole number, at least 1); overrides the `jobs` setting.")
COMPILER_CACHE = Variable(
    "CFFI_BUILD_PLUGIN_COMPILER_CACHE",
    "`auto`, `ccache` or `off`; overrides the `compiler-cache` setting.")
DEBUG_INFO = Variable(
    "CFFI_BUILD_PLUGIN_DEBUG_INFO",
    "A flag: keep debug information in the modules; overrides the `debug-info` setting.")
TARGET = Variable(
    "CFFI_BUILD_PLUGIN_TARGET",
    "A manylinux/musllinux platform tag: build portable modules for it with zig "
    "(what `cffi-build-plugin wheel --target` sets).")
ZIG = Variable(
    "CFFI_BUILD_PLUGIN_ZIG",
    "The zig command for portable builds (default: the `ziglang` package's, else `zig`).")
EDITABLE_REBUILD = Variable(
    "CFFI_BUILD_PLUGIN_EDITABLE_REBUILD",
    "A flag, read at import in an editable install: 0 turns rebuilding changed modules on "
    "import off (a changed input then only warns).")
OPTION_PREFIX = Variable(
    "CFFI_BUILD_PLUGIN_OPTION_",
    "`CFFI_BUILD_PLUGIN_OPTION_<NAME>` sets the build option `<name>` declared in "
    "`[tool.cffi-build-plugin.options]` (dashes as underscores).")

#: Every variable, in the order the reference lists them.
VARIABLES = (JOBS, COMPILER_CACHE, DEBUG_INFO, TARGET, ZIG, EDITABLE_REBUILD, OPTION_PREFIX)

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def env_value(variable: Variable | str, environ: Mapping[str, str] | None = None) -> str | None:
    """The variable's value; None when unset or empty (as CI matrices give for 'unset')."""
    name = variable.name if isinstance(variable, Variable) else variable
    raw = (os.environ if environ is None else environ).get(name)
    return raw if raw is not None and raw.strip() else None


def parse_flag(text: str) -> bool | None:
    """1/true/yes/on -> True, 0/false/no/off -> False (any case, spaces ignored); else None."""
    low = text.strip().lower()
    return True if low in _TRUE else False if low in _FALSE else None
