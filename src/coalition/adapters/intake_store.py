"""SQL storage of the news intake's review queue: articles, proposals keyed by their fact, sources, decisions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.statements import insert_row
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.intake import Language, event_from_json, event_json
from coalition.domain.intake_queue import Article, Decision, Proposal, ProposalStatus, Source


def _article(row: Any) -> Article:
    return Article(row.sha256, row.source, row.published_on, Language(row.language), row.text, row.added_by,
                   datetime.fromisoformat(row.added_at), row.id)


def _decision(row: Any) -> Decision:
    return Decision(ProposalStatus(row.status), row.decided_by, datetime.fromisoformat(row.decided_at), row.reason,
                    row.result)


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    return int(key[0]) if key else 0


@rebuilds_stored_values
class SqlIntakeRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def article_by_digest(self, sha256: str) -> Article | None:
        row = self._c.execute(sa.select(t.intake_articles).where(t.intake_articles.c.sha256 == sha256)).first()
        return None if row is None else _article(row)

    def articles(self, ids: Collection[int]) -> list[Article]:
        a = t.intake_articles
        return [_article(row) for row in self._c.execute(sa.select(a).where(a.c.id.in_(list(ids))).order_by(a.c.id))]

    def add_article(self, article: Article) -> Article:
        added = insert_row(self._c, t.intake_articles, dict(
            sha256=article.sha256, source=article.source, published_on=article.published_on,
            language=article.language.value, text=article.text, added_by=article.added_by,
            added_at=article.added_at.isoformat() if article.added_at else ""))
        return Article(article.sha256, article.source, article.published_on, article.language, article.text,
                       article.added_by, article.added_at, _new_id(added))

    def proposal_by_fact(self, fact_digest: str) -> Proposal | None:
        found = self._proposals(t.intake_proposals.c.fact_digest == fact_digest)
        return found[0] if found else None

    def add_proposal(self, proposal: Proposal, added_at: datetime) -> Proposal:
        added = insert_row(self._c, t.intake_proposals, dict(
            fact_digest=proposal.fact_digest, fact_key=proposal.fact_key, kind=proposal.event.kind.value,
            event=event_json(proposal.event), added_at=added_at.isoformat()))
        return Proposal(proposal.fact_key, proposal.event, (), None, _new_id(added))

    def add_source(self, proposal: int, source: Source) -> bool:
        s = t.intake_sources
        held = self._c.execute(sa.select(s.c.id).where(s.c.proposal == proposal, s.c.article == source.article))
        if held.first() is not None:
            return False
        insert_row(self._c, s, dict(proposal=proposal, article=source.article, evidence=source.evidence,
                                    span_start=source.span[0], span_end=source.span[1],
                                    confidence_milli=round(source.confidence * 1000)))
        return True

    def proposal(self, proposal_id: int) -> Proposal | None:
        found = self._proposals(t.intake_proposals.c.id == proposal_id)
        return found[0] if found else None

    def proposals(self, status: ProposalStatus | None = None) -> list[Proposal]:
        p, d = t.intake_proposals, t.intake_decisions
        if status is None:
            return self._proposals(None)
        decided = sa.select(d.c.proposal)
        if status is ProposalStatus.PENDING:
            return self._proposals(p.c.id.not_in(decided))
        return self._proposals(p.c.id.in_(decided.where(d.c.status == status.value)))

    def decide(self, proposal: int, decision: Decision) -> None:
        insert_row(self._c, t.intake_decisions, dict(
            proposal=proposal, status=decision.status.value, decided_by=decision.decided_by,
            decided_at=decision.decided_at.isoformat(), reason=decision.reason, result=decision.result))

    def _proposals(self, where: sa.ColumnElement[bool] | None) -> list[Proposal]:
        """The proposals ``where`` says, with their sources and decisions: three queries whatever their number."""
        p, s, a, d = t.intake_proposals, t.intake_sources, t.intake_articles, t.intake_decisions
        query = sa.select(p).order_by(p.c.id)
        rows = list(self._c.execute(query if where is None else query.where(where)))
        if not rows:
            return []
        ids = [row.id for row in rows]
        sources: dict[int, list[Source]] = defaultdict(list)
        joined = (sa.select(s, a.c.sha256, a.c.source).join(a, a.c.id == s.c.article)
                  .where(s.c.proposal.in_(ids)).order_by(s.c.id))
        for row in self._c.execute(joined):
            sources[row.proposal].append(Source(row.article, row.evidence, (row.span_start, row.span_end),
                                                row.confidence_milli / 1000, row.sha256, row.source))
        decisions = {row.proposal: _decision(row) for row in self._c.execute(sa.select(d).where(d.c.proposal.in_(ids)))}
        return [Proposal(row.fact_key, event_from_json(row.event), tuple(sources[row.id]), decisions.get(row.id),
                         row.id) for row in rows]
