"""Comparing the metadata of two wheels of one project: built before and after a migration
(``cffi-build-plugin migrate``), in tests/test_migrate.py and in the real-projects harness
(tests/real_projects.py).

:func:`metadata_text_differences` compares two METADATA files; :func:`metadata_differences`
compares two wheels' :class:`DistInfo` (METADATA and entry_points.txt).
"""

from __future__ import annotations

import configparser
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.metadata import parse_email
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

__all__ = ["NOT_PYPY", "DistInfo", "metadata_differences", "metadata_text_differences"]

#: The marker cffi-build-plugin (and its migrate command) puts on the cffi requirement, so
#: that PyPy keeps the cffi it bundles.
NOT_PYPY = str(Marker("platform_python_implementation != 'PyPy'"))


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


# --- the encodings of one fact ----------------------------------------------------------------

def _label(label: str) -> str:
    """A Project-URL label as PEP 753 normalises it: ``Home-page`` and ``homepage`` agree."""
    return re.sub(r"[^a-z0-9]", "", label.lower())


def _people(name: str | None, emails: str | None) -> list[tuple[str, str]]:
    """``Author`` and ``Author-email`` (or the maintainer's) as sorted (name, address) pairs."""
    pairs = [(n.strip(), a.strip()) for n, a in getaddresses([emails])] if emails else []
    names = [n.strip() for n in name.split(",")] if name else []
    if names and len(names) == len(pairs) and not any(n for n, _ in pairs):
        # setup.py's author="A", author_email="e" is pyproject's {name = "A", email = "e"};
        # "A, B" with "a, b" pairs them in order.
        return sorted(zip(names, (a for _, a in pairs)))
    named = {n for n, _ in pairs}
    return sorted(pairs + [(n, "") for n in names if n and n not in named])


def _is_cffi(req: Requirement) -> bool:
    return canonicalize_name(req.name) == "cffi"


def _is_runtime(req: Requirement) -> bool:
    """Not a requirement of an extra."""
    return req.marker is None or "extra" not in str(req.marker)


def _with_not_pypy(req: Requirement) -> set[str]:
    """The ways to write *req* with :data:`NOT_PYPY` added to its marker: alone, or and-ed
    before or after the requirement's own marker (parenthesised, or bare where that means
    the same: ``a or b and NOT_PYPY`` is ``a or (b and NOT_PYPY)``)."""
    bare = Requirement(str(req))
    bare.marker = None
    if req.marker is None:
        markers = [NOT_PYPY]
    else:
        own = str(req.marker)
        markers = [f"({own}) and {NOT_PYPY}", f"{NOT_PYPY} and ({own})"]
        # The top level of a parsed marker: its clauses, nested lists (parentheses) and the
        # "and"/"or" between them.
        if "or" not in req.marker._markers:
            markers += [f"{own} and {NOT_PYPY}", f"{NOT_PYPY} and {own}"]
    return {str(Requirement(f"{bare}; {marker}")) for marker in markers}


def _requirements(original: Sequence[str], converted: Sequence[str]
                  ) -> tuple[list[str], list[str]]:
    """Both lists of requirements, normalised and sorted, with each converted cffi
    requirement that is an original one with :data:`NOT_PYPY` added written as that original
    one, and one converted ``cffi...; NOT_PYPY`` left out when the original has no run-time
    cffi requirement."""
    before = sorted(str(Requirement(r)) for r in original)
    old_cffi = [Requirement(r) for r in before if _is_cffi(Requirement(r))]
    may_add = not any(_is_runtime(r) for r in old_cffi)
    after = []
    for line in converted:
        req = Requirement(line)
        if _is_cffi(req):
            same = [str(old) for old in old_cffi if str(req) in _with_not_pypy(old)]
            if same:
                after.append(same[0])
                continue
            if may_add and req.marker is not None and str(req.marker) == NOT_PYPY:
                may_add = False
                continue
        after.append(str(req))
    return before, sorted(after)


