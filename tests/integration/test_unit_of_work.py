"""The unit of work on a real database: a write that cannot get the database's lock in time leaves as Busy."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from coalition.adapters.database import create_engine
from coalition.adapters.unit_of_work import SqlUnitOfWork
from coalition.bootstrap import Platform
from coalition.domain.audit import AuditEvent
from coalition.domain.errors import Busy
from coalition.services.audit import record_change


@contextmanager
def impatient_engine(url: str) -> Iterator[sa.Engine]:
    """An engine of the platform that waits a tenth of a second for another connection's lock, not half a minute."""
    engine = create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _wait_briefly(dbapi_connection: Any, _record: Any) -> None:  # after the platform's own settings
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA busy_timeout=100")
        else:
            cursor.execute("SET lock_timeout = '100ms'")
        cursor.close()
        if engine.dialect.name != "sqlite":
            dbapi_connection.commit()

    yield engine
    engine.dispose()


@contextmanager
def write_lock_held_elsewhere(platform: Platform) -> Iterator[None]:
    """Another connection, not the platform's, holding what a write needs: SQLite's write lock, or PostgreSQL's
    audit head (every write appends to the audit chain)."""
    if platform.engine.dialect.name == "sqlite":
        other = sqlite3.connect(str(platform.engine.url.database), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with platform.engine.connect() as connection:
        connection.exec_driver_sql("LOCK TABLE audit_head IN ACCESS EXCLUSIVE MODE")
        yield
        connection.rollback()


def note_a_change(engine: sa.Engine, platform: Platform) -> None:
    with SqlUnitOfWork(engine, platform.clock) as uow:
        record_change(uow, platform.operator(), AuditEvent("note", "test", "busy", None, None))
        uow.commit()


def test_a_write_that_cannot_get_the_lock_in_time_is_busy(platform: Platform):
    url = platform.engine.url.render_as_string(hide_password=False)
    with impatient_engine(url) as engine:
        with write_lock_held_elsewhere(platform), pytest.raises(Busy, match="the database is busy") as refused:
            note_a_change(engine, platform)
        assert refused.value.code == "busy"
        assert isinstance(refused.value.__cause__, sa.exc.OperationalError)
        note_a_change(engine, platform)  # the lock released, the same write goes through
