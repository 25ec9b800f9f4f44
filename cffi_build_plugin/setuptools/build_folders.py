"""build and egg_info: a PEP 517 wheel build keeps build/ and the egg-info in a folder of its
own (clean_tree.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from setuptools.command.build import build
from setuptools.command.egg_info import egg_info

from .clean_tree import private_build_folder

__all__ = ["BuildMixin", "EggInfoMixin"]

if TYPE_CHECKING:
    _Build = build
    _EggInfo = egg_info
else:
    _Build = _EggInfo = object


class BuildMixin(_Build):
    """A PEP 517 wheel build writes build/ to a folder of its own (clean_tree.py)."""

    def finalize_options(self) -> None:
        folder = private_build_folder(self.distribution)
        configured = "build_base" in self.distribution.get_option_dict("build")
        if folder is not None and not configured:
            self.build_base = str(folder / "build")
        super().finalize_options()


class EggInfoMixin(_EggInfo):
    """... and its egg-info too."""

    def finalize_options(self) -> None:
        folder = private_build_folder(self.distribution)
        if folder is not None and self.egg_base is None:
            self.egg_base = str(folder)
        super().finalize_options()


