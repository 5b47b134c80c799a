"""Users and API tokens: who may sign in, on behalf of which party, with which roles.

Passwords are never kept, only their argon2id hashes (made by an adapter). An API token is shown
once, when created; the platform keeps its public id and a SHA-256 digest of its secret, which is
enough for a 256-bit random secret. Tokens are scoped (read, or read and write), expire, and can
be revoked; a revoked or expired token never authenticates again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
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


def check_language(value: str) -> str:
    if value not in LANGUAGES:
        raise InvalidInput(f"'{value}' is not a language of the platform ({', '.join(LANGUAGES)})", field="language")
    return value


def check_password(password: str, username: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters", field="password")
    if username.lower() in password.lower():
        raise InvalidInput("a password must not contain the user name", field="password")
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
