"""The procurement and delivery reports: the pipeline of cases, delivery status per requirement, shipments
awaiting a unit's signature, what delivered equipment is worth, and what each donor's money bought.

A requirement's delivered share derives from accepted receipts only. The value of delivered items is
the contracted money of their line in proportion to the quantity, and each receipt's value is split over
the donors whose money funded the line by largest remainder, so each receipt's shares sum exactly to
its value. Contracted, paid and delivered are three views of the same money: they are shown side by
side and never added together.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from coalition.domain.access import Actor, can
from coalition.domain.attribution import largest_remainder
from coalition.domain.common import as_of
from coalition.domain.contributions import FundingRoute
from coalition.domain.delivery import RECEIVABLE, EndUseCheck, Shipment, ShipmentState, UnitReceipt, delivered_share
from coalition.domain.errors import NotFound
from coalition.domain.money import Money
from coalition.domain.party import Party
from coalition.domain.procurement import (
    STAGE_ORDER,
    CaseStage,
    Contract,
    FundingShare,
    Payment,
    ProcurementCase,
    paid_total,
)
from coalition.domain.requirements import Requirement, RequirementStatus
from coalition.services.audit import require
from coalition.services.confidentiality import hidden_contributions, masked
from coalition.services.ports import UnitOfWork
from coalition.services.registry import load_coalition, load_party
from coalition.services.views.ports import ContractFile

# --- one contract ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContractView:
    contract: Contract
    case: ProcurementCase
    funding: list[FundingShare]
    payments: list[Payment]
    payment_shares: list[tuple[int, FundingShare]]
    shipments: list[Shipment]
    receipts: list[UnitReceipt]
    checks: list[EndUseCheck]
    currency: str

    @property
    def paid(self) -> Money:
        """What was paid under the contract, net of reversals, in its currency."""
        return paid_total(self.payments, self.contract.current.currency)


def get_contract(uow: UnitOfWork, actor: Actor, code: str) -> ContractView:
    """A contract with its funding (masked where the viewer may not see a contribution), payments, shipments,
    receipts and end-use checks."""
    with uow:
        file = uow.delivery_reads.contract_file(code)
        if file is None:
            raise NotFound(f"no contract '{code}'", field="contract")
        require(can(actor, "read_funding", file.case.coalition))
        return contract_view(uow, actor, file)


def contract_view(uow: UnitOfWork, actor: Actor, file: ContractFile) -> ContractView:
    """A contract's file as ``actor`` may see it (contributions it may not see masked), in the caller's
    transaction (whose caller checked the permission)."""
    coalition = file.case.coalition
    hidden = hidden_contributions(uow, actor, coalition, {s.contribution for s in file.funding})
    shares = masked([s for _, s in file.payment_shares], hidden)
    checks = uow.delivery_reads.checks([r.id for r in file.receipts if r.id is not None])
    currency = load_coalition(uow, coalition).reporting_currency
    return ContractView(file.contract, file.case, masked(file.funding, hidden), list(file.payments),
                        [(payment, share) for (payment, _), share in zip(file.payment_shares, shares, strict=True)],
                        list(file.shipments), list(file.receipts), checks, currency)


# --- the pipeline of cases ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PipelineRow:
    route: FundingRoute
    stage: CaseStage
    cases: int
    requirements: int
    contracted: Money
    paid: Money


def pipeline(uow: UnitOfWork, actor: Actor, coalition: str, on: date | None = None) -> list[PipelineRow]:
    """Cases by route and stage: how many, for how many requirements, contracted and paid (reporting currency);
    as of ``on``, the cases opened by then at their stage then, with what was contracted and paid by then."""
    require(can(actor, "read_funding", coalition))
    with uow:
        currency = load_coalition(uow, coalition).reporting_currency
        on = as_of(on, uow.clock().date())
        return _pipeline(uow.delivery_reads.cases(coalition, on), uow.delivery_reads.coalition_files(coalition, on),
                         currency)


def _pipeline(cases: Sequence[ProcurementCase], files: Sequence[ContractFile], currency: str) -> list[PipelineRow]:
    """The pipeline rows from the coalition's cases and the files of their contracts."""
    contracted: dict[str, int] = defaultdict(int)
    paid: dict[str, int] = defaultdict(int)
    for file in files:
        contracted[file.case.code] += sum(share.reporting for share in file.funding)
        paid[file.case.code] += sum(payment.signed_reporting.to_minor_units() for payment in file.payments)
    groups: dict[tuple[FundingRoute, CaseStage], list[ProcurementCase]] = defaultdict(list)
    for case in cases:
        groups[(case.route, case.stage)].append(case)
    routes = list(FundingRoute)
    return [PipelineRow(route, stage, len(found), sum(len(c.requirements) for c in found),
                        Money.from_minor_units(sum(contracted[c.code] for c in found), currency),
                        Money.from_minor_units(sum(paid[c.code] for c in found), currency))
            for (route, stage), found in sorted(groups.items(), key=lambda g: (routes.index(g[0][0]),
                                                                              STAGE_ORDER.index(g[0][1])))]


