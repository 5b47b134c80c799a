"""Test wiring: every persistence test runs on SQLite and on PostgreSQL.

PostgreSQL is the server at COALITION_TEST_POSTGRES_URL (default: postgres on 127.0.0.1:5432,
database test). Each test run creates its own database and each test its own schema, and drops
them afterwards; a test of the migrated platform gets a database of its own, copied from one migrated
per test process. Without a server the PostgreSQL half is skipped and the summary says so, unless
COALITION_REQUIRE_POSTGRES=1 (as in .ci/run), which turns the skip into a failure.

The suite runs in one process per core (pytest-xdist).
Each process counts what it ran; the workers send their counts to the controller, which prints the
PostgreSQL and Browser lines of the summary.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from coalition.adapters.database import create_engine, normalise_url
from coalition.bootstrap import Platform
from coalition.config import Settings
from tests.fakes import TickingClock

POSTGRES_URL = normalise_url(os.environ.get("COALITION_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
REQUIRE_POSTGRES = os.environ.get("COALITION_REQUIRE_POSTGRES") == "1"

_postgres: dict[str, object] = {"checked": False, "url": None, "reason": ""}
# What this process ran, for the summary: counts (added up across processes) and texts (the first one kept).
RUN_COUNTS: dict[str, dict[str, int | str]] = {
    "postgres": {"ran": 0, "skipped": 0, "reason": ""},
    "browser": {"ran": 0, "skipped": "", "where": ""},  # filled by tests/web/conftest.py
}


def _postgres_database() -> str | None:
    """Create this run's database once; None (with a reason) when no server answers."""
    if _postgres["checked"]:
        return _postgres["url"]  # type: ignore[return-value]
    _postgres["checked"] = True
    name = f"coalition_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
    except Exception as error:
        _postgres["reason"] = f"no PostgreSQL server at {sa.engine.make_url(POSTGRES_URL).render_as_string()}: " + \
            str(error).strip().splitlines()[0]
        return None
    _postgres["url"] = sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    _postgres["name"] = name
    return _postgres["url"]  # type: ignore[return-value]


def _drop_postgres_database() -> None:
    names = [name for name in (_postgres.get("name"), _postgres.get("template")) if name]
    if not names:
        return
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _migrated_postgres_template() -> str:
    """One PostgreSQL database migrated to the newest schema per test process, which each test's platform starts as
    a copy of (CREATE DATABASE ... TEMPLATE copies it in a fraction of the seconds migrating takes)."""
    if "template" not in _postgres:
        name = f"coalition_tpl_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        _postgres["template"] = name
        folder = Path(tempfile.mkdtemp(prefix="coalition-template-"))
        wired = Platform(Settings(database_url=_url_of(name), data_dir=folder))
        wired.init_database()
        wired.engine.dispose()  # a template is copied only while nobody is connected to it
        shutil.rmtree(folder, ignore_errors=True)
    return str(_postgres["template"])


def _url_of(database: str) -> str:
    return sa.engine.make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


@contextmanager
def migrated_postgres() -> Iterator[str]:
    """A URL of a PostgreSQL database of its own, already migrated (a copy of this process's template), dropped
    afterwards."""
    template = _migrated_postgres_template()
    name = f"coalition_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _url_of(name)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a fresh SQLite file, or a fresh schema on PostgreSQL."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """A URL of an empty database of ``kind`` ('sqlite': a file in ``folder``; 'postgresql': a schema of its own,
    dropped afterwards; skipped, or failed where required, without a server)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'coalition.db'}"
        return
    base = _postgres_database()
    if base is None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (COALITION_REQUIRE_POSTGRES=1) but {_postgres['reason']}")
        RUN_COUNTS["postgres"]["skipped"] = int(RUN_COUNTS["postgres"]["skipped"]) + 1
        RUN_COUNTS["postgres"]["reason"] = str(_postgres["reason"])
        pytest.skip("no PostgreSQL server answered; see the PostgreSQL line at the end")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    RUN_COUNTS["postgres"]["ran"] = int(RUN_COUNTS["postgres"]["ran"]) + 1
    yield url.render_as_string(hide_password=False)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database migrated to the newest schema per test process, which each test's database starts as a
    copy of (migrating takes about a second; copying the file, a few milliseconds)."""
    folder = tmp_path_factory.mktemp("migrated")
    wired = Platform(Settings(database_url=f"sqlite:///{folder / 'coalition.db'}", data_dir=folder))
    wired.init_database()
    wired.engine.dispose()
    with sqlite3.connect(folder / "coalition.db") as connection:  # everything in the main file, none in a WAL
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return folder / "coalition.db"


