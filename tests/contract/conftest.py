"""One suite of repository tests for every store of a write port: the in-memory fake, SQLite and PostgreSQL.

Each test writes through the port in a unit of work and reads back what the port promises; the fake must
answer as the SQL stores do, so the unit tests that run the services on fakes prove something about the
platform. Rows are written with the audit record that proves them, as every service writes them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.audit import AuditEvent
from coalition.domain.coalition import Coalition, Fund
from coalition.domain.party import Party, PartyKind
from coalition.services.audit import record_change
from coalition.services.ports import UnitOfWork
from tests.conftest import fresh_database, migrated_postgres
from tests.fakes import FakeUnitOfWork, TickingClock

ADMIN = Actor("admin", grants=frozenset({Grant(Role.PLATFORM_ADMIN)}))
C = "cc"
FUND = "cc-fund"
PARTIES = (("EE", PartyKind.STATE), ("LV", PartyKind.STATE), ("UA", PartyKind.STATE), ("UA-MOD", PartyKind.MINISTRY),
           ("NSPA", PartyKind.AGENCY), ("SUP-A", PartyKind.COMPANY), ("UNIT-1", PartyKind.MILITARY_UNIT))

Units = Callable[[], UnitOfWork]


def written(uow: UnitOfWork, what: str) -> None:
    """Prove the rows written so far with an audit record and commit them."""
    record_change(uow, ADMIN, AuditEvent("contract_test", "test", what, None, None))
    uow.commit()


def seed(units: Units) -> None:
    """The parties, one coalition reporting in EUR and its fund, written through the registry's ports."""
    with units() as uow:
        for code, kind in PARTIES:
            uow.parties.add(Party.state(code) if kind is PartyKind.STATE else Party(code, kind, code))
        uow.coalitions.add(Coalition(C, "Contract coalition", "Communications", "UDCG", "UA", date(2024, 1, 1),
                                     "Ramstein", "EUR"))
        uow.coalitions.add_fund(Fund(FUND, C, "Fund", "NSPA", "EUR"))
        written(uow, "seed")


class Store:
    """A factory of units of work on one store, with the clock they read (a test may move it on)."""

    def __init__(self, make: Units, clock: TickingClock) -> None:
        self._make, self.clock = make, clock

    def __call__(self) -> UnitOfWork:
        return self._make()


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def units(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> Iterator[Store]:
    """A factory of units of work on a store holding the seeded registry: the fake, or a migrated database (a copy
    of this process's migrated SQLite file or PostgreSQL template, brought up to date as ever)."""
    clock = TickingClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    if request.param == "fake":
        fake = FakeUnitOfWork(clock)
        seed(lambda: fake)
        yield Store(lambda: fake, clock)
        return
    with ExitStack() as stack:
        url = stack.enter_context(fresh_database(request.param, tmp_path))
        if request.param == "sqlite":
            shutil.copyfile(migrated_sqlite, url.removeprefix("sqlite:///"))
        else:
            url = stack.enter_context(migrated_postgres())
        wired = Platform(Settings(database_url=url, data_dir=tmp_path, operator="tester"), clock)
        wired.init_database()
        seed(wired.uow)
        yield Store(wired.uow, clock)
        wired.engine.dispose()
