"""Turning ``setup()`` keywords into pyproject.toml: ``[project]``, ``[tool.setuptools]``,
build requirements and cffi modules. What cannot be said there stays in setup.py, with why.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from cffi_build_plugin.errors import MigrateError
from cffi_build_plugin.modules.runtime_dependency import with_pypy_marker

from .conditional_modules import ConditionalModules, UnreadableCondition
from .setup_py_reader import SetupScript, cmdclass_entries
from .setup_py_values import FileText, FindPackages, Unresolved
from .tag_overrides import tag_hack_kind
from .version_source import version_attr

__all__ = ["Conversion", "convert_keywords"]


@dataclass
class Conversion:
    """What one ``setup()`` call says, in pyproject.toml's terms."""

    project: dict[str, Any] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    setuptools: dict[str, Any] = field(default_factory=dict)
    dynamic: dict[str, Any] = field(default_factory=dict)
    build_requires: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    #: builder → (its PEP 508 marker, the setup.py line that adds it): cffi_modules set
    #: under interpreter or platform tests.
    when: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: keyword → why it stays in setup.py
    keep: dict[str, str] = field(default_factory=dict)
    #: keyword → its new source text in the stripped setup.py
    replace: dict[str, str] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)
    #: py-limited-api for [tool.cffi-build-plugin], from an abi3 hack's "cp3X".
    limited_api: str | None = None
    #: ext_package, which becomes the cffi modules' package.
    ext_package: str | None = None


#: Keywords that set one pyproject field together: if one is computed, all stay in setup.py
#: (a field is either static in pyproject.toml or dynamic, never half of each).
_GROUPS: dict[str, tuple[str, ...]] = {
    "urls": ("url", "project_urls", "download_url"),
    "authors": ("author", "author_email"),
    "maintainers": ("maintainer", "maintainer_email"),
    "readme": ("long_description", "long_description_content_type"),
}
#: setup() keyword → the [project] field it becomes (for `dynamic` when it stays).
_PROJECT_FIELD = {
    "version": "version", "description": "description", "long_description": "readme",
    "long_description_content_type": "readme", "author": "authors",
    "author_email": "authors", "maintainer": "maintainers", "maintainer_email": "maintainers",
    "url": "urls", "project_urls": "urls", "download_url": "urls", "license": "license",
    "keywords": "keywords", "classifiers": "classifiers", "python_requires": "requires-python",
    "install_requires": "dependencies", "extras_require": "optional-dependencies",
    "entry_points": "entry-points",
}
_SETUPTOOLS_KEYS = {
    "py_modules": "py-modules", "package_dir": "package-dir", "package_data": "package-data",
    "exclude_package_data": "exclude-package-data", "include_package_data":
    "include-package-data", "zip_safe": "zip-safe", "scripts": "script-files",
    "namespace_packages": "namespace-packages", "license_files": "license-files",
    "platforms": "platforms", "provides": "provides", "obsoletes": "obsoletes",
}
_OBSOLETE = {
    "test_suite": "setuptools removed `setup.py test` (v72); run your tests with pytest",
    "tests_require": "setuptools removed `setup.py test` (v72); list test tools in an extra",
    "use_2to3": "setuptools removed 2to3 support (v58)",
}
_ENTRY_GROUPS = {"console_scripts": "scripts", "gui_scripts": "gui-scripts"}


def _str_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


