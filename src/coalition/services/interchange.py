"""Imports from the open standards: a donor's IATI transactions become pledges, commitments and receipts; an agency's
OCDS contracting processes become procurement cases, contracts and payments, for requirements the platform holds.

A file is read by the adapters (``adapters/interchange.py``) into ``domain.interchange`` records. Here each party
the file names is matched through the identifier crosswalk (an IATI organisation identifier, an OCDS party's
identifier) or by its ISO 3166-1 code or registry code, each requirement is found in the coalition, and every bad
value is collected with its path before anything is written. Then every record goes through the same services as
any other write (each with its audit record), all in one transaction: the services' own transactions nest in it,
so one refusal leaves nothing written. A record already there (an imported transaction by its external reference,
a case or contract by its code, a payment by its reference within its contract) is left unchanged, so the same file
imported twice changes nothing (ADR 0032).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from coalition.domain.access import Actor, can
from coalition.domain.coalition import Fund
from coalition.domain.contributions import Contribution
from coalition.domain.errors import CoalitionError
from coalition.domain.identifiers import IdScheme
from coalition.domain.interchange import (
    ElementError,
    FileRefused,
    ImportedContract,
    ImportedFlow,
    ImportedPayment,
    ImportedProcess,
    ImportReport,
    PartyRef,
    ReadFile,
    SchemeOfRef,
    Standard,
)
from coalition.domain.party import PartyKind
from coalition.domain.procurement import CaseStage, Payment, ProcurementCase
from coalition.services import funding
from coalition.services.audit import require
from coalition.services.ports import UnitOfWork
from coalition.services.procurement import cases, contracts, payments
from coalition.services.registry import load_coalition

# OCDS identifier schemes the crosswalk holds under its own schemes (org-id.guide's lists for LEI; IATI's agencies).
_OCDS_SCHEMES = {"XI-LEI": IdScheme.LEI}


@dataclass
class _Run:
    """The records written and found, and the bad values met, while a file is applied."""

    new: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    errors: list[ElementError] = field(default_factory=list)


def _party(uow: UnitOfWork, ref: PartyRef, run: _Run) -> str | None:
    """The registry code of the party a file names, or None with the bad value noted at its path."""
    code: str | None = None
    if ref.scheme is SchemeOfRef.IATI:
        code = uow.parties.holder(IdScheme.IATI, ref.value)
        if code is None and uow.parties.get(ref.value) is not None:
            code = ref.value  # a publisher without an IATI identifier names a party by its code here
        rule = "is held by no party: record it with 'coalition parties identify' (scheme iati)"
    elif ref.scheme is SchemeOfRef.ISO3166:
        party = uow.parties.get(ref.value)
        code = ref.value if party is not None and party.kind is PartyKind.STATE else None
        rule = "is the ISO 3166-1 code of no state in the registry"
    elif ref.scheme is SchemeOfRef.REGISTRY:
        code = ref.value if uow.parties.get(ref.value) is not None else None
        rule = "is the code of no party in the registry"
    else:
        scheme = _OCDS_SCHEMES.get(ref.identifier_scheme)
        code = uow.parties.holder(scheme, ref.value) if scheme is not None else None
        if code is None and ref.identifier_scheme.startswith("XM-"):  # an IATI registration agency's list
            code = uow.parties.holder(IdScheme.IATI, f"{ref.identifier_scheme}-{ref.value}")
        if code is None and ref.release_id:
            code = uow.parties.holder(IdScheme.OCDS, ref.release_id)
        rule = (f"({ref.identifier_scheme}) is held by no party: record it with 'coalition parties identify' "
                "(scheme ocds, lei or iati)")
    if code is None:
        run.errors.append(ElementError(ref.path, ref.value, rule))
    return code


def _refusal(path: str, error: CoalitionError) -> ElementError:
    return ElementError(path, "", f"refused: {error.message}")


def _apply(uow: UnitOfWork, standard: Standard, checks: Callable[[_Run], None],
           writes: Callable[[_Run], None]) -> _Run:
    """Check every record, then write them all in one transaction, or refuse the file naming every bad value."""
    run = _Run()
    with uow:
        checks(run)
        if run.errors:
            raise FileRefused(standard, run.errors)
        writes(run)
        if run.errors:  # a service refused a record: nothing of the file is kept
            raise FileRefused(standard, run.errors)
        if run.new:
            uow.commit()
    return run


# --- IATI -------------------------------------------------------------------------------------------------------


def import_iati(uow: UnitOfWork, actor: Actor, coalition: str, read: ReadFile) -> ImportReport:
    """Record a donor's IATI transactions in ``coalition``: each as a pledge, commitment or receipt into the fund
    its receiver holds (the coalition's only fund if the file names no custodian of one), all or nothing."""
    require(can(actor, "read_funding", coalition))
    if read.errors:
        raise FileRefused(Standard.IATI, read.errors)
    ready: list[tuple[ImportedFlow, Contribution | None]] = []

    def checks(run: _Run) -> None:
        load_coalition(uow, coalition)
        funds = uow.coalitions.funds(coalition)
        seen: set[str] = set()
        for flow in read.flows:
            if flow.key in seen:
                run.errors.append(ElementError(f"{flow.path}/@ref", flow.key, "is the reference of an earlier "
                                               "transaction of the same activity"))
                continue
            seen.add(flow.key)
            donor = _party(uow, flow.donor, run)
            fund = _fund(uow, flow, funds, run)
            if donor is None or fund is None:
                continue
            if _recorded(uow, coalition, flow, donor):
                ready.append((flow, None))
                continue
            try:
                ready.append((flow, Contribution(flow.kind, coalition, fund, donor, flow.amount, flow.value_date,
                                                 external_ref=flow.key, description=flow.description)))
            except CoalitionError as error:
                run.errors.append(_refusal(flow.path, error))

    def writes(run: _Run) -> None:
        for flow, contribution in ready:
            if contribution is None:
                run.already.append(flow.key)
                continue
            try:
                funding.record_contribution(uow, actor, contribution)
            except CoalitionError as error:
                run.errors.append(_refusal(flow.path, error))
                return
            run.new.append(f"{flow.kind.value} {flow.key}")

    run = _apply(uow, Standard.IATI, checks, writes)
    return ImportReport(Standard.IATI, coalition, tuple(run.new), tuple(run.already), tuple(read.left_out))


def _recorded(uow: UnitOfWork, coalition: str, flow: ImportedFlow, donor: str) -> bool:
    """Whether the transaction is recorded already: imported before (by its key), or recorded under the reference it
    gives itself, as the same donor's contribution of the same kind (a transaction of the platform's own export, or
    a donor's reference already used by a bulk import)."""
    if uow.ledger.contribution_by_ref(coalition, flow.key) is not None:
        return True
    if not flow.ref:
        return False
    found = uow.ledger.contribution_by_ref(coalition, flow.ref)
    return found is not None and found.donor == donor and found.kind is flow.kind


def _fund(uow: UnitOfWork, flow: ImportedFlow, funds: list[Fund], run: _Run) -> str | None:
    """The coalition's fund a transaction pays into: the one whose custodian receives it, else its only fund."""
    if flow.receiver is not None:
        errors = len(run.errors)
        receiver = _party(uow, flow.receiver, run)
        del run.errors[errors:]  # a receiver unknown here is no error while the coalition has one fund
        held = [f.code for f in funds if f.custodian == receiver]
        if held:
            return held[0]
    if len(funds) == 1:
        return funds[0].code
    where = flow.receiver.path if flow.receiver is not None else f"{flow.path}/receiver-org/@ref"
    run.errors.append(ElementError(where, flow.receiver.value if flow.receiver else "", "names no custodian of a "
                                   "fund of the coalition, which has several funds"))
    return None


# --- OCDS -------------------------------------------------------------------------------------------------------


def import_ocds(uow: UnitOfWork, actor: Actor, coalition: str, read: ReadFile) -> ImportReport:
    """Open a case per contracting process, approve its route, sign its contracts and record their payments, through
    the procurement services, all or nothing; what is there already is left as it is."""
    require(can(actor, "read_funding", coalition))
    if read.errors:
        raise FileRefused(Standard.OCDS, read.errors)
    resolved: dict[str, str] = {}  # a reference's path -> the party's code

    def checks(run: _Run) -> None:
        load_coalition(uow, coalition)
        for process in read.processes:
            for ref in (process.buyer, *(c.supplier for c in process.contracts)):
                code = _party(uow, ref, run)
                if code is not None:
                    resolved[ref.path] = code
            _check_requirements(uow, coalition, process, run)
            existing = uow.procurement.get_case(process.case)
            if existing is not None and existing.coalition != coalition:
                run.errors.append(ElementError(f"{process.path}/ocid", process.ocid, f"names case {process.case}, "
                                               f"which is {existing.coalition}'s, not {coalition}'s"))

    def writes(run: _Run) -> None:
        for process in read.processes:
            if not _write_process(uow, actor, coalition, process, resolved, run):
                return

    run = _apply(uow, Standard.OCDS, checks, writes)
    return ImportReport(Standard.OCDS, coalition, tuple(run.new), tuple(run.already), tuple(read.left_out))


def _check_requirements(uow: UnitOfWork, coalition: str, process: ImportedProcess, run: _Run) -> None:
    """Every requirement the process and its contracts name exists in the coalition."""
    codes = {code for _, code in process.requirements}
    named = [*process.requirements,
             *((path, line.requirement) for c in process.contracts for path, line in zip(c.line_paths, c.lines,
                                                                                        strict=True))]
    found = uow.requirements.get_many(sorted({code for _, code in named}))
    for path, code in named:
        requirement = found.get(code)
        if requirement is None or requirement.coalition != coalition:
            run.errors.append(ElementError(path, code, f"is no requirement of {coalition}"))
        elif code not in codes:
            run.errors.append(ElementError(path, code, f"is not a requirement of process {process.ocid}"))


def _write_process(uow: UnitOfWork, actor: Actor, coalition: str, process: ImportedProcess,
                   resolved: dict[str, str], run: _Run) -> bool:
    """Write what of one process is not there yet; False after a refusal (noted at its path)."""
    try:
        case = uow.procurement.get_case(process.case)
        if case is None:
            case = cases.open_case(uow, actor, ProcurementCase(
                process.case, coalition, process.route, process.title, tuple(code for _, code in process.requirements),
                resolved[process.buyer.path], process.opened_on))
            run.new.append(f"case {process.case}")
        else:
            run.already.append(f"case {process.case}")
        if case.stage is CaseStage.PROPOSED and process.approved_on is not None:
            cases.approve_route(uow, actor, process.case, on=process.approved_on)
            run.new.append(f"route of {process.case} approved")
    except CoalitionError as error:
        run.errors.append(_refusal(process.path, error))
        return False
    return all(_write_contract(uow, actor, process, contract, resolved, run) for contract in process.contracts)


def _write_contract(uow: UnitOfWork, actor: Actor, process: ImportedProcess, contract: ImportedContract,
                    resolved: dict[str, str], run: _Run) -> bool:
    path = contract.path
    try:
        if uow.procurement.get_contract(contract.code) is None:
            contracts.sign_contract(uow, actor, code=contract.code, case=process.case,
                                    supplier=resolved[contract.supplier.path], signed_on=contract.signed_on,
                                    lines=contract.lines)
            run.new.append(f"contract {contract.code}")
        else:
            run.already.append(f"contract {contract.code}")
        recorded = [p for p in uow.procurement.payments([contract.code]) if p.reverses is None]
        for payment in contract.payments:
            path = payment.path
            same = _same_payment(recorded, payment)
            if same is not None:
                recorded.remove(same)
                run.already.append(f"payment {payment.reference} of {contract.code}")
                continue
            payments.record_payment(uow, actor, contract.code, amount=payment.amount, paid_on=payment.paid_on,
                                    reference=payment.reference)
            run.new.append(f"payment {payment.reference} of {contract.code}")
    except CoalitionError as error:
        run.errors.append(_refusal(path, error))
        return False
    return True


def _same_payment(recorded: list[Payment], payment: ImportedPayment) -> Payment | None:
    """The recorded payment a file's transaction is: the one with its reference, else one paid the same day with the
    same amount (a transaction of the platform's own export, whose id is not the payment's reference)."""
    by_reference = next((p for p in recorded if p.reference == payment.reference), None)
    if by_reference is not None:
        return by_reference
    return next((p for p in recorded if p.paid_on == payment.paid_on and p.amount == payment.amount), None)
