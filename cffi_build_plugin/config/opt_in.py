"""The first, cheap test of opting in, with the standard library alone: the setuptools hook
asks it for every build in an environment holding the plugin."""

from __future__ import annotations

from pathlib import Path

__all__ = ["pyproject_naming_plugin"]


def pyproject_naming_plugin(root: Path) -> bytes | None:
    """*root*'s pyproject.toml when it names the plugin at all; None for the many projects
    that never heard of us (whether the mention is an opt-in, config.project decides)."""
    try:
        text = (root / "pyproject.toml").read_bytes()
    except OSError:
        return None
    return text if b"cffi-build-plugin" in text or b"cffi_build_plugin" in text else None
