"""The steering group: meetings, proposals, votes, and decisions that take effect.

A decision takes effect through the service of the thing decided (priority lists, allocation plans,
memberships, rules), in the same transaction as the decision record: both happen or neither does.
Changing the rules is itself a decision, taken under the rules in force when it is decided.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from coalition.domain import membership
from coalition.domain.access import Actor, can
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.coalition import DecisionRules, MembershipRole
from coalition.domain.common import dated_act
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, NotFound, PermissionDenied
from coalition.domain.ledger import Measure, measures
from coalition.domain.limits import MINUTES, check_text
from coalition.domain.notifications import EventType
from coalition.domain.steering import (
    CastVote,
    Meeting,
    Outcome,
    Procedure,
    Proposal,
    ProposalKind,
    ProposalState,
    Tally,
    Vote,
    check_voter,
    decide,
)
from coalition.services.audit import record_change, require
from coalition.services.notifications import emit
from coalition.services.ports import UnitOfWork
from coalition.services.proposal_kinds import carry_out, rules_of
from coalition.services.registry import load_coalition, load_party


def _roles_on(uow: UnitOfWork, coalition: str, day: date) -> dict[str, MembershipRole]:
    """The role of every member of the coalition on ``day``."""
    return {s.party: s.role for s in membership.roster_on(uow.memberships.changes(coalition), day)}


def _meeting(uow: UnitOfWork, meeting_id: int) -> Meeting:
    """The meeting with ``meeting_id``, or NotFound naming the field."""
    found = uow.steering.get_meeting(meeting_id)
    if found is None:
        raise NotFound(f"no meeting {meeting_id}", field="meeting")
    return found


def load_proposal(uow: UnitOfWork, proposal_id: int) -> Proposal:
    """The proposal with ``proposal_id``, or NotFound naming the field."""
    found = uow.steering.get_proposal(proposal_id)
    if found is None:
        raise NotFound(f"no proposal {proposal_id}", field="proposal")
    return found


def create_meeting(uow: UnitOfWork, actor: Actor, meeting: Meeting, attendees: Sequence[str] = ()) -> Meeting:
    """Record a meeting with its agenda and who attended (members of the coalition on that day)."""
    require(can(actor, "manage_meetings", meeting.coalition))
    with uow:
        load_coalition(uow, meeting.coalition)
        stored = uow.steering.add_meeting(meeting)
        assert stored.id is not None
        roles = _roles_on(uow, meeting.coalition, meeting.held_on)
        for party in attendees:
            _attend(uow, stored, party, roles)
        record_change(uow, actor, AuditEvent("create_meeting", "meeting", str(stored.id), None,
                                             {"meeting": snapshot(stored), "attendance": sorted(attendees)}))
        uow.commit()
    return stored


def _attend(uow: UnitOfWork, meeting: Meeting, party: str, roles: dict[str, MembershipRole]) -> None:
    """Record that a member of the coalition on the meeting's day attended it, once."""
    load_party(uow, party, "attendee")
    if party not in roles:
        raise InvariantViolated(f"{party} is not a member of {meeting.coalition} on {meeting.held_on}",
                                field="attendee")
    assert meeting.id is not None
    if party in uow.steering.attendance(meeting.id):
        raise Conflict(f"{party} is already recorded as attending meeting {meeting.id}", field="attendee")
    uow.steering.attend(meeting.id, party)


def record_attendance(uow: UnitOfWork, actor: Actor, meeting_id: int, party: str) -> None:
    """Record that a member attended a meeting."""
    with uow:
        meeting = _meeting(uow, meeting_id)
        require(can(actor, "manage_meetings", meeting.coalition))
        _attend(uow, meeting, party, _roles_on(uow, meeting.coalition, meeting.held_on))
        record_change(uow, actor, AuditEvent("record_attendance", "meeting", str(meeting_id), None, {"party": party}))
        uow.commit()


