"""The registry's write ports (parties, coalitions and funds, membership changes), the same on the fake, SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import date

from coalition.domain.coalition import Coalition, DecisionRules, Fund, MembershipRole
from coalition.domain.identifiers import IdScheme, PartyIdentifier
from coalition.domain.instrument import Instrument, InstrumentKind, Signature
from coalition.domain.membership import ChangeKind, MembershipChange
from coalition.domain.party import Party, PartyKind
from tests.contract.conftest import FUND, PARTIES, C, Units, written


def test_parties_are_listed_by_kind_and_name(units: Units):
    with units() as uow:
        uow.parties.add(Party("AAA", PartyKind.COMPANY, "Zeta Radio"))
        written(uow, "party")
    with units() as uow:
        assert uow.parties.get("AAA") == Party("AAA", PartyKind.COMPANY, "Zeta Radio")
        assert uow.parties.get("ZZ-9") is None
        listed = uow.parties.all()
        assert len(listed) == len(PARTIES) + 1
        assert [(p.kind.value, p.name) for p in listed] == sorted((p.kind.value, p.name) for p in listed)
        assert [p.code for p in uow.parties.all(PartyKind.COMPANY)] == ["SUP-A", "AAA"]


def test_coalitions_are_listed_by_founding_and_keep_their_rules_and_funds(units: Units):
    older = Coalition("aa", "Older coalition", "Demining", "UDCG", "UA", date(2023, 6, 1), "Ramstein", "EUR")
    rules = DecisionRules(secretariat_may_approve=True)
    with units() as uow:
        uow.coalitions.add(older)
        uow.coalitions.add_fund(Fund("aa-fund", "aa", "Fund", "NSPA", "USD"))
        uow.coalitions.set_rules(C, rules)
        written(uow, "coalitions")
    with units() as uow:
        assert [c.code for c in uow.coalitions.all()] == ["aa", C]
        found = uow.coalitions.get(C)
        assert found is not None and found.rules == rules and uow.coalitions.get("zz") is None
        assert uow.coalitions.get_fund(FUND) == Fund(FUND, C, "Fund", "NSPA", "EUR")
        assert [f.code for f in uow.coalitions.funds("aa")] == ["aa-fund"]


def test_membership_changes_are_listed_by_effective_day(units: Units):
    with units() as uow:
        later = uow.memberships.add(MembershipChange(C, "EE", ChangeKind.ROLE_CHANGED, date(2024, 6, 1),
                                                     MembershipRole.LEAD))
        joined = uow.memberships.add(MembershipChange(C, "EE", ChangeKind.JOINED, date(2024, 1, 1),
                                                      MembershipRole.MEMBER))
        other = uow.memberships.add(MembershipChange(C, "LV", ChangeKind.JOINED, date(2024, 3, 1),
                                                     MembershipRole.MEMBER))
        written(uow, "members")
    with units() as uow:
        assert joined.id is not None and later.id is not None and other.id is not None
        assert uow.memberships.changes(C) == [joined, other, later]
        assert uow.memberships.changes(C, "EE") == [joined, later]


def test_an_instrument_keeps_its_signatures_in_order_of_signing(units: Units):
    agreement = Instrument("MOU-1", C, InstrumentKind.MEMORANDUM, "Memorandum", date(2024, 1, 1))
    with units() as uow:
        uow.instruments.add(agreement)
        uow.instruments.add_signature(Signature("MOU-1", "LV", date(2024, 2, 1)))
        uow.instruments.add_signature(Signature("MOU-1", "EE", date(2024, 1, 15)))
        written(uow, "instrument")
    with units() as uow:
        assert uow.instruments.get("MOU-1") == agreement and uow.instruments.get("MOU-9") is None
        assert uow.instruments.for_coalition(C) == [agreement] and uow.instruments.for_coalition("aa") == []
        assert uow.instruments.signatures("MOU-1") == [Signature("MOU-1", "EE", date(2024, 1, 15)),
                                                       Signature("MOU-1", "LV", date(2024, 2, 1))]


def test_a_partys_identifiers_are_kept_one_per_scheme_and_found_by_value(units: Units):
    with units() as uow:
        uow.parties.set_identifier(PartyIdentifier("NSPA", IdScheme.OCDS, "ocds-nspa"))
        uow.parties.set_identifier(PartyIdentifier("EE", IdScheme.IATI, "XM-DAC-82"))
        uow.parties.set_identifier(PartyIdentifier("NSPA", IdScheme.IATI, "XM-OCHA-1"))
        uow.parties.set_identifier(PartyIdentifier("NSPA", IdScheme.IATI, "XM-OCHA-2"))  # in place of the first
        written(uow, "identifiers")
    with units() as uow:
        assert uow.parties.identifiers(["NSPA"]) == [PartyIdentifier("NSPA", IdScheme.IATI, "XM-OCHA-2"),
                                                     PartyIdentifier("NSPA", IdScheme.OCDS, "ocds-nspa")]
        assert [i.party for i in uow.parties.identifiers()] == ["EE", "NSPA", "NSPA"]
        assert uow.parties.identifiers([]) == []
        assert uow.parties.holder(IdScheme.IATI, "XM-DAC-82") == "EE"
        assert uow.parties.holder(IdScheme.IATI, "XM-OCHA-1") is None
        assert uow.parties.holder(IdScheme.OCDS, "XM-DAC-82") is None
