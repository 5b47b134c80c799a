"""Membership is a history: joining, role changes and departures are appended, never overwritten,
and who was what on any date can always be asked."""

from datetime import date

import pytest

from coalition.domain.coalition import Coalition, MembershipRole
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated
from coalition.domain.membership import ChangeKind, MembershipChange, admit, change_role, leave, roster_on, spells

IT = Coalition("it", "IT Coalition", "IT", "UDCG", "UA", date(2023, 9, 19), "Ramstein", "EUR")
LEAD, MEMBER, OBSERVER, RECIPIENT = (MembershipRole.LEAD, MembershipRole.MEMBER, MembershipRole.OBSERVER,
                                     MembershipRole.RECIPIENT)


class History:
    """A tiny in-memory history that numbers changes as a store would."""

    def __init__(self) -> None:
        self.changes: list[MembershipChange] = []

    def of(self, party: str) -> list[MembershipChange]:
        return [c for c in self.changes if c.party == party]

    def add(self, change: MembershipChange) -> None:
        self.changes.append(MembershipChange(change.coalition, change.party, change.kind, change.effective_on,
                                             change.role, change.instrument, change.note, change.illustrative,
                                             len(self.changes) + 1))

    def join(self, party: str, role: MembershipRole, on: date) -> None:
        self.add(admit(IT, party, role, on, self.of(party)))


def roles_on(history: History, day: date) -> dict[str, MembershipRole]:
    return {spell.party: spell.role for spell in roster_on(history.changes, day)}


def test_founders_then_later_joiners_are_listed_on_the_right_dates():
    history = History()
    history.join("EE", LEAD, date(2023, 9, 19))
    history.join("LU", LEAD, date(2023, 9, 19))
    history.join("UA", RECIPIENT, date(2023, 9, 19))
    history.join("NL", MEMBER, date(2024, 2, 14))
    assert roles_on(history, date(2023, 9, 19)) == {"EE": LEAD, "LU": LEAD, "UA": RECIPIENT}
    assert "NL" not in roles_on(history, date(2024, 2, 13))
    assert roles_on(history, date(2024, 3, 6))["NL"] is MEMBER


def test_a_role_change_is_a_new_record_and_the_old_role_stays_in_history():
    history = History()
    history.join("GB", MembershipRole.DOI_SIGNATORY, date(2024, 2, 14))
    history.add(change_role(IT, "GB", MEMBER, date(2024, 6, 1), history.of("GB")))
    assert roles_on(history, date(2024, 5, 31)) == {"GB": MembershipRole.DOI_SIGNATORY}
    assert roles_on(history, date(2024, 6, 1)) == {"GB": MEMBER}
    assert [c.kind for c in history.changes] == [ChangeKind.JOINED, ChangeKind.ROLE_CHANGED]
    gb_spells = spells(history.changes)
    assert [(s.role, s.start, s.end) for s in gb_spells] == [
        (MembershipRole.DOI_SIGNATORY, date(2024, 2, 14), date(2024, 6, 1)),
        (MEMBER, date(2024, 6, 1), None),
    ]


def test_a_departure_ends_membership_from_its_date_and_a_party_may_rejoin():
    history = History()
    history.join("IS", MEMBER, date(2024, 1, 18))
    history.add(leave(IT, "IS", date(2025, 1, 1), history.of("IS")))
    assert "IS" in roles_on(history, date(2024, 12, 31))
    assert "IS" not in roles_on(history, date(2025, 1, 1))
    history.join("IS", OBSERVER, date(2025, 6, 1))
    assert roles_on(history, date(2025, 6, 1)) == {"IS": OBSERVER}
    assert len(spells(history.changes)) == 2


def test_a_duplicate_membership_is_refused():
    history = History()
    history.join("EE", LEAD, date(2023, 9, 19))
    with pytest.raises(Conflict, match="duplicate membership: EE is already lead nation") as caught:
        history.join("EE", MEMBER, date(2024, 1, 1))
    assert caught.value.field == "party"


def test_a_membership_cannot_end_before_it_starts():
    history = History()
    history.join("NL", MEMBER, date(2024, 2, 14))
    with pytest.raises(InvariantViolated, match="membership ending before it starts") as caught:
        leave(IT, "NL", date(2024, 1, 1), history.of("NL"))
    assert caught.value.field == "on"
    with pytest.raises(InvariantViolated, match="ending before it starts"):
        leave(IT, "NL", date(2024, 2, 14), history.of("NL"))


def test_history_is_appended_never_rewritten_backwards():
    history = History()
    history.join("LV", MEMBER, date(2024, 1, 18))
    history.add(change_role(IT, "LV", LEAD, date(2024, 6, 1), history.of("LV")))
    with pytest.raises(InvariantViolated, match="must come after the party's last recorded change"):
        change_role(IT, "LV", MEMBER, date(2024, 3, 1), history.of("LV"))


def test_nobody_joins_before_the_coalition_was_founded():
    with pytest.raises(InvariantViolated, match=r"2023-01-01 is before it was founded \(2023-09-19\)"):
        admit(IT, "EE", LEAD, date(2023, 1, 1), [])


def test_only_the_recipient_holds_the_recipient_role():
    with pytest.raises(InvalidInput, match="only the coalition's recipient") as caught:
        admit(IT, "EE", RECIPIENT, date(2023, 9, 19), [])
    assert caught.value.field == "role"


def test_only_current_members_change_role_or_leave():
    with pytest.raises(InvariantViolated, match="not a member"):
        change_role(IT, "DK", LEAD, date(2024, 1, 1), [])
    with pytest.raises(InvariantViolated, match="not a member"):
        leave(IT, "DK", date(2024, 1, 1), [])
    history = History()
    history.join("DK", MEMBER, date(2024, 1, 18))
    with pytest.raises(Conflict, match="already member"):
        change_role(IT, "DK", MEMBER, date(2024, 2, 1), history.of("DK"))
