"""Durable jobs: long work (imports today) kept as rows of ``jobs`` that any worker may claim and any server reads.

A job is queued with its input (the uploaded file's bytes), claimed by one worker at a time, runs with its progress
noted, and ends ``done``, ``rejected`` (the input broke rules: every bad cell is kept) or ``failed`` (with the
reason). The work itself is one transaction of the record, so a worker killed mid-job leaves nothing of it; its job
stays ``running`` under a worker that no longer lives, and the next claim takes it again (``attempts`` counts the
tries) or, past ``max_attempts``, marks it failed naming the lost tries. What a job applies is idempotent (an import
leaves rows already stored alone), so a job retried after its work committed changes nothing more.

A worker is known to be gone when its lease runs out (PostgreSQL: a worker renews ``heartbeat_at`` through a
connection of its own while it works) or, on the machine it ran on, when its process no longer exists (both
engines; on SQLite, which is one machine, the only way: the database takes no other write while an import holds
it, so progress and heartbeats of a running job are kept in this process's memory there).

Claiming uses ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers on several machines never take the same job; on
SQLite the process's writer lock and ``BEGIN IMMEDIATE`` serialise it. See ADR 0040.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.database_errors import database_errors_translated
from coalition.adapters.outbox import SqlOutboxRepository
from coalition.adapters.processes import HOST, _gone
from coalition.domain.notifications import Event

QUEUED, RUNNING, DONE, REJECTED, FAILED = "queued", "running", "done", "rejected", "failed"
FINISHED = frozenset({DONE, REJECTED, FAILED})


def this_worker() -> str:
    """This process as a worker: its machine, its pid and a random tag (a pid is reused after a restart)."""
    return f"{HOST}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    owner: str
    filename: str
    status: str
    phase: str
    done: int
    total: int
    attempts: int
    max_attempts: int
    worker: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    outcome: dict[str, Any] | None
    message: str

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def _job(row: Any) -> Job:
    def moment(value: datetime | None) -> datetime | None:
        return None if value is None else _aware(value)

    return Job(row.id, row.kind, row.owner, row.filename, row.status, row.phase, row.done, row.total, row.attempts,
               row.max_attempts, row.worker, _aware(row.created_at), moment(row.started_at),
               moment(row.finished_at), moment(row.heartbeat_at), json.loads(row.outcome) if row.outcome else None,
               row.message)


_COLUMNS = [c for c in t.jobs.c if c.name != "payload"]


class JobStore:
    """The ``jobs`` table of one database (see the module's text)."""

    def __init__(self, engine: sa.Engine, clock: Callable[[], datetime], *, lease: timedelta,
                 writer_lock: threading.RLock | None) -> None:
        self.engine = engine
        self.clock = clock
        self.lease = lease
        self.shared = engine.dialect.name == "postgresql"
        self._writer_lock = writer_lock  # SQLite: the process's writers take turns
        self._live: dict[str, tuple[str, int, int]] = {}  # SQLite: progress of the jobs this process runs

    def _write(self) -> Any:
        lock = self._writer_lock
        engine = self.engine

        class _Writing:
            def __enter__(self) -> sa.Connection:
                if lock is not None:
                    lock.acquire()
                try:
                    self._scope = engine.begin()
                    return self._scope.__enter__()
                except BaseException:
                    if lock is not None:
                        lock.release()
                    raise

            def __exit__(self, *exc: Any) -> None:
                try:
                    self._scope.__exit__(*exc)
                finally:
                    if lock is not None:
                        lock.release()

        return _Writing()

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        """A connection for reading that never waits for a writer (SQLite: a deferred transaction)."""
        with database_errors_translated(), self.engine.connect() as connection:
            connection.info["sqlite_begin"] = "BEGIN"
            try:
                yield connection
            finally:
                connection.rollback()
                connection.info.pop("sqlite_begin", None)  # the setting outlives the checkout: writers need theirs

    def enqueue(self, *, kind: str, owner: str, filename: str, payload: bytes, max_attempts: int = 3) -> Job:
        job_id = secrets.token_hex(8)  # never starting with '-', which a command line would read as an option
        with database_errors_translated(), self._write() as connection:
            connection.execute(t.jobs.insert().values(
                id=job_id, kind=kind, owner=owner, filename=filename, status=QUEUED, phase=QUEUED, done=0, total=0,
                attempts=0, max_attempts=max_attempts, created_at=self.clock(), message="", payload=payload))
        queued = self.get(job_id)
        assert queued is not None
        return queued

    def get(self, job_id: str) -> Job | None:
        with self._read() as connection:
            row = connection.execute(sa.select(*_COLUMNS).where(t.jobs.c.id == job_id)).first()
        if row is None:
            return None
        job = _job(row)
        live = self._live.get(job_id)
        if live is not None and job.status == RUNNING:
            job = replace(job, phase=live[0], done=live[1], total=live[2])
        return job

    def list(self, *, owner: str | None = None, limit: int = 100) -> list[Job]:
        query = sa.select(*_COLUMNS).order_by(t.jobs.c.created_at.desc(), t.jobs.c.id).limit(limit)
        if owner is not None:
            query = query.where(t.jobs.c.owner == owner)
        with self._read() as connection:
            rows = connection.execute(query).all()
        return [_job(row) for row in rows]

    def counts(self) -> dict[str, int]:
        with self._read() as connection:
            rows = connection.execute(sa.select(t.jobs.c.status, sa.func.count()).group_by(t.jobs.c.status)).all()
        return {status: int(count) for status, count in rows}

    def payload(self, job_id: str) -> bytes:
        with self._read() as connection:
            data = connection.execute(sa.select(t.jobs.c.payload).where(t.jobs.c.id == job_id)).scalar_one()
        return bytes(data or b"")

    def claim(self, worker: str) -> Job | None:
        """Take the oldest queued job, or one whose worker is gone (see the module's text); None if there is none.
        A job already tried ``max_attempts`` times is marked failed instead, naming the lost tries."""
        while True:
            with database_errors_translated(), self._write() as connection:
                candidate = self._candidate(connection)
                if candidate is None:
                    return None
                now = self.clock()
                if candidate.status == RUNNING and candidate.attempts >= candidate.max_attempts:
                    connection.execute(t.jobs.update().where(t.jobs.c.id == candidate.id).values(
                        status=FAILED, phase=FAILED, finished_at=now, payload=None,
                        message=f"the worker stopped during the job {candidate.attempts} time(s) "
                                f"(last: {candidate.worker}); it was not tried again"))
                    continue
                connection.execute(t.jobs.update().where(t.jobs.c.id == candidate.id).values(
                    status=RUNNING, phase="starting", done=0, worker=worker, attempts=candidate.attempts + 1,
                    started_at=now, heartbeat_at=now))
            return self.get(candidate.id)

    def _candidate(self, connection: sa.Connection) -> Job | None:
        jobs = t.jobs
        query = sa.select(*_COLUMNS).where(jobs.c.status == QUEUED).order_by(jobs.c.created_at, jobs.c.id).limit(1)
        if self.shared:
            query = query.with_for_update(skip_locked=True)
        row = connection.execute(query).first()
        if row is not None:
            return _job(row)
        running = sa.select(*_COLUMNS).where(jobs.c.status == RUNNING).order_by(jobs.c.started_at)
        if self.shared:
            running = running.with_for_update(skip_locked=True)
        stale = self.clock() - self.lease
        for found in connection.execute(running).all():
            job = _job(found)
            expired = self.shared and job.heartbeat_at is not None and _aware(job.heartbeat_at) < stale
            if expired or _gone(job.worker):
                return job
        return None

    def progress(self, job_id: str, worker: str, phase: str, done: int, total: int) -> None:
        """Note how far the job has come (and renew its lease): in the database on PostgreSQL, through a
        connection of its own; in this process's memory on SQLite (see the module's text)."""
        if not self.shared:
            self._live[job_id] = (phase, done, total)
            return
        with database_errors_translated(), self.engine.connect() as connection:
            connection.execute(t.jobs.update().where(t.jobs.c.id == job_id, t.jobs.c.worker == worker).values(
                phase=phase, done=done, total=total, heartbeat_at=self.clock()))
            connection.commit()

    def beat(self, job_id: str, worker: str) -> None:
        """Renew the lease of a running job (PostgreSQL; on SQLite the worker's process is its lease)."""
        if self.shared:
            with database_errors_translated(), self.engine.connect() as connection:
                connection.execute(t.jobs.update().where(t.jobs.c.id == job_id, t.jobs.c.worker == worker)
                                   .values(heartbeat_at=self.clock()))
                connection.commit()

    def seen(self, worker: str) -> None:
        """Note that ``worker`` is alive (and forget workers not seen for a day)."""
        now = self.clock()
        workers = t.job_workers
        with database_errors_translated(), self._write() as connection:
            connection.execute(workers.delete().where(sa.or_(workers.c.worker == worker,
                                                             workers.c.seen_at < now - timedelta(days=1))))
            connection.execute(workers.insert().values(worker=worker, seen_at=now))

    def last_seen(self) -> datetime | None:
        """When any worker was last seen alive."""
        with self._read() as connection:
            found = connection.execute(sa.select(sa.func.max(t.job_workers.c.seen_at))).scalar_one()
        return None if found is None else _aware(found)

    def finish(self, job_id: str, worker: str, status: str, *, outcome: dict[str, Any] | None = None,
               message: str = "", event: Event | None = None) -> bool:
        """End the job, writing ``event`` to the outbox in the same transaction; False if another worker has taken
        it meanwhile (this one's lease ran out: then no event either)."""
        with database_errors_translated(), self._write() as connection:
            ended = connection.execute(t.jobs.update().where(
                t.jobs.c.id == job_id, t.jobs.c.worker == worker, t.jobs.c.status == RUNNING).values(
                status=status, phase=status, finished_at=self.clock(), payload=None, message=message,
                outcome=json.dumps(outcome) if outcome is not None else None)).rowcount
            if ended and event is not None:
                SqlOutboxRepository(connection).add(event)
        self._live.pop(job_id, None)
        return bool(ended)


def _aware(moment: datetime) -> datetime:
    """A time read back from the database, as the aware UTC time it was written as (SQLite drops the zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
