"""Which system package provides a library a cffi module links (``libraries=["sodium"]``), for
the Linux images cibuildwheel builds in, Homebrew and vcpkg."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BUILT_IN", "SystemPackages", "packages_for"]


@dataclass(frozen=True)
class SystemPackages:
    yum: str  # manylinux images (AlmaLinux / CentOS): development package
    apk: str  # musllinux images (Alpine)
    brew: str
    vcpkg: str
    epel: bool = False  # the yum package is in EPEL, not in the base repositories


#: Part of the C runtime or the OS on every platform: nothing to install.
BUILT_IN = frozenset({"c", "m", "dl", "pthread", "rt", "util"})

_KNOWN = {
    "ffi": SystemPackages("libffi-devel", "libffi-dev", "libffi", "libffi"),
    "sodium": SystemPackages("libsodium-devel", "libsodium-dev", "libsodium", "libsodium",
                             epel=True),
    "ssl": SystemPackages("openssl-devel", "openssl-dev", "openssl@3", "openssl"),
    "crypto": SystemPackages("openssl-devel", "openssl-dev", "openssl@3", "openssl"),
    "z": SystemPackages("zlib-devel", "zlib-dev", "zlib", "zlib"),
    "bz2": SystemPackages("bzip2-devel", "bzip2-dev", "bzip2", "bzip2"),
    "lzma": SystemPackages("xz-devel", "xz-dev", "xz", "liblzma"),
    "zstd": SystemPackages("libzstd-devel", "zstd-dev", "zstd", "zstd"),
    "sndfile": SystemPackages("libsndfile-devel", "libsndfile-dev", "libsndfile", "libsndfile"),
    "vips": SystemPackages("vips-devel", "vips-dev", "vips", "libvips", epel=True),
    "png": SystemPackages("libpng-devel", "libpng-dev", "libpng", "libpng"),
    "png16": SystemPackages("libpng-devel", "libpng-dev", "libpng", "libpng"),
    "jpeg": SystemPackages("libjpeg-turbo-devel", "libjpeg-turbo-dev", "jpeg-turbo",
                           "libjpeg-turbo"),
    "xml2": SystemPackages("libxml2-devel", "libxml2-dev", "libxml2", "libxml2"),
    "yaml": SystemPackages("libyaml-devel", "yaml-dev", "libyaml", "libyaml"),
    "sqlite3": SystemPackages("sqlite-devel", "sqlite-dev", "sqlite", "sqlite3"),
    "curl": SystemPackages("libcurl-devel", "curl-dev", "curl", "curl"),
    "gmp": SystemPackages("gmp-devel", "gmp-dev", "gmp", "gmp"),
    "uv": SystemPackages("libuv-devel", "libuv-dev", "libuv", "libuv"),
    "argon2": SystemPackages("libargon2-devel", "argon2-dev", "argon2", "argon2", epel=True),
    "archive": SystemPackages("libarchive-devel", "libarchive-dev", "libarchive",
                              "libarchive"),
    "git2": SystemPackages("libgit2-devel", "libgit2-dev", "libgit2", "libgit2"),
    "portaudio": SystemPackages("portaudio-devel", "portaudio-dev", "portaudio", "portaudio"),
}


def packages_for(library: str) -> SystemPackages | None:
    """The packages for *library* as ``-l`` names it (``sodium``, not ``libsodium.so``)."""
    # MSVC-style names keep the prefix: libraries=["libsodium"].
    return _KNOWN.get(library) or (_KNOWN.get(library[3:]) if library.startswith("lib") else None)
