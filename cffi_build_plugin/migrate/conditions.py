"""Conditions on the interpreter and platform, as PEP 508 environment markers: ``not``,
``and`` and ``or`` of comparisons, simplified, decided where some variables are known, parsed
from and rendered to marker text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Union

from packaging.markers import InvalidMarker, Marker

from cffi_build_plugin.modules.markers import holds

__all__ = ["NEGATED", "SWAPPED", "AllOf", "AnyOf", "Atom", "Condition", "assume", "both",
           "either", "negate", "parse", "render", "simplify"]


@dataclass(frozen=True)
class Atom:
    """One marker comparison: ``variable op 'value'``."""

    variable: str
    op: str
    value: str


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


Condition = Union[Atom, AllOf, AnyOf]


#: Each comparison a marker can make → its negation.
NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
#: Each comparison → the same one with its operands swapped.
SWAPPED = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


def negate(condition: Condition) -> Condition:
    """``not condition``, pushed down to the comparisons (PEP 508 has no ``not``)."""
    if isinstance(condition, Atom):
        return Atom(condition.variable, NEGATED[condition.op], condition.value)
    if isinstance(condition, AllOf):
        return either(*(negate(p) for p in condition.parts))
    return AllOf(tuple(dict.fromkeys(_flat(AllOf, tuple(negate(p) for p in condition.parts)))))


def _flat(kind: type[AllOf] | type[AnyOf], parts: tuple[Condition | None, ...]
          ) -> Iterator[Condition]:
    for part in parts:
        if isinstance(part, kind):
            yield from part.parts
        elif part is not None:
            yield part


def both(*parts: Condition | None) -> Condition | None:
    """``a and b``; None (always true) drops out."""
    unique = tuple(dict.fromkeys(_flat(AllOf, parts)))
    return None if not unique else unique[0] if len(unique) == 1 else AllOf(unique)


def either(*parts: Condition) -> Condition:
    unique = tuple(dict.fromkeys(_flat(AnyOf, parts)))
    return unique[0] if len(unique) == 1 else AnyOf(unique)


def _terms(condition: Condition) -> list[tuple[Condition, ...]]:
    """*condition* as an or of and-ed parts."""
    parts = condition.parts if isinstance(condition, AnyOf) else (condition,)
    return [p.parts if isinstance(p, AllOf) else (p,) for p in parts]


def simplify(condition: Condition) -> Condition | None:
    """The same condition with complementary terms merged (``a and b or a and not b`` → ``a``)
    and absorbed ones dropped (``a or a and b`` → ``a``); None when it is always true. Only
    these two rules: the markers migrate writes are short or-s of and-s."""
    terms = _terms(condition)
    changed = True
    while changed:
        changed = False
        for i, first in enumerate(terms):
            for j, second in enumerate(terms):
                if i == j:
                    continue
                a, b = set(first), set(second)
                if a <= b:  # second is absorbed by first
                    del terms[j]
                    changed = True
                    break
                odd = a ^ b
                if len(odd) == 2 and all(isinstance(p, Atom) for p in odd) and \
                        negate(next(iter(odd))) in odd:
                    terms[i] = tuple(p for p in first if p in b)
                    del terms[j]
                    changed = True
                    break
            if changed:
                break
    if any(not term for term in terms):
        return None
    merged = [both(*term) for term in terms]
    return either(*(m for m in merged if m is not None))


def assume(condition: Condition, known: Mapping[str, str]) -> Condition | bool:
    """*condition* where the variables in *known* have those values: True or False when that
    decides it, else what is left to decide. Each comparison is packaging's own."""
    if isinstance(condition, Atom):
        if condition.variable not in known:
            return condition
        return holds(render(condition), known, "migrate")
    parts = [assume(p, known) for p in condition.parts]
    decided = isinstance(condition, AnyOf)  # the value that settles an or / an and
    if decided in parts:
        return decided
    left = [p for p in parts if not isinstance(p, bool)]
    if not left:
        return not decided
    result = both(*left) if isinstance(condition, AllOf) else either(*left)
    assert result is not None
    return result


def parse(text: str) -> Condition | None:
    """A marker pyproject.toml holds, as a condition; None when it uses what migrate never
    writes (``in``, ``===``, extras)."""
    try:
        tree = Marker(text)._markers  # the parsed marker: tuples, "and"/"or", nested lists
    except InvalidMarker:
        return None
    return _parsed(tree)


def _parsed(items: Sequence[object]) -> Condition | None:
    groups: list[list[Condition]] = [[]]
    for item in items:
        if item == "or":
            groups.append([])
        elif item == "and":
            continue
        else:
            part = _parsed(item) if isinstance(item, list) else _atom(item)
            if part is None:
                return None
            groups[-1].append(part)
    merged = [both(*group) for group in groups]
    if any(m is None for m in merged):
        return None
    return either(*(m for m in merged if m is not None))


def _atom(item: object) -> Atom | None:
    if not isinstance(item, tuple) or len(item) != 3:
        return None
    left, op, right = (str(getattr(part, "value", "")) for part in item)
    if type(item[0]).__name__ == "Value":
        left, right, op = right, left, SWAPPED.get(op, "")
    variable = type(item[0]).__name__ == "Variable" or type(item[2]).__name__ == "Variable"
    return Atom(left, op, right) if variable and op in NEGATED else None


def render(condition: Condition, nested: bool = False) -> str:
    """The marker text; checked by packaging (a bug here must not reach pyproject.toml)."""
    if isinstance(condition, Atom):
        text = f"{condition.variable} {condition.op} '{condition.value}'"
    else:
        joiner = " and " if isinstance(condition, AllOf) else " or "
        text = joiner.join(render(p, nested=True) for p in condition.parts)
        text = f"({text})" if nested else text
    if not nested:
        try:
            Marker(text)
        except InvalidMarker as exc:  # pragma: no cover - the atoms above are all valid
            raise AssertionError(f"migrate made an invalid marker {text!r}: {exc}") from None
    return text
