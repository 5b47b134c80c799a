"""Backups of the whole record as one engine-neutral file, and their restore into an empty database (ADR 0034).

A backup is a ZIP file of two members: ``data.jsonl``, every table's rows in key order (a line naming the table and
its columns, then one JSON array per row), and ``manifest.json``: the format, the engine it was taken from, the
schema revision, when it was taken, the audit head, each table's row count and the SHA-256 of ``data.jsonl``. The
rows are read in one snapshot (a deferred read transaction on SQLite, whose WAL keeps what it first saw; REPEATABLE
READ on PostgreSQL), so writers running meanwhile never tear it. Values are stored as the database holds them:
money in integer minor units, dates as ISO text, bytes in base64, JSON as JSON (a SQL NULL kept apart from a JSON
null), so a restored row has the digest its audit proof claims.

A restore reads the whole file and checks its checksum and counts before writing anything, and refuses another
schema revision or a database that holds any row; it then loads every table in one transaction, in the order the
foreign keys need, and sets PostgreSQL's id sequences past the restored ids.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from coalition.adapters import tables as t
from coalition.adapters.database import alembic_config
from coalition.adapters.row_proofs import PENDING
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated

FORMAT = "coalition-backup/1"
MANIFEST = "manifest.json"
DATA = "data.jsonl"
BATCH = 2000
SEAL = 64  # the hexadecimal SHA-256 that ends the file
TABLES: tuple[sa.Table, ...] = tuple(t.metadata.sorted_tables)
# Tables the migrations fill with their starting row (the genesis audit head, the ledger's first ids): a new database
# holds them, and the restore replaces them with the backup's.
SEEDS: dict[str, dict[str, Any]] = {"audit_head": {"id": 1, "seq": 0, "hash": "0" * 64},
                                    "ledger_next_ids": {"id": 1, "contribution": 1, "entry": 1}}
SEEDED = frozenset(SEEDS)


@dataclass(frozen=True, slots=True)
class Manifest:
    engine: str
    revision: str
    created_at: str
    audit_head: dict[str, Any] | None
    rows: dict[str, int]
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "engine": self.engine, "revision": self.revision, "created_at": self.created_at,
                "audit_head": self.audit_head, "rows": self.rows, "sha256": self.sha256}


# --- values ------------------------------------------------------------------------------------------------------

def _encoder(column: sa.Column[Any]) -> Any:
    kind = column.type
    if isinstance(kind, sa.JSON):
        return lambda value, is_null: None if is_null else [value]
    if isinstance(kind, sa.LargeBinary):
        return lambda value, _: None if value is None else base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(kind, sa.DateTime):  # written in UTC with its zone (SQLite reads back UTC without one)
        return lambda value, _: None if value is None else (
            value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()
    if isinstance(kind, sa.Date):
        return lambda value, _: None if value is None else value.isoformat()
    return lambda value, _: value


def _decoder(column: sa.Column[Any]) -> Any:
    kind = column.type
    if isinstance(kind, sa.JSON):  # [value] is the JSON value (null included); None is SQL NULL
        return lambda value: None if value is None else (sa.JSON.NULL if value[0] is None else value[0])
    if isinstance(kind, sa.LargeBinary):
        return lambda value: None if value is None else base64.b64decode(value)
    if isinstance(kind, sa.Date):
        return lambda value: None if value is None else date.fromisoformat(value)
    if isinstance(kind, sa.DateTime):  # the outbox's and the jobs' times
        return lambda value: None if value is None else datetime.fromisoformat(value)
    return lambda value: value


def _loader_table(table: sa.Table) -> sa.TableClause:
    """The table as the restore writes it: a JSON column's None is SQL NULL (a JSON null comes as JSON.NULL)."""
    return sa.table(table.name, *(sa.column(c.name, sa.JSON(none_as_null=True) if isinstance(c.type, sa.JSON)
                                            else c.type) for c in table.columns))


# --- backup ------------------------------------------------------------------------------------------------------

