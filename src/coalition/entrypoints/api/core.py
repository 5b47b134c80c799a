"""What every route shares: who is calling, the one error body, JSON responses and idempotent writes."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import inspect
import json
import re
import secrets
import threading
import time
import typing
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Generic, TypeVar

import structlog
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, Strict, TypeAdapter

from coalition.bootstrap import Attempts, Platform, StoredResponse, WriterBusy
from coalition.config import Environment
from coalition.domain import limits
from coalition.domain.access import PUBLIC_ACTOR, Actor
from coalition.domain.errors import CoalitionError
from coalition.domain.identity import Session, Unauthenticated
from coalition.domain.limits import AMOUNT_DIGITS, MAX_ID, MAX_NUMBER, MAX_QUANTITY, MAX_VERSION, TextRule
from coalition.entrypoints.api import downloads
from coalition.entrypoints.api.clients import client_address
from coalition.services.identity import SessionCheck, actor_for_session, actor_for_token, touch_session
from coalition.services.ports import UnitOfWork

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
# The cookie naming a browser's session (a random token; the platform keeps only its digest), and the signed
# cookie of what the pages remember for any visitor (language, messages, the CSRF token before signing in).
SESSION_COOKIE = "coalition_session"
PREFERENCES_COOKIE = "coalition_prefs"

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
W = TypeVar("W")
log = structlog.get_logger("coalition.api")


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


class ReadCache:
    """Answers of the heaviest reads, and who a credential stands for, kept in this process's memory.

    Any change made through this server empties it at once; on PostgreSQL a change committed by any other
    process (the command line, another server) empties it as soon as the database's notice arrives, and
    before any answer is taken from it; on SQLite, or while the notices' connection is down, a change made
    elsewhere shows after ``seconds`` at most. An entry remembers the generation
    it was computed in, so an answer computed while a write committed is never kept.

    It holds ``capacity`` entries at most and, when full, lets go of the one used longest ago: an answer asked for
    all the time (such as the whole answer every page of a list is cut from) stays while one-off pages come and go.
    """

    def __init__(self, seconds: float, capacity: int = 2_000) -> None:
        self.seconds = seconds
        self.capacity = capacity
        # Where changes are heard of (PostgreSQL): the round trips that bring every notice committed before a
        # request (``News.hear``), which CachedReads awaits before any kept answer of that request is looked at.
        self.news: News | None = None
        # Whether every change is heard of as it commits (PostgreSQL's notices are being received): then an
        # entry lives until a change, or LISTENING_SECONDS at most (answers "as of today" move at midnight).
        self.listening: Callable[[], bool] = lambda: False
        self.generation = 0
        self._entries: OrderedDict[Any, tuple[int, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def changed(self) -> None:
        with self._lock:  # commits come from worker threads
            self.generation += 1
            self._entries = OrderedDict()

    def get(self, key: Any) -> Any:
        value, fresh = self.peek(key)
        return value if fresh else None

    def peek(self, key: Any) -> tuple[Any, bool]:
        """(value, fresh): a value of this generation even if its time is up (then not fresh); None if none."""
        with self._lock:  # read on the event loop and in worker threads
            found = self._entries.get(key)
            if found is None or found[0] != self.generation:
                return None, False
            self._entries.move_to_end(key)
        kept_for = LISTENING_SECONDS if self.listening() else self.seconds
        return found[2], found[1] + kept_for >= time.monotonic()

    def put(self, key: Any, generation: int, value: Any) -> None:
        with self._lock:
            if self.seconds <= 0 or generation != self.generation:
                return
            self._entries[key] = (generation, time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)


LISTENING_SECONDS = 300.0


class News:
    """Hears, for each request that may be answered from the caches, every notice of a change committed before the
    request arrived: one round trip on the listening connection (``sync``: ChangeListener.sync), made in a thread
    of its own so the event loop never waits on the database, and shared by every request that arrived before it
    started (a request that arrives while one is under way waits for the next)."""

    def __init__(self, sync: Callable[[], None]) -> None:
        self._sync = sync
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coalition-news")
        self._asked = 0  # requests that asked, numbered in order (on the event loop only)
        self._heard = 0  # every request up to this number has been served by a round trip started after it asked
        self._under_way: asyncio.Future[None] | None = None

    async def hear(self) -> None:
        self._asked += 1
        ticket = self._asked
        while self._heard < ticket:
            if self._under_way is None:
                self._under_way = asyncio.ensure_future(self._round_trip(self._asked))
            await asyncio.shield(self._under_way)

    async def _round_trip(self, covers: int) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._sync)
        finally:
            self._heard = max(self._heard, covers)
            self._under_way = None

    def close(self) -> None:
        self._executor.shutdown(wait=False)


class WholeAnswers:
    """Whole answers that pages are cut from (a priority list's coverage of every rank), kept in a ReadCache.

    A page asked for while no whole answer is kept is computed on its own, as if there were no cache, taking the
    list-wide figures from the first such page of this state of the record (``known``) so that it costs only its
    own ranks; the whole answer is computed meanwhile in a thread of its own (one per key at a time). Once kept,
    every page is cut from it until the next change.
    """

    def __init__(self, cache: ReadCache) -> None:
        self.cache = cache
        self._computing: set[Any] = set()
        self._lock = threading.Lock()

    def page(self, key: Any, page: Callable[[T | None], T], whole: Callable[[], W], cut: Callable[[W], T]) -> T:
        kept = self.cache.get(("whole", key))
        if kept is not None:
            return cut(kept)
        self._compute(key, whole)
        generation = self.cache.generation
        known = self.cache.get(("a page", key))
        found = page(known)
        if known is None:
            self.cache.put(("a page", key), generation, found)
        return found

    def _compute(self, key: Any, whole: Callable[[], Any]) -> None:
        with self._lock:
            if key in self._computing:
                return
            self._computing.add(key)
        generation = self.cache.generation

        def work() -> None:
            try:
                self.cache.put(("whole", key), generation, whole())
            except Exception as error:
                log.warning("a whole answer could not be computed", key=repr(key), error=type(error).__name__)
            finally:
                with self._lock:
                    self._computing.discard(key)

        threading.Thread(target=work, daemon=True, name="whole-answer").start()


# Path templates of the reads the ReadCache may answer (filled by Routes.get(..., cached=True)).
CACHED_READS: set[str] = set()


class Routes:
    """An APIRouter whose routes declare what they return, once: the type documents the response in the
    OpenAPI schema and serialises the service's result (a Response, such as a replay, passes through).

    The service runs in a worker thread. A read declared ``cached`` may be answered from the
    ReadCache (see coalition.entrypoints.api.hygiene.CachedReads); it runs on the event loop.
    """

    def __init__(self, tag: str, prefix: str = "/api/v1") -> None:
        self.router = APIRouter(tags=[tag])
        self.prefix = prefix

    def _add(self, method: str, path: str, kind: Any, status: int, kwargs: dict[str, Any], cached: bool = False,
             cursor: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        downloadable = method == "GET" and typing.get_origin(kind) in (Page, list)
        if downloadable:
            responses = kwargs.setdefault("responses", {})
            ok = responses.setdefault(200, {})
            ok.setdefault("content", {}).update(downloads.FILE_CONTENT)
            ok.setdefault("description", "The list as JSON (a page of it, for a paged list); with format=csv or "
                                         "xlsx, the whole list as a file")

        def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
            def run(*args: Any, **kw: Any) -> Response:
                result = endpoint(*args, **kw)
                return result if isinstance(result, Response) else json_response(result, kind, status)

            def as_file(format: str, kw: dict[str, Any]) -> Response:
                who = next(value for value in kw.values() if isinstance(value, Caller))
                item = typing.get_args(kind)[0]
                pages = (downloads.walk(endpoint, kw, inspect.signature(endpoint).parameters, cursor)
                         if typing.get_origin(kind) is Page else iter([endpoint(**kw)]))
                return downloads.download(who.platform, item, format, pages,
                                          downloads.file_name(self.prefix + path, kw, format))

            @functools.wraps(endpoint)
            async def serialised(*args: Any, **kw: Any) -> Response:
                format = kw.pop("format", "json") if downloadable else "json"
                if format != "json":
                    return await run_in_threadpool(as_file, format, kw)
                if cached:
                    # Computed once per cache period, by one request at a time (CachedReads): run it here,
                    # briefly holding the loop, rather than in a thread that would slow it for longer by
                    # contending with it for the interpreter.
                    return run(*args, **kw)
                return await run_in_threadpool(run, *args, **kw)

            if downloadable:
                serialised.__signature__ = _with_format(endpoint)  # type: ignore[attr-defined]
            self.router.add_api_route(path, serialised, methods=[method], response_model=kind, status_code=status,
                                      **kwargs)
            if cached:
                CACHED_READS.add(self.prefix + path)
            return endpoint
        return register

    def get(self, path: str, kind: Any, *, cached: bool = False, cursor: str | None = None, **kwargs: Any
            ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """A read; a list (``Page[T]`` or ``list[T]``) also answers ``?format=csv`` or ``xlsx`` with the whole list
        as a file, a ``Page`` walked by ``cursor`` (the items' attribute its ``after`` parameter takes) where it has
        one, else by offset."""
        return self._add("GET", path, kind, 200, kwargs, cached, cursor)

    def post(self, path: str, kind: Any, status: int = 201, **kwargs: Any
             ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._add("POST", path, kind, status, kwargs)

    def put(self, path: str, kind: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._add("PUT", path, kind, 200, kwargs)

    def delete(self, path: str, kind: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._add("DELETE", path, kind, 200, kwargs)


def _with_format(endpoint: Callable[..., Any]) -> inspect.Signature:
    """The endpoint's parameters (their types resolved) and the ``format`` of a list's answer."""
    hints = typing.get_type_hints(endpoint, include_extras=True)
    signature = inspect.signature(endpoint)
    parameters = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()]
    parameters.append(inspect.Parameter("format", inspect.Parameter.KEYWORD_ONLY, default="json",
                                        annotation=downloads.ListFormat))
    return signature.replace(parameters=parameters, return_annotation=inspect.Signature.empty)


# --- the shared types of every route's parameters and bodies ----------------------------------------------------
#
# One type per kind of value, so the OpenAPI document and the behaviour agree: a body takes JSON exactly as
# the schema says (a number is never a string, a boolean never 0 or 1, a date only YYYY-MM-DD); a path or query
# parameter is text, read as strictly (whole numbers in digits, dates as YYYY-MM-DD, booleans true or false).
# A test checks that every route's parameters and body fields use them.

_DIGITS = re.compile(r"[0-9]{1,19}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
                     r"(Z|[+-][0-9]{2}:[0-9]{2})")


def _digits(value: Any) -> Any:
    """A parameter's whole number: digits only (no sign, blank, fraction, exponent or underscore)."""
    if isinstance(value, str):
        if not _DIGITS.fullmatch(value):
            raise ValueError("must be a whole number written in digits")
        return int(value)
    if value is not None and type(value) is not int:
        raise ValueError("must be a whole number written in digits")
    return value


def _flag(value: Any) -> Any:
    """A parameter's boolean: true or false, nothing else."""
    if value in ("true", "false"):
        return value == "true"
    if type(value) is not bool:
        raise ValueError("must be true or false")
    return value


def _day(value: Any) -> Any:
    """A date: the text YYYY-MM-DD, never a number (which would count seconds from 1970)."""
    if value is None or (isinstance(value, str) and _DAY.fullmatch(value)):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


def _moment(value: Any) -> Any:
    """A moment: ISO 8601 text with its offset from UTC, never a number."""
    if isinstance(value, str) and _MOMENT.fullmatch(value):
        return value
    if isinstance(value, datetime):
        return value
    raise ValueError("must be a date and time with its offset, such as 2026-03-01T12:00:00+00:00")


# Bodies: JSON values of exactly the schema's type.
Integer = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]
Day = Annotated[date, BeforeValidator(_day)]
Moment = Annotated[AwareDatetime, BeforeValidator(_moment)]
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID, description=f"An id: a whole number from 1 to {MAX_ID}")]
Quantity = Annotated[int, Strict(), Field(ge=1, le=MAX_QUANTITY)]
Number = Annotated[int, Strict(), Field(ge=1, le=MAX_NUMBER)]