class _Converter:
    def __init__(self, script: SetupScript, root: Path, values: Mapping[str, Any],
                 executed: bool = False) -> None:
        self.script, self.root, self.values = script, root, values
        self.executed = executed
        self.out = Conversion()

    # -- one method per kind of keyword -------------------------------------------------
    def text(self, key: str, field_name: str) -> None:
        value = self.values[key]
        if isinstance(value, str):
            self.out.project[field_name] = value
        else:
            self.stay(key, f"expected a string, found {type(value).__name__}")

    def str_list(self, key: str, field_name: str) -> None:
        value = self.values[key]
        if key == "keywords" and isinstance(value, str):
            value = [k.strip() for k in re.split(r"[,\s]+", value) if k.strip()]
        items = _str_list(value)
        if items is None:
            self.stay(key, "expected a list of strings")
        else:
            self.out.project[field_name] = items

    def version(self, key: str) -> None:
        value = self.values[key]
        computed = isinstance(self.script.call.keywords.get(key), Unresolved)
        if isinstance(value, str) and not computed:
            self.out.project["version"] = value
            return
        if isinstance(value, FileText) and not value.lines:  # open("VERSION").read().strip()
            source: dict[str, Any] = {"file": value.path}
            self.out.dynamic["version"] = source
            self.out.report.append(f"version: computed in setup.py (read from a file); "
                                   f"setuptools now reads it from {_describe(source)}")
            return
        # A version --exec recorded is still better read where setup.py reads it: written
        # out, it would be frozen at today's value.
        problems: list[str] = []
        found = self._version_source(self.script.call.keywords.get(key), problems)
        if found is None and isinstance(value, str):
            self.out.project["version"] = value
            return
        if found is None:
            self.stay(key, _why(value) + "; " + ("; ".join(problems) if problems else
                                                 "migrate found no file it is read from"))
            return
        self.out.dynamic["version"] = found
        self.out.report.append(
            f"version: computed in setup.py ({_where(value)}); setuptools now reads it from "
            f"{_describe(found)}")

    def _version_source(self, static: Any, problems: list[str]) -> dict[str, Any] | None:
        """``{attr = ...}`` for a computed version read from a module's literal
        ``__version__`` (a path it opens or runs, an import), changing nothing."""
        package_dir = self.values.get("package_dir", {})
        if not isinstance(static, Unresolved) or not isinstance(package_dir, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in package_dir.items()):
            return None
        attr = version_attr(self.script, static.lines, self.root, package_dir, problems)
        return {"attr": attr} if attr is not None else None

    def readme(self, key: str) -> None:
        value = self.values.get("long_description")
        content_type = self.values.get("long_description_content_type")
        if "long_description" not in self.values:
            return  # a content type alone says nothing
        if not isinstance(value, FileText) or value.lines or (
                content_type is not None and not isinstance(content_type, str)):
            self.stay_group("readme", _why(value) if isinstance(value, Unresolved) else
                            "not the text of one file, which is what pyproject.toml's readme is")
            return
        if content_type:
            self.out.project["readme"] = {"file": value.path, "content-type": content_type}
        else:
            self.out.project["readme"] = value.path
            self.out.report.append(
                f"readme: {value.path}; setuptools now also records its content type, from "
                "the file's suffix (setup.py gave none)")

    def people(self, key: str) -> None:
        kind = "authors" if key.startswith("author") else "maintainers"
        name_key, email_key = _GROUPS[kind]
        name, email = self.values.get(name_key), self.values.get(email_key)
        if any(v is not None and not isinstance(v, str) for v in (name, email)):
            self.stay_group(kind, "computed")
            return
        person = {k: v for k, v in (("name", name), ("email", email)) if v}
        if person and kind not in self.out.project:
            self.out.project[kind] = [person]

    def urls(self, key: str) -> None:
        urls: dict[str, str] = {}
        url, download = self.values.get("url"), self.values.get("download_url")
        project_urls = self.values.get("project_urls", {})
        if any(v is not None and not isinstance(v, str) for v in (url, download)) or \
                not isinstance(project_urls, dict):
            self.stay_group("urls", "computed")
            return
        if url:
            urls["Homepage"] = url
        if download:
            urls["Download"] = download
        urls.update(project_urls)
        self.out.urls.update(urls)

    def license(self, key: str) -> None:
        value = self.values[key]
        if not isinstance(value, str):
            self.stay(key, "expected a string")
            return
        # A table, not an SPDX string: the METADATA stays the same (License: ...), and an
        # SPDX expression next to license classifiers is an error in setuptools >= 77.
        self.out.project["license"] = {"text": value}
        self.out.report.append(
            f'license: {{text = "{value}"}}, as setup.py gave it; setuptools deprecates the '
            "table form (it warns, and plans to stop accepting it after 2027-02-18): replace "
            "it with an SPDX expression such as \"MIT\" and drop the License :: classifiers")

    def requirements(self, key: str, field_name: str) -> None:
        value = self.values[key]
        if isinstance(value, FileText) and value.lines:
            self.out.dynamic[field_name] = {"file": [value.path]}
            self.out.report.append(f"{field_name}: read from {value.path} (dynamic)")
            return
        items = _str_list(value)
        if items is None:
            self.stay(key, _why(value))
        else:
            self.out.project[field_name] = items

    def extras(self, key: str) -> None:
        value = self.values[key]
        if not isinstance(value, dict):
            self.stay(key, _why(value))
            return
        extras: dict[str, list[str]] = {}
        for name, reqs in value.items():
            items = _str_list(reqs)
            if items is None:
                self.stay(key, f"extra {name!r} is computed")
                return
            extras[name] = items
        self.out.project["optional-dependencies"] = extras

    def entry_points(self, key: str) -> None:
        value = self.values[key]
        if not isinstance(value, dict):
            self.stay(key, _why(value) if isinstance(value, Unresolved) else
                      "not a dict of groups")
            return
        groups: dict[str, dict[str, str]] = {}
        for group, lines in value.items():
            items = _str_list(lines)
            if items is None or not all("=" in line for line in items):
                self.stay(key, f"entry point group {group!r} is not a list of 'name = target'")
                return
            groups[group] = {k.strip(): v.strip() for k, v in
                             (line.split("=", 1) for line in items)}
        for group, entries in groups.items():
            if group in _ENTRY_GROUPS:
                self.out.project[_ENTRY_GROUPS[group]] = entries
            else:
                self.out.project.setdefault("entry-points", {})[group] = entries

    def packages(self, key: str) -> None:
        value = self.values[key]
        if isinstance(value, FindPackages):
            find: dict[str, Any] = {"where": [value.where]}
            if value.include:
                find["include"] = list(value.include)
            if value.exclude:
                find["exclude"] = list(value.exclude)
            find["namespaces"] = value.namespaces
            self.out.setuptools["packages"] = {"find": find}
        elif value is None:
            pass
        elif _str_list(value) is not None and not isinstance(value, str):
            self.out.setuptools["packages"] = list(value)
        else:
            self.stay(key, _why(value))

    def setuptools_key(self, key: str) -> None:
        value = self.values[key]
        if isinstance(value, Unresolved):
            self.stay(key, _why(value))
        elif value is not None:
            if key == "platforms" and isinstance(value, str):
                value = [value]
            if key == "data_files":
                if not all(isinstance(e, (list, tuple)) and len(e) == 2 and isinstance(e[0], str)
                           and _str_list(e[1]) is not None for e in value):
                    self.stay(key, "not a list of (folder, [files]) pairs")
                    return
                value = {d: list(files) for d, files in value}
            self.out.setuptools[_SETUPTOOLS_KEYS.get(key, key.replace("_", "-"))] = value

    def setup_requires(self, key: str) -> None:
        items = _str_list(self.values[key])
        if items is None:
            self.stay(key, _why(self.values[key]))
            return
        self.out.build_requires += [with_pypy_marker(r) for r in items]
        self.out.report.append("setup_requires → [build-system].requires")

    def cffi_modules(self, key: str) -> None:
        """The builders, with a marker each where setup.py picks them by interpreter or
        platform. cffi_modules cannot stay in setup.py (cffi itself would build them there,
        beside the plugin): what migrate cannot write out is an error saying what to do."""
        static = self.script.call.keywords.get(key)
        if isinstance(static, UnreadableCondition):
            raise MigrateError(str(self.script.path), [
                f"setup.py:{static.line}: cffi_modules changes under `{static.test}`: "
                f"{static.why}; migrate writes tests of the interpreter, platform and Python "
                "version (sys.version, platform.python_implementation(), "
                "sys.implementation.name, sys.platform, os.name, platform.system(), "
                "sys.version_info) as markers. Write the modules in pyproject.toml yourself, "
                "[tool.cffi-build-plugin] modules = [{ builder = \"path/to/build.py:ffi\", "
                "when = \"<PEP 508 marker>\" }], take cffi_modules out of setup.py, then run "
                "migrate again"])
        if isinstance(static, ConditionalModules):  # read, so it wins over --exec's value
            self.out.report += _reading_lines(static, self.executed, str(self.script.path))
            for module in static.modules:
                self.out.modules.append(module.builder)
                if module.when is not None:
                    self.out.when[module.builder] = (module.when, module.line)
            if self.executed:
                self.out.report.append(
                    "cffi_modules: read from setup.py's tests, not recorded by --exec (a run "
                    "gives only this interpreter's list)")
            return
        value = self.values[key]
        items = _str_list(value)
        if items is None:
            raise MigrateError(str(self.script.path), [
                f"setup.py:{_line(value, self.script.call.node.lineno)}: cffi_modules is "
                f"computed ({_why(value)}): pyproject.toml needs the builders written out; "
                "pass --exec to record them, or write [tool.cffi-build-plugin] modules "
                "yourself and take cffi_modules out of setup.py"])
        self.out.modules += items

    def cmdclass(self, key: str) -> None:
        entries = cmdclass_entries(self.script)
        if entries is None:
            self.stay(key, "custom commands, built in a way migrate does not read")
            return
        kept: dict[str, str] = {}
        for command, class_name in entries.items():
            cls = self.script.class_named(class_name)
            kind = tag_hack_kind(cls) if cls is not None else None
            if kind is None:
                kept[command] = class_name
                continue
            assert cls is not None
            if kind == "abi3":
                floors = {n.value for n in ast.walk(cls) if isinstance(n, ast.Constant)
                          and isinstance(n.value, str) and re.fullmatch(r"cp3\d+", n.value)}
                if len(floors) == 1:
                    self.limited_api(floors.pop(), f"the abi3 floor of {class_name}")
            fixed = {
                "abi3": "an abi3 tag by hand; cffi-build-plugin tags abi3 wheels itself",
                "none": "a Python-independent tag by hand; cffi-build-plugin tags an "
                        "ABI-mode wheel py3-none-any, or py3-none-<platform> when it bundles "
                        "a shared library",
                "platform": "a platform tag by hand; cffi-build-plugin tags a wheel for its "
                            "platform when it holds compiled modules or a bundled shared "
                            "library",
            }[kind]
            self.out.report.append(
                f"dropped cmdclass[{command!r}] = {class_name} (lines {cls.lineno}-"
                f"{cls.end_lineno}): it gives wheels {fixed}")
        if kept:
            self.stay(key, "custom commands: " + ", ".join(
                f"{c} = {n}" for c, n in kept.items()))
            if len(kept) < len(entries):
                self.out.replace[key] = "{" + ", ".join(
                    f"{c!r}: {n}" for c, n in kept.items()) + "}"

    def options(self, key: str) -> None:
        value = self.values[key]
        if not isinstance(value, dict):
            self.stay(key, _why(value))
            return
        rest = {cmd: dict(opts) for cmd, opts in value.items() if isinstance(opts, dict)}
        wheel = rest.get("bdist_wheel", {})
        dropped = "py_limited_api" in wheel
        if dropped:
            self.limited_api(wheel.pop("py_limited_api"),
                             "options['bdist_wheel']['py_limited_api']")
        rest = {cmd: opts for cmd, opts in rest.items() if opts}
        if rest:
            self.stay(key, "command options: " + ", ".join(sorted(rest)))
            if dropped:
                self.out.replace[key] = repr(rest)

    def limited_api(self, value: Any, where: str) -> None:
        """An abi3 floor set by hand becomes the plugin's py-limited-api, so the wheel keeps
        its oldest CPython."""
        if isinstance(value, str) and re.fullmatch(r"cp3\d+", value):
            self.out.limited_api = value
            self.out.report.append(
                f"dropped {where} = {value!r}: the plugin tags abi3 wheels itself, and "
                f"[tool.cffi-build-plugin] py-limited-api = {value!r} keeps the oldest CPython "
                "they install on")
        else:
            self.out.report.append(f"dropped {where} = {value!r}: the plugin tags abi3 wheels "
                                   "itself")

    def obsolete(self, key: str) -> None:
        self.out.report.append(f"dropped {key}: {_OBSOLETE[key]}")

    def ext_package(self, key: str) -> None:
        """The cffi modules' package from now on (the plugin reads no setup.py); it stays
        in setup.py too while C extensions built there are named inside it."""
        value = self.values[key]
        if not isinstance(value, str) or not value.strip():
            self.stay(key, "expected a package name")
            return
        self.out.ext_package = value.strip()
        if "ext_modules" in self.values:
            self.stay(key, "the C extensions in ext_modules are named inside it (the cffi "
                           f"modules get [tool.cffi-build-plugin]'s package = {value!r})")

    def ext_modules(self, key: str) -> None:
        static = self.script.call.keywords.get(key)
        how = f" (computed: {_why(static)}; that code stays as written)" \
            if isinstance(static, Unresolved) else ""
        self.stay(key, "C extensions that are not cffi's: setuptools builds them from "
                       f"setup.py, next to the cffi modules{how}")

    # -- bookkeeping ----------------------------------------------------------------------
    def stay(self, key: str, why: str) -> None:
        self.out.keep[key] = why
        field_name = _PROJECT_FIELD.get(key)
        # Console scripts are entry points too: setuptools ignores those setup.py gives
        # unless scripts and gui-scripts are dynamic as well.
        fields = ["entry-points", "scripts", "gui-scripts"] if field_name == "entry-points" \
            else [field_name] if field_name else []
        for name in fields:
            self.out.project.pop(name, None)
            self.out.project.setdefault("dynamic", [])
            if name not in self.out.project["dynamic"]:
                self.out.project["dynamic"].append(name)

    def stay_group(self, group: str, why: str) -> None:
        for key in _GROUPS[group]:
            if key in self.values:
                self.stay(key, why)

    def run(self) -> Conversion:
        handlers: dict[str, Callable[[str], None]] = {
            "name": lambda k: self.text(k, "name"),
            "version": self.version,
            "description": lambda k: self.text(k, "description"),
            "long_description": self.readme,
            "long_description_content_type": lambda k: None,
            "author": self.people, "author_email": self.people,
            "maintainer": self.people, "maintainer_email": self.people,
            "url": self.urls, "project_urls": self.urls, "download_url": self.urls,
            "license": self.license,
            "keywords": lambda k: self.str_list(k, "keywords"),
            "classifiers": lambda k: self.str_list(k, "classifiers"),
            "python_requires": lambda k: self.text(k, "requires-python"),
            "install_requires": lambda k: self.requirements(k, "dependencies"),
            "extras_require": self.extras,
            "entry_points": self.entry_points,
            "packages": self.packages,
            "setup_requires": self.setup_requires,
            "cffi_modules": self.cffi_modules,
            "cmdclass": self.cmdclass,
            "options": self.options,
            "ext_modules": self.ext_modules,
            "ext_package": self.ext_package,
            "data_files": self.setuptools_key,
            **dict.fromkeys(_OBSOLETE, self.obsolete),
            **dict.fromkeys(_SETUPTOOLS_KEYS, self.setuptools_key),
        }
        done_groups: set[str] = set()
        for key, value in self.values.items():
            group = next((g for g, keys in _GROUPS.items() if key in keys), None)
            if group in done_groups:
                continue
            if isinstance(value, Unresolved) and key not in {"version", "cmdclass",
                                                             "cffi_modules", "ext_modules"}:
                if group:
                    self.stay_group(group, _why(value))
                    done_groups.add(group)
                else:
                    self.stay(key, _why(value))
                continue
            handler = handlers.get(key)
            if handler is None:
                self.stay(key, "not a keyword migrate converts")
                continue
            handler(key)
        if "name" in self.out.keep:
            self.out.report.append(
                "name: computed in setup.py, but pyproject.toml needs it written out")
        if self.out.urls and "urls" not in self.out.project.get("dynamic", []):
            self.out.project["urls"] = self.out.urls
        return self.out


