"""Tenders on the agency route: publish one with lots, record bids, rank them, award lots, cancel."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date

from coalition.domain.access import Actor, can
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, NotFound
from coalition.domain.procurement import (
    ROUTE_RULES,
    TENDER_STAGES,
    Bid,
    CaseStage,
    RankedBid,
    Tender,
    TenderState,
    award,
    check_bid,
    evaluate,
)
from coalition.domain.steering import ProposalKind
from coalition.services.audit import record_change, require
from coalition.services.planning import load_requirement
from coalition.services.ports import UnitOfWork
from coalition.services.procurement.cases import load_case, move_case, needs_decision
from coalition.services.procurement.money import in_reporting
from coalition.services.registry import load_coalition, load_party


def load_tender(uow: UnitOfWork, code: str) -> Tender:
    """The tender with ``code``, or NotFound naming the field."""
    found = uow.procurement.get_tender(code)
    if found is None:
        raise NotFound(f"no tender '{code}'", field="tender")
    return found


def create_tender(uow: UnitOfWork, actor: Actor, tender: Tender) -> Tender:
    """Publish a tender on an agency case whose route is approved."""
    with uow:
        case = load_case(uow, tender.case)
        require(can(actor, "manage_procurement", case.coalition))
        if not ROUTE_RULES[case.route].tenders:
            raise InvariantViolated(f"case {case.code} is on the {case.route.value} route; only the agency route "
                                    "tenders", field="case")
        if uow.procurement.get_tender(tender.code) is not None:
            raise Conflict(f"a tender with code '{tender.code}' already exists", field="code")
        if tender.state is not TenderState.OPEN or tender.awards:
            raise InvalidInput("a tender is published open, with no awards", field="state")
        for lot in tender.lots:
            if lot.requirement not in case.requirements:
                raise InvalidInput(f"lot {lot.number}: {lot.requirement} is not a requirement of case {case.code}",
                                   field="lots.requirement")
            requirement = load_requirement(uow, lot.requirement, "requirements")
            if lot.quantity > requirement.quantity:
                raise InvariantViolated(f"lot {lot.number} asks for {lot.quantity}; {lot.requirement} needs "
                                        f"{requirement.quantity}", field="lots.quantity")
        for supplier in tender.invited:
            load_party(uow, supplier, "invited")
        move_case(uow, case, CaseStage.TENDERING, tender.published_on, f"tender {tender.code} published")
        uow.procurement.add_tender(tender)
        record_change(uow, actor, AuditEvent("create_tender", "tender", tender.code, None, snapshot(tender)))
        uow.commit()
    return tender


def record_bid(uow: UnitOfWork, actor: Actor, bid: Bid) -> Bid:
    """Record a supplier's bid for a lot of an open tender."""
    with uow:
        uow.ledger.lock()
        tender = load_tender(uow, bid.tender)
        case = load_case(uow, tender.case)
        require(can(actor, "record_bid", case.coalition))
        load_party(uow, bid.supplier, "supplier")
        check_bid(tender, bid, uow.procurement.bids(tender.code))
        stored = uow.procurement.add_bid(bid)
        record_change(uow, actor, AuditEvent("record_bid", "bid", str(stored.id), None, snapshot(stored)))
        uow.commit()
    return stored


def _ranking(uow: UnitOfWork, tender: Tender, lot: int, bids: Sequence[Bid]) -> list[RankedBid]:
    """The lot's bids ranked, their prices in the reporting currency at the closing date's rate."""
    case = load_case(uow, tender.case)
    quantity = tender.lot(lot).quantity
    prices = {}
    for bid in bids:
        if bid.lot == lot and bid.id is not None:
            prices[bid.id] = in_reporting(uow, case.coalition, bid.unit_price * quantity, tender.closes_on)
    return evaluate(tender, lot, bids, prices)


@dataclasses.dataclass(frozen=True, slots=True)
class Evaluation:
    """Every lot's bids, ranked."""

    tender: Tender
    currency: str
    lots: dict[int, list[RankedBid]]


def evaluate_tender(uow: UnitOfWork, actor: Actor, code: str) -> Evaluation:
    """Rank every lot's bids (prices compared in the reporting currency at the closing date's rate)."""
    with uow:
        tender = load_tender(uow, code)
        require(can(actor, "read_funding", load_case(uow, tender.case).coalition))
        return evaluation_of(uow, tender)


def evaluation_of(uow: UnitOfWork, tender: Tender) -> Evaluation:
    """Every lot's bids of ``tender`` ranked, in the caller's transaction (whose caller checked the permission)."""
    case = load_case(uow, tender.case)
    bids = uow.procurement.bids(tender.code)
    return Evaluation(tender, load_coalition(uow, case.coalition).reporting_currency,
                      {lot.number: _ranking(uow, tender, lot.number, bids) for lot in tender.lots})


def award_lot(uow: UnitOfWork, actor: Actor, code: str, *, lot: int, bid: int, justification: str, on: date,
              decision: int | None = None) -> Tender:
    """Award a lot to its first-ranked bid; the standstill period starts. All lots awarded: the case is awarded."""
    with uow:
        uow.ledger.lock()
        tender = load_tender(uow, code)
        case = load_case(uow, tender.case)
        require(can(actor, "approve_procurement", case.coalition))
        needs_decision(uow, case.coalition, decision, "an award", ProposalKind.APPROVE_AWARD,
                        {"tender": code, "lot": lot, "bid": bid})
        ranking = _ranking(uow, tender, lot, uow.procurement.bids(code))
        awarded = award(tender, lot, ranking, bid, justification, on, decision)
        uow.procurement.update_tender(awarded)
        if awarded.state is TenderState.AWARDED:
            move_case(uow, case, CaseStage.AWARDED, on, f"tender {code} awarded")
        record_change(uow, actor, AuditEvent("award_lot", "tender", code, {"state": tender.state.value},
                                             snapshot(awarded.award_of(lot))))
        uow.commit()
    return awarded


def cancel_tender(uow: UnitOfWork, actor: Actor, code: str, *, on: date, reason: str) -> Tender:
    """Cancel a tender before any contract under it; the case returns to its approved route."""
    if not reason.strip():
        raise InvalidInput("a cancellation needs a reason", field="reason")
    with uow:
        uow.ledger.lock()
        tender = load_tender(uow, code)
        case = load_case(uow, tender.case)
        require(can(actor, "manage_procurement", case.coalition))
        if tender.state is TenderState.CANCELLED:
            raise Conflict(f"tender {code} is already cancelled", field="tender")
        if any(c.tender == code for c in uow.procurement.contracts([case.code])):
            raise InvariantViolated(f"a contract has been signed under tender {code}; it can no longer be cancelled",
                                    field="tender")
        cancelled = dataclasses.replace(tender, state=TenderState.CANCELLED, cancel_reason=reason.strip())
        uow.procurement.update_tender(cancelled)
        if case.stage in TENDER_STAGES:
            move_case(uow, case, CaseStage.APPROVED, on, f"tender {code} cancelled: {reason.strip()}")
        record_change(uow, actor, AuditEvent("cancel_tender", "tender", code, {"state": tender.state.value},
                                             {"state": cancelled.state.value, "reason": reason.strip()}))
        uow.commit()
    return cancelled
