"""`cffi-build-plugin migrate`: a setup.py / setup.cfg cffi project → pyproject.toml + the plugin.

Reads setup.py without running it (``--exec`` runs it, with ``setup()`` intercepted, for values
only running can give), translates setup.cfg with ini2toml, and edits pyproject.toml with
tomlkit. Every change is computed first and shown (``--dry-run``) or written atomically; a
second run changes nothing. What cannot be moved stays in a stripped setup.py, each keyword
with the reason, and is listed in the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.toml_document import TOMLDocument

from cffi_build_plugin.config.project import PLUGIN_NAME, Project
from cffi_build_plugin.config.settings import Settings
from cffi_build_plugin.edits.files import Change, with_lf
from cffi_build_plugin.edits.pyproject import load_pyproject
from cffi_build_plugin.errors import MigrateError

from .keyword_conversion import Conversion
from .module_package import has_dotted_name, package_modules
from .modules_table import merge_modules, plugin_table, sub_table
from .outside_references import find_outside_references
from .project_tables import (
    drop_stale_dynamic,
    merge_cfg,
    merge_setuptools,
    ordered_project,
    plain,
    table_keys,
)
from .requirements import merge_requirements
from .setup_cfg_convert import CfgConversion, convert_setup_cfg
from .setup_keywords import convert_keywords
from .setup_py_exec import UNREADABLE, record_setup_keywords
from .setup_py_reader import SetupScript, cmdclass_entries, read_setup_py
from .setup_py_rewrite import strip_setup_py
from .setup_py_values import Unresolved
from .shipped_inputs import keep_shipped_inputs

__all__ = ["MigrateChanges", "migrate_changes"]


@dataclass(frozen=True)
class MigrateChanges:
    root: Path
    changes: tuple[Change, ...]
    #: One line per decision: what moved where, what was dropped or kept, and why.
    report: tuple[str, ...]


def _read_text(path: Path) -> tuple[str, str] | None:
    """(text with \\n line ends, the file's own line end), or None when absent."""
    if not path.is_file():
        return None
    return with_lf(path.read_bytes().decode("utf-8", "surrogateescape"))


def _executed_values(script: SetupScript, report: list[str]) -> dict[str, Any]:
    """The static keywords, with what running setup.py gave where reading could not tell."""
    recorded = record_setup_keywords(script.path)
    values: dict[str, Any] = dict(script.call.keywords)
    for key, value in recorded.items():
        static = values.get(key)
        if key in values and not isinstance(static, Unresolved):
            continue
        if key in {"cmdclass", "ext_modules", "distclass"} or (
                isinstance(value, dict) and UNREADABLE in value):
            continue
        values[key] = value
        report.append(f"{key}: recorded by running setup.py (--exec): {value!r}"[:160])
    for key, static in script.call.keywords.items():
        if isinstance(static, Unresolved) and key not in recorded:
            values.pop(key)  # the run did not pass it: nothing to keep
    return values


def _check_fallback(script: SetupScript) -> None:
    assert script.fallback is not None
    main = {k: v for k, v in script.call.keywords.items() if k != "cffi_modules"}
    if "cffi_modules" not in script.call.keywords or dict(script.fallback.keywords) != main:
        raise MigrateError(str(script.path), [
            f"setup() is called twice in a try/except (line {script.call.node.lineno} and "
            f"{script.fallback.node.lineno}), and the second call differs from the first in "
            "more than cffi_modules: migrate cannot say that as optional modules; make the "
            "second call the first one without cffi_modules, then run migrate again"])



def _start_doc(cfg: CfgConversion | None) -> TOMLDocument:
    """A new pyproject.toml: [build-system] first, then setup.cfg's tables (comments kept)."""
    doc = tomlkit.document()
    build = tomlkit.table()
    build["requires"] = tomlkit.array().multiline(True)
    build["requires"].append("setuptools>=70.1")
    build["build-backend"] = "setuptools.build_meta"
    doc["build-system"] = build
    if cfg is not None:
        for key, value in cfg.doc.items():
            doc[key] = value
    return doc


@dataclass
class _Sources:
    """What the project's setup.cfg and setup.py say, read before anything is merged."""

    cfg: CfgConversion | None
    script: SetupScript | None
    conversion: Conversion

    @property
    def modules(self) -> list[str]:
        return (self.cfg.modules if self.cfg else []) + self.conversion.modules

    @property
    def build_requires(self) -> list[str]:
        return (self.cfg.build_requires if self.cfg else []) + self.conversion.build_requires

    @property
    def limited_api(self) -> str | None:
        return self.conversion.limited_api or (self.cfg.limited_api if self.cfg else None)

    @property
    def optional_modules(self) -> bool:
        return self.script is not None and self.script.fallback is not None

    @property
    def ext_package(self) -> str | None:
        """setup.py's wins over setup.cfg's, as in a setuptools build."""
        return self.conversion.ext_package or (self.cfg.ext_package if self.cfg else None)


def _read_sources(root: Path, run_setup_py: bool, report: list[str]) -> _Sources | None:
    setup_py, setup_cfg = root / "setup.py", root / "setup.cfg"
    script = read_setup_py(setup_py) if setup_py.is_file() else None
    # C extensions a stripped setup.py still builds keep setup.cfg's ext_package.
    cfg = convert_setup_cfg(setup_cfg, script is not None and "ext_modules" in
                            script.call.keywords) if setup_cfg.is_file() else None
    if cfg is None and script is None:
        return None
    if cfg is not None:
        report += cfg.report
    conversion = Conversion()
    if script is not None:
        if script.call.opaque_kwargs:
            where = ", ".join(u.where() for u in script.call.opaque_kwargs)
            raise MigrateError(str(script.path), [
                f"setup() is given computed arguments ({where}: **kwargs or positional): "
                "migrate cannot tell which keywords they set; write them out as keywords "
                "(setup(name=..., ...)), then run migrate again"])
        if script.fallback is not None:
            _check_fallback(script)
        values = _executed_values(script, report) if run_setup_py else None
        conversion = convert_keywords(script, root, values)
        report += conversion.report
    return _Sources(cfg, script, conversion)


def _check_backend(doc: TOMLDocument, source: str) -> None:
    backend = plain(doc.get("build-system", {})).get("build-backend")
    if backend is not None and not str(backend).startswith("setuptools.build_meta"):
        raise MigrateError(source, [
            f"[build-system].build-backend is {backend!r}: migrate converts setuptools projects "
            "(cffi-build-plugin is a setuptools plugin)"])



def _default_package_data(doc: TOMLDocument, had_project: bool, sources: _Sources,
                          report: list[str]) -> None:
    """setup.py's include_package_data defaults to false, pyproject.toml's to true: a
    setup.py project that left it unset keeps its wheel's contents with an explicit false.
    (setup.cfg's translation already says it; an existing [project] already meant true.)"""
    setuptools: Any = doc.get("tool", {}).get("setuptools", {})
    if had_project or "include-package-data" in setuptools or sources.script is None or \
            "include_package_data" in sources.conversion.keep:
        return
    merge_setuptools(doc, {"include-package-data": False}, {}, report)


def _merged(root: Path, existing: TOMLDocument | None, sources: _Sources,
            report: list[str]) -> TOMLDocument:
    source = str(root / "pyproject.toml")
    own_project = table_keys(existing, "project")
    own_setuptools = table_keys(existing, "setuptools")
    had_modules = existing is not None and "modules" in existing.get("tool", {}).get(
        PLUGIN_NAME, {})
    # pyproject.toml's own dynamic fields win over setup.py (setuptools reads them there).
    own_dynamic = frozenset(plain(existing.get("project", {})).get("dynamic", [])) \
        if existing is not None else frozenset()
    if existing is None:
        doc = _start_doc(sources.cfg)
    else:
        doc = existing
        if sources.cfg is not None:
            merge_cfg(doc, sources.cfg, report)
    if sources.script is not None:
        ordered_project(sub_table(doc, "project"), sources.conversion.project, report,
                        table_keys(doc, "project") - own_project, own_dynamic)
        merge_setuptools(doc, sources.conversion.setuptools, sources.conversion.dynamic,
                         report, table_keys(doc, "setuptools") - own_setuptools)
        drop_stale_dynamic(doc)
    metadata: Any = doc.get("project", {})
    if "name" not in metadata:
        raise MigrateError(str(root / ("setup.py" if sources.script else "setup.cfg")), [
            "the project's name is not written out (it is computed, or missing): "
            "pyproject.toml needs [project].name; pass --exec to record it, or set it by hand"])
    if sources.modules:
        origin = root / ("setup.py" if sources.conversion.modules else "setup.cfg")
        merge_modules(doc, sources.modules, sources.optional_modules, str(origin), report,
                       sources.conversion.when)
    elif PLUGIN_NAME not in doc.get("tool", {}):
        raise MigrateError(str(root), [
            "no cffi_modules in setup.py or setup.cfg: migrate converts cffi projects; "
            f"builders can also be discovered: add {PLUGIN_NAME} to [build-system].requires"])
    _default_package_data(doc, existing is not None and "project" in existing, sources,
                          report)
    _names_and_contents(doc, root, sources, had_modules, report)
    if sources.limited_api is not None:
        table = plugin_table(doc)
        if "py-limited-api" not in table:
            table["py-limited-api"] = sources.limited_api
    merge_requirements(doc, Project(root, Settings(), plain(metadata)), sources.build_requires,
                       source, report)
    return doc


def _names_and_contents(doc: TOMLDocument, root: Path, sources: _Sources, had_modules: bool,
                        report: list[str]) -> None:
    """The modules keep their names (ext_package → package) and the wheel its build inputs
    (ship-build-inputs). An ext-package already in pyproject.toml's [tool.setuptools], which
    setuptools rejects there, moves the same way."""
    setuptools: Any = doc.get("tool", {}).get("setuptools", {})
    written = setuptools.pop("ext-package", None)
    ext_package = sources.ext_package or (str(written) if written is not None else None)
    from_setup_py = bool(sources.conversion.ext_package)
    if ext_package and PLUGIN_NAME in doc.get("tool", {}):
        origin = root / ("setup.py" if from_setup_py else "setup.cfg")
        # setup.py's C extensions keep it in setup.py or setup.cfg (see _read_sources).
        stays = written is None and sources.script is not None and (
            "ext_package" in sources.conversion.keep if from_setup_py
            else "ext_modules" in sources.script.call.keywords)
        if (package_modules(doc, ext_package, root, str(origin), report, stays, from_setup_py)
                if not had_modules else from_setup_py and has_dotted_name(doc, root)):
            sources.conversion.keep["ext_package"] = (
                "a cffi module's dotted name is prefixed by it (package only prefixes "
                "names without a dot)")
    keep_shipped_inputs(doc, root, report)


def migrate_changes(root: Path, *, run_setup_py: bool = False) -> MigrateChanges:
    """What migrate would change in the project at *root*; nothing is written."""
    root = root.resolve()
    pyproject, setup_cfg = root / "pyproject.toml", root / "setup.cfg"
    existing = load_pyproject(pyproject) if pyproject.is_file() else None
    if existing is not None:
        _check_backend(existing[0], str(pyproject))
    before = existing[0].as_string() if existing else None
    newline = existing[1] if existing else "\n"
    report: list[str] = []
    sources = _read_sources(root, run_setup_py, report)
    if sources is None:
        if existing is not None and PLUGIN_NAME in str(existing[0].get("build-system", {})):
            return MigrateChanges(root, (), ("nothing to migrate: no setup.py, and setup.cfg "
                                          "(if any) has no setuptools sections",))
        raise MigrateError(str(root), [
            "no setup.py or setup.cfg with setuptools sections: nothing to migrate"])
    doc = _merged(root, existing[0] if existing else None, sources, report)
    text = doc.as_string().rstrip("\n") + "\n"

    changes: list[Change] = []
    if text != before:
        changes.append(Change(pyproject, None if before is None else
                              before.replace("\n", newline), text.replace("\n", newline)))
    if sources.script is not None:
        changes += _setup_py_change(sources.script, sources.conversion, report)
    if sources.cfg is not None:
        changes += _setup_cfg_change(setup_cfg, sources.cfg, report)
    return MigrateChanges(root, tuple(changes), tuple(report))


def _setup_cfg_change(path: Path, cfg: CfgConversion, report: list[str]) -> list[Change]:
    old = _read_text(path)
    assert old is not None
    new = None if cfg.remaining is None else cfg.remaining.replace("\n", old[1])
    if new == old[0].replace("\n", old[1]):
        return []
    report.append("deleted setup.cfg: everything in it moved" if new is None else
                  "kept setup.cfg for its other sections")
    return [Change(path, old[0].replace("\n", old[1]), new)]


def _setup_py_change(script: SetupScript, conversion: Conversion,
                     report: list[str]) -> list[Change]:
    moved = set(script.call.keywords) - set(conversion.keep)
    if not moved and script.fallback is None and not conversion.replace:
        for key, why in conversion.keep.items():
            report.append(f"setup.py keeps {key}: {why}")
        return []
    # What the project's other files reach in setup.py (make docs: from setup import ...)
    # stays, and so does setup.py.
    commands = frozenset(cmdclass_entries(script) or ())
    outside = find_outside_references(script.path.parent, script.path, script.source, commands)
    stripped = strip_setup_py(script, conversion.keep, conversion.replace, outside)
    old = _read_text(script.path)
    assert old is not None
    if stripped.text is None:
        report.append("deleted setup.py: everything in it moved")
        return [Change(script.path, old[0].replace("\n", old[1]), None)]
    for key, why in conversion.keep.items():
        report.append(f"setup.py keeps {key}: {why}")
    for effect in stripped.effects:
        report.append(f"setup.py keeps code that runs when it runs: {effect}")
    for what, where in stripped.reached:
        report.append(f"kept {what} in setup.py: {where}")
    if stripped.run_by:
        report.append(f"kept setup.py, calling setup() alone: {stripped.run_by}")
    new = stripped.text.replace("\n", old[1])
    if new == old[0].replace("\n", old[1]):
        return []
    return [Change(script.path, old[0].replace("\n", old[1]), new)]
