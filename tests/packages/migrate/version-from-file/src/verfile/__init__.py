"""A cffi module whose version setup.py reads from here."""

__version__ = "4.5.6"


def triple(x):
    from verfile._triple import lib

    return lib.triple(x)