# --- delivery status per requirement --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    requirement: str
    title: str
    status: RequirementStatus
    required: int
    contracted: int
    shipped: int
    signed_for: int
    accepted: int
    refused: int

    @property
    def share(self) -> Fraction:
        """The delivered share: accepted over required."""
        return delivered_share(self.accepted, self.required)

    @property
    def shown_share(self) -> str:
        """The delivered share as a percentage to one place."""
        return f"{(Decimal(self.share.numerator) * 100 / self.share.denominator).quantize(Decimal('0.1'))}%"


def delivery_status(uow: UnitOfWork, actor: Actor, coalition: str, on: date | None = None) -> list[DeliveryStatus]:
    """Per requirement under procurement: required, contracted, shipped, signed for, accepted, delivered share
    (as of ``on``: what stood by the end of that day)."""
    require(can(actor, "read_funding", coalition))
    with uow:
        load_coalition(uow, coalition)
        on = as_of(on, uow.clock().date())
        cases = uow.delivery_reads.cases(coalition, on)
        codes = list(dict.fromkeys(r for c in cases if c.stage is not CaseStage.CANCELLED for r in c.requirements))
        return _delivery_status(codes, uow.requirements.get_many(codes),
                                uow.delivery_reads.coalition_files(coalition, on))


def _delivery_status(codes: Sequence[str], requirements: dict[str, Requirement],
                     files: Sequence[ContractFile]) -> list[DeliveryStatus]:
    """Per requirement of ``codes``, in that order, the figures its contract lines, shipments and receipts add up to."""
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for file in files:
        for line in file.contract.current.lines:
            figures[line.requirement][0] += line.quantity
        requirement_of = {s.id: file.contract.current.line(s.line).requirement for s in file.shipments}
        for shipment in file.shipments:
            figures[requirement_of[shipment.id]][1] += shipment.quantity
        for receipt in file.receipts:
            row = figures[requirement_of[receipt.shipment]]
            row[2] += receipt.quantity
            row[3] += receipt.accepted_quantity
            row[4] += receipt.quantity - receipt.accepted_quantity
    rows = []
    for code in codes:
        requirement = requirements[code]
        contracted, shipped, signed, accepted, refused = figures[code]
        rows.append(DeliveryStatus(code, requirement.title, requirement.status, requirement.quantity, contracted,
                                   shipped, signed, accepted, refused))
    return rows


# --- shipments awaiting a unit's signature ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Arrival:
    """An arrived shipment with items still to be signed for, and who may sign for them."""

    shipment: int
    contract: str
    line: int
    requirement: str
    title: str
    quantity: int
    signed_for: int
    end_users: tuple[str, ...]
    arrived_on: date

    @property
    def outstanding(self) -> int:
        """Items of the shipment still to be signed for."""
        return self.quantity - self.signed_for


def _arrivals(files: Iterable[ContractFile], requirements: dict[str, Requirement]) -> list[Arrival]:
    """The arrived shipments of the files, each with what was signed for and who may sign."""
    found = []
    for file in files:
        signed: dict[int, int] = defaultdict(int)
        for receipt in file.receipts:
            signed[receipt.shipment] += receipt.quantity
        for shipment in file.shipments:
            if shipment.state is not ShipmentState.ARRIVED:
                continue
            assert shipment.id is not None
            requirement = requirements[file.contract.current.line(shipment.line).requirement]
            arrived = next(e.on for e in reversed(shipment.events) if e.state is ShipmentState.ARRIVED)
            found.append(Arrival(shipment.id, shipment.contract, shipment.line, requirement.code, requirement.title,
                                 shipment.quantity, signed[shipment.id], requirement.end_users, arrived))
    return found


