"""Small shared rules: codes that name records, dates as users type them, and lifecycles declared as data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import TypeVar

from coalition.domain.errors import InvalidInput, InvariantViolated, refusal

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_code(value: str, field: str) -> str:
    """A code names a record in URLs and commands: letters, digits, '.', '_' or '-', at most 64."""
    if not _CODE.fullmatch(value or ""):
        raise InvalidInput(
            f"'{value}' is not a valid code (letters, digits, '.', '_' or '-', starting with a letter or digit, "
            "at most 64 characters)",
            field=field,
        )
    return value


def parse_date(text: str, field: str) -> date:
    """An ISO 8601 calendar date (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InvalidInput(f"'{text}' is not a date in the form YYYY-MM-DD", field=field) from None


def dated_act(on: date | None, today: date, *, not_before: date, after_what: str, field: str = "on") -> date:
    """The day an act happened: ``on`` (today if not given), never in the future and never before what it follows
    (``not_before``, the day ``after_what``); a refusal names both dates."""
    day = today if on is None else on
    if day > today:
        raise refusal(InvariantViolated, "an act of {day} is in the future: it is dated {today} at the latest",
                      field=field, day=day, today=today)
    if day < not_before:
        raise InvariantViolated(f"an act of {day} cannot precede the day {after_what}, {not_before}", field=field)
    return day


def as_of(on: date | None, today: date, field: str = "on") -> date | None:
    """The day a report is asked as of: None for now; a day in the future is refused (nothing is known of it)."""
    if on is not None and on > today:
        raise refusal(InvalidInput, "a report as of {on} is in the future: ask as of {today} at the latest",
                      field=field, on=on, today=today)
    return on


State = TypeVar("State", bound=StrEnum)


def check_move(transitions: Mapping[State, frozenset[State]], subject: str, current: State, to: State,
               field: str) -> None:
    """Refuse a move a lifecycle table does not allow, naming what the subject may move to instead."""
    allowed = transitions[current]
    if to not in allowed:
        names = ", ".join(sorted(s.value for s in allowed)) or "none (final)"
        raise InvariantViolated(f"{subject} is {current.value}; it can move to {names}, not {to.value}", field=field)
