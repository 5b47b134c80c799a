"""The funding report and the donor statement: the money by donor, earmark and currency, as one viewer may
see it, and what a donor gave and what its money bought.

A donor with records the viewer may not see counts in every total of the funding report, under no name
and no earmark; a donor statement the viewer may not see in full holds only the records it may see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from coalition.domain import ledger
from coalition.domain.access import CUSTODIAN_ROLES, Actor, RecordScope, can, can_see_record, record_scope
from coalition.domain.common import as_of
from coalition.domain.contributions import Contribution, ContributionKind
from coalition.domain.ledger import AccountKey, Balance, Measure, Period, PledgeStatus
from coalition.domain.money import Money
from coalition.domain.party import Party
from coalition.domain.requirements import Requirement
from coalition.domain.taxonomy import CapabilityArea
from coalition.services.audit import require
from coalition.services.confidentiality import RESTRICTED
from coalition.services.funding import ContributionView, PledgeProgress, pledge_progress, view_contribution
from coalition.services.ports import UnitOfWork
from coalition.services.registry import load_coalition, load_party
from coalition.services.views.delivery import DonorProcurement, bought_by, delivered_value_of

Balances = Sequence[tuple[AccountKey, Balance]]
# The current position, in the order money moves: promises, then where the money paid in sits now.
NOW = (Measure.PLEDGED, Measure.COMMITTED, Measure.AVAILABLE, Measure.RESERVED, Measure.CONTRACTED,
       Measure.DISBURSED)


@dataclass(frozen=True, slots=True)
class FundingLine:
    """One donor's money under one earmark in one currency, by measure."""

    donor: str
    earmark: str
    currency: str
    original: dict[Measure, Money]
    reporting: dict[Measure, Money]


@dataclass(frozen=True, slots=True)
class FundingReport:
    coalition: str
    reporting_currency: str
    lines: list[FundingLine]
    totals: dict[Measure, Money]
    by_currency: dict[str, dict[Measure, Money]]
    by_earmark: dict[str, dict[Measure, Money]]
    conversion_sources: list[tuple[str, str]]
    on: date | None = None  # the day the report is as of; None: now
    # How much of the money paid in reached each stage (what sits there now and everything that went past it),
    # in the reporting currency: ``totals`` say where the money is now.
    reached: dict[Measure, Money] = field(default_factory=dict)


def _reached_map(balances: Iterable[tuple[AccountKey, Balance]], currency: str) -> dict[Measure, Money]:
    """How much money reached each stage of the flow, in the reporting currency."""
    found = ledger.reached(ledger.measures(balances))
    return {m: Money.from_minor_units(value[1], currency) for m, value in found.items()}


def _measure_map(balances: Iterable[tuple[AccountKey, Balance]], currency: str,
                 reporting: bool) -> dict[Measure, Money]:
    """The balances summed per measure, in original units or the reporting currency's."""
    found = ledger.measures(balances)
    return {m: Money.from_minor_units(found.get(m, (0, 0))[1 if reporting else 0], currency) for m in Measure}


def _hidden_donors(uow: UnitOfWork, actor: Actor, coalition: str, today: date) -> set[str]:
    """Donors with a record in ``coalition`` the viewer may not see: their lines are merged, unnamed."""
    if actor.roles_for(coalition) & CUSTODIAN_ROLES:
        return set()
    return {donor for donor, confidentiality in uow.funding_reads.confidential(coalition)
            if not can_see_record(actor, coalition, donor, confidentiality, today)}


@dataclass(frozen=True, slots=True)
class PeriodFlows:
    """One month ("YYYY-MM") or year ("YYYY") of a coalition's money, in its reporting currency: what was pledged,
    committed, received and disbursed in it (net of reversals valued in it), and each in all up to its end."""

    period: str
    pledged: Money
    committed: Money
    received: Money
    disbursed: Money
    pledged_to_date: Money
    committed_to_date: Money
    received_to_date: Money
    disbursed_to_date: Money


