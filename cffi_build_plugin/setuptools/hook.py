"""The setuptools entry point: inert unless the project opted in, cheap, idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cffi_build_plugin.config.project import load_project
from cffi_build_plugin.modules.builders import is_running_builders

from .commands import STATE_ATTRIBUTE, install_commands
from .state import BuildState

__all__ = ["finalize_distribution_options"]


def finalize_distribution_options(dist: Any) -> None:
    """``setuptools.finalize_distribution_options`` hook.

    Runs at every Distribution's creation, before setup.cfg or pyproject.toml metadata is
    applied, so it only reads our own table and wraps commands; builders run at build time.
    """
    if is_running_builders():
        return  # a builder that makes its own Distribution must not re-enter the plugin
    if getattr(dist, STATE_ATTRIBUTE, None) is not None:
        return
    project = load_project(Path.cwd())
    if project is None:
        return
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
