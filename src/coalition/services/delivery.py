"""Delivery and the reports that follow money to equipment: shipments, unit receipts, end-use checks,
the procurement pipeline, delivery status per requirement, and what each donor's money bought.

A requirement's delivered share derives from accepted receipts only. The value of delivered items is
the contracted money of their line in proportion to the quantity, and each receipt's value is split over
the donors whose money funded the line by largest remainder, so each receipt's shares sum exactly to
its value. Contracted, paid and delivered are three views of the same money: they are shown side by
side and never added together.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from coalition.domain.access import Actor, can, can_act_for
from coalition.domain.attribution import largest_remainder
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.contributions import FundingRoute
from coalition.domain.delivery import (
    EndUseCheck,
    Shipment,
    ShipmentEvent,
    ShipmentState,
    UnitReceipt,
    check_end_use,
    check_receipt,
    delivered_share,
)
from coalition.domain.errors import InvariantViolated, NotFound
from coalition.domain.money import Money
from coalition.domain.procurement import (
    STAGE_ORDER,
    CaseStage,
    Contract,
    FundingShare,
    Payment,
    ProcurementCase,
    paid_total,
)
from coalition.domain.requirements import RequirementStatus
from coalition.services.audit import record_change, require
from coalition.services.confidentiality import hidden_contributions, masked
from coalition.services.planning import move_requirement
from coalition.services.ports import UnitOfWork
from coalition.services.procurement.cases import load_case, move_case
from coalition.services.procurement.contracts import load_contract
from coalition.services.registry import load_coalition, load_party

S = RequirementStatus


def _shipment(uow: UnitOfWork, id: int) -> Shipment:
    """The shipment with ``id``, or NotFound naming the field."""
    found = uow.procurement.get_shipment(id)
    if found is None:
        raise NotFound(f"no shipment {id}", field="shipment")
    return found


# --- shipments, receipts, checks ----------------------------------------------------------------


def ship(uow: UnitOfWork, actor: Actor, *, contract: str, line: int, quantity: int, on: date,
         reference: str = "") -> Shipment:
    """Prepare a shipment of a contract line; all shipments of a line carry no more than it orders."""
    with uow:
        uow.ledger.lock()
        found = load_contract(uow, contract)
        case = load_case(uow, found.case)
        require(can_act_for(actor, "record_shipment", case.coalition, found.supplier))
        ordered = found.current.line(line)
        if on < found.signed_on:
            raise InvariantViolated(f"a shipment on {on} precedes the contract signed on {found.signed_on}",
                                    field="on")
        shipped = sum(s.quantity for s in uow.procurement.shipments([contract]) if s.line == line)
        if shipped + quantity > ordered.quantity:
            raise InvariantViolated(f"line {line} of {contract} orders {ordered.quantity}; {shipped} already shipped, "
                                    f"so {quantity} more is too many", field="quantity")
        stored = uow.procurement.add_shipment(Shipment(contract, line, quantity,
                                                       (ShipmentEvent(ShipmentState.PREPARED, on),), reference.strip()))
        record_change(uow, actor, AuditEvent("ship", "shipment", str(stored.id), None, snapshot(stored)))
        uow.commit()
    return stored


def advance_shipment(uow: UnitOfWork, actor: Actor, shipment: int, to: ShipmentState, *, on: date,
                     note: str = "") -> Shipment:
    """Move a shipment to its next state (in transit, arrived, handed over...), kept in its history."""
    with uow:
        found = _shipment(uow, shipment)
        contract = load_contract(uow, found.contract)
        case = load_case(uow, contract.case)
        require(can_act_for(actor, "record_shipment", case.coalition, contract.supplier))
        moved = found.advanced(to, on, note)
        uow.procurement.add_shipment_event(shipment, moved.events[-1])
        record_change(uow, actor, AuditEvent("advance_shipment", "shipment", str(shipment),
                                             {"state": found.state.value}, {"state": to.value, "on": on.isoformat()}))
        uow.commit()
    return moved


def confirm_receipt(uow: UnitOfWork, actor: Actor, receipt: UnitReceipt) -> UnitReceipt:
    """A unit signs for items of an arrived shipment: accepted, or refused with the discrepancy.

    When the whole shipment is signed for it is handed over; the requirement's delivered share and
    status follow the accepted quantities.
    """
    with uow:
        uow.ledger.lock()
        shipment = _shipment(uow, receipt.shipment)
        contract = load_contract(uow, shipment.contract)
        case = load_case(uow, contract.case)
        require(can_act_for(actor, "confirm_receipt", case.coalition, receipt.unit))
        load_party(uow, receipt.unit, "unit")
        requirement = uow.requirements.get(contract.current.line(shipment.line).requirement)
        assert requirement is not None
        if requirement.end_users and receipt.unit not in requirement.end_users:
            raise InvariantViolated(f"{receipt.unit} is not an end user of {requirement.code} "
                                    f"({', '.join(requirement.end_users)})", field="unit")
        check_receipt(shipment, receipt, uow.procurement.receipts([shipment.id or 0]))
        stored = uow.procurement.add_receipt(receipt)
        signed = sum(r.quantity for r in uow.procurement.receipts([shipment.id or 0]))
        if signed == shipment.quantity and shipment.state is ShipmentState.ARRIVED:
            uow.procurement.add_shipment_event(receipt.shipment, ShipmentEvent(
                ShipmentState.HANDED_OVER, receipt.received_on, "every item signed for"))
        _follow_delivery(uow, case, requirement.code, receipt.received_on)
        record_change(uow, actor, AuditEvent("confirm_receipt", "unit_receipt", str(stored.id), None,
                                             snapshot(stored)))
        uow.commit()
    return stored


def _accepted(uow: UnitOfWork, coalition: str, requirement: str) -> int:
    """How many items of ``requirement`` units have accepted, over all the coalition's contracts."""
    cases = [c.code for c in uow.procurement.cases(coalition) if requirement in c.requirements]
    contracts = uow.procurement.contracts(cases)
    line_of = {(c.code, line.number): line.requirement for c in contracts for line in c.current.lines}
    shipments = {s.id: s for s in uow.procurement.shipments([c.code for c in contracts])
                 if line_of.get((s.contract, s.line)) == requirement}
    return sum(r.accepted_quantity for r in uow.procurement.receipts([i for i in shipments if i is not None]))


