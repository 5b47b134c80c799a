"""Which rows each transaction wrote, and their digests: the proofs the audit chain carries.

Every table of the record is proved, but for a few that hold no fact of their own (the chain itself, counters
and caches that `ledger check` recomputes, the search index, idempotency keys, sessions). Triggers note the key of
every row a statement inserts, updates or deletes in a per-connection temporary table, ``audit_pending``: on PostgreSQL
statement triggers with transition tables (migration 0016), which note nothing on a connection without that table;
on SQLite temporary triggers that each connection of the platform creates for itself. A connection that is not the
platform's (an edit made by hand) notes nothing, so what it wrote matches no proof.

When a service appends an audit record, ``prove_pending`` reads the noted rows as they now stand, digests them
(``coalition.domain.audit.row_digest``) and empties the table: the record's proof. ``current_digests`` digests every
row of a table the same way, for ``audit verify --deep``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.domain.audit import DELETED, ProofPart, proof_parts, row_digest

# Tables that hold no fact of their own: the chain and its anchors, what `ledger check` recomputes, operational state.
EXEMPT = frozenset({"audit_records", "audit_head", "audit_proofs", "audit_checkpoints", "ledger_next_ids",
                    "ledger_months", "contribution_counts", "idempotency_keys", "sessions",
                    "sign_in_attempts", "jobs", "job_workers", "outbox", "deliveries",
                    "notifications", "webhook_subscriptions", "notification_settings", "search_entries"})
# Columns kept beside a fact and recomputed by `ledger check`: balances move with every entry; an account's key
# columns never change after it is opened, so only its creation is proved.
NOT_DIGESTED = {"ledger_accounts": frozenset({"balance_minor", "reporting_minor"})}
INSERT_ONLY = frozenset({"ledger_accounts"})

PENDING = "audit_pending"
_PENDING_COLUMNS = "tbl VARCHAR(64) NOT NULL, k VARCHAR(400) NOT NULL"


@dataclass(frozen=True)
class ProvedTable:
    table: sa.Table

    @property
    def name(self) -> str:
        return self.table.name

    @cached_property
    def key(self) -> tuple[sa.Column[Any], ...]:
        return tuple(self.table.primary_key.columns)

    @cached_property
    def columns(self) -> tuple[sa.Column[Any], ...]:
        skipped = NOT_DIGESTED.get(self.name, frozenset())
        return tuple(column for column in self.table.columns if column.name not in skipped)

    @cached_property
    def events(self) -> tuple[str, ...]:
        return ("INSERT", "DELETE") if self.name in INSERT_ONLY else ("INSERT", "UPDATE", "DELETE")

    @cached_property
    def integer_key(self) -> bool:
        return len(self.key) == 1 and isinstance(self.key[0].type, sa.Integer)

    def key_text(self, values: Sequence[Any]) -> str:
        """The key as the triggers note it: the key columns as text, joined by '|'."""
        return "|".join(str(value) for value in values)

    def key_sql(self, alias: str, dialect: str) -> str:
        """The SQL the triggers note a row's key with (``alias`` is NEW, OLD or a transition table)."""
        cast = "CAST({}.{} AS TEXT)" if dialect == "sqlite" else "{}.{}::text"
        return " || '|' || ".join(cast.format(alias, column.name) for column in self.key)

    @cached_property
    def plain(self) -> bool:
        """Whether the database itself can write the row's canonical form: no column holds JSON or bytes."""
        return not any(isinstance(column.type, sa.JSON | sa.LargeBinary) for column in self.columns)

    def canonical_sql(self, dialect: str) -> str:
        """SQL for a plain row's canonical JSON array, as ``coalition.domain.audit.canonical_row`` writes it (a test
        holds the two to the same text on both engines, for every character a text can hold)."""
        if dialect == "sqlite":  # json_array writes SQLite's 0 and 1 as numbers: a boolean column says true/false
            parts = [f"CASE WHEN {c.name} IS NULL THEN NULL WHEN {c.name} THEN json('true') ELSE json('false') END"
                     if isinstance(c.type, sa.Boolean) else c.name for c in self.columns]
            return f"json_array({', '.join(parts)})"
        parts = [f"coalesce(to_json({c.name})::text, 'null')" for c in self.columns]
        return f"'[' || concat_ws(',', {', '.join(parts)}) || ']'"

    def key_expression(self) -> sa.ColumnElement[Any]:
        parts: list[sa.ColumnElement[Any]] = [sa.cast(column, sa.Text) for column in self.key]
        expression = parts[0]
        for part in parts[1:]:
            expression = expression.op("||")(sa.literal("|")).op("||")(part)
        return expression


