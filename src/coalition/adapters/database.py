"""Engines and schema migration for the two supported databases.

SQLite (the embedded default) runs in WAL mode with foreign keys on, and every write
transaction starts with BEGIN IMMEDIATE so writers queue instead of failing half-way.
PostgreSQL is reached through psycopg 3, in read-committed transactions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from coalition.adapters.row_proofs import create_pending_table

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept postgresql:// and postgres:// and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def create_engine(url: str, **kwargs: Any) -> sa.Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # Read committed, whatever the server's default: each statement after a lock wait sees what the lock's last
    # holder committed (the ledger's next ids, the audit head), which the write path relies on.
    engine = sa.create_engine(url, pool_pre_ping=True, **{"isolation_level": "READ COMMITTED", **kwargs})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        create_pending_table(dbapi_connection, "postgresql")

    return engine


def _configure_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event issue BEGIN itself (the driver's implicit BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        create_pending_table(dbapi_connection, "sqlite")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        mode = connection.info.get("sqlite_begin", "BEGIN IMMEDIATE")
        connection.exec_driver_sql(mode)


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (creating it on an empty database)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def schema_is_current(engine: sa.Engine) -> bool:
    """Whether the database has every migration applied."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        connection.info["sqlite_begin"] = "BEGIN"
        current = MigrationContext.configure(connection).get_current_revision()
        connection.rollback()
        connection.info.pop("sqlite_begin")  # the setting outlives the checkout: writers need the default
    return current == head
