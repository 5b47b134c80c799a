"""The web pages: server-rendered with Jinja2 and htmx, in English and Ukrainian, over the same services
and policies as the API. ``mount`` adds them to the API's application (one server, one session)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from coalition.bootstrap import Platform
from coalition.domain.access import PUBLIC_ACTOR
from coalition.domain.errors import CoalitionError
from coalition.domain.identity import Unauthenticated
from coalition.entrypoints.api.core import check_session, session_token
from coalition.entrypoints.web import cases, intake_queue, mechanisms, open_data, pages, search
from coalition.entrypoints.web.core import Viewer, render
from coalition.entrypoints.web.i18n import N_, error_text, negotiate
from coalition.entrypoints.web.imports import ImportJobs

STATIC = Path(__file__).parent / "static"
ASSETS = "/assets"
IMPORT_PATH = "/imports"
DOCUMENT_UPLOAD_PATH = "/documents"  # the pages' form that attaches a file to a record


def mount(app: FastAPI, platform: Platform) -> None:
    app.state.import_jobs = ImportJobs(platform)
    app.include_router(pages.router)
    app.include_router(mechanisms.router)
    app.include_router(intake_queue.router)
    app.include_router(open_data.router)
    app.include_router(search.router)
    app.include_router(cases.router)
    app.mount(ASSETS, StaticFiles(directory=STATIC), name="assets")


def is_page(request: Request) -> bool:
    """Whether the request is for a web page (its errors are pages too), not the API or a file."""
    path = request.url.path
    return not path.startswith(("/api/", ASSETS + "/", "/static/"))


HEADINGS = {400: N_("The request is not valid"), 401: N_("Sign in first"), 403: N_("Not allowed"),
            404: N_("Not found"), 409: N_("Not done"), 413: N_("Too large"), 422: N_("Not valid"),
            429: N_("Too many attempts"), 500: N_("Something went wrong"), 503: N_("Busy")}
MESSAGES = {400: N_("The request could not be read."), 404: N_("There is no such page."),
            405: N_("This page cannot be used that way.")}


async def error_page(request: Request, status: int, message: str | None = None,
                     error: CoalitionError | None = None) -> Response:
    """An error as a page (or, for an htmx request, as the fragment that replaces the target)."""
    platform: Platform = request.app.state.platform
    preferences = request.scope.get("session") or {}
    actor, csrf = PUBLIC_ACTOR, str(preferences.get("csrf", ""))
    token = session_token(request)
    if token is not None:
        try:
            check = await run_in_threadpool(check_session, platform, token)
        except Unauthenticated:
            pass  # a session that is over: the error is shown as to the public
        else:
            actor, csrf = check.actor, check.session.csrf_token
    language = preferences.get("lang") or negotiate(request.headers.get("accept-language"))
    who = Viewer(platform, actor, language, csrf, getattr(request.state, "request_id", ""), platform.clock().date())
    heading = who.gettext(HEADINGS.get(status, "Not done"))
    template = "_error.html" if request.headers.get("hx-request") else "error.html"
    return render(request, who, template, status, heading=heading,
                  message=error_text(language, error) if error is not None and error.template else
                  who.gettext(message or MESSAGES.get(status, HEADINGS.get(status, "Not done"))),
                  code=status)