PROVED: tuple[ProvedTable, ...] = tuple(ProvedTable(table) for table in t.metadata.sorted_tables
                                        if table.name not in EXEMPT)
BY_NAME = {proved.name: proved for proved in PROVED}

_pending = sa.table(PENDING, sa.column("tbl", sa.String), sa.column("k", sa.String))
_as_id = sa.cast(_pending.c.k, sa.BigInteger)


def create_pending_table(dbapi_connection: Any, dialect: str) -> None:
    """The connection's own list of rows written since the last audit record (the triggers fill it). On PostgreSQL
    every commit empties it; on SQLite each write transaction of the platform starts by doing so (``forget_notes``),
    so rows written outside a unit of work are never taken for the next record's."""
    cursor = dbapi_connection.cursor()
    if dialect == "sqlite":
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {PENDING} ({_PENDING_COLUMNS})")
        cursor.close()
        return
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {PENDING} ({_PENDING_COLUMNS}) ON COMMIT DELETE ROWS")
    cursor.close()
    dbapi_connection.commit()


def forget_notes(connection: sa.Connection) -> None:
    """Empty the SQLite connection's notes at the start of a write transaction."""
    connection.execute(_pending.delete())


def sqlite_trigger_statements() -> list[str]:
    """The temporary triggers a SQLite connection of the platform notes its writes with."""
    statements = []
    for proved in PROVED:
        for event in proved.events:
            row = "OLD" if event == "DELETE" else "NEW"
            note = f"INSERT INTO {PENDING} (tbl, k) VALUES ('{proved.name}', {proved.key_sql(row, 'sqlite')})"  # noqa: S608 - names from the schema
            statements.append(f"CREATE TEMPORARY TRIGGER IF NOT EXISTS audit_note_{proved.name}_{event.lower()} "
                              f"AFTER {event} ON main.{proved.name} BEGIN {note}; END")
    return statements


def install_sqlite_triggers(connection: sa.Connection) -> None:
    """Create this connection's temporary triggers once, outside any transaction of the record, once the schema
    has every proved table (before the first migration, there is nothing to note)."""
    if connection.info.get("audit_triggers"):
        return
    present = set(sa.inspect(connection).get_table_names())
    if not all(proved.name in present for proved in PROVED):
        connection.rollback()
        return
    for statement in sqlite_trigger_statements():
        connection.exec_driver_sql(statement)
    connection.commit()
    connection.info["audit_triggers"] = True


def note(connection: sa.Connection, table: str, keys: Collection[str]) -> None:
    """Note rows as if written (an adoption: rows stored before proofs were kept)."""
    if table not in BY_NAME:
        raise ValueError(f"{table} is not a proved table")
    ordered = sorted(keys)
    for start in range(0, len(ordered), 10_000):
        connection.execute(_pending.insert(), [{"tbl": table, "k": key} for key in ordered[start:start + 10_000]])


def pending_count(connection: sa.Connection) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(_pending)).scalar_one())


def prove_pending(connection: sa.Connection) -> list[ProofPart]:
    """The proof of every row noted since the last audit record, as the rows now stand; the notes are cleared.

    An integer-keyed table whose notes form one run of ids (what a bulk import writes) is read by its first and
    last id alone; other notes are read and cleared in one statement."""
    runs = {str(row[0]): (int(row[1]), int(row[2])) for row in connection.execute(
        sa.select(_pending.c.tbl, sa.func.min(_as_id), sa.func.max(_as_id))
        .where(_pending.c.tbl.in_([p.name for p in PROVED if p.integer_key]))
        .group_by(_pending.c.tbl)
        .having(sa.func.count(sa.distinct(_pending.c.k)) == sa.func.max(_as_id) - sa.func.min(_as_id) + 1))}
    if runs:
        connection.execute(_pending.delete().where(_pending.c.tbl.in_(list(runs))))
    noted: dict[str, set[str]] = defaultdict(set)
    for table, key in connection.execute(_pending.delete().returning(_pending.c.tbl, _pending.c.k)):
        noted[table].add(key)
    parts: list[ProofPart] = []
    for name in sorted(set(noted) | set(runs)):
        proved = BY_NAME.get(name)
        if proved is None:
            raise RuntimeError(f"rows of {name}, which no proof covers, were noted as written")
        rows = (_digests_by_run(connection, proved, *runs[name]) if name in runs
                else _digests_of(connection, proved, noted[name]))
        parts.extend(proof_parts(name, rows))
    return parts