def funding_over_time(uow: UnitOfWork, actor: Actor, coalition: str, by: Period = Period.MONTH
                      ) -> list[PeriodFlows]:
    """The coalition's money by month or year, from the first movement to the last, every period shown: promises
    made and money paid in and out, as the funding report counts them (every donor's, in the reporting currency,
    by value date), so the last period's figures to date are the report's totals."""
    return funding_by_periods(uow, actor, coalition, (by,))[by]


def funding_by_periods(uow: UnitOfWork, actor: Actor, coalition: str, periods: Sequence[Period]
                       ) -> dict[Period, list[PeriodFlows]]:
    """``funding_over_time`` for each of ``periods`` (by month and by year, say), from one read of the months."""
    require(can(actor, "read_funding", coalition))
    with uow:
        currency = load_coalition(uow, coalition).reporting_currency
        monthly = uow.funding_reads.monthly(coalition)

    def money(figures: dict[Measure, int], measure: Measure) -> Money:
        return Money.from_minor_units(figures[measure], currency)

    return {by: [PeriodFlows(key, *(money(flows, m) for m in ledger.OVER_TIME),
                             *(money(to_date, m) for m in ledger.OVER_TIME))
                 for key, flows, to_date in ledger.flows_by_period(monthly, by)] for by in periods}


def funding_report(uow: UnitOfWork, actor: Actor, coalition: str, on: date | None = None) -> FundingReport:
    """The coalition's money by donor, earmark and currency, in original currencies and the reporting one; as of
    the day ``on``, from the entries valued up to that day."""
    require(can(actor, "read_funding", coalition))
    with uow:
        return read_report(uow, actor, coalition, on)


def read_report(uow: UnitOfWork, actor: Actor, coalition: str, on: date | None) -> FundingReport:
    """The funding report as ``actor`` may see it (as of ``on``), read in the caller's transaction."""
    today = uow.clock().date()
    found = load_coalition(uow, coalition)
    balances = uow.funding_reads.balances(coalition=coalition, on=as_of(on, today))
    sources = uow.funding_reads.conversion_sources(coalition)
    hidden = _hidden_donors(uow, actor, coalition, today)
    return _report(coalition, found.reporting_currency, balances, sources, hidden, on)


def _report(coalition: str, rc: str, balances: Balances, sources: list[tuple[str, str]],
            hidden: set[str], on: date | None) -> FundingReport:
    """The funding report from the coalition's balances, hiding the donors of ``hidden`` under no name."""
    groups: dict[tuple[str, str, str], list[tuple[AccountKey, Balance]]] = defaultdict(list)
    currencies: dict[str, list[tuple[AccountKey, Balance]]] = defaultdict(list)
    earmarks: dict[str, list[tuple[AccountKey, Balance]]] = defaultdict(list)
    for key, balance in balances:
        # A donor with records the viewer may not see counts in every total, under no name and no earmark.
        donor, earmark = (RESTRICTED, RESTRICTED) if key.donor in hidden else (key.donor, key.earmark)
        groups[(donor, earmark, key.currency)].append((key, balance))
        currencies[key.currency].append((key, balance))
        earmarks[earmark].append((key, balance))
    lines = [FundingLine(donor, earmark, currency, _measure_map(items, currency, False),
                         _measure_map(items, rc, True))
             for (donor, earmark, currency), items in sorted(groups.items())]
    return FundingReport(coalition, rc, lines, _measure_map(balances, rc, True),
                         {c: _measure_map(items, c, False) for c, items in sorted(currencies.items())},
                         {e: _measure_map(items, rc, True) for e, items in sorted(earmarks.items())}, sources, on,
                         _reached_map(balances, rc))


@dataclass(frozen=True, slots=True)
class DonorStatement:
    """A donor's statement. ``masked`` when the viewer may not see every record: then totals and what
    the money bought are left out (they would reveal the masked amounts) and masked records show no details."""

    donor: str
    name: str
    coalitions: dict[str, FundingReport]
    contributions: list[ContributionView]
    procurement: list[DonorProcurement]
    masked: bool = False
    on: date | None = None  # the day the statement is as of; None: now
    left_out: int = 0  # coalitions the donor gave to whose funding the viewer may not read, left out whole
    # The names behind the codes of what the money bought: the parties (suppliers, units) and requirement titles.
    parties: dict[str, Party] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)


