"""migrate's [project] and [tool.setuptools] tables: what setup.py and setup.cfg say, merged
under what pyproject.toml already has, in the packaging guide's key order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tomlkit
from tomlkit.items import Table
from tomlkit.toml_document import TOMLDocument

from .modules_table import sub_table
from .setup_cfg_convert import CfgConversion

__all__ = ["drop_stale_dynamic", "merge_cfg", "merge_setuptools", "ordered_project", "plain",
           "table_keys"]

#: [project] keys in the order the packaging guide writes them.
_PROJECT_ORDER = (
    "name", "version", "description", "readme", "requires-python", "license", "authors",
    "maintainers", "keywords", "classifiers", "dependencies", "optional-dependencies", "urls",
    "scripts", "gui-scripts", "entry-points", "dynamic",
)


def plain(item: Any) -> Any:
    """A tomlkit item as plain Python (tomlkit hands some values out unwrapped already)."""
    return item.unwrap() if hasattr(item, "unwrap") else item


def ordered_project(table: Table, new: Mapping[str, Any], report: list[str],
                    weaker: frozenset[str] = frozenset(),
                    blocked: frozenset[str] = frozenset()) -> None:
    """Add the [project] keys of *new* that the table lacks, in the usual order; keys in
    *weaker* (from setup.cfg) are replaced, as setup() keywords override setup.cfg."""
    for key in _PROJECT_ORDER:
        if key not in new:
            continue
        value = new[key]
        if key == "dynamic":
            existing = table.get("dynamic")
            merged = list(plain(existing)) if existing is not None else []
            merged += [v for v in value if v not in merged and v not in table]
            if merged:
                table["dynamic"] = merged
            continue
        if key in blocked:
            report.append(f"kept pyproject.toml's dynamic {key}; setup.py says {value!r}"[:160])
            continue
        if key in table and key not in weaker:
            if plain(table[key]) != value:
                report.append(f"kept pyproject.toml's [project].{key}; setup.py says {value!r}"
                              [:160])
            continue
        if key in table and plain(table[key]) != value:
            report.append(f"[project].{key}: setup.py's value replaces setup.cfg's, as in a "
                          "setuptools build")
        table[key] = _toml_value(value)


def _toml_value(value: Any) -> Any:
    if isinstance(value, list) and len(value) > 1 and all(isinstance(v, str) for v in value):
        array = tomlkit.array()
        array.extend(value)
        return array.multiline(True)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        array = tomlkit.array()
        for item in value:
            inline = tomlkit.inline_table()
            inline.update(item)
            array.append(inline)
        return array
    if isinstance(value, dict) and len(value) <= 2 and all(
            isinstance(v, str) for v in value.values()) and set(value) <= {
            "file", "content-type", "text", "attr"}:
        inline = tomlkit.inline_table()
        inline.update(value)
        return inline
    return value


def merge_setuptools(doc: TOMLDocument, setuptools: Mapping[str, Any],
                     dynamic: Mapping[str, Any], report: list[str],
                     weaker: frozenset[str] = frozenset()) -> None:
    if not setuptools and not dynamic:
        return
    tool = sub_table(doc, "tool")
    table = sub_table(tool, "setuptools")
    for key, value in setuptools.items():
        if key not in table or key in weaker:
            table[key] = _toml_value(value)
        elif plain(table[key]) != value:
            report.append(f"kept [tool.setuptools].{key} as pyproject.toml has it")
    if dynamic:
        dyn = sub_table(table, "dynamic")
        for key, value in dynamic.items():
            if key not in dyn:
                dyn[key] = _toml_value(value)
        project = sub_table(doc, "project")
        listed = list(plain(project.get("dynamic", [])))
        missing = [key for key in dynamic if key not in listed]
        if missing:
            project["dynamic"] = listed + missing


def merge_cfg(doc: TOMLDocument, cfg: CfgConversion, report: list[str]) -> None:
    """setup.cfg's tables under what pyproject.toml already says."""
    for key, value in cfg.doc.items():
        if key not in doc:
            doc[key] = value
            continue
        if key == "project":
            ordered_project(doc["project"], value.unwrap(), report)
        elif key == "tool":
            tool = doc["tool"]
            for name, table in value.items():
                if name not in tool:
                    tool[name] = table
                elif name == "setuptools":
                    values = table.unwrap()
                    merge_setuptools(doc, {k: v for k, v in values.items() if k != "dynamic"},
                                     values.get("dynamic", {}), report)


def table_keys(doc: TOMLDocument | None, table: str) -> frozenset[str]:
    """The keys of [project] or [tool.setuptools] in *doc*."""
    if doc is None:
        return frozenset()
    found: Any = doc.get("project", {}) if table == "project" else \
        doc.get("tool", {}).get("setuptools", {})
    return frozenset(found)


def drop_stale_dynamic(doc: TOMLDocument) -> None:
    """A field setup.py gives outright is no longer dynamic (setup.cfg's ``attr:`` version
    under a literal ``version=``)."""
    project: Any = doc.get("project", {})
    listed = plain(project.get("dynamic", []))
    stale = [name for name in listed if name in project]
    if not stale:
        return
    kept = [name for name in listed if name not in stale]
    if kept:
        project["dynamic"] = kept
    else:
        del project["dynamic"]
    setuptools: Any = doc.get("tool", {}).get("setuptools", {})
    dynamic: Any = setuptools.get("dynamic", {})
    for name in stale:
        if name in dynamic:
            del dynamic[name]
    if "dynamic" in setuptools and not dynamic:
        del setuptools["dynamic"]
