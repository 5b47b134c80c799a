"""Open data: what a coalition's IATI activity file and its flat table of flows hold, for one viewer.

Both read in one transaction and hold only what the viewer may see in full (``access.can_see_record``): a
contribution the viewer may not see is left out whole, its donor, amount and reference with it, and so is a
requirement that only such money reached. The public export holds public (and declassified) records only.
Rendering them (IATI 2.03 XML, CSV, XLSX, JSON) is the adapters' work (``coalition.adapters.open_data``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from coalition.domain import ledger
from coalition.domain.access import PUBLIC_ACTOR, Actor, can, can_see_record
from coalition.domain.coalition import Coalition, Fund
from coalition.domain.contributions import Contribution, ContributionKind, EarmarkKind
from coalition.domain.errors import CoalitionError, NotFound, refusal
from coalition.domain.fx import RateBook
from coalition.domain.identifiers import IdScheme
from coalition.domain.ledger import AccountType
from coalition.domain.membership import MembershipChange
from coalition.domain.money import Money
from coalition.domain.party import Party
from coalition.domain.requirements import Requirement
from coalition.domain.steering import Proposal, ProposalState
from coalition.services.audit import require
from coalition.services.funding import pledge_progress
from coalition.services.ports import UnitOfWork
from coalition.services.registry import load_coalition

# Where money of a receipt sits once it is set aside for a requirement: reserved, then contracted, then paid.
HELD = (AccountType.RESERVED, AccountType.CONTRACTED, AccountType.DISBURSED)
FLOW_KINDS = (ContributionKind.PLEDGE, ContributionKind.COMMITMENT, ContributionKind.RECEIPT)


@dataclass(frozen=True, slots=True)
class Directory:
    """The parties an export names, with their identifiers in the crosswalk by scheme."""

    parties: dict[str, Party]
    identifiers: dict[tuple[str, IdScheme], str]

    def name(self, code: str) -> str:
        party = self.parties.get(code)
        return code if party is None else party.name

    def ref(self, code: str, scheme: IdScheme = IdScheme.IATI) -> str | None:
        return self.identifiers.get((code, scheme))


@dataclass(frozen=True, slots=True)
class ActivityMoney:
    """One transaction of an IATI activity: a visible contribution and the money of it that went to the
    requirement (a commitment earmarked to it, whole; a receipt, what of it is held for the requirement)."""

    contribution: Contribution
    amount: Money


@dataclass(frozen=True, slots=True)
class Activity:
    requirement: Requirement
    money: tuple[ActivityMoney, ...]

    @property
    def donors(self) -> list[str]:
        return sorted({m.contribution.donor for m in self.money})


@dataclass(frozen=True, slots=True)
class IatiExport:
    coalition: Coalition
    funds: dict[str, Fund]
    directory: Directory
    activities: tuple[Activity, ...]
    generated_at: datetime


@dataclass(frozen=True, slots=True)
class Conversion:
    amount: Money | None
    rate_source: str


@dataclass(frozen=True, slots=True)
class Flow:
    """One row of the flat table: a pledge, commitment or receipt with what trackers of support read of it."""

    contribution: Contribution
    donor_name: str
    recipient: str
    instrument: str | None
    announced_on: date
    status: str
    eur: Conversion
    usd: Conversion


@dataclass(frozen=True, slots=True)
class FlowsExport:
    coalition: Coalition
    flows: tuple[Flow, ...]
    generated_at: datetime


def last_change(found: Coalition, contributions: Iterable[Contribution], today: date) -> datetime:
    """When the record last changed what a published file of these contributions holds: the latest moment one was
    recorded or became public by its declassification date (the coalition's founding if none), so that the same
    record gives the same file, byte for byte, whoever asks and whenever."""
    moments = [datetime.combine(found.founded_on, time(), UTC)]
    for c in contributions:
        if c.recorded_at is not None:
            moments.append(c.recorded_at)
        declassified = c.confidentiality.declassify_on
        if declassified is not None and declassified <= today:
            moments.append(datetime.combine(declassified, time(), UTC))
    return max(moments)


def _visible(uow: UnitOfWork, actor: Actor, coalition: str) -> list[Contribution]:
    today = uow.clock().date()
    return [c for c in uow.ledger.contributions(coalition=coalition)
            if can_see_record(actor, c.coalition, c.donor, c.confidentiality, today).allowed]


def _directory(uow: UnitOfWork, codes: Collection[str]) -> Directory:
    parties = {code: party for code in sorted(set(codes)) if (party := uow.parties.get(code)) is not None}
    identifiers = {(i.party, i.scheme): i.value for i in uow.parties.identifiers(list(parties))}
    return Directory(parties, identifiers)


def _held_for(uow: UnitOfWork, coalition: str, requirement: str) -> dict[int, Money]:
    """Per contribution, the money of it held for the requirement (reserved, contracted or paid)."""
    units: dict[tuple[int, str], int] = defaultdict(int)
    for type in HELD:
        for contribution, account, amount, _reporting in uow.ledger.holdings(coalition, requirement, type):
            units[(contribution, account.currency)] += amount
    return {contribution: Money.from_minor_units(amount, currency)
            for (contribution, currency), amount in units.items() if amount > 0}


def _activity(uow: UnitOfWork, requirement: Requirement, visible: dict[int, Contribution]) -> Activity | None:
    held = _held_for(uow, requirement.coalition, requirement.code)
    money = [ActivityMoney(visible[c], amount) for c, amount in sorted(held.items()) if c in visible]
    earmarked = [c for c in visible.values() if c.earmark.kind is EarmarkKind.REQUIREMENT
                 and c.earmark.targets == (requirement.code,) and c.id not in held
                 and c.kind in (ContributionKind.COMMITMENT, ContributionKind.RECEIPT)]
    money += [ActivityMoney(c, c.amount) for c in earmarked]
    if not money:
        return None
    return Activity(requirement, tuple(sorted(money, key=lambda m: (m.contribution.value_date,
                                                                     m.contribution.id or 0))))


def iati_activities(uow: UnitOfWork, actor: Actor, coalition: str, *, published: bool = False) -> IatiExport:
    """The coalition's requirements that money reached, each with the money the viewer may see; ``published``, the
    file of the open-data page: what the public may see, stamped with the record's last change, not the clock."""
    audience = PUBLIC_ACTOR if published else actor
    require(can(audience, "read_contributions", coalition))
    with uow:
        found = load_coalition(uow, coalition)
        visible = {c.id: c for c in _visible(uow, audience, coalition) if c.id is not None}
        activities = [a for r in uow.requirements.for_coalition(coalition)
                      if (a := _activity(uow, r, visible)) is not None]
        if not activities:
            raise refusal(NotFound, "no money of {coalition} that may be shown has reached a requirement yet: an "
                          "IATI file holds at least one activity", field="coalition", coalition=coalition)
        funds = {f.code: f for f in uow.coalitions.funds(coalition)}
        named = {found.recipient, *(f.custodian for f in funds.values()),
                 *(d for a in activities for d in a.donors)}
        moment = last_change(found, (m.contribution for a in activities for m in a.money), uow.clock().date()) \
            if published else uow.clock()
        return IatiExport(found, funds, _directory(uow, named), tuple(activities), moment)


def _convert(book: RateBook, money: Money, to: str, on: date) -> Conversion:
    try:
        done = book.convert(money, to, on)
    except CoalitionError:
        return Conversion(None, "no rate")
    return Conversion(done.converted, f"{done.source} {done.rate_date.isoformat()}")


def _instrument(changes: Sequence[MembershipChange], on: date) -> str | None:
    """The instrument the donor's standing in the coalition rested on at ``on`` (the last change by then)."""
    cited = [c.instrument for c in sorted(changes, key=lambda c: c.effective_on)
             if c.effective_on <= on and c.instrument is not None]
    return cited[-1] if cited else None


def _statuses(uow: UnitOfWork, contributions: Sequence[Contribution]) -> dict[int, str]:
    """A pledge's status from what came in against it; anything else its kind's word, or reversed once nothing of
    it stays on the ledger."""
    ids = [c.id for c in contributions if c.id is not None]
    net = ledger.net_units(uow.ledger.entries(contributions=ids))
    words = {ContributionKind.COMMITMENT: "committed", ContributionKind.RECEIPT: "received"}
    found = {c.id: ("reversed" if not net.get(c.id, 0) else words.get(c.kind, c.kind.value))
             for c in contributions if c.id is not None}
    pledges = [c for c in contributions if c.kind is ContributionKind.PLEDGE]
    found.update({p.pledge.id: p.status.value for p in pledge_progress(uow, pledges) if p.pledge.id is not None})
    return found


def _announced(contribution: Contribution, by_id: dict[int, Contribution]) -> date:
    """The day the money was first announced: the value date of the pledge (or commitment) it fulfils."""
    seen = contribution
    while seen.parent is not None and seen.parent in by_id:
        seen = by_id[seen.parent]
    return seen.value_date


def _flows(uow: UnitOfWork, found: Coalition, shown: Sequence[Contribution],
           by_id: dict[int, Contribution]) -> Iterable[Flow]:
    book = RateBook(uow.fx_rates.for_currencies({"EUR", "USD", *(c.amount.currency for c in shown)}))
    directory = _directory(uow, {c.donor for c in shown})
    changes = {d: uow.memberships.changes(found.code, d) for d in {c.donor for c in shown}}
    statuses = _statuses(uow, shown)
    for c in shown:
        yield Flow(c, directory.name(c.donor), found.recipient, _instrument(changes[c.donor], c.value_date),
                   _announced(c, by_id), statuses.get(c.id or 0, ""),
                   _convert(book, c.amount, "EUR", c.value_date), _convert(book, c.amount, "USD", c.value_date))


def flows(uow: UnitOfWork, actor: Actor, coalition: str, *, published: bool = False) -> FlowsExport:
    """One row per pledge, commitment and receipt of the coalition the viewer may see, oldest first; ``published``,
    the file of the open-data page (see ``iati_activities``)."""
    audience = PUBLIC_ACTOR if published else actor
    require(can(audience, "read_contributions", coalition))
    with uow:
        found = load_coalition(uow, coalition)
        visible = _visible(uow, audience, coalition)
        by_id = {c.id: c for c in visible if c.id is not None}
        shown = [c for c in visible if c.kind in FLOW_KINDS]
        moment = last_change(found, visible, uow.clock().date()) if published else uow.clock()
        return FlowsExport(found, tuple(_flows(uow, found, shown, by_id)), moment)


# --- the public feed ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One public act of a coalition: a contribution the public may see, or a decision of its steering group."""

    coalition: Coalition
    updated: datetime
    contribution: Contribution | None = None
    donor_name: str = ""
    decision: Proposal | None = None


def _seen_at(contribution: Contribution, today: date) -> datetime:
    """When the public could first see a contribution: when it was recorded, or its declassification day if later."""
    moments = [datetime.combine(contribution.value_date, time(), UTC)] if contribution.recorded_at is None \
        else [contribution.recorded_at]
    declassified = contribution.confidentiality.declassify_on
    if declassified is not None and declassified <= today:
        moments.append(datetime.combine(declassified, time(), UTC))
    return max(moments)


def public_feed(uow: UnitOfWork, limit: int = 100) -> tuple[FeedEntry, ...]:
    """The latest public contributions and steering decisions of every coalition, newest first: what the public may
    see, whoever asks (a restricted contribution is not in it, nor its donor, amount or reference)."""
    require(can(PUBLIC_ACTOR, "read_registry"))
    with uow:
        today = uow.clock().date()
        found: list[FeedEntry] = []
        for coalition in uow.coalitions.all():
            shown = [c for c in _visible(uow, PUBLIC_ACTOR, coalition.code)]
            directory = _directory(uow, {c.donor for c in shown})
            found += [FeedEntry(coalition, _seen_at(c, today), contribution=c, donor_name=directory.name(c.donor))
                      for c in shown]
            found += [FeedEntry(coalition, p.decided_at, decision=p) for p in uow.steering.proposals(coalition.code)
                      if p.state is ProposalState.DECIDED and p.decided_at is not None]
        found.sort(key=lambda e: (e.updated, e.coalition.code), reverse=True)
        return tuple(found[:limit])


@dataclass(frozen=True, slots=True)
class AtomEntry:
    id: str
    title: str
    summary: str
    updated: datetime
    link: str
    category: str


@dataclass(frozen=True, slots=True)
class AtomFeed:
    """An Atom feed as its reader will read it, in one language (its texts translated by the caller)."""

    id: str
    title: str
    author: str
    rights: str
    language: str
    updated: datetime
    self_link: str
    page_link: str
    entries: tuple[AtomEntry, ...]
