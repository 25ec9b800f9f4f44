"""How error messages spell things: "a"/"an" before a noun, and a value shown short."""

from __future__ import annotations

__all__ = ["article", "short_repr"]


def article(noun: str) -> str:
    """``a list``, ``an int``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def short_repr(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to *limit* characters with an ellipsis."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[:limit - 3] + "..."
