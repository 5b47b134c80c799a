"""Users, API tokens and browser sessions: who may sign in, on behalf of which party, with which roles.

Passwords are never kept, only their argon2id hashes (made by an adapter). An API token is shown
once, when created; the platform keeps its public id and a SHA-256 digest of its secret, which is
enough for a 256-bit random secret. Tokens are scoped (read, or read and write), expire, and can
be revoked; a revoked or expired token never authenticates again.

A browser session is a record kept by the platform; the browser's cookie carries only a random
token naming it, and the platform keeps only the token's SHA-256 digest. A session ends when its
user signs out, is disabled or changes password, when an administrator ends it, after its idle
time without use, and at the end of its lifetime, whichever comes first.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from coalition.domain.access import Actor, Grant, Role
from coalition.domain.errors import CoalitionError, InvalidInput
from coalition.domain.limits import SUBJECT, check_text

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
_TOKEN_ID = re.compile(r"[0-9a-f]{12}")  # as new_token_secret makes them
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
TOKEN_PREFIX = "coa"  # noqa: S105 - the marker that starts every token, not a secret
MAX_TOKEN_DAYS = 366


class Unauthenticated(CoalitionError):
    """No valid credentials: wrong password, unknown, expired or revoked token, no session."""

    code = "unauthenticated"


def is_username(value: str) -> bool:
    """Whether ``value`` could name a user (so is worth looking up)."""
    return isinstance(value, str) and _USERNAME.fullmatch(value) is not None


def check_username(value: str) -> str:
    if not _USERNAME.fullmatch(value or ""):
        raise InvalidInput(f"'{value}' is not a valid user name (3 to 64 lower-case letters, digits, '.', '_', '@' "
                           "or '-', starting with a letter or digit)", field="username")
    return value


LANGUAGES = ("en", "uk")  # the languages the platform speaks: English and Ukrainian


def check_language(value: str, field: str = "language") -> str:
    if value not in LANGUAGES:
        raise InvalidInput(f"'{value}' is not a language of the platform ({', '.join(LANGUAGES)})", field=field)
    return value


def check_password(password: str, username: str, field: str = "password") -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters", field=field)
    if username.lower() in password.lower():
        raise InvalidInput("a password must not contain the user name", field=field)
    return password


def parse_grant(text: str) -> Grant:
    """``role`` (platform-wide) or ``role@coalition``."""
    role_text, _, coalition = text.strip().partition("@")
    try:
        role = Role(role_text)
    except ValueError:
        roles = ", ".join(r.value for r in Role if r is not Role.PUBLIC)
        raise InvalidInput(f"'{role_text}' is not a role ({roles})", field="role") from None
    if role is Role.PUBLIC:
        raise InvalidInput("'public' is held by everyone and is not granted", field="role")
    if role is Role.PLATFORM_ADMIN and coalition:
        raise InvalidInput("platform-admin is held platform-wide, not in one coalition", field="role")
    if role is not Role.PLATFORM_ADMIN and not coalition:
        raise InvalidInput(f"{role.value} is held in a coalition: write {role.value}@COALITION", field="role")
    return Grant(role, coalition or None)


@dataclass(frozen=True, slots=True)
class User:
    username: str
    party: str | None = None
    grants: frozenset[Grant] = field(default_factory=frozenset)
    oidc_subject: str | None = None
    active: bool = True
    language: str | None = None  # of the web pages; None: as the browser asks

    def __post_init__(self) -> None:
        check_username(self.username)
        if self.oidc_subject is not None:
            check_text(self.oidc_subject, "oidc_subject", SUBJECT)
        if self.language is not None:
            check_language(self.language)

    def actor(self) -> Actor:
        return Actor(user=self.username, party=self.party, grants=self.grants)


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"


def parse_scopes(text: str) -> frozenset[Scope]:
    found = set()
    for part in (p.strip() for p in text.split(",") if p.strip()):
        try:
            found.add(Scope(part))
        except ValueError:
            raise InvalidInput(f"'{part}' is not a scope (read, write)", field="scopes") from None
    if not found:
        raise InvalidInput("a token has at least one scope (read, write)", field="scopes")
    return frozenset(found)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: str
    username: str
    name: str
    scopes: frozenset[Scope]
    secret_hash: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def allows(self, *, write: bool) -> bool:
        return Scope.WRITE in self.scopes if write else bool(self.scopes)

    def check(self, secret: str, now: datetime) -> None:
        """Raise Unauthenticated unless ``secret`` is this token's and the token is usable at ``now``."""
        if not hmac.compare_digest(self.secret_hash, digest(secret)):
            raise Unauthenticated("the API token is not valid", field="authorization")
        if self.revoked_at is not None:
            raise Unauthenticated(f"the API token {self.id} was revoked", field="authorization")
        if now >= self.expires_at:
            raise Unauthenticated(f"the API token {self.id} expired on {self.expires_at.date()}",
                                  field="authorization")


