"""The outermost layer of the server: the client's address, request ids, body size limits, security headers, one
log line per request.

Written as plain ASGI (not a Starlette BaseHTTPMiddleware) so it costs little on every request.
Logs carry the method, path, status, time, request id, client address and user, never headers, bodies or
secrets.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
import uuid
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import parse_qs

import structlog
from fastapi.concurrency import run_in_threadpool

from coalition.domain.access import PUBLIC_ACTOR, Actor
from coalition.entrypoints.api.clients import ClientAddresses, client_address
from coalition.entrypoints.api.core import SESSION_COOKIE, ErrorBody, ReadCache, credential_key

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", CSP.encode()),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")

log = structlog.get_logger("coalition.api")
# Request ids: random per server process, then counted (unique, and cheaper than asking the OS each time).
_PROCESS = uuid.uuid4().hex[:20]
_COUNTER = itertools.count(1)


class BodyTooLarge(Exception):
    pass


def _error(status: int, code: str, message: str, request_id: str) -> tuple[Message, Message]:
    body = ErrorBody(code=code, message=message, field="body").model_dump_json().encode()
    start = {"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode()), *SECURITY_HEADERS]}
    return start, {"type": "http.response.body", "body": body}


async def _too_large(send: Send, limit: int, request_id: str) -> None:
    start, body = _error(413, "body_too_large", f"the request body is larger than {limit} bytes", request_id)
    await send(start)
    await send(body)


class Hygiene:
    def __init__(self, app: Any, *, max_body: int, max_import: int, import_paths: tuple[str, ...],
                 https: bool, caches: dict[str, ReadCache], clients: ClientAddresses, max_document: int = 0,
                 document_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.clients = clients
        self.caches = caches  # path prefix -> the cache a request that may change something under it empties
        self.max_body = max_body
        self.max_import = max_import
        self.import_paths = import_paths
        self.max_document = max_document
        self.document_paths = document_paths
        self.extra = [HSTS] if https else []

    def _limit(self, method: str, path: str) -> int:
        """The largest body a request may send: an import's, a document upload's, or any other's."""
        if path.startswith(self.import_paths):
            return self.max_import
        if method == "POST" and path in self.document_paths:
            return max(self.max_document, self.max_body)
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        self.clients.resolve(scope)  # once, before anything reads the client's address
        headers = dict(scope["headers"])
        offered = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _REQUEST_ID.fullmatch(offered) else f"{_PROCESS}{next(_COUNTER):012x}"
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        limit = self._limit(scope["method"], path)
        status = 500
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit, request_id)
            self._log(scope, 413, started, request_id)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message: Message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        response_started = False
        writes = scope["method"] not in ("GET", "HEAD", "OPTIONS")

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                if writes:
                    self._changed(path)  # before the client hears back, so its next check is fresh
                spent = (time.perf_counter() - started) * 1000
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode()),
                                      (b"server-timing", f"app;dur={spent:.1f}".encode()),
                                      *SECURITY_HEADERS, *self.extra]
                if not path.startswith(("/static/", "/assets/")):  # answers and pages may hold confidential data
                    message["headers"].append((b"cache-control", b"no-store"))
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if response_started:
                raise
            status = 413
            await _too_large(send, limit, request_id)
        finally:
            if writes and not response_started:
                self._changed(path)
            self._log(scope, status, started, request_id)

    def _changed(self, path: str) -> None:
        for prefix, cache in self.caches.items():
            if path.startswith(prefix):
                cache.changed()

    @staticmethod
    def _log(scope: Scope, status: int, started: float, request_id: str) -> None:
        state = scope.get("state", {})
        actor = state.get("actor")
        log.info("request", method=scope["method"], path=scope["path"], status=status,
                 ms=round((time.perf_counter() - started) * 1000, 2), request_id=request_id,
                 client=client_address(scope), user=getattr(actor, "user", None))


