"""Memberships as an append-only history of changes, and the roster they imply on any date.

A party's membership of a coalition is a sequence of changes: joined, role changed, left.
Nothing is overwritten: a role change or a departure is a new change. The state on a date is
the last change effective on or before it. An effective date is the first day the new state
holds: a party that left on 2025-01-01 was a member on 2024-12-31 and not on 2025-01-01.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from coalition.domain.coalition import Coalition, MembershipRole
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated
from coalition.domain.limits import NOTE, check_text


class ChangeKind(StrEnum):
    JOINED = "joined"
    ROLE_CHANGED = "role-changed"
    LEFT = "left"


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """One recorded change of a party's standing in a coalition."""

    coalition: str
    party: str
    kind: ChangeKind
    effective_on: date
    role: MembershipRole | None
    instrument: str | None = None
    note: str = ""
    illustrative: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        check_text(self.note, "note", NOTE, required=False)
        if (self.kind is ChangeKind.LEFT) != (self.role is None):
            raise InvariantViolated("a departure has no role and every other change has one", field="role")


@dataclass(frozen=True, slots=True)
class Spell:
    """A period in which a party held one role: from ``start`` up to, not including, ``end``."""

    coalition: str
    party: str
    role: MembershipRole
    instrument: str | None
    start: date
    end: date | None
    illustrative: bool = False

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def _ordered(changes: Iterable[MembershipChange]) -> list[MembershipChange]:
    return sorted(changes, key=lambda c: (c.effective_on, c.id if c.id is not None else 0))


def spells(changes: Iterable[MembershipChange]) -> list[Spell]:
    """Turn the changes of one coalition into role spells, per party, in date order."""
    by_party: dict[str, list[MembershipChange]] = {}
    for change in _ordered(changes):
        by_party.setdefault(change.party, []).append(change)
    result: list[Spell] = []
    for party_changes in by_party.values():
        current: MembershipChange | None = None
        for change in party_changes:
            if current is not None and current.role is not None:
                result.append(Spell(current.coalition, current.party, current.role, current.instrument,
                                    current.effective_on, change.effective_on, current.illustrative))
            current = change
        if current is not None and current.role is not None:
            result.append(Spell(current.coalition, current.party, current.role, current.instrument,
                                current.effective_on, None, current.illustrative))
    return sorted(result, key=lambda s: (s.start, s.party))


def roster_on(changes: Iterable[MembershipChange], day: date) -> list[Spell]:
    """Who was what on ``day``: the spells covering that date."""
    return [spell for spell in spells(changes) if spell.covers(day)]


def _current(party_changes: Sequence[MembershipChange]) -> MembershipChange | None:
    ordered = _ordered(party_changes)
    return ordered[-1] if ordered else None


def _after_last(last: MembershipChange | None, on: date, what: str) -> None:
    if last is not None and on <= last.effective_on:
        raise InvariantViolated(
            f"{what} on {on} must come after the party's last recorded change ({last.kind} on "
            f"{last.effective_on}); history is appended, never rewritten",
            field="on",
        )


def admit(coalition: Coalition, party: str, role: MembershipRole, on: date,
          party_changes: Sequence[MembershipChange], *, instrument: str | None = None, note: str = "",
          illustrative: bool = False) -> MembershipChange:
    """The change that admits ``party``; refuses a duplicate membership or an impossible date."""
    if on < coalition.founded_on:
        raise InvariantViolated(
            f"{on} is before {coalition.code} was founded ({coalition.founded_on})", field="on")
    if role is MembershipRole.RECIPIENT and party != coalition.recipient:
        raise InvalidInput(
            f"only the coalition's recipient ({coalition.recipient}) can hold the recipient role", field="role")
    last = _current(party_changes)
    if last is not None and last.role is not None:
        raise Conflict(
            f"duplicate membership: {party} is already {last.role.label} of {coalition.code} "
            f"since {last.effective_on}", field="party")
    _after_last(last, on, "joining")
    return MembershipChange(coalition.code, party, ChangeKind.JOINED, on, role, instrument, note, illustrative)


def change_role(coalition: Coalition, party: str, role: MembershipRole, on: date,
                party_changes: Sequence[MembershipChange], *, instrument: str | None = None,
                note: str = "", illustrative: bool = False) -> MembershipChange:
    """The change that gives a current member a new role from ``on``."""
    last = _current(party_changes)
    if last is None or last.role is None:
        raise InvariantViolated(f"{party} is not a member of {coalition.code}", field="party")
    if role is last.role:
        raise Conflict(f"{party} is already {role.label} of {coalition.code}", field="role")
    if role is MembershipRole.RECIPIENT and party != coalition.recipient:
        raise InvalidInput(
            f"only the coalition's recipient ({coalition.recipient}) can hold the recipient role", field="role")
    _after_last(last, on, "the role change")
    return MembershipChange(coalition.code, party, ChangeKind.ROLE_CHANGED, on, role,
                            instrument if instrument is not None else last.instrument, note, illustrative)


def leave(coalition: Coalition, party: str, on: date, party_changes: Sequence[MembershipChange], *,
          note: str = "", illustrative: bool = False) -> MembershipChange:
    """The change that ends a current membership on ``on``; it cannot end before it starts."""
    last = _current(party_changes)
    if last is None or last.role is None:
        raise InvariantViolated(f"{party} is not a member of {coalition.code}", field="party")
    joined = max(c.effective_on for c in party_changes if c.kind is ChangeKind.JOINED)
    if on <= joined:
        raise InvariantViolated(
            f"membership ending before it starts: {party} joined {coalition.code} on {joined}, "
            f"so it cannot leave on {on}", field="on")
    _after_last(last, on, "leaving")
    return MembershipChange(coalition.code, party, ChangeKind.LEFT, on, None, last.instrument, note, illustrative)
