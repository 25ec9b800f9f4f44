"""Population count in C."""


def popcount(x):
    from eggcfg._pop import lib

    return lib.popcount(x)
