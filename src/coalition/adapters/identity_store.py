"""SQL storage of users, their roles, their API tokens and their browser sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.statements import insert_row, row_by
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.access import Grant, Role
from coalition.domain.identity import ApiToken, Scope, Session, SessionMethod, User


@rebuilds_stored_values
class SqlUserRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def _grants(self, usernames: list[str]) -> dict[str, frozenset[Grant]]:
        found: dict[str, set[Grant]] = {name: set() for name in usernames}
        query = sa.select(t.user_grants).where(t.user_grants.c.username.in_(usernames))
        for row in self._c.execute(query):
            found[row.username].add(Grant(Role(row.role), row.coalition))
        return {name: frozenset(grants) for name, grants in found.items()}

    def _users(self, rows: list[Any]) -> list[User]:
        grants = self._grants([row.username for row in rows])
        return [User(row.username, row.party, grants[row.username], row.oidc_subject, row.active,
                     row.language) for row in rows]

    def get(self, username: str) -> User | None:
        rows = list(self._c.execute(row_by(t.users, "username"), {"key": username}))
        return self._users(rows)[0] if rows else None

    def by_subject(self, subject: str) -> User | None:
        rows = list(self._c.execute(row_by(t.users, "oidc_subject"), {"key": subject}))
        return self._users(rows)[0] if rows else None

    def lock(self, username: str) -> None:
        # FOR NO KEY UPDATE on PostgreSQL: sign-ins and password changes of one user take turns, and each sees
        # what the one before committed; rows that merely refer to the user (its sessions, tokens) are not held
        # up. SQLite has one writer at a time anyway.
        self._c.execute(sa.select(t.users.c.username).where(t.users.c.username == username)
                        .with_for_update(key_share=True))

    def password_hash(self, username: str) -> str | None:
        return self._c.execute(sa.select(t.users.c.password_hash).where(t.users.c.username == username)).scalar()

    def add(self, user: User, password_hash: str | None, created_at: datetime) -> None:
        insert_row(self._c, t.users, dict(
            username=user.username, party=user.party, password_hash=password_hash, oidc_subject=user.oidc_subject,
            active=user.active, language=user.language, created_at=created_at.isoformat()))
        self.set_grants(user.username, user.grants)

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self._c.execute(t.users.update().where(t.users.c.username == username).values(password_hash=password_hash))

    def set_grants(self, username: str, grants: frozenset[Grant]) -> None:
        self._c.execute(t.user_grants.delete().where(t.user_grants.c.username == username))
        if grants:
            self._c.execute(t.user_grants.insert(), [
                {"username": username, "role": g.role.value, "coalition": g.coalition}
                for g in sorted(grants, key=lambda g: (g.role.value, g.coalition or ""))])

    def set_active(self, username: str, active: bool) -> None:
        self._c.execute(t.users.update().where(t.users.c.username == username).values(active=active))

    def set_language(self, username: str, language: str) -> None:
        self._c.execute(t.users.update().where(t.users.c.username == username).values(language=language))

    def all(self) -> list[User]:
        return self._users(list(self._c.execute(sa.select(t.users).order_by(t.users.c.username))))

    @staticmethod
    def _token(row: Any) -> ApiToken:
        return ApiToken(row.id, row.username, row.name, frozenset(Scope(s) for s in row.scopes.split(",")),
                        row.secret_hash, datetime.fromisoformat(row.created_at),
                        datetime.fromisoformat(row.expires_at),
                        None if row.revoked_at is None else datetime.fromisoformat(row.revoked_at))

    def add_token(self, token: ApiToken) -> None:
        insert_row(self._c, t.api_tokens, dict(
            id=token.id, username=token.username, name=token.name,
            scopes=",".join(sorted(s.value for s in token.scopes)), secret_hash=token.secret_hash,
            created_at=token.created_at.isoformat(), expires_at=token.expires_at.isoformat()))

    def get_token(self, token_id: str) -> ApiToken | None:
        row = self._c.execute(row_by(t.api_tokens, "id"), {"key": token_id}).first()
        return None if row is None else self._token(row)

    def revoke_token(self, token_id: str, at: datetime) -> None:
        self._c.execute(t.api_tokens.update().where(t.api_tokens.c.id == token_id).values(revoked_at=at.isoformat()))

    def tokens(self, username: str | None = None) -> list[ApiToken]:
        query = sa.select(t.api_tokens).order_by(t.api_tokens.c.created_at)
        if username is not None:
            query = query.where(t.api_tokens.c.username == username)
        return [self._token(row) for row in self._c.execute(query)]


S = t.sessions
_TOUCH = S.update().where(S.c.token_hash == sa.bindparam("key"), S.c.last_seen_at == sa.bindparam("before")) \
    .values(last_seen_at=sa.bindparam("seen"))


def _at(moment: datetime) -> str:
    """One fixed form (UTC, microseconds), so the stored times compare as text in time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class SqlSessionRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    @staticmethod
    def _session(row: Any) -> Session:
        return Session(row.id, row.token_hash, row.username, row.csrf_token, SessionMethod(row.method),
                       datetime.fromisoformat(row.created_at), datetime.fromisoformat(row.last_seen_at))

    def add(self, session: Session) -> None:
        insert_row(self._c, S, dict(
            token_hash=session.token_hash, id=session.id, username=session.username, csrf_token=session.csrf_token,
            method=session.method.value, created_at=_at(session.created_at), last_seen_at=_at(session.last_seen_at)))

    def get(self, token_hash: str) -> Session | None:
        row = self._c.execute(row_by(S, "token_hash"), {"key": token_hash}).first()
        return None if row is None else self._session(row)

    def of_user(self, username: str) -> list[Session]:
        query = sa.select(S).where(S.c.username == username).order_by(S.c.created_at, S.c.id)
        return [self._session(row) for row in self._c.execute(query)]

    def touch(self, token_hash: str, seen_at: datetime, *, last_seen_at: datetime) -> None:
        self._c.execute(_TOUCH, {"key": token_hash, "before": _at(last_seen_at), "seen": _at(seen_at)})

    def end(self, token_hash: str) -> bool:
        return self._c.execute(S.delete().where(S.c.token_hash == token_hash)).rowcount > 0

    def end_all(self, username: str) -> int:
        return self._c.execute(S.delete().where(S.c.username == username)).rowcount

    def purge(self, *, created_before: datetime, seen_before: datetime) -> int:
        return self._c.execute(S.delete().where(sa.or_(S.c.created_at < _at(created_before),
                                                       S.c.last_seen_at < _at(seen_before)))).rowcount
