"""The outermost layer of the server: request ids, body size limits, security headers, one log line per request.

Written as plain ASGI (not a Starlette BaseHTTPMiddleware) so it costs little on every request.
Logs carry the method, path, status, time, request id and user, never headers, bodies or secrets.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog

from coalition.entrypoints.api.core import ErrorBody

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


class BodyTooLarge(Exception):
    pass


def _error(status: int, code: str, message: str, request_id: str) -> tuple[Message, Message]:
    body = ErrorBody(code=code, message=message, field="body").model_dump_json().encode()
    start = {"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode()), *SECURITY_HEADERS]}
    return start, {"type": "http.response.body", "body": body}


class Hygiene:
    def __init__(self, app: Any, *, max_body: int, max_import: int, import_paths: tuple[str, ...],
                 https: bool) -> None:
        self.app = app
        self.max_body = max_body
        self.max_import = max_import
        self.import_paths = import_paths
        self.extra = [HSTS] if https else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        offered = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        limit = self.max_import if path.startswith(self.import_paths) else self.max_body
        status = 500

        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            start, body = _error(413, "body_too_large", f"the request body is larger than {limit} bytes", request_id)
            await send(start)
            await send(body)
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

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode()),
                                      *SECURITY_HEADERS, *self.extra]
                if path.startswith("/api/"):
                    message["headers"].append((b"cache-control", b"no-store"))
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if response_started:
                raise
            status = 413
            start, body = _error(413, "body_too_large", f"the request body is larger than {limit} bytes", request_id)
            await send(start)
            await send(body)
        finally:
            self._log(scope, status, started, request_id)

    @staticmethod
    def _log(scope: Scope, status: int, started: float, request_id: str) -> None:
        state = scope.get("state", {})
        actor = state.get("actor")
        log.info("request", method=scope["method"], path=scope["path"], status=status,
                 ms=round((time.perf_counter() - started) * 1000, 2), request_id=request_id,
                 user=getattr(actor, "user", None))
