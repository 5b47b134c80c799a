"""Users, API tokens and sign-in: turning credentials into the Actor every service checks.

Writes are audited like any other change (never with a password or a token secret). Sign-in
failures say only that the credentials are not valid, whichever part was wrong.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from coalition.domain.access import Actor, Grant, can
from coalition.domain.audit import AuditEvent
from coalition.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from coalition.domain.identity import (
    MAX_TOKEN_DAYS,
    ApiToken,
    Scope,
    Unauthenticated,
    User,
    check_language,
    check_password,
    digest,
    is_username,
    new_token_secret,
    split_token,
    token_text,
)
from coalition.domain.limits import SUBJECT, TOKEN_NAME, check_text
from coalition.services.audit import record_change, require
from coalition.services.ports import PasswordHasher, UnitOfWork
from coalition.services.registry import load_coalition, load_party

_DECOYS: dict[int, str] = {}


def _decoy(hasher: PasswordHasher) -> str:
    """Checked when the user name is unknown, so a wrong name costs as long as a wrong password."""
    if id(hasher) not in _DECOYS:
        _DECOYS[id(hasher)] = hasher.hash("an unknown user's password")
    return _DECOYS[id(hasher)]


def _described(user: User) -> dict[str, object]:
    return {"username": user.username, "party": user.party, "active": user.active,
            "oidc_subject": user.oidc_subject, "roles": user.actor().describe()["roles"]}


def _load_user(uow: UnitOfWork, username: str) -> User:
    found = uow.users.get(username)
    if found is None:
        raise NotFound(f"no user '{username}'", field="username")
    return found


def _check_grants(uow: UnitOfWork, grants: Collection[Grant]) -> None:
    for grant in grants:
        if grant.coalition is not None:
            load_coalition(uow, grant.coalition, "role")


def add_user(uow: UnitOfWork, actor: Actor, hasher: PasswordHasher, user: User, password: str | None) -> User:
    """Register a user who signs in with a password, or (``password`` None) only through OpenID Connect."""
    require(can(actor, "manage_users"))
    if password is None and user.oidc_subject is None:
        raise InvalidInput("a user signs in with a password or an OpenID Connect subject; give one",
                           field="password")
    hashed = None if password is None else hasher.hash(check_password(password, user.username))
    with uow:
        if uow.users.get(user.username) is not None:
            raise Conflict(f"a user '{user.username}' already exists", field="username")
        if user.oidc_subject is not None and uow.users.by_subject(user.oidc_subject) is not None:
            raise Conflict(f"another user already signs in as '{user.oidc_subject}'", field="oidc_subject")
        if user.party is not None:
            load_party(uow, user.party)
        _check_grants(uow, user.grants)
        uow.users.add(user, hashed, uow.clock())
        record_change(uow, actor, AuditEvent("add_user", "user", user.username, None, _described(user)))
        uow.commit()
    return user


def set_grants(uow: UnitOfWork, actor: Actor, username: str, grants: frozenset[Grant]) -> User:
    """Replace the roles a user holds (platform-wide and per coalition)."""
    require(can(actor, "manage_users"))
    with uow:
        before = _load_user(uow, username)
        _check_grants(uow, grants)
        uow.users.set_grants(username, grants)
        after = _load_user(uow, username)
        record_change(uow, actor, AuditEvent("set_grants", "user", username, _described(before), _described(after)))
        uow.commit()
    return after


def set_active(uow: UnitOfWork, actor: Actor, username: str, active: bool) -> User:
    """Disable a user (every way of signing in stops working) or enable it again."""
    require(can(actor, "manage_users"))
    with uow:
        before = _load_user(uow, username)
        uow.users.set_active(username, active)
        after = _load_user(uow, username)
        record_change(uow, actor, AuditEvent("enable_user" if active else "disable_user", "user", username,
                                             _described(before), _described(after)))
        uow.commit()
    return after


def set_language(uow: UnitOfWork, actor: Actor, language: str) -> User:
    """Remember the language a signed-in user reads the web pages in."""
    check_language(language)
    with uow:
        before = _load_user(uow, actor.user)
        if before.language != language:
            uow.users.set_language(actor.user, language)
            record_change(uow, actor, AuditEvent("set_language", "user", actor.user, {"language": before.language},
                                                 {"language": language}))
            uow.commit()
        return _load_user(uow, actor.user)


def preferred_language(uow: UnitOfWork, username: str) -> str | None:
    """The language a user chose for the web pages, if any."""
    with uow:
        found = uow.users.get(username)
        return found.language if found is not None else None


def list_users(uow: UnitOfWork, actor: Actor) -> list[User]:
    require(can(actor, "manage_users"))
    with uow:
        return uow.users.all()


def authenticate(uow: UnitOfWork, hasher: PasswordHasher, username: str, password: str) -> Actor:
    """The actor for a user name and password; Unauthenticated, naming no detail, otherwise."""
    with uow:
        user = uow.users.get(username) if is_username(username) else None
        stored = None if user is None or not user.active else uow.users.password_hash(username)
        if stored is None:
            hasher.verify(_decoy(hasher), password)
            raise Unauthenticated("the user name or password is not valid", field="password")
        if not hasher.verify(stored, password):
            raise Unauthenticated("the user name or password is not valid", field="password")
        assert user is not None
        if hasher.needs_rehash(stored):
            uow.users.set_password_hash(username, hasher.hash(password))
            uow.commit()
        return user.actor()


def actor_for_user(uow: UnitOfWork, username: str) -> Actor:
    """The actor of a signed-in session, re-read so a disabled user or a removed role takes effect at once."""
    with uow:
        user = uow.users.get(username)
        if user is None or not user.active:
            raise Unauthenticated("the session's user no longer exists or is disabled", field="session")
        return user.actor()


def actor_for_subject(uow: UnitOfWork, subject: str) -> Actor:
    """The actor for an identity provider's subject (OpenID Connect), if a user is registered for it."""
    with uow:
        user = None if SUBJECT.problem(subject) else uow.users.by_subject(subject)
        if user is None or not user.active:
            raise Unauthenticated(f"no active user signs in as '{subject}'; ask a platform administrator",
                                  field="oidc_subject")
        return user.actor()


