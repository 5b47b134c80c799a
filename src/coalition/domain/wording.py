"""Sentences the record keeps in English (a decision's reason, its effects), written from templates so that a page
can read a kept sentence back into its template and values and show it in the reader's language.

The record stays as it was written (the audit chain seals it); only its display is translated. A sentence no
template matches (written before its template existed) is shown as kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True, slots=True)
class Said:
    """A kept sentence read back: the template it was written from and the values put in."""

    template: str
    values: dict[str, str] = field(default_factory=dict)


def say(template: str, /, **values: object) -> str:
    """The sentence ``template`` says with ``values``, as the record keeps it."""
    return template.format(**values)


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(part) if n % 2 == 0 else f"(?P<{part}>.+?)" for n, part in enumerate(parts))
    return re.compile(regex + r"\Z", re.S)


def read_back(text: str, templates: Iterable[str]) -> Said | None:
    """The template (of ``templates``) that ``text`` was written from, with its values; None if none fits."""
    for template in templates:
        found = _pattern(template).match(text)
        if found is not None:
            return Said(template, found.groupdict())
    return None
