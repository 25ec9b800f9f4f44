"""setuptools' ``ext_package`` → the ``package`` key of ``[tool.cffi-build-plugin].modules``.

The plugin reads pyproject.toml, never setup.py: an ``ext_package`` left in setup.py leaves
``list`` and ``check --project`` without the modules' real names, and pyproject.toml's
``[tool.setuptools]`` has no ``ext-package`` key (setuptools' validation rejects it). The
``package`` key says the same for the names cffi modules usually have, without dots
(``set_source("_native", ...)``); setuptools' ext_package also prefixes dotted names, which
``package`` does not, so a builder naming a dotted module keeps ext_package in setup.py
(the plugin prefixes every name with a dist's ext_package, as setuptools does); where
ext_package is not setup.py's (setup.cfg, [tool.setuptools]) it is an error that says what to
write.
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

__all__ = ["has_dotted_name", "package_modules"]


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


def has_dotted_name(doc: TOMLDocument, root: Path) -> bool:
    """Whether a module of pyproject.toml's modules names a dotted module in set_source()."""
    modules: Any = doc["tool"][PLUGIN_NAME].get("modules", [])
    specs = [str(e if isinstance(e, str) else e.get("builder", "")) for e in modules]
    return any("." in (_declared_name(root, spec)[0] or "") for spec in specs if ":" in spec)


def package_modules(doc: TOMLDocument, ext_package: str, root: Path, source: str,
                    report: list[str], stays: bool = False, can_stay: bool = False) -> bool:
    """Give every module entry migrate wrote ``package = ext_package`` (entries that already
    say a package keep theirs). A dotted module name needs ext_package itself: fine where it
    *stays* (setup.py's ext_modules need it), kept in setup.py where it *can_stay* (True is
    returned: the caller keeps it), else an error naming the builder's line."""
    modules: Any = doc["tool"][PLUGIN_NAME]["modules"]
    dotted: list[str] = []
    for i, entry in enumerate(list(modules)):
        spec = str(entry if isinstance(entry, str) else entry["builder"])
        name, line = _declared_name(root, spec)
        if name is not None and "." in name:
            dotted.append(f"{spec.rpartition(':')[0]}{f':{line}' if line else ''}: "
                          f"set_source() names the module {name!r}, which ext_package "
                          f"{ext_package!r} makes {ext_package}.{name}")
            continue
        if isinstance(entry, str):
            table = tomlkit.inline_table()
            table.update({"builder": spec, "package": ext_package})
            modules[i] = table
        elif "package" not in entry:
            entry["package"] = ext_package
    if dotted and not (stays or can_stay):
        raise MigrateError(source, [
            f"{text}; the package key of [tool.{PLUGIN_NAME}].modules only prefixes names "
            f"without a dot: write set_source(\"{ext_package}.{text.split(chr(39))[1]}\", "
            "...), then run migrate again (ext_package goes: nothing else is named inside it)"
            for text in dotted])
    if len(dotted) < len(modules):
        report.append(f'ext_package = "{ext_package}" → package = "{ext_package}" in each of '
                      f"[tool.{PLUGIN_NAME}].modules{' without a dot' if dotted else ''} "
                      "(pyproject.toml's [tool.setuptools] has no ext-package; "
                      "cffi-build-plugin names the modules with it)")
    report += [f"{text}: the package key only prefixes names without a dot, so the plugin "
               f"prefixes this one with setup.py's ext_package, as setuptools did" for text in
               dotted]
    return bool(dotted) and not stays
