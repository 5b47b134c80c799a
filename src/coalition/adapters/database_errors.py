"""The driver's errors, translated once into the domain's, so that no entrypoint needs to know the driver.

A write that waited longer than the database allows for another writer's lock is ``Busy`` (retry shortly);
two writers that raced for the same records are a ``Conflict``; anything else is ``StorageFailed``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from coalition.domain.errors import Busy, Conflict, InvariantViolated, StorageFailed

# SQLite's primary result codes for a lock held by another connection (SQLITE_BUSY: the busy timeout ran out)
# or by this one's other statement on a shared table (SQLITE_LOCKED).
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
SQLITE_BUSY_TEXTS = ("database is locked", "database is busy", "database table is locked")
# PostgreSQL's SQLSTATEs: a lock not granted in time (lock_timeout, NOWAIT) and two transactions that raced.
PG_LOCK_NOT_AVAILABLE = "55P03"
PG_RACES = {"40001": "serialization_failure", "40P01": "deadlock_detected"}
# A key stored twice (two writers created the same record at once) and a row that breaks a CHECK constraint (a rule
# the database holds beside the services, such as a balance on its wrong side).
SQLITE_UNIQUE, SQLITE_PRIMARY_KEY, SQLITE_CHECK = 2067, 1555, 275
PG_UNIQUE, PG_CHECK = "23505", "23514"

BUSY_MESSAGE = "the database is busy; retry shortly"
RACED_MESSAGE = "another request changed the same records at the same time; read them again and retry"
CREATED_MESSAGE = "the record was created by another request at the same time; read it again"


def is_busy(error: DBAPIError) -> bool:
    """Whether ``error`` says another connection held a lock for longer than this one would wait."""
    cause = error.orig
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    if getattr(cause, "sqlstate", None) == PG_LOCK_NOT_AVAILABLE:
        return True
    return isinstance(error, OperationalError) and str(cause).strip().lower().startswith(SQLITE_BUSY_TEXTS)


def translated(error: DBAPIError) -> Exception:
    """The domain's error for the driver's ``error``."""
    if is_busy(error):
        return Busy(BUSY_MESSAGE)
    if getattr(error.orig, "sqlstate", None) in PG_RACES:
        return Conflict(RACED_MESSAGE)
    first_line = (str(error.orig).strip().splitlines() or [type(error.orig).__name__])[0]
    if isinstance(error, IntegrityError):
        kind = _integrity_kind(error)
        if kind == "unique":  # two writers created the same record at once; one won
            return Conflict(CREATED_MESSAGE)
        if kind == "check":
            return InvariantViolated(f"the database refused a change that breaks one of its rules ({first_line})")
    if isinstance(error, OperationalError):
        return StorageFailed(f"cannot use the database ({first_line})")
    return StorageFailed(first_line)


def _integrity_kind(error: IntegrityError) -> str:
    """'unique', 'check' or 'other' (a foreign key or a missing value: a fault, not a race)."""
    cause = error.orig
    code, state, text = getattr(cause, "sqlite_errorcode", None), getattr(cause, "sqlstate", None), str(cause)
    if code in (SQLITE_UNIQUE, SQLITE_PRIMARY_KEY) or state == PG_UNIQUE or text.startswith("UNIQUE constraint"):
        return "unique"
    if code == SQLITE_CHECK or state == PG_CHECK or text.startswith("CHECK constraint"):
        return "check"
    return "other"


@contextmanager
def database_errors_translated() -> Iterator[None]:
    """Raise the domain's error, from the driver's, for any database error inside the block."""
    try:
        yield
    except DBAPIError as error:
        raise translated(error) from error
