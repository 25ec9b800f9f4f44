"""The errors a user can cause, each with a message that names the place and the fix.

One class per kind of failure, each meaning what it says; the CLI exits with the class's
``exit_code`` (as cibuildwheel does), so a script can tell them apart.
"""

from __future__ import annotations

from setuptools.errors import SetupError

__all__ = [
    "BuilderError",
    "CffiBuildPluginError",
    "ConfigError",
    "DependencyError",
    "MigrateError",
    "OptionError",
    "TagError",
    "TargetError",
    "ToolError",
]


class CffiBuildPluginError(SetupError):
    """Base class: setuptools shows a SetupError as one ``error: ...`` line, no traceback."""

    exit_code = 2
    summary = "any other error the plugin reports"


class _Problems(CffiBuildPluginError):
    """Carries every problem found in one file, so the user fixes them in one round."""

    heading = ""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{self.heading} {source}:\n{lines}")


class ConfigError(_Problems):
    """``[tool.cffi-build-plugin]``, the pyproject.toml holding it, or a
    ``CFFI_BUILD_PLUGIN_*`` variable is wrong."""

    exit_code = 3
    summary = "the configuration (pyproject.toml, a CFFI_BUILD_PLUGIN_* variable) is wrong"
    heading = "invalid configuration in"


class BuilderError(CffiBuildPluginError):
    """A cffi builder (``path/to/build.py:name``) could not give a usable FFI."""

    exit_code = 4
    summary = "a cffi builder could not give a usable FFI"


class DependencyError(CffiBuildPluginError):
    """The project's metadata lacks something its wheel needs at run time."""

    exit_code = 5
    summary = "the project's metadata lacks a run-time dependency its wheel needs"


class OptionError(CffiBuildPluginError):
    """A builder read a build option that is not declared, or read it as another type."""

    exit_code = 6
    summary = "a builder read an undeclared build option, or as another type"


class TagError(CffiBuildPluginError):
    """No correct wheel tag can be given for this interpreter and configuration."""

    exit_code = 7
    summary = "no correct wheel tag for this interpreter and configuration"


class ToolError(CffiBuildPluginError):
    """A program or library a step needs (a C compiler, zig, patchelf, auditwheel,
    pyelftools) is missing, or it failed."""

    exit_code = 8
    summary = "a tool a step needs is missing, or it failed"


class TargetError(CffiBuildPluginError):
    """A portable target (``wheel --target``, CFFI_BUILD_PLUGIN_TARGET) is not one that can be
    built here, or a module built for it would not load there."""

    exit_code = 9
    summary = "a portable target cannot be built, or its modules would not load there"


class MigrateError(_Problems):
    """setup.py or setup.cfg holds something ``migrate`` cannot convert; each problem says
    what to change first."""

    exit_code = 10
    summary = "setup.py or setup.cfg holds something migrate cannot convert"
    heading = "cannot migrate"