def create_token(uow: UnitOfWork, actor: Actor, *, username: str, name: str, scopes: frozenset[Scope],
                 days: int) -> tuple[ApiToken, str]:
    """A new API token for ``username``; returns it with the text to give the client, shown only now.

    A user creates tokens for itself; a platform administrator for anyone.
    """
    if actor.user != username:
        require(can(actor, "manage_users"))
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(f"a token lasts 1 to {MAX_TOKEN_DAYS} days", field="days")
    name = check_text(name, "name", TOKEN_NAME)
    with uow:
        user = _load_user(uow, username)
        if not user.active:
            raise Conflict(f"user '{username}' is disabled", field="username")
        token_id, secret = new_token_secret()
        now = uow.clock()
        token = ApiToken(token_id, username, name, scopes, digest(secret), now, now + timedelta(days=days))
        uow.users.add_token(token)
        record_change(uow, actor, AuditEvent("create_token", "api_token", token_id, None, {
            "username": username, "name": token.name, "scopes": sorted(s.value for s in scopes),
            "expires_at": token.expires_at.isoformat()}))
        uow.commit()
    return token, token_text(token_id, secret)


def revoke_token(uow: UnitOfWork, actor: Actor, token_id: str) -> ApiToken:
    with uow:
        token = uow.users.get_token(token_id)
        if token is None:
            raise NotFound(f"no API token '{token_id}'", field="token")
        if actor.user != token.username:
            require(can(actor, "manage_users"))
        if token.revoked_at is not None:
            raise Conflict(f"API token '{token_id}' was already revoked", field="token")
        now = uow.clock()
        uow.users.revoke_token(token_id, now)
        record_change(uow, actor, AuditEvent("revoke_token", "api_token", token_id, {"revoked_at": None},
                                             {"revoked_at": now.isoformat()}))
        uow.commit()
        return ApiToken(token.id, token.username, token.name, token.scopes, token.secret_hash, token.created_at,
                        token.expires_at, now)


def list_tokens(uow: UnitOfWork, actor: Actor, username: str | None = None) -> list[ApiToken]:
    if username is None or username != actor.user:
        require(can(actor, "manage_users"))
    with uow:
        return uow.users.tokens(username)


def actor_for_token(uow: UnitOfWork, text: str, *, write: bool) -> Actor:
    """The actor a bearer token stands for; Unauthenticated if it is not valid now, PermissionDenied if its
    scope does not cover the request."""
    token_id, secret = split_token(text)
    with uow:
        token = uow.users.get_token(token_id)
        if token is None:
            raise Unauthenticated("the API token is not valid", field="authorization")
        token.check(secret, uow.clock())
        user = uow.users.get(token.username)
        if user is None or not user.active:
            raise Unauthenticated(f"the API token's user '{token.username}' is disabled", field="authorization")
    if not token.allows(write=write):
        raise PermissionDenied(f"the API token {token.id} is scoped to "
                               f"{', '.join(sorted(s.value for s in token.scopes))}; this request writes",
                               field="authorization")
    return user.actor()
