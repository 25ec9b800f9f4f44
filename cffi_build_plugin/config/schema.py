"""The JSON schema of ``[tool.cffi-build-plugin]``, generated from the settings model."""

from __future__ import annotations

import json
from typing import Any

from .settings import ModuleSettings, Settings, fields_of, toml_key

__all__ = ["generate_schema", "tool_schema"]

SCHEMA_ID = "https://github.com/cffi-build-plugin/cffi-build-plugin/schema.json"


def _properties(cls: Any) -> dict[str, Any]:
    return {
        toml_key(f): {**f.metadata["kind"].schema, "description": f.metadata["doc"]}
        for f in fields_of(cls)
    }


def generate_schema() -> dict[str, Any]:
    """Build the schema from the dataclasses; the checked-in copy must equal this."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "cffi-build-plugin",
        "description": Settings.__doc__,
        "type": "object",
        "additionalProperties": False,
        "properties": _properties(Settings),
        "definitions": {
            "builder": {
                **_properties(ModuleSettings)["builder"],
            },
            "module": {
                "type": "object",
                "description": ModuleSettings.__doc__,
                "additionalProperties": False,
                "required": ["builder"],
                "properties": _properties(ModuleSettings),
            },
        },
    }


def tool_schema(tool_name: str = "cffi-build-plugin") -> dict[str, Any]:
    """Schema for ``[tool.cffi-build-plugin]`` (validate-pyproject's tool_schema entry point)."""
    from importlib.resources import files

    resource = files("cffi_build_plugin.config").joinpath("schema.json")
    text = resource.read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def render_schema() -> str:
    return json.dumps(generate_schema(), indent=2, sort_keys=False) + "\n"
