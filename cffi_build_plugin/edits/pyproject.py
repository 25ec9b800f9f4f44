"""Editing pyproject.toml with tomlkit (comments and layout survive), shared by init and
migrate: reading it, the tables and arrays they change, the build requirement and the cffi
run-time dependency they add."""

from __future__ import annotations

from pathlib import Path

import tomlkit
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array, InlineTable, Table
from tomlkit.toml_document import TOMLDocument

from cffi_build_plugin.config.project import PLUGIN_NAME, Project
from cffi_build_plugin.edits.files import with_lf
from cffi_build_plugin.errors import ConfigError
from cffi_build_plugin.modules.runtime_dependency import RUNTIME_REQUIREMENT, requires_name

__all__ = ["add_build_system", "add_runtime_dependency", "get_array", "get_table", "load_pyproject"]

_SETUPTOOLS_BACKENDS = {"setuptools.build_meta", "setuptools.build_meta:__legacy__"}


def load_pyproject(pyproject: Path) -> tuple[TOMLDocument, str]:
    """The document (edited with \\n line ends) and the file's own line end."""
    try:
        raw = pyproject.read_bytes().decode("utf-8")
        text, newline = with_lf(raw)
        return tomlkit.parse(text), newline
    except FileNotFoundError:
        raise ConfigError(str(pyproject), [
            "not found: init sets up an existing project; write pyproject.toml with a "
            "[project] table (name, version) first"]) from None
    except (UnicodeDecodeError, TOMLKitError) as exc:
        raise ConfigError(str(pyproject), [f"not valid TOML: {exc}"]) from None


def get_table(doc: TOMLDocument | Table | InlineTable, key: str, source: str
           ) -> Table | InlineTable:
    if key not in doc:
        doc[key] = tomlkit.table()
    item = doc[key]
    # A table whose sub-tables are written apart from it ([project] ... [tool.x] ...
    # [project.urls]) comes as a proxy over its pieces: a table all the same.
    if not isinstance(item, (Table, InlineTable, OutOfOrderTableProxy)):
        raise ConfigError(source, [f"{key}: expected a table, found {item.unwrap()!r}"])
    return item  # type: ignore[return-value]


def get_array(table: Table | InlineTable, key: str, source: str, example: str) -> Array | None:
    item = table.get(key)
    if item is not None and not isinstance(item, Array):
        raise ConfigError(source, [f"{key}: expected a list of requirement strings, found "
                                   f"{item.unwrap()!r}; for example {key} = [{example}]"])
    return item


def add_build_system(doc: TOMLDocument, source: str, report: list[str]) -> None:
    if "build-system" not in doc:
        new = tomlkit.table()
        new["requires"] = ["setuptools>=70.1", PLUGIN_NAME]
        new["build-backend"] = "setuptools.build_meta"
        doc["build-system"] = new
        report.append("added [build-system] (setuptools with cffi-build-plugin)")
        return
    table = get_table(doc, "build-system", source)
    backend = table.get("build-backend")
    if backend is not None and backend not in _SETUPTOOLS_BACKENDS:
        raise ConfigError(source, [
            f"[build-system].build-backend is {backend!r}: cffi-build-plugin is a setuptools "
            "plugin; use build-backend = \"setuptools.build_meta\""])
    requires = get_array(table, "requires", source, '"setuptools>=70.1", "cffi-build-plugin"')
    if requires is None:
        table["requires"] = ["setuptools>=70.1", PLUGIN_NAME]
    elif requires_name(requires.unwrap(), PLUGIN_NAME):
        report.append("kept [build-system]: it already requires cffi-build-plugin")
        return
    else:
        requires.append(PLUGIN_NAME)
    report.append("added cffi-build-plugin to [build-system].requires")


def add_runtime_dependency(doc: TOMLDocument, project_info: Project, source: str,
                        report: list[str]) -> None:
    project = get_table(doc, "project", source)
    if "dependencies" in project_info.dynamic:
        report.append("dependencies are dynamic: make sure they include " + RUNTIME_REQUIREMENT)
        return
    deps = get_array(project, "dependencies", source, repr(RUNTIME_REQUIREMENT).replace("'", '"'))
    if deps is None:
        project["dependencies"] = [RUNTIME_REQUIREMENT]
    elif requires_name(deps.unwrap(), "cffi"):
        report.append("kept [project].dependencies: cffi is already required")
        return
    else:
        deps.append(RUNTIME_REQUIREMENT)
    report.append(f"added {RUNTIME_REQUIREMENT!r} to [project].dependencies "
                  "(the built modules import cffi's backend)")
