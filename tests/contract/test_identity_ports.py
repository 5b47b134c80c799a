"""The identity ports (users with their grants and tokens, browser sessions), the same on the fake, SQLite and
PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from coalition.domain.access import Grant, Role
from coalition.domain.identity import ApiToken, Scope, Session, SessionMethod, User
from tests.contract.conftest import C, Units, written

AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_a_user_keeps_its_grants_state_language_and_password_hash(units: Units):
    desk = User("ee-desk", "EE", frozenset({Grant(Role.MEMBER_REPRESENTATIVE, C)}), oidc_subject="sub-1")
    with units() as uow:
        uow.users.add(desk, "hash-1", AT)
        uow.users.add(User("admin"), None, AT)
        written(uow, "users")
    with units() as uow:
        assert uow.users.get("ee-desk") == desk and uow.users.by_subject("sub-1") == desk
        assert uow.users.get("nobody") is None and uow.users.by_subject("sub-9") is None
        assert uow.users.password_hash("ee-desk") == "hash-1" and uow.users.password_hash("admin") is None
        uow.users.lock("ee-desk")
        uow.users.set_password_hash("ee-desk", "hash-2")
        uow.users.set_grants("ee-desk", frozenset({Grant(Role.AUDITOR)}))
        uow.users.set_active("ee-desk", False)
        uow.users.set_language("ee-desk", "uk")
        written(uow, "changed")
    with units() as uow:
        changed = dataclasses.replace(desk, grants=frozenset({Grant(Role.AUDITOR)}), active=False, language="uk")
        assert uow.users.get("ee-desk") == changed and uow.users.password_hash("ee-desk") == "hash-2"
        assert [u.username for u in uow.users.all()] == ["admin", "ee-desk"]


def test_tokens_are_listed_oldest_first_and_a_revoked_one_says_when(units: Units):
    def token(id: str, created: datetime) -> ApiToken:
        return ApiToken(id, "ee-desk", f"token {id}", frozenset({Scope.READ}), f"digest-{id}", created,
                        created + timedelta(days=30))

    with units() as uow:
        uow.users.add(User("ee-desk", "EE"), None, AT)
        uow.users.add_token(token("t2", AT + timedelta(hours=1)))
        uow.users.add_token(token("t1", AT))
        written(uow, "tokens")
    with units() as uow:
        assert [t.id for t in uow.users.tokens()] == ["t1", "t2"]
        assert uow.users.tokens("admin") == [] and uow.users.get_token("t1") == token("t1", AT)
        uow.users.revoke_token("t1", AT + timedelta(hours=2))
        written(uow, "revoked")
    with units() as uow:
        assert uow.users.get_token("t1") == dataclasses.replace(token("t1", AT), revoked_at=AT + timedelta(hours=2))


def test_sessions_are_noted_ended_and_purged(units: Units):
    def session(name: str, created: datetime) -> Session:
        return Session(f"id-{name}", f"hash-{name}", "ee-desk", f"csrf-{name}", SessionMethod.PASSWORD, created,
                       created)

    with units() as uow:
        uow.users.add(User("ee-desk", "EE"), None, AT)
        for name, created in (("b", AT + timedelta(minutes=5)), ("a", AT), ("c", AT + timedelta(minutes=9))):
            uow.sessions.add(session(name, created))
        written(uow, "sessions")
    with units() as uow:
        assert [s.id for s in uow.sessions.of_user("ee-desk")] == ["id-a", "id-b", "id-c"]
        uow.sessions.touch("hash-a", AT + timedelta(minutes=1), last_seen_at=AT)
        uow.sessions.touch("hash-b", AT + timedelta(minutes=1), last_seen_at=AT)  # another use came first: no change
        assert uow.sessions.end("hash-c") and not uow.sessions.end("hash-c")
        written(uow, "used")
    with units() as uow:
        noted = dataclasses.replace(session("a", AT), last_seen_at=AT + timedelta(minutes=1))
        assert uow.sessions.get("hash-a") == noted
        assert uow.sessions.get("hash-b") == session("b", AT + timedelta(minutes=5))
        assert uow.sessions.purge(created_before=AT + timedelta(minutes=2), seen_before=AT) == 1
        assert [s.id for s in uow.sessions.of_user("ee-desk")] == ["id-b"]
        assert uow.sessions.end_all("ee-desk") == 1 and uow.sessions.get("hash-b") is None
