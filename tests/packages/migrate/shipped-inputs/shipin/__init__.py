"""A fixed-size ring of integers in C."""

import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def get_include():
    """The folder of shipin's C headers, for projects that compile against them."""
    return os.path.join(_HERE, "include")


def builder_path():
    """shipin's cffi builder, for projects that reuse its declarations."""
    return os.path.join(_HERE, "_build.py")


class Ring:
    def __init__(self):
        from shipin._ring import ffi, lib

        self._lib = lib
        self._ring = ffi.new("shipin_ring *")
        lib.shipin_init(self._ring)

    def push(self, value):
        return bool(self._lib.shipin_push(self._ring, value))

    def sum(self):
        return self._lib.shipin_sum(self._ring)