def new_token_secret() -> tuple[str, str]:
    """(public id, secret) for a new token; the token a client sends is ``coa_<id>_<secret>``."""
    return secrets.token_hex(6), secrets.token_urlsafe(32)


def token_text(token_id: str, secret: str) -> str:
    return f"{TOKEN_PREFIX}_{token_id}_{secret}"


def split_token(text: str) -> tuple[str, str]:
    prefix, _, rest = text.partition("_")
    token_id, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not _TOKEN_ID.fullmatch(token_id) or not secret:
        raise Unauthenticated("the bearer token is not a Coalition API token", field="authorization")
    return token_id, secret


# --- browser sessions ----------------------------------------------------------------------------------------

TOUCH_EVERY = timedelta(minutes=1)  # a session's last use is written at most this often


class SessionEnded(Unauthenticated):
    """The session a browser's cookie names is over (or never was): it must sign in again."""


class SessionMethod(StrEnum):
    """How the session's user proved who it is."""

    PASSWORD = "password"  # noqa: S105 - the name of a way of signing in, not a secret
    OIDC = "oidc"


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser. ``token_hash`` is the SHA-256 digest of the random token its cookie carries (the
    token itself is never kept); ``id`` names the session in lists and the audit log and proves nothing.
    ``csrf_token`` must come back with every change the browser makes."""

    id: str
    token_hash: str
    username: str
    csrf_token: str
    method: SessionMethod
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a session lasts: ``lifetime`` from signing in, and ``idle`` since it was last used.

    The last use is written at most every ``touch_every`` (a minute, or a tenth of the idle time if
    that is shorter), so a session may end up to that much before ``idle`` has fully passed.
    """

    lifetime: timedelta
    idle: timedelta

    def __post_init__(self) -> None:
        if self.lifetime <= timedelta(0) or self.idle <= timedelta(0):
            raise InvalidInput("a session's lifetime and idle time are positive", field="session")

    @property
    def touch_every(self) -> timedelta:
        return min(TOUCH_EVERY, self.idle / 10)

    def ends_at(self, session: Session) -> datetime:
        return min(session.created_at + self.lifetime, session.last_seen_at + self.idle)

    def live(self, session: Session, now: datetime) -> bool:
        return now < self.ends_at(session)

    def check(self, session: Session, now: datetime) -> None:
        """Raise SessionEnded unless ``session`` is still live at ``now``."""
        if now >= session.created_at + self.lifetime:
            raise SessionEnded(f"the session expired: a session lasts {_span(self.lifetime)}; sign in again",
                               field="session")
        if now >= session.last_seen_at + self.idle:
            raise SessionEnded(f"the session ended after {_span(self.idle)} without use; sign in again",
                               field="session")

    def touch_due(self, session: Session, now: datetime) -> bool:
        """Whether a use at ``now`` should be written as the session's last use."""
        return now - session.last_seen_at >= self.touch_every

    def touch_urgent(self, session: Session, now: datetime) -> bool:
        """Whether writing the use may no longer be put off (half the idle time has passed since the last)."""
        return now - session.last_seen_at >= self.idle / 2

    def stale(self, now: datetime) -> tuple[datetime, datetime]:
        """(created before, last used before): a session matching either is over at ``now``."""
        return now - self.lifetime, now - self.idle


def _span(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def new_session(username: str, method: SessionMethod, now: datetime) -> tuple[Session, str]:
    """A new session for ``username`` and the token its cookie carries (256 random bits, shown only now)."""
    token = secrets.token_urlsafe(32)
    session = Session(secrets.token_hex(6), digest(token), username, secrets.token_urlsafe(32), method, now, now)
    return session, token
