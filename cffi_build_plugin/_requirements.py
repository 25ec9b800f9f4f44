"""Reading PEP 508 requirement strings: the distribution a string names, and whether a list
names one (the opt-in, the cffi run-time dependency, migrate's requirement lists)."""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

__all__ = ["requirement_name", "requires_name"]


def requires_name(requirements: object, name: str) -> bool:
    """Whether a list of PEP 508 strings names the distribution *name* (invalid ones skipped)."""
    if not isinstance(requirements, (list, tuple)):
        return False
    wanted = canonicalize_name(name)
    return any(isinstance(line, str) and requirement_name(line) == wanted
               for line in requirements)


def requirement_name(requirement: str) -> str | None:
    """The canonical distribution name a PEP 508 string requires; None if it is invalid."""
    try:
        return canonicalize_name(Requirement(requirement).name)
    except InvalidRequirement:
        return None
