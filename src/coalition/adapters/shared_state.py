"""What several server processes share through the database: news of committed changes and counted attempts.

On PostgreSQL every transaction that changes the record sends ``NOTIFY coalition_changes`` inside itself, so the
notice goes out when, and only when, it commits (a rolled-back change tells nobody). Each server process keeps one
connection that LISTENs (``ChangeListener``) and empties its caches on every notice; if that connection drops,
the caches fall back to their time limit until it is back, and are emptied once on reconnecting (notices may
have been missed). A read answered from a cache first makes one round trip on the listening connection
(``ChangeListener.sync``), which brings every notice of a change committed before it, so an answer is never older
than a change another process has already acknowledged.

Sign-in and token attempts are counted per client address: in this process's memory on SQLite (one machine,
``MemoryAttempts``), in the database on PostgreSQL (``DatabaseAttempts``), so N processes allow what one does.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import psycopg
import sqlalchemy as sa
import structlog

from coalition.adapters import tables as t

CHANNEL = "coalition_changes"
TIMEOUT_MS = 3000  # a listening connection whose server does not answer within this is given up and made again
log = structlog.get_logger("coalition.changes")


def notify_change(connection: sa.Connection) -> None:
    """Tell every listening process, when this transaction commits, that the record changed (PostgreSQL only)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"NOTIFY {CHANNEL}")


def libpq_url(url: sa.URL) -> str:
    """The SQLAlchemy URL of a PostgreSQL database as a libpq connection string."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class ChangeListener:
    """A thread that LISTENs for committed changes and calls ``on_change`` for each (see the module's text)."""

    def __init__(self, url: str, on_change: Callable[[], None], *, retry_seconds: float = 1.0) -> None:
        self.url = url
        self.on_change = on_change
        self.retry_seconds = retry_seconds
        self.connected = threading.Event()
        self._connection: psycopg.Connection[Any] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="coalition-change-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop listening (within the second the listener waits for notices at a time)."""
        self._stop.set()
        self._thread.join(timeout=5)

    def sync(self) -> None:
        """Hear every notice of a change committed before now: one round trip on the listening connection, before
        whose answer the database sends the notices waiting for this connection (each calls ``on_change``).

        A writer's commit signals every listener before it returns, and the database sends a listener the notices
        it was signalled of before it answers its next query; so a change acknowledged to anyone before this call
        is heard by the time it returns. Without a connection it does nothing (the caches' time limit applies).
        """
        connection = self._connection
        if connection is None or connection.closed:
            return
        try:
            connection.execute("SELECT 1")
        except psycopg.Error:
            return  # the connection is lost: the listener's thread reconnects, and empties the caches then

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, tcp_user_timeout=TIMEOUT_MS,
                                     connect_timeout=max(1, TIMEOUT_MS // 1000)) as connection:
                    connection.add_notify_handler(lambda _notice: self.on_change())
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._connection = connection
                    self.connected.set()
                    self.on_change()  # whatever changed while no one listened
                    while not self._stop.wait(1.0):
                        # Notices that arrive while no read asks (sync) are taken within the second; the round
                        # trip also finds a connection that is gone. (Waiting on the socket instead would wake
                        # on every answer to a read's own round trip, and make one more.)
                        connection.execute("SELECT 1")
            except Exception as error:
                if not self._stop.is_set():
                    log.warning("change listener lost its connection; retrying", error=type(error).__name__)
            finally:
                self._connection = None
                self.connected.clear()
            self._stop.wait(self.retry_seconds)


class MemoryAttempts:
    """At most ``limit`` attempts per client in any ``window`` seconds, counted in this process's memory."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def attempt(self, client: str) -> int | None:
        """Count one attempt; None if allowed, else the seconds to wait (the attempt is not counted)."""
        now = time.monotonic()
        with self._lock:
            attempts = self._seen.setdefault(client, deque())
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            if len(attempts) >= self.limit:
                return int(attempts[0] + self.window - now) + 1
            attempts.append(now)
            if len(self._seen) > 100_000:  # forget idle clients rather than grow without bound
                for stale in [c for c, times in self._seen.items() if not times or times[-1] <= now - self.window]:
                    del self._seen[stale]
        return None


class DatabaseAttempts:
    """The same sliding window, counted in the database that every process shares (PostgreSQL).

    One transaction per attempt, serialised per client by a transaction-level advisory lock, with the database's
    clock, so processes on machines whose clocks differ count alike.
    """

    def __init__(self, engine: sa.Engine, limit: int, window: float = 60.0) -> None:
        self.engine = engine
        self.limit = limit
        self.window = window

    def attempt(self, client: str) -> int | None:
        attempts = t.sign_in_attempts
        window = sa.func.make_interval(0, 0, 0, 0, 0, 0, self.window)
        now = sa.func.clock_timestamp()
        with self.engine.begin() as connection:
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(
                sa.func.hashtext(sa.literal("coalition-attempts:") + client))))
            connection.execute(attempts.delete().where(attempts.c.client == client, attempts.c.at <= now - window))
            count, oldest_wait = connection.execute(
                sa.select(sa.func.count(), sa.extract("epoch", sa.func.min(attempts.c.at) + window - now))
                .where(attempts.c.client == client)).one()
            if count >= self.limit:
                return max(1, math.ceil(float(oldest_wait or 0)))
            connection.execute(attempts.insert().values(client=client, at=now))
        return None
