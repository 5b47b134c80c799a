"""Browser sessions in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from coalition.bootstrap import Platform
from coalition.domain.identity import Session, SessionEnded, SessionMethod, User
from coalition.entrypoints.api.core import check_session
from coalition.services import identity

PASSWORD = "a long enough passphrase"


@pytest.fixture
def users(platform: Platform) -> Platform:
    for name in ("ee-desk", "lv-desk"):
        identity.add_user(platform.uow(), platform.operator(), platform.password_hasher, User(name), PASSWORD)
    return platform


def sign_in(platform: Platform, username: str = "ee-desk", password: str = PASSWORD) -> identity.SignedIn:
    return identity.sign_in(platform.uow(), platform.password_hasher, username, password, platform.session_policy)


def is_over(platform: Platform, token: str) -> bool:
    try:
        identity.actor_for_session(platform.uow(read_only=True), token, platform.session_policy)
    except SessionEnded:
        return True
    return False


def key(name: str) -> str:
    return name.rjust(64, "0")


def session(name: str, at: datetime) -> Session:
    return Session(name, key(name), "ee-desk", "csrf", SessionMethod.PASSWORD, at, at)


def test_stored_times_keep_their_order_and_instant_whatever_their_zone_or_fraction(users: Platform):
    nine = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    kyiv = timezone(timedelta(hours=2))
    with users.uow() as uow:
        uow.sessions.add(session("a", nine + timedelta(microseconds=500_000)))
        uow.sessions.add(session("b", nine - timedelta(seconds=1)))
        uow.sessions.add(session("c", datetime(2026, 11, 22, 11, 0, 0, 1, tzinfo=kyiv)))  # 09:00:00.000001 UTC
        uow.commit()
    with users.uow() as uow:
        assert [s.id for s in uow.sessions.of_user("ee-desk")] == ["b", "c", "a"]
        stored = uow.sessions.get(key("c"))
        assert stored is not None and stored.created_at == nine + timedelta(microseconds=1)
        assert uow.sessions.purge(created_before=nine + timedelta(microseconds=1), seen_before=nine - timedelta(1)) == 1
        later = nine + timedelta(minutes=5)
        uow.sessions.touch(key("a"), later, last_seen_at=nine)  # not its last use: another request noted one
        uow.sessions.touch(key("c"), later, last_seen_at=stored.last_seen_at)
        uow.commit()
    with users.uow() as uow:
        later = nine + timedelta(minutes=5)
        found = {s.id: s.last_seen_at for s in uow.sessions.of_user("ee-desk")}
        assert found == {"c": later, "a": nine + timedelta(microseconds=500_000)}
        assert uow.sessions.purge(created_before=nine - timedelta(1), seen_before=nine + timedelta(minutes=1)) == 1
        assert uow.sessions.end_all("ee-desk") == 1 and uow.sessions.end_all("ee-desk") == 0
        uow.commit()


def test_a_session_opened_while_its_user_is_disabled_does_not_authenticate(users: Platform):
    """Disabling ends the sessions it finds; a sign-in racing it is refused when its session is used."""
    signed = sign_in(users)
    with users.uow() as uow:  # as if a sign-in had stored its session after the disabling deleted the others
        uow.users.set_active("ee-desk", False)
        uow.commit()
    assert is_over(users, signed.token)


def test_a_sessions_use_is_noted_later_rather_than_wait_behind_a_long_write(users: Platform):
    """On SQLite a write of this process (a bulk import, say) holds the database: a request of a session does not
    queue behind it to note its use, until half the idle time has passed. PostgreSQL notes it at once."""
    signed = sign_in(users)
    users.clock.now += timedelta(minutes=2)  # type: ignore[attr-defined]
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with users.uow():
            holding.set()
            release.wait(timeout=60)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert holding.wait(timeout=60)
        check = check_session(users, signed.token)
        assert check.touch_due and check.actor.user == "ee-desk"
        with users.uow(read_only=True) as uow:
            noted = uow.sessions.get(signed.session.token_hash)
        assert noted is not None
        assert (noted.last_seen_at == check.checked_at) == (users.engine.dialect.name == "postgresql")
    finally:
        release.set()
        writer.join(timeout=60)
    later = check_session(users, signed.token)
    with users.uow(read_only=True) as uow:
        assert uow.sessions.get(signed.session.token_hash).last_seen_at in (  # type: ignore[union-attr]
            check.checked_at, later.checked_at)
