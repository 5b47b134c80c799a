"""Idempotency keys of API writes: the first request with a key runs, later ones get its response again.

A key is claimed in its own transaction before the write runs (the primary key makes the claim
exclusive), and its response is stored after. A request that fails releases its key so the client
may retry; a different request under a used key is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.database_errors import database_errors_translated
from coalition.adapters.statements import insert_row
from coalition.domain.errors import Conflict

K = t.idempotency_keys


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: str


class IdempotencyStore:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        with database_errors_translated(), self._engine.connect() as connection:
            connection.info["sqlite_begin"] = "BEGIN IMMEDIATE"  # pooled connections keep a reader's setting
            with connection.begin():
                yield connection

    def claim(self, username: str, key: str, request_hash: str, now: datetime) -> StoredResponse | None:
        """Claim ``key`` for this request; return the stored response if the same request already ran."""
        try:
            with self._transaction() as connection:
                insert_row(connection, K, dict(username=username, key=key, request_hash=request_hash,
                                               created_at=now.isoformat()))
            return None
        except Conflict:  # the key's row is there: claimed before (or racing us)
            pass
        with self._transaction() as connection:
            row = connection.execute(sa.select(K).where(K.c.username == username, K.c.key == key)).first()
        if row is None:  # released by a failed request in between: claim it afresh
            return self.claim(username, key, request_hash, now)
        if row.request_hash != request_hash:
            raise Conflict("this Idempotency-Key was already used for a different request", field="Idempotency-Key")
        if row.status_code is None:
            raise Conflict("a request with this Idempotency-Key is still being processed; retry later",
                           field="Idempotency-Key")
        return StoredResponse(row.status_code, row.body)

    def store(self, username: str, key: str, response: StoredResponse) -> None:
        with self._transaction() as connection:
            connection.execute(K.update().where(K.c.username == username, K.c.key == key)
                               .values(status_code=response.status_code, body=response.body))

    def release(self, username: str, key: str) -> None:
        with self._transaction() as connection:
            connection.execute(K.delete().where(K.c.username == username, K.c.key == key, K.c.status_code.is_(None)))
