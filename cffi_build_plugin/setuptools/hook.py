"""The setuptools entry point: inert unless the project opted in, cheap, idempotent.

Every setuptools build in an environment holding the plugin runs this hook, so it imports
nothing of ours beyond this package's ``__init__`` until pyproject.toml mentions the plugin;
the configuration, the builders and the command mixins load only for a project that opted in.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cffi_build_plugin.config.opt_in import pyproject_naming_plugin
from cffi_build_plugin.setuptools import STATE_ATTRIBUTE

if TYPE_CHECKING:
    from cffi_build_plugin.config.project import Project

__all__ = ["finalize_distribution_options"]

_BUILDERS = "cffi_build_plugin.modules.builders"


def finalize_distribution_options(dist: Any) -> None:
    """``setuptools.finalize_distribution_options`` hook.

    Runs at every Distribution's creation, before setup.cfg or pyproject.toml metadata is
    applied, so it only reads our own table and wraps commands; builders run at build time.
    """
    builders = sys.modules.get(_BUILDERS)  # not imported: no builder can be running
    if builders is not None and builders.is_running_builders():
        return  # a builder that makes its own Distribution must not re-enter the plugin
    if getattr(dist, STATE_ATTRIBUTE, None) is not None:
        return
    if _made_by_cffi():
        return  # `python build.py` running ffibuilder.compile(): cffi's own one-module build
    root = Path.cwd()
    if pyproject_naming_plugin(root) is None:
        return
    from cffi_build_plugin.config.project import load_project

    project = load_project(root)
    if project is None:
        return
    _activate(dist, project)


def _made_by_cffi() -> bool:
    """Whether cffi's ``ffi.compile()`` is making this Distribution (``ffiplatform`` makes
    one for the single module it compiles), from a builder run by hand in the project."""
    frame = sys._getframe(1)
    for _ in range(12):
        frame = frame.f_back  # type: ignore[assignment]
        if frame is None:
            return False
        if frame.f_globals.get("__name__") == "cffi.ffiplatform":
            return True
    return False


def _activate(dist: Any, project: Project) -> None:
    from .state import BuildState
    from .wrap import install_commands

    state = BuildState(dist, project)
    setattr(dist, STATE_ATTRIBUTE, state)
    install_commands(dist)

    # setuptools asks these to decide which commands run and whether the wheel is pure;
    # the answer must include modules that exist only once builders ran.
    has_pure_modules = dist.has_pure_modules

    def _has_ext_modules() -> bool:
        ours = state.our_extensions()
        others = [e for e in dist.ext_modules or [] if not any(e is o for o in ours)]
        return bool(others) or state.has_api_modules()

    def _has_pure_modules() -> bool:
        return bool(has_pure_modules()) or bool(state.plan.modules)

    dist.has_ext_modules = _has_ext_modules
    dist.has_pure_modules = _has_pure_modules
