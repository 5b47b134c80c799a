"""The procurement record as open contracting data reads it: each case of a coalition with the dated acts of its
history (opened, its stage changes, tenders with their bids and awards, contracts with their versions, payments,
shipments and receipts) and the parties those acts name, read in one transaction.

The view holds no format: the OCDS release and record packages are built from it at the edge
(``adapters/ocds.py``). Who may export is who may read the money (``read_funding``). The money of a donor whose
records the audience may not see keeps its amount and loses the donor's name, as on the contract page and in the
donor statement (``services.confidentiality``); for a publication, the default, the audience is the public, so
only donors whose records are public are named, whoever runs the export.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from coalition.domain.access import PUBLIC_ACTOR, Actor, can
from coalition.domain.coalition import Coalition
from coalition.domain.errors import InvalidInput, NotFound, refusal
from coalition.domain.party import Party
from coalition.domain.procurement import Bid, ProcurementCase, Tender
from coalition.domain.requirements import Requirement
from coalition.services.audit import require
from coalition.services.confidentiality import hidden_contributions, masked
from coalition.services.ports import UnitOfWork
from coalition.services.registry import load_coalition
from coalition.services.views.ports import ContractFile

# An ocid prefix as the Open Contracting Partnership assigns them: 'ocds-' and six letters or digits.
OCID_PREFIX = re.compile(r"ocds-[a-z0-9]{6}")


@dataclass(frozen=True, slots=True)
class StageChange:
    """A case moving from one stage to another on a day (``before`` None: the case opening)."""

    before: str | None
    after: str
    on: date
    note: str


@dataclass(frozen=True, slots=True)
class TenderHistory:
    tender: Tender
    bids: tuple[Bid, ...]


@dataclass(frozen=True, slots=True)
class CaseHistory:
    """One contracting process: a case, its stage changes, tenders and contract files (funding masked for the
    audience); ``payers`` the donors named as funding its contracts, ``unnamed_payers`` whether money of donors
    the audience may not see funds them too."""

    ocid: str
    case: ProcurementCase
    stages: tuple[StageChange, ...]
    tenders: tuple[TenderHistory, ...]
    files: tuple[ContractFile, ...]
    payers: tuple[str, ...]
    unnamed_payers: bool


@dataclass(frozen=True, slots=True)
class ProcurementRecord:
    """Every case of a coalition with its history, the parties named, and for whom it was masked."""

    coalition: Coalition
    today: date
    public: bool
    cases: tuple[CaseHistory, ...]
    parties: Mapping[str, Party]
    requirements: Mapping[str, Requirement]


def check_ocid_prefix(prefix: str) -> str:
    """The prefix, or a refusal naming the form an ocid prefix takes."""
    if OCID_PREFIX.fullmatch(prefix) is None:
        raise refusal(InvalidInput, "'{prefix}' is not an ocid prefix: it is 'ocds-' and six lower-case letters or "
                      "digits, as the Open Contracting Partnership assigns it", field="ocid_prefix", prefix=prefix)
    return prefix


def procurement_record(uow: UnitOfWork, actor: Actor, coalition: str, *, ocid_prefix: str,
                       public: bool = True) -> ProcurementRecord:
    """The coalition's cases with their histories, for a publication (``public``: donors named only where their
    records are public) or for the viewer (donors named where the viewer may see their records)."""
    check_ocid_prefix(ocid_prefix)
    require(can(actor, "read_funding", coalition))
    audience = PUBLIC_ACTOR if public else actor
    with uow:
        found = load_coalition(uow, coalition)
        cases = uow.delivery_reads.cases(coalition)
        if not cases:
            raise refusal(NotFound, "{coalition} has no procurement case to export", field="coalition",
                          coalition=coalition)
        files = uow.delivery_reads.coalition_files(coalition)
        hidden = hidden_contributions(uow, audience, coalition, {s.contribution for f in files for s in f.funding})
        histories = tuple(_history(uow, f"{ocid_prefix}-{case.code}", case,
                                   [_masked(f, hidden) for f in files if f.case.code == case.code])
                          for case in cases)
        codes = {case.buyer for case in cases} | {code for h in histories for code in _named(h)}
        parties = {code: party for code in sorted(codes) if (party := uow.parties.get(code)) is not None}
        requirements = uow.requirements.get_many(sorted({r for case in cases for r in case.requirements}))
        return ProcurementRecord(found, uow.clock().date(), public, histories, parties, requirements)


def _history(uow: UnitOfWork, ocid: str, case: ProcurementCase, files: list[ContractFile]) -> CaseHistory:
    """One case's history read through the procurement repository, with its (already masked) contract files."""
    stages = tuple(StageChange(before, after, on, note)
                   for before, after, on, note in uow.procurement.case_history(case.code))
    tenders = tuple(TenderHistory(tender, tuple(uow.procurement.bids(tender.code)))
                    for tender in uow.procurement.tenders(case.code))
    shares = [s for f in files for s in f.funding]
    payers = tuple(sorted({s.donor for s in shares if s.contribution}))
    return CaseHistory(ocid, case, stages, tenders, tuple(files), payers, any(not s.contribution for s in shares))


def _masked(file: ContractFile, hidden: set[int]) -> ContractFile:
    """The file with the funding and payment shares of hidden contributions not naming their donor."""
    shares = masked([s for _, s in file.payment_shares], hidden)
    return replace(file, funding=tuple(masked(file.funding, hidden)),
                   payment_shares=tuple((p, s) for (p, _), s in zip(file.payment_shares, shares, strict=True)))


def _named(history: CaseHistory) -> set[str]:
    """Every party the case's history names: suppliers, bidders and the donors shown."""
    return ({f.contract.supplier for f in history.files} | set(history.payers)
            | {bid.supplier for t in history.tenders for bid in t.bids})
