"""A procurement case's whole file, as one page shows it (after Prozorro's case pages): the case and its stages,
its requirements, each tender with its lots, ranked bids, awards and standstill, and each contract with its
versions and what each amendment changed, its lines, the money behind it per donor (masked where the viewer may
not see a contribution), its payments and milestones, its shipments with their moves and the units' receipts.
Read in one transaction, for viewers of the coalition's money."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from coalition.domain.access import Actor, Permission, can
from coalition.domain.errors import NotFound, refusal
from coalition.domain.money import Money
from coalition.domain.party import Party
from coalition.domain.procurement import ContractVersion, LineChange, ProcurementCase, version_changes
from coalition.services.audit import require
from coalition.services.ports import UnitOfWork
from coalition.services.procurement.cases import load_case
from coalition.services.procurement.tenders import Evaluation, evaluation_of
from coalition.services.views.delivery import ContractView, contract_view


@dataclass(frozen=True, slots=True)
class VersionView:
    """A version of a contract's terms and what it changed from the one before (nothing, for the signed one)."""

    version: ContractVersion
    changes: list[LineChange]


@dataclass(frozen=True, slots=True)
class ContractPart:
    """A contract in its case's file: its view, its versions with their changes, and the money behind it per
    donor in the reporting currency (a donor the viewer may not see is shown as restricted)."""

    view: ContractView
    versions: list[VersionView]
    by_donor: list[tuple[str, Money]]


@dataclass(frozen=True, slots=True)
class CaseFile:
    case: ProcurementCase
    history: list[tuple[str | None, str, date, str]]  # (from stage, to stage, on, note)
    requirements: dict[str, str]  # code: title
    tenders: list[Evaluation]
    contracts: list[ContractPart]
    parties: dict[str, Party]  # every party the file names, by code


def _part(view: ContractView) -> ContractPart:
    versions = view.contract.versions
    changes = [VersionView(versions[0], [])] + [VersionView(after, version_changes(before, after))
                                                 for before, after in pairwise(versions)]
    per_donor: dict[str, int] = defaultdict(int)
    for share in view.funding:
        per_donor[share.donor] += share.reporting
    by_donor = [(donor, Money.from_minor_units(units, view.currency))
                for donor, units in sorted(per_donor.items(), key=lambda item: -item[1])]
    return ContractPart(view, changes, by_donor)


def _named(found: CaseFile) -> set[str]:
    """Every party a case's file names: its buyer, the bidders, the suppliers, the units and the donors."""
    bidders = {ranked.bid.supplier for e in found.tenders for bids in e.lots.values() for ranked in bids}
    suppliers = {c.view.contract.supplier for c in found.contracts}
    units = {r.unit for c in found.contracts for r in c.view.receipts}
    donors = {donor for c in found.contracts for donor, _ in c.by_donor}
    return {found.case.buyer} | bidders | suppliers | units | donors


def may_read_case(actor: Actor, coalition: str) -> Permission:
    """A case's file is read by the viewers of the coalition's money and by those who run its procurement (the
    agency's procurement officer), who see the money behind each contract as a member would (masked where the
    contribution is not theirs to see)."""
    allowed = can(actor, "read_funding", coalition)
    return allowed if allowed else (can(actor, "manage_procurement", coalition) or allowed)


def case_file(uow: UnitOfWork, actor: Actor, code: str) -> CaseFile:
    """The case ``code`` with everything that happened in it; NotFound naming ``case``, or the refusal of a viewer
    who may not read the coalition's money."""
    with uow:
        case = load_case(uow, code)
        require(may_read_case(actor, case.coalition))
        tenders = [evaluation_of(uow, tender) for tender in uow.procurement.tenders(code)]
        files = [uow.delivery_reads.contract_file(contract.code) for contract in uow.procurement.contracts([code])]
        contracts = [_part(contract_view(uow, actor, file)) for file in files if file is not None]
        found = CaseFile(case, uow.procurement.case_history(code), {}, tenders, contracts, {})
        requirements = uow.requirements.get_many(set(case.requirements))
        parties = {party.code: party for party in (uow.parties.get(name) for name in _named(found))
                   if party is not None}
    return CaseFile(case, found.history, {k: r.title for k, r in requirements.items()}, tenders, contracts, parties)


def case_of_contract(uow: UnitOfWork, actor: Actor, code: str) -> str:
    """The case a contract belongs to, for a viewer who may read that case; NotFound naming ``contract``."""
    with uow:
        contract = uow.procurement.get_contract(code)
        if contract is None:
            raise refusal(NotFound, "no contract '{code}'", field="contract", code=code)
        require(may_read_case(actor, load_case(uow, contract.case).coalition))
        return contract.case
