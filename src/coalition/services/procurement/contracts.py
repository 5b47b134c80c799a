"""Contracts: sign one for a case by its route's rules, amend its terms; the money contracted follows."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from coalition.domain.access import Actor, can
from coalition.domain.attribution import largest_remainder
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.contributions import ContributionKind
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, NotFound
from coalition.domain.money import Money
from coalition.domain.procurement import (
    ROUTE_RULES,
    CaseStage,
    Contract,
    ContractLine,
    ContractVersion,
    FundingShare,
    Milestone,
    ProcurementCase,
    TenderState,
    check_amendment,
    paid_total,
)
from coalition.domain.requirements import RequirementStatus
from coalition.services.audit import record_change, require
from coalition.services.planning import load_requirement
from coalition.services.ports import UnitOfWork
from coalition.services.procurement.cases import load_case, move_case, move_requirement_to
from coalition.services.procurement.money import encumber, in_reporting, release, unpaid_shares
from coalition.services.procurement.tenders import load_tender
from coalition.services.registry import load_party

S = RequirementStatus


def load_contract(uow: UnitOfWork, code: str) -> Contract:
    """The contract with ``code``, or NotFound naming the field."""
    found = uow.procurement.get_contract(code)
    if found is None:
        raise NotFound(f"no contract '{code}'", field="contract")
    return found


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
        named, terms = _route_terms(uow, found, supplier, tender, lots, signed_on, lines)
        _check_signing(uow, found, named, signed_on)
        version = ContractVersion(1, signed_on, "signed", tuple(terms), tuple(milestones))
        _check_lines(found, version)
        contract = Contract(code, case, named, signed_on, (version,), tender, tuple(lots), in_kind, illustrative)
        uow.procurement.add_contract(contract)
        _fund(uow, contract, found)
        for requirement_code in sorted({line.requirement for line in version.lines}):
            move_requirement_to(uow, load_requirement(uow, requirement_code, "requirements"), S.CONTRACTED,
                                f"contract {code}")
        if found.stage is not CaseStage.CONTRACTED:
            move_case(uow, found, CaseStage.CONTRACTED, signed_on, f"contract {code} signed")
        record_change(uow, actor, AuditEvent("sign_contract", "contract", code, None, snapshot(contract)))
        uow.commit()
    return contract


def _route_terms(uow: UnitOfWork, case: ProcurementCase, supplier: str | None, tender: str | None,
                 lots: Sequence[int], signed_on: date, lines: Sequence[ContractLine]
                 ) -> tuple[str, Sequence[ContractLine]]:
    """The supplier and lines a contract has by the case's route (awarded lots where it tenders), in a stage
    the route signs contracts in."""
    rules = ROUTE_RULES[case.route]
    if rules.tenders:
        winner, lines = _awarded_terms(uow, case, tender, lots, signed_on, lines)
        if supplier is not None and supplier != winner:
            raise InvalidInput(f"the lots were awarded to {winner}, not {supplier}", field="supplier")
        supplier = winner
    elif tender is not None or lots:
        raise InvalidInput(f"case {case.code} is on the {case.route.value} route, which has no tender",
                           field="tender")
    if case.stage not in rules.signs_in:
        raise InvariantViolated(f"case {case.code} is {case.stage.value}; {rules.signing_needs}", field="case")
    if supplier is None:
        raise InvalidInput("a contract names its supplier", field="supplier")
    return supplier, lines


def _check_signing(uow: UnitOfWork, case: ProcurementCase, supplier: str, signed_on: date) -> None:
    """The supplier exists, is the team of any innovation project the case finances, and the date is not
    before the case opened."""
    load_party(uow, supplier, "supplier")
    for named in uow.innovation.projects_of_case(case.code):  # the bridge from the innovation pipeline
        project = uow.innovation.get_project(named)
        if project is not None and project.team != supplier:
            raise InvariantViolated(f"case {case.code} finances project {named}: its supplier is the project's "
                                    f"team {project.team}, not {supplier}", field="supplier")
    if signed_on < case.opened_on:
        raise InvariantViolated(f"signed on {signed_on}, before the case opened on {case.opened_on}",
                                field="signed_on")


def _check_lines(case: ProcurementCase, version: ContractVersion) -> None:
    """Every line buys a requirement of the case."""
    for line in version.lines:
        if line.requirement not in case.requirements:
            raise InvalidInput(f"line {line.number}: {line.requirement} is not a requirement of case {case.code}",
                               field="lines.requirement")


def _fund(uow: UnitOfWork, contract: Contract, case: ProcurementCase) -> None:
    """Fund a new contract: on a paid route from the reservations of its lines' requirements, otherwise by
    the in-kind contribution it transfers."""
    if not ROUTE_RULES[case.route].paid:
        _transfer_in_kind(uow, contract, case)
        return
    if contract.in_kind is not None:
        raise InvalidInput("only a donation from stock transfers an in-kind contribution", field="in_kind")
    for line in contract.current.lines:
        encumber(uow, contract.code, case.coalition, line,
                 in_reporting(uow, case.coalition, line.value, contract.signed_on), contract.signed_on)


def _awarded_terms(uow: UnitOfWork, case: ProcurementCase, tender_code: str | None, lots: Sequence[int],
                   signed_on: date, lines: Sequence[ContractLine]) -> tuple[str, list[ContractLine]]:
    """The supplier and lines of a contract for awarded lots: the winning bids' prices, after the standstill."""
    if tender_code is None or not lots:
        raise InvalidInput("on the agency route a contract names the tender and the awarded lots it covers",
                           field="tender")
    if lines:
        raise InvalidInput("on the agency route the lines come from the awarded bids", field="lines")
    tender = load_tender(uow, tender_code)
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
        _check_amendment(uow, contract, case, new)
        uow.procurement.add_version(code, new)
        _revalue(uow, contract, case, new)
        for requirement_code in sorted({line.requirement for line in new.lines}):
            found = load_requirement(uow, requirement_code, "requirements")
            if found.status is S.IN_PROCUREMENT:
                move_requirement_to(uow, found, S.CONTRACTED, f"contract {code} version {new.version}")
        amended = dataclasses.replace(contract, versions=(*contract.versions, new))
        record_change(uow, actor, AuditEvent("amend_contract", "contract", code, snapshot(current), snapshot(new)))
        uow.commit()
    return amended


