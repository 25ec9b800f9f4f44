"""Halves a number in C; the version is kept in _version.py."""

from ._version import __version__

__all__ = ["__version__", "halve"]


def halve(x):
    from verimp._half import lib

    return lib.halve(x)
