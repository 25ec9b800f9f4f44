"""migrate's [tool.cffi-build-plugin] table: where a new one goes, and its modules array
written from cffi_modules (optional, when)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tomlkit
from tomlkit.toml_document import TOMLDocument

from cffi_build_plugin.config.project import PLUGIN_NAME
from cffi_build_plugin.errors import MigrateError

__all__ = ["merge_modules", "plugin_table", "sub_table"]


def sub_table(parent: Any, key: str) -> Any:
    """*parent*[*key*], an empty table added when absent."""
    if key not in parent:
        parent[key] = tomlkit.table()
    return parent[key]


def _modules_entries(modules: Sequence[str], optional: bool,
                     when: Mapping[str, tuple[str, int]]) -> list[Any]:
    """A builder spec each, or a table where it is optional or built on some interpreters
    only (``when``, the marker its setup.py test became)."""
    entries: list[Any] = []
    for spec in modules:
        keys: dict[str, Any] = {"builder": spec}
        if optional:
            keys["optional"] = True
        if spec in when:
            keys["when"] = when[spec][0]
        if len(keys) == 1:
            entries.append(spec)
            continue
        inline = tomlkit.inline_table()
        inline.update(keys)
        entries.append(inline)
    return entries


def plugin_table(doc: TOMLDocument) -> Any:
    """[tool.cffi-build-plugin]; a new one goes at the end of the file when other tables come
    between [tool.*] ones (pyvips: [project.optional-dependencies] after [tool.setuptools]),
    where tomlkit would put it after the first run of [tool.*] tables."""
    tool: Any = doc.get("tool")
    keys = [key.key for key, _ in doc.body if key is not None]
    if tool is not None and PLUGIN_NAME not in tool and \
            set(keys[keys.index("tool"):]) != {"tool"}:
        holder = tomlkit.table(is_super_table=True)
        holder.add(PLUGIN_NAME, tomlkit.table())
        doc.append("tool", holder)
    return sub_table(sub_table(doc, "tool"), PLUGIN_NAME)


def merge_modules(doc: TOMLDocument, modules: Sequence[str], optional: bool,
                  source: str, report: list[str],
                  when: Mapping[str, tuple[str, int]] | None = None) -> None:
    """Write *modules* (cffi_modules entries, from *source*) as [tool.cffi-build-plugin]'s
    modules, unless pyproject.toml has them already; say what it did in *report*."""
    table = plugin_table(doc)
    if "modules" in table:
        report.append(f"kept [tool.{PLUGIN_NAME}].modules as pyproject.toml has it")
        return
    for spec in modules:
        if ":" not in spec:
            raise MigrateError(source, [
                f"cffi_modules entry {spec!r} is not in cffi's form \"path/to/build.py:name\""])
    when = when or {}
    array = tomlkit.array()
    array.extend(_modules_entries(modules, optional, when))
    table["modules"] = array.multiline(len(modules) > 1)
    table.add(tomlkit.nl())  # pyproject's own tables may follow
    how = " (optional = true: setup.py fell back to a build without them when they failed)" \
        if optional else ""
    report.append(f"cffi_modules → [tool.{PLUGIN_NAME}].modules{how}")
    for i, spec in enumerate(modules):
        if spec in when:
            marker, line = when[spec]
            report.append(f"cffi_modules {spec!r} (only when {marker}, setup.py:{line}) → "
                          f"[tool.{PLUGIN_NAME}].modules[{i}] with when = {marker!r}")
