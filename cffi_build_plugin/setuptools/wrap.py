"""Wrapping whatever build_ext/build_py/sdist/bdist_wheel/build/egg_info a project already
uses (its own cmdclass, another plugin's) with the plugin's mixin for each."""

from __future__ import annotations

from typing import Any

from .bdist_wheel import BdistWheelMixin
from .build_ext import BuildExtMixin
from .build_folders import BuildMixin, EggInfoMixin
from .build_py import BuildPyMixin
from .sdist import SdistMixin

__all__ = ["install_commands"]

_MIXINS: dict[str, type] = {
    "build": BuildMixin,
    "egg_info": EggInfoMixin,
    "build_ext": BuildExtMixin,
    "build_py": BuildPyMixin,
    "sdist": SdistMixin,
    "bdist_wheel": BdistWheelMixin,
}


def install_commands(dist: Any) -> None:
    """Wrap each command class when setuptools looks it up.

    Wrapping at lookup rather than now catches a cmdclass that pyproject.toml or setup.cfg
    installs later (the hook runs before they are read) and whatever another plugin put there.
    """
    if getattr(dist.get_command_class, "_cffi_build_plugin", False):
        return
    lookup = dist.get_command_class

    def get_command_class(command: str) -> type:
        cls: type = lookup(command)
        mixin = _MIXINS.get(command)
        if mixin is None or issubclass(cls, mixin):
            return cls
        wrapped = type(cls.__name__, (mixin, cls), {"__module__": __name__})
        dist.cmdclass[command] = wrapped
        return wrapped

    get_command_class._cffi_build_plugin = True  # type: ignore[attr-defined]
    dist.get_command_class = get_command_class
