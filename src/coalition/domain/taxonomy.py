"""Capability areas: a hierarchical taxonomy (an earmark on a parent area covers its children)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coalition.domain.common import check_code
from coalition.domain.errors import InvariantViolated
from coalition.domain.limits import NAME, check_text


@dataclass(frozen=True, slots=True)
class CapabilityArea:
    code: str
    name: str
    name_uk: str | None = None
    parent: str | None = None

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        check_text(self.name, "name", NAME)
        if self.name_uk is not None:
            check_text(self.name_uk, "name_uk", NAME)
        if self.parent is not None:
            check_code(self.parent, "parent")
        if self.parent == self.code:
            raise InvariantViolated("an area cannot be its own parent", field="parent")


def descendants(areas: Iterable[CapabilityArea], code: str) -> set[str]:
    """The area and every area below it."""
    children: dict[str, list[str]] = {}
    for area in areas:
        if area.parent is not None:
            children.setdefault(area.parent, []).append(area.code)
    found, stack = set(), [code]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, ()))
    return found
