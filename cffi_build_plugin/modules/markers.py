"""A module's ``when`` marker: the environment a build (or a wheel's tag) stands for, and
whether the marker holds there."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from packaging.markers import Marker, UndefinedComparison, default_environment

from cffi_build_plugin.errors import ConfigError

from .import_names import Importer, implementation_label

__all__ = [
    "INTERPRETER_VARIABLES",
    "Environment",
    "build_environment",
    "cross_target",
    "holds",
    "importer_environment",
    "interpreter_label",
    "marker_variables",
]

Environment = Mapping[str, str]

#: The interpreter's variables (an interpreter tag such as cp311 or pp39 tells the first three;
#: the full versions are the interpreter's too); every other variable is the platform's.
INTERPRETER_VARIABLES = frozenset({
    "implementation_name", "platform_python_implementation", "python_version",
    "python_full_version", "implementation_version",
})
_ALL_VARIABLES = INTERPRETER_VARIABLES | {
    "os_name", "platform_machine", "platform_release", "platform_system", "platform_version",
    "sys_platform",
}
#: _PYTHON_HOST_PLATFORM's system part (sysconfig.get_platform() spelling) -> the markers'.
_HOST_SYSTEMS = {"macosx": ("darwin", "Darwin"), "linux": ("linux", "Linux")}
#: A macOS universal build: one module for several machines, so no one platform_machine.
_MAC_UNIVERSAL = ("universal2", "universal", "intel", "fat", "fat3", "fat32", "fat64")


def build_environment(machine: str | None = None,
                      variables: Mapping[str, str] | None = None) -> dict[str, str]:
    """The running interpreter's environment: it is the one the module is built for. A
    portable build (``wheel --target``) runs on a Linux host for a Linux *machine*, so only
    platform_machine changes; platform_release and platform_version stay the host's, as
    nothing knows the kernel a wheel will meet. Without one, a cross-compile announced the
    way cibuildwheel and crossenv do (macOS arm64 on x86_64: _PYTHON_HOST_PLATFORM and
    ARCHFLAGS) gives the target's platform_machine and sys_platform."""
    env = {key: str(value) for key, value in default_environment().items()}
    if machine is not None:
        env["platform_machine"] = machine
    else:
        env.update(cross_target(os.environ if variables is None else variables))
    return env


def cross_target(variables: Mapping[str, str]) -> dict[str, str]:
    """What _PYTHON_HOST_PLATFORM (sysconfig.get_platform()'s ``macosx-11.0-arm64``,
    ``linux-aarch64``) and, on macOS, ARCHFLAGS naming exactly one ``-arch`` say of the
    target; empty when they say nothing reliable (unset, universal, several archs)."""
    out: dict[str, str] = {}
    host = variables.get("_PYTHON_HOST_PLATFORM", "")
    system, _, rest = host.partition("-")
    if system in _HOST_SYSTEMS:
        out["sys_platform"], out["platform_system"] = _HOST_SYSTEMS[system]
        out["os_name"] = "posix"
        machine = rest.rpartition("-")[2]
        if machine and machine not in _MAC_UNIVERSAL:
            out["platform_machine"] = machine
    archs = re.findall(r"-arch\s+(\S+)", variables.get("ARCHFLAGS", ""))
    darwin = out.get("sys_platform", str(default_environment()["sys_platform"])) == "darwin"
    if darwin and len(set(archs)) == 1 and "platform_machine" not in out:
        out["platform_machine"] = archs[0]
    return out


def marker_variables(text: str) -> frozenset[str]:
    """The environment variables a marker reads (its quoted strings left out)."""
    unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", " ", text)
    return frozenset(re.findall(r"[a-z_]+", unquoted)) & _ALL_VARIABLES


def holds(text: str, env: Environment, where: str) -> bool:
    """Whether marker *text* is true in *env*; *where* names it for an error (a comparison
    packaging cannot make, such as a version order on a non-version string)."""
    try:
        return Marker(text).evaluate(dict(env))
    except (UndefinedComparison, ValueError) as exc:
        raise ConfigError(where, [f"when = {text!r} cannot be evaluated on "
                                  f"{interpreter_label(env)}: {exc}"]) from None


def interpreter_label(env: Environment) -> str:
    """``CPython 3.11`` (with `` on aarch64`` when the machine is not the host's)."""
    name = env.get("platform_python_implementation", "?")
    label = f"{name} {env.get('python_version', '?')}"
    host = str(default_environment()["platform_machine"])
    machine = env.get("platform_machine")
    return label + (f" on {machine}" if machine and machine != host else "")


def importer_environment(importer: Importer) -> dict[str, str]:
    """What a wheel tag tells of an interpreter it admits: implementation and version only
    (platform variables come from the platform tag, see check/)."""
    version = f"{importer.version[0]}.{importer.version[1]}"
    return {
        "implementation_name": importer.implementation,
        "platform_python_implementation": implementation_label(importer.implementation),
        "python_version": version,
    }
