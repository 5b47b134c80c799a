"""The SQL unit of work: one connection, one transaction, every repository on it."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from types import TracebackType
from typing import Self

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from coalition.adapters.database_errors import database_errors_translated, translated
from coalition.adapters.documents import SqlDocumentRepository
from coalition.adapters.history_checks import SqlHistoryChecks
from coalition.adapters.identity_store import SqlSessionRepository, SqlUserRepository
from coalition.adapters.innovation_store import SqlInnovationRepository
from coalition.adapters.intake_store import SqlIntakeRepository
from coalition.adapters.ledger_store import (
    SqlCapabilityAreaRepository,
    SqlFxRateRepository,
    SqlLedgerChecks,
    SqlLedgerRepository,
)
from coalition.adapters.offer_store import SqlOfferRepository
from coalition.adapters.outbox import SqlOutboxRepository
from coalition.adapters.package_store import SqlPackageRepository
from coalition.adapters.planning_store import SqlPlanRepository, SqlPriorityListRepository, SqlRequirementRepository
from coalition.adapters.procurement_store import SqlProcurementRepository
from coalition.adapters.read_store import SqlDeliveryReads, SqlFundingReads
from coalition.adapters.repositories import (
    SqlAuditLog,
    SqlCoalitionRepository,
    SqlInstrumentRepository,
    SqlMembershipRepository,
    SqlPartyRepository,
)
from coalition.adapters.row_proofs import forget_notes, install_sqlite_triggers
from coalition.adapters.search_index import SqlSearchReads
from coalition.adapters.shared_state import notify_change
from coalition.adapters.steering_store import SqlSteeringRepository
from coalition.services.ports import (
    AuditLog,
    CapabilityAreaRepository,
    Clock,
    CoalitionRepository,
    DocumentRepository,
    FxRateRepository,
    InnovationRepository,
    InstrumentRepository,
    IntakeRepository,
    LedgerRepository,
    MembershipRepository,
    OfferRepository,
    OutboxRepository,
    PackageRepository,
    PartyRepository,
    PlanRepository,
    PriorityListRepository,
    ProcurementRepository,
    RequirementRepository,
    SessionRepository,
    SteeringRepository,
    UserRepository,
)
from coalition.services.views.ports import DeliveryReads, FundingReads, HistoryChecks, LedgerChecks, SearchReads

_WRITER_LOCKS: weakref.WeakKeyDictionary[sa.Engine, threading.RLock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


class WriterBusy(Exception):
    """Another writer of this process holds the SQLite database, and the unit of work was told not to wait."""


def writer_lock(engine: sa.Engine) -> threading.RLock:
    """The lock this process's writers of a SQLite database take turns with."""
    with _LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(engine, threading.RLock())