def _follow_delivery(uow: UnitOfWork, case: ProcurementCase, code: str, on: date) -> None:
    """Move a requirement to partly or fully delivered by what units accepted, and its cases with it."""
    requirement = uow.requirements.get(code)
    assert requirement is not None
    share = delivered_share(_accepted(uow, case.coalition, code), requirement.quantity)
    target = S.FULLY_DELIVERED if share == 1 else S.PARTLY_DELIVERED if share > 0 else None
    if target is None or requirement.status is target:
        return
    move_requirement(uow, requirement, target, f"{share.numerator}/{share.denominator} accepted by units"
                     if share < 1 else "every item accepted")
    if target is S.FULLY_DELIVERED:
        _close_delivered_cases(uow, case.coalition, code, on)


def _close_delivered_cases(uow: UnitOfWork, coalition: str, code: str, on: date) -> None:
    """Move to delivered every contracted case of ``code`` (now fully delivered) whose other requirements are."""
    for found in uow.procurement.cases(coalition):
        if found.stage is not CaseStage.CONTRACTED or code not in found.requirements:
            continue
        statuses = [uow.requirements.get(r) for r in found.requirements]
        if all(r is not None and (r.code == code or r.status is S.FULLY_DELIVERED) for r in statuses):
            move_case(uow, found, CaseStage.DELIVERED, on, "every requirement fully delivered")


