"""The first, cheap test of opting in, with the standard library alone: the setuptools hook
asks it for every build in an environment holding the plugin."""

from __future__ import annotations

from pathlib import Path

__all__ = ["mentions_plugin"]


def mentions_plugin(root: Path) -> bool:
    """Whether *root*'s pyproject.toml names the plugin at all; False for the many projects
    that never heard of us (whether the mention is an opt-in, config.project decides)."""
    try:
        text = (root / "pyproject.toml").read_bytes()
    except OSError:
        return False
    return b"cffi-build-plugin" in text or b"cffi_build_plugin" in text