def _why(value: Any) -> str:
    if isinstance(value, Unresolved):
        return f"{value.why} ({value.where()})"
    return f"computed ({type(value).__name__})"


def _line(value: Any, default: int) -> int:
    return value.lines[0] if isinstance(value, Unresolved) else default


def _where(value: Any) -> str:
    return value.where() if isinstance(value, Unresolved) else "recorded by --exec"


def _describe(found: Mapping[str, Any]) -> str:
    if "attr" in found:
        return f'{found["attr"]} ({{attr = "{found["attr"]}"}})'
    return f'the file {found["file"]} ({{file = "{found["file"]}"}})'


def convert_keywords(script: SetupScript, root: Path,
                     values: Mapping[str, Any] | None = None) -> Conversion:
    """Convert *values* (default: the keywords read from *script*'s setup() call)."""
    return _Converter(script, root, dict(script.call.keywords if values is None
                                         else values), executed=values is not None).run()



def _reading_lines(found: ConditionalModules, executed: bool, where: str) -> list[str]:
    """What setup.py's reads of the moved list become: they stay, with the list (report
    lines); under --exec, whose run gives this interpreter's list only, an error."""
    lines = []
    for line, marker in found.reads:
        test = {"always": "always true (every interpreter builds a module)",
                "never": "never true (no interpreter builds a module)"}.get(
            marker, f"true where {marker}")
        lines.append(f"setup.py:{line} reads cffi_modules, which is {test} there")
    if executed and lines:
        raise MigrateError(where, [
            f"{lines[0]}: --exec runs setup.py on this interpreter only, so what that line "
            "computes would be recorded for every interpreter; run migrate without --exec "
            "(setup.py keeps that line and the list it reads), or write the line without "
            "cffi_modules (the interpreter test itself, a requirement as \"name; <marker>\"), "
            "then run migrate again"])
    return [f"{text}: setup.py keeps that line and the list's assignments it reads"
            for text in lines]
