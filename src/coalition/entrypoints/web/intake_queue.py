"""The secretariat's pages of the news intake's review queue: the proposals waiting (or decided), and one proposal
with the articles it comes from, its sentence marked in each, how it stands against the registry, and the forms that
accept or reject it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from coalition.domain.coalition import MembershipRole
from coalition.domain.common import parse_date
from coalition.domain.errors import InvalidInput
from coalition.domain.instrument import InstrumentKind
from coalition.domain.intake_queue import Article, ProposalStatus, Source
from coalition.entrypoints.api.core import IdInPath
from coalition.entrypoints.web.core import Viewer, act, render, viewer
from coalition.services import intake_queue as svc

router = APIRouter(include_in_schema=False)
WhoDep = Annotated[Viewer, Depends(viewer)]
OPTIONAL_TEXT = ("code", "title", "place", "recipient", "capability_area", "framework", "currency", "fund", "donor")


@dataclass(frozen=True, slots=True)
class Marked:
    """An article's text cut around the sentence a proposal comes from, to show with the sentence marked."""

    article: Article
    source: Source
    before: str
    sentence: str
    after: str


def marked(article: Article, source: Source) -> Marked:
    start, end = source.span
    if not 0 <= start < end <= len(article.text):
        return Marked(article, source, article.text, "", "")
    return Marked(article, source, article.text[:start], article.text[start:end], article.text[end:])


@router.get("/intake", response_class=HTMLResponse)
def intake_page(request: Request, who: WhoDep,
                status: Annotated[str, Query(pattern="^(pending|accepted|rejected|all)$")] = "pending") -> Response:
    wanted = None if status == "all" else ProposalStatus(status)
    found = svc.list_proposals(who.read(), who.actor, wanted)
    return render(request, who, "intake.html", views=found, shown=status,
                  statuses=[*(s.value for s in ProposalStatus), "all"])


@router.get("/intake/proposals/{id}", response_class=HTMLResponse)
def intake_proposal_page(request: Request, who: WhoDep, id: IdInPath) -> Response:
    view = svc.get_proposal(who.read(), who.actor, id)
    articles = {a.id: a for a in view.articles}
    sources = [marked(articles[s.article], s) for s in view.proposal.sources if s.article in articles]
    return render(request, who, "intake_proposal.html", v=view, p=view.proposal, sources=sources,
                  decider=who.may("manage_intake") and view.proposal.decision is None,
                  roles=[r for r in MembershipRole if r is not MembershipRole.RECIPIENT], kinds=list(InstrumentKind))


def _options(form: dict[str, str]) -> svc.AcceptOptions:
    given = {name: form.get(name, "").strip() or None for name in OPTIONAL_TEXT}
    on: date | None = parse_date(form["on"], "on") if form.get("on", "").strip() else None
    try:
        role = MembershipRole(form["role"]) if form.get("role") else None
        kind = InstrumentKind(form["instrument"]) if form.get("instrument") else None
    except ValueError:
        raise InvalidInput("choose one of the listed values", field="role" if form.get("role") else "instrument"
                           ) from None
    return svc.AcceptOptions(on=on, role=role, instrument=kind, **given)


@router.post("/intake/proposals/{id}/accept")
async def intake_accept(request: Request, who: WhoDep, id: IdInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        done = svc.accept_proposal(who.write(), who.actor, id, _options(form))
        result = done.decision.result if done.decision else ""
        return who.gettext("Proposal %(id)s is accepted: %(result)s", id=id,
                           result="; ".join(who.said(part) for part in result.split("; ")))
    return await act(request, who, change, f"/intake/proposals/{id}")


@router.post("/intake/proposals/{id}/reject")
async def intake_reject(request: Request, who: WhoDep, id: IdInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        svc.reject_proposal(who.write(), who.actor, id, reason=form.get("reason", ""))
        return who.gettext("Proposal %(id)s is rejected.", id=id)
    return await act(request, who, change, f"/intake/proposals/{id}")