def record_end_use_check(uow: UnitOfWork, actor: Actor, check: EndUseCheck) -> EndUseCheck:
    """Record a check that equipment a unit signed for is where and as it should be."""
    with uow:
        uow.ledger.lock()
        receipt = uow.procurement.get_receipt(check.receipt)
        if receipt is None:
            raise NotFound(f"no unit receipt {check.receipt}", field="receipt")
        shipment = _shipment(uow, receipt.shipment)
        case = load_case(uow, load_contract(uow, shipment.contract).case)
        require(can(actor, "record_end_use_check", case.coalition))
        load_party(uow, check.checked_by, "checked_by")
        check_end_use(receipt, check)
        stored = uow.procurement.add_check(check)
        record_change(uow, actor, AuditEvent("record_end_use_check", "end_use_check", str(stored.id), None,
                                             snapshot(stored)))
        uow.commit()
    return stored


def close_case(uow: UnitOfWork, actor: Actor, code: str, *, on: date, note: str = "") -> ProcurementCase:
    """Close a delivered case; its requirements are closed with it."""
    with uow:
        case = load_case(uow, code)
        require(can(actor, "manage_procurement", case.coalition))
        moved = move_case(uow, case, CaseStage.CLOSED, on, note.strip() or "closed")
        for requirement_code in case.requirements:
            requirement = uow.requirements.get(requirement_code)
            if requirement is not None and requirement.status is S.FULLY_DELIVERED:
                move_requirement(uow, requirement, S.CLOSED, f"case {code} closed")
        record_change(uow, actor, AuditEvent("close_case", "procurement_case", code, {"stage": case.stage.value},
                                             {"stage": CaseStage.CLOSED.value}))
        uow.commit()
    return moved


# --- views and reports --------------------------------------------------------------------------


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
        """What is paid under the contract, reversals deducted."""
        return paid_total(self.payments, self.contract.current.currency)


def get_contract(uow: UnitOfWork, actor: Actor, code: str) -> ContractView:
    """A contract with its funding per donor, payments and their shares, shipments, receipts and checks."""
    with uow:
        contract = load_contract(uow, code)
        case = load_case(uow, contract.case)
        require(can(actor, "read_funding", case.coalition))
        shipments = uow.procurement.shipments([code])
        receipts = uow.procurement.receipts([s.id for s in shipments if s.id is not None])
        funding = [s for _, s in uow.procurement.funding([code])]
        paid = uow.procurement.payment_shares([code])
        hidden = hidden_contributions(uow, actor, case.coalition, {s.contribution for s in funding})
        shares = masked([s for _, s in paid], hidden)
        return ContractView(contract, case, masked(funding, hidden), uow.procurement.payments([code]),
                            [(payment, share) for (payment, _), share in zip(paid, shares, strict=True)], shipments,
                            receipts, uow.procurement.checks([r.id for r in receipts if r.id is not None]),
                            load_coalition(uow, case.coalition).reporting_currency)


@dataclass(frozen=True, slots=True)
class PipelineRow:
    route: FundingRoute
    stage: CaseStage
    cases: int
    requirements: int
    contracted: Money
    paid: Money


