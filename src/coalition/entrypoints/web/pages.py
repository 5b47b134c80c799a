"""The web pages: coalition overview, priority list, allocation plans, donor statement, steering group,
procurement and deliveries, ledger and imports, audit log, the innovation pipeline; signing in and the
language switch.

Each page calls the services with the viewer's actor, so what a page shows and offers follows the
same permission and masking rules as the API and the command line.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile

from coalition.domain.allocation import Policy
from coalition.domain.audit import AuditQuery, act_day
from coalition.domain.common import parse_date
from coalition.domain.contributions import (
    Contribution,
    ContributionFilter,
    ContributionKind,
    ContributionOrder,
    Earmark,
    EarmarkKind,
    FundingRoute,
)
from coalition.domain.delivery import Condition, UnitReceipt
from coalition.domain.errors import CoalitionError, InvalidInput, refusal
from coalition.domain.identity import LANGUAGES, Unauthenticated
from coalition.domain.innovation import PROGRESSION, ScoringMethod
from coalition.domain.ledger import Measure, Period
from coalition.domain.membership import spells
from coalition.domain.money import Money
from coalition.domain.notifications import MESSAGES, WORDS, Choices, EventType, fill, parse_event_types
from coalition.domain.planning import PlanState
from coalition.domain.steering import Procedure, ProposalKind, Vote
from coalition.entrypoints.api.core import (
    AsOfQuery,
    CodeInPath,
    CodeInQuery,
    CurrencyInQuery,
    Cursor,
    DayInQuery,
    FlagInQuery,
    IdInPath,
    Offset,
    PageNumber,
    VersionInQuery,
    clear_session_cookie,
    rate_limited,
    session_token,
    set_session_cookie,
)
from coalition.entrypoints.api.documents import RecordIdInQuery, RecordTypeInQuery
from coalition.entrypoints.web import audit_words, charts, printed
from coalition.entrypoints.web.core import (
    Viewer,
    act,
    checked_form,
    earmark_words,
    flash,
    form_day,
    render,
    safe_next,
    viewer,
    whole,
)
from coalition.entrypoints.web.i18n import error_text
from coalition.entrypoints.web.imports import ImportJobs
from coalition.services import (
    audit,
    delivery,
    documents,
    funding,
    identity,
    innovation,
    notifications,
    planning,
    programmes,
    registry,
    steering,
)
from coalition.services.views import delivery as delivery_views
from coalition.services.views import funding as funding_views
from coalition.services.views import priorities as priority_views
from coalition.services.views import public_money
from coalition.services.views import steering as steering_views

router = APIRouter(include_in_schema=False)
WhoDep = Annotated[Viewer, Depends(viewer)]
PAGE = 50

# --- the start page, signing in and out, the language -------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request, who: WhoDep) -> Response:
    coalitions = registry.list_coalitions(who.read(), who.actor)
    found = programmes.list_programmes(who.read(), who.actor)
    return render(request, who, "home.html", coalitions=coalitions, programmes=found)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, who: WhoDep, next: str = "/") -> Response:
    return render(request, who, "login.html", next=safe_next(next))


@router.post("/login")
async def login(request: Request, who: WhoDep) -> Response:
    form = await checked_form(request, who)
    rate_limited(request)
    platform = who.platform
    username = form.get("username", "").strip()
    try:
        signed = await run_in_threadpool(identity.sign_in, platform.uow(), platform.password_hasher, username,
                                         form.get("password", ""), platform.session_policy,
                                         replaces=session_token(request))
    except CoalitionError:
        return render(request, who, "login.html", 401, next=safe_next(form.get("next")), username=username,
                      error=who.gettext("The user name or password is not right."))
    language = await run_in_threadpool(identity.preferred_language, platform.uow(read_only=True), signed.actor.user)
    kept = request.session.get("lang")
    request.session.clear()  # the visitor's CSRF token and messages: the session has its own token now
    request.session["lang"] = language or kept or who.language
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    set_session_cookie(response, platform, signed.token)
    return response


@router.post("/logout")
async def logout(request: Request, who: WhoDep) -> Response:
    await checked_form(request, who)
    token = session_token(request)
    if token is not None:
        await run_in_threadpool(identity.sign_out, who.platform.uow(), token)
    language = request.session.get("lang")
    request.session.clear()
    if language:
        request.session["lang"] = language
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response, who.platform)
    return response


def _signed_in(who: Viewer) -> None:
    if not who.signed_in or who.session is None:
        raise Unauthenticated("sign in first", field="session")


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, who: WhoDep) -> Response:
    _signed_in(who)
    roles = sorted(f"{g.role.value}@{g.coalition}" if g.coalition else g.role.value for g in who.actor.grants)
    contact = notifications.contact(who.read(), who.actor, who.actor.user)
    event_words = [(kind, who.gettext(WORDS[kind])) for kind in EventType]
    return render(request, who, "account.html", roles=roles, contact=contact, event_words=event_words)


EVENT_NAMES = frozenset(kind.value for kind in EventType)


@router.post("/account/notifications")
async def choose_notifications(request: Request, who: WhoDep) -> Response:
    """The user's email address and which events it is told of, by email and in the pages."""
    form = await checked_form(request, who)
    _signed_in(who)
    sent = await request.form()
    choices = Choices(frozenset(EventType(v) for v in sent.getlist("email_events") if v in EVENT_NAMES),
                      frozenset(EventType(v) for v in sent.getlist("page_events") if v in EVENT_NAMES))
    back = RedirectResponse("/account#notifications", status_code=303)
    try:
        await run_in_threadpool(notifications.set_contact, who.write(), who.actor, who.actor.user,
                                email=form.get("email", ""), choices=choices)
    except CoalitionError as error:
        flash(request, "error", error_text(who.language, error))
        return back
    flash(request, "ok", who.gettext("Your notification settings are saved."))
    return back


