"""The errors a user can cause, each with a message that names the place and the fix."""

from __future__ import annotations

from setuptools.errors import SetupError

__all__ = [
    "BuilderError",
    "CffiBuildPluginError",
    "ConfigError",
    "DependencyError",
    "OptionError",
    "TagError",
]


class CffiBuildPluginError(SetupError):
    """Base class: setuptools shows a SetupError as one ``error: ...`` line, no traceback."""


class ConfigError(CffiBuildPluginError):
    """``[tool.cffi-build-plugin]`` (or the pyproject.toml holding it) is wrong.

    Carries every problem found, so the user fixes them in one round.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid configuration in {source}:\n{lines}")


class BuilderError(CffiBuildPluginError):
    """A cffi builder (``path/to/build.py:name``) could not give a usable FFI."""


class DependencyError(CffiBuildPluginError):
    """The project's metadata lacks something its wheel needs at run time."""


class OptionError(CffiBuildPluginError):
    """A builder read a build option that is not declared, or read it as another type."""


class TagError(CffiBuildPluginError):
    """No correct wheel tag can be given for this interpreter and configuration."""
