"""What every page shares: who is looking and in which language, CSRF, flash messages, rendering, errors.

A page is rendered on the server from the same services (and so the same permission and masking
rules) as the API. Every form carries the CSRF token (the signed-in session's, kept with the session
in the database; before signing in, the one in the signed preferences cookie); htmx requests send it
as a header.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from coalition.bootstrap import Platform
from coalition.domain.access import PUBLIC_ACTOR, Actor, can
from coalition.domain.common import parse_date
from coalition.domain.contributions import Earmark, EarmarkKind
from coalition.domain.errors import CoalitionError, InvalidInput, refusal
from coalition.domain.identity import LANGUAGES, Session
from coalition.domain.intake_queue import COMPARISONS
from coalition.domain.steering import REASONS
from coalition.domain.wording import read_back
from coalition.entrypoints.api.core import CSRF_HEADER, CsrfFailed, check_session, new_csrf_token, session_token
from coalition.entrypoints.web import downloads
from coalition.entrypoints.web.i18n import N_, Formats, error_text, negotiate, translations
from coalition.services import notifications
from coalition.services.intake_queue import RESULTS
from coalition.services.ports import UnitOfWork
from coalition.services.proposal_kinds import EFFECTS

TEMPLATES = Path(__file__).parent / "templates"


def _environment(language: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",)),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    catalog = translations(language)
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]

    env.filters["label"] = lambda value: label(language, value)
    env.filters["as_date"] = date.fromisoformat
    env.filters["said"] = lambda text: said(language, text)
    env.filters["earmark"] = lambda text: earmark_words(language, text)
    env.filters["country"] = Formats(language).country
    return env


def label(language: str, value: object) -> str:
    """A stored value (a stage, role, state, outcome...) as words in ``language``."""
    text = str(value)
    translated = translations(language).gettext(text)
    return translated.replace("-", " ") if translated == text else translated


EARMARK_WORDS = {EarmarkKind.AREAS: N_("areas: %(targets)s"), EarmarkKind.REQUIREMENT: N_("requirement %(targets)s"),
                 EarmarkKind.PACKAGE: N_("package %(targets)s"), EarmarkKind.ROUTE: N_("route: %(targets)s")}


def earmark_words(language: str, text: Earmark | str | None) -> str:
    """An earmark (or its text as kept: ``none``, ``areas:a,b``, ``requirement:R``...) in words of ``language``;
    any other text (a masked or summed line) translated as it is."""
    catalog = translations(language)
    try:
        found = text if isinstance(text, Earmark) else Earmark.parse(text or "none")
    except InvalidInput:
        return catalog.gettext(str(text or ""))
    if found.kind is EarmarkKind.NONE:
        return catalog.gettext("no earmark")
    targets = ", ".join(label(language, t) if found.kind is EarmarkKind.ROUTE else t for t in found.targets)
    return catalog.gettext(EARMARK_WORDS[found.kind]) % {"targets": targets}


KEPT_SENTENCES = (*REASONS, *EFFECTS, *COMPARISONS, *RESULTS)


def said(language: str, text: str) -> str:
    """A sentence the record keeps in English (a decision's reason or effect) in ``language``: read back into its
    template and values (``domain.wording``), each translated where the catalog knows it; as kept otherwise."""
    found = read_back(text, KEPT_SENTENCES)
    if found is None:
        return text
    catalog = translations(language)
    return catalog.gettext(found.template).format(**{k: catalog.gettext(v) for k, v in found.values.items()})


# One environment per language: the translations are bound once, never swapped under a running request.
ENVIRONMENTS = {language: _environment(language) for language in LANGUAGES}


@dataclass
class Viewer:
    """Who is looking at a page, in which language, on which day."""

    platform: Platform
    actor: Actor
    language: str
    csrf: str
    request_id: str
    today: date
    coalition: str | None = None
    flashes: list[tuple[str, str]] = field(default_factory=list)
    session: Session | None = None  # the signed-in browser's session

    @property
    def signed_in(self) -> bool:
        return self.actor.user != PUBLIC_ACTOR.user

    def read(self) -> UnitOfWork:
        return self.platform.uow(read_only=True)

    def write(self) -> UnitOfWork:
        return self.platform.uow()

    def may(self, action: str, coalition: str | None = None) -> bool:
        return can(self.actor, action, coalition if coalition is not None else self.coalition).allowed

    @cached_property
    def unread(self) -> int:
        """How many of the signed-in user's notifications are unread (the bell in the header)."""
        return notifications.unread(self.read(), self.actor) if self.signed_in else 0

    @property
    def fmt(self) -> Formats:
        return Formats(self.language)

    def label(self, value: object) -> str:
        return label(self.language, value)

    def said(self, text: str) -> str:
        """A sentence the record keeps, in the viewer's language (``said``)."""
        return said(self.language, text)

    def gettext(self, message: str, **values: Any) -> str:
        text = translations(self.language).gettext(message)
        return text % values if values else text


def _anonymous_csrf(request: Request) -> str:
    """The CSRF token of a visitor not signed in (its sign-in and language forms), in the preferences cookie."""
    preferences: dict[str, Any] = request.session
    if "csrf" not in preferences:
        preferences["csrf"] = new_csrf_token()
    return str(preferences["csrf"])


def language_of(request: Request) -> str:
    return request.session.get("lang") or negotiate(request.headers.get("accept-language"))


async def viewer(request: Request) -> Viewer:
    """The viewer of this request: the session's user (the public if none), language and CSRF token.

    A cookie naming a session that is over raises SessionEnded: the page is not shown, the browser is
    sent to sign in again (see ``session_ended_page``).
    """
    platform: Platform = request.app.state.platform
    token = session_token(request)
    check = None if token is None else await run_in_threadpool(check_session, platform, token)
    request_id: str = request.state.request_id
    actor = (PUBLIC_ACTOR if check is None else check.actor).for_request(request_id)
    request.state.actor = actor
    csrf = _anonymous_csrf(request) if check is None else check.session.csrf_token
    flashes = request.session.pop("flash", [])
    return Viewer(platform, actor, language_of(request), csrf, request_id, platform.clock().date(),
                  flashes=[(kind, text) for kind, text in flashes],
                  session=None if check is None else check.session)


SESSION_ENDED = N_("Your session has ended. Sign in again.")


def session_ended_page(request: Request) -> Response:
    """To the sign-in page, saying why, for a browser whose session is over (htmx: the whole page goes there)."""
    flash(request, "error", translations(language_of(request)).gettext(SESSION_ENDED))
    target = "/login"
    if request.url.path == "/login":
        target += f"?{request.url.query}" if request.url.query else ""
    elif request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += f"?next={quote(here, safe='')}"
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def checked_form(request: Request, who: Viewer) -> dict[str, str]:
    """The submitted form, once its CSRF token (field or header) matches the session's."""
    form = await request.form()
    sent = str(form.get("csrf_token") or request.headers.get(CSRF_HEADER) or "")
    if not sent or not hmac.compare_digest(sent, who.csrf):
        raise CsrfFailed("the form has expired or did not come from this site; reload the page and try again",
                         field="csrf_token")
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


def flash(request: Request, kind: str, text: str) -> None:
    """A message shown once, on the next page (kind: 'ok' or 'error')."""
    request.session.setdefault("flash", []).append((kind, text))


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target on this site only (never another host)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


# The words of the links after every table, per language (coalition.entrypoints.web.downloads).
DOWNLOAD_TEXTS = {language: {key: translations(language).gettext(text) for key, text in downloads.TEXTS.items()}
                  for language in LANGUAGES}


def render(request: Request, who: Viewer, template: str, status: int = 200, **context: Any) -> Response:
    """The page; each of its tables followed by links to download it, or, asked ``?download=csv&table=N``, that
    table as a file."""
    page = ENVIRONMENTS[who.language].get_template(template)
    html = page.render(who=who, fmt=who.fmt, request=request, path=request.url.path,
                       query=request.url.query, **context)
    if request.method == "GET" and status == 200:
        if downloads.wants_file(request):
            return downloads.table_file(who.platform, html, request, downloads.page_name(request))
        html = downloads.with_download_links(html, request, DOWNLOAD_TEXTS[who.language])
    return HTMLResponse(html, status_code=status)


def form_day(form: dict[str, str], who: Viewer) -> date:
    """The day an act happened, as its form gives it (``on``); today when left empty."""
    text = form.get("on", "").strip()
    return who.today if not text else parse_date(text, "on")


def whole(text: str, field: str) -> int:
    """A form's whole number above zero, or InvalidInput naming the field."""
    if not re.fullmatch(r"[0-9]{1,9}", text.strip()) or int(text) <= 0:
        raise refusal(InvalidInput, "'{text}' is not a whole number above zero", field=field, text=text)
    return int(text)


async def act(request: Request, who: Viewer, change: Callable[[dict[str, str]], str], back: str) -> Response:
    """Run a form's change (in a worker thread); then back to ``back`` with the outcome as a flash message.

    ``change`` returns the message to show, or raises a domain error, which is shown instead (nothing
    was written: every service call is one transaction).
    """
    form = await checked_form(request, who)
    try:
        message = await run_in_threadpool(change, form)
        flash(request, "ok", message)
    except CoalitionError as error:
        flash(request, "error", error_text(who.language, error))
    return RedirectResponse(safe_next(form.get("next"), back), status_code=303)