def set_minutes(uow: UnitOfWork, actor: Actor, meeting_id: int, minutes: str) -> None:
    """Replace a meeting's minutes."""
    check_text(minutes, "minutes", MINUTES, required=False)
    with uow:
        meeting = _meeting(uow, meeting_id)
        require(can(actor, "manage_meetings", meeting.coalition))
        uow.steering.set_minutes(meeting_id, minutes)
        record_change(uow, actor, AuditEvent("set_minutes", "meeting", str(meeting_id), {"minutes": meeting.minutes},
                                             {"minutes": minutes}))
        uow.commit()


def open_proposal(uow: UnitOfWork, actor: Actor, *, coalition: str, kind: ProposalKind, title: str,
                  payload: dict[str, object], procedure: Procedure, meeting: int | None = None,
                  deadline: datetime | None = None) -> Proposal:
    """Put a proposal to the steering group, in a meeting or by written or silence procedure."""
    require(can(actor, "open_proposal", coalition))
    with uow:
        load_coalition(uow, coalition)
        entry = rules_of(kind)
        wanted = entry.read(payload)
        if meeting is not None and _meeting(uow, meeting).coalition != coalition:
            raise InvariantViolated(f"meeting {meeting} is not a meeting of {coalition}", field="meeting")
        entry.check(uow, coalition, wanted)
        now = uow.clock()
        if deadline is not None and deadline <= now:
            raise InvariantViolated(f"the deadline {deadline.isoformat()} has already passed", field="deadline")
        stored = uow.steering.add_proposal(Proposal(coalition, kind, title, wanted.to_payload(), procedure, meeting,
                                                    deadline, opened_at=now))
        record_change(uow, actor, AuditEvent("open_proposal", "proposal", str(stored.id), None, snapshot(stored)))
        emit(uow, EventType.PROPOSAL_OPENED, coalition=coalition, parties=voting_parties(uow, coalition, now.date()),
             facts=_facts(stored))
        uow.commit()
    return stored


def _facts(proposal: Proposal) -> dict[str, object]:
    """What an event about ``proposal`` tells: its id and the facts anyone may read of it."""
    return {"proposal": proposal.id, "coalition": proposal.coalition, "kind": proposal.kind.value,
            "title": proposal.title, "procedure": proposal.procedure.value,
            "deadline": proposal.deadline.isoformat() if proposal.deadline else None}


def voting_parties(uow: UnitOfWork, coalition: str, day: date) -> list[str]:
    """The parties that vote in ``coalition`` on ``day`` under its rules."""
    rules = load_coalition(uow, coalition).rules
    return sorted(p for p, role in _roles_on(uow, coalition, day).items() if rules.may_vote(role))


def cast_vote(uow: UnitOfWork, actor: Actor, proposal_id: int, party: str, vote: Vote) -> CastVote:
    """Record a voting member's vote; a later vote replaces an earlier one until the proposal closes."""
    with uow:
        proposal = load_proposal(uow, proposal_id)
        recorder = can(actor, "record_vote", proposal.coalition)
        if not recorder.allowed:
            require(can(actor, "cast_own_vote", proposal.coalition))
            if actor.party != party:
                raise PermissionDenied(f"{actor.user} represents {actor.party}, so it cannot vote for {party}")
        if proposal.state is not ProposalState.OPEN:
            raise Conflict(f"proposal {proposal_id} is closed ({proposal.outcome})", field="proposal")
        now = uow.clock()
        if proposal.deadline is not None and now >= proposal.deadline:
            raise InvariantViolated(f"the deadline of proposal {proposal_id} has passed", field="proposal")
        coalition = load_coalition(uow, proposal.coalition)
        day = _decision_day(uow, proposal, now)
        check_voter(party, _roles_on(uow, proposal.coalition, day), coalition.rules)
        if proposal.procedure is Procedure.MEETING:
            assert proposal.meeting is not None
            if party not in uow.steering.attendance(proposal.meeting):
                raise InvariantViolated(f"{party} did not attend meeting {proposal.meeting}, so it cannot vote in it",
                                        field="party")
        cast = CastVote(proposal_id, party, vote, now, actor.user)
        uow.steering.add_vote(cast)
        record_change(uow, actor, AuditEvent("cast_vote", "proposal", str(proposal_id), None, snapshot(cast)))
        uow.commit()
    return cast