class SqlUnitOfWork:
    """Opens a transaction on enter; commits only when told; rolls back everything otherwise.

    Re-entering an open unit of work joins its transaction, so a service may call another.
    A read-only unit of work (``read_only``) starts a deferred transaction on SQLite, so readers
    never queue behind writers; writes always take the write lock at BEGIN (BEGIN IMMEDIATE).
    A writer told not to ``wait`` raises WriterBusy instead of queueing behind another writer of this
    process on SQLite (for work that may as well be done later, such as noting a session's use).
    The driver's errors leave it as the domain's (``adapters.database_errors``): a lock held past the busy
    timeout is ``Busy``, writers that raced are a ``Conflict``, anything else is ``StorageFailed``.
    """

    parties: PartyRepository
    coalitions: CoalitionRepository
    memberships: MembershipRepository
    instruments: InstrumentRepository
    areas: CapabilityAreaRepository
    fx_rates: FxRateRepository
    ledger: LedgerRepository
    requirements: RequirementRepository
    priorities: PriorityListRepository
    plans: PlanRepository
    steering: SteeringRepository
    procurement: ProcurementRepository
    innovation: InnovationRepository
    documents: DocumentRepository
    packages: PackageRepository
    offers: OfferRepository
    intake: IntakeRepository
    users: UserRepository
    sessions: SessionRepository
    audit: AuditLog
    funding_reads: FundingReads
    delivery_reads: DeliveryReads
    search: SearchReads
    ledger_checks: LedgerChecks
    history_checks: HistoryChecks
    outbox: OutboxRepository

    def __init__(self, engine: sa.Engine, clock: Clock, *, read_only: bool = False,
                 committed: Callable[[], None] | None = None, wait: bool = True) -> None:
        self._engine = engine
        self.clock = clock
        self._committed = committed
        self._read_only = read_only
        self._wait = wait
        # SQLite takes one writer at a time: writers of this process queue here, in order, instead of
        # retrying BEGIN IMMEDIATE with the driver's growing sleeps (other processes still wait on busy_timeout).
        self._writer_lock = None if read_only or engine.dialect.name != "sqlite" else writer_lock(engine)
        self._connection: sa.Connection | None = None
        self._depth = 0

    def __enter__(self) -> Self:
        if self._depth == 0:
            if self._writer_lock is not None and not self._writer_lock.acquire(blocking=self._wait):
                raise WriterBusy("another write of this process holds the database")
            try:
                with database_errors_translated():
                    connection = self._connect()
            except BaseException:
                self._release()
                raise
            self._connection = connection
            self.parties = SqlPartyRepository(connection)
            self.coalitions = SqlCoalitionRepository(connection)
            self.memberships = SqlMembershipRepository(connection)
            self.instruments = SqlInstrumentRepository(connection)
            self.areas = SqlCapabilityAreaRepository(connection)
            self.fx_rates = SqlFxRateRepository(connection)
            self.ledger = SqlLedgerRepository(connection)
            self.requirements = SqlRequirementRepository(connection)
            self.priorities = SqlPriorityListRepository(connection)
            self.plans = SqlPlanRepository(connection)
            self.steering = SqlSteeringRepository(connection)
            self.procurement = SqlProcurementRepository(connection)
            self.innovation = SqlInnovationRepository(connection)
            self.documents = SqlDocumentRepository(connection)
            self.packages = SqlPackageRepository(connection)
            self.offers = SqlOfferRepository(connection)
            self.intake = SqlIntakeRepository(connection)
            self.users = SqlUserRepository(connection)
            self.sessions = SqlSessionRepository(connection)
            self.audit = SqlAuditLog(connection)
            self.funding_reads = SqlFundingReads(connection)
            self.delivery_reads = SqlDeliveryReads(connection)
            self.search = SqlSearchReads(connection)
            self.ledger_checks = SqlLedgerChecks(connection)
            self.history_checks = SqlHistoryChecks(connection)
            self.outbox = SqlOutboxRepository(connection)
        self._depth += 1
        return self

    def _connect(self) -> sa.Connection:
        connection = self._engine.connect()
        try:
            if not self._read_only and self._engine.dialect.name == "sqlite":
                connection.info["sqlite_begin"] = "BEGIN"
                install_sqlite_triggers(connection)
            connection.info["sqlite_begin"] = "BEGIN" if self._read_only else "BEGIN IMMEDIATE"
            connection.begin()
            if not self._read_only and self._engine.dialect.name == "sqlite":
                forget_notes(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._depth -= 1
        if self._depth == 0 and self._connection is not None:
            try:
                with database_errors_translated():
                    if self._connection.in_transaction():
                        self._connection.rollback()
            finally:
                self._connection.close()
                self._connection = None
                self._release()
        if isinstance(exc, DBAPIError):
            raise translated(exc) from exc

    def _release(self) -> None:
        if self._writer_lock is not None:
            self._writer_lock.release()

    def commit(self) -> None:
        if self._depth == 1 and self._connection is not None:
            with database_errors_translated():
                if not self._read_only and self.audit.unproved_writes():
                    # Every write of the record is proved by an audit record appended after it (record_change):
                    # a change that wrote rows and recorded none would leave them unaccounted for.
                    raise RuntimeError("this transaction wrote rows after its last audit record; record the "
                                       "change after writing it")
                if self._committed is not None and not self._read_only:
                    notify_change(self._connection)  # other processes hear of it when, and only if, it commits
                self._connection.commit()
            if self._committed is not None:
                self._committed()
