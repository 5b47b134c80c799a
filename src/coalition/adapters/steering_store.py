"""SQL storage of steering-group meetings, attendance, proposals (with their decisions) and votes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.statements import insert_row, row_by
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.steering import (
    CastVote,
    Meeting,
    Outcome,
    Procedure,
    Proposal,
    ProposalKind,
    ProposalState,
    Vote,
)


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@rebuilds_stored_values
class SqlSteeringRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    @staticmethod
    def _meeting(row: Any) -> Meeting:
        return Meeting(row.coalition, row.held_on, row.title, row.place, row.virtual, tuple(row.agenda), row.minutes,
                       row.illustrative, row.id)

    def add_meeting(self, meeting: Meeting) -> Meeting:
        result = insert_row(self._c, t.meetings, dict(
            coalition=meeting.coalition, held_on=meeting.held_on, title=meeting.title, place=meeting.place,
            virtual=meeting.virtual, agenda=list(meeting.agenda), minutes=meeting.minutes,
            illustrative=meeting.illustrative))
        found = self.get_meeting(int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0)
        assert found is not None
        return found

    def get_meeting(self, id: int) -> Meeting | None:
        row = self._c.execute(row_by(t.meetings, "id"), {"key": id}).first()
        return None if row is None else self._meeting(row)

    def meetings(self, coalition: str) -> list[Meeting]:
        m = t.meetings
        return [self._meeting(r) for r in self._c.execute(sa.select(m).where(m.c.coalition == coalition)
                                                          .order_by(m.c.held_on, m.c.id))]

    def set_minutes(self, meeting: int, minutes: str) -> None:
        self._c.execute(t.meetings.update().where(t.meetings.c.id == meeting).values(minutes=minutes))

    def attend(self, meeting: int, party: str) -> None:
        insert_row(self._c, t.meeting_attendance, dict(meeting=meeting, party=party))

    def attendance(self, meeting: int) -> list[str]:
        a = t.meeting_attendance
        return [r[0] for r in self._c.execute(sa.select(a.c.party).where(a.c.meeting == meeting).order_by(a.c.party))]

    @staticmethod
    def _proposal(row: Any) -> Proposal:
        return Proposal(row.coalition, ProposalKind(row.kind), row.title, row.payload, Procedure(row.procedure),
                        row.meeting, _time(row.deadline), ProposalState(row.state),
                        None if row.outcome is None else Outcome(row.outcome), row.reason, row.tally,
                        tuple(row.effects), row.rules, _time(row.opened_at), _time(row.decided_at), row.id)

    def add_proposal(self, proposal: Proposal) -> Proposal:
        assert proposal.opened_at is not None
        result = insert_row(self._c, t.proposals, dict(
            coalition=proposal.coalition, kind=proposal.kind.value, title=proposal.title,
            payload=dict(proposal.payload), procedure=proposal.procedure.value, meeting=proposal.meeting,
            deadline=None if proposal.deadline is None else proposal.deadline.isoformat(),
            state=proposal.state.value, reason="", effects=[], opened_at=proposal.opened_at.isoformat()))
        found = self.get_proposal(int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0)
        assert found is not None
        return found

    def get_proposal(self, id: int) -> Proposal | None:
        row = self._c.execute(row_by(t.proposals, "id"), {"key": id}).first()
        return None if row is None else self._proposal(row)

    def proposals(self, coalition: str, *, meeting: int | None = None) -> list[Proposal]:
        p = t.proposals
        query = sa.select(p).where(p.c.coalition == coalition)
        if meeting is not None:
            query = query.where(p.c.meeting == meeting)
        return [self._proposal(r) for r in self._c.execute(query.order_by(p.c.id))]

    def record_decision(self, proposal: Proposal) -> None:
        assert proposal.id is not None and proposal.outcome is not None and proposal.decided_at is not None
        self._c.execute(t.proposals.update().where(t.proposals.c.id == proposal.id).values(
            state=proposal.state.value, outcome=proposal.outcome.value, reason=proposal.reason,
            tally=dict(proposal.tally or {}), effects=list(proposal.effects), rules=dict(proposal.rules or {}),
            decided_at=proposal.decided_at.isoformat()))

    def add_vote(self, vote: CastVote) -> None:
        insert_row(self._c, t.votes, dict(proposal=vote.proposal, party=vote.party, vote=vote.vote.value,
                                          cast_at=vote.cast_at.isoformat(), actor=vote.actor))

    def votes(self, proposal: int) -> list[CastVote]:
        v = t.votes
        return [CastVote(r.proposal, r.party, Vote(r.vote), datetime.fromisoformat(r.cast_at), r.actor)
                for r in self._c.execute(sa.select(v).where(v.c.proposal == proposal).order_by(v.c.id))]
