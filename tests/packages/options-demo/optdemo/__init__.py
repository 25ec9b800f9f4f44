from optdemo._native import ffi, lib


def implementation() -> str:
    return ffi.string(lib.implementation()).decode()


def scale() -> int:
    return lib.scale()


def label() -> str:
    return ffi.string(lib.label()).decode()