# --- what delivered equipment is worth ----------------------------------------------------------------


def receipt_values(contract: Contract, funding: Sequence[FundingShare], shipments: Sequence[Shipment],
                   receipts: Sequence[UnitReceipt]) -> dict[int, tuple[int, dict[int, int]]]:
    """Per accepted receipt: its value in reporting minor units and that value split per contribution.

    A line's value is the money contracted for it. The accepted items of a line so far are worth the
    line's value times their quantity over the line's quantity (half to even); each receipt is worth the
    step it adds, so a fully delivered line is worth exactly its money. Each receipt's value is split over
    the line's contributions by largest remainder on what each put in.
    """
    by_line: dict[int, list[FundingShare]] = defaultdict(list)
    for share in funding:
        by_line[share.line].append(share)
    line_of = {s.id: s.line for s in shipments}
    values = {}
    accepted: dict[int, int] = defaultdict(int)  # per line, items accepted so far
    for receipt in sorted(receipts, key=lambda r: r.id or 0):
        if not receipt.accepted or receipt.id is None:
            continue
        number = line_of[receipt.shipment]
        shares = [s for s in by_line[number] if s.reporting > 0]
        before = accepted[number]
        accepted[number] += receipt.quantity
        value = _worth(shares, contract.current.line(number).quantity, before, accepted[number])
        split = largest_remainder(value, [s.reporting for s in shares]) if shares else []
        per_contribution: dict[int, int] = defaultdict(int)
        for share, part in zip(shares, split, strict=True):
            per_contribution[share.contribution] += part
        values[receipt.id] = (value, dict(per_contribution))
    return values


def _worth(shares: Sequence[FundingShare], quantity: int, before: int, after: int) -> int:
    """What the items accepted between ``before`` and ``after`` of a line of ``quantity`` items are worth."""
    total = sum(s.reporting for s in shares)

    def worth(items: int) -> int:
        """The line's money times ``items`` over its quantity, half to even."""
        return int((Decimal(total) * min(items, quantity) / quantity).to_integral_value(ROUND_HALF_EVEN))

    return worth(after) - worth(before)


def _file_values(file: ContractFile) -> dict[int, tuple[int, dict[int, int]]]:
    """Per accepted receipt of one contract: its value and that value split per contribution."""
    return receipt_values(file.contract, file.funding, file.shipments, file.receipts)


def delivered_value_of(files: Iterable[ContractFile], currency: str) -> Money:
    """What the equipment accepted under the contracts of ``files`` is worth, in ``currency`` (their reporting one)."""
    total = sum(value for file in files for value, _ in _file_values(file).values())
    return Money.from_minor_units(total, currency)


# --- delivery progress over time -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryMonth:
    """Where the coalition's equipment stood at the end of a month (YYYY-MM), in items to date: contracted (by the
    contracts' versions in force), shipped, arrived, accepted and refused by the units, and what the accepted
    items are worth in the reporting currency."""

    month: str
    contracted: int
    shipped: int
    arrived: int
    accepted: int
    refused: int
    delivered: Money


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _moves_by_month(files: Sequence[ContractFile]) -> dict[str, list[int]]:
    """Per month: the items shipped, arrived, accepted and refused in it, and the worth of those accepted."""
    moves: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for file in files:
        for shipment in file.shipments:
            for column, state in ((0, ShipmentState.IN_TRANSIT), (1, ShipmentState.ARRIVED)):
                day = shipment.on(state)
                if day is not None:
                    moves[_month(day)][column] += shipment.quantity
        values = _file_values(file)
        for receipt in file.receipts:
            row = moves[_month(receipt.received_on)]
            row[2 if receipt.accepted else 3] += receipt.quantity
            row[4] += values.get(receipt.id or 0, (0, {}))[0]
    return moves


