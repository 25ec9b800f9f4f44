"""Turning ``setup()`` keywords into pyproject.toml: ``[project]``, ``[tool.setuptools]``,
build requirements and cffi modules. What cannot be said there stays in setup.py, with why.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable

from .build_keywords import BuildKeywords
from .keyword_conversion import GROUPS, Conversion, as_str_list, computed_reason
from .project_keywords import ProjectKeywords
from .setup_py_reader import SetupScript
from .setup_py_values import FindPackages, Unresolved

__all__ = ["convert_keywords"]

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


class _Converter(ProjectKeywords, BuildKeywords):
    """Every keyword to its method: [project] and build keywords (the bases), and
    [tool.setuptools]'s here."""

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
        elif as_str_list(value) is not None and not isinstance(value, str):
            self.out.setuptools["packages"] = list(value)
        else:
            self.stay(key, computed_reason(value))

    def setuptools_key(self, key: str) -> None:
        value = self.values[key]
        if isinstance(value, Unresolved):
            self.stay(key, computed_reason(value))
        elif value is not None:
            if key == "platforms" and isinstance(value, str):
                value = [value]
            if key == "data_files":
                if not all(isinstance(e, (list, tuple)) and len(e) == 2 and isinstance(e[0], str)
                           and as_str_list(e[1]) is not None for e in value):
                    self.stay(key, "not a list of (folder, [files]) pairs")
                    return
                value = {d: list(files) for d, files in value}
            self.out.setuptools[_SETUPTOOLS_KEYS.get(key, key.replace("_", "-"))] = value

    def obsolete(self, key: str) -> None:
        self.out.report.append(f"dropped {key}: {_OBSOLETE[key]}")

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
            group = next((g for g, keys in GROUPS.items() if key in keys), None)
            if group in done_groups:
                continue
            if isinstance(value, Unresolved) and key not in {"version", "cmdclass",
                                                             "cffi_modules", "ext_modules"}:
                if group:
                    self.stay_group(group, computed_reason(value))
                    done_groups.add(group)
                else:
                    self.stay(key, computed_reason(value))
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


def convert_keywords(script: SetupScript, root: Path,
                     values: Mapping[str, Any] | None = None) -> Conversion:
    """Convert *values* (default: the keywords read from *script*'s setup() call)."""
    return _Converter(script, root, dict(script.call.keywords if values is None
                                         else values), executed=values is not None).run()
