"""The demo world for a test's own database, copied from one built once per test process rather than built again.

Building the demo world through the services takes seconds (its users, with their password hashes, more); a copy
of a database that holds it takes milliseconds on SQLite (a file) and a fraction of a second on PostgreSQL
(CREATE DATABASE ... TEMPLATE). A copy is given only to a database that holds nothing yet and a platform whose
clock is a TickingClock: the world is built once on the same engine, by the same operator and from the same reading
of the clock (what the world holds depends on nothing else), so the copy holds exactly the rows building it there
would have written, and the test's clock is moved on by as many readings as building it took. Anything else is
built through the services as before.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.bootstrap import Platform
from coalition.demo.users import build_demo_users
from coalition.demo.world import build_demo_world
from tests.conftest import POSTGRES_URL
from tests.fakes import TickingClock


@dataclass(frozen=True)
class _Built:
    """One world built in this process: where its copy comes from, how far it moved the clock, what it returned."""

    source: str  # a SQLite file, or a PostgreSQL database copied as a template
    ticks: timedelta
    value: Any


_BUILT: dict[tuple[object, ...], _Built] = {}
_TEMPLATES: list[str] = []  # every PostgreSQL database made here to copy a world from
T = TypeVar("T")


def give_demo_world(platform: Platform, *, procurement: bool = True, users: bool = False) -> None:
    """What ``build_demo_world(platform.uow(), platform.operator(), procurement=procurement)`` (and, with ``users``,
    ``build_demo_users``) would leave in ``platform``'s database, copied where that is the same."""

    def build(wired: Platform) -> None:
        build_demo_world(wired.uow(), wired.operator(), procurement=procurement)
        if users:
            build_demo_users(wired.uow(), wired.operator(), wired.password_hasher)

    built_once(platform, f"demo procurement={procurement} users={users}", build)


def built_once(platform: Platform, name: str, build: Callable[[Platform], T]) -> T:
    """What ``build(platform)`` returns and leaves in ``platform``'s database, where that can be copied from a
    database ``build`` ran on once in this process (``name`` tells builds apart); else ``build(platform)`` itself."""
    if not _copyable(platform):
        return build(platform)
    assert isinstance(platform.clock, TickingClock)
    key = (name, platform.engine.dialect.name, platform.clock.now, platform.settings.operator)
    built = _BUILT.get(key)
    if built is None:
        built = _BUILT[key] = _build_source(platform, platform.clock.now, build)
    platform.engine.dispose()
    if platform.engine.dialect.name == "sqlite":
        target = Path(str(platform.engine.url.database))
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(built.source, target)
    else:
        _copy_postgres(platform.engine.url, built.source)
    platform.clock.now += built.ticks
    platform._committed()  # what listens for commits hears of the world, as it would have while it was built
    return cast(T, built.value)


def _copyable(platform: Platform) -> bool:
    """Whether the platform's database is empty (no audit record) and copying it is one step: a SQLite file, or a
    PostgreSQL database of its own (not a schema chosen through the search path)."""
    url = platform.engine.url
    if not isinstance(platform.clock, TickingClock):
        return False
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return False
    elif url.get_backend_name() != "postgresql" or "options" in url.query:
        return False
    with platform.engine.connect() as connection:
        written = connection.execute(sa.select(sa.func.count()).select_from(t.audit_records)).scalar_one()
    return written == 0


def _build_source(platform: Platform, start: datetime, build: Callable[[Platform], object]) -> _Built:
    """Build the world once on a copy of the platform's (empty, migrated) database, and keep that as the source."""
    folder = Path(tempfile.mkdtemp(prefix="coalition-demo-"))
    platform.engine.dispose()  # a template is copied only while nobody is connected to it
    if platform.engine.dialect.name == "sqlite":
        source = folder / "demo.db"
        shutil.copyfile(str(platform.engine.url.database), source)
        url = f"sqlite:///{source}"
    else:
        name = f"coalition_demo_{uuid.uuid4().hex[:10]}"
        _copy_postgres(platform.engine.url.set(database=name), str(platform.engine.url.database), create_only=True)
        _TEMPLATES.append(name)
        url = platform.engine.url.set(database=name).render_as_string(hide_password=False)
        source = Path(name)
    clock = TickingClock(start)
    builder = Platform(platform.settings.model_copy(update={"database_url": url, "data_dir": folder}), clock)
    value = build(builder)
    builder.engine.dispose()  # a template is copied only while nobody is connected to it
    if builder.engine.dialect.name == "sqlite":
        with sqlite3.connect(source) as connection:  # everything in the main file, none in a WAL
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return _Built(str(source), clock.now - start, value)


def _copy_postgres(url: sa.URL, template: str, *, create_only: bool = False) -> None:
    """Make the database ``url`` names a copy of ``template`` (dropping what it held unless ``create_only``)."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if not create_only:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{url.database}" TEMPLATE "{template}"')
    finally:
        admin.dispose()


def drop_demo_templates() -> None:
    """Drop the PostgreSQL databases the demo worlds were kept in (at the end of the test process)."""
    if not _TEMPLATES:
        return
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in _TEMPLATES:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()
    _TEMPLATES.clear()