def pipeline(uow: UnitOfWork, actor: Actor, coalition: str) -> list[PipelineRow]:
    """Cases by route and stage: how many, for how many requirements, contracted and paid (reporting currency)."""
    require(can(actor, "read_funding", coalition))
    with uow:
        currency = load_coalition(uow, coalition).reporting_currency
        cases = uow.procurement.cases(coalition)
        contracts = uow.procurement.contracts([c.code for c in cases])
        case_of = {c.code: c.case for c in contracts}
        contracted: dict[str, int] = defaultdict(int)
        for contract, share in uow.procurement.funding(list(case_of)):
            contracted[case_of[contract]] += share.reporting
        paid: dict[str, int] = defaultdict(int)
        for payment in uow.procurement.payments(list(case_of)):
            paid[case_of[payment.contract]] += payment.signed_reporting.to_minor_units()
        groups: dict[tuple[FundingRoute, CaseStage], list[ProcurementCase]] = defaultdict(list)
        for case in cases:
            groups[(case.route, case.stage)].append(case)
        routes = list(FundingRoute)
        return [PipelineRow(route, stage, len(found), sum(len(c.requirements) for c in found),
                            Money.from_minor_units(sum(contracted[c.code] for c in found), currency),
                            Money.from_minor_units(sum(paid[c.code] for c in found), currency))
                for (route, stage), found in sorted(groups.items(), key=lambda g: (routes.index(g[0][0]),
                                                                                  STAGE_ORDER.index(g[0][1])))]


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
        """The share of the required quantity accepted by units."""
        return delivered_share(self.accepted, self.required)

    @property
    def shown_share(self) -> str:
        """The delivered share as a percentage to one decimal place."""
        return f"{(Decimal(self.share.numerator) * 100 / self.share.denominator).quantize(Decimal('0.1'))}%"


def delivery_status(uow: UnitOfWork, actor: Actor, coalition: str) -> list[DeliveryStatus]:
    """Per requirement under procurement: required, contracted, shipped, signed for, accepted, delivered share."""
    require(can(actor, "read_funding", coalition))
    with uow:
        load_coalition(uow, coalition)
        cases = uow.procurement.cases(coalition)
        figures = _delivery_figures(uow, uow.procurement.contracts([c.code for c in cases]))
        rows = []
        for code in dict.fromkeys(r for c in cases if c.stage is not CaseStage.CANCELLED for r in c.requirements):
            requirement = uow.requirements.get(code)
            assert requirement is not None
            contracted, shipped, signed, accepted, refused = figures[code]
            rows.append(DeliveryStatus(code, requirement.title, requirement.status, requirement.quantity, contracted,
                                       shipped, signed, accepted, refused))
        return rows


def _delivery_figures(uow: UnitOfWork, contracts: Sequence[Contract]) -> dict[str, list[int]]:
    """Per requirement: contracted, shipped, signed for, accepted and refused quantities."""
    line_of = {(c.code, line.number): line.requirement for c in contracts for line in c.current.lines}
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for contract in contracts:
        for line in contract.current.lines:
            figures[line.requirement][0] += line.quantity
    shipments = uow.procurement.shipments([c.code for c in contracts])
    requirement_of = {s.id: line_of[(s.contract, s.line)] for s in shipments}
    for shipment in shipments:
        figures[requirement_of[shipment.id]][1] += shipment.quantity
    for receipt in uow.procurement.receipts([s.id for s in shipments if s.id is not None]):
        row = figures[requirement_of[receipt.shipment]]
        row[2] += receipt.quantity
        row[3] += receipt.accepted_quantity
        row[4] += receipt.quantity - receipt.accepted_quantity
    return figures


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
        line = contract.current.line(number)
        shares = [s for s in by_line[number] if s.reporting > 0]
        total = sum(s.reporting for s in shares)
        before = accepted[number]
        accepted[number] += receipt.quantity

        def worth(items: int, total: int = total, quantity: int = line.quantity) -> int:
            """What ``items`` of the line are worth, half to even."""
            return int((Decimal(total) * min(items, quantity) / quantity).to_integral_value(ROUND_HALF_EVEN))

        value = worth(accepted[number]) - worth(before)
        split = largest_remainder(value, [s.reporting for s in shares]) if shares else []
        per_contribution: dict[int, int] = defaultdict(int)
        for share, part in zip(shares, split, strict=True):
            per_contribution[share.contribution] += part
        values[receipt.id] = (value, dict(per_contribution))
    return values


