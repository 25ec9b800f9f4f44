"""cffi-build-plugin: build cffi modules from pyproject.toml alone (a setuptools plugin)."""

from __future__ import annotations

from .config.build_options import BuildOptions, options
from .config.settings import ModuleSettings, Settings, parse_settings
from .errors import (
    BuilderError,
    CffiBuildPluginError,
    ConfigError,
    DependencyError,
    OptionError,
    TagError,
)
from .modules.discovery import BuilderSpec, DeclaredModule, Discovery, Skipped, discover

__all__ = [
    "BuildOptions",
    "BuilderError",
    "BuilderSpec",
    "CffiBuildPluginError",
    "ConfigError",
    "DeclaredModule",
    "DependencyError",
    "Discovery",
    "ModuleSettings",
    "OptionError",
    "Settings",
    "Skipped",
    "TagError",
    "__version__",
    "discover",
    "options",
    "parse_settings",
]

__version__ = "0.1.0"
