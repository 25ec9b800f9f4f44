"""``setup()``'s metadata keywords → pyproject.toml's [project]: name, version, readme,
people, urls, license, requirements, extras and entry points."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .keyword_conversion import GROUPS, KeywordConverter, as_str_list, computed_reason
from .setup_py_values import FileText, Unresolved
from .version_source import version_attr

__all__ = ["ProjectKeywords"]

_ENTRY_GROUPS = {"console_scripts": "scripts", "gui_scripts": "gui-scripts"}


class ProjectKeywords(KeywordConverter):
    """One method per kind of [project] keyword."""

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
        items = as_str_list(value)
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
            self.stay(key, computed_reason(value) + "; " + (
                "; ".join(problems) if problems else "migrate found no file it is read from"))
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
            why = computed_reason(value) if isinstance(value, Unresolved) else \
                "not the text of one file, which is what pyproject.toml's readme is"
            self.stay_group("readme", why)
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
        name_key, email_key = GROUPS[kind]
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
        items = as_str_list(value)
        if items is None:
            self.stay(key, computed_reason(value))
        else:
            self.out.project[field_name] = items

    def extras(self, key: str) -> None:
        value = self.values[key]
        if not isinstance(value, dict):
            self.stay(key, computed_reason(value))
            return
        extras: dict[str, list[str]] = {}
        for name, reqs in value.items():
            items = as_str_list(reqs)
            if items is None:
                self.stay(key, f"extra {name!r} is computed")
                return
            extras[name] = items
        self.out.project["optional-dependencies"] = extras

    def entry_points(self, key: str) -> None:
        value = self.values[key]
        if not isinstance(value, dict):
            self.stay(key, computed_reason(value) if isinstance(value, Unresolved) else
                      "not a dict of groups")
            return
        groups: dict[str, dict[str, str]] = {}
        for group, lines in value.items():
            items = as_str_list(lines)
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


def _where(value: Any) -> str:
    return value.where() if isinstance(value, Unresolved) else "recorded by --exec"


def _describe(found: Mapping[str, Any]) -> str:
    if "attr" in found:
        return f'{found["attr"]} ({{attr = "{found["attr"]}"}})'
    return f'the file {found["file"]} ({{file = "{found["file"]}"}})'
