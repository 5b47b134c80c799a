"""A demo world served over HTTP, with one user (and API token) per role.

The world is built once per module on SQLite for the route-by-role matrix (``world``), once per
module on each database for tests that share it (``world_on_each_database``: the schema fuzzing,
the input rules), or for each test on each database (``served``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.demo.world import build_demo_world
from coalition.domain.access import Grant, Role
from coalition.domain.identity import Scope, User
from coalition.entrypoints.api.app import SERVER_OPTIONS, create_app
from coalition.services.identity import add_user, create_token
from tests.conftest import fresh_database, migrated_postgres
from tests.demo_copies import built_once
from tests.fakes import TickingClock

IT = "it-coalition"
PASSWORD = "a long enough passphrase"

# One user per role, acting for a party that fits the role (the matrix signs in as each).
ROLE_USERS: dict[str, tuple[str | None, frozenset[Grant]]] = {
    "platform-admin": (None, frozenset({Grant(Role.PLATFORM_ADMIN)})),
    "secretariat": (None, frozenset({Grant(Role.SECRETARIAT, IT)})),
    "lead": ("EE", frozenset({Grant(Role.LEAD, IT)})),
    "member-representative": ("LV", frozenset({Grant(Role.MEMBER_REPRESENTATIVE, IT)})),
    "observer-representative": ("NATO", frozenset({Grant(Role.OBSERVER_REPRESENTATIVE, IT)})),
    "recipient-officer": ("UA-MOD", frozenset({Grant(Role.RECIPIENT_OFFICER, IT)})),
    "procurement-officer": ("NSPA", frozenset({Grant(Role.PROCUREMENT_OFFICER, IT)})),
    "supplier": ("UA-MOD", frozenset({Grant(Role.SUPPLIER, IT)})),
    "unit-logistics-officer": ("UA-TU-1", frozenset({Grant(Role.UNIT_LOGISTICS_OFFICER, IT)})),
    "expert-reviewer": (None, frozenset({Grant(Role.EXPERT_REVIEWER, IT)})),
    "auditor": (None, frozenset({Grant(Role.AUDITOR, IT)})),
}


@dataclass
class Served:
    platform: Platform
    client: TestClient
    tokens: dict[str, str]

    def as_role(self, role: str) -> dict[str, str]:
        """Headers that make a request as the user holding ``role`` ('public' sends none)."""
        return {} if role == "public" else {"Authorization": f"Bearer {self.tokens[role]}"}


def serve_world(platform: Platform, *, procurement: bool = True, users: dict[str, tuple[str | None,
                frozenset[Grant]]] | None = None) -> Served:
    platform.init_database()
    chosen = users or ROLE_USERS

    def build(wired: Platform) -> dict[str, str]:
        admin = wired.operator()
        build_demo_world(wired.uow(), admin, procurement=procurement)
        tokens = {}
        for name, (party, grants) in chosen.items():
            add_user(wired.uow(), admin, wired.password_hasher, User(name, party, grants), PASSWORD)
            _, text = create_token(wired.uow(), admin, username=name, name="tests",
                                   scopes=frozenset({Scope.READ, Scope.WRITE}), days=30)
            tokens[name] = text
        return tokens

    tokens = built_once(platform, f"served procurement={procurement} users={sorted(chosen.items())!r}", build)
    return Served(platform, TestClient(create_app(platform)), tokens)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder: Path = tmp_path_factory.mktemp("api")
    platform = Platform(Settings(database_url=f"sqlite:///{folder / 'coalition.db'}", data_dir=folder,
                                 operator="tester", login_attempts_per_minute=10_000), TickingClock())
    served = serve_world(platform)
    yield served
    served.client.close()
    platform.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def world_on_each_database(request: pytest.FixtureRequest,
                           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The demo world with one user per role, once per module on SQLite and on a database of its own on PostgreSQL,
    for tests that share it (each writes only records of its own)."""
    folder: Path = tmp_path_factory.mktemp(f"world-{request.param}")
    with ExitStack() as stack:
        url = stack.enter_context(fresh_database(request.param, folder))
        if request.param == "postgresql":  # a database of its own, which the world is copied into
            url = stack.enter_context(migrated_postgres())
        platform = Platform(Settings(database_url=url, data_dir=folder, operator="tester", cache_seconds=0,
                                     login_attempts_per_minute=1_000_000), TickingClock())
        served = serve_world(platform)
        yield served
        served.client.close()
        platform.engine.dispose()


@pytest.fixture
def served(platform: Platform) -> Iterator[Served]:
    """The demo world (without procurement) over HTTP on the test database: SQLite and PostgreSQL.

    Its server keeps nothing in the read cache, so the test clock (not the wall clock) decides
    when a token expires."""
    platform.settings = platform.settings.model_copy(update={"cache_seconds": 0})
    result = serve_world(platform, procurement=False)
    yield result
    result.client.close()


@contextmanager
def live_server(platform: Platform) -> Iterator[str]:
    """The API served by uvicorn on a free local port, in a thread: real concurrent connections."""
    config = uvicorn.Config(create_app(platform), host="127.0.0.1", port=0, log_level="warning", loop="asyncio",
                            **SERVER_OPTIONS)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
