"""The HTTP API: one FastAPI application over the same services as the command line.

Errors are mapped here, once: every failure leaves as {"code", "message", "field"} with its status.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import structlog
from authlib.integrations.base_client.errors import OAuthError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from coalition import __version__
from coalition.bootstrap import Platform
from coalition.config import Environment, Settings
from coalition.domain.errors import (
    Busy,
    CoalitionError,
    Conflict,
    InvalidInput,
    InvariantViolated,
    NotFound,
    PermissionDenied,
)
from coalition.domain.identity import SessionEnded, Unauthenticated
from coalition.domain.limits import LINES_PATTERN, ONE_LINE_PATTERN, control_rule
from coalition.entrypoints.api import (
    auth,
    documents,
    exports,
    funding,
    health,
    innovation,
    intake,
    jobs,
    mechanisms,
    notifications,
    planning,
    procurement,
    registry,
    search,
    steering,
)
from coalition.entrypoints.api.clients import ClientAddresses
from coalition.entrypoints.api.core import (
    CACHED_READS,
    ERROR_RESPONSES,
    PREFERENCES_COOKIE,
    CsrfFailed,
    News,
    RateLimiter,
    ReadCache,
    TooManyRequests,
    WholeAnswers,
    bearer_actor,
    clear_session_cookie,
    error_response,
    session_token,
)
from coalition.entrypoints.api.health import Metrics, RequestMetrics
from coalition.entrypoints.api.hygiene import BodyTooLarge, CachedReads, Hygiene
from coalition.entrypoints.api.openapi import decimal_patterns, integer_bounds
from coalition.entrypoints.web import DOCUMENT_UPLOAD_PATH, IMPORT_PATH, error_page, is_page
from coalition.entrypoints.web import mount as mount_pages
from coalition.entrypoints.web.core import session_ended_page
from coalition.entrypoints.web.i18n import DEFAULT, error_message, negotiate

STATIC = Path(__file__).parent / "static"
PREFIX = "/api/v1"
# How uvicorn serves the application, wherever it is started: the application decides who the client is
# (coalition.entrypoints.api.clients), so uvicorn believes no forwarded header itself.
SERVER_OPTIONS: dict[str, Any] = {"proxy_headers": False, "server_header": False, "access_log": False}
IMPORT_PATHS = (f"{PREFIX}/imports", f"{PREFIX}/fx-rates", IMPORT_PATH)
# Document uploads take a body as large as a document may be, and a little more for a web form's other fields.
DOCUMENT_PATHS = (f"{PREFIX}/documents", DOCUMENT_UPLOAD_PATH)
DOCUMENT_FORM_BYTES = 65_536

log = structlog.get_logger("coalition.api")

STATUS_OF: dict[type[CoalitionError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    PermissionDenied: 403,
    CsrfFailed: 403,
    Unauthenticated: 401,
    Conflict: 409,
    InvariantViolated: 409,
    TooManyRequests: 429,
    Busy: 503,
}

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Coalition API</title>
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css"></head>
<body data-openapi="{openapi}"><main id="swagger-ui"></main>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-ui/init.js"></script></body></html>
"""


# Messages that say the rule, where pydantic's would quote a pattern or only name the type.
CHARACTER_RULES = {ONE_LINE_PATTERN: control_rule(lines=False), LINES_PATTERN: control_rule(lines=True)}
STRICT_TYPES = {"int_type": "must be a whole number, written as a JSON number (not a string)",
                "bool_type": "must be true or false, written as a JSON boolean (not a number or a string)"}


def _status(error: CoalitionError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 400


async def _on_domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, CoalitionError)
    if isinstance(error, SessionEnded):  # the browser's cookie names a session that is over: forget it
        response = (session_ended_page(request) if is_page(request) else
                    error_response(401, error.code, error.message, error.field,
                                   {"WWW-Authenticate": 'Bearer realm="coalition"'}))
        clear_session_cookie(response, request.app.state.platform)
        return response
    status = _status(error)
    headers: dict[str, str] = {}
    code = error.code
    anonymous = not request.headers.get("authorization") and session_token(request) is None
    if status == 403 and anonymous and not isinstance(error, CsrfFailed):
        status, code = 401, Unauthenticated.code  # the public was refused: signing in may help
    if is_page(request):
        return await error_page(request, status, str(error), error)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="coalition"'
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Busy):
        headers["Retry-After"] = "1"
    asked = request.headers.get("accept-language")
    language = negotiate(asked) if asked else DEFAULT  # the message in the caller's language, where it is worded
    if language != DEFAULT:
        headers["Content-Language"] = language
    return error_response(status, code, error_message(language, error), error.field, headers)


