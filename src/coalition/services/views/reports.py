"""The printed reports' content: the funding report (with the coverage of the priority list) or the donor statement,
read in one transaction with the audit
chain's head it was produced from, as the viewer may see it (the same service reads and masking as the pages).

The head names no record, only how many the chain held and the last one's hash (as a signed checkpoint does), so
any reader of a report may see it and, with ``coalition audit verify``, check that the chain still runs through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from coalition.domain.access import Actor, can
from coalition.domain.errors import Busy, NotFound
from coalition.services.audit import require
from coalition.services.ports import UnitOfWork
from coalition.services.registry import load_coalition
from coalition.services.views.funding import DonorStatement, FundingReport, read_report, read_statement
from coalition.services.views.priorities import Coverage, read_coverage


@dataclass(frozen=True, slots=True)
class AuditHead:
    """The audit chain's head when a report was read: the count of records and the last one's hash."""

    seq: int
    hash: str

    @property
    def short(self) -> str:
        """The hash's first 16 hex digits, as printed."""
        return self.hash[:16]


@dataclass(frozen=True, slots=True)
class FundingDocument:
    """A coalition's funding report as printed: its name, the report, and when and from which head it was read."""

    name: str
    report: FundingReport
    head: AuditHead
    produced_at: datetime
    coverage: Coverage | None = None  # of the priority list approved by then; None before there is one


@dataclass(frozen=True, slots=True)
class DonorDocument:
    """A donor statement as printed, with when and from which head it was read."""

    statement: DonorStatement
    head: AuditHead
    produced_at: datetime


ATTEMPTS = 5
T = TypeVar("T")


def _head(uow: UnitOfWork) -> AuditHead:
    seq, digest = uow.audit.stored_head()
    return AuditHead(seq, digest)


def _at_one_head(uow: UnitOfWork, read: Callable[[], T]) -> tuple[T, AuditHead]:
    """What ``read`` returns and the audit head it was read at. Every change of the record appends to the chain
    in its own transaction, so a head that is the same before and after the read means no change came in between;
    where each statement sees the latest commits (PostgreSQL's read committed), a read a change overtook is read
    again."""
    for _ in range(ATTEMPTS):
        before = _head(uow)
        found = read()
        if _head(uow) == before:
            return found, before
    raise Busy("the record kept changing while the report was read; ask again", field="report")


def funding_document(uow: UnitOfWork, actor: Actor, coalition: str, on: date | None = None) -> FundingDocument:
    """The coalition's funding report (as of ``on``) and the audit head, read together."""
    require(can(actor, "read_funding", coalition))

    def read() -> tuple[str, FundingReport, Coverage | None]:
        report = read_report(uow, actor, coalition, on)
        try:
            ranks: Coverage | None = read_coverage(uow, coalition, on=on)
        except NotFound:
            ranks = None  # no priority list approved yet: nothing to cover
        return load_coalition(uow, coalition).name, report, ranks

    with uow:
        (name, report, ranks), head = _at_one_head(uow, read)
        return FundingDocument(name, report, head, uow.clock(), ranks)


def donor_document(uow: UnitOfWork, actor: Actor, donor: str, *, on: date | None = None,
                   limit: int = 500) -> DonorDocument:
    """A donor's statement (as of ``on``) and the audit head, read together."""
    with uow:
        statement, head = _at_one_head(uow, lambda: read_statement(uow, actor, donor, limit, on))
        return DonorDocument(statement, head, uow.clock())
