"""Multiply two integers in C."""

__version__ = "0.3.1"


def mul(a, b):
    from cfgonly._native import lib

    return lib.mul(a, b)
