"""Procurement cases: open one by route for its requirements, approve the route, cancel it, read it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date

from coalition.domain.access import Actor, can
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, NotFound
from coalition.domain.limits import NOTE, check_text
from coalition.domain.procurement import ROUTE_RULES, CaseStage, Contract, ProcurementCase, Tender, TenderState
from coalition.domain.requirements import Requirement, RequirementStatus
from coalition.domain.steering import ProposalKind
from coalition.services.audit import record_change, require
from coalition.services.decisions import check_decision
from coalition.services.planning import load_requirement, move_requirement
from coalition.services.ports import UnitOfWork
from coalition.services.procurement.money import in_reporting
from coalition.services.registry import load_coalition, load_party

S = RequirementStatus


def load_case(uow: UnitOfWork, code: str) -> ProcurementCase:
    """The case with ``code``, or NotFound naming the field."""
    found = uow.procurement.get_case(code)
    if found is None:
        raise NotFound(f"no procurement case '{code}'", field="case")
    return found


def move_case(uow: UnitOfWork, case: ProcurementCase, to: CaseStage, on: date, note: str,
              decision: int | None = None) -> ProcurementCase:
    """Move a case to its next stage and keep the move in its history (in the caller's transaction)."""
    check_text(note, "note", NOTE, required=False)
    moved = case.moved(to)
    uow.procurement.set_stage(case.code, case.stage, to, on, note, decision)
    return dataclasses.replace(moved, route_decision=decision if decision is not None else case.route_decision)


def move_requirement_to(uow: UnitOfWork, requirement: Requirement, to: RequirementStatus, note: str) -> None:
    """Move a requirement to ``to`` unless it is there already (in the caller's transaction)."""
    if requirement.status is not to:
        move_requirement(uow, requirement, to, note)


def needs_decision(uow: UnitOfWork, coalition: str, decision: int | None, what: str, kind: ProposalKind,
                    payload: Mapping[str, object]) -> None:
    """Where the rules require it, a decision; any decision named must be that coalition's, of that kind, about
    this very thing, and not rejected (an open one is the proposal being closed now)."""
    if decision is None:
        if load_coalition(uow, coalition).rules.steering_decides_procurement:
            raise InvariantViolated(f"under {coalition}'s rules, {what} is a steering-group decision: open a "
                                    f"proposal (coalition proposals open {coalition} {kind.value} ...)",
                                    field="decision")
        return
    check_decision(uow, coalition, decision, kind, payload, what)


def open_case(uow: UnitOfWork, actor: Actor, case: ProcurementCase) -> ProcurementCase:
    """Open a case for funded requirements (money routes; also the rest of one met in part, with cash reserved for
    it) or prioritised ones (a donation from stock)."""
    require(can(actor, "manage_procurement", case.coalition))
    with uow:
        uow.ledger.lock()
        load_coalition(uow, case.coalition)
        load_party(uow, case.buyer, "buyer")
        if uow.procurement.get_case(case.code) is not None:
            raise Conflict(f"a procurement case with code '{case.code}' already exists", field="code")
        if case.stage is not CaseStage.PROPOSED:
            raise InvalidInput("a case opens with its route proposed", field="stage")
        reserved = uow.ledger.reserved(case.coalition)
        for code in case.requirements:
            requirement = load_requirement(uow, code, "requirements")
            _check_bought(case, requirement, reserved.get(code, 0))
            if requirement.status is not S.PARTLY_DELIVERED:  # the rest of one met in part stays partly delivered
                move_requirement_to(uow, requirement, S.IN_PROCUREMENT, f"procurement case {case.code}")
        uow.procurement.add_case(case)
        record_change(uow, actor, AuditEvent("open_case", "procurement_case", case.code, None, snapshot(case)))
        uow.commit()
    return case


def _check_bought(case: ProcurementCase, requirement: Requirement, reserved: int) -> None:
    """The requirement is the case's coalition's, for the case's route, and in a status the route buys."""
    code = requirement.code
    if requirement.coalition != case.coalition:
        raise InvalidInput(f"{code} belongs to {requirement.coalition}, not {case.coalition}", field="requirements")
    if requirement.route is not None and requirement.route is not case.route:
        raise InvariantViolated(f"{code} is to be bought by the {requirement.route.value} route, not "
                                f"{case.route.value}", field="route")
    rules = ROUTE_RULES[case.route]
    if rules.refuses(requirement.status, reserved):
        raise InvariantViolated(rules.unfit.format(code=code, status=requirement.status.value), field="requirements")


def approve_route(uow: UnitOfWork, actor: Actor, code: str, *, on: date, decision: int | None = None
                  ) -> ProcurementCase:
    """Approve a case's route: by the steering group's ``decision`` where the rules require one."""
    with uow:
        case = load_case(uow, code)
        require(can(actor, "approve_procurement", case.coalition))
        needs_decision(uow, case.coalition, decision, "the procurement route", ProposalKind.APPROVE_ROUTE,
                        {"case": code})
        if on < case.opened_on:
            raise InvariantViolated(f"approval on {on} precedes the case's opening on {case.opened_on}", field="on")
        note = f"route {case.route.value} approved" + (f" by decision {decision}" if decision else "")
        moved = move_case(uow, case, CaseStage.APPROVED, on, note, decision)
        record_change(uow, actor, AuditEvent("approve_route", "procurement_case", code, {"stage": case.stage.value},
                                             {"stage": moved.stage.value, "decision": decision}))
        uow.commit()
    return moved


def cancel_case(uow: UnitOfWork, actor: Actor, code: str, *, on: date, reason: str) -> ProcurementCase:
    """Cancel a case before any contract: its tenders close and its requirements return to funding."""
    if not reason.strip():
        raise InvalidInput("a cancellation needs a reason", field="reason")
    with uow:
        uow.ledger.lock()
        case = load_case(uow, code)
        require(can(actor, "manage_procurement", case.coalition))
        moved = move_case(uow, case, CaseStage.CANCELLED, on, reason.strip())
        for tender in uow.procurement.tenders(code):
            if tender.state is not TenderState.CANCELLED:
                uow.procurement.update_tender(dataclasses.replace(tender, state=TenderState.CANCELLED,
                                                                  cancel_reason=f"case cancelled: {reason.strip()}"))
        _return_to_funding(uow, case, on, f"case {code} cancelled")
        record_change(uow, actor, AuditEvent("cancel_case", "procurement_case", code, {"stage": case.stage.value},
                                             {"stage": moved.stage.value, "reason": reason.strip()}))
        uow.commit()
    return moved


def _return_to_funding(uow: UnitOfWork, case: ProcurementCase, on: date, note: str) -> None:
    """Requirements of a cancelled case go back to the funding status their reservations give them."""
    reserved = uow.ledger.reserved(case.coalition)
    for code in case.requirements:
        requirement = load_requirement(uow, code, "requirements")
        if requirement.status is not S.IN_PROCUREMENT:
            continue
        held = reserved.get(code, 0)
        cost = in_reporting(uow, case.coalition, requirement.cost, on)
        status = S.PRIORITISED if held == 0 else S.FULLY_FUNDED if held >= cost else S.PARTLY_FUNDED
        move_requirement_to(uow, requirement, status, note)


def list_cases(uow: UnitOfWork, actor: Actor, coalition: str) -> list[ProcurementCase]:
    """The coalition's procurement cases."""
    require(can(actor, "read_funding", coalition))
    with uow:
        load_coalition(uow, coalition)
        return uow.procurement.cases(coalition)


@dataclasses.dataclass(frozen=True, slots=True)
class CaseView:
    """A case as a page shows it."""

    case: ProcurementCase
    history: list[tuple[str | None, str, date, str]]
    tenders: list[Tender]
    contracts: list[Contract]


def get_case(uow: UnitOfWork, actor: Actor, code: str) -> CaseView:
    """A case with its history of stages, its tenders and its contracts."""
    with uow:
        case = load_case(uow, code)
        require(can(actor, "read_funding", case.coalition))
        return CaseView(case, uow.procurement.case_history(code), uow.procurement.tenders(code),
                        uow.procurement.contracts([code]))