def donor_statement(uow: UnitOfWork, actor: Actor, donor: str, *, limit: int = 500,
                    on: date | None = None) -> DonorStatement:
    """What a donor pledged, committed, paid and gave in kind, per coalition, with each pledge's status,
    and what its money bought: contract lines, payments, and the units that signed for the equipment; as of the
    day ``on``, only what was valued, signed, paid or received by its end."""
    with uow:
        return read_statement(uow, actor, donor, limit, on)


def read_statement(uow: UnitOfWork, actor: Actor, donor: str, limit: int, on: date | None) -> DonorStatement:
    """The donor statement as ``actor`` may see it (as of ``on``), read in the caller's transaction."""
    party = load_party(uow, donor, "donor")
    today = uow.clock().date()
    balances = uow.funding_reads.balances(donor=donor, on=as_of(on, today))
    given_to = sorted({key.coalition for key, _ in balances})
    coalitions = _readable(actor, given_to)
    left_out = len(given_to) - len(coalitions)
    if any(donor in _hidden_donors(uow, actor, code, today) for code in coalitions):
        # Only what the viewer may see in full: a masked record listed under its donor would tell who gave it.
        items = _given(uow, donor, coalitions, limit, on, scope=record_scope(actor, today))
        return DonorStatement(donor, party.name, {}, [view_contribution(actor, c, today) for c in items], [],
                              masked=True, on=on, left_out=left_out)
    reports = {code: _donor_report(uow, code, [b for b in balances if b[0].coalition == code], on)
               for code in coalitions}
    items = _given(uow, donor, coalitions, limit, on)
    progress = {p.pledge.id: p for p in pledge_progress(
        uow, [c for c in items if c.kind is ContributionKind.PLEDGE], on)}
    bought = bought_by(uow, actor, donor, on, coalitions=set(coalitions))
    parties, titles = _names(uow, bought)
    parties[donor] = party
    return DonorStatement(donor, party.name, reports,
                          [view_contribution(actor, c, today, progress.get(c.id)) for c in items], bought, on=on,
                          left_out=left_out, parties=parties, titles=titles)


def _names(uow: UnitOfWork, bought: list[DonorProcurement]) -> tuple[dict[str, Party], dict[str, str]]:
    """The suppliers and units named in ``bought``, and the titles of the requirements it funded."""
    codes = {line.supplier for found in bought for line in found.contracted}
    codes |= {share.unit for found in bought for share in found.delivered}
    requirements = {line.requirement for found in bought for line in found.contracted}
    parties = {code: party for code in sorted(codes) if (party := uow.parties.get(code)) is not None}
    titles = {code: found.title for code in sorted(requirements) if (found := uow.requirements.get(code)) is not None}
    return parties, titles


def _given(uow: UnitOfWork, donor: str, coalitions: list[str], limit: int, on: date | None,
           scope: RecordScope | None = None) -> list[Contribution]:
    """The donor's contributions to ``coalitions`` (those in ``scope``, if given), valued by the end of ``on``."""
    found = uow.ledger.contributions(donor=donor, limit=limit, scope=scope)
    return _until([c for c in found if c.coalition in coalitions], on)


def _readable(actor: Actor, given_to: list[str]) -> list[str]:
    """Of the coalitions a donor gave to, those whose funding the viewer may read: the others are left out whole
    (and said to be), unless that leaves nothing, when the first refusal is the answer."""
    coalitions = [code for code in given_to if can(actor, "read_funding", code).allowed]
    if given_to and not coalitions:
        require(can(actor, "read_funding", given_to[0]))
    return coalitions


def _until(items: list[Contribution], on: date | None) -> list[Contribution]:
    """The contributions valued by the end of ``on`` (all of them for None)."""
    return items if on is None else [c for c in items if c.value_date <= on]