@router.get("/notifications", response_class=HTMLResponse)
def notification_list(request: Request, who: WhoDep) -> Response:
    _signed_in(who)
    found = notifications.notices(who.read(), who.actor)
    shown = []
    for notice in found:
        subject, body = MESSAGES[notice.type]
        shown.append((notice, fill(who.gettext(subject), notice.facts), fill(who.gettext(body), notice.facts)))
    return render(request, who, "notifications.html", notices=shown, unread=who.unread)


@router.get("/webhooks", response_class=HTMLResponse)
def webhook_list(request: Request, who: WhoDep) -> Response:
    """The subscriptions of the user's party (every party's for an administrator)."""
    _signed_in(who)
    party = None if who.may("manage_webhooks") else who.actor.party or "-"
    found = notifications.subscriptions(who.read(), who.actor, party)
    event_words = [(kind, who.gettext(WORDS[kind])) for kind in EventType]
    return render(request, who, "webhooks.html", subscriptions=found, event_words=event_words, secret="")


@router.post("/webhooks")
async def add_webhook(request: Request, who: WhoDep) -> Response:
    form = await checked_form(request, who)
    _signed_in(who)
    sent = await request.form()
    try:
        types = parse_event_types(",".join(str(v) for v in sent.getlist("events")))
        added = await run_in_threadpool(notifications.add_subscription, who.write(), who.actor,
                                        party=form.get("party", "").strip(), url=form.get("url", ""), types=types)
    except CoalitionError as error:
        flash(request, "error", error_text(who.language, error))
        return RedirectResponse("/webhooks", status_code=303)
    # the secret is shown in this answer, once: never in an address, never again
    return render(request, who, "webhooks.html", secret=added.secret, event_words=[
        (kind, who.gettext(WORDS[kind])) for kind in EventType],
        subscriptions=notifications.subscriptions(who.read(), who.actor, added.subscription.party))


@router.get("/webhooks/{subscription}", response_class=HTMLResponse)
def webhook_page(request: Request, who: WhoDep, subscription: IdInPath) -> Response:
    _signed_in(who)
    found = notifications.subscription(who.read(), who.actor, subscription)
    log = notifications.deliveries(who.read(), who.actor, subscription)
    return render(request, who, "webhook.html", subscription=found, deliveries=log)


@router.post("/webhooks/{subscription}/disabling")
async def disable_webhook(request: Request, who: WhoDep, subscription: IdInPath) -> Response:
    await checked_form(request, who)
    _signed_in(who)
    await run_in_threadpool(notifications.set_subscription_active, who.write(), who.actor, subscription, False)
    return RedirectResponse(f"/webhooks/{subscription}", status_code=303)


@router.post("/deliveries/{delivery}/resending")
async def resend_delivery(request: Request, who: WhoDep, delivery: IdInPath) -> Response:
    form = await checked_form(request, who)
    _signed_in(who)
    await run_in_threadpool(notifications.resend, who.write(), who.actor, delivery)
    flash(request, "ok", who.gettext("The delivery will be sent again, with the same event id."))
    back = form.get("back", "")
    return RedirectResponse(f"/webhooks/{back}" if back.isdigit() else "/webhooks", status_code=303)