class CachedReads:
    """Answers a repeated heavy read (a route declared ``cached``) from the ReadCache, before any routing.

    The answer is kept per path and query and per viewer class (party and roles: all that masking
    depends on), only when the service answered 200, and only for callers with an API token or no
    credential at all (a browser session goes the long way, through its session in the database). Who a token
    stands for comes from the same cache, filled when the token was last checked in full.
    """

    def __init__(self, app: Any, *, cache: ReadCache, credentials: ReadCache, templates: Collection[str],
                 authenticate: Callable[[str], Actor], answered: Callable[[bool], None] = lambda kept: None) -> None:
        self.app = app
        self.cache = cache
        self.credentials = credentials
        self.authenticate = authenticate
        self.answered = answered  # told of every cacheable read: True if the cache answered it
        self.patterns = [(re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", t) + "$"), t) for t in templates]
        # One computation per key at a time: the others wait for its answer instead of all computing it.
        self.inflight: dict[Any, asyncio.Future[Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.cache.news is not None and self._cached_route(scope):
            # every change acknowledged before this request is heard of before anything kept is looked at: the
            # answers, who a token stands for, and the whole answers pages are cut from
            await self.cache.news.hear()
        actor = await self._cacheable_for(scope)
        if actor is None:  # passed through as it streams: only a cached read's answer is gathered and kept
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"], actor.party, actor.grants)
        mine: asyncio.Future[Any] | None = None
        body = await self._kept(key)
        self.answered(body is not None)
        if body is not None:
            state = scope.setdefault("state", {})
            state["actor"] = actor
            state["cached_route"] = next(t for pattern, t in self.patterns if pattern.match(scope["path"]))
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        if key not in self.inflight:  # else another computation is on (its answer was not kept): run too
            mine = self.inflight[key] = asyncio.get_running_loop().create_future()
        try:
            await self._compute(scope, receive, send)
        finally:
            if mine is not None:
                if self.inflight.get(key) is mine:
                    del self.inflight[key]
                mine.set_result(self.cache.get(key))

    async def _cacheable_for(self, scope: Scope) -> Actor | None:
        """Who a request whose answer may come from the cache stands for; None for any other request (not a GET of a
        cached route, a browser session, or a token that does not hold)."""
        if not self._cached_route(scope):
            return None
        if b"format=" in scope["query_string"] and parse_qs(scope["query_string"].decode("latin-1")).get(
                "format", ["json"]) != ["json"]:
            return None  # a list as a file is streamed, never kept
        headers = dict(scope["headers"])
        if b"cookie" in headers and SESSION_COOKIE.encode() in headers[b"cookie"]:
            return None
        authorization = headers.get(b"authorization")
        return PUBLIC_ACTOR if authorization is None else await self._actor(authorization.decode("latin-1"))

    def _cached_route(self, scope: Scope) -> bool:
        return scope["type"] == "http" and scope["method"] == "GET" and any(p.match(scope["path"])
                                                                            for p, _ in self.patterns)

    async def _kept(self, key: Any) -> bytes | None:
        """The answer kept for ``key``: fresh, or, while it is being computed, this generation's previous one (only
        its time is up); with none (a write came between), the new one is awaited."""
        body, fresh = self.cache.peek(key)
        if fresh:
            return body  # type: ignore[no-any-return]
        pending = self.inflight.get(key)
        if pending is None:
            return None
        return body if body is not None else await asyncio.shield(pending)

    async def _actor(self, header: str) -> Actor | None:
        """Who a bearer token stands for, checked in full once per cache period (and once at a time)."""
        credential = credential_key(header, False)
        actor, fresh = self.credentials.peek(credential)
        if fresh or (actor is not None and credential in self.inflight):
            return actor  # type: ignore[no-any-return]
        if credential in self.inflight:
            return await asyncio.shield(self.inflight[credential])
        self.inflight[credential] = asyncio.get_running_loop().create_future()
        generation = self.credentials.generation
        try:
            actor = await run_in_threadpool(self.authenticate, header)
        except Exception:
            actor = None
        else:
            self.credentials.put(credential, generation, actor)
        finally:
            self.inflight.pop(credential).set_result(actor)
        return actor  # type: ignore[no-any-return]

    async def _compute(self, scope: Scope, receive: Receive, send: Send) -> None:
        generation = self.cache.generation
        chunks: list[bytes] = []
        status = 0

        async def keep(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status == 200:
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        served_to: Actor | None = scope.get("state", {}).get("actor")
        if status == 200 and served_to is not None:
            self.cache.put((scope["path"], scope["query_string"], served_to.party, served_to.grants), generation,
                           b"".join(chunks))