def _check_amendment(uow: UnitOfWork, contract: Contract, case: ProcurementCase, new: ContractVersion) -> None:
    """The new version is dated on or after the current one, keeps what is shipped and paid, buys the case's
    requirements, and the route is one whose contracts are amended."""
    current = contract.current
    if new.on < current.on:
        raise InvariantViolated(f"an amendment on {new.on} precedes version {current.version} of {current.on}",
                                field="on")
    shipped: dict[int, int] = defaultdict(int)
    for shipment in uow.procurement.shipments([contract.code]):
        shipped[shipment.line] += shipment.quantity
    paid = paid_total(uow.procurement.payments([contract.code]), current.currency)
    check_amendment(current, new, shipped, paid)
    _check_lines(case, new)
    if not ROUTE_RULES[case.route].paid:
        raise InvariantViolated("a donation from stock is amended by recording a new transfer", field="contract")


def _revalue(uow: UnitOfWork, contract: Contract, case: ProcurementCase, new: ContractVersion) -> None:
    """Contract more money for lines worth more, release it from lines worth less or removed."""
    code, on = contract.code, new.on
    before = {line.number: line for line in contract.current.lines}
    for line in new.lines:
        old = before.get(line.number)
        change = line.value - old.value if old is not None else line.value
        if change.amount > 0:
            encumber(uow, code, case.coalition, line, in_reporting(uow, case.coalition, change, on), on)
        elif change.amount < 0:
            _release_value(uow, contract, case.coalition, line, old, -change, on,
                           f"contract {code} amended to version {new.version}")
    for number, old in before.items():
        if number not in {line.number for line in new.lines}:
            _release_value(uow, contract, case.coalition, old, old, old.value, on,
                           f"contract {code} line {number} removed in version {new.version}")


def _release_value(uow: UnitOfWork, contract: Contract, coalition: str, line: ContractLine, old: ContractLine | None,
                   value: Money, on: date, reason: str) -> None:
    """Release the share of a line's unpaid contracted money that ``value`` is of the line's old value."""
    unpaid = sum(s.reporting for s in unpaid_shares(uow, contract.code) if s.line == line.number)
    base = (old or line).value.to_minor_units()
    reporting = min(unpaid, unpaid * value.to_minor_units() // base) if base else 0
    if reporting > 0:
        release(uow, contract, coalition, line, reporting, on, reason)