def delivered_value(uow: UnitOfWork, actor: Actor, coalition: str) -> Money:
    """What the equipment units accepted is worth, in the reporting currency (the money contracted for it)."""
    require(can(actor, "read_funding", coalition))
    with uow:
        currency = load_coalition(uow, coalition).reporting_currency
        contracts = uow.procurement.contracts([c.code for c in uow.procurement.cases(coalition)])
        codes = [c.code for c in contracts]
        funding = uow.procurement.funding(codes)
        shipments = uow.procurement.shipments(codes)
        receipts = uow.procurement.receipts([s.id for s in shipments if s.id is not None])
        total = 0
        for contract in contracts:
            own = [s for s in shipments if s.contract == contract.code]
            ids = {s.id for s in own}
            values = receipt_values(contract, [s for c, s in funding if c == contract.code], own,
                                    [r for r in receipts if r.shipment in ids])
            total += sum(value for value, _ in values.values())
        return Money.from_minor_units(total, currency)


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
        """The items of the shipment not yet signed for."""
        return self.quantity - self.signed_for


def _arrival(uow: UnitOfWork, contract: Contract, shipment: Shipment, signed: dict[int, int]) -> Arrival:
    """An arrived shipment with the requirement it delivers and what is signed for so far."""
    assert shipment.id is not None
    line = contract.current.line(shipment.line)
    requirement = uow.requirements.get(line.requirement)
    assert requirement is not None
    arrived = next(e.on for e in reversed(shipment.events) if e.state is ShipmentState.ARRIVED)
    return Arrival(shipment.id, shipment.contract, shipment.line, requirement.code, requirement.title,
                   shipment.quantity, signed[shipment.id], requirement.end_users, arrived)


def awaiting_receipt(uow: UnitOfWork, actor: Actor, coalition: str) -> list[Arrival]:
    """Shipments that have arrived and are not yet fully signed for, oldest first; a unit officer sees
    those addressed to the unit it acts for."""
    reads_all = can(actor, "read_funding", coalition)
    if not reads_all:
        require(can(actor, "confirm_receipt", coalition))
    with uow:
        load_coalition(uow, coalition)
        contracts = {c.code: c for c in uow.procurement.contracts([c.code for c in uow.procurement.cases(coalition)])}
        shipments = [s for s in uow.procurement.shipments(list(contracts)) if s.state is ShipmentState.ARRIVED]
        signed: dict[int, int] = defaultdict(int)
        for receipt in uow.procurement.receipts([s.id for s in shipments if s.id is not None]):
            signed[receipt.shipment] += receipt.quantity
        found = [_arrival(uow, contracts[shipment.contract], shipment, signed) for shipment in shipments]
        if not reads_all:  # a unit's officer signs for its own unit's equipment only
            found = [a for a in found if not a.end_users or actor.party in a.end_users]
        return sorted(found, key=lambda a: (a.arrived_on, a.shipment))


def donor_procurement(uow: UnitOfWork, actor: Actor, donor: str) -> list[DonorProcurement]:
    """Follow one donor's money from contract lines to payments to the units that signed for the equipment."""
    with uow:
        load_party(uow, donor, "donor")
        codes = uow.procurement.funded_contracts(donor)
        contracts = {c.code: c for c in (uow.procurement.get_contract(code) for code in codes) if c is not None}
        cases = {c.code: load_case(uow, c.case) for c in contracts.values()}
        for case in cases.values():
            require(can(actor, "read_funding", case.coalition))
        funding = uow.procurement.funding(codes)
        shipments = uow.procurement.shipments(codes)
        receipts = uow.procurement.receipts([s.id for s in shipments if s.id is not None])
        payments = {p.id: p for p in uow.procurement.payments(codes)}
        books = _DonorBooks(uow, donor, contracts, cases)
        for code, share in funding:
            if share.donor == donor:
                books.add_contracted(code, share)
        for payment_id, share in uow.procurement.payment_shares(codes):
            payment = payments[payment_id]
            if share.donor == donor and payment.id is not None:
                books.add_paid(payment, share)
        books.add_deliveries(funding, shipments, receipts)
        return books.statements()


