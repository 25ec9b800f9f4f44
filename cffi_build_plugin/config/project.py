"""Reading a project's pyproject.toml: whether it opted in, and its settings."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cffi_build_plugin._requirements import requires_name
from cffi_build_plugin.errors import ConfigError

from .opt_in import pyproject_naming_plugin
from .settings import Settings, parse_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib

__all__ = ["PLUGIN_NAME", "Project", "load_project"]

PLUGIN_NAME = "cffi-build-plugin"


@dataclass(frozen=True)
class Project:
    """What pyproject.toml says that concerns us."""

    root: Path
    settings: Settings
    #: ``[project]`` as written (an empty dict without one).
    metadata: dict[str, Any]

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def dynamic(self) -> frozenset[str]:
        dynamic = self.metadata.get("dynamic", [])
        return frozenset(dynamic) if isinstance(dynamic, list) else frozenset()


def load_project(root: Path) -> Project | None:
    """The project at *root*, or None when it did not opt in (no table, plugin not required).

    Opting in means a ``[tool.cffi-build-plugin]`` table or ``cffi-build-plugin`` in
    ``[build-system].requires``.
    """
    path = root / "pyproject.toml"
    text = pyproject_naming_plugin(root)
    if text is None:
        return None
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), [f"not valid TOML: {exc}"]) from None
    tool = data.get("tool", {})
    table = tool.get(PLUGIN_NAME) if isinstance(tool, dict) else None
    build_system = data.get("build-system", {})
    requires = build_system.get("requires") if isinstance(build_system, dict) else None
    if table is None and not requires_name(requires, PLUGIN_NAME):
        return None
    settings = parse_settings({} if table is None else table, str(path))
    metadata = data.get("project", {})
    return Project(root, settings, metadata if isinstance(metadata, dict) else {})
