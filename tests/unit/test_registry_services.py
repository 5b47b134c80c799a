"""The registry's use cases on in-memory fakes: each is one transaction, checked and audited."""

from datetime import date

import pytest

from coalition.domain.access import PUBLIC_ACTOR, Actor, Grant, Role
from coalition.domain.coalition import Coalition, Fund, MembershipRole
from coalition.domain.errors import Conflict, InvariantViolated, NotFound, PermissionDenied
from coalition.domain.identifiers import IdScheme, PartyIdentifier
from coalition.domain.instrument import Instrument, InstrumentKind
from coalition.domain.party import Party, PartyKind
from coalition.services import registry
from coalition.services.audit import verify_audit
from tests.fakes import FakeUnitOfWork

ADMIN = Actor("admin", grants=frozenset({Grant(Role.PLATFORM_ADMIN)}))
IT_SECRETARIAT = Actor("it-secretariat", grants=frozenset({Grant(Role.SECRETARIAT, "it")}))
AUDITOR = Actor("auditor", grants=frozenset({Grant(Role.AUDITOR)}))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    for code in ("EE", "LU", "UA", "NL"):
        registry.register_party(uow, ADMIN, Party.state(code))
    registry.register_party(uow, ADMIN, Party("NSPA", PartyKind.AGENCY, "NATO Support and Procurement Agency"))
    registry.create_coalition(uow, ADMIN, Coalition("it", "IT Coalition", "IT", "UDCG", "UA", date(2023, 9, 19),
                                                    "Ramstein", "EUR"))
    return uow


def audit_actions(uow: FakeUnitOfWork) -> list[str]:
    return [r.action for r in uow.committed.audit]


def test_every_change_appends_one_audit_record_with_actor_and_after(uow: FakeUnitOfWork):
    before = len(uow.committed.audit)
    change = registry.admit_member(uow, IT_SECRETARIAT, coalition="it", party="EE", role=MembershipRole.LEAD,
                                   on=date(2023, 9, 19))
    records = uow.committed.audit[before:]
    assert len(records) == 1
    record = records[0]
    assert (record.action, record.object_type, record.object_id) == ("admit_member", "membership", "it/EE")
    assert record.actor["user"] == "it-secretariat"
    assert record.before is None
    assert record.after["role"] == "lead"
    assert record.after["id"] == change.id
    assert verify_audit(uow, AUDITOR).ok


def test_the_public_cannot_register_and_the_reason_is_given(uow: FakeUnitOfWork):
    with pytest.raises(PermissionDenied, match="needs the role platform-admin or secretariat"):
        registry.register_party(uow, PUBLIC_ACTOR, Party.state("DK"))
    assert uow.committed.parties.get("DK") is None


def test_a_secretariat_manages_only_its_own_coalition(uow: FakeUnitOfWork):
    registry.create_coalition(uow, ADMIN, Coalition("drone", "Drone Coalition", "UAV", "UDCG", "UA",
                                                    date(2024, 2, 14), "UDCG", "EUR"))
    with pytest.raises(PermissionDenied):
        registry.admit_member(uow, IT_SECRETARIAT, coalition="drone", party="LU", role=MembershipRole.MEMBER,
                              on=date(2025, 2, 12))


def test_a_refused_change_writes_nothing(uow: FakeUnitOfWork):
    registry.admit_member(uow, ADMIN, coalition="it", party="NL", role=MembershipRole.MEMBER, on=date(2024, 2, 14))
    commits, audit = uow.commits, len(uow.committed.audit)
    with pytest.raises(InvariantViolated, match="ending before it starts"):
        registry.record_departure(uow, ADMIN, coalition="it", party="NL", on=date(2024, 1, 1))
    with pytest.raises(Conflict, match="duplicate membership"):
        registry.admit_member(uow, ADMIN, coalition="it", party="NL", role=MembershipRole.MEMBER,
                              on=date(2024, 3, 1))
    assert (uow.commits, len(uow.committed.audit), len(uow.committed.changes)) == (commits, audit, 1)


def test_unknown_names_are_not_found_with_the_field(uow: FakeUnitOfWork):
    with pytest.raises(NotFound) as caught:
        registry.admit_member(uow, ADMIN, coalition="nope", party="EE", role=MembershipRole.LEAD,
                              on=date(2024, 1, 1))
    assert caught.value.field == "coalition"
    with pytest.raises(NotFound) as caught:
        registry.admit_member(uow, ADMIN, coalition="it", party="ZZZ", role=MembershipRole.LEAD, on=date(2024, 1, 1))
    assert caught.value.field == "party"
    with pytest.raises(NotFound) as caught:
        registry.add_fund(uow, ADMIN, Fund("f", "it", "Fund", "NOBODY", "EUR"))
    assert caught.value.field == "custodian"