def delivery_over_time(files: Sequence[ContractFile], currency: str, last: date) -> list[DeliveryMonth]:
    """Month by month from the first contract signed to the month of ``last``, each figure to date (so none falls,
    but for a contract amended down); empty without a contract."""
    if not files:
        return []
    moves = _moves_by_month(files)
    versions = sorted((version.on, version.version, file.contract.code, sum(line.quantity for line in version.lines))
                      for file in files for version in file.contract.versions)
    latest = max([last, *(date.fromisoformat(f"{month}-01") for month in moves)])
    in_force: dict[str, int] = {}
    totals = [0] * 5
    found = []
    for month in _months(versions[0][0], latest):
        in_force.update({code: items for on, _, code, items in versions if _month(on) == month})
        totals = [a + b for a, b in zip(totals, moves.get(month, [0] * 5), strict=True)]
        shipped, arrived, accepted, refused, value = totals
        found.append(DeliveryMonth(month, sum(in_force.values()), shipped, arrived, accepted, refused,
                                   Money.from_minor_units(value, currency)))
    return found


# --- what one donor's money bought ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FundedLine:
    contract: str
    supplier: str
    route: FundingRoute
    line: int
    requirement: str
    amount: Money  # in the contribution's currency (summed per currency where several)
    reporting: Money


@dataclass(frozen=True, slots=True)
class PaidShare:
    payment: int
    paid_on: date
    contract: str
    supplier: str
    requirement: str
    amount: Money
    reporting: Money


@dataclass(frozen=True, slots=True)
class DeliveredShare:
    receipt: int
    received_on: date
    unit: str
    contract: str
    requirement: str
    quantity: int  # items the unit accepted on this receipt (the donor paid a share of them)
    value: Money  # the receipt's value in the reporting currency
    share: Money  # the donor's part of it


@dataclass(frozen=True, slots=True)
class DonorProcurement:
    """What one donor's money bought and which units received it, per coalition, in its reporting currency."""

    donor: str
    coalition: str
    currency: str
    contracted: list[FundedLine]
    paid: list[PaidShare]
    delivered: list[DeliveredShare]

    @property
    def total_contracted(self) -> Money:
        """The donor's money contracted, in the reporting currency."""
        return Money.from_minor_units(sum(f.reporting.to_minor_units() for f in self.contracted), self.currency)

    @property
    def total_paid(self) -> Money:
        """The donor's money paid out, in the reporting currency."""
        return Money.from_minor_units(sum(p.reporting.to_minor_units() for p in self.paid), self.currency)

    @property
    def total_delivered(self) -> Money:
        """The donor's part of what units accepted, in the reporting currency."""
        return Money.from_minor_units(sum(d.share.to_minor_units() for d in self.delivered), self.currency)

    @property
    def units(self) -> list[str]:
        """The units that signed for equipment the donor's money paid for."""
        return sorted({d.unit for d in self.delivered})


def donor_procurement(uow: UnitOfWork, actor: Actor, donor: str) -> list[DonorProcurement]:
    """Follow one donor's money from contract lines to payments to the units that signed for the equipment."""
    with uow:
        load_party(uow, donor, "donor")
        return bought_by(uow, actor, donor)


def bought_by(uow: UnitOfWork, actor: Actor, donor: str, on: date | None = None, *,
              coalitions: Collection[str] | None = None) -> list[DonorProcurement]:
    """What ``donor``'s money bought (by the end of ``on``), per coalition (of ``coalitions`` only, if given), read
    in the caller's open unit of work; the viewer must be allowed to read the funding of every coalition whose
    contracts it shows."""
    files = [f for f in uow.delivery_reads.donor_files(donor, on)
             if coalitions is None or f.case.coalition in coalitions]
    shown = list(dict.fromkeys(f.case.coalition for f in files))
    for coalition in shown:
        require(can(actor, "read_funding", coalition))
    return _donor_procurement(donor, files, {c: load_coalition(uow, c).reporting_currency for c in shown})


