"""Turning setup.cfg's setuptools sections into pyproject.toml, with ini2toml.

ini2toml (by a setuptools maintainer) knows every ``[metadata]``/``[options]`` key, ``file:``
and ``attr:`` directives, and keeps comments. Only those sections are translated; the rest of
setup.cfg (``[flake8]``, ``[egg_info]``, ...) stays where it is. A setup.cfg holding only such
sections (every sdist has ``[egg_info]``) needs no translation, so not the ``[migrate]`` extra.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomlkit
from tomlkit.toml_document import TOMLDocument

from cffi_build_plugin.edits.files import with_lf
from cffi_build_plugin.errors import MigrateError, ToolError
from cffi_build_plugin.modules.runtime_dependency import requirement_name, with_pypy_marker

if TYPE_CHECKING:
    from configupdater import ConfigUpdater

__all__ = ["CfgConversion", "convert_setup_cfg"]

_MOVED = ("metadata", "options")
#: setuptools reads both spellings (the dashed one with a deprecation warning).
_EXT_PACKAGE = ("ext_package", "ext-package")


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
    #: [options] ext_package, which becomes the modules' package (never [tool.setuptools]
    #: ext-package: setuptools' pyproject.toml validation rejects that key).
    ext_package: str | None = None


def _moved(section: str) -> bool:
    return section in _MOVED or section.startswith("options.")


def _plain_read(path: Path, text: str) -> configparser.RawConfigParser:
    """setup.cfg read as setuptools reads it (configparser), so that one with nothing to
    translate needs neither ini2toml nor configupdater."""
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, str(path))
    except configparser.Error as exc:
        raise MigrateError(str(path), [f"not a valid setup.cfg: {exc}"]) from None
    return parser


def _needs_ini2toml(path: Path, sections: list[str], hack: bool) -> ToolError:
    """A missing extra is a missing tool, not a wrong setup.cfg."""
    what = [f"[{s}]" for s in sections if _moved(s)] + \
        (["[bdist_wheel] py_limited_api"] if hack else [])
    return ToolError(
        f"{path} has {', '.join(what)} for migrate to move into pyproject.toml, which it does "
        "with ini2toml and configupdater, not installed here: "
        "pip install 'cffi-build-plugin[migrate]'")


def convert_setup_cfg(path: Path, keep_ext_package: bool = False) -> CfgConversion | None:
    """None when setup.cfg has no setuptools sections (it is then left alone).
    *keep_ext_package*: ``[options] ext_package`` also stays in setup.cfg, for the C
    extensions a stripped setup.py still builds."""
    text, _ = with_lf(path.read_text("utf-8"))
    plain = _plain_read(path, text)
    names, hack = plain.sections(), plain.has_option("bdist_wheel", "py_limited_api")
    if not hack and not any(_moved(s) for s in names):
        return None
    try:
        from configupdater import ConfigUpdater
        from configupdater.parser import ParsingError
        from ini2toml.api import Translator
    except ImportError:
        raise _needs_ini2toml(path, names, hack) from None
    try:
        kept, moved = ConfigUpdater(), ConfigUpdater()
        kept.read_string(text)
        moved.read_string(text)
    except ParsingError as exc:
        raise MigrateError(str(path), [f"not a valid setup.cfg: {exc}"]) from None
    sections = kept.sections()
    report: list[str] = []
    ext_package = _take_ext_package(moved)
    for name in sections:
        if keep_ext_package and ext_package is not None and name == "options":
            _only_ext_package(kept)
        else:
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
    out = CfgConversion(doc, report=report, limited_api=limited_api, ext_package=ext_package)
    _take_cffi_parts(doc, out)
    rest = str(kept)
    significant = [line for line in rest.splitlines()
                   if line.strip() and not line.lstrip().startswith(("#", ";"))]
    out.remaining = rest if significant else None
    moved_names = [f"[{s}]" for s in sections if _moved(s)]
    if moved_names:
        out.report.append(f"setup.cfg: {', '.join(moved_names)} → pyproject.toml (ini2toml)")
    return out


def _take_ext_package(moved: ConfigUpdater) -> str | None:
    """[options] ext_package, removed with the comment lines just above it (they are about
    it, and would sit above another key in pyproject.toml)."""
    key = next((k for k in _EXT_PACKAGE if moved.has_option("options", k)), None)
    if key is None:
        return None
    from configupdater.block import Comment

    option = moved["options"][key]
    value = str(option.value).strip()
    before = option.previous_block
    option.detach()
    while isinstance(before, Comment):
        earlier = before.previous_block
        before.detach()
        before = earlier
    return value or None


def _only_ext_package(kept: ConfigUpdater) -> None:
    """[options] reduced to its ext_package, which setuptools still reads there."""
    for key in list(kept["options"].options()):
        if key not in _EXT_PACKAGE:
            kept.remove_option("options", key)


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
