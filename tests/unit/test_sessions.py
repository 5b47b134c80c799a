"""Browser sessions on the real services and in-memory fakes: how a session begins, lives and ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coalition.domain.access import Actor, Grant, Role
from coalition.domain.errors import InvalidInput, PermissionDenied
from coalition.domain.identity import SessionEnded, SessionMethod, SessionPolicy, Unauthenticated, User, digest
from coalition.services import identity
from tests.fakes import FakeHasher, FakeUnitOfWork

ADMIN = Actor(user="admin", grants=frozenset({Grant(Role.PLATFORM_ADMIN)}))
POLICY = SessionPolicy(lifetime=timedelta(hours=12), idle=timedelta(minutes=30))
PASSWORD = "a long enough passphrase"
HASHER = FakeHasher()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    made = FakeUnitOfWork()
    for name in ("ee-desk", "lv-desk"):
        identity.add_user(made, ADMIN, HASHER, User(name), PASSWORD)
    return made


def sign_in(uow: FakeUnitOfWork, username: str = "ee-desk", replaces: str | None = None) -> identity.SignedIn:
    return identity.sign_in(uow, HASHER, username, PASSWORD, POLICY, replaces=replaces)


def ended(uow: FakeUnitOfWork, token: str) -> bool:
    try:
        identity.actor_for_session(uow, token, POLICY)
    except SessionEnded:
        return True
    return False


def actions(uow: FakeUnitOfWork) -> list[str]:
    return [record.action for record in uow.committed.audit]


def test_signing_in_keeps_only_the_digest_of_the_cookies_token(uow: FakeUnitOfWork):
    signed = sign_in(uow)
    assert signed.actor.user == "ee-desk" and signed.session.method is SessionMethod.PASSWORD
    stored = uow.committed.sessions
    assert list(stored) == [digest(signed.token)] and signed.token not in repr(stored)
    assert signed.session.csrf_token and signed.session.csrf_token != signed.token
    check = identity.actor_for_session(uow, signed.token, POLICY)
    assert check.actor.user == "ee-desk" and check.session.id == signed.session.id


def test_a_wrong_password_opens_no_session(uow: FakeUnitOfWork):
    with pytest.raises(Unauthenticated, match="user name or password is not valid"):
        identity.sign_in(uow, HASHER, "ee-desk", "not the passphrase", POLICY)
    with pytest.raises(Unauthenticated, match="user name or password is not valid"):
        identity.sign_in(uow, HASHER, "nobody", PASSWORD, POLICY)
    assert uow.committed.sessions == {}


def test_signing_in_again_ends_the_session_the_browser_held_and_signing_out_ends_it(uow: FakeUnitOfWork):
    first = sign_in(uow)
    second = sign_in(uow, replaces=first.token)
    assert ended(uow, first.token) and not ended(uow, second.token)
    assert identity.sign_out(uow, second.token) is True
    assert ended(uow, second.token)
    assert identity.sign_out(uow, second.token) is False
    assert actions(uow) == ["add_user", "add_user"]  # signing in and out are not facts of the record


def test_a_session_unused_for_its_idle_time_ends_while_one_in_use_lives_until_its_lifetime(uow: FakeUnitOfWork):
    idle, used = sign_in(uow), sign_in(uow)
    for _ in range(4):  # an hour and a half, used every twenty minutes
        uow.clock.now += timedelta(minutes=20)
        check = identity.actor_for_session(uow, used.token, POLICY)
        assert check.touch_due
        identity.touch_session(uow, check)
    with pytest.raises(SessionEnded, match="after 30 minutes without use"):
        identity.actor_for_session(uow, idle.token, POLICY)
    uow.clock.now = used.session.created_at + timedelta(hours=12)
    with pytest.raises(SessionEnded, match="a session lasts 12 hours"):
        identity.actor_for_session(uow, used.token, POLICY)


def test_a_sessions_use_is_written_at_most_once_a_minute(uow: FakeUnitOfWork):
    signed = sign_in(uow)
    first = identity.actor_for_session(uow, signed.token, POLICY)
    assert not first.touch_due  # just signed in
    uow.clock.now += timedelta(seconds=70)
    due = identity.actor_for_session(uow, signed.token, POLICY)
    racing = identity.actor_for_session(uow, signed.token, POLICY)
    assert due.touch_due and racing.touch_due
    commits = uow.commits
    identity.touch_session(uow, due)
    identity.touch_session(uow, racing)  # read the same last use: another request noted a newer one
    assert uow.committed.sessions[digest(signed.token)].last_seen_at == due.checked_at
    assert uow.commits == commits + 2
    assert not identity.actor_for_session(uow, signed.token, POLICY).touch_due


def test_disabling_a_user_ends_all_its_sessions_and_enabling_it_revives_none(uow: FakeUnitOfWork):
    mine = [sign_in(uow), sign_in(uow)]
    other = sign_in(uow, "lv-desk")
    identity.set_active(uow, ADMIN, "ee-desk", False)
    assert all(ended(uow, s.token) for s in mine) and not ended(uow, other.token)
    identity.set_active(uow, ADMIN, "ee-desk", True)
    assert all(ended(uow, s.token) for s in mine)
    identity.set_active(uow, ADMIN, "lv-desk", False)
    with pytest.raises(Unauthenticated):
        sign_in(uow, "lv-desk")


def test_changing_ones_password_ends_every_session_and_gives_the_browser_a_new_one(uow: FakeUnitOfWork):
    here, elsewhere = sign_in(uow), sign_in(uow)
    with pytest.raises(InvalidInput, match="current password is not right") as wrong:
        identity.change_password(uow, here.actor, HASHER, "not the passphrase", "another long passphrase",
                                 renew=SessionMethod.PASSWORD)
    assert wrong.value.field == "current_password" and not ended(uow, elsewhere.token)
    with pytest.raises(InvalidInput, match="user name") as weak:
        identity.change_password(uow, here.actor, HASHER, PASSWORD, "ee-desk and more", renew=SessionMethod.PASSWORD)
    assert weak.value.field == "new_password"
    fresh = identity.change_password(uow, here.actor, HASHER, PASSWORD, "another long passphrase",
                                     renew=SessionMethod.PASSWORD)
    assert fresh is not None and fresh.token != here.token
    assert ended(uow, here.token) and ended(uow, elsewhere.token) and not ended(uow, fresh.token)
    assert fresh.session.csrf_token != here.session.csrf_token
    with pytest.raises(Unauthenticated):
        sign_in(uow)
    identity.sign_in(uow, HASHER, "ee-desk", "another long passphrase", POLICY)
    assert actions(uow)[-1] == "change_password"


def test_a_new_password_from_an_administrator_ends_every_session_of_the_user(uow: FakeUnitOfWork):
    sessions = [sign_in(uow), sign_in(uow)]
    with pytest.raises(PermissionDenied):
        identity.set_password(uow, sessions[0].actor, HASHER, "lv-desk", "another long passphrase")
    identity.set_password(uow, ADMIN, HASHER, "ee-desk", "another long passphrase")
    assert all(ended(uow, s.token) for s in sessions)
    assert actions(uow)[-1] == "set_password"
    assert "passphrase" not in repr(uow.committed.audit[-1])


def test_an_administrator_ends_a_users_sessions_and_a_user_its_own(uow: FakeUnitOfWork):
    sessions = [sign_in(uow), sign_in(uow)]
    other = sign_in(uow, "lv-desk")
    with pytest.raises(PermissionDenied):
        identity.end_sessions(uow, other.actor, "ee-desk", POLICY)
    with pytest.raises(PermissionDenied):
        identity.list_sessions(uow, other.actor, "ee-desk", POLICY)
    listed = identity.list_sessions(uow, ADMIN, "ee-desk", POLICY)
    assert [s.id for s in listed] == [s.session.id for s in sessions]
    assert identity.end_sessions(uow, ADMIN, "ee-desk", POLICY) == 2
    assert all(ended(uow, s.token) for s in sessions) and not ended(uow, other.token)
    assert uow.committed.audit[-1].action == "end_sessions"
    assert uow.committed.audit[-1].after == {"sessions_ended": 2}
    assert identity.end_sessions(uow, other.actor, "lv-desk", POLICY) == 1
    assert ended(uow, other.token)


def test_sessions_that_are_over_are_purged_when_someone_signs_in(uow: FakeUnitOfWork):
    old = sign_in(uow, "lv-desk")
    uow.clock.now += timedelta(minutes=45)
    assert digest(old.token) in uow.committed.sessions
    assert identity.list_sessions(uow, ADMIN, "lv-desk", POLICY) == []  # over, though not purged yet
    sign_in(uow)
    assert digest(old.token) not in uow.committed.sessions and len(uow.committed.sessions) == 1


def test_signing_in_rehashes_a_password_hashed_by_an_older_scheme(uow: FakeUnitOfWork):
    uow.committed.password_hashes["ee-desk"] = f"v0:{PASSWORD}"
    sign_in(uow)
    assert uow.committed.password_hashes["ee-desk"] == f"v1:{PASSWORD}"


def test_an_identity_providers_subject_signs_in_only_as_an_active_registered_user(uow: FakeUnitOfWork):
    identity.add_user(uow, ADMIN, HASHER, User("sso-user", oidc_subject="subject-1"), None)
    signed = identity.sign_in_with_subject(uow, "subject-1", POLICY)
    assert signed.actor.user == "sso-user" and signed.session.method is SessionMethod.OIDC
    with pytest.raises(Unauthenticated, match="no active user signs in as 'subject-2'"):
        identity.sign_in_with_subject(uow, "subject-2", POLICY)
    identity.set_active(uow, ADMIN, "sso-user", False)
    assert ended(uow, signed.token)
    with pytest.raises(Unauthenticated):
        identity.sign_in_with_subject(uow, "subject-1", POLICY)


def test_the_policy_writes_a_use_often_enough_for_a_short_idle_time():
    short = SessionPolicy(lifetime=timedelta(hours=1), idle=timedelta(minutes=2))
    assert short.touch_every == timedelta(seconds=12)
    assert POLICY.touch_every == timedelta(minutes=1)
    with pytest.raises(InvalidInput):
        SessionPolicy(lifetime=timedelta(hours=1), idle=timedelta(0))
