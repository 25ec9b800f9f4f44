"""Recognising hand-written wheel-tag fixes that cffi-build-plugin makes unnecessary.

cffi projects subclass bdist_wheel to get an abi3 tag (``get_tag`` returning ``"abi3"``,
``py_limited_api`` set in ``finalize_options``) or a Python-independent tag for a wheel whose
cffi module is ABI mode (``"none"``). The plugin tags every wheel from what it really built,
so such a class only gets in the way. Anything else a command class does is kept.
"""

from __future__ import annotations

import ast

__all__ = ["tag_hack_kind"]

_TAG_METHODS = {"get_tag", "finalize_options"}
_TAG_ATTRIBUTES = {"py_limited_api", "root_is_pure", "python_tag", "plat_name"}


def _is_bdist_wheel(cls: ast.ClassDef) -> bool:
    return any("bdist_wheel" in ast.unparse(base).lower() for base in cls.bases)


def tag_hack_kind(cls: ast.ClassDef) -> str | None:
    """``"abi3"``, ``"none"`` (a Python-independent tag) or ``"platform"`` (``root_is_pure =
    False``, a platform tag) when *cls* is a bdist_wheel subclass that only changes the
    wheel's tag; None for anything else (it is kept)."""
    if not _is_bdist_wheel(cls):
        return None
    methods = [s for s in cls.body if isinstance(s, ast.FunctionDef)]
    others = [s for s in cls.body if not isinstance(s, ast.FunctionDef)
              and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if others or not methods or any(m.name not in _TAG_METHODS for m in methods):
        return None
    words = {n.value for m in methods for n in ast.walk(m)
             if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    attributes = {n.attr for m in methods for n in ast.walk(m) if isinstance(n, ast.Attribute)}
    if "abi3" in words or "py_limited_api" in attributes:
        return "abi3"
    if "none" in words:
        return "none"
    if attributes & _TAG_ATTRIBUTES:
        return "platform"
    return None
