"""Users, API tokens, sign-in and browser sessions: turning credentials into the Actor every service checks.

Writes of users and tokens are audited like any other change (never with a password or a token
secret). Sign-in failures say only that the credentials are not valid, whichever part was wrong.

Browser sessions are operational state, like idempotency keys: signing in, signing out and a
session's last use write its row and no audit record (as before sessions were kept, signing in and
out leave the request log's line only). Ending a user's sessions on purpose is an administrative act
and is audited (``end_sessions``), as are disabling a user and changing a password, which end them too.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from coalition.domain.access import Actor, Grant, Role, can
from coalition.domain.audit import AuditEvent
from coalition.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from coalition.domain.identity import (
    MAX_TOKEN_DAYS,
    ApiToken,
    Scope,
    Session,
    SessionEnded,
    SessionMethod,
    SessionPolicy,
    Unauthenticated,
    User,
    check_language,
    check_password,
    digest,
    is_username,
    new_session,
    new_token_secret,
    split_token,
    token_text,
)
from coalition.domain.limits import SUBJECT, TOKEN_NAME, check_text
from coalition.domain.notifications import EventType
from coalition.services.audit import record_change, require
from coalition.services.notifications import emit
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
        _announce_expert_grants(uow, user.username, frozenset(), user.grants)
        uow.commit()
    return user


def _announce_expert_grants(uow: UnitOfWork, username: str, before: frozenset[Grant], after: frozenset[Grant]
                            ) -> None:
    """Tell a user who has just become an expert reviewer of a coalition (in the caller's transaction)."""
    for grant in sorted(after - before, key=lambda g: g.coalition or ""):
        if grant.role is Role.EXPERT_REVIEWER and grant.coalition is not None:
            emit(uow, EventType.EXPERT_ASSIGNED, coalition=grant.coalition, users=[username],
                 facts={"coalition": grant.coalition, "user": username})


def set_grants(uow: UnitOfWork, actor: Actor, username: str, grants: frozenset[Grant]) -> User:
    """Replace the roles a user holds (platform-wide and per coalition)."""
    require(can(actor, "manage_users"))
    with uow:
        before = _load_user(uow, username)
        _check_grants(uow, grants)
        uow.users.set_grants(username, grants)
        after = _load_user(uow, username)
        record_change(uow, actor, AuditEvent("set_grants", "user", username, _described(before), _described(after)))
        _announce_expert_grants(uow, username, before.grants, after.grants)
        uow.commit()
    return after


def set_active(uow: UnitOfWork, actor: Actor, username: str, active: bool) -> User:
    """Disable a user (every way of signing in stops working, and its sessions end) or enable it again."""
    require(can(actor, "manage_users"))
    with uow:
        before = _load_user(uow, username)
        uow.users.set_active(username, active)  # the user's row first: a sign-in under way waits, then sees it
        if not active:
            uow.sessions.end_all(username)
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


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: its user's actor, the session, and the token for the browser's cookie (shown only now)."""

    actor: Actor
    session: Session
    token: str


@dataclass(frozen=True, slots=True)
class SessionCheck:
    """A live session found for a cookie's token at ``checked_at``; ``touch_due``: its use should be noted."""

    actor: Actor
    session: Session
    checked_at: datetime
    touch_due: bool


def _invalid() -> Unauthenticated:
    return Unauthenticated("the user name or password is not valid", field="password")


def _open_session(uow: UnitOfWork, user: User, method: SessionMethod, policy: SessionPolicy,
                  replaces: str | None) -> SignedIn:
    """Within ``uow``: a new session for ``user``, ending the one the browser held (``replaces``: its token)
    and purging every session that is over, so the table holds live sessions only (and those since the
    last sign-in)."""
    now = uow.clock()
    if replaces:
        uow.sessions.end(digest(replaces))
    created_before, seen_before = policy.stale(now)
    uow.sessions.purge(created_before=created_before, seen_before=seen_before)
    session, token = new_session(user.username, method, now)
    uow.sessions.add(session)
    return SignedIn(user.actor(), session, token)


def sign_in(uow: UnitOfWork, hasher: PasswordHasher, username: str, password: str, policy: SessionPolicy, *,
            replaces: str | None = None) -> SignedIn:
    """A new session for a user name and password; Unauthenticated, naming no detail, otherwise.

    The password is checked (slow by design) between two short transactions, so no writer waits for it;
    the second opens the session only if the user is still active with the password that was checked.
    """
    with uow:
        user = uow.users.get(username) if is_username(username) else None
        stored = None if user is None or not user.active else uow.users.password_hash(username)
    if stored is None:
        hasher.verify(_decoy(hasher), password)
        raise _invalid()
    if not hasher.verify(stored, password):
        raise _invalid()
    rehashed = hasher.hash(password) if hasher.needs_rehash(stored) else None
    with uow:
        uow.users.lock(username)  # a password change or a disabling under way finishes first, and is seen
        user = uow.users.get(username)
        if user is None or not user.active or uow.users.password_hash(username) != stored:
            raise _invalid()
        if rehashed is not None:  # the same password, stored under the hasher's current parameters
            uow.users.set_password_hash(username, rehashed)
            record_change(uow, user.actor(), AuditEvent("rehash_password", "user", username, None, None))
        signed = _open_session(uow, user, SessionMethod.PASSWORD, policy, replaces)
        uow.commit()
    return signed


def sign_in_with_subject(uow: UnitOfWork, subject: str, policy: SessionPolicy, *,
                         replaces: str | None = None) -> SignedIn:
    """A new session for an identity provider's subject (OpenID Connect), if an active user is registered for it."""
    with uow:
        found = None if not subject or SUBJECT.problem(subject) else uow.users.by_subject(subject)
        if found is not None:
            uow.users.lock(found.username)
            found = uow.users.get(found.username)
        if found is None or not found.active:
            raise Unauthenticated(f"no active user signs in as '{subject}'; ask a platform administrator",
                                  field="oidc_subject")
        signed = _open_session(uow, found, SessionMethod.OIDC, policy, replaces)
        uow.commit()
    return signed


def sign_out(uow: UnitOfWork, token: str) -> bool:
    """End the session a cookie's token names; False if there was none (already over)."""
    with uow:
        ended = uow.sessions.end(digest(token))
        uow.commit()
    return ended


def actor_for_session(uow: UnitOfWork, token: str, policy: SessionPolicy) -> SessionCheck:
    """The live session a cookie's token names and its user's actor (re-read, so a role removed takes effect
    at once); SessionEnded if the session is over, or never was."""
    with uow:
        session = uow.sessions.get(digest(token))
        if session is None:
            raise SessionEnded("the session has ended (signed out, ended by an administrator, or after a password "
                               "change); sign in again", field="session")
        now = uow.clock()
        policy.check(session, now)
        user = uow.users.get(session.username)
        if user is None or not user.active:
            raise SessionEnded(f"the session's user '{session.username}' is disabled", field="session")
    return SessionCheck(user.actor(), session, now, policy.touch_due(session, now))


def touch_session(uow: UnitOfWork, check: SessionCheck) -> None:
    """Note a session's use (for its idle time). Callers do so only when ``check.touch_due``, so a session
    costs a write at most once a minute, not once a request; of requests racing, one writes."""
    with uow:
        uow.sessions.touch(check.session.token_hash, check.checked_at, last_seen_at=check.session.last_seen_at)
        uow.commit()


def list_sessions(uow: UnitOfWork, actor: Actor, username: str, policy: SessionPolicy) -> list[Session]:
    """A user's live sessions, oldest first: one's own, or anyone's for a platform administrator."""
    if actor.user != username:
        require(can(actor, "manage_users"))
    with uow:
        _load_user(uow, username)
        now = uow.clock()
        return [s for s in uow.sessions.of_user(username) if policy.live(s, now)]


def end_sessions(uow: UnitOfWork, actor: Actor, username: str, policy: SessionPolicy) -> int:
    """End every session of a user (signing it out of every browser); how many were live. One's own, or
    anyone's for a platform administrator. Audited, as an administrative act on the user."""
    if actor.user != username:
        require(can(actor, "manage_users"))
    with uow:
        _load_user(uow, username)
        now = uow.clock()
        live = sum(1 for s in uow.sessions.of_user(username) if policy.live(s, now))
        uow.sessions.end_all(username)
        record_change(uow, actor, AuditEvent("end_sessions", "user", username, None, {"sessions_ended": live}))
        uow.commit()
    return live


def set_password(uow: UnitOfWork, actor: Actor, hasher: PasswordHasher, username: str, password: str) -> User:
    """Give a user a new password (a platform administrator's act); every session of the user ends."""
    require(can(actor, "manage_users"))
    hashed = hasher.hash(check_password(password, username))
    with uow:
        user = _load_user(uow, username)
        uow.users.set_password_hash(username, hashed)
        uow.sessions.end_all(username)
        record_change(uow, actor, AuditEvent("set_password", "user", username, None,
                                             {"password": "replaced", "sessions": "ended"}))
        uow.commit()
    return user


def change_password(uow: UnitOfWork, actor: Actor, hasher: PasswordHasher, current: str, new: str, *,
                    renew: SessionMethod | None = None) -> SignedIn | None:
    """A user's own new password, given the current one. Every session of the user ends; with ``renew`` (the
    change came from one of them) a new session, with a new token and CSRF token, is returned in its place,
    so that browser stays signed in while a cookie copied before the change is worth nothing.

    The passwords are checked and hashed (slow by design) between two short transactions.
    """
    check_password(new, actor.user, "new_password")
    with uow:
        user = uow.users.get(actor.user)
        stored = None if user is None or not user.active else uow.users.password_hash(actor.user)
    if user is None or not user.active:
        raise Unauthenticated("sign in as an active user to change its password", field="authorization")
    if stored is None:
        raise Conflict(f"user '{actor.user}' signs in through the identity provider and has no password here; "
                       "a platform administrator can set one", field="current_password")
    if not hasher.verify(stored, current):
        raise InvalidInput("the current password is not right", field="current_password")
    if new == current:
        raise InvalidInput("the new password is the current one", field="new_password")
    hashed = hasher.hash(new)
    with uow:
        uow.users.lock(actor.user)
        if uow.users.password_hash(actor.user) != stored:
            raise Conflict("the password was changed meanwhile; sign in again", field="current_password")
        uow.users.set_password_hash(actor.user, hashed)
        uow.sessions.end_all(actor.user)
        fresh = None
        if renew is not None:
            session, token = new_session(actor.user, renew, uow.clock())
            uow.sessions.add(session)
            fresh = SignedIn(user.actor(), session, token)
        record_change(uow, actor, AuditEvent("change_password", "user", actor.user, None,
                                             {"password": "replaced", "sessions": "ended"}))
        uow.commit()
    return fresh


def actor_for_user(uow: UnitOfWork, username: str) -> Actor:
    """The actor of a registered user, re-read so a disabled user or a removed role takes effect at once."""
    with uow:
        user = uow.users.get(username)
        if user is None or not user.active:
            raise Unauthenticated("the session's user no longer exists or is disabled", field="session")
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