# Parameters: text read strictly.
IdInPath = Annotated[int, Path(ge=1, le=MAX_ID, description=f"An id: a whole number from 1 to {MAX_ID}"),
                     BeforeValidator(_digits)]
IdInQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description=f"An id: a whole number from 1 to {MAX_ID}"),
                      BeforeValidator(_digits)]
Cursor = Annotated[int | None, Query(ge=0, le=MAX_ID, description=(
    "A cursor: only records after this id or sequence number (the last one of the page before); deep pages "
    "then cost no more than the first")), BeforeValidator(_digits)]
VersionInPath = Annotated[int, Path(ge=1, le=MAX_VERSION), BeforeValidator(_digits)]
VersionInQuery = Annotated[int, Query(ge=1, le=MAX_VERSION), BeforeValidator(_digits)]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip"), BeforeValidator(_digits)]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page (at most 500)"), BeforeValidator(_digits)]
PageNumber = Annotated[int, Query(ge=1, le=10_000, description="The page, from 1"), BeforeValidator(_digits)]
DayInQuery = Annotated[date | None, Query(description="A date, YYYY-MM-DD"), BeforeValidator(_day)]
AsOfQuery = Annotated[date | None, Query(description="As of the end of this day, YYYY-MM-DD; now if not given"),
                      BeforeValidator(_day)]
