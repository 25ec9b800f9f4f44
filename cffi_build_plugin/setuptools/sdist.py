"""sdist: adds what builders read (found statically: no builder runs for an sdist); with
SOURCE_DATE_EPOCH, the same bytes wherever it is built."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from setuptools.command.build_py import build_py as build_py_command
from setuptools.command.sdist import sdist

from cffi_build_plugin.modules.sdist_inputs import module_outputs

from .clean_tree import remove_new_egg_info_at_exit
from .reproducible import normalize_sdist, source_date_epoch
from .state import state_of

__all__ = ["SdistMixin"]

log = logging.getLogger("cffi_build_plugin")

if TYPE_CHECKING:
    _Sdist = sdist
else:
    _Sdist = object


class SdistMixin(_Sdist):
    """Adds what builders read (found statically: no builder runs for an sdist); with
    SOURCE_DATE_EPOCH, writes the same bytes wherever it is built."""

    def run(self) -> None:
        remove_new_egg_info_at_exit(state_of(self).project.root)
        super().run()

    def make_distribution(self) -> None:
        epoch = source_date_epoch()
        self.filelist.extend(state_of(self).sdist_inputs())
        self._leave_out_built_modules()
        self.filelist.sort()
        self.filelist.remove_duplicates()
        super().make_distribution()
        if epoch is not None:
            for archive in self.archive_files:
                if archive.endswith(".tar.gz"):
                    normalize_sdist(Path(archive), epoch)

    def _leave_out_built_modules(self) -> None:
        """What an editable install or a hand-run ``ffibuilder.compile()`` left next to the
        sources is made again by every build: the sdist must not carry a stale copy."""
        build_py = self.get_finalized_command("build_py")
        assert isinstance(build_py, build_py_command)
        folders = {
            name: Path(build_py.get_package_dir(name.rpartition(".")[0]) or ".").as_posix()
            for name in (m.declared_name for m in state_of(self).plan.modules) if name
        }
        in_place, stray = module_outputs(state_of(self).project.root, self.filelist.files,
                                         folders)
        if in_place:
            log.info("sdist: leaving out %s (built in place; every build makes them again)",
                     ", ".join(in_place))
        if stray:
            log.warning("sdist: leaving out %s: outputs of cffi's compile() run by hand, which "
                        "every build makes again; delete them", ", ".join(stray))
        dropped = {*in_place, *stray}
        self.filelist.files = [f for f in self.filelist.files if f not in dropped]


