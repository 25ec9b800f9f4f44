"""Turning setup.cfg's setuptools sections into pyproject.toml, with ini2toml.

ini2toml (by a setuptools maintainer) knows every ``[metadata]``/``[options]`` key, ``file:``
and ``attr:`` directives, and keeps comments. Only those sections are translated; the rest of
setup.cfg (``[flake8]``, ``[egg_info]``, ...) stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.toml_document import TOMLDocument

from cffi_build_plugin.edits.files import with_lf
from cffi_build_plugin.errors import MigrateError
from cffi_build_plugin.modules.runtime_dependency import requirement_name, with_pypy_marker

__all__ = ["CfgConversion", "convert_setup_cfg"]

_MOVED = ("metadata", "options")


@dataclass
class CfgConversion:
    #: The translated sections as pyproject.toml (comments kept).
    doc: TOMLDocument
    modules: list[str] = field(default_factory=list)
    build_requires: list[str] = field(default_factory=list)
    #: setup.cfg without the moved sections; None when nothing is left in it.
    remaining: str | None = None
    report: list[str] = field(default_factory=list)
    #: [bdist_wheel] py_limited_api, which becomes our py-limited-api.
    limited_api: str | None = None


def _moved(section: str) -> bool:
    return section in _MOVED or section.startswith("options.")


def _needs_ini2toml(path: Path) -> MigrateError:
    return MigrateError(str(path), [
        "migrate reads setup.cfg with ini2toml and configupdater, which are not installed: "
        "pip install 'cffi-build-plugin[migrate]'"])


def convert_setup_cfg(path: Path) -> CfgConversion | None:
    """None when setup.cfg has no setuptools sections (it is then left alone)."""
    try:
        from configupdater import ConfigUpdater
        from configupdater.parser import ParsingError
        from ini2toml.api import Translator
    except ImportError:
        raise _needs_ini2toml(path) from None
    text, _ = with_lf(path.read_text("utf-8"))
    try:
        kept, moved = ConfigUpdater(), ConfigUpdater()
        kept.read_string(text)
        moved.read_string(text)
    except ParsingError as exc:
        raise MigrateError(str(path), [f"not a valid setup.cfg: {exc}"]) from None
    sections = kept.sections()
    hack = kept.has_option("bdist_wheel", "py_limited_api")
    if not hack and not any(_moved(s) for s in sections):
        return None
    report: list[str] = []
    for name in sections:
        (kept if _moved(name) else moved).remove_section(name)
    limited_api = None
    if hack:
        limited_api = str(kept["bdist_wheel"]["py_limited_api"].value).strip()
        kept.remove_option("bdist_wheel", "py_limited_api")
        report.append(f"dropped setup.cfg's [bdist_wheel] py_limited_api = {limited_api}: the "
                      "plugin tags abi3 wheels itself, and [tool.cffi-build-plugin] "
                      f'py-limited-api = "{limited_api}" keeps the oldest CPython they install on')
        if not kept["bdist_wheel"].options():
            kept.remove_section("bdist_wheel")
    doc = tomlkit.parse(Translator().translate(str(moved), "setup.cfg")) \
        if moved.sections() else tomlkit.document()
    out = CfgConversion(doc, report=report, limited_api=limited_api)
    _take_cffi_parts(doc, out)
    rest = str(kept)
    significant = [line for line in rest.splitlines()
                   if line.strip() and not line.lstrip().startswith(("#", ";"))]
    out.remaining = rest if significant else None
    moved_names = [f"[{s}]" for s in sections if _moved(s)]
    if moved_names:
        out.report.append(f"setup.cfg: {', '.join(moved_names)} → pyproject.toml (ini2toml)")
    return out


def _take_cffi_parts(doc: TOMLDocument, out: CfgConversion) -> None:
    """cffi_modules and setup_requires are not [tool.setuptools] keys: they become our
    modules and the build requirements."""
    tool: Any = doc.get("tool", {})
    setuptools: Any = tool.get("setuptools", {})
    for key in ("cffi-modules", "cffi_modules"):
        if key in setuptools:
            value = setuptools.pop(key).unwrap()
            out.modules += [value] if isinstance(value, str) else list(value)
    build: Any = doc.pop("build-system", None)
    if build is not None:
        for requirement in build.get("requires", []):
            if requirement_name(str(requirement)) != "setuptools":
                out.build_requires.append(with_pypy_marker(str(requirement)))
