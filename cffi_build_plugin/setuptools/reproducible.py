"""SOURCE_DATE_EPOCH: the same sources give the same bytes, wherever they are built.

setuptools' wheels honour it already (every entry's time; the files are written in sorted
order). Its sdists do not: each file keeps its own mtime, owner and group, and the gzip header
records when it was written. With SOURCE_DATE_EPOCH set, the sdist is rewritten with those
cleared. Written here, not with repro-tarfile, because that library sets one mode for every
file and would drop the executable bit of a project's scripts (configure, autogen.sh).
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

from cffi_build_plugin.errors import ConfigError

__all__ = ["ENV_EPOCH", "normalize_sdist", "source_date_epoch"]

ENV_EPOCH = "SOURCE_DATE_EPOCH"


def source_date_epoch() -> int | None:
    """The variable's value; a value that is not a whole number of seconds is an error here,
    not a traceback from inside setuptools' bdist_wheel."""
    raw = os.environ.get(ENV_EPOCH, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise ConfigError("the environment", [
            f"{ENV_EPOCH}: expected a whole number of seconds since 1970 (for example the "
            f"last commit's: git log -1 --format=%ct), got {raw!r}"])
    return int(raw)


def normalize_sdist(archive: Path, epoch: int) -> None:
    """Rewrite a .tar.gz sdist: members sorted, every time *epoch*, owner root, mode 0o644 or
    0o755 (executables and folders), gzip header without a name or a time."""
    with tarfile.open(archive, "r:gz") as source:
        members = sorted(source.getmembers(), key=lambda m: m.name)
        contents = {m.name: source.extractfile(m).read()  # type: ignore[union-attr]
                    for m in members if m.isfile()}
    partial = archive.with_name(archive.name + ".partial")
    try:
        with partial.open("wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=epoch) as zipped, \
                tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as out:
            for member in members:
                member.mtime = epoch
                member.uid = member.gid = 0
                member.uname = member.gname = ""
                member.mode = 0o755 if member.isdir() or member.mode & 0o111 else 0o644
                member.pax_headers = {}
                data = contents.get(member.name)
                out.addfile(member, None if data is None else io.BytesIO(data))
        partial.replace(archive)
    finally:
        partial.unlink(missing_ok=True)

