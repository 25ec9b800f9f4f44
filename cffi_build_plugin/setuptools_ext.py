"""The published ``setuptools.finalize_distribution_options`` entry point (kept at this path)."""

from .setuptools.hook import finalize_distribution_options

__all__ = ["finalize_distribution_options"]
