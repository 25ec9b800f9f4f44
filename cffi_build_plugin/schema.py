"""The published ``validate_pyproject.tool_schema`` entry point (kept at this path)."""

from .config.schema import tool_schema

__all__ = ["tool_schema"]