def code_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@contextmanager
def _snapshot(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in one consistent read snapshot of the whole database, for as long as the block runs."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.info["sqlite_begin"] = "BEGIN"  # deferred: a reader, whose first read fixes its WAL snapshot
        else:
            connection.execution_options(isolation_level="REPEATABLE READ")
        try:
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                yield connection
        finally:
            connection.info.pop("sqlite_begin", None)  # the setting outlives the checkout: writers need the default


def _table_rows(connection: sa.Connection, table: sa.Table) -> Iterator[list[Any]]:
    encoders = [_encoder(column) for column in table.columns]
    json_columns = [column for column in table.columns if isinstance(column.type, sa.JSON)]
    query = sa.select(*table.columns, *(column.is_(None) for column in json_columns))
    query = query.order_by(*table.primary_key.columns).execution_options(yield_per=BATCH)
    width = len(table.columns)
    for row in connection.execute(query):
        nulls = dict(zip((c.name for c in json_columns), row[width:], strict=True))
        yield [encode(value, nulls.get(column.name, False))
               for encode, value, column in zip(encoders, row[:width], table.columns, strict=True)]


def _audit_head(connection: sa.Connection) -> dict[str, Any] | None:
    row = connection.execute(sa.select(t.audit_head.c.seq, t.audit_head.c.hash)).first()
    return None if row is None else {"seq": row.seq, "hash": row.hash}


def write_backup(engine: sa.Engine, path: Path, now: datetime) -> Manifest:
    """Write the whole database to ``path`` (a new file), read in one snapshot."""
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    try:
        with _snapshot(engine) as connection, zipfile.ZipFile(path, "x", compression=zipfile.ZIP_DEFLATED) as archive:
            revision = MigrationContext.configure(connection).get_current_revision()
            head = _audit_head(connection)
            with archive.open(DATA, "w", force_zip64=True) as data:
                for table in TABLES:
                    counts[table.name] = _write_table(connection, table, data, digest)
            manifest = Manifest(engine.dialect.name, revision or "", now.astimezone(UTC).isoformat(), head, counts,
                                digest.hexdigest())
            archive.writestr(MANIFEST, json.dumps(manifest.as_json(), indent=2, sort_keys=True))
            archive.comment = b"0" * SEAL
        seal(path)
    except FileExistsError:
        raise
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return manifest


def seal(path: Path) -> None:
    """Write, as the archive's comment (its last ``SEAL`` bytes, reserved when it was closed), the SHA-256 of every
    byte before it: a change anywhere in the file, even in ZIP fields no reader checks, is then found."""
    with path.open("r+b") as handle:
        handle.seek(-SEAL, 2)
        handle.write(file_digest(path).encode("ascii"))


def file_digest(path: Path) -> str:
    """The SHA-256 of the file but its last ``SEAL`` bytes (its seal)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        left = path.stat().st_size - SEAL
        if left < 0:
            raise InvalidInput(f"'{path}' is too short to be a backup", field="file")
        while left > 0:
            chunk = handle.read(min(left, 1 << 20))
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _write_table(connection: sa.Connection, table: sa.Table, data: IO[bytes], digest: Any) -> int:
    def put(value: Any) -> None:
        line = (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        digest.update(line)
        data.write(line)

    put({"table": table.name, "columns": [column.name for column in table.columns]})
    count = 0
    for row in _table_rows(connection, table):
        put(row)
        count += 1
    return count


# --- restore -----------------------------------------------------------------------------------------------------

def read_manifest(path: Path) -> Manifest:
    """The manifest of a backup, after checking the data against its checksum and row counts (nothing is
    written)."""
    try:
        with zipfile.ZipFile(path) as archive:
            found = file_digest(path)
            if archive.comment != found.encode("ascii"):
                raise InvalidInput(f"the backup file does not match its seal (SHA-256 {found}): it was changed or "
                                   "cut short after it was written", field="file")
            raw = json.loads(archive.read(MANIFEST))
            manifest = _parse_manifest(raw)
            counts, digest = _scan(archive)
    except (OSError, zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput(f"'{path}' is not a readable backup ({error})", field="file") from None
    if digest != manifest.sha256:
        raise InvalidInput(f"the backup's data does not match its checksum (SHA-256 {digest}, the manifest says "
                           f"{manifest.sha256})", field="sha256")
    if counts != {name: count for name, count in manifest.rows.items() if count}:
        raise InvalidInput("the backup's row counts do not match its manifest", field="rows")
    return manifest


def _parse_manifest(raw: Any) -> Manifest:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        found = raw.get("format") if isinstance(raw, dict) else None
        raise InvalidInput(f"the file is not a Coalition backup of format {FORMAT} (format: {found})", field="format")
    try:
        return Manifest(str(raw["engine"]), str(raw["revision"]), str(raw["created_at"]), raw["audit_head"],
                        {str(k): int(v) for k, v in raw["rows"].items()}, str(raw["sha256"]))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InvalidInput(f"the backup's manifest is incomplete ({error})", field="manifest") from None


def _scan(archive: zipfile.ZipFile) -> tuple[dict[str, int], str]:
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    current = ""
    with archive.open(DATA) as data:
        for line in data:
            digest.update(line)
            if line.startswith(b"{"):
                current = json.loads(line)["table"]
                counts[current] = 0
            else:
                counts[current] += 1
    return {name: count for name, count in counts.items() if count}, digest.hexdigest()


def database_revision(engine: sa.Engine) -> str | None:
    """The schema revision the database is at; None for a database no migration has touched."""
    with engine.connect() as connection:
        connection.info["sqlite_begin"] = "BEGIN"
        try:
            return MigrationContext.configure(connection).get_current_revision()
        finally:
            connection.rollback()
            connection.info.pop("sqlite_begin")


def target_problem(engine: sa.Engine) -> str | None:
    """Why the database cannot take a restore (it holds rows), or None."""
    with engine.connect() as connection:
        connection.info["sqlite_begin"] = "BEGIN"
        try:
            for table in TABLES:
                if table.name in SEEDED:
                    continue
                if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                    return f"the database is not empty: table {table.name} holds rows"
            return None
        finally:
            connection.rollback()
            connection.info.pop("sqlite_begin")


def load_backup(engine: sa.Engine, path: Path, manifest: Manifest) -> None:
    """Load a checked backup into the empty database at the code's schema revision, in one transaction."""
    revision = code_revision()
    if manifest.revision != revision:
        raise Conflict(f"the backup is of schema revision {manifest.revision}, this installation's is {revision}: "
                       "restore it with the version of Coalition that took it", field="revision")
    current = database_revision(engine)
    if current != revision:
        raise Conflict(f"the database is at schema revision {current}, not {revision}: restore only into a new, "
                       "empty database", field="database")
    problem = target_problem(engine)
    if problem:
        raise Conflict(f"{problem}: restore only into a new, empty database", field="database")
    by_name = {table.name: table for table in TABLES}
    with engine.begin() as connection, zipfile.ZipFile(path) as archive, archive.open(DATA) as data:
        for name in sorted(SEEDED):
            connection.execute(by_name[name].delete())
        for name, columns, rows in _tables_in(data):
            table = by_name.get(name)
            if table is None or [c.name for c in table.columns] != columns:
                raise InvariantViolated(f"the backup's table {name} does not match this schema", field="data")
            _insert(connection, table, rows)
        if _audit_head(connection) != manifest.audit_head:
            raise InvariantViolated(f"the backup's audit head is not the one its manifest names "
                                    f"({manifest.audit_head})", field="audit_head")
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
        else:  # the restored rows were written by hand: no record's proof is to be made of them
            connection.exec_driver_sql(f"DELETE FROM {PENDING}")  # noqa: S608 - a constant name


def _tables_in(data: IO[bytes]) -> Iterator[tuple[str, list[str], Iterator[list[Any]]]]:
    lines = iter(data)
    pending: list[bytes] = []

    def rows() -> Iterator[list[Any]]:
        for line in lines:
            if line.startswith(b"{"):
                pending.append(line)
                return
            yield json.loads(line)

    line = next(lines, None)
    while line is not None:
        header = json.loads(line)
        table_rows = rows()
        yield header["table"], header["columns"], table_rows
        for _ in table_rows:  # whatever the caller left unread
            pass
        line = pending.pop() if pending else None


def _insert(connection: sa.Connection, table: sa.Table, rows: Iterator[list[Any]]) -> None:
    names = [column.name for column in table.columns]
    decoders = [_decoder(column) for column in table.columns]
    statement = _loader_table(table).insert()
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append({name: decode(value) for name, decode, value in zip(names, decoders, row, strict=True)})
        if len(batch) >= BATCH:
            connection.execute(statement, batch)
            batch = []
    if batch:
        connection.execute(statement, batch)


def _reset_sequences(connection: sa.Connection) -> None:
    for table in TABLES:
        for column in table.primary_key.columns:
            sequence = connection.execute(sa.select(sa.func.pg_get_serial_sequence(table.name, column.name))).scalar()
            if sequence is None:
                continue
            top = connection.execute(sa.select(sa.func.max(column))).scalar()
            connection.execute(sa.select(sa.func.setval(sequence, top or 1, top is not None)))


def empty_database(engine: sa.Engine) -> None:
    """Delete every row (a restore that failed its checks), children before their parents; the rows a migration
    seeds are put back as a new database has them (migrations 0001 and 0013)."""
    with engine.begin() as connection:
        for table in reversed(TABLES):
            connection.execute(table.delete())
        for name, row in SEEDS.items():
            connection.execute(t.metadata.tables[name].insert(), row)
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"DELETE FROM {PENDING}")  # noqa: S608 - a constant name
