"""Browser sessions in the database, on SQLite and PostgreSQL: the store, and the commands that list and end them."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from coalition.bootstrap import Platform
from coalition.domain.audit import AuditEvent
from coalition.domain.identity import Session, SessionEnded, SessionMethod, User
from coalition.entrypoints.api.core import check_session
from coalition.services import audit, identity
from coalition.services.audit import record_change
from tests.integration.helpers import assert_refused, run

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


def test_the_command_line_lists_and_ends_a_users_sessions(users: Platform, capsys: pytest.CaptureFixture[str]):
    mine = [sign_in(users), sign_in(users)]
    other = sign_in(users, "lv-desk")
    code, out, err = run(users, capsys, "users", "sessions", "ee-desk")
    assert code == 0, err
    assert all(s.session.id in out for s in mine) and other.session.id not in out and "password" in out
    code, out, _ = run(users, capsys, "users", "sessions", "ee-desk", "--json")
    listed = json.loads(out)
    assert [s["id"] for s in listed] == [s.session.id for s in mine]
    assert set(listed[0]) == {"id", "username", "method", "created_at", "last_seen_at", "ends_at"}
    assert not any(s.token in out or s.session.token_hash in out for s in mine)
    code, out, err = run(users, capsys, "users", "end-sessions", "ee-desk")
    assert code == 0, err
    assert "2 browser sessions of ee-desk ended" in out
    assert all(is_over(users, s.token) for s in mine) and not is_over(users, other.token)
    last = audit.audit_log(users.uow(), users.operator(), limit=1000).records[-1]
    assert (last.action, last.object_id, last.after) == ("end_sessions", "ee-desk", {"sessions_ended": 2})
    assert_refused(users, capsys, ["users", "end-sessions", "nobody"], 3, "no user 'nobody'")


def test_the_command_line_gives_a_new_password_and_ends_the_users_sessions(
        users: Platform, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    signed = sign_in(users)
    monkeypatch.setattr("sys.stdin", io.StringIO("another long passphrase\n"))
    code, out, err = run(users, capsys, "users", "password", "ee-desk", "--password-stdin")
    assert code == 0, err
    assert "ee-desk has a new password" in out
    assert is_over(users, signed.token)
    with pytest.raises(identity.Unauthenticated):
        sign_in(users)
    assert not is_over(users, sign_in(users, password="another long passphrase").token)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert_refused(users, capsys, ["users", "password", "ee-desk", "--password-stdin"], 2, "12 to 1024 characters")


def test_a_session_opened_while_its_user_is_disabled_does_not_authenticate(users: Platform):
    """Disabling ends the sessions it finds; a sign-in racing it is refused when its session is used."""
    signed = sign_in(users)
    with users.uow() as uow:  # as if a sign-in had stored its session after the disabling deleted the others
        uow.users.set_active("ee-desk", False)
        record_change(uow, users.operator(), AuditEvent("disable_user", "user", "ee-desk", None, None))
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


def test_no_session_survives_a_password_change_that_a_sign_in_raced(users: Platform):
    """A sign-in checks the old password; a password change then begins before the sign-in stores its session.
    Whichever reaches the user's row first, the other waits for it: the sign-in is refused, or its session is
    ended by the change. No session opened with the old password survives."""
    checked, signed_in = threading.Event(), []
    hasher = users.password_hasher
    new_hash = hasher.hash("another long passphrase")

    class Noting:
        """The platform's hasher, saying when the sign-in has checked the password."""

        def hash(self, password: str) -> str:
            return hasher.hash(password)

        def verify(self, password_hash: str, password: str) -> bool:
            found = hasher.verify(password_hash, password)
            checked.set()
            return found

        def needs_rehash(self, password_hash: str) -> bool:
            return hasher.needs_rehash(password_hash)

    def change() -> None:
        checked.wait(timeout=60)
        with users.uow() as uow:
            uow.users.lock("ee-desk")
            uow.users.set_password_hash("ee-desk", new_hash)
            uow.sessions.end_all("ee-desk")
            record_change(uow, users.operator(), AuditEvent("set_password", "user", "ee-desk", None, None))
            threading.Event().wait(0.2)  # the sign-in reaches the user's row meanwhile, or has already
            uow.commit()

    def sign_in_with_old_password() -> None:
        try:
            signed_in.append(identity.sign_in(users.uow(), Noting(), "ee-desk", PASSWORD, users.session_policy))
        except identity.Unauthenticated:
            signed_in.append(None)

    threads = [threading.Thread(target=change), threading.Thread(target=sign_in_with_old_password)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    [outcome] = signed_in
    assert outcome is None or is_over(users, outcome.token)
    with users.uow(read_only=True) as uow:
        assert uow.sessions.of_user("ee-desk") == []