def _digests_of(connection: sa.Connection, proved: ProvedTable, keys: set[str]) -> Iterator[tuple[str, bytes]]:
    if proved.integer_key:
        yield from _digests_by_id(connection, proved, sorted(int(key) for key in keys))
        return
    key = proved.key[0] if len(proved.key) == 1 else proved.key_expression()
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        found = dict(_digests(connection, proved, key.in_(chunk)))
        for text in chunk:
            yield text, found.get(text, DELETED)


def _digests_by_id(connection: sa.Connection, proved: ProvedTable, ids: list[int]) -> Iterator[tuple[str, bytes]]:
    """The rows of an integer-keyed table by id, read in runs of consecutive ids."""
    runs: list[tuple[int, int]] = []
    for number in ids:
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    for first, last in runs:
        yield from _digests_by_run(connection, proved, first, last)


def _digests_by_run(connection: sa.Connection, proved: ProvedTable, first: int, last: int
                    ) -> Iterator[tuple[str, bytes]]:
    """The rows with ids from ``first`` to ``last``; an id not found was deleted."""
    expected = first
    found_rows = (_plain_run(connection, proved, first, last) if proved.plain
                  else _digests(connection, proved, proved.key[0].between(first, last), ordered=True))
    for text, digest in found_rows:
        found = int(text)
        for gone in range(expected, found):
            yield str(gone), DELETED
        yield text, digest
        expected = found + 1
    for gone in range(expected, last + 1):
        yield str(gone), DELETED


def _digests(connection: sa.Connection, proved: ProvedTable, where: sa.ColumnElement[bool] | None = None, *,
             ordered: bool = False) -> Iterator[tuple[str, bytes]]:
    """(key, digest) of the rows of a proved table that ``where`` selects. A plain row is written in its canonical
    form by the database (and on PostgreSQL digested there too); any other is read and written here."""
    dialect = connection.dialect.name
    width = len(proved.key)
    if proved.plain:
        canonical = proved.canonical_sql(dialect)
        if dialect == "postgresql":
            prefix = proved.name.replace("'", "''")
            canonical = f"sha256(convert_to('{prefix}' || chr(10) || {canonical}, 'UTF8'))"
        query = sa.select(*proved.key, sa.literal_column(canonical)).select_from(proved.table)
    else:
        query = sa.select(*proved.key, *proved.columns)
    if where is not None:
        query = query.where(where)
    if ordered:
        query = query.order_by(*proved.key)
    name = proved.name
    for row in connection.execute(query.execution_options(yield_per=5000)):
        key = proved.key_text(row[:width])
        if not proved.plain:
            yield key, row_digest(name, row[width:])
        elif dialect == "postgresql":
            yield key, bytes(row[width])
        else:
            yield key, hashlib.sha256(f"{name}\n{row[width]}".encode()).digest()


def _plain_run(connection: sa.Connection, proved: ProvedTable, first: int | None = None, last: int | None = None
               ) -> Iterator[tuple[str, bytes]]:
    """As ``_digests`` for the rows of a plain integer-keyed table with ids from ``first`` to ``last`` (all without),
    through the driver's own cursor: a million rows are read here, and the result layer's work per row would cost
    as much as the digest."""
    key, name, dialect = proved.key[0].name, proved.name, connection.dialect.name
    marker = "?" if dialect == "sqlite" else "%s"
    canonical = proved.canonical_sql(dialect)
    if dialect == "postgresql":
        canonical = f"sha256(convert_to('{name}' || chr(10) || {canonical}, 'UTF8'))"
    bounded = first is not None and last is not None
    where = f" WHERE {key} BETWEEN {marker} AND {marker}" if bounded else ""
    statement = f"SELECT {key}, {canonical} FROM {name}{where} ORDER BY {key}"  # noqa: S608 - names from the schema
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement, (first, last) if bounded else ())
        while batch := cursor.fetchmany(10_000):
            if dialect == "postgresql":
                for number, digest in batch:
                    yield str(number), bytes(digest)
            else:
                prefix = f"{name}\n"
                for number, text in batch:
                    yield str(number), hashlib.sha256((prefix + text).encode()).digest()
    finally:
        cursor.close()


def current_digests(connection: sa.Connection, proved: ProvedTable) -> Iterator[tuple[str, bytes]]:
    """Every row of a proved table as it stands now: its key and its digest."""
    return _plain_run(connection, proved) if proved.plain and proved.integer_key else _digests(connection, proved)