def _donor_procurement(donor: str, files: Sequence[ContractFile],
                       currencies: dict[str, str]) -> list[DonorProcurement]:
    """The statements per coalition, from the files of the contracts the donor's money funded."""
    statements = {c: DonorProcurement(donor, c, currency, [], [], []) for c, currency in sorted(currencies.items())}
    for file in files:
        found = statements[file.case.coalition]
        found.contracted.extend(_funded_lines(donor, file, found.currency))
        found.paid.extend(_paid_shares(donor, file, found.currency))
        found.delivered.extend(_delivered_shares(donor, file, found.currency))
    return [dataclasses.replace(s, paid=sorted(s.paid, key=lambda p: (p.paid_on, p.payment)),
                                delivered=sorted(s.delivered, key=lambda d: (d.received_on, d.receipt)))
            for s in statements.values() if s.contracted or s.paid or s.delivered]


def _funded_lines(donor: str, file: ContractFile, currency: str) -> list[FundedLine]:
    """The contract lines of one file that the donor's money funds."""
    contract = file.contract
    return [FundedLine(contract.code, contract.supplier, file.case.route, share.line,
                       contract.current.line(share.line).requirement,
                       Money.from_minor_units(share.units, share.currency), Money.from_minor_units(share.reporting,
                                                                                                   currency))
            for share in file.funding if share.donor == donor]


def _paid_shares(donor: str, file: ContractFile, currency: str) -> list[PaidShare]:
    """The donor's shares of one file's payments."""
    payments = {p.id: p for p in file.payments}
    contract = file.contract
    return [PaidShare(payment_id, payments[payment_id].paid_on, contract.code, contract.supplier,
                      contract.current.line(share.line).requirement,
                      Money.from_minor_units(share.units, share.currency),
                      Money.from_minor_units(share.reporting, currency))
            for payment_id, share in file.payment_shares if share.donor == donor]


def _delivered_shares(donor: str, file: ContractFile, currency: str) -> list[DeliveredShare]:
    """The donor's part of each accepted receipt of one file."""
    values = _file_values(file)
    donor_of = {s.contribution: s.donor for s in file.funding}
    line_of = {s.id: s.line for s in file.shipments}
    found = []
    for receipt in file.receipts:
        if receipt.id not in values:
            continue
        value, split = values[receipt.id]
        part = sum(units for contribution, units in split.items() if donor_of.get(contribution) == donor)
        if part:
            found.append(DeliveredShare(
                receipt.id, receipt.received_on, receipt.unit, file.contract.code,
                file.contract.current.line(line_of[receipt.shipment]).requirement, receipt.quantity,
                Money.from_minor_units(value, currency), Money.from_minor_units(part, currency)))
    return found


# --- the procurement page ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitItem:
    """Equipment for one unit: a shipment on its way (``state`` prepared or in transit, ``on`` the day it last
    moved), or what the unit signed for (``state`` accepted or refused, ``on`` the day it signed)."""

    shipment: int
    contract: str
    requirement: str
    title: str
    quantity: int
    state: str
    on: date
    condition: str = ""
    signed_by: str = ""


@dataclass(frozen=True, slots=True)
class ProcurementPage:
    """The procurement page: the pipeline and delivery status (for viewers of the money) and the shipments
    awaiting a signature (also for a unit's officer, who sees those addressed to its unit, what is on its way
    to the unit and everything the unit has signed for)."""

    pipeline: list[PipelineRow]
    deliveries: list[DeliveryStatus]
    arrivals: list[Arrival]
    contracts: tuple[Contract, ...] = ()  # for viewers of the money: each contract, with its papers a link away
    on_the_way: list[UnitItem] = field(default_factory=list)  # for a unit's officer
    signed: list[UnitItem] = field(default_factory=list)  # for a unit's officer, newest first
    over_time: list[DeliveryMonth] = field(default_factory=list)  # for viewers of the money
    cases: list[ProcurementCase] = field(default_factory=list)  # for viewers of the money, oldest first
    suppliers: dict[str, Party] = field(default_factory=dict)  # the contracts' suppliers, by code


