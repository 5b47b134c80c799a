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

from coalition.domain.access import Actor
from coalition.domain.money import Money
from coalition.domain.party import Party
from coalition.domain.procurement import ContractVersion, LineChange, ProcurementCase, version_changes
from coalition.services.ports import UnitOfWork
from coalition.services.procurement.cases import get_case
from coalition.services.procurement.tenders import Evaluation, evaluate_tender
from coalition.services.views.delivery import ContractView, get_contract


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


def case_file(uow: UnitOfWork, actor: Actor, code: str) -> CaseFile:
    """The case ``code`` with everything that happened in it; NotFound naming ``case``, or the refusal of a viewer
    who may not read the coalition's money."""
    with uow:
        found = get_case(uow, actor, code)
        tenders = [evaluate_tender(uow, actor, tender.code) for tender in found.tenders]
        contracts = [_part(get_contract(uow, actor, contract.code)) for contract in found.contracts]
        requirements = uow.requirements.get_many(set(found.case.requirements))
        named = {found.case.buyer} | {bid.bid.supplier for e in tenders for ranked in e.lots.values()
                                      for bid in ranked} | {c.view.contract.supplier for c in contracts} \
            | {r.unit for c in contracts for r in c.view.receipts} | {d for c in contracts for d, _ in c.by_donor}
        parties = {party.code: party for party in (uow.parties.get(name) for name in named) if party is not None}
    return CaseFile(found.case, list(found.history), {k: r.title for k, r in requirements.items()}, tenders,
                    contracts, parties)
