from extpy._native import lib


def clamp(x, lo, hi):
    return lib.extpy_clamp(x, lo, hi)


def scale(x, factor):
    return lib.extpy_scale(x, factor)
