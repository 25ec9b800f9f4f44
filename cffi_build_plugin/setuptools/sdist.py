"""sdist: adds what builders read (found statically: no builder runs for an sdist); with
SOURCE_DATE_EPOCH, the same bytes wherever it is built."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from setuptools.command.sdist import sdist

from .clean_tree import remove_new_egg_info_at_exit
from .reproducible import normalize_sdist, source_date_epoch
from .state import state_of

__all__ = ["SdistMixin"]

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
        self.filelist.sort()
        self.filelist.remove_duplicates()
        super().make_distribution()
        if epoch is not None:
            for archive in self.archive_files:
                if archive.endswith(".tar.gz"):
                    normalize_sdist(Path(archive), epoch)


