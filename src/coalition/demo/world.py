"""The built-in demo world: the IT Coalition and the Drone Coalition from public facts.

Every step goes through the ordinary services, so the demo is audited like real work.
Running it again adds nothing: each step first looks for what it would create.
Facts that are not public (exact dates of some signatures, the fund's custodian, the observer)
are marked illustrative in the records themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from coalition.demo.funding import build_demo_funding
from coalition.demo.identifiers import build_demo_identifiers
from coalition.demo.innovation import build_demo_innovation
from coalition.demo.offers import build_demo_offers
from coalition.demo.packages import build_demo_packages
from coalition.demo.planning import build_demo_planning
from coalition.demo.procurement import build_demo_procurement
from coalition.demo.programmes import build_demo_programme
from coalition.domain.access import Actor
from coalition.domain.coalition import Coalition, DecisionRules, Fund, MembershipRole
from coalition.domain.errors import NotFound
from coalition.domain.instrument import Instrument, InstrumentKind, add_years
from coalition.domain.membership import ChangeKind
from coalition.domain.party import Party, PartyKind
from coalition.services import registry
from coalition.services.ports import UnitOfWork

IT = "it-coalition"
DRONE = "drone-coalition"
CONTACT_GROUP = "Ukraine Defence Contact Group"

IT_FOUNDED = date(2023, 9, 19)
CA_SIGNED = date(2024, 1, 18)  # illustrative: the agreement's signing date is not in the public facts
NL_JOINED = date(2024, 2, 14)  # illustrative: "at a later contact-group meeting"
UK_DOI_SIGNED = date(2024, 2, 14)  # illustrative
DRONE_FOUNDED = date(2024, 2, 14)  # illustrative
LU_JOINED_DRONE = date(2025, 2, 12)  # illustrative day; the year 2025 is public

FOUNDERS = ("EE", "LU", "UA")
CA_MEMBERS = ("BE", "DK", "IS", "IT", "LV", "LT")
STATES = ("EE", "LU", "UA", "BE", "DK", "IS", "IT", "LV", "LT", "NL", "GB")


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    already_present: int = 0

    def note(self, created: bool, what: str) -> None:
        if created:
            self.created.append(what)
        else:
            self.already_present += 1


def _ensure_party(uow: UnitOfWork, actor: Actor, party: Party, result: DemoResult) -> None:
    try:
        registry.get_party(uow, actor, party.code)
        result.note(False, party.code)
    except NotFound:
        registry.register_party(uow, actor, party)
        result.note(True, f"party {party.code}")


def _ensure_coalition(uow: UnitOfWork, actor: Actor, coalition: Coalition, result: DemoResult) -> None:
    exists = any(c.code == coalition.code for c in registry.list_coalitions(uow, actor))
    if not exists:
        registry.create_coalition(uow, actor, coalition)
    result.note(not exists, f"coalition {coalition.code}")


def _ensure_fund(uow: UnitOfWork, actor: Actor, fund: Fund, result: DemoResult) -> None:
    exists = any(f.code == fund.code for f in registry.list_funds(uow, actor, fund.coalition))
    if not exists:
        registry.add_fund(uow, actor, fund)
    result.note(not exists, f"fund {fund.code}")


def _ensure_instrument(uow: UnitOfWork, actor: Actor, instrument: Instrument, result: DemoResult) -> None:
    try:
        registry.get_instrument(uow, actor, instrument.code)
        result.note(False, instrument.code)
    except NotFound:
        registry.record_instrument(uow, actor, instrument)
        result.note(True, f"instrument {instrument.code}")


def _ensure_signature(uow: UnitOfWork, actor: Actor, instrument: str, party: str, signed_on: date,
                      result: DemoResult, *, illustrative: bool) -> None:
    view = registry.get_instrument(uow, actor, instrument)
    exists = any(s.party == party for s in view.signatures)
    if not exists:
        registry.add_signatory(uow, actor, instrument=instrument, party=party, signed_on=signed_on,
                               illustrative=illustrative)
    result.note(not exists, f"signature {instrument}/{party}")


def _ensure_member(uow: UnitOfWork, actor: Actor, coalition: str, party: str, role: MembershipRole, on: date,
                   result: DemoResult, *, instrument: str | None, note: str = "", illustrative: bool) -> None:
    history = registry.membership_history(uow, actor, coalition, party)
    exists = any(c.kind is ChangeKind.JOINED and c.effective_on == on for c in history)
    if not exists:
        registry.admit_member(uow, actor, coalition=coalition, party=party, role=role, on=on,
                              instrument=instrument, note=note, illustrative=illustrative)
    result.note(not exists, f"membership {coalition}/{party}")


def build_demo_world(uow: UnitOfWork, actor: Actor, *, procurement: bool = True) -> DemoResult:
    """Create whatever of the demo world is missing; return what was created.

    Without ``procurement`` the world stops at the first approved allocation, before any case or contract.
    """
    result = build_demo_registry(uow, actor)
    result.already_present += build_demo_funding(uow, actor, result.created)
    result.already_present += build_demo_planning(uow, actor, result.created)
    if procurement:
        result.already_present += build_demo_procurement(uow, actor, result.created)
        result.already_present += build_demo_innovation(uow, actor, result.created)
        result.already_present += build_demo_offers(uow, actor, result.created)
        result.already_present += build_demo_programme(uow, actor, result.created)
    result.already_present += build_demo_packages(uow, actor, result.created)
    return result


def build_demo_registry(uow: UnitOfWork, actor: Actor) -> DemoResult:
    """The demo world's registry alone: parties, coalitions with their funds, instruments and members, and the
    identifier crosswalk, with no money nor procurement (what an import from the open standards starts from)."""
    result = DemoResult()
    _parties(uow, actor, result)
    _it_coalition(uow, actor, result)
    _drone_coalition(uow, actor, result)
    result.already_present += build_demo_identifiers(uow, actor, result.created)
    return result


def _parties(uow: UnitOfWork, actor: Actor, result: DemoResult) -> None:
    """The states, the ministry, the agency and the organisation the demo world names."""
    for code in STATES:
        _ensure_party(uow, actor, Party.state(code), result)
    _ensure_party(uow, actor, Party("UA-MOD", PartyKind.MINISTRY, "Ministry of Defence of Ukraine",
                                    "Міністерство оборони України", "UA"), result)
    _ensure_party(uow, actor, Party("NSPA", PartyKind.AGENCY, "NATO Support and Procurement Agency",
                                    "Агенція НАТО з підтримки та закупівель", "LU"), result)
    _ensure_party(uow, actor, Party("NATO", PartyKind.INTERNATIONAL_ORGANISATION, "North Atlantic Treaty Organization",
                                    "Організація Північноатлантичного договору"), result)


def _it_coalition(uow: UnitOfWork, actor: Actor, result: DemoResult) -> None:
    """The IT Coalition: its fund, its instruments with their signatures, and its members as they joined."""
    _ensure_coalition(uow, actor, Coalition(
        code=IT, name="IT Coalition", capability_area="IT, communications and cybersecurity",
        framework=CONTACT_GROUP, recipient="UA", founded_on=IT_FOUNDED,
        founded_at="Ukraine Defence Contact Group meeting, Ramstein", reporting_currency="EUR",
        rules=DecisionRules(steering_decides_procurement=True)), result)
    _ensure_fund(uow, actor, Fund("it-coalition-fund", IT, "IT Coalition fund", "NSPA", "EUR",
                                  illustrative=True), result)

    _ensure_instrument(uow, actor, Instrument(
        "it-coalition-ca", IT, InstrumentKind.COOPERATION_AGREEMENT,
        "Cooperation Agreement on the IT Coalition: interoperable IT infrastructure of the defence forces "
        "and ministry of Ukraine", CA_SIGNED, add_years(CA_SIGNED, 6), illustrative=True), result)
    _ensure_instrument(uow, actor, Instrument(
        "it-coalition-doi-gb", IT, InstrumentKind.DECLARATION_OF_INTENT,
        "Declaration of Intent of the United Kingdom on joining the IT Coalition", UK_DOI_SIGNED,
        illustrative=True), result)
    for party in FOUNDERS + CA_MEMBERS:
        _ensure_signature(uow, actor, "it-coalition-ca", party, CA_SIGNED, result, illustrative=True)
    _ensure_signature(uow, actor, "it-coalition-ca", "NL", NL_JOINED, result, illustrative=True)
    _ensure_signature(uow, actor, "it-coalition-doi-gb", "GB", UK_DOI_SIGNED, result, illustrative=True)

    # The founders formed the coalition at the contact-group meeting, before any instrument existed; the Cooperation
    # Agreement they signed later is recorded with its signatures, not cited by a membership it came after.
    founding_note = "founding state at the contact-group meeting; later a signatory of the Cooperation Agreement"
    for party, role in (("EE", MembershipRole.LEAD), ("LU", MembershipRole.LEAD), ("UA", MembershipRole.RECIPIENT)):
        _ensure_member(uow, actor, IT, party, role, IT_FOUNDED, result, instrument=None, note=founding_note,
                       illustrative=False)
    for party in CA_MEMBERS:
        _ensure_member(uow, actor, IT, party, MembershipRole.MEMBER, CA_SIGNED, result,
                       instrument="it-coalition-ca", note="signatory of the Cooperation Agreement", illustrative=True)
    _ensure_member(uow, actor, IT, "NL", MembershipRole.MEMBER, NL_JOINED, result, instrument="it-coalition-ca",
                   note="joined at a later contact-group meeting", illustrative=True)
    _ensure_member(uow, actor, IT, "GB", MembershipRole.DOI_SIGNATORY, UK_DOI_SIGNED, result,
                   instrument="it-coalition-doi-gb", note="joined by signing a Declaration of Intent",
                   illustrative=True)
    _ensure_member(uow, actor, IT, "NATO", MembershipRole.OBSERVER, date(2024, 2, 2), result, instrument=None,
                   note="observer at the first steering-group meeting", illustrative=True)


def _drone_coalition(uow: UnitOfWork, actor: Actor, result: DemoResult) -> None:
    """The Drone Coalition: its fund and its members."""
    _ensure_coalition(uow, actor, Coalition(
        code=DRONE, name="Drone Coalition", capability_area="Unmanned aerial systems", framework=CONTACT_GROUP,
        recipient="UA", founded_on=DRONE_FOUNDED, founded_at="Ukraine Defence Contact Group meeting",
        reporting_currency="EUR", illustrative=True), result)
    _ensure_fund(uow, actor, Fund("drone-coalition-fund", DRONE, "Drone Coalition fund", "LV", "EUR",
                                  illustrative=True), result)
    for party, role in (("LV", MembershipRole.LEAD), ("GB", MembershipRole.LEAD), ("UA", MembershipRole.RECIPIENT)):
        _ensure_member(uow, actor, DRONE, party, role, DRONE_FOUNDED, result, instrument=None,
                       note="founding state", illustrative=True)
    _ensure_member(uow, actor, DRONE, "LU", MembershipRole.MEMBER, LU_JOINED_DRONE, result, instrument=None,
                   note="Luxembourg joined the Drone Coalition in 2025", illustrative=True)
