"""The portable target a build was asked for (CFFI_BUILD_PLUGIN_TARGET), read without
importing portable/ (zig, ELF reading) unless one is set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cffi_build_plugin.config.environment import TARGET, env_value

if TYPE_CHECKING:
    from cffi_build_plugin.portable.target import Target

__all__ = ["portable_target"]


def portable_target() -> Target | None:
    if env_value(TARGET) is None:
        return None
    from cffi_build_plugin.portable.target import configured_target

    return configured_target()
