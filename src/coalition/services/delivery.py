"""Delivery and the reports that follow money to equipment: shipments, unit receipts, end-use checks,
the procurement pipeline, delivery status per requirement, and what each donor's money bought.

A requirement's delivered share derives from accepted receipts only. The value of delivered items is
the contracted money of their line in proportion to the quantity, and each receipt's value is split over
the donors whose money funded the line by largest remainder, so each receipt's shares sum exactly to
its value. Contracted, paid and delivered are three views of the same money: they are shown side by
side and never added together.
"""

from __future__ import annotations

from datetime import date

from coalition.domain.access import Actor, can, can_act_for
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.common import dated_act
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
from coalition.domain.notifications import EventType
from coalition.domain.procurement import (
    CaseStage,
    ProcurementCase,
)
from coalition.domain.requirements import RequirementStatus
from coalition.services.audit import record_change, require
from coalition.services.notifications import emit
from coalition.services.planning import move_requirement
from coalition.services.ports import UnitOfWork
from coalition.services.procurement.cases import load_case, move_case
from coalition.services.procurement.contracts import load_contract
from coalition.services.registry import load_party

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
        if to is ShipmentState.ARRIVED:
            requirement = uow.requirements.get(contract.current.line(found.line).requirement)
            # the units that will sign for it; the requirement's owner (the recipient) when it names none
            units = (requirement.end_users or (requirement.owner,)) if requirement is not None else ()
            emit(uow, EventType.SHIPMENT_ARRIVED, coalition=case.coalition, parties=units,
                 facts={"shipment": shipment, "contract": contract.code, "line": found.line,
                        "quantity": found.quantity, "unit": ", ".join(units), "on": on.isoformat()})
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
        dated_act(receipt.received_on, uow.clock().date(), not_before=shipment.on(ShipmentState.ARRIVED) or date.min,
                  after_what=f"shipment {shipment.id} arrived", field="received_on")
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
