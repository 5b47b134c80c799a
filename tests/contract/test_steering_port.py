"""The steering group's write port (``SteeringRepository``), the same on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from coalition.domain.steering import CastVote, Meeting, Outcome, Procedure, Proposal, ProposalKind, ProposalState, Vote
from tests.contract.conftest import C, Units, written

OPENED = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_meetings_keep_their_minutes_and_attendance(units: Units):
    with units() as uow:
        later = uow.steering.add_meeting(Meeting(C, date(2024, 5, 2), "Second", "Ramstein", agenda=("plans",)))
        earlier = uow.steering.add_meeting(Meeting(C, date(2024, 5, 1), "First", "Online", virtual=True))
        uow.steering.set_minutes(earlier.id or 0, "Agreed.")
        uow.steering.attend(earlier.id or 0, "LV")
        uow.steering.attend(earlier.id or 0, "EE")
        written(uow, "meetings")
    with units() as uow:
        assert uow.steering.get_meeting(earlier.id or 0) == dataclasses.replace(earlier, minutes="Agreed.")
        assert [m.id for m in uow.steering.meetings(C)] == [earlier.id, later.id]
        assert uow.steering.attendance(earlier.id or 0) == ["EE", "LV"]
        assert uow.steering.attendance(later.id or 0) == []


def test_a_proposal_is_stored_undecided_and_keeps_its_decision_and_votes(units: Units):
    with units() as uow:
        meeting = uow.steering.add_meeting(Meeting(C, date(2024, 5, 1), "First", "Ramstein"))
        proposal = uow.steering.add_proposal(Proposal(C, ProposalKind.APPROVE_PLAN, "Plan 1", {"plan": 1},
                                                      Procedure.MEETING, meeting.id, opened_at=OPENED))
        other = uow.steering.add_proposal(Proposal(C, ProposalKind.APPROVE_PLAN, "Plan 2", {"plan": 2},
                                                   Procedure.WRITTEN, deadline=OPENED, opened_at=OPENED))
        written(uow, "proposals")
    assert proposal.id is not None and proposal.state is ProposalState.OPEN and proposal.outcome is None
    with units() as uow:
        assert uow.steering.get_proposal(proposal.id) == proposal
        assert uow.steering.proposals(C) == [proposal, other]
        assert uow.steering.proposals(C, meeting=meeting.id) == [proposal]
        vote = CastVote(proposal.id, "EE", Vote.FOR, OPENED, "ee-desk")
        uow.steering.add_vote(vote)
        decided = dataclasses.replace(proposal, state=ProposalState.DECIDED, outcome=Outcome.APPROVED,
                                      reason="carried", tally={"for": 1}, effects=("plan 1 approved",),
                                      rules={"quorum": 1}, decided_at=OPENED)
        uow.steering.record_decision(decided)
        written(uow, "decision")
    with units() as uow:
        assert uow.steering.votes(proposal.id) == [vote]
        assert uow.steering.get_proposal(proposal.id) == decided