def _normalised(metadata: str) -> dict[str, Any]:
    """The fields of *metadata* (as :func:`packaging.metadata.parse_email` names them; the
    fields it cannot parse as ``unparsed:NAME``), each fact in one encoding; the
    requirements are left to :func:`_requirements`."""
    raw_typed, unparsed = parse_email(metadata)
    raw: dict[str, Any] = dict(raw_typed)
    data: dict[str, Any] = {**raw, **{f"unparsed:{k}": v for k, v in unparsed.items()}}
    for key in ("metadata_version", "dynamic", "home_page", "download_url", "author",
                "author_email", "maintainer", "maintainer_email", "project_urls",
                "requires_dist"):
        data.pop(key, None)
    urls = {(_label(k), v) for k, v in raw.get("project_urls", {}).items()}
    if raw.get("home_page"):
        urls.add(("homepage", raw["home_page"]))
    if raw.get("download_url"):
        urls.add(("download", raw["download_url"]))
    if urls:
        data["project_urls"] = sorted(urls)
    for who in ("author", "maintainer"):
        people = _people(raw.get(who), raw.get(f"{who}_email"))
        if people:
            data[f"{who}s"] = people
    if "license_expression" in data and "license" not in data:
        data["license"] = data.pop("license_expression")
    for key in ("classifiers", "license_files", "provides_extra", "platforms", "keywords"):
        if key in data:
            data[key] = sorted(data[key])
    if "description" in data:
        data["description"] = str(data["description"]).strip()
    return data


def _entry_points(text: str) -> list[tuple[str, str, str]]:
    """entry_points.txt as sorted (group, name, object reference) triples."""
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return sorted((group, name.strip(), value.strip())
                  for group in parser.sections() for name, value in parser[group].items())


def _difference(key: str, a: object, b: object) -> str:
    if key == "description":
        return "description: differs"
    if isinstance(a, list) and isinstance(b, list):
        lost = list((Counter(a) - Counter(b)).elements())
        added = list((Counter(b) - Counter(a)).elements())
        return f"{key}: lost {lost!r}, added {added!r}"
    return f"{key}: {a!r} != {b!r}"


# --- the comparisons ------------------------------------------------------------------------

def metadata_text_differences(original: str, converted: str) -> list[str]:
    """How the *converted* METADATA differs from the *original*, one line per field (named
    as :func:`packaging.metadata.parse_email` names it), once these differences are forgiven,
    and only these:

    - ``Metadata-Version``, and ``Dynamic`` (setuptools writes it for every field that
      setup.py sets; it tells sdist consumers what may change, not what the wheel is);
    - the cffi requirement: the original's with ``platform_python_implementation !=
      "PyPy"`` added (alone, or and-ed before or after the original's marker without
      changing what that marker means); or, where the original has no cffi requirement
      outside an extra, one added with exactly that marker;
    - the setup.py-style and pyproject-style encodings of one fact: ``Home-page: X`` and
      ``Project-URL: Homepage, X``, ``Download-URL: Y`` and ``Project-URL: Download, Y``
      (labels compared as PEP 753 normalises them, so ``homepage`` and ``Home-page`` match
      too); ``Author: A`` with ``Author-email: e`` and ``Author-email: A <e>`` (several
      names and addresses separated by commas are paired in order; the same for
      ``Maintainer``); ``License: X`` and ``License-Expression: X`` (the same text);
    - a ``Description-Content-Type`` the converted METADATA has and the original lacks;
    - order: of classifiers, requirements, extras, keywords, platforms, license files,
      URLs, authors and maintainers; and the whitespace at either end of the description.

    A changed summary, a lost classifier or dependency, a changed version or URL is reported.
    """
    before, after = _normalised(original), _normalised(converted)
    if "description_content_type" not in before:
        after.pop("description_content_type", None)
    before["requires_dist"], after["requires_dist"] = _requirements(
        parse_email(original)[0].get("requires_dist", []),
        parse_email(converted)[0].get("requires_dist", []))
    return [_difference(key, before.get(key), after.get(key))
            for key in sorted(before.keys() | after.keys())
            if before.get(key) != after.get(key)]


def metadata_differences(original: DistInfo, converted: DistInfo) -> list[str]:
    """How the *converted* wheel's metadata differs from the *original*'s: its METADATA as
    :func:`metadata_text_differences` compares it (forgiving exactly what that forgives),
    then its entry points (``entry_points: lost [...], added [...]``), where only the order
    of groups and entries and the whitespace around names and ``=`` are forgiven."""
    problems = metadata_text_differences(original.metadata, converted.metadata)
    before, after = _entry_points(original.entry_points), _entry_points(converted.entry_points)
    if before != after:
        problems.append(_difference("entry_points", before, after))
    return problems
