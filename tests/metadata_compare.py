"""Comparing the metadata of two wheels of one project: built before and after a migration."""

from __future__ import annotations

import configparser
import email.parser
import email.policy
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

__all__ = ["DistInfo", "metadata_differences"]

_PYPY_MARKER = Marker("platform_python_implementation != 'PyPy'")
#: Headers that say how the metadata was made, not what the project is.
_IGNORED = {"metadata-version", "dynamic"}


@dataclass(frozen=True)
class DistInfo:
    """What a wheel says about its project: METADATA and entry_points.txt, as text."""

    metadata: str
    entry_points: str = ""

    @classmethod
    def from_wheel(cls, wheel: Path) -> DistInfo:
        with zipfile.ZipFile(wheel) as zf:
            names = zf.namelist()

            def read(suffix: str) -> str:
                found = [n for n in names if n.endswith(f".dist-info/{suffix}")]
                return zf.read(found[0]).decode() if found else ""

            return cls(read("METADATA"), read("entry_points.txt"))


def _fields(metadata: str) -> tuple[dict[str, list[str]], str]:
    message = email.parser.Parser(policy=email.policy.compat32).parsestr(metadata)
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key.lower(), []).append(str(value).strip())
    body = message.get_payload()
    return fields, body if isinstance(body, str) else ""


def _fold_urls(fields: dict[str, list[str]]) -> None:
    """``Home-page: X`` and ``Download-URL: Y`` as the Project-URL lines pyproject.toml gives
    them (``Homepage, X`` and ``Download, Y``, in that order, before the others)."""
    urls = [f"Homepage, {u}" for u in fields.pop("home-page", [])]
    urls += [f"Download, {u}" for u in fields.pop("download-url", [])]
    if urls:
        fields["project-url"] = urls + fields.get("project-url", [])


def _fold_people(fields: dict[str, list[str]], role: str) -> None:
    """``Author: A`` with ``Author-email: e`` as ``Author-email: A <e>`` (one person)."""
    names, emails = fields.get(role, []), fields.get(f"{role}-email", [])
    if len(names) == 1 and len(emails) == 1 and "<" not in emails[0]:
        fields[f"{role}-email"] = [f"{names[0]} <{emails[0]}>"]
        del fields[role]


def _is_cffi_runtime(line: str) -> bool:
    req = Requirement(line)
    return canonicalize_name(req.name) == "cffi" and "extra" not in str(req.marker or "")


def _without_pypy_marker(line: str) -> str:
    req = Requirement(line)
    if req.marker is not None and str(req.marker) == str(_PYPY_MARKER):
        req.marker = None
    return str(req)


def _cffi_differences(original: list[str], converted: list[str]) -> list[str]:
    """The run-time cffi requirement may be added (with the PyPy marker) or gain the marker;
    anything else is a difference."""
    old = [str(Requirement(o)) for o in original]
    new = [str(Requirement(c)) for c in converted]
    if not original:
        if not converted or (len(converted) == 1
                             and str(Requirement(converted[0]).marker) == str(_PYPY_MARKER)):
            return []
    elif new == old or (all(Requirement(o).marker is None for o in original)
                        and [_without_pypy_marker(c) for c in converted] == old):
        return []
    return [f"cffi requirement: {original} became {converted}"]


def _entry_points(text: str) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return {group: {name.strip(): value.strip() for name, value in parser[group].items()}
            for group in parser.sections()}


def metadata_differences(original: DistInfo, converted: DistInfo) -> list[str]:
    """What the converted wheel says differently from the original, one line per field.

    It forgives exactly these, and nothing else:

    - ``Metadata-Version`` and ``Dynamic`` lines (how the metadata was made);
    - the run-time cffi requirement (``Requires-Dist`` of cffi without an extra) added
      where the original had none, with ``platform_python_implementation != "PyPy"``
      as its only marker, or the original's own cffi requirement with that marker added;
    - ``Home-page: X`` written as ``Project-URL: Homepage, X`` and ``Download-URL: Y`` as
      ``Project-URL: Download, Y`` (listed first, in that order);
    - ``Author: A`` with ``Author-email: e`` written as ``Author-email: A <e>``, and the same
      for ``Maintainer``;
    - a ``Description-Content-Type`` the converted wheel has and the original lacks.

    Every other header is compared as the list of its values, in order; the description
    (the body) and entry_points.txt (group by group) must be equal.
    """
    (old, old_body), (new, new_body) = _fields(original.metadata), _fields(converted.metadata)
    for fields in (old, new):
        for key in _IGNORED:
            fields.pop(key, None)
        _fold_urls(fields)
        _fold_people(fields, "author")
        _fold_people(fields, "maintainer")
    if "description-content-type" not in old:
        new.pop("description-content-type", None)
    old_cffi = [r for r in old.get("requires-dist", []) if _is_cffi_runtime(r)]
    new_cffi = [r for r in new.get("requires-dist", []) if _is_cffi_runtime(r)]
    problems = _cffi_differences(old_cffi, new_cffi)
    for fields in (old, new):
        rest = [r for r in fields.pop("requires-dist", []) if not _is_cffi_runtime(r)]
        if rest:
            fields["requires-dist"] = [str(Requirement(r)) for r in rest]
    for key in sorted(old.keys() | new.keys()):
        if old.get(key) != new.get(key):
            problems.append(f"{key}: {old.get(key)} became {new.get(key)}")
    if old_body != new_body:
        problems.append(f"description: {old_body[:60]!r}... became {new_body[:60]!r}...")
    old_eps, new_eps = _entry_points(original.entry_points), _entry_points(
        converted.entry_points)
    if old_eps != new_eps:
        problems.append(f"entry points: {old_eps} became {new_eps}")
    return problems