def _decision_day(uow: UnitOfWork, proposal: Proposal, now: datetime, on: date | None = None) -> date:
    """A meeting decides on the day it is held; a written or silence procedure on the day it closed (``on``, today
    if not given, never in the future)."""
    if proposal.procedure is Procedure.MEETING and proposal.meeting is not None:
        held_on = _meeting(uow, proposal.meeting).held_on
        if on is not None and on != held_on:
            raise InvalidInput(f"proposal {proposal.id} is decided in its meeting, held on {held_on}, not on {on}",
                               field="on")
        return held_on
    return dated_act(on, now.date(), not_before=date.min, after_what="")


def _tally(uow: UnitOfWork, proposal: Proposal, rules: DecisionRules, now: datetime, on: date | None = None) -> Tally:
    """Count the latest vote of each voting member on the decision day under ``rules``."""
    day = _decision_day(uow, proposal, now, on)
    roles = _roles_on(uow, proposal.coalition, day)
    voters = frozenset(p for p, role in roles.items() if rules.may_vote(role))
    latest = {v.party: v.vote for v in uow.steering.votes(proposal.id or 0) if v.party in voters}
    present = frozenset(uow.steering.attendance(proposal.meeting)) if proposal.meeting is not None else frozenset()
    weights = None
    if rules.weighted_by_contributions:  # contributions received, in the reporting currency's minor units
        weights = {donor: measures(uow.ledger.balances(coalition=proposal.coalition, donor=donor))
                   .get(Measure.RECEIVED, (0, 0))[1] for donor in voters}
    deadline_passed = proposal.deadline is not None and now >= proposal.deadline
    return decide(rules, proposal.procedure, voters, latest, present=present, weights=weights,
                  deadline_passed=deadline_passed)


def close_proposal(uow: UnitOfWork, actor: Actor, proposal_id: int, *, on: date | None = None) -> Proposal:
    """Count the votes under the rules in force, record the decision and, if approved, its effects. A written or
    silence procedure is decided on the day it closed, ``on`` (today if not given)."""
    with uow:
        proposal = load_proposal(uow, proposal_id)
        require(can(actor, "close_proposal", proposal.coalition))
        if proposal.state is not ProposalState.OPEN:
            raise Conflict(f"proposal {proposal_id} is already decided ({proposal.outcome})", field="proposal")
        coalition = load_coalition(uow, proposal.coalition)
        now = uow.clock()
        tally = _tally(uow, proposal, coalition.rules, now, on)
        if tally.outcome is Outcome.OPEN:
            assert proposal.deadline is not None
            raise Conflict(f"the silence procedure of proposal {proposal_id} runs until "
                           f"{proposal.deadline.isoformat()}", field="proposal")
        day = _decision_day(uow, proposal, now, on)
        effects = carry_out(uow, actor, proposal, day) if tally.outcome is Outcome.APPROVED else ()
        decided = dataclasses.replace(
            proposal, state=ProposalState.DECIDED, outcome=tally.outcome, reason=tally.reason,
            tally={"decided_on": day.isoformat(), "voting_members": tally.voting_members,
                   "taking_part": tally.taking_part, "for": tally.votes_for,
                   "against": tally.votes_against, "abstain": tally.abstentions,
                   "weight_for": str(tally.weight_for), "weight_against": str(tally.weight_against)},
            effects=effects, rules=coalition.rules.to_data(), decided_at=now)
        uow.steering.record_decision(decided)
        record_change(uow, actor, AuditEvent("decide_proposal", "proposal", str(proposal_id),
                                             {"state": proposal.state.value}, snapshot(decided)))
        emit(uow, EventType.DECISION_TAKEN, coalition=proposal.coalition,
             parties=list(_roles_on(uow, proposal.coalition, day)),
             facts={**_facts(decided), "outcome": tally.outcome.value, "decided_on": day.isoformat()})
        uow.commit()
    return decided


@dataclass(frozen=True, slots=True)
class Forecast:
    """What closing an open proposal now would decide: the count so far under the rules in force, the voting
    members who have not answered, and whether its deadline is still ahead (closing early)."""

    tally: Tally
    voters: tuple[str, ...]
    not_answered: tuple[str, ...]
    deadline: datetime | None
    early: bool


