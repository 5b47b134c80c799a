"""What every route shares: who is calling, the one error body, JSON responses and idempotent writes."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from coalition.bootstrap import Platform, StoredResponse
from coalition.domain.access import PUBLIC_ACTOR, Actor
from coalition.domain.errors import CoalitionError, PermissionDenied
from coalition.domain.identity import Unauthenticated
from coalition.services.identity import actor_for_token, actor_for_user
from coalition.services.ports import UnitOfWork

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"

# --- the one error body ---------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """Every error response: a stable code, a message a person can act on, and the field at fault if any."""

    code: str
    message: str
    field: str | None = None


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    body = ErrorBody(code=code, message=message, field=field).model_dump_json()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


class TooManyRequests(CoalitionError):
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CsrfFailed(CoalitionError):
    code = "csrf_failed"


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in (
        (401, "Not signed in, or the credentials are not valid"),
        (403, "Signed in, but the role or token scope does not allow this"),
        (404, "The named record does not exist"),
        (409, "Clashes with what is recorded, or breaks a rule that must hold"),
        (413, "The request body is too large"),
        (422, "A field breaks its rule; the body names the field"),
        (429, "Too many attempts; retry after the time the Retry-After header gives"),
    )}

# --- responses ------------------------------------------------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: the items, how many there are in all, and where the page starts."""

    items: list[T]
    total: int
    offset: int
    limit: int


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def json_response(value: Any, kind: Any, status: int = 200) -> Response:
    """Serialise a service's result with the type the route declares (so the body matches the schema)."""
    return Response(_adapter(kind).dump_json(value), status_code=status, media_type="application/json")


class Routes:
    """An APIRouter whose routes declare what they return, once: the type documents the response in the
    OpenAPI schema and serialises the service's result (a Response, such as a replay, passes through)."""

    def __init__(self, tag: str) -> None:
        self.router = APIRouter(tags=[tag])

    def _add(self, method: str, path: str, kind: Any, status: int, kwargs: dict[str, Any]
             ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(endpoint)
            def serialised(*args: Any, **kw: Any) -> Response:
                result = endpoint(*args, **kw)
                return result if isinstance(result, Response) else json_response(result, kind, status)

            self.router.add_api_route(path, serialised, methods=[method], response_model=kind, status_code=status,
                                      **kwargs)
            return endpoint
        return register

    def get(self, path: str, kind: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._add("GET", path, kind, 200, kwargs)

    def post(self, path: str, kind: Any, status: int = 201, **kwargs: Any
             ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._add("POST", path, kind, status, kwargs)

    def put(self, path: str, kind: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._add("PUT", path, kind, 200, kwargs)

    def delete(self, path: str, kind: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._add("DELETE", path, kind, 200, kwargs)


Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page (at most 500)")]


def page_of(items: list[T], offset: int, limit: int) -> Page[T]:
    return Page(items[offset:offset + limit], len(items), offset, limit)


CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN, examples=["it-coalition"])]
CodeInPath = Annotated[str, Path(pattern=CODE_PATTERN)]
CodeInQuery = Annotated[str | None, Query(pattern=CODE_PATTERN)]
IdInPath = Annotated[int, Path(ge=1, le=2**62)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
DECIMAL_PATTERN = r"^[0-9]{1,13}(\.[0-9]{1,4})?$"
Amount = Annotated[str, Field(pattern=DECIMAL_PATTERN, examples=["1000.00"],
                              description="A decimal string, never a JSON number")]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Note = Annotated[str, Field(max_length=1000)]


class Body(BaseModel):
    """Request bodies refuse fields they do not know, so a misspelt field is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- who is calling ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Caller:
    """The platform, the authenticated actor (the public if nobody signed in) and the request id."""

    platform: Platform
    actor: Actor
    request_id: str

    def read(self) -> UnitOfWork:
        return self.platform.uow(read_only=True)

    def write(self) -> UnitOfWork:
        return self.platform.uow()

    def signed_in(self) -> Actor:
        """The actor, or Unauthenticated for the public (for acts on one's own account)."""
        if self.actor.user == PUBLIC_ACTOR.user:
            raise Unauthenticated("sign in first (a password session or an API token)", field="authorization")
        return self.actor


def _authenticate(request: Request, platform: Platform, write: bool) -> Actor:
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise Unauthenticated("send the API token as 'Authorization: Bearer <token>'", field="authorization")
        return actor_for_token(platform.uow(read_only=True), credentials.strip(), write=write)
    session = request.scope.get("session") or {}
    username = session.get("user")
    if username:
        if write and not hmac.compare_digest(str(session.get("csrf", "")), request.headers.get(CSRF_HEADER, "")):
            raise CsrfFailed(f"a change made in a browser session needs the session's {CSRF_HEADER} header",
                             field=CSRF_HEADER)
        return actor_for_user(platform.uow(read_only=True), str(username))
    return PUBLIC_ACTOR


def caller(request: Request) -> Caller:
    platform: Platform = request.app.state.platform
    request_id: str = request.state.request_id
    actor = _authenticate(request, platform, request.method not in SAFE_METHODS).for_request(request_id)
    request.state.actor = actor
    return Caller(platform, actor, request_id)


CallerDep = Annotated[Caller, Depends(caller)]


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


# --- idempotent writes ------------------------------------------------------------------------------------------

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=200, pattern=r"^[A-Za-z0-9._:-]{8,200}$",
    description="A unique key per intended write (8 to 200 letters, digits, '.', '_', ':' or '-'); sending the "
                "same request with the same key again returns the first response and writes nothing more")]


def idempotent(who: Caller, request: Request, key: str | None, body: BaseModel,
               run: Callable[[], Response]) -> Response:
    """Run a write once per Idempotency-Key: a repeat returns the stored response; a failure frees the key."""
    if key is None:
        return run()
    if who.actor is PUBLIC_ACTOR or who.actor.user == PUBLIC_ACTOR.user:
        raise PermissionDenied("an Idempotency-Key needs a signed-in user")
    fingerprint = hashlib.sha256(json.dumps([request.method, request.url.path, body.model_dump(mode="json")],
                                            sort_keys=True).encode()).hexdigest()
    store = who.platform.idempotency
    stored = store.claim(who.actor.user, key, fingerprint, who.platform.clock())
    if stored is not None:
        return Response(stored.body, status_code=stored.status_code, media_type="application/json",
                        headers={"Idempotent-Replayed": "true"})
    try:
        response = run()
    except BaseException:
        store.release(who.actor.user, key)
        raise
    store.store(who.actor.user, key, StoredResponse(response.status_code, bytes(response.body).decode()))
    return response


# --- rate limits on sign-in and token endpoints ---------------------------------------------------------------


class RateLimiter:
    """At most ``limit`` attempts per client address in any ``window`` seconds (one process's memory)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            attempts = self._seen.setdefault(client, deque())
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            if len(attempts) >= self.limit:
                retry = int(attempts[0] + self.window - now) + 1
                raise TooManyRequests(f"too many attempts from this client; retry in {retry} s", retry)
            attempts.append(now)
            if len(self._seen) > 100_000:  # forget idle clients rather than grow without bound
                for stale in [c for c, times in self._seen.items() if not times or times[-1] <= now - self.window]:
                    del self._seen[stale]


def rate_limited(request: Request) -> None:
    limiter: RateLimiter = request.app.state.login_limiter
    limiter.hit(request.client.host if request.client else "unknown")


RateLimited = Depends(rate_limited)