@router.post("/notifications/read")
async def read_notifications(request: Request, who: WhoDep) -> Response:
    form = await checked_form(request, who)
    _signed_in(who)
    chosen = form.get("id", "")
    ids = [int(chosen)] if chosen.isdigit() else None
    await run_in_threadpool(notifications.mark_read, who.write(), who.actor, ids)
    return RedirectResponse("/notifications", status_code=303)


@router.post("/account/password")
async def change_password(request: Request, who: WhoDep) -> Response:
    """A new password: every other browser signed in as the user is signed out; this one gets a new session."""
    form = await checked_form(request, who)
    _signed_in(who)
    rate_limited(request)
    back = RedirectResponse("/account", status_code=303)
    if form.get("new_password", "") != form.get("repeat_password", ""):
        flash(request, "error", who.gettext("The two new passwords differ."))
        return back
    assert who.session is not None
    try:
        fresh = await run_in_threadpool(identity.change_password, who.write(), who.actor,
                                        who.platform.password_hasher, form.get("current_password", ""),
                                        form.get("new_password", ""), renew=who.session.method)
    except CoalitionError as error:
        flash(request, "error", str(error))
        return back
    flash(request, "ok", who.gettext("Your password is changed. Every other browser signed in as you is signed out."))
    if fresh is not None:
        set_session_cookie(back, who.platform, fresh.token)
    return back


@router.post("/language")
async def choose_language(request: Request, who: WhoDep) -> Response:
    form = await checked_form(request, who)
    language = form.get("language", "")
    if language not in LANGUAGES:
        raise InvalidInput(f"'{language}' is not a language of the platform ({', '.join(LANGUAGES)})",
                           field="language")
    request.session["lang"] = language
    if who.signed_in:  # remembered for the user, on every browser
        await run_in_threadpool(identity.set_language, who.write(), who.actor, language)
    return RedirectResponse(safe_next(form.get("next")), status_code=303)


# --- coalition overview --------------------------------------------------------------------------------------


def _in(who: Viewer, coalition: CodeInPath) -> Viewer:
    return dataclasses.replace(who, coalition=coalition)


@router.get("/coalitions/{coalition}", response_class=HTMLResponse)
def overview(request: Request, who: WhoDep, coalition: CodeInPath, on: AsOfQuery = None) -> Response:
    who = _in(who, coalition)
    view = registry.coalition_view(who.read(), who.actor, coalition, who.today)
    history = registry.membership_history(who.read(), who.actor, coalition)
    periods = spells(history)
    stages: list[tuple[str, Money]] = []
    now: list[tuple[str, Money]] = []
    if who.may("read_funding"):
        money = funding_views.coalition_money(who.read(), who.actor, coalition, on)
        stages, now = money.reached, money.now
    chart = charts.stages(who, stages) if stages else None
    chart_now = charts.stages(who, now, now=True) if now else None
    public = public_money.public_totals(who.read(), coalition)
    return render(request, who, "overview.html", view=view, timeline=charts.timeline(periods, who.today),
                  stages=stages, now=now, chart=chart, chart_now=chart_now, on=on, public=public)


# --- priority list -------------------------------------------------------------------------------------------


@router.get("/coalitions/{coalition}/priorities", response_class=HTMLResponse)
def priorities(request: Request, who: WhoDep, coalition: CodeInPath,
               version: VersionInQuery | None = None, offset: Offset = 0,
               compare: VersionInQuery | None = None, on: AsOfQuery = None) -> Response:
    who = _in(who, coalition)
    found = priority_views.priorities_page(who.read(), who.actor, coalition, version=version, compare=compare,
                                           offset=offset, limit=PAGE, on=on)
    coverage = found.coverage
    chart = charts.coverage(who, coverage) if coverage and coverage.ranks else None
    return render(request, who, "priorities.html", versions=found.versions, coverage=coverage, shown=found.shown,
                  compare=compare, moves=found.moves, chart=chart, offset=offset, page=PAGE, on=on)


# --- allocation plans ------------------------------------------------------------------------------------------


@router.get("/coalitions/{coalition}/plans", response_class=HTMLResponse)
def plans(request: Request, who: WhoDep, coalition: CodeInPath) -> Response:
    who = _in(who, coalition)
    found = planning.list_plans(who.read(), who.actor, coalition)
    return render(request, who, "plans.html", plans=found, policies=list(Policy))


