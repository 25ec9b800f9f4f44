"""Doubles an integer in C."""


def twice(n):
    from livehelp._twice import lib

    return lib.twice(n)