async def _on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problem = error.errors()[0]
    location = [str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = ".".join(location) or None
    message = str(problem.get("msg", "is not valid")).removeprefix("Value error, ")
    kind = problem.get("type")
    if kind == "string_type" and isinstance(problem.get("input"), int | float):
        message = "must be a string: amounts are decimal strings such as \"12.50\", never JSON numbers"
    elif kind == "string_pattern_mismatch" and (problem.get("ctx") or {}).get("pattern") in CHARACTER_RULES:
        message = CHARACTER_RULES[problem["ctx"]["pattern"]]
    elif kind in STRICT_TYPES:
        message = STRICT_TYPES[kind]
    if is_page(request):
        return await error_page(request, 422, f"{field}: {message}" if field else message)
    return error_response(422, "invalid_input", message, field)


def _allowed_methods(app: FastAPI, path: str) -> str:
    """The methods the OpenAPI document gives the path (the router only knows the first route it matched)."""
    parts = path.split("/")
    for template, operations in app.openapi()["paths"].items():
        pattern = template.split("/")
        if len(pattern) == len(parts) and all(p == q or p.startswith("{") for p, q in zip(pattern, parts,
                                                                                            strict=True)):
            return ", ".join(sorted(m.upper() for m in operations))
    return ""


def _too_large(error: BaseException) -> Response | None:
    """A body cut off at the size limit, whatever error reading it turned into."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, BodyTooLarge):
            return error_response(413, "body_too_large", "the request body is larger than allowed", "body")
        cause = cause.__cause__ or cause.__context__
    return None


async def _on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    headers = dict(error.headers or {})
    too_large = _too_large(error)
    if too_large is not None:
        return too_large
    if is_page(request) and error.status_code in (400, 404, 405):
        return await error_page(request, error.status_code)
    if error.status_code == 400:  # the body could not be parsed at all
        return error_response(422, "invalid_input", "the body is not valid JSON", "body")
    if error.status_code == 405:
        headers["Allow"] = _allowed_methods(request.app, request.url.path)
        return error_response(405, "method_not_allowed", f"{request.method} is not allowed here; use "
                                                         f"{headers['Allow']}", None, headers)
    codes = {404: "not_found"}
    message = "no such path in the API" if error.status_code == 404 else str(error.detail)
    return error_response(error.status_code, codes.get(error.status_code, "http_error"), message, None, headers)


def _on_provider_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, OAuthError)
    return error_response(401, "unauthenticated", f"the identity provider's answer was refused: {error.error}",
                          "oidc")


def _on_unexpected(request: Request, error: Exception) -> Response:
    too_large = _too_large(error)
    if too_large is not None:
        return too_large
    request_id = getattr(request.state, "request_id", "")
    log.error("unexpected error", request_id=request_id, error=type(error).__name__)
    return error_response(500, "internal_error", f"an unexpected error occurred; quote request id {request_id}")


def _identity_provider(settings: Settings) -> Any:
    """The OpenID Connect client of the identity provider the settings name."""
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register("provider", client_id=settings.oidc_client_id, client_secret=settings.oidc_client_secret,
                   server_metadata_url=f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration",
                   client_kwargs={"scope": "openid email profile"})
    return oauth.create_client("provider")


def _listening(platform: Platform, caches: tuple[ReadCache, ...]) -> Callable[[FastAPI], Any]:
    """While the server runs: on PostgreSQL, empty ``caches`` whenever any process commits a change; where this
    process runs the jobs itself, its worker (for the jobs queued before it started)."""

    def emptied() -> None:
        for cache in caches:
            cache.changed()

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        listener = platform.change_listener(emptied)
        news = News(listener.sync) if listener is not None else None
        if listener is not None:
            for cache in caches:
                cache.news = news
            # Answers live until a change; who a credential stands for keeps its time limit (tokens expire).
            caches[0].listening = listener.connected.is_set
            listener.start()
        queue = _app.state.import_jobs
        if queue.worker is not None:
            queue.worker.wake()
        try:
            yield
        finally:
            queue.stop()
            if listener is not None:
                listener.stop()
            if news is not None:
                news.close()

    return lifespan


def _answer_errors(app: FastAPI) -> None:
    """Every error, expected or not, answered as one JSON body naming its code (and field, where known)."""
    app.add_exception_handler(CoalitionError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(OAuthError, _on_provider_error)
    app.add_exception_handler(Exception, _on_unexpected)


def _documented(app: FastAPI) -> None:
    """The API's documentation page and its OpenAPI document (decimals as patterned strings, integers bounded)."""

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE.format(openapi=app.openapi_url))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes, openapi_version=app.openapi_version)
            app.openapi_schema = integer_bounds(decimal_patterns(schema))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(platform: Platform) -> FastAPI:
    """The application for ``platform`` (a database, a clock, settings)."""
    settings = platform.settings
    app = FastAPI(title="Coalition API", version=__version__, openapi_url=f"{PREFIX}/openapi.json",
                  docs_url=None, redoc_url=None, responses=ERROR_RESPONSES,
                  description="Members, instruments, money and equipment of capability coalitions on one audited "
                              "record. Money is a decimal string with its currency, never a JSON number.",
                  # The server writes its own structured request logs; no tracing hooks on every request.
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.platform = platform
    app.state.contribution_writer = funding.contribution_writer(lambda: app.state.platform)
    app.state.login_limiter = RateLimiter(platform.sign_in_attempts())
    app.state.read_cache = read_cache = ReadCache(settings.cache_seconds)
    app.state.credentials = credentials = ReadCache(settings.cache_seconds)
    app.state.whole_answers = WholeAnswers(read_cache)
    platform.on_commit(read_cache.changed)  # every committed change, by any request of this process
    app.router.lifespan_context = _listening(platform, (read_cache, credentials))
    app.state.metrics = metrics = Metrics(platform, lambda: app.state.import_jobs.counts())
    _answer_errors(app)
    app.include_router(health.router)
    for router in (auth.router, registry.router, funding.router, planning.router, steering.router,
                   procurement.router, innovation.router, mechanisms.router, intake.router, exports.router,
                   jobs.router, documents.router, notifications.router, search.router):
        app.include_router(router, prefix=PREFIX)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    mount_pages(app, platform)

    _documented(app)
    if settings.oidc_issuer:
        app.state.oidc = _identity_provider(settings)
    production = settings.env is Environment.PRODUCTION
    # What the pages remember for any visitor, signed in or not (language, one-time messages, the CSRF token of
    # the sign-in form) and the identity provider's sign-in state: a signed cookie, which authenticates nobody.
    # Who is signed in is the session the separate coalition_session cookie names (entrypoints/api/core.py).
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie=PREFERENCES_COOKIE,
                       max_age=settings.session_hours * 3600,
                       # Lax, not Strict: the identity provider's redirect back must carry the sign-in state.
                       same_site="lax", https_only=production)
    app.add_middleware(CachedReads, cache=read_cache, credentials=credentials, templates=sorted(CACHED_READS),
                       authenticate=lambda header: bearer_actor(app.state.platform, header, False),
                       answered=lambda kept: metrics.cache.labels("hit" if kept else "miss").inc())
    app.add_middleware(RequestMetrics, metrics=metrics)
    app.add_middleware(Hygiene, max_body=settings.max_body_bytes, max_import=settings.max_import_bytes,
                       import_paths=IMPORT_PATHS, https=production,
                       max_document=settings.document_max_bytes + DOCUMENT_FORM_BYTES, document_paths=DOCUMENT_PATHS,
                       caches={f"{PREFIX}/auth": credentials, f"{PREFIX}/users": credentials},
                       clients=ClientAddresses(settings.trusted_networks))
    return app
