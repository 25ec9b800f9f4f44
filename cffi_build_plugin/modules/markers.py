"""A module's ``when`` marker: the environment a build (or a wheel's tag) stands for, and
whether the marker holds there."""

from __future__ import annotations

import re
from collections.abc import Mapping

from packaging.markers import Marker, UndefinedComparison, default_environment

from cffi_build_plugin.errors import ConfigError

from .import_names import Importer

__all__ = [
    "INTERPRETER_VARIABLES",
    "Environment",
    "build_environment",
    "holds",
    "importer_environment",
    "interpreter_label",
    "marker_variables",
]

Environment = Mapping[str, str]

#: What an interpreter tag (cp311, pp39) tells; every other variable is the platform's.
INTERPRETER_VARIABLES = frozenset({
    "implementation_name", "platform_python_implementation", "python_version",
})
_ALL_VARIABLES = INTERPRETER_VARIABLES | {
    "implementation_version", "os_name", "platform_machine", "platform_release",
    "platform_system", "platform_version", "python_full_version", "sys_platform",
}
_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy"}


def build_environment(machine: str | None = None) -> dict[str, str]:
    """The running interpreter's environment: it is the one the module is built for. A
    portable build (``wheel --target``) runs on a Linux host for a Linux *machine*, so only
    platform_machine changes; platform_release and platform_version stay the host's, as
    nothing knows the kernel a wheel will meet."""
    env = {key: str(value) for key, value in default_environment().items()}
    if machine is not None:
        env["platform_machine"] = machine
    return env


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
        "platform_python_implementation": _IMPLEMENTATIONS.get(importer.implementation,
                                                               importer.implementation),
        "python_version": version,
    }