def _donor_report(uow: UnitOfWork, coalition: str, balances: Balances, on: date | None) -> FundingReport:
    """One coalition's part of a donor statement: totals, by currency, and the conversion sources."""
    rc = load_coalition(uow, coalition).reporting_currency
    return FundingReport(coalition, rc, [], _measure_map(balances, rc, True),
                         {c: _measure_map([b for b in balances if b[0].currency == c], c, False)
                          for c in sorted({k.currency for k, _ in balances})}, {},
                         uow.funding_reads.conversion_sources(coalition), on, _reached_map(balances, rc))



@dataclass(frozen=True, slots=True)
class CoalitionMoney:
    """The overview page's money: the funding report's totals beside what delivered equipment is worth."""

    report: FundingReport
    delivered: Money  # what the equipment units signed for is worth, bought with money or given in kind
    delivered_in_kind: Money | None = None  # the part of it given in kind from a donor's stock

    @property
    def reached(self) -> list[tuple[str, Money]]:
        """How much money reached each stage, from received to paid, then the worth of the equipment bought with
        that money that units signed for: each stage at most the one before, and delivered at most what reached
        contracted (units sign for what was contracted, paid or not). Equipment given in kind never passed
        through the money's stages: it follows on its own line."""
        in_kind = self.delivered_in_kind or Money.zero(self.delivered.currency)
        bought = [("delivered", self.delivered - in_kind)]
        given = [("delivered-in-kind", in_kind)] if in_kind.amount else []
        return [(m.value, v) for m, v in self.report.reached.items()] + bought + given

    @property
    def now(self) -> list[tuple[str, Money]]:
        """Where the money sits now: promised, waiting in the fund, reserved, contracted, paid."""
        zero = Money.zero(self.report.reporting_currency)
        return [(m.value, self.report.totals.get(m, zero)) for m in NOW]


def coalition_money(uow: UnitOfWork, actor: Actor, coalition: str, on: date | None = None) -> CoalitionMoney:
    """The coalition's funding report and the worth of the equipment units accepted (as of ``on``), read in one
    transaction."""
    require(can(actor, "read_funding", coalition))
    with uow:
        report = read_report(uow, actor, coalition, on)
        files = uow.delivery_reads.coalition_files(coalition, on)
    rc = report.reporting_currency
    return CoalitionMoney(report, delivered_value_of(files, rc),
                          delivered_value_of([f for f in files if f.contract.in_kind is not None], rc))


# --- the form that records a receipt ------------------------------------------------------------------------------

OPEN = frozenset({PledgeStatus.PLEDGED, PledgeStatus.COMMITTED, PledgeStatus.PARTLY_RECEIVED})


@dataclass(frozen=True, slots=True)
class ReceiptChoices:
    """What the form recording a receipt offers to choose from, so nothing is typed as a code: each donor's open
    pledges and commitments (what the receipt may fulfil), the currencies the platform has rates for, the capability
    areas and the coalition's requirements (as earmarks)."""

    promises: dict[str, list[PledgeProgress]]  # by donor, oldest first
    currencies: list[str]
    areas: list[CapabilityArea]
    requirements: list[Requirement]


def receipt_choices(uow: UnitOfWork, actor: Actor, coalition: str) -> ReceiptChoices:
    require(can(actor, "record_contributions", coalition))
    with uow:
        found = load_coalition(uow, coalition)
        promised = [c for kind in (ContributionKind.PLEDGE, ContributionKind.COMMITMENT)
                    for c in uow.ledger.contributions(coalition=coalition, kind=kind)]  # by index, not every receipt
        promises: dict[str, list[PledgeProgress]] = defaultdict(list)
        for progress in pledge_progress(uow, promised):
            if progress.status in OPEN:
                promises[progress.pledge.donor].append(progress)
        funds = {f.currency for f in uow.coalitions.funds(coalition)}
        rated = {code for base, quote, *_ in uow.fx_rates.summary() for code in (base, quote)}
        return ReceiptChoices(dict(promises), sorted(funds | rated | {found.reporting_currency}),
                              uow.areas.all(), uow.requirements.for_coalition(coalition))
