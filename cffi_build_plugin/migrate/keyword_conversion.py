"""What ``setup()`` keywords become in pyproject.toml's terms (:class:`Conversion`), and the
bookkeeping every keyword's conversion shares: what stays in setup.py, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .setup_py_reader import SetupScript
from .setup_py_values import Unresolved

__all__ = ["GROUPS", "Conversion", "KeywordConverter", "as_str_list", "computed_reason"]


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
GROUPS: dict[str, tuple[str, ...]] = {
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


def as_str_list(value: Any) -> list[str] | None:
    """A list of strings, or a string's non-blank lines; None for anything else."""
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def computed_reason(value: Any) -> str:
    """Why a value stays in setup.py: what computes it, and where."""
    if isinstance(value, Unresolved):
        return f"{value.why} ({value.where()})"
    return f"computed ({type(value).__name__})"


class KeywordConverter:
    """One ``setup()`` call's values, and the :class:`Conversion` its keywords fill."""

    def __init__(self, script: SetupScript, root: Path, values: Mapping[str, Any],
                 executed: bool = False) -> None:
        self.script, self.root, self.values = script, root, values
        self.executed = executed
        self.out = Conversion()

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
        for key in GROUPS[group]:
            if key in self.values:
                self.stay(key, why)
