"""The news intake's review queue over HTTP: add an article's reading, list and show the proposals with how each
stands against the registry, accept or reject them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field

from coalition.domain.coalition import MembershipRole
from coalition.domain.instrument import InstrumentKind
from coalition.domain.intake import Language
from coalition.domain.intake_queue import Article, Proposal, ProposalStatus, reading_from_data
from coalition.entrypoints.api.core import (
    ArticleSource,
    ArticleText,
    Body,
    CallerDep,
    Code,
    Currency,
    Day,
    IdInPath,
    Limit,
    Name,
    Offset,
    Page,
    Reason,
    Routes,
    Title,
    json_response,
    page_of,
)
from coalition.services import intake_queue as svc

api = Routes("news intake")
router = api.router

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="The SHA-256 of the file the reading came from")]


class NewArticle(Body):
    source: ArticleSource
    text: ArticleText
    language: Language
    published_on: Day | None = None
    sha256: Sha256 | None = None
    events: Annotated[list[dict[str, Any]], Field(max_length=500, description=(
        "The events the reader found, as `coalition intake read --json` prints them"))] = []


class AcceptIn(Body):
    on: Day | None = None
    code: Code | None = None
    title: Title | None = None
    role: MembershipRole | None = None
    instrument: InstrumentKind | None = None
    place: Name | None = None
    recipient: Code | None = None
    capability_area: Name | None = None
    framework: Name | None = None
    currency: Currency | None = None
    fund: Code | None = Field(None, description="Record an amount mobilised as a pledge to this fund (never as "
                                                 "money received)")
    donor: Code | None = None


class RejectIn(Body):
    reason: Reason


@dataclass(frozen=True, slots=True)
class AddedOut:
    article: int
    sha256: str
    added: bool
    proposals: list[int]
    joined: list[int]


@dataclass(frozen=True, slots=True)
class SourceOut:
    article: int
    sha256: str
    source: str
    evidence: str
    span_start: int
    span_end: int
    confidence: str


@dataclass(frozen=True, slots=True)
class ArticleOut:
    id: int
    sha256: str
    source: str
    published_on: date | None
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class ProposalOut:
    id: int
    kind: str
    status: str
    fact: str
    standing: str
    comparison: str
    event: dict[str, Any]
    sources: list[SourceOut]
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str = ""
    result: str = ""
    articles: list[ArticleOut] | None = None


def _article(article: Article) -> ArticleOut:
    return ArticleOut(article.id or 0, article.sha256, article.source, article.published_on, article.language.value,
                      article.text)


def _proposal(view: svc.ProposalView) -> ProposalOut:
    p: Proposal = view.proposal
    decision = p.decision
    return ProposalOut(
        p.id or 0, p.event.kind.value, p.status.value, p.fact_key, view.comparison.standing.value,
        view.comparison.detail, svc.audited(p.event),
        [SourceOut(s.article, s.sha256, s.source, s.evidence, s.span[0], s.span[1], f"{s.confidence:.3f}")
         for s in p.sources],
        decision.decided_by if decision else None, decision.decided_at if decision else None,
        decision.reason if decision else "", decision.result if decision else "",
        [_article(a) for a in view.articles] if view.articles else None)


@api.post("/intake/articles", AddedOut, summary="Add an article's reading to the review queue",
          description="The article and its proposals in one transaction; the same article again (same SHA-256) "
                      "changes nothing and answers 200 instead of 201.",
          responses={200: {"model": AddedOut, "description": "The article was already kept: nothing changed"}})
def add_article(body: NewArticle, who: CallerDep) -> object:
    reading = reading_from_data({"language": body.language.value, "text": body.text, "events": body.events})
    added = svc.add_reading(who.write(), who.actor, reading=reading, source=body.source,
                            published_on=body.published_on, sha256=body.sha256)
    out = AddedOut(added.article.id or 0, added.article.sha256, added.added, list(added.proposals),
                   list(added.joined))
    return out if added.added else json_response(out, AddedOut, 200)


@api.get("/intake/proposals", Page[ProposalOut], summary="The review queue's proposals, of one status if named")
def list_proposals(who: CallerDep, status: ProposalStatus | None = None, offset: Offset = 0,
                   limit: Limit = 50) -> object:
    return page_of([_proposal(v) for v in svc.list_proposals(who.read(), who.actor, status)], offset, limit)


@api.get("/intake/proposals/{id}", ProposalOut,
         summary="One proposal: how it stands against the registry, its sources and their articles")
def get_proposal(who: CallerDep, id: IdInPath) -> object:
    return _proposal(svc.get_proposal(who.read(), who.actor, id))


@api.post("/intake/proposals/{id}/accept", ProposalOut, status=200,
          summary="Accept a proposal: apply it through the registry's services, naming its articles")
def accept_proposal(who: CallerDep, id: IdInPath, body: AcceptIn) -> object:
    options = svc.AcceptOptions(body.on, body.code, body.title, body.role, body.instrument, body.place,
                                body.recipient, body.capability_area, body.framework, body.currency, body.fund,
                                body.donor)
    svc.accept_proposal(who.write(), who.actor, id, options)
    return _proposal(svc.get_proposal(who.read(), who.actor, id))


@api.post("/intake/proposals/{id}/reject", ProposalOut, status=200, summary="Reject a proposal, keeping the reason")
def reject_proposal(who: CallerDep, id: IdInPath, body: RejectIn) -> object:
    svc.reject_proposal(who.write(), who.actor, id, reason=body.reason)
    return _proposal(svc.get_proposal(who.read(), who.actor, id))