@pytest.fixture
def platform(database_url: str, clock: TickingClock, tmp_path: Path, migrated_sqlite: Path) -> Iterator[Platform]:
    """The real platform wired to a migrated test database and a controllable clock: on SQLite a copy of this
    process's migrated file, on PostgreSQL a copy of its migrated template database."""
    with ExitStack() as stack:
        if database_url.startswith("sqlite:///") and not Path(database_url.removeprefix("sqlite:///")).exists():
            shutil.copyfile(migrated_sqlite, database_url.removeprefix("sqlite:///"))
        elif database_url.startswith("postgresql"):
            database_url = stack.enter_context(migrated_postgres())
        wired = Platform(Settings(database_url=database_url, data_dir=tmp_path, operator="tester"), clock)
        wired.init_database()
        yield wired
        wired.engine.dispose()


@pytest.fixture
def empty_platform(database_url: str, clock: TickingClock, tmp_path: Path, migrated_sqlite: Path
                   ) -> Iterator[Platform]:
    """A second platform beside ``platform``, on the same engine but a database of its own, migrated and empty (to
    import into what another database exported)."""
    with ExitStack() as stack:
        folder = tmp_path / "empty"
        folder.mkdir()
        if database_url.startswith("sqlite:///"):
            url = f"sqlite:///{folder / 'coalition.db'}"
            shutil.copyfile(migrated_sqlite, folder / "coalition.db")
        else:
            url = stack.enter_context(migrated_postgres())
        wired = Platform(Settings(database_url=url, data_dir=folder, operator="tester"), clock)
        wired.init_database()
        yield wired
        wired.engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    created = create_engine(database_url)
    yield created
    created.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.demo_copies import drop_demo_templates  # it reads this module's settings

    drop_demo_templates()
    _drop_postgres_database()
    sent = getattr(session.config, "workeroutput", None)  # set in a pytest-xdist worker
    if sent is not None:
        sent["run_counts"] = RUN_COUNTS


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """A pytest-xdist worker finished: add its counts to the controller's."""
    for name, counts in getattr(node, "workeroutput", {}).get("run_counts", {}).items():
        mine = RUN_COUNTS.setdefault(name, {})
        for key, value in counts.items():
            if isinstance(value, int):
                mine[key] = int(mine.get(key, 0)) + value
            elif value and not mine.get(key):
                mine[key] = value


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    postgres, browser = RUN_COUNTS["postgres"], RUN_COUNTS["browser"]
    if postgres["ran"]:
        terminalreporter.write_line(f"PostgreSQL: {postgres['ran']} tests ran against a real PostgreSQL server.",
                                    green=True)
    elif postgres["skipped"]:
        terminalreporter.write_line(
            f"PostgreSQL: SKIPPED ({postgres['skipped']} tests): {postgres['reason']}. Only the SQLite half ran.",
            yellow=True, bold=True)
    if browser["ran"]:
        terminalreporter.write_line(f"Browser: {browser['ran']} pages opened in {browser['where']}", green=True)
    elif browser["skipped"]:
        terminalreporter.write_line(f"Browser: SKIPPED: {browser['skipped']}.", yellow=True, bold=True)