def test_a_member_joins_under_an_instrument_of_its_own_coalition(uow: FakeUnitOfWork):
    registry.record_instrument(uow, ADMIN, Instrument("ca", "it", InstrumentKind.COOPERATION_AGREEMENT, "CA",
                                                      date(2024, 1, 18), date(2030, 1, 18)))
    registry.add_signatory(uow, ADMIN, instrument="ca", party="NL", signed_on=date(2024, 2, 14))
    change = registry.admit_member(uow, ADMIN, coalition="it", party="NL", role=MembershipRole.MEMBER,
                                   on=date(2024, 2, 14), instrument="ca")
    assert change.instrument == "ca"
    with pytest.raises(NotFound) as caught:
        registry.admit_member(uow, ADMIN, coalition="it", party="EE", role=MembershipRole.LEAD,
                              on=date(2023, 9, 19), instrument="missing")
    assert caught.value.field == "instrument"


def test_a_membership_rests_only_on_an_instrument_in_force_that_its_party_signed_before(uow: FakeUnitOfWork):
    registry.record_instrument(uow, ADMIN, Instrument("ca", "it", InstrumentKind.COOPERATION_AGREEMENT, "CA",
                                                      date(2024, 1, 18), date(2030, 1, 18)))
    registry.add_signatory(uow, ADMIN, instrument="ca", party="EE", signed_on=date(2024, 1, 18))
    with pytest.raises(InvariantViolated, match=r"ca is in force from 2024-01-18 until 2030-01-18; a membership "
                                                r"from 2023-09-19 cannot rest on it"):
        registry.admit_member(uow, ADMIN, coalition="it", party="EE", role=MembershipRole.LEAD,
                              on=date(2023, 9, 19), instrument="ca")
    with pytest.raises(InvariantViolated, match="LU has not signed ca") as unsigned:
        registry.admit_member(uow, ADMIN, coalition="it", party="LU", role=MembershipRole.LEAD,
                              on=date(2024, 2, 1), instrument="ca")
    assert unsigned.value.field == "instrument"
    registry.add_signatory(uow, ADMIN, instrument="ca", party="NL", signed_on=date(2024, 3, 1))
    with pytest.raises(InvariantViolated, match="NL signed ca on 2024-03-01, after the membership's start on "
                                                "2024-02-14"):
        registry.admit_member(uow, ADMIN, coalition="it", party="NL", role=MembershipRole.MEMBER,
                              on=date(2024, 2, 14), instrument="ca")
    assert registry.admit_member(uow, ADMIN, coalition="it", party="EE", role=MembershipRole.LEAD,
                                 on=date(2024, 1, 18), instrument="ca").instrument == "ca"


def test_members_on_a_date_say_who_votes(uow: FakeUnitOfWork):
    registry.admit_member(uow, ADMIN, coalition="it", party="EE", role=MembershipRole.LEAD, on=date(2023, 9, 19))
    registry.admit_member(uow, ADMIN, coalition="it", party="UA", role=MembershipRole.RECIPIENT, on=date(2023, 9, 19))
    registry.admit_member(uow, ADMIN, coalition="it", party="NL", role=MembershipRole.OBSERVER, on=date(2024, 2, 2))
    listed = {m.party.code: m.votes for m in registry.members_on(uow, PUBLIC_ACTOR, "it", date(2024, 3, 6))}
    assert listed == {"EE": True, "UA": False, "NL": False}


def test_a_partys_identifier_is_recorded_once_replaced_with_its_before_and_refused_to_the_public(
        uow: FakeUnitOfWork):
    first = PartyIdentifier("NSPA", IdScheme.IATI, "XM-OCHA-1")
    registry.identify_party(uow, IT_SECRETARIAT, first)
    registry.identify_party(uow, IT_SECRETARIAT, first)  # the same again: nothing to record
    registry.identify_party(uow, ADMIN, PartyIdentifier("NSPA", IdScheme.IATI, "XM-OCHA-2"))
    records = [r for r in uow.committed.audit if r.action == "identify_party"]
    assert len(records) == 2 and records[0].before is None
    assert records[1].before["value"] == "XM-OCHA-1" and records[1].after["value"] == "XM-OCHA-2"
    with pytest.raises(PermissionDenied):
        registry.identify_party(uow, PUBLIC_ACTOR, PartyIdentifier("EE", IdScheme.IATI, "XM-DAC-82"))
    with pytest.raises(NotFound):
        registry.identify_party(uow, ADMIN, PartyIdentifier("XX-NONE", IdScheme.IATI, "XM-DAC-99"))
    with pytest.raises(Conflict):
        registry.identify_party(uow, ADMIN, PartyIdentifier("EE", IdScheme.IATI, "XM-OCHA-2"))
    assert registry.party_identifiers(uow, PUBLIC_ACTOR, "EE") == [PartyIdentifier("EE", IdScheme.ISO3166, "EE")]
    assert registry.party_identifiers(uow, PUBLIC_ACTOR, "NSPA") == [PartyIdentifier("NSPA", IdScheme.IATI,
                                                                                     "XM-OCHA-2")]
