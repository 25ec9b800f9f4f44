"""cffi-build-plugin: build cffi modules from pyproject.toml alone (a setuptools plugin).

The public names load on first use (PEP 562): the setuptools hook imports this package for
every build, and must not pay for the configuration model or discovery unless asked.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_WHERE = {
    "BuildOptions": "config.build_options", "options": "config.build_options",
    "ModuleSettings": "config.settings", "Settings": "config.settings",
    "parse_settings": "config.settings",
    "BuilderSpec": "modules.discovery", "DeclaredModule": "modules.discovery",
    "Discovery": "modules.discovery", "Skipped": "modules.discovery",
    "discover": "modules.discovery",
    **dict.fromkeys(("BuilderError", "CffiBuildPluginError", "ConfigError", "DependencyError",
                     "OptionError", "TagError"), "errors"),
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