@router.post("/coalitions/{coalition}/plans")
async def run_plan(request: Request, who: WhoDep, coalition: CodeInPath) -> Response:
    form = await checked_form(request, who)
    try:
        policy = Policy(form.get("policy", "partial"))
        plan = await run_in_threadpool(planning.run_allocation, who.write(), who.actor, coalition, policy=policy,
                                       on=form_day(form, who))
    except ValueError:
        flash(request, "error", who.gettext("policy: choose partial, strict or skip"))
        return RedirectResponse(f"/coalitions/{coalition}/plans", status_code=303)
    except CoalitionError as error:
        flash(request, "error", error_text(who.language, error))
        return RedirectResponse(f"/coalitions/{coalition}/plans", status_code=303)
    flash(request, "ok", who.gettext("Allocation plan %(id)s proposed.", id=plan.id))
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, who: WhoDep, plan_id: IdInPath) -> Response:
    plan = planning.get_plan(who.read(), who.actor, plan_id)
    who = _in(who, plan.coalition)
    rules = registry.coalition_view(who.read(), who.actor, plan.coalition, who.today).coalition.rules
    pending = [p for p in steering.open_proposals(who.read(), who.actor, plan.coalition)
               if p.kind is ProposalKind.APPROVE_PLAN and str(p.payload.get("plan")) == str(plan_id)]
    return render(request, who, "plan.html", plan=plan, rules=rules, pending=pending,
                  proposed=plan.state is PlanState.PROPOSED, lines=plan.lines[:500])


