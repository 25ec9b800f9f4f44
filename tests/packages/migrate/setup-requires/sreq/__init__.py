def clamp(x, lo, hi):
    from sreq._clamp import lib

    return lib.clamp(x, lo, hi)
