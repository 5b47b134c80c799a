"""Procurement: cases by route, tenders and awards, contracts, amendments and payments through the ledger.

Money follows the requirement. Approving an allocation plan reserved money per contribution for each
requirement; signing a contract moves the line's value from those reservations to contracted money
(contract entries, in proportion to what each contribution holds, largest remainder); a payment moves
contracted money to disbursed (disbursement entries, the same way). The shares are kept with the
contract and the payment, so every euro paid names the donor whose money paid it. An exchange-rate
difference that makes a payment worth more than the money contracted for it is drawn from what is still
reserved for the contract's requirements; nothing is ever paid beyond what is reserved.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from coalition.domain import ledger
from coalition.domain.access import Actor, can
from coalition.domain.attribution import Pot, draw, largest_remainder
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.contributions import ContributionKind, FundingRoute
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, NotFound
from coalition.domain.fx import RateBook
from coalition.domain.ledger import AccountKey, AccountType, Entry, EntryKind
from coalition.domain.limits import NOTE, check_text
from coalition.domain.money import Money
from coalition.domain.procurement import (
    PAID_ROUTES,
    Bid,
    CaseStage,
    Contract,
    ContractLine,
    ContractVersion,
    FundingShare,
    Milestone,
    Payment,
    ProcurementCase,
    RankedBid,
    Tender,
    TenderState,
    award,
    check_amendment,
    check_bid,
    evaluate,
    paid_total,
)
from coalition.domain.requirements import Requirement, RequirementStatus
from coalition.domain.steering import ProposalKind
from coalition.services.audit import record_change, require
from coalition.services.decisions import check_decision
from coalition.services.planning import load_requirement, move_requirement
from coalition.services.ports import UnitOfWork
from coalition.services.registry import load_coalition, load_party

S = RequirementStatus
FUNDED = frozenset({S.PARTLY_FUNDED, S.FULLY_FUNDED})


def load_case(uow: UnitOfWork, code: str) -> ProcurementCase:
    found = uow.procurement.get_case(code)
    if found is None:
        raise NotFound(f"no procurement case '{code}'", field="case")
    return found


def _tender(uow: UnitOfWork, code: str) -> Tender:
    found = uow.procurement.get_tender(code)
    if found is None:
        raise NotFound(f"no tender '{code}'", field="tender")
    return found


def load_contract(uow: UnitOfWork, code: str) -> Contract:
    found = uow.procurement.get_contract(code)
    if found is None:
        raise NotFound(f"no contract '{code}'", field="contract")
    return found


def move_case(uow: UnitOfWork, case: ProcurementCase, to: CaseStage, on: date, note: str,
              decision: int | None = None) -> ProcurementCase:
    """Move a case to its next stage and keep the move in its history (in the caller's transaction)."""
    check_text(note, "note", NOTE, required=False)
    moved = case.moved(to)
    uow.procurement.set_stage(case.code, case.stage, to, on, note, decision)
    return dataclasses.replace(moved, route_decision=decision if decision is not None else case.route_decision)


def _move_requirement(uow: UnitOfWork, requirement: Requirement, to: RequirementStatus, note: str) -> None:
    if requirement.status is not to:
        move_requirement(uow, requirement, to, note)


def _needs_decision(uow: UnitOfWork, coalition: str, decision: int | None, what: str, kind: ProposalKind,
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


def _book(uow: UnitOfWork) -> RateBook:
    return RateBook(uow.fx_rates.for_currencies(None))


def _in_reporting(uow: UnitOfWork, book: RateBook, coalition: str, money: Money, on: date) -> int:
    """``money`` in the coalition's reporting currency on ``on`` (or the last earlier rate), in minor units."""
    return book.convert(money, load_coalition(uow, coalition).reporting_currency, on).converted.to_minor_units()


# --- cases --------------------------------------------------------------------------------------


def open_case(uow: UnitOfWork, actor: Actor, case: ProcurementCase) -> ProcurementCase:
    """Open a case for funded requirements (money routes) or prioritised ones (a donation from stock)."""
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
            if requirement.coalition != case.coalition:
                raise InvalidInput(f"{code} belongs to {requirement.coalition}, not {case.coalition}",
                                   field="requirements")
            if requirement.route is not None and requirement.route is not case.route:
                raise InvariantViolated(f"{code} is to be bought by the {requirement.route.value} route, not "
                                        f"{case.route.value}", field="route")
            if case.route in PAID_ROUTES:
                if requirement.status not in FUNDED or not reserved.get(code):
                    raise InvariantViolated(f"{code} is not funded ({requirement.status.value}, nothing reserved): "
                                            "only funded requirements are procured", field="requirements")
            elif requirement.status not in FUNDED | {S.PRIORITISED}:
                raise InvariantViolated(f"{code} is {requirement.status.value}; a donation from stock answers a "
                                        "prioritised requirement", field="requirements")
            _move_requirement(uow, requirement, S.IN_PROCUREMENT, f"procurement case {case.code}")
        uow.procurement.add_case(case)
        record_change(uow, actor, AuditEvent("open_case", "procurement_case", case.code, None, snapshot(case)))
        uow.commit()
    return case


def approve_route(uow: UnitOfWork, actor: Actor, code: str, *, on: date, decision: int | None = None
                  ) -> ProcurementCase:
    """Approve a case's route: by the steering group's ``decision`` where the rules require one."""
    with uow:
        case = load_case(uow, code)
        require(can(actor, "approve_procurement", case.coalition))
        _needs_decision(uow, case.coalition, decision, "the procurement route", ProposalKind.APPROVE_ROUTE,
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
    book = _book(uow)
    for code in case.requirements:
        requirement = load_requirement(uow, code, "requirements")
        if requirement.status is not S.IN_PROCUREMENT:
            continue
        held = reserved.get(code, 0)
        cost = _in_reporting(uow, book, case.coalition, requirement.cost, on)
        status = S.PRIORITISED if held == 0 else S.FULLY_FUNDED if held >= cost else S.PARTLY_FUNDED
        _move_requirement(uow, requirement, status, note)


def list_cases(uow: UnitOfWork, actor: Actor, coalition: str) -> list[ProcurementCase]:
    require(can(actor, "read_funding", coalition))
    with uow:
        load_coalition(uow, coalition)
        return uow.procurement.cases(coalition)


@dataclasses.dataclass(frozen=True, slots=True)
class CaseView:
    case: ProcurementCase
    history: list[tuple[str | None, str, date, str]]
    tenders: list[Tender]
    contracts: list[Contract]


def get_case(uow: UnitOfWork, actor: Actor, code: str) -> CaseView:
    with uow:
        case = load_case(uow, code)
        require(can(actor, "read_funding", case.coalition))
        return CaseView(case, uow.procurement.case_history(code), uow.procurement.tenders(code),
                        uow.procurement.contracts([code]))


# --- tenders ------------------------------------------------------------------------------------


def create_tender(uow: UnitOfWork, actor: Actor, tender: Tender) -> Tender:
    """Publish a tender on an agency case whose route is approved."""
    with uow:
        case = load_case(uow, tender.case)
        require(can(actor, "manage_procurement", case.coalition))
        if case.route is not FundingRoute.AGENCY:
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
    with uow:
        uow.ledger.lock()
        tender = _tender(uow, bid.tender)
        case = load_case(uow, tender.case)
        require(can(actor, "record_bid", case.coalition))
        load_party(uow, bid.supplier, "supplier")
        check_bid(tender, bid, uow.procurement.bids(tender.code))
        stored = uow.procurement.add_bid(bid)
        record_change(uow, actor, AuditEvent("record_bid", "bid", str(stored.id), None, snapshot(stored)))
        uow.commit()
    return stored


def _ranking(uow: UnitOfWork, tender: Tender, lot: int, bids: Sequence[Bid]) -> list[RankedBid]:
    case = load_case(uow, tender.case)
    book = _book(uow)
    quantity = tender.lot(lot).quantity
    prices = {}
    for bid in bids:
        if bid.lot == lot and bid.id is not None:
            prices[bid.id] = _in_reporting(uow, book, case.coalition, bid.unit_price * quantity, tender.closes_on)
    return evaluate(tender, lot, bids, prices)


@dataclasses.dataclass(frozen=True, slots=True)
class Evaluation:
    tender: Tender
    currency: str
    lots: dict[int, list[RankedBid]]


def evaluate_tender(uow: UnitOfWork, actor: Actor, code: str) -> Evaluation:
    """Rank every lot's bids (prices compared in the reporting currency at the closing date's rate)."""
    with uow:
        tender = _tender(uow, code)
        case = load_case(uow, tender.case)
        require(can(actor, "read_funding", case.coalition))
        bids = uow.procurement.bids(code)
        return Evaluation(tender, load_coalition(uow, case.coalition).reporting_currency,
                          {lot.number: _ranking(uow, tender, lot.number, bids) for lot in tender.lots})


def award_lot(uow: UnitOfWork, actor: Actor, code: str, *, lot: int, bid: int, justification: str, on: date,
              decision: int | None = None) -> Tender:
    """Award a lot to its first-ranked bid; the standstill period starts. All lots awarded: the case is awarded."""
    with uow:
        uow.ledger.lock()
        tender = _tender(uow, code)
        case = load_case(uow, tender.case)
        require(can(actor, "approve_procurement", case.coalition))
        _needs_decision(uow, case.coalition, decision, "an award", ProposalKind.APPROVE_AWARD,
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
        tender = _tender(uow, code)
        case = load_case(uow, tender.case)
        require(can(actor, "manage_procurement", case.coalition))
        if tender.state is TenderState.CANCELLED:
            raise Conflict(f"tender {code} is already cancelled", field="tender")
        if any(c.tender == code for c in uow.procurement.contracts([case.code])):
            raise InvariantViolated(f"a contract has been signed under tender {code}; it can no longer be cancelled",
                                    field="tender")
        cancelled = dataclasses.replace(tender, state=TenderState.CANCELLED, cancel_reason=reason.strip())
        uow.procurement.update_tender(cancelled)
        if case.stage in (CaseStage.TENDERING, CaseStage.AWARDED):
            move_case(uow, case, CaseStage.APPROVED, on, f"tender {code} cancelled: {reason.strip()}")
        record_change(uow, actor, AuditEvent("cancel_tender", "tender", code, {"state": tender.state.value},
                                             {"state": cancelled.state.value, "reason": reason.strip()}))
        uow.commit()
    return cancelled


# --- contracts ----------------------------------------------------------------------------------


def _reservation_pots(uow: UnitOfWork, coalition: str, requirement: str, line: int
                      ) -> list[Pot[tuple[int, AccountKey, int]]]:
    """What is still reserved for ``requirement``, per contribution (entries made earlier in the same
    transaction are already counted)."""
    pots = []
    for contribution, account, units, reporting in uow.ledger.holdings(coalition, requirement):
        if reporting > 0 and units > 0:
            pots.append(Pot((contribution, account, line), units, reporting))
    return pots


def _encumber(uow: UnitOfWork, contract: str, coalition: str, line: ContractLine, reporting: int, on: date
              ) -> list[FundingShare]:
    """Move ``reporting`` minor units of money reserved for the line's requirement to contracted money."""
    pots = _reservation_pots(uow, coalition, line.requirement, line.number)
    currency = load_coalition(uow, coalition).reporting_currency
    held = sum(p.reporting for p in pots)
    if held == 0:
        raise InvariantViolated(f"line {line.number}: no contract for an unfunded requirement: nothing is reserved "
                                f"for {line.requirement} that is not already contracted", field="lines")
    if reporting > held:
        raise InvariantViolated(
            f"line {line.number} is worth {Money.from_minor_units(reporting, currency)}; only "
            f"{Money.from_minor_units(held, currency)} is reserved for {line.requirement} and not yet contracted",
            field="lines")
    shares = []
    now = uow.clock()
    for share in draw(pots, reporting, what=f"line {line.number}"):
        contribution, account, number = share.key
        contracted = dataclasses.replace(account, type=AccountType.CONTRACTED)
        entry = uow.ledger.add_entry(Entry(EntryKind.CONTRACT, on, contracted, account,
                                           Money.from_minor_units(share.units, account.currency),
                                           Money.from_minor_units(share.reporting, currency), contribution,
                                           reason=f"contract {contract} line {number}"), now)
        funded = FundingShare(number, contribution, account.donor, account.fund, account.earmark, share.units,
                              account.currency, share.reporting)
        uow.procurement.add_funding(contract, funded, entry.id)
        shares.append(funded)
    return shares


def _account(coalition: str, share: FundingShare, requirement: str, type: AccountType) -> AccountKey:
    return AccountKey(type, coalition, share.fund, share.donor, share.currency, share.earmark, requirement)


def _release(uow: UnitOfWork, contract: Contract, coalition: str, line: ContractLine, reporting: int, on: date,
             reason: str) -> None:
    """Return ``reporting`` minor units contracted for a line (and not paid) to the requirement's reservations."""
    currency = load_coalition(uow, coalition).reporting_currency
    pots = [Pot(share, share.units, share.reporting) for share in _unpaid(uow, contract.code)
            if share.line == line.number and share.reporting > 0]
    now = uow.clock()
    for part in draw(pots, reporting, what=f"the release from line {line.number}"):
        share = part.key
        contracted = _account(coalition, share, line.requirement, AccountType.CONTRACTED)
        reserved = dataclasses.replace(contracted, type=AccountType.RESERVED)
        entry = uow.ledger.add_entry(Entry(EntryKind.RELEASE, on, reserved, contracted,
                                           Money.from_minor_units(part.units, share.currency),
                                           Money.from_minor_units(part.reporting, currency), share.contribution,
                                           reason=reason), now)
        uow.procurement.add_funding(contract.code, dataclasses.replace(share, units=-part.units,
                                                                       reporting=-part.reporting), entry.id)


def _unpaid(uow: UnitOfWork, contract: str) -> list[FundingShare]:
    """Per line and contribution, the contracted money not yet paid out."""
    paid: dict[tuple[int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for _, share in uow.procurement.payment_shares([contract]):
        units, reporting = paid[(share.line, share.contribution)]
        paid[(share.line, share.contribution)] = (units + share.units, reporting + share.reporting)
    left = []
    for _, share in uow.procurement.funding([contract]):
        units, reporting = paid.get((share.line, share.contribution), (0, 0))
        left.append(dataclasses.replace(share, units=share.units - units, reporting=share.reporting - reporting))
    return left


def sign_contract(uow: UnitOfWork, actor: Actor, *, code: str, case: str, supplier: str | None, signed_on: date,
                  lines: Sequence[ContractLine] = (), milestones: Sequence[Milestone] = (),
                  tender: str | None = None, lots: Sequence[int] = (), in_kind: int | None = None,
                  illustrative: bool = False) -> Contract:
    """Sign a contract: on the agency route for awarded lots of a tender (after their standstill), on the
    other money routes directly once the route is approved, for a donation from stock against an in-kind
    contribution. Each line's value moves from money reserved for its requirement to contracted money."""
    with uow:
        uow.ledger.lock()
        found = load_case(uow, case)
        require(can(actor, "manage_procurement", found.coalition))
        if uow.procurement.get_contract(code) is not None:
            raise Conflict(f"a contract with code '{code}' already exists", field="code")
        if found.route is FundingRoute.AGENCY:
            winner, lines = _awarded_terms(uow, found, tender, lots, signed_on, lines)
            if supplier is not None and supplier != winner:
                raise InvalidInput(f"the lots were awarded to {winner}, not {supplier}", field="supplier")
            supplier = winner
            if found.stage not in (CaseStage.AWARDED, CaseStage.CONTRACTED):
                raise InvariantViolated(f"case {case} is {found.stage.value}; the agency contracts awarded lots",
                                        field="case")
        else:
            if tender is not None or lots:
                raise InvalidInput(f"case {case} is on the {found.route.value} route, which has no tender",
                                   field="tender")
            if found.stage not in (CaseStage.APPROVED, CaseStage.CONTRACTED):
                raise InvariantViolated(f"case {case} is {found.stage.value}; a contract needs the route approved "
                                        "first", field="case")
        if supplier is None:
            raise InvalidInput("a contract names its supplier", field="supplier")
        load_party(uow, supplier, "supplier")
        for named in uow.innovation.projects_of_case(found.code):  # the bridge from the innovation pipeline
            project = uow.innovation.get_project(named)
            if project is not None and project.team != supplier:
                raise InvariantViolated(f"case {found.code} finances project {named}: its supplier is the project's "
                                        f"team {project.team}, not {supplier}", field="supplier")
        if signed_on < found.opened_on:
            raise InvariantViolated(f"signed on {signed_on}, before the case opened on {found.opened_on}",
                                    field="signed_on")
        version = ContractVersion(1, signed_on, "signed", tuple(lines), tuple(milestones))
        for line in version.lines:
            if line.requirement not in found.requirements:
                raise InvalidInput(f"line {line.number}: {line.requirement} is not a requirement of case {case}",
                                   field="lines.requirement")
        contract = Contract(code, case, supplier, signed_on, (version,), tender, tuple(lots), in_kind, illustrative)
        uow.procurement.add_contract(contract)
        if found.route is FundingRoute.DONATION_FROM_STOCK:
            _transfer_in_kind(uow, contract, found)
        else:
            if in_kind is not None:
                raise InvalidInput("only a donation from stock transfers an in-kind contribution", field="in_kind")
            book = _book(uow)
            for line in version.lines:
                _encumber(uow, code, found.coalition, line,
                          _in_reporting(uow, book, found.coalition, line.value, signed_on), signed_on)
        for requirement_code in sorted({line.requirement for line in version.lines}):
            _move_requirement(uow, load_requirement(uow, requirement_code, "requirements"), S.CONTRACTED,
                              f"contract {code}")
        if found.stage is not CaseStage.CONTRACTED:
            move_case(uow, found, CaseStage.CONTRACTED, signed_on, f"contract {code} signed")
        record_change(uow, actor, AuditEvent("sign_contract", "contract", code, None, snapshot(contract)))
        uow.commit()
    return contract


def _awarded_terms(uow: UnitOfWork, case: ProcurementCase, tender_code: str | None, lots: Sequence[int],
                   signed_on: date, lines: Sequence[ContractLine]) -> tuple[str, list[ContractLine]]:
    """The supplier and lines of a contract for awarded lots: the winning bids' prices, after the standstill."""
    if tender_code is None or not lots:
        raise InvalidInput("on the agency route a contract names the tender and the awarded lots it covers",
                           field="tender")
    if lines:
        raise InvalidInput("on the agency route the lines come from the awarded bids", field="lines")
    tender = _tender(uow, tender_code)
    if tender.state is TenderState.CANCELLED:
        raise InvariantViolated(f"tender {tender_code} is cancelled; its awards no longer stand", field="tender")
    if tender.case != case.code:
        raise InvalidInput(f"tender {tender_code} belongs to case {tender.case}, not {case.code}", field="tender")
    contracted = {lot for c in uow.procurement.contracts([case.code]) if c.tender == tender_code for lot in c.lots}
    bids = {b.id: b for b in uow.procurement.bids(tender_code)}
    suppliers, built = set(), []
    for number, lot_number in enumerate(lots, start=1):
        lot = tender.lot(lot_number)
        awarded = tender.award_of(lot_number)
        if awarded is None:
            raise InvariantViolated(f"lot {lot_number} of {tender_code} is not awarded", field="lots")
        if lot_number in contracted:
            raise Conflict(f"lot {lot_number} of {tender_code} is already under contract", field="lots")
        if signed_on <= awarded.standstill_until:
            raise InvariantViolated(f"lot {lot_number} is in its standstill period until {awarded.standstill_until}; "
                                    "the contract can be signed after it", field="signed_on")
        bid = bids[awarded.bid]
        suppliers.add(bid.supplier)
        built.append(ContractLine(number, lot.requirement, lot.quantity, bid.unit_price))
    if len(suppliers) != 1:
        raise InvalidInput(f"the lots were awarded to {', '.join(sorted(suppliers))}: one contract per supplier",
                           field="lots")
    return suppliers.pop(), built


def _transfer_in_kind(uow: UnitOfWork, contract: Contract, case: ProcurementCase) -> None:
    """A donation from stock: the lines are valued against the in-kind contribution, which funds them whole."""
    if contract.in_kind is None:
        raise InvalidInput("a donation from stock names the in-kind contribution it transfers", field="in_kind")
    given = uow.ledger.get_contribution(contract.in_kind)
    if given is None or given.kind is not ContributionKind.IN_KIND or given.coalition != case.coalition:
        raise NotFound(f"no in-kind contribution {contract.in_kind} in {case.coalition}", field="in_kind")
    if given.donor != contract.supplier:
        raise InvariantViolated(f"in-kind contribution {given.id} is from {given.donor}, who supplies it, not "
                                f"{contract.supplier}", field="supplier")
    version = contract.current
    if version.currency != given.amount.currency:
        raise InvariantViolated(f"the transfer is valued in {given.amount.currency}, the contribution's currency",
                                field="currency")
    used = uow.procurement.in_kind_used(contract.in_kind)
    left = given.amount.to_minor_units() - used
    if version.value.to_minor_units() > left:
        raise InvariantViolated(f"the lines are worth {version.value}; in-kind contribution {given.id} has "
                                f"{Money.from_minor_units(left, given.amount.currency)} left to transfer",
                                field="lines")
    assert given.reporting is not None and given.id is not None
    values = [line.value.to_minor_units() for line in version.lines]
    worth = given.reporting.amount.to_minor_units() * sum(values) // given.amount.to_minor_units()
    for line, units, reporting in zip(version.lines, values, largest_remainder(worth, values), strict=True):
        uow.procurement.add_funding(contract.code, FundingShare(
            line.number, given.id, given.donor, given.fund, given.earmark.label, units, given.amount.currency,
            reporting), None)


def amend_contract(uow: UnitOfWork, actor: Actor, code: str, *, on: date, reason: str,
                   lines: Sequence[ContractLine], milestones: Sequence[Milestone]) -> Contract:
    """Record a new version of a contract's terms; the money contracted follows each line's change in value."""
    with uow:
        uow.ledger.lock()
        contract = load_contract(uow, code)
        case = load_case(uow, contract.case)
        require(can(actor, "manage_procurement", case.coalition))
        current = contract.current
        new = ContractVersion(current.version + 1, on, reason, tuple(lines), tuple(milestones))
        if on < current.on:
            raise InvariantViolated(f"an amendment on {on} precedes version {current.version} of {current.on}",
                                    field="on")
        shipped: dict[int, int] = defaultdict(int)
        for shipment in uow.procurement.shipments([code]):
            shipped[shipment.line] += shipment.quantity
        paid = paid_total(uow.procurement.payments([code]), current.currency)
        check_amendment(current, new, shipped, paid)
        for line in new.lines:
            if line.requirement not in case.requirements:
                raise InvalidInput(f"line {line.number}: {line.requirement} is not a requirement of case {case.code}",
                                   field="lines.requirement")
        if case.route is FundingRoute.DONATION_FROM_STOCK:
            raise InvariantViolated("a donation from stock is amended by recording a new transfer", field="contract")
        uow.procurement.add_version(code, new)
        book = _book(uow)
        before = {line.number: line for line in current.lines}
        for line in new.lines:
            old = before.get(line.number)
            change = line.value - old.value if old is not None else line.value
            if change.amount > 0:
                _encumber(uow, code, case.coalition, line,
                          _in_reporting(uow, book, case.coalition, change, on), on)
            elif change.amount < 0:
                _release_value(uow, contract, case.coalition, line, old, -change, on,
                               f"contract {code} amended to version {new.version}")
        for number, old in before.items():
            if number not in {line.number for line in new.lines}:
                _release_value(uow, contract, case.coalition, old, old, old.value, on,
                               f"contract {code} line {number} removed in version {new.version}")
        for requirement_code in sorted({line.requirement for line in new.lines}):
            found = load_requirement(uow, requirement_code, "requirements")
            if found.status is S.IN_PROCUREMENT:
                _move_requirement(uow, found, S.CONTRACTED, f"contract {code} version {new.version}")
        amended = dataclasses.replace(contract, versions=(*contract.versions, new))
        record_change(uow, actor, AuditEvent("amend_contract", "contract", code, snapshot(current), snapshot(new)))
        uow.commit()
    return amended


def _release_value(uow: UnitOfWork, contract: Contract, coalition: str, line: ContractLine, old: ContractLine | None,
                   value: Money, on: date, reason: str) -> None:
    """Release the share of a line's unpaid contracted money that ``value`` is of the line's old value."""
    unpaid = sum(s.reporting for s in _unpaid(uow, contract.code) if s.line == line.number)
    base = (old or line).value.to_minor_units()
    reporting = min(unpaid, unpaid * value.to_minor_units() // base) if base else 0
    if reporting > 0:
        _release(uow, contract, coalition, line, reporting, on, reason)


# --- payments -----------------------------------------------------------------------------------


def record_payment(uow: UnitOfWork, actor: Actor, code: str, *, amount: Money, paid_on: date,
                   milestone: int | None = None, reference: str = "") -> Payment:
    """Pay the supplier: a disbursement from the money contracted (then reserved) for the contract's lines.

    The amount is converted to the reporting currency at the rate of ``paid_on`` (recorded with the
    payment); it is split over the lines and contributions holding money for the contract in proportion
    to what each still holds, largest remainder, so the donor shares sum exactly to the amount paid.
    """
    with uow:
        uow.ledger.lock()
        contract = load_contract(uow, code)
        case = load_case(uow, contract.case)
        require(can(actor, "record_payment", case.coalition))
        if case.route is FundingRoute.DONATION_FROM_STOCK:
            raise InvariantViolated("a donation from stock is not paid for", field="contract")
        version = contract.current
        if amount.currency != version.currency:
            raise InvalidInput(f"contract {code} is paid in {version.currency}, not {amount.currency}",
                               field="currency")
        if paid_on < contract.signed_on:
            raise InvariantViolated(f"a payment on {paid_on} precedes the contract signed on {contract.signed_on}",
                                    field="paid_on")
        earlier = uow.procurement.payments([code])
        paid = paid_total(earlier, version.currency)
        if paid + amount > version.value:
            raise InvariantViolated(f"contract {code} is worth {version.value}; {paid} is paid, so {amount} more "
                                    "would pay beyond the contract", field="amount")
        if milestone is not None:
            due = version.milestone(milestone)
            paid_on_milestone = paid_total(earlier, version.currency, milestone)
            if paid_on_milestone + amount > due.amount:
                raise InvariantViolated(f"milestone {milestone} ({due.title}) is worth {due.amount}; "
                                        f"{paid_on_milestone} is paid on it", field="amount")
        currency = load_coalition(uow, case.coalition).reporting_currency
        conversion = _book(uow).convert(amount, currency, paid_on)
        shares = _disburse(uow, contract, case, conversion.converted.to_minor_units(), paid_on, amount)
        stored = uow.procurement.add_payment(Payment(code, paid_on, amount, conversion.converted, conversion.rate,
                                                     conversion.rate_date, conversion.source, milestone,
                                                     reference.strip()), shares)
        if paid + amount == version.value:
            _settle(uow, contract, case.coalition, paid_on)
        record_change(uow, actor, AuditEvent("record_payment", "payment", str(stored.id), None, {
            **snapshot(stored), "donor_shares": {d: str(Money.from_minor_units(u, currency))
                                                 for d, u in sorted(_by_donor(s for s, _ in shares).items())}}))
        uow.commit()
    return stored


def reverse_payment(uow: UnitOfWork, actor: Actor, payment_id: int, *, reason: str, on: date) -> Payment:
    """Undo a payment recorded in error: each disbursement entry is reversed (the money returns to where it
    was drawn from, contracted or reserved), and a reversing payment with negative shares is recorded."""
    if not reason.strip():
        raise InvalidInput("a reversal of a payment needs a reason", field="reason")
    with uow:
        uow.ledger.lock()
        found = {p.id: p for p in _payments_of(uow, payment_id)}
        original = found.get(payment_id)
        if original is None:
            raise NotFound(f"no payment {payment_id}", field="payment")
        contract = load_contract(uow, original.contract)
        case = load_case(uow, contract.case)
        require(can(actor, "record_payment", case.coalition))
        if original.reverses is not None:
            raise InvariantViolated(f"payment {payment_id} is itself a reversal; record a new payment instead",
                                    field="payment")
        if any(p.reverses == payment_id for p in found.values()):
            raise Conflict(f"payment {payment_id} has already been reversed", field="payment")
        if on < original.paid_on:
            raise InvariantViolated(f"a reversal on {on} cannot precede the payment of {original.paid_on}", field="on")
        now = uow.clock()
        shares = []
        for paid_id, held, entry_id in uow.procurement.payment_entries(contract.code):
            if paid_id != payment_id:
                continue
            entry = uow.ledger.get_entry(entry_id)
            assert entry is not None
            why = f"payment {payment_id} reversed: {reason.strip()}"
            history = uow.ledger.entries(contributions=[entry.contribution]) if entry.contribution else []
            undo = uow.ledger.add_entry(ledger.reversal(entry, reason=why, on=on, today=now.date(),
                                                        already_reversed=False, history=history), now)
            assert undo.id is not None
            back = dataclasses.replace(held, units=-held.units, reporting=-held.reporting)
            if entry.credit.type is AccountType.RESERVED:  # drawn from the reservations: it returns there
                uow.procurement.add_funding(contract.code, back, undo.id)
            shares.append((back, undo.id))
        stored = uow.procurement.add_payment(dataclasses.replace(
            original, paid_on=on, reverses=payment_id, reason=reason.strip(), id=None), shares)
        record_change(uow, actor, AuditEvent("reverse_payment", "payment", str(payment_id), snapshot(original),
                                             snapshot(stored)))
        uow.commit()
    return stored


def _payments_of(uow: UnitOfWork, payment_id: int) -> list[Payment]:
    contract = uow.procurement.contract_of_payment(payment_id)
    return [] if contract is None else uow.procurement.payments([contract])


def _by_donor(shares: Iterable[FundingShare]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for share in shares:
        totals[share.donor] += share.reporting
    return dict(totals)


def _disburse(uow: UnitOfWork, contract: Contract, case: ProcurementCase, reporting: int, on: date,
              amount: Money) -> list[tuple[FundingShare, int]]:
    currency = load_coalition(uow, case.coalition).reporting_currency
    requirement_of = {line.number: line.requirement for line in contract.current.lines}
    unpaid = [s for s in _unpaid(uow, contract.code) if s.reporting > 0]
    contracted = sum(s.reporting for s in unpaid)
    sources: list[tuple[Pot[FundingShare], AccountType]] = [(Pot(s, s.units, s.reporting), AccountType.CONTRACTED)
                                                            for s in unpaid]
    if reporting > contracted:  # the rate moved: the difference comes from what is still reserved
        first_line: dict[str, int] = {}
        for line in contract.current.lines:
            first_line.setdefault(line.requirement, line.number)
        reserved = []
        for requirement, number in first_line.items():
            for contribution, account, units, kept in uow.ledger.holdings(case.coalition, requirement):
                share = FundingShare(number, contribution, account.donor, account.fund, account.earmark, units,
                                     account.currency, kept)
                reserved.append(Pot(share, units, kept))
        available = sum(p.reporting for p in reserved)
        if reporting - contracted > available:
            raise InvariantViolated(
                f"a payment of {amount} is worth {Money.from_minor_units(reporting, currency)}; contract "
                f"{contract.code} holds {Money.from_minor_units(contracted, currency)} and its requirements "
                f"{Money.from_minor_units(available, currency)} more in reservations: no payment beyond the money "
                "reserved", field="amount")
        parts = [(share, AccountType.CONTRACTED) for share in draw([p for p, _ in sources], contracted,
                                                                     what="the payment")] if contracted else []
        parts += [(share, AccountType.RESERVED) for share in draw(reserved, reporting - contracted,
                                                                  what="the exchange-rate difference")]
    else:
        parts = [(share, AccountType.CONTRACTED) for share in draw([p for p, _ in sources], reporting,
                                                                     what="the payment")]
    now = uow.clock()
    stored = []
    for part, source_type in parts:
        held = part.key
        source = _account(case.coalition, held, requirement_of[held.line], source_type)
        disbursed = dataclasses.replace(source, type=AccountType.DISBURSED)
        entry = uow.ledger.add_entry(Entry(EntryKind.DISBURSEMENT, on, disbursed, source,
                                           Money.from_minor_units(part.units, held.currency),
                                           Money.from_minor_units(part.reporting, currency), held.contribution,
                                           reason=f"payment under contract {contract.code}"), now)
        assert entry.id is not None
        share = dataclasses.replace(held, units=part.units, reporting=part.reporting)
        if source_type is AccountType.RESERVED:  # counted as contracted and paid, so the contract's books agree
            uow.procurement.add_funding(contract.code, share, entry.id)
        stored.append((share, entry.id))
    return stored


def _settle(uow: UnitOfWork, contract: Contract, coalition: str, on: date) -> None:
    """A contract paid in full returns what is left of its contracted money (a rate gain) to the reservations."""
    left: dict[int, int] = defaultdict(int)
    for share in _unpaid(uow, contract.code):
        left[share.line] += share.reporting
    for line in contract.current.lines:
        if left.get(line.number, 0) > 0:
            _release(uow, contract, coalition, line, left[line.number], on,
                     f"contract {contract.code} paid in full: the rest returns to the reservations")