FlagInQuery = Annotated[bool, Query(description="true or false"), BeforeValidator(_flag)]


def page_of(items: list[T], offset: int, limit: int) -> Page[T]:
    return Page(items[offset:offset + limit], len(items), offset, limit)


CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN, examples=["it-coalition"])]
CodeInPath = Annotated[str, Path(pattern=CODE_PATTERN)]
CodeInQuery = Annotated[str | None, Query(pattern=CODE_PATTERN)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
CurrencyInQuery = Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$", description="An ISO 4217 currency code")]
DECIMAL_PATTERN = rf"^[0-9]{{1,{AMOUNT_DIGITS}}}(\.[0-9]{{1,4}})?$"
Amount = Annotated[str, Field(pattern=DECIMAL_PATTERN, examples=["1000.00"],
                              description="A decimal string, never a JSON number")]


def text(rule: TextRule, *, required: bool = True, **kwargs: Any) -> Any:
    """The field of free text a rule of coalition.domain.limits describes: its length and its characters."""
    return Field(min_length=1 if required else None, max_length=rule.max_length, pattern=rule.pattern, **kwargs)


# Free text, one type per rule (coalition.domain.limits), so every path refuses the same text.
Name = Annotated[str, text(limits.NAME)]
Title = Annotated[str, text(limits.TITLE)]
Note = Annotated[str, text(limits.NOTE, required=False)]
OptionalName = Annotated[str, text(limits.NAME, required=False)]
Reason = Annotated[str, text(limits.REASON)]
Justification = Annotated[str, text(limits.JUSTIFICATION)]
Comment = Annotated[str, text(limits.COMMENT, required=False)]
Minutes = Annotated[str, text(limits.MINUTES, required=False)]
Description = Annotated[str, text(limits.DESCRIPTION, required=False, description="What was given (in-kind)")]
ValuationSource = Annotated[str, text(limits.VALUATION_SOURCE)]
ExternalRef = Annotated[str, text(limits.EXTERNAL_REF)]
Reference = Annotated[str, text(limits.REFERENCE, required=False)]
GrantReference = Annotated[str, text(limits.GRANT_REFERENCE, required=False)]
EvidenceReference = Annotated[str, text(limits.EVIDENCE_REFERENCE)]
Unit = Annotated[str, text(limits.UNIT)]
StockNumber = Annotated[str, text(limits.STOCK_NUMBER)]
TokenName = Annotated[str, text(limits.TOKEN_NAME, examples=["ministry ERP"])]
Subject = Annotated[str, text(limits.SUBJECT)]
EarmarkText = Annotated[str, text(limits.EARMARK, examples=["none", "areas:cybersecurity", "requirement:IT-R1"])]
Label = Annotated[str, text(limits.LABEL)]
ArticleSource = Annotated[str, text(limits.ARTICLE_SOURCE, examples=["https://www.mil.gov.ua/news/..."])]
ArticleText = Annotated[str, text(limits.ARTICLE_TEXT)]


class Body(BaseModel):
    """Request bodies refuse fields they do not know, so a misspelt field is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- who is calling ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Caller:
    """The platform, the authenticated actor (the public if nobody signed in), the request id and, for a browser,
    its session."""

    platform: Platform
    actor: Actor
    request_id: str
    session: Session | None = None
    answers: WholeAnswers | None = None

    def read(self) -> UnitOfWork:
        return self.platform.uow(read_only=True)

    def write(self) -> UnitOfWork:
        return self.platform.uow()

    def signed_in(self) -> Actor:
        """The actor, or Unauthenticated for the public (for acts on one's own account)."""
        if self.actor.user == PUBLIC_ACTOR.user:
            raise Unauthenticated("sign in first (a password session or an API token)", field="authorization")
        return self.actor


def bearer_actor(platform: Platform, authorization: str, write: bool) -> Actor:
    """The actor of an 'Authorization: Bearer <token>' header."""
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthenticated("send the API token as 'Authorization: Bearer <token>'", field="authorization")
    return actor_for_token(platform.uow(read_only=True), credentials.strip(), write=write)


# --- browser sessions -------------------------------------------------------------------------------------------


def session_token(request: Request) -> str | None:
    """The token of the session cookie the browser sent, if any."""
    return request.cookies.get(SESSION_COOKIE) or None


def check_session(platform: Platform, token: str) -> SessionCheck:
    """The live session ``token`` names (SessionEnded otherwise), its use noted at most once a minute.

    Read from the database on every request, never kept in memory: a session ended by any process
    (signing out, an administrator, the command line) is refused at once by every other.
    """
    policy = platform.session_policy
    check = actor_for_session(platform.uow(read_only=True), token, policy)
    if check.touch_due:
        # Behind a long write on SQLite (a bulk import), the use is noted by a later request rather than keep
        # this one waiting, unless half the idle time has passed since the last note.
        urgent = policy.touch_urgent(check.session, check.checked_at)
        with contextlib.suppress(WriterBusy):
            touch_session(platform.uow(operational=True, wait=urgent), check)
    return check


def _cookie_options(platform: Platform) -> dict[str, Any]:
    # Lax, not Strict: the identity provider's redirect back must find the sign-in state; changes are guarded
    # by the CSRF token, which no other site can read.
    return {"path": "/", "httponly": True, "samesite": "lax",
            "secure": platform.settings.env is Environment.PRODUCTION}


def set_session_cookie(response: Response, platform: Platform, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=platform.settings.session_hours * 3600,
                        **_cookie_options(platform))


def clear_session_cookie(response: Response, platform: Platform) -> None:
    response.delete_cookie(SESSION_COOKIE, **_cookie_options(platform))


def require_csrf(session: Session, request: Request) -> None:
    """A change made in a browser session must echo the session's CSRF token in the X-CSRF-Token header."""
    if not hmac.compare_digest(session.csrf_token, request.headers.get(CSRF_HEADER, "")):
        raise CsrfFailed(f"a change made in a browser session needs the session's {CSRF_HEADER} header",
                         field=CSRF_HEADER)


def credential_key(authorization: str, write: bool) -> tuple[str, str, bool]:
    """What identifies an API token in the ReadCache (a digest, never the secret itself)."""
    return "token", hashlib.sha256(authorization.encode()).hexdigest(), write


async def caller(request: Request) -> Caller:
    """Who is calling: an API token (from the cache when checked moments ago), else the browser's session (always
    from the database, with its CSRF token on changes), else the public."""
    platform: Platform = request.app.state.platform
    request_id: str = request.state.request_id
    write = request.method not in SAFE_METHODS
    authorization = request.headers.get("authorization")
    session: Session | None = None
    if authorization:
        cache: ReadCache = request.app.state.credentials
        key = credential_key(authorization, write)
        known: Actor | None = cache.get(key)
        if known is None:
            generation = cache.generation
            known = await run_in_threadpool(bearer_actor, platform, authorization, write)
            cache.put(key, generation, known)
    elif (token := session_token(request)) is not None:
        check = await run_in_threadpool(check_session, platform, token)
        if write:
            require_csrf(check.session, request)
        known, session = check.actor, check.session
    else:
        known = PUBLIC_ACTOR
    actor = known.for_request(request_id)
    request.state.actor = actor
    return Caller(platform, actor, request_id, session, getattr(request.app.state, "whole_answers", None))


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
    who.signed_in()
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
    """At most the counter's ``limit`` attempts per client address in any minute: counted in this process's memory
    on SQLite, in the database on PostgreSQL (coalition.adapters.shared_state)."""

    def __init__(self, attempts: Attempts) -> None:
        self.attempts = attempts

    def hit(self, client: str) -> None:
        retry = self.attempts.attempt(client)
        if retry is not None:
            raise TooManyRequests(f"too many attempts from this client; retry in {retry} s", retry)


def rate_limited(request: Request) -> None:
    """Count an attempt against the client's address, as coalition.entrypoints.api.clients decided it."""
    limiter: RateLimiter = request.app.state.login_limiter
    limiter.hit(client_address(request.scope))


RateLimited = Depends(rate_limited)


