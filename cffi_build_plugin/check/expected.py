"""`check --project`: which of the project's cffi modules a wheel must hold, from its tags.

A module with a ``when`` marker belongs in a wheel when the marker is true for every
interpreter and platform the wheel's tags admit; an abi3 wheel stands for every CPython from
its floor on. The tags tell the implementation, the Python version and, from the platform
tag, sys_platform, platform_system, os_name and platform_machine; a marker reading anything
else (platform_release, python_full_version ...) cannot be decided, and the report says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from packaging.tags import Tag

from cffi_build_plugin.modules.import_names import NEWEST_KNOWN, Importer
from cffi_build_plugin.modules.markers import holds, importer_environment, marker_variables

__all__ = ["Expectations", "ExpectedModule", "expectations"]

Env = dict[str, str]


@dataclass(frozen=True)
class ExpectedModule:
    """A cffi module the project declares, and where it belongs (None: everywhere)."""

    name: str
    when: str | None = None


@dataclass
class Expectations:
    """The modules the wheel must hold, those it must not, and what was left undecided."""

    required: list[str] = field(default_factory=list)
    #: name -> what its marker says of this wheel (the wheel should not hold it).
    excluded: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_WINDOWS = {"win32": "x86", "win_amd64": "AMD64", "win_arm64": "ARM64"}
_MAC_UNIVERSAL = ("universal2", "universal", "intel", "fat", "fat3", "fat32", "fat64")


def _platform_env(platform: str) -> Env:
    """What a platform tag tells; empty for ``any`` and tags this does not know."""
    if platform in _WINDOWS:
        return {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
                "platform_machine": _WINDOWS[platform]}
    linux = re.fullmatch(r"(?:manylinux\d*|musllinux|linux)(?:_\d+_\d+)?_(\w+)", platform)
    if linux is not None:
        return {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                "platform_machine": linux[1]}
    mac = re.fullmatch(r"macosx_\d+_\d+_(\w+)", platform)
    if mac is not None:
        env = {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"}
        return env if mac[1] in _MAC_UNIVERSAL else {**env, "platform_machine": mac[1]}
    return {}


def _interpreters(tag: Tag) -> list[Importer] | None:
    """The interpreters an interpreter tag names; None for ``py3`` (any implementation)."""
    match = re.fullmatch(r"(cp|pp)(\d)(\d+)", tag.interpreter)
    if match is None:
        return None
    version = (int(match[2]), int(match[3]))
    if match[1] == "pp":
        return [Importer("pypy", version)]
    if tag.abi in ("abi3", "abi3t"):
        return [Importer("cpython", (3, minor)) for minor in range(version[1],
                                                                   NEWEST_KNOWN[1] + 1)]
    return [Importer("cpython", version)]


def _environments(tags: Iterable[Tag]) -> list[tuple[str, Env]]:
    """(label, known variables) for every interpreter and platform the tags admit."""
    out: dict[str, Env] = {}
    for tag in sorted(tags, key=str):
        platform = _platform_env(tag.platform)
        importers: Sequence[Importer | None] = _interpreters(tag) or [None]
        for importer in importers:
            env = {**(importer_environment(importer) if importer else {}), **platform}
            label = importer.label if importer else f"any Python ({tag.interpreter})"
            out.setdefault(f"{label} on {tag.platform}", env)
    return list(out.items())


def _span(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{labels[0]} ... {labels[-1]}" \
        if len(labels) > 3 else ", ".join(labels)


def expectations(tags: frozenset[Tag], tag_text: str,
                 declared: Iterable[str | ExpectedModule]) -> Expectations:
    """What *declared* asks of a wheel tagged *tags* (spelt *tag_text* in messages)."""
    result = Expectations()
    envs = _environments(tags)
    for entry in declared:
        module = entry if isinstance(entry, ExpectedModule) else ExpectedModule(entry)
        if module.when is None:
            result.required.append(module.name)
            continue
        told = f'{module.name} (when = "{module.when}")'
        unknown = sorted({v for _, env in envs
                          for v in marker_variables(module.when) - env.keys()})
        if unknown:
            result.notes.append(f"{told}: the tag {tag_text} does not tell "
                                f"{', '.join(unknown)}, so whether the wheel should hold it "
                                "is unchecked")
            continue
        true = [label for label, env in envs if holds(module.when, env, told)]
        false = [label for label, env in envs if label not in true]
        if not false:
            result.required.append(module.name)
        elif not true:
            result.excluded[module.name] = f"its marker is false on {_span(false)}"
        else:
            result.problems.append(
                f"{told}: the tag {tag_text} admits {_span(true)}, where the marker is true, "
                f"and {_span(false)}, where it is false; one wheel cannot be right for both: "
                "build version-specific wheels (py-limited-api = false) or make the marker "
                "the same on all of them")
    return result
