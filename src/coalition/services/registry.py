"""The coalition registry: parties, coalitions, funds, memberships and legal instruments.

Writes: each function is one transaction that checks permission, validates against what is
stored, writes, and appends the audit record. Reads: views assembled for the entrypoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from coalition.domain import membership as rules
from coalition.domain.access import Actor, can
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.coalition import Coalition, Fund, MembershipRole
from coalition.domain.errors import Conflict, InvalidInput, NotFound, refusal
from coalition.domain.identifiers import IdScheme, PartyIdentifier, iso_identifier
from coalition.domain.instrument import Instrument, Signature, check_cited, sign
from coalition.domain.membership import MembershipChange, Spell
from coalition.domain.party import Party, PartyKind
from coalition.services.audit import record_change, require
from coalition.services.ports import UnitOfWork

# --- lookups shared by writes and reads -------------------------------------------------


def load_party(uow: UnitOfWork, code: str, field: str = "party") -> Party:
    party = uow.parties.get(code)
    if party is None:
        raise NotFound(f"no party with code '{code}'", field=field)
    return party


def load_coalition(uow: UnitOfWork, code: str, field: str = "coalition") -> Coalition:
    found = uow.coalitions.get(code)
    if found is None:
        raise NotFound(f"no coalition with code '{code}'", field=field)
    return found


def _instrument(uow: UnitOfWork, code: str, coalition: str | None = None, field: str = "instrument") -> Instrument:
    found = uow.instruments.get(code)
    if found is None:
        raise NotFound(f"no instrument with code '{code}'", field=field)
    if coalition is not None and found.coalition != coalition:
        raise InvalidInput(f"instrument '{code}' belongs to {found.coalition}, not {coalition}", field=field)
    return found


# --- writes ---------------------------------------------------------------------------


def register_party(uow: UnitOfWork, actor: Actor, party: Party) -> Party:
    require(can(actor, "register_party"))
    with uow:
        if uow.parties.get(party.code) is not None:
            raise Conflict(f"a party with code '{party.code}' is already registered", field="code")
        uow.parties.add(party)
        record_change(uow, actor, AuditEvent("register_party", "party", party.code, None, snapshot(party)))
        uow.commit()
    return party


def identify_party(uow: UnitOfWork, actor: Actor, identifier: PartyIdentifier) -> PartyIdentifier:
    """Record a party's identifier in one scheme of the crosswalk (in place of the one it held there)."""
    require(can(actor, "register_party"))
    if identifier.scheme is IdScheme.ISO3166:
        raise refusal(InvalidInput, "a state's ISO 3166-1 code is its party code and is not recorded separately",
                      field="scheme")
    with uow:
        load_party(uow, identifier.party)
        holder = uow.parties.holder(identifier.scheme, identifier.value)
        if holder is not None and holder != identifier.party:
            raise refusal(Conflict, "the {scheme} identifier '{value}' is already held by {holder}", field="id",
                          scheme=identifier.scheme.value, value=identifier.value, holder=holder)
        before = next((i for i in uow.parties.identifiers([identifier.party]) if i.scheme is identifier.scheme),
                      None)
        if before == identifier:
            return identifier
        uow.parties.set_identifier(identifier)
        record_change(uow, actor, AuditEvent("identify_party", "party_identifier",
                                             f"{identifier.party}/{identifier.scheme.value}",
                                             None if before is None else snapshot(before), snapshot(identifier)))
        uow.commit()
    return identifier


def create_coalition(uow: UnitOfWork, actor: Actor, coalition: Coalition) -> Coalition:
    require(can(actor, "create_coalition"))
    with uow:
        if uow.coalitions.get(coalition.code) is not None:
            raise Conflict(f"a coalition with code '{coalition.code}' already exists", field="code")
        load_party(uow, coalition.recipient, "recipient")
        uow.coalitions.add(coalition)
        record_change(uow, actor, AuditEvent("create_coalition", "coalition", coalition.code, None,
                                             snapshot(coalition)))
        uow.commit()
    return coalition


def add_fund(uow: UnitOfWork, actor: Actor, fund: Fund) -> Fund:
    require(can(actor, "manage_funds", fund.coalition))
    with uow:
        load_coalition(uow, fund.coalition)
        load_party(uow, fund.custodian, "custodian")
        if uow.coalitions.get_fund(fund.code) is not None:
            raise Conflict(f"a fund with code '{fund.code}' already exists", field="fund")
        uow.coalitions.add_fund(fund)
        record_change(uow, actor, AuditEvent("add_fund", "fund", fund.code, None, snapshot(fund)))
        uow.commit()
    return fund


