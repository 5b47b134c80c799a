"""The steering group over HTTP: meetings, proposals, votes and decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from coalition.domain import limits
from coalition.domain.steering import CastVote, Meeting, Procedure, Proposal, ProposalKind, Vote
from coalition.entrypoints.api.core import (
    Body,
    CallerDep,
    Code,
    CodeInPath,
    Day,
    Flag,
    Id,
    IdInPath,
    Limit,
    Moment,
    Offset,
    Page,
    Routes,
    Title,
    page_of,
    text,
)
from coalition.entrypoints.api.core import Minutes as MinutesText
from coalition.services import steering as svc
from coalition.services.steering import MeetingView, ProposalView

api = Routes("steering group")
router = api.router


class NewMeeting(Body):
    held_on: Day
    title: Title
    place: Annotated[str, text(limits.NAME, required=False)] = ""
    virtual: Flag = False
    agenda: Annotated[list[Title], Field(max_length=100)] = []
    attendees: Annotated[list[Code], Field(max_length=200)] = []
    illustrative: Flag = False


@api.get("/coalitions/{coalition}/meetings", Page[Meeting], summary="The steering group's meetings")
def list_meetings(who: CallerDep, coalition: CodeInPath, offset: Offset = 0, limit: Limit = 50) -> object:
    return page_of(svc.list_meetings(who.read(), who.actor, coalition), offset, limit)


@api.post("/coalitions/{coalition}/meetings", Meeting, summary="Record a meeting, its agenda and who attended")
def create_meeting(body: NewMeeting, who: CallerDep, coalition: CodeInPath) -> object:
    meeting = Meeting(coalition, body.held_on, body.title, body.place, body.virtual, tuple(body.agenda),
                      illustrative=body.illustrative)
    return svc.create_meeting(who.write(), who.actor, meeting, body.attendees)


@dataclass(frozen=True, slots=True)
class Attendee:
    party: str
    role: str
    votes: bool


@dataclass(frozen=True, slots=True)
class MeetingDetail:
    meeting: Meeting
    attendance: list[Attendee]
    proposals: list[Proposal]


def _detail(view: MeetingView) -> MeetingDetail:
    return MeetingDetail(view.meeting, [Attendee(*row) for row in view.attendance], view.proposals)


@api.get("/meetings/{meeting_id}", MeetingDetail, summary="A meeting with its attendance and proposals")
def get_meeting(who: CallerDep, meeting_id: IdInPath) -> object:
    return _detail(svc.get_meeting(who.read(), who.actor, meeting_id))


class Attendance(Body):
    party: Code


@api.post("/meetings/{meeting_id}/attendance", MeetingDetail, summary="Record that a member attended")
def record_attendance(body: Attendance, who: CallerDep, meeting_id: IdInPath) -> object:
    svc.record_attendance(who.write(), who.actor, meeting_id, body.party)
    return _detail(svc.get_meeting(who.read(), who.actor, meeting_id))


class Minutes(Body):
    minutes: MinutesText


@api.put("/meetings/{meeting_id}/minutes", MeetingDetail, summary="Set a meeting's minutes")
def set_minutes(body: Minutes, who: CallerDep, meeting_id: IdInPath) -> object:
    svc.set_minutes(who.write(), who.actor, meeting_id, body.minutes)
    return _detail(svc.get_meeting(who.read(), who.actor, meeting_id))


class NewProposal(Body):
    kind: ProposalKind
    title: Title
    payload: dict[str, Any] = Field(default_factory=dict, description="What is decided; its fields depend on kind")
    procedure: Procedure
    meeting: Id | None = None
    deadline: Moment | None = None


@api.post("/coalitions/{coalition}/proposals", Proposal, summary="Put a proposal to the steering group")
def open_proposal(body: NewProposal, who: CallerDep, coalition: CodeInPath) -> object:
    deadline: datetime | None = body.deadline
    return svc.open_proposal(who.write(), who.actor, coalition=coalition, kind=body.kind, title=body.title,
                             payload=body.payload, procedure=body.procedure, meeting=body.meeting, deadline=deadline)


@api.get("/proposals/{proposal_id}", ProposalView, summary="A proposal with its votes")
def get_proposal(who: CallerDep, proposal_id: IdInPath) -> object:
    return svc.get_proposal(who.read(), who.actor, proposal_id)


class Ballot(Body):
    party: Code
    vote: Vote


@api.post("/proposals/{proposal_id}/votes", CastVote,
          summary="Cast a vote (a member's representative for its own party; the secretariat records any)")
def cast_vote(body: Ballot, who: CallerDep, proposal_id: IdInPath) -> object:
    return svc.cast_vote(who.write(), who.actor, proposal_id, body.party, body.vote)


class Closing(Body):
    on: Annotated[Day | None, Field(description="The day a written or silence procedure closed (today if not given)")
                  ] = None


@api.post("/proposals/{proposal_id}/closing", Proposal, 200,
          summary="Close a proposal: count the votes, record the decision and apply its effects")
def close_proposal(who: CallerDep, proposal_id: IdInPath, body: Closing | None = None) -> object:
    return svc.close_proposal(who.write(), who.actor, proposal_id, on=None if body is None else body.on)


@api.get("/coalitions/{coalition}/decisions", Page[Proposal], summary="The steering group's decisions")
def decisions(who: CallerDep, coalition: CodeInPath, offset: Offset = 0, limit: Limit = 50) -> object:
    return page_of(svc.decisions(who.read(), who.actor, coalition), offset, limit)