class _DonorBooks:
    """One donor's statements, one per coalition, each made when a contract of its coalition first needs it."""

    def __init__(self, uow: UnitOfWork, donor: str, contracts: dict[str, Contract],
                 cases: dict[str, ProcurementCase]) -> None:
        """Start the books of ``donor`` over its ``contracts`` and their ``cases``."""
        self.uow, self.donor, self.contracts, self.cases = uow, donor, contracts, cases
        self.by_coalition: dict[str, DonorProcurement] = {}

    def of(self, contract: str) -> DonorProcurement:
        """The statement of the coalition ``contract`` was signed in."""
        coalition = self.cases[contract].coalition
        if coalition not in self.by_coalition:
            self.by_coalition[coalition] = DonorProcurement(
                self.donor, coalition, load_coalition(self.uow, coalition).reporting_currency, [], [], [])
        return self.by_coalition[coalition]

    def add_contracted(self, code: str, share: FundingShare) -> None:
        """The donor's money behind a contract line."""
        found, contract = self.of(code), self.contracts[code]
        found.contracted.append(FundedLine(
            code, contract.supplier, self.cases[code].route, share.line, contract.current.line(share.line).requirement,
            Money.from_minor_units(share.units, share.currency),
            Money.from_minor_units(share.reporting, found.currency)))

    def add_paid(self, payment: Payment, share: FundingShare) -> None:
        """The donor's share of a payment."""
        assert payment.id is not None
        found, contract = self.of(payment.contract), self.contracts[payment.contract]
        found.paid.append(PaidShare(payment.id, payment.paid_on, payment.contract, contract.supplier,
                                    contract.current.line(share.line).requirement,
                                    Money.from_minor_units(share.units, share.currency),
                                    Money.from_minor_units(share.reporting, found.currency)))

    def add_deliveries(self, funding: Sequence[tuple[str, FundingShare]], shipments: Sequence[Shipment],
                       receipts: Sequence[UnitReceipt]) -> None:
        """The donor's part of every receipt its money paid for, contract by contract."""
        donor_of = {s.contribution: s.donor for _, s in funding}
        for code, contract in self.contracts.items():
            own_shipments = [s for s in shipments if s.contract == code]
            ids = {s.id for s in own_shipments}
            self.add_delivered(contract, [s for c, s in funding if c == code], own_shipments,
                               [r for r in receipts if r.shipment in ids], donor_of)

    def add_delivered(self, contract: Contract, funding: Sequence[FundingShare], shipments: Sequence[Shipment],
                      receipts: Sequence[UnitReceipt], donor_of: dict[int, str]) -> None:
        """The donor's part of the value of each receipt under ``contract`` that its money paid for."""
        values = receipt_values(contract, funding, shipments, receipts)
        line_of = {s.id: s.line for s in shipments}
        for receipt in receipts:
            if receipt.id not in values:
                continue
            value, split = values[receipt.id]
            part = sum(units for contribution, units in split.items() if donor_of.get(contribution) == self.donor)
            if part == 0:
                continue
            found = self.of(contract.code)
            found.delivered.append(DeliveredShare(
                receipt.id, receipt.received_on, receipt.unit, contract.code,
                contract.current.line(line_of[receipt.shipment]).requirement, receipt.quantity,
                Money.from_minor_units(value, found.currency), Money.from_minor_units(part, found.currency)))

    def statements(self) -> list[DonorProcurement]:
        """Every statement, by coalition, its payments and deliveries in date order."""
        return [dataclasses.replace(s, paid=sorted(s.paid, key=lambda p: (p.paid_on, p.payment)),
                                    delivered=sorted(s.delivered, key=lambda d: (d.received_on, d.receipt)))
                for _, s in sorted(self.by_coalition.items())]