def _record_membership_change(uow: UnitOfWork, actor: Actor, action: str, change: MembershipChange) -> MembershipChange:
    stored = uow.memberships.add(change)
    record_change(uow, actor, AuditEvent(action, "membership", f"{change.coalition}/{change.party}", None,
                                         snapshot(stored)))
    uow.commit()
    return stored


def _cited(uow: UnitOfWork, code: str, coalition: str, party: str, on: date) -> None:
    """An instrument of ``coalition`` a membership of ``party`` from ``on`` may rest on (``check_cited``)."""
    check_cited(_instrument(uow, code, coalition), party, on, uow.instruments.signatures(code))


def admit_member(uow: UnitOfWork, actor: Actor, *, coalition: str, party: str, role: MembershipRole, on: date,
                 instrument: str | None = None, note: str = "", illustrative: bool = False) -> MembershipChange:
    """Admit a party in a role from ``on``, optionally under a legal instrument."""
    require(can(actor, "manage_members", coalition))
    with uow:
        found = load_coalition(uow, coalition)
        load_party(uow, party)
        if instrument is not None:
            _cited(uow, instrument, coalition, party, on)
        change = rules.admit(found, party, role, on, uow.memberships.changes(coalition, party),
                             instrument=instrument, note=note, illustrative=illustrative)
        return _record_membership_change(uow, actor, "admit_member", change)


def change_member_role(uow: UnitOfWork, actor: Actor, *, coalition: str, party: str, role: MembershipRole,
                       on: date, instrument: str | None = None, note: str = "",
                       illustrative: bool = False) -> MembershipChange:
    """Record that a member holds a new role from ``on``; the earlier role stays in the history."""
    require(can(actor, "manage_members", coalition))
    with uow:
        found = load_coalition(uow, coalition)
        load_party(uow, party)
        if instrument is not None:
            _cited(uow, instrument, coalition, party, on)
        change = rules.change_role(found, party, role, on, uow.memberships.changes(coalition, party),
                                   instrument=instrument, note=note, illustrative=illustrative)
        return _record_membership_change(uow, actor, "change_member_role", change)


def record_departure(uow: UnitOfWork, actor: Actor, *, coalition: str, party: str, on: date, note: str = "",
                     illustrative: bool = False) -> MembershipChange:
    """Record that a member left on ``on`` (no longer a member from that day)."""
    require(can(actor, "manage_members", coalition))
    with uow:
        found = load_coalition(uow, coalition)
        load_party(uow, party)
        change = rules.leave(found, party, on, uow.memberships.changes(coalition, party), note=note,
                             illustrative=illustrative)
        return _record_membership_change(uow, actor, "record_departure", change)


def record_instrument(uow: UnitOfWork, actor: Actor, instrument: Instrument) -> Instrument:
    require(can(actor, "record_instrument", instrument.coalition))
    with uow:
        load_coalition(uow, instrument.coalition)
        if uow.instruments.get(instrument.code) is not None:
            raise Conflict(f"an instrument with code '{instrument.code}' already exists", field="code")
        uow.instruments.add(instrument)
        record_change(uow, actor, AuditEvent("record_instrument", "instrument", instrument.code, None,
                                             snapshot(instrument)))
        uow.commit()
    return instrument


def add_signatory(uow: UnitOfWork, actor: Actor, *, instrument: str, party: str, signed_on: date,
                  illustrative: bool = False) -> Signature:
    with uow:
        found = _instrument(uow, instrument)
        require(can(actor, "record_instrument", found.coalition))
        load_party(uow, party)
        signature = sign(found, party, signed_on, uow.instruments.signatures(instrument),
                         illustrative=illustrative)
        uow.instruments.add_signature(signature)
        record_change(uow, actor, AuditEvent("add_signatory", "signature", f"{instrument}/{party}", None,
                                             snapshot(signature)))
        uow.commit()
    return signature


# --- reads ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberView:
    """One member on a date: the spell, the party, and whether its role votes under the rules."""

    spell: Spell
    party: Party
    votes: bool


@dataclass(frozen=True, slots=True)
class InstrumentView:
    instrument: Instrument
    signatures: list[Signature]


@dataclass(frozen=True, slots=True)
class CoalitionView:
    coalition: Coalition
    recipient: Party
    funds: list[Fund]
    instruments: list[InstrumentView]
    members: list[MemberView]
    on: date


_ROLE_ORDER = {role: index for index, role in enumerate(MembershipRole)}


