"""How a build compiles: parallel jobs, compiler cache and debug info.

Each is a setting of ``[tool.cffi-build-plugin]`` that an environment variable overrides, for a
CI job or a one-off build that should not edit pyproject.toml. Values from the environment go
through the settings' own parsers, so they are checked (and explained) the same way.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass
from typing import Any

from ._process import find_tool
from .errors import ConfigError
from .settings import Settings, toml_key

__all__ = [
    "ENV_COMPILER_CACHE",
    "ENV_DEBUG_INFO",
    "ENV_JOBS",
    "CompileChoices",
    "compile_choices",
    "usable_cpus",
]

ENV_JOBS = "CFFI_BUILD_PLUGIN_JOBS"
ENV_COMPILER_CACHE = "CFFI_BUILD_PLUGIN_COMPILER_CACHE"
ENV_DEBUG_INFO = "CFFI_BUILD_PLUGIN_DEBUG_INFO"

_ENV_OF = {"jobs": ENV_JOBS, "compiler_cache": ENV_COMPILER_CACHE, "debug_info": ENV_DEBUG_INFO}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class CompileChoices:
    #: Compilers running at once, at least 1.
    jobs: int
    #: The ccache executable to launch compilers through, or None.
    ccache: str | None
    debug_info: bool


def usable_cpus() -> int:
    """CPUs this process may run on (a CI container's quota, not the host's count)."""
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1  # Python 3.13+
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _from_environment(name: str, raw: str) -> object:
    """The TOML value an environment string stands for."""
    text = raw.strip()
    if name == "jobs":
        return int(text) if text.isdigit() else text
    if name == "debug_info":
        low = text.lower()
        return True if low in _TRUE else False if low in _FALSE else text
    return text


def _effective(settings: Settings, problems: list[str]) -> dict[str, Any]:
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}
    for name, variable in _ENV_OF.items():
        raw = os.environ.get(variable)
        if raw is None:
            values[name] = getattr(settings, name)
            continue
        kind = fields[name].metadata["kind"]
        before = len(problems)
        parsed = kind.parse(_from_environment(name, raw), variable, problems)
        if len(problems) > before:
            problems[-1] += f" (the environment's value for [tool.cffi-build-plugin] " \
                            f"{toml_key(fields[name])})"
        values[name] = parsed
    return values


def compile_choices(settings: Settings, parallel_option: int | None = None) -> CompileChoices:
    """The choices for this build. *parallel_option* is build_ext's --parallel when given;
    the environment wins over it, and it over pyproject.toml."""
    problems: list[str] = []
    values = _effective(settings, problems)
    if problems:
        raise ConfigError("the environment", problems)
    jobs = values["jobs"]
    if os.environ.get(ENV_JOBS) is None and parallel_option:
        jobs = parallel_option
    ccache = None
    if values["compiler_cache"] != "off":
        ccache = find_tool("ccache")
        if ccache is None and values["compiler_cache"] == "ccache":
            raise ConfigError("pyproject.toml or the environment", [
                f'compiler-cache = "ccache" ({ENV_COMPILER_CACHE} or [tool.cffi-build-plugin]), '
                f"but no ccache executable is on PATH or beside {sys.executable}: add "
                '"cffi-build-plugin[ccache]" to [build-system].requires, install ccache '
                '(apt-get install ccache, brew install ccache), or set it to "auto"'])
    return CompileChoices(jobs=jobs or usable_cpus(), ccache=ccache,
                          debug_info=bool(values["debug_info"]))