def forecast(uow: UnitOfWork, proposal: Proposal, on: date | None = None) -> Forecast:
    """The forecast of closing ``proposal`` (open) now, read in the caller's transaction."""
    coalition = load_coalition(uow, proposal.coalition)
    now = uow.clock()
    tally = _tally(uow, proposal, coalition.rules, now, on)
    roles = _roles_on(uow, proposal.coalition, _decision_day(uow, proposal, now, on))
    voters = tuple(sorted(p for p, role in roles.items() if coalition.rules.may_vote(role)))
    answered = {v.party for v in uow.steering.votes(proposal.id or 0)}
    early = proposal.deadline is not None and now < proposal.deadline
    return Forecast(tally, voters, tuple(p for p in voters if p not in answered), proposal.deadline, early)


@dataclass(frozen=True, slots=True)
class ProposalView:
    proposal: Proposal
    votes: list[CastVote]


def get_proposal(uow: UnitOfWork, actor: Actor, proposal_id: int) -> ProposalView:
    """A proposal with its votes."""
    with uow:
        proposal = load_proposal(uow, proposal_id)
        require(can(actor, "read_registry", proposal.coalition))
        return ProposalView(proposal, uow.steering.votes(proposal_id))


def open_proposals(uow: UnitOfWork, actor: Actor, coalition: str) -> list[Proposal]:
    """The proposals still before the steering group, oldest first."""
    require(can(actor, "read_registry", coalition))
    with uow:
        load_coalition(uow, coalition)
        return [p for p in uow.steering.proposals(coalition) if p.state is ProposalState.OPEN]


def decisions(uow: UnitOfWork, actor: Actor, coalition: str) -> list[Proposal]:
    """Every decided proposal of a coalition, oldest first: what was decided, under which rule, with what effect."""
    require(can(actor, "read_registry", coalition))
    with uow:
        load_coalition(uow, coalition)
        return [p for p in uow.steering.proposals(coalition) if p.state is ProposalState.DECIDED]


@dataclass(frozen=True, slots=True)
class MeetingView:
    meeting: Meeting
    attendance: list[tuple[str, str, bool]]  # (party, role, votes)
    proposals: list[Proposal]


def get_meeting(uow: UnitOfWork, actor: Actor, meeting_id: int) -> MeetingView:
    """A meeting with who attended (their role and whether it votes) and its proposals."""
    with uow:
        meeting = _meeting(uow, meeting_id)
        require(can(actor, "read_registry", meeting.coalition))
        rules = load_coalition(uow, meeting.coalition).rules
        roles = _roles_on(uow, meeting.coalition, meeting.held_on)
        attendance = [(p, roles[p].label, rules.may_vote(roles[p])) for p in uow.steering.attendance(meeting_id)
                      if p in roles]
        return MeetingView(meeting, attendance, uow.steering.proposals(meeting.coalition, meeting=meeting_id))


def list_meetings(uow: UnitOfWork, actor: Actor, coalition: str) -> list[Meeting]:
    """The coalition's meetings."""
    require(can(actor, "read_registry", coalition))
    with uow:
        load_coalition(uow, coalition)
        return uow.steering.meetings(coalition)


def minutes_markdown(view: MeetingView) -> str:
    """The meeting as Markdown: attendance, agenda, decisions with their effects, and the minutes."""
    m = view.meeting
    where = "virtual" if m.virtual else m.place
    lines = [f"# {m.title}", "", f"{m.held_on.isoformat()}, {where}", "", "## Attendance", ""]
    lines += [f"- {party} ({role}{', votes' if votes else ''})" for party, role, votes in view.attendance]
    lines += ["", "## Agenda", ""] + [f"{i}. {item}" for i, item in enumerate(m.agenda, start=1)]
    lines += ["", "## Proposals and decisions", ""]
    for p in view.proposals:
        outcome = p.outcome.value if p.outcome else "open"
        lines.append(f"- **{p.title}** ({p.kind.value}): {outcome}. {p.reason}")
        lines += [f"  - effect: {effect}" for effect in p.effects]
    if m.minutes:
        lines += ["", "## Minutes", "", m.minutes]
    return "\n".join(lines) + "\n"