def list_parties(uow: UnitOfWork, actor: Actor, kind: PartyKind | None = None) -> list[Party]:
    require(can(actor, "read_registry"))
    with uow:
        return uow.parties.all(kind)


def get_party(uow: UnitOfWork, actor: Actor, code: str) -> Party:
    require(can(actor, "read_registry"))
    with uow:
        return load_party(uow, code)


def party_identifiers(uow: UnitOfWork, actor: Actor, code: str) -> list[PartyIdentifier]:
    """A party's identifiers in the crosswalk; a state's ISO 3166-1 code comes first, implicit in its code."""
    require(can(actor, "read_registry"))
    with uow:
        party = load_party(uow, code)
        stored = uow.parties.identifiers([code])
    return ([iso_identifier(party.code)] if party.kind is PartyKind.STATE else []) + stored


def list_coalitions(uow: UnitOfWork, actor: Actor) -> list[Coalition]:
    require(can(actor, "read_registry"))
    with uow:
        return uow.coalitions.all()


def list_funds(uow: UnitOfWork, actor: Actor, coalition: str) -> list[Fund]:
    require(can(actor, "read_registry", coalition))
    with uow:
        load_coalition(uow, coalition)
        return uow.coalitions.funds(coalition)


def _members(uow: UnitOfWork, coalition: Coalition, on: date) -> list[MemberView]:
    roster = rules.roster_on(uow.memberships.changes(coalition.code), on)
    views = [MemberView(spell, load_party(uow, spell.party), coalition.rules.may_vote(spell.role)) for spell in roster]
    return sorted(views, key=lambda v: (_ROLE_ORDER[v.spell.role], v.party.name))


def members_on(uow: UnitOfWork, actor: Actor, coalition: str, on: date) -> list[MemberView]:
    """Who was a member of ``coalition`` on ``on``, in which role, and who votes."""
    require(can(actor, "read_registry", coalition))
    with uow:
        return _members(uow, load_coalition(uow, coalition), on)


@dataclass(frozen=True, slots=True)
class MemberCounts:
    """How many a coalition unites on a day: states taking part (the recipient and declaration signatories
    included), organisations taking part, and observers of any kind, each counted once."""

    states: int
    organisations: int
    observers: int


def count_members(members: Sequence[MemberView]) -> MemberCounts:
    """The counts by kind of a day's members (``members_on``)."""
    taking_part = {m.party.code: m.party.kind for m in members if m.spell.role is not MembershipRole.OBSERVER}
    watching = {m.party.code for m in members if m.spell.role is MembershipRole.OBSERVER} - set(taking_part)
    states = sum(1 for kind in taking_part.values() if kind is PartyKind.STATE)
    return MemberCounts(states, len(taking_part) - states, len(watching))


def membership_history(uow: UnitOfWork, actor: Actor, coalition: str,
                       party: str | None = None) -> list[MembershipChange]:
    """Every recorded change, oldest first: the full story of who was what, when."""
    require(can(actor, "read_registry", coalition))
    with uow:
        load_coalition(uow, coalition)
        if party is not None:
            load_party(uow, party)
        return sorted(uow.memberships.changes(coalition, party), key=lambda c: (c.effective_on, c.id or 0))


def _instrument_views(uow: UnitOfWork, coalition: str) -> list[InstrumentView]:
    return [InstrumentView(i, sorted(uow.instruments.signatures(i.code), key=lambda s: (s.signed_on, s.party)))
            for i in sorted(uow.instruments.for_coalition(coalition), key=lambda i: (i.term_start, i.code))]


def list_instruments(uow: UnitOfWork, actor: Actor, coalition: str) -> list[InstrumentView]:
    require(can(actor, "read_registry", coalition))
    with uow:
        load_coalition(uow, coalition)
        return _instrument_views(uow, coalition)


def get_instrument(uow: UnitOfWork, actor: Actor, code: str) -> InstrumentView:
    with uow:
        found = _instrument(uow, code)
        require(can(actor, "read_registry", found.coalition))
        return InstrumentView(found, sorted(uow.instruments.signatures(code), key=lambda s: (s.signed_on, s.party)))


def coalition_view(uow: UnitOfWork, actor: Actor, code: str, on: date) -> CoalitionView:
    """A coalition with its recipient, funds, instruments and the members on ``on``."""
    require(can(actor, "read_registry", code))
    with uow:
        found = load_coalition(uow, code)
        return CoalitionView(found, load_party(uow, found.recipient, "recipient"), uow.coalitions.funds(code),
                             _instrument_views(uow, code), _members(uow, found, on), on)
