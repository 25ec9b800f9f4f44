"""setuptools' ``ext_package`` → the ``package`` key of ``[tool.cffi-build-plugin].modules``.

The plugin reads pyproject.toml, never setup.py: an ``ext_package`` left in setup.py leaves
``list`` and ``check --project`` without the modules' real names, and pyproject.toml's
``[tool.setuptools]`` has no ``ext-package`` key (setuptools' validation rejects it). The
``package`` key says the same for the names cffi modules usually have, without dots
(``set_source("_native", ...)``); setuptools' ext_package also prefixes dotted names, which
``package`` does not, so a builder naming a dotted module is an error that says what to write.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.toml_document import TOMLDocument

from cffi_build_plugin.config.project import PLUGIN_NAME
from cffi_build_plugin.errors import MigrateError
from cffi_build_plugin.modules.discovery import analyze_source

__all__ = ["package_modules"]


def _declared_name(root: Path, spec: str) -> tuple[str | None, int | None]:
    """The module name the builder's set_source() gives as a literal, and its line."""
    path, _, name = spec.rpartition(":")
    try:
        text = (root / path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None, None
    found, _ = analyze_source(path, text)
    declared = next((m for m in found if m.spec.name == name), None)
    if declared is None or declared.module_name is None:
        return None, None
    calls = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr == "set_source" and n.args
             and isinstance(n.args[0], ast.Constant) and n.args[0].value == declared.module_name]
    return declared.module_name, calls[0].lineno if calls else None


def package_modules(doc: TOMLDocument, ext_package: str, root: Path, source: str,
                    report: list[str]) -> None:
    """Give every module entry migrate wrote ``package = ext_package`` (entries that already
    say a package keep theirs)."""
    modules: Any = doc["tool"][PLUGIN_NAME]["modules"]
    dotted: list[str] = []
    for i, entry in enumerate(list(modules)):
        spec = str(entry if isinstance(entry, str) else entry["builder"])
        name, line = _declared_name(root, spec)
        if name is not None and "." in name:
            where = spec.rpartition(":")[0] + (f":{line}" if line else "")
            dotted.append(
                f"{where}: set_source() names the module {name!r}, which ext_package "
                f"{ext_package!r} makes {ext_package}.{name}; the package key of "
                f"[tool.{PLUGIN_NAME}].modules only prefixes names without a dot: write "
                f'set_source("{ext_package}.{name}", ...) and drop ext_package, then run '
                "migrate again")
            continue
        if isinstance(entry, str):
            table = tomlkit.inline_table()
            table.update({"builder": spec, "package": ext_package})
            modules[i] = table
        elif "package" not in entry:
            entry["package"] = ext_package
    if dotted:
        raise MigrateError(source, dotted)
    report.append(f'ext_package = "{ext_package}" → package = "{ext_package}" in each of '
                  f"[tool.{PLUGIN_NAME}].modules (pyproject.toml's [tool.setuptools] has no "
                  "ext-package; cffi-build-plugin names the modules with it)")
