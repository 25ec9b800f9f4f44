"""Clamp and scale integers in C."""

from extpy.bindings import clamp, scale

__all__ = ["clamp", "scale"]
