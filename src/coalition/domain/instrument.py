"""Legal instruments: the agreements, declarations and memoranda under which parties take part."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from coalition.domain.common import check_code
from coalition.domain.errors import Conflict, InvariantViolated
from coalition.domain.limits import TITLE, check_text


class InstrumentKind(StrEnum):
    COOPERATION_AGREEMENT = "cooperation-agreement"
    DECLARATION_OF_INTENT = "declaration-of-intent"
    MEMORANDUM = "memorandum"


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February falls back to 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, slots=True)
class Instrument:
    """A legal instrument of a coalition, with its term (``term_end`` open if none is set)."""

    code: str
    coalition: str
    kind: InstrumentKind
    title: str
    term_start: date
    term_end: date | None = None
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        check_text(self.title, "title", TITLE)
        if self.term_end is not None and self.term_end <= self.term_start:
            raise InvariantViolated(
                f"the term ends ({self.term_end}) on or before it starts ({self.term_start})", field="term_end")

    def in_force_on(self, day: date) -> bool:
        return self.term_start <= day and (self.term_end is None or day < self.term_end)


@dataclass(frozen=True, slots=True)
class Signature:
    """A party's signature of an instrument on a date."""

    instrument: str
    party: str
    signed_on: date
    illustrative: bool = False


def sign(instrument: Instrument, party: str, signed_on: date, existing: Sequence[Signature], *,
         illustrative: bool = False) -> Signature:
    """A new signature; a party signs an instrument once, and not after its term has ended."""
    for signature in existing:
        if signature.party == party:
            raise Conflict(f"{party} already signed {instrument.code} on {signature.signed_on}", field="party")
    if instrument.term_end is not None and signed_on >= instrument.term_end:
        raise InvariantViolated(
            f"{instrument.code} expired on {instrument.term_end}; it cannot be signed on {signed_on}",
            field="signed_on")
    return Signature(instrument.code, party, signed_on, illustrative)


def check_cited(instrument: Instrument, party: str, on: date, signatures: Sequence[Signature]) -> None:
    """A membership from ``on`` may rest on ``instrument`` only if it is in force that day and ``party`` signed it
    on or before it; otherwise the refusal names the dates."""
    if not instrument.in_force_on(on):
        term = f"from {instrument.term_start}" + (f" until {instrument.term_end}" if instrument.term_end else "")
        raise InvariantViolated(f"{instrument.code} is in force {term}; a membership from {on} cannot rest on it",
                                field="instrument")
    signed = next((s for s in signatures if s.party == party), None)
    if signed is None:
        raise InvariantViolated(f"{party} has not signed {instrument.code}; a membership rests only on an instrument "
                                "its party signed", field="instrument")
    if signed.signed_on > on:
        raise InvariantViolated(f"{party} signed {instrument.code} on {signed.signed_on}, after the membership's "
                                f"start on {on}", field="instrument")