def procurement_page(uow: UnitOfWork, actor: Actor, coalition: str, on: date | None = None) -> ProcurementPage:
    """The pipeline, delivery status and arrivals of the coalition (as of ``on``), from one read of its contract
    files; the agency's procurement officer gets the cases, each with its page; a viewer who may neither read the
    money, sign for equipment nor run procurement gets an empty page."""
    reads_all = can(actor, "read_funding", coalition).allowed
    signs = can(actor, "confirm_receipt", coalition).allowed
    manages = can(actor, "manage_procurement", coalition).allowed
    if not reads_all and not signs and not manages:
        return ProcurementPage([], [], [])
    with uow:
        currency = load_coalition(uow, coalition).reporting_currency
        today = uow.clock().date()
        on = as_of(on, today)
        cases = uow.delivery_reads.cases(coalition, on) if reads_all or manages else []
        if not reads_all and not signs:  # the agency's officer: the cases it runs, each with its page
            return ProcurementPage([], [], [], cases=cases)
        files = uow.delivery_reads.coalition_files(coalition, on)
        codes, requirements = _page_requirements(uow, cases, files)
        if not reads_all:  # a unit's officer: its own unit's equipment only
            return _unit_page(uow, files, requirements, actor.party or "")
        suppliers = {p.code: p for p in (uow.parties.get(f.contract.supplier) for f in files) if p is not None}
    arrivals = sorted(_arrivals(files, requirements), key=lambda a: (a.arrived_on, a.shipment))
    return ProcurementPage(_pipeline(cases, files, currency), _delivery_status(codes, requirements, files), arrivals,
                           _by_signing(files), over_time=delivery_over_time(files, currency, on or today), cases=cases,
                           suppliers=suppliers)


def _page_requirements(uow: UnitOfWork, cases: Sequence[ProcurementCase], files: Sequence[ContractFile]
                       ) -> tuple[list[str], dict[str, Requirement]]:
    """The requirements of the cases not cancelled, in order, and every requirement the page names (those with a
    shipment waiting to be signed for too)."""
    codes = list(dict.fromkeys(r for c in cases if c.stage is not CaseStage.CANCELLED for r in c.requirements))
    arrived = {f.contract.current.line(s.line).requirement for f in files for s in f.shipments
               if s.state is ShipmentState.ARRIVED}
    return codes, uow.requirements.get_many(set(codes) | arrived)


def _unit_page(uow: UnitOfWork, files: Sequence[ContractFile], requirements: dict[str, Requirement],
               unit: str) -> ProcurementPage:
    """The page of a unit's officer: what arrived for the unit to sign for, what is on its way, what it signed."""
    arrivals = sorted((a for a in _arrivals(files, requirements) if not a.end_users or unit in a.end_users),
                      key=lambda a: (a.arrived_on, a.shipment))
    on_the_way, signed = _unit_items(uow, files, unit)
    return ProcurementPage([], [], arrivals, on_the_way=on_the_way, signed=signed)


def _unit_items(uow: UnitOfWork, files: Sequence[ContractFile], unit: str) -> tuple[list[UnitItem], list[UnitItem]]:
    """What is on its way to ``unit`` (shipments not yet arrived for requirements it will use) and what it signed
    for, newest first (in the caller's transaction)."""
    shipped = [(f, s) for f in files for s in f.shipments]
    codes = {f.contract.current.line(s.line).requirement for f, s in shipped}
    requirements = uow.requirements.get_many(codes) if codes else {}
    on_the_way: list[UnitItem] = []
    signed: list[UnitItem] = []
    for file, shipment in shipped:
        requirement = requirements[file.contract.current.line(shipment.line).requirement]
        assert shipment.id is not None
        base = (shipment.id, shipment.contract, requirement.code, requirement.title)
        if shipment.state not in RECEIVABLE and unit in requirement.end_users:
            on_the_way.append(UnitItem(*base, shipment.quantity, shipment.state.value, shipment.events[-1].on))
        signed.extend(UnitItem(*base, r.quantity, "accepted" if r.accepted else "refused", r.received_on,
                               r.condition.value, r.signed_by)
                      for r in file.receipts if r.shipment == shipment.id and r.unit == unit)
    on_the_way.sort(key=lambda i: (i.on, i.shipment))
    signed.sort(key=lambda i: (i.on, i.shipment), reverse=True)
    return on_the_way, signed


def _by_signing(files: Sequence[ContractFile]) -> tuple[Contract, ...]:
    return tuple(sorted((f.contract for f in files), key=lambda c: (c.signed_on, c.code)))
