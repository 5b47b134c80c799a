"""A write the database keeps waiting past its busy timeout is answered 503 with Retry-After, and writes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.domain.access import Grant, Role
from coalition.domain.identity import Scope, User
from coalition.entrypoints.api.app import create_app
from coalition.services.identity import add_user, create_token
from tests.api.conftest import PASSWORD
from tests.fakes import TickingClock

V = "/api/v1"
PARTY = {"code": "BUSY-TEST", "kind": "agency", "name": "An agency registered while the database is held"}


def test_a_write_kept_waiting_past_the_busy_timeout_is_503_with_retry_after(tmp_path: Path):
    database = tmp_path / "coalition.db"
    platform = Platform(Settings(database_url=f"sqlite:///{database}", data_dir=tmp_path, operator="tester"),
                        TickingClock())

    @sa.event.listens_for(platform.engine, "connect")
    def _wait_briefly(dbapi_connection: Any, _record: Any) -> None:  # after the platform's 30 seconds
        dbapi_connection.execute("PRAGMA busy_timeout=100")

    platform.init_database()
    admin = platform.operator()
    add_user(platform.uow(), admin, platform.password_hasher, User("admin", None,
             frozenset({Grant(Role.PLATFORM_ADMIN)})), PASSWORD)
    _, token = create_token(platform.uow(), admin, username="admin", name="tests",
                            scopes=frozenset({Scope.READ, Scope.WRITE}), days=30)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(platform)) as client:
        other = sqlite3.connect(database, isolation_level=None)  # another process's writer, say
        other.execute("BEGIN IMMEDIATE")
        try:
            refused = client.post(f"{V}/parties", headers=headers, json=PARTY)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == "1"
        assert refused.json() == {"code": "busy", "message": "the database is busy; retry shortly", "field": None}
        assert client.get(f"{V}/parties/BUSY-TEST", headers=headers).status_code == 404
        assert client.post(f"{V}/parties", headers=headers, json=PARTY).status_code == 201
    platform.engine.dispose()