@router.post("/plans/{plan_id}/approval")
async def approve_plan(request: Request, who: WhoDep, plan_id: IdInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        plan = planning.approve_plan(who.write(), who.actor, plan_id, on=form_day(form, who))
        return who.gettext("Plan %(id)s approved: %(count)s reservations recorded.", id=plan_id,
                           count=len(plan.lines))
    return await act(request, who, change, f"/plans/{plan_id}")


@router.post("/plans/{plan_id}/proposal")
async def send_plan_to_steering(request: Request, who: WhoDep, plan_id: IdInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        plan = planning.get_plan(who.read(), who.actor, plan_id)
        days = whole(form.get("days") or "14", "days")
        if not 1 <= days <= 90:
            raise InvalidInput("a written procedure runs 1 to 90 days", field="days")
        deadline = datetime.combine(who.today + timedelta(days=days), datetime.min.time(), tzinfo=UTC)
        proposal = steering.open_proposal(
            who.write(), who.actor, coalition=plan.coalition, kind=ProposalKind.APPROVE_PLAN,
            title=who.gettext("Approve allocation plan %(id)s", id=plan_id), payload={"plan": plan_id},
            procedure=Procedure.WRITTEN, deadline=deadline)
        return who.gettext("Proposal %(id)s put to the steering group by written procedure.", id=proposal.id)
    return await act(request, who, change, f"/plans/{plan_id}")


# --- donor statement -------------------------------------------------------------------------------------------


@router.get("/donors/{donor}", response_class=HTMLResponse)
def donor(request: Request, who: WhoDep, donor: CodeInPath, on: AsOfQuery = None) -> Response:
    statement = funding_views.donor_statement(who.read(), who.actor, donor, on=on)
    chart = charts.sankey(who, statement) if statement.procurement else None
    names = {c.code: c.name for c in registry.list_coalitions(who.read(), who.actor)}
    return render(request, who, "donor.html", statement=statement, chart=chart, coalition_names=names)


def _pdf(content: bytes, name: str) -> Response:
    return Response(content, media_type=printed.MEDIA_TYPE,
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/donors/{donor}/statement.pdf")
def donor_pdf(who: WhoDep, donor: CodeInPath, on: AsOfQuery = None) -> Response:
    """The donor statement as PDF, as this viewer may see it, in the viewer's language."""
    return _pdf(printed.donor_pdf(who.platform, who.actor, donor, on, who.language),
                printed.file_name("statement", donor, on, who.language))


@router.get("/coalitions/{coalition}/funding.pdf")
def funding_pdf(who: WhoDep, coalition: CodeInPath, on: AsOfQuery = None) -> Response:
    """The coalition's funding report as PDF, as this viewer may see it, in the viewer's language."""
    return _pdf(printed.funding_pdf(who.platform, who.actor, coalition, on, who.language),
                printed.file_name("funding", coalition, on, who.language))


# --- steering group ---------------------------------------------------------------------------------------------


@router.get("/coalitions/{coalition}/steering", response_class=HTMLResponse)
def steering_page(request: Request, who: WhoDep, coalition: CodeInPath) -> Response:
    who = _in(who, coalition)
    meetings = steering.list_meetings(who.read(), who.actor, coalition)
    open_ = steering.open_proposals(who.read(), who.actor, coalition)
    decided = steering.decisions(who.read(), who.actor, coalition)
    return render(request, who, "steering.html", meetings=list(reversed(meetings)), proposals=open_,
                  decisions=list(reversed(decided)))


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(request: Request, who: WhoDep, proposal_id: IdInPath) -> Response:
    return _proposal_page(request, who, proposal_id)


@router.get("/proposals/{proposal_id}/closing", response_class=HTMLResponse)
def closing_page(request: Request, who: WhoDep, proposal_id: IdInPath, on: AsOfQuery = None) -> Response:
    """What closing the proposal now will decide, to confirm: the count so far and who has not answered."""
    return _proposal_page(request, who, proposal_id, closing=True, on=on)


def _proposal_page(request: Request, who: Viewer, proposal_id: int, *, closing: bool = False,
                   on: date | None = None) -> Response:
    view = steering_views.proposal_page(who.read(), who.actor, proposal_id, on)
    who = _in(who, view.proposal.coalition)
    voters = view.forecast.voters if view.forecast is not None else ()
    own_vote = next((v for v in view.votes if v.party == who.actor.party), None)
    may_vote_own = view.forecast is not None and who.may("cast_own_vote") and who.actor.party in voters
    may_record = view.forecast is not None and who.may("record_vote")
    return render(request, who, "proposal.html", view=view, p=view.proposal, voters=voters, own_vote=own_vote,
                  may_vote_own=may_vote_own, may_record=may_record, votes=list(Vote),
                  closing=closing and may_record, closing_on=on)


@router.post("/proposals/{proposal_id}/votes")
async def vote(request: Request, who: WhoDep, proposal_id: IdInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        try:
            choice = Vote(form.get("vote", ""))
        except ValueError:
            raise InvalidInput("choose for, against or abstain", field="vote") from None
        party = form.get("party") or who.actor.party or ""
        steering.cast_vote(who.write(), who.actor, proposal_id, party, choice)
        return who.gettext("Vote recorded: %(party)s votes %(vote)s.", party=party, vote=who.gettext(choice.value))
    return await act(request, who, change, f"/proposals/{proposal_id}")


@router.post("/proposals/{proposal_id}/closing")
async def close(request: Request, who: WhoDep, proposal_id: IdInPath) -> Response:
    """Close and count the votes, once confirmed on the page that says what closing now will decide."""
    form = await checked_form(request, who)
    if form.get("confirmed") != "yes":
        day = form.get("on", "")
        return RedirectResponse(f"/proposals/{proposal_id}/closing" + (f"?on={quote(day)}" if day else ""), 303)

    def change(form: dict[str, str]) -> str:
        decided = steering.close_proposal(who.write(), who.actor, proposal_id, on=form_day(form, who))
        outcome = who.label(decided.outcome.value) if decided.outcome else ""
        return who.gettext("Proposal %(id)s decided: %(outcome)s.", id=proposal_id, outcome=outcome)
    return await act(request, who, change, f"/proposals/{proposal_id}")


# --- procurement and deliveries --------------------------------------------------------------------------------


@router.get("/coalitions/{coalition}/procurement", response_class=HTMLResponse)
def procurement(request: Request, who: WhoDep, coalition: CodeInPath, on: AsOfQuery = None) -> Response:
    who = _in(who, coalition)
    found = delivery_views.procurement_page(who.read(), who.actor, coalition, on)
    chart = charts.pipeline(who, found.pipeline) if found.pipeline else None
    months = found.over_time
    # the table names the months in which something moved (and the last); the chart draws every month
    moved = [m for n, m in enumerate(months) if n in (0, len(months) - 1) or dataclasses.astuple(m)[1:]
             != dataclasses.astuple(months[n - 1])[1:]]
    return render(request, who, "procurement.html", rows=found.pipeline, deliveries=found.deliveries,
                  arrivals=found.arrivals, contracts=found.contracts, chart=chart, conditions=list(Condition),
                  on_the_way=found.on_the_way, signed=found.signed, months=moved, cases=found.cases,
                  name=charts.namer(who, found.suppliers),
                  delivery_chart=charts.delivery_over_time(who, months) if months else None, on=on)


@router.post("/coalitions/{coalition}/shipments/{shipment}/receipts")
async def sign_for(request: Request, who: WhoDep, coalition: CodeInPath, shipment: IdInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        quantity = whole(form.get("quantity", ""), "quantity")
        accepted = form.get("accepted", "yes") == "yes"
        try:
            condition = Condition(form.get("condition", "new"))
        except ValueError:
            raise InvalidInput("choose a condition from the list", field="condition") from None
        unit = form.get("unit") or who.actor.party or ""
        receipt = delivery.confirm_receipt(who.write(), who.actor, UnitReceipt(
            shipment, unit, quantity, condition, accepted, form_day(form, who), form.get("signed_by", "").strip()
            or who.actor.user, form.get("discrepancy", "").strip()))
        return who.gettext("Receipt %(id)s recorded: %(unit)s signed for %(count)s items.", id=receipt.id, unit=unit,
                           count=quantity)
    return await act(request, who, change, f"/coalitions/{coalition}/procurement")




# --- documents attached to records ----------------------------------------------------------------------------


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, who: WhoDep, record_type: RecordTypeInQuery,
                   record_id: RecordIdInQuery) -> Response:
    listed = documents.list_documents(who.read(), who.actor, record_type.value, record_id)
    allowed = documents.attach_permission(who.read(), who.actor, record_type.value, record_id).allowed
    return render(request, who, "documents.html", record_type=record_type, record_id=record_id, documents=listed,
                  may_attach=allowed and who.signed_in, max_bytes=who.platform.settings.document_max_bytes)


@router.post("/documents")
async def attach_document(request: Request, who: WhoDep) -> Response:
    form = await checked_form(request, who)
    upload = (await request.form()).get("file")
    kind, key = form.get("record_type", ""), form.get("record_id", "")
    back = f"/documents?{urlencode({'record_type': kind, 'record_id': key})}"
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise refusal(InvalidInput, "choose a file to attach", field="file")
        content = await upload.read()
        supersedes = form.get("supersedes", "").strip()
        document = await run_in_threadpool(
            documents.attach, who.write(), who.platform.document_store, who.actor, kind, key, upload.filename,
            content, supersedes=whole(supersedes, "supersedes") if supersedes else None,
            max_bytes=who.platform.settings.document_max_bytes)
        flash(request, "ok", who.gettext("Document %(id)s attached: %(name)s (%(type)s).", id=document.id,
                                         name=document.name, type=document.media_type))
    except CoalitionError as error:
        flash(request, "error", error_text(who.language, error))
    return RedirectResponse(back, status_code=303)


# --- ledger: funding report, contributions, receipts, imports ---------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LedgerList:
    """The ledger's list of contributions as its address asks for it: narrowed, ordered and paged. Every filtered
    or sorted view has its own address (``link``), so it can be shared."""

    kind: ContributionKind | None = None
    donor: CodeInQuery = None
    currency: CurrencyInQuery = None
    earmark: EarmarkKind | None = None
    value_from: DayInQuery = None
    value_to: DayInQuery = None
    order: ContributionOrder = ContributionOrder.RECORDED
    descending: FlagInQuery = False
    offset: Offset = 0
    after: Cursor = None

    @property
    def filter(self) -> ContributionFilter:
        return ContributionFilter(self.currency, self.earmark, self.value_from, self.value_to, self.order,
                                  self.descending)

    def link(self, **changes: object) -> str:
        """This list's address with ``changes`` (paging starts again unless one is changed), defaults left out."""
        chosen = dataclasses.replace(self, **{"offset": 0, "after": None, **changes})  # type: ignore[arg-type]
        given = {name: getattr(chosen, name) for name in (f.name for f in dataclasses.fields(self))}
        shown = {name: value.value if isinstance(value, enum.Enum) else value.isoformat()
                 if isinstance(value, date) else "true" if value is True else value
                 for name, value in given.items() if value not in (None, False, 0, "", ContributionOrder.RECORDED)}
        return "?" + urlencode(shown) if shown else "?"

    def sorted_by(self, order: str) -> str:
        """The address that sorts by ``order``: ascending first, then the other way."""
        chosen = ContributionOrder(order)
        return self.link(order=chosen, descending=self.order is chosen and not self.descending)


@router.get("/coalitions/{coalition}/ledger", response_class=HTMLResponse)
def ledger(request: Request, who: WhoDep, coalition: CodeInPath, listing: Annotated[LedgerList, Depends()],
           on: AsOfQuery = None) -> Response:
    who = _in(who, coalition)
    report = funding_views.funding_report(who.read(), who.actor, coalition, on) if who.may("read_funding") else None
    page = funding.list_contributions(who.read(), who.actor, coalition=coalition, kind=listing.kind,
                                      donor=listing.donor, after=listing.after, offset=listing.offset, limit=PAGE,
                                      filter=listing.filter)
    view = registry.coalition_view(who.read(), who.actor, coalition, who.today)
    donors = sorted({m.party.code for m in view.members if m.spell.role.value != "recipient"})
    choices = funding_views.receipt_choices(who.read(), who.actor, coalition) \
        if who.may("record_contributions") else None
    public = public_money.public_totals(who.read(), coalition) if report is None else None
    # Money over time, for the ledger as it stands (an as-of page shows the report of that day only).
    flows = funding_views.funding_by_periods(who.read(), who.actor, coalition, (Period.MONTH, Period.YEAR)) \
        if report and on is None else {}
    months, years = flows.get(Period.MONTH, []), flows.get(Period.YEAR, [])
    currencies = sorted(set(report.by_currency) if report else {f.currency for f in view.funds})
    return render(request, who, "ledger.html", report=report, page=page, listing=listing, page_size=PAGE,
                  kinds=list(ContributionKind), earmarks=list(EarmarkKind), orders=ContributionOrder,
                  currencies=currencies, funds=view.funds, donors=donors, measures=list(Measure),
                  choices=choices, routes=list(FundingRoute), public=public, years=years,
                  coalition_names={coalition: view.coalition.name},
                  over_time=charts.over_time(who, months) if months else None)


@router.post("/coalitions/{coalition}/receipts")
async def record_receipt(request: Request, who: WhoDep, coalition: CodeInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        currency = form.get("currency", "").strip().upper()
        value_date = parse_date(form.get("value_date", ""), "value_date")
        parent = form.get("parent") or ""
        stored = funding.record_contribution(who.write(), who.actor, Contribution(
            kind=ContributionKind.RECEIPT, coalition=coalition, fund=form.get("fund", ""), donor=form.get("donor", ""),
            amount=Money.parse(who.fmt.amount(form.get("amount", "")), currency), value_date=value_date,
            earmark=Earmark.parse(form.get("earmark") or "none"),
            external_ref=form.get("external_ref", "").strip() or None,
            parent=whole(parent, "parent") if parent else None))
        said = who.gettext("Receipt %(id)s recorded: %(amount)s from %(donor)s on %(day)s, earmark: %(earmark)s.",
                           id=stored.id, amount=who.fmt.money(stored.amount), donor=who.fmt.country(stored.donor),
                           day=who.fmt.day(stored.value_date), earmark=earmark_words(who.language, stored.earmark))
        if stored.parent is not None:
            said += " " + who.gettext("It fulfils promise %(id)s.", id=stored.parent)
        return said
    return await act(request, who, change, f"/coalitions/{coalition}/ledger")


@router.post("/imports", response_class=HTMLResponse)
async def start_import(request: Request, who: WhoDep) -> Response:
    form = await request.form()
    await checked_form(request, who)
    jobs: ImportJobs = request.app.state.import_jobs
    job = await jobs.start(who, form.get("file"))
    return render(request, who, "_import.html", job.status, job=job)


@router.get("/imports/{job_id}", response_class=HTMLResponse)
def import_progress(request: Request, who: WhoDep, job_id: str, page: PageNumber = 1) -> Response:
    jobs: ImportJobs = request.app.state.import_jobs
    job = jobs.get(who, job_id)
    return render(request, who, "_import.html", job.status, job=job, page=min(page, job.error_pages))


@router.get("/imports/{job_id}/errors.csv")
def import_errors(request: Request, who: WhoDep, job_id: str) -> Response:
    """Every error kept of a refused import, as a CSV file (column names in the viewer's language)."""
    jobs: ImportJobs = request.app.state.import_jobs
    job = jobs.get(who, job_id)
    header = [who.gettext(word) for word in ("Row", "Column", "Value", "Rule")]
    body, media_type = who.platform.table_file("csv", header, [[(e.row, e.column, e.value, e.rule)
                                                                 for e in job.errors]], "errors")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(job.filename).stem).strip("-") or "import"
    return StreamingResponse(body, media_type=media_type,
                             headers={"Content-Disposition": f'attachment; filename="{name}-errors.csv"'})


# --- audit log -------------------------------------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, who: WhoDep, before: Cursor = None, actor: str = "", action: str = "",
               record_type: str = "", record: str = "", since: str = "", until: str = "") -> Response:
    """The audit log newest first, a page at a time, filtered by who acted, the action, the record and the days
    it was recorded; every filtered view has an address of its own."""
    chosen = {"actor": actor.strip(), "action": action, "record_type": record_type, "record": record.strip(),
              "since": since, "until": until}
    query = AuditQuery(chosen["actor"] or None, action or None, record_type or None, chosen["record"] or None,
                       parse_date(since, "since") if since else None, parse_date(until, "until") if until else None,
                       newest_first=True, before=before)
    found = audit.audit_log(who.read(), who.actor, query, limit=PAGE + 1)
    shown = {k: v for k, v in chosen.items() if v}
    older = found.records[PAGE - 1].seq if len(found.records) > PAGE else None
    found = dataclasses.replace(found, records=found.records[:PAGE])
    return render(request, who, "audit.html", log=found, chosen=chosen, act_day=act_day, words=audit_words,
                  download=urlencode({**shown, "newest_first": "true"}),
                  older=None if older is None else urlencode({**shown, "before": older}),
                  newest=urlencode(shown) if before is not None else None)


@router.post("/audit/verification", response_class=HTMLResponse)
async def verify(request: Request, who: WhoDep) -> Response:
    await checked_form(request, who)
    report = await run_in_threadpool(audit.verify_audit, who.read(), who.actor)
    return render(request, who, "_verify.html", report=report)


# --- the innovation pipeline -------------------------------------------------------------------------------


@router.get("/coalitions/{coalition}/innovation", response_class=HTMLResponse)
def pipeline_board(request: Request, who: WhoDep, coalition: CodeInPath) -> Response:
    who = _in(who, coalition)
    calls = innovation.list_calls(who.read(), who.actor, coalition)
    projects = innovation.list_projects(who.read(), who.actor, coalition=coalition)
    columns = [(stage, [p for p in projects if p.stage is stage]) for stage in PROGRESSION]
    closed = [p for p in projects if p.stage not in PROGRESSION]
    rules = programmes.gate_rules_of(who.read(), who.actor, coalition)
    return render(request, who, "innovation.html", calls=calls, columns=columns, closed=closed, rules=rules)


@router.get("/programmes", response_class=HTMLResponse)
def programmes_page(request: Request, who: WhoDep) -> Response:
    found = programmes.list_programmes(who.read(), who.actor)
    return render(request, who, "programmes.html", programmes=found)


@router.get("/programmes/{code}", response_class=HTMLResponse)
def programme_page(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    view = programmes.programme_view(who.read(), who.actor, code)
    stages = view.programme.stages
    columns = [(stage, view.at(stage)) for stage in stages]
    closed = [p for p in view.projects if p.stage not in stages]
    return render(request, who, "programme.html", programme=view.programme, calls=view.calls, columns=columns,
                  closed=closed, rules=view.programme.gate_rules)


@router.get("/innovation/calls/{code}", response_class=HTMLResponse)
def call_page(request: Request, who: WhoDep, code: CodeInPath,
              method: ScoringMethod = ScoringMethod.NORMALISED) -> Response:
    found = innovation.get_call(who.read(), who.actor, code)
    who = _in(who, found.coalition) if found.coalition is not None else who
    projects = innovation.list_projects(who.read(), who.actor, call=code)
    may_read_reviews = who.may("read_reviews", found.owner)
    scores = innovation.call_scores(who.read(), who.actor, code, method) if may_read_reviews else []
    return render(request, who, "call.html", call=found, projects=projects, scores=scores, method=method,
                  methods=list(ScoringMethod), may_read_reviews=may_read_reviews)


@router.get("/innovation/projects/{code}", response_class=HTMLResponse)
def project_page(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    trail = innovation.project_trail(who.read(), who.actor, code)
    call = trail.history.call
    who = _in(who, call.coalition) if call.coalition is not None else who
    reviewer = who.may("review_projects", call.owner)
    mine = innovation.own_review(who.read(), who.actor, code) if reviewer else None
    return render(request, who, "project.html", trail=trail, p=trail.history.project, call=call, reviewer=reviewer,
                  mine=mine)


@router.post("/innovation/projects/{code}/declaration")
async def declare_conflict(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        conflicted = form.get("conflicted") == "yes"
        innovation.declare_conflict(who.write(), who.actor, code, conflicted=conflicted, note=form.get("note", ""),
                                    withdraw=form.get("withdraw") == "yes")
        return who.gettext("Your declaration is recorded: a conflict of interest with %(project)s.", project=code) \
            if conflicted else who.gettext("Your declaration is recorded: no conflict of interest with %(project)s.",
                                           project=code)
    return await act(request, who, change, f"/innovation/projects/{code}")


@router.post("/innovation/projects/{code}/review")
async def review_project(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        scores = {}
        for key, value in form.items():
            if key.startswith("score-"):
                criterion = key.removeprefix("score-")
                if not re.fullmatch(r"[0-9]{1,4}", value.strip()):
                    raise InvalidInput(f"'{value}' is not a whole score", field=f"scores.{criterion}")
                scores[criterion] = int(value)
        innovation.submit_review(who.write(), who.actor, code, scores, form.get("comment", ""))
        return who.gettext("Your review of %(project)s is recorded.", project=code)
    return await act(request, who, change, f"/innovation/projects/{code}")
