"""Add two integers in C."""

__version__ = "1.2.0"


def add(a, b):
    from fastadd._native import lib

    return lib.add(a, b)
