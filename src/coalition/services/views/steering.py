"""A proposal as its page shows it, read in one transaction: the proposal and its votes, what closing it now
would decide (the count so far and who has not answered), and what the members are asked to approve: an
allocation plan's requirements and lines, or how a priority list moves the requirements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coalition.domain.access import Actor, can
from coalition.domain.planning import AllocationPlan
from coalition.domain.requirements import ListState, Move, diff
from coalition.domain.steering import CastVote, Proposal, ProposalKind, ProposalState
from coalition.services.audit import require
from coalition.services.planning import get_plan
from coalition.services.ports import UnitOfWork
from coalition.services.steering import Forecast, forecast, load_proposal


@dataclass(frozen=True, slots=True)
class ProposalPage:
    proposal: Proposal
    votes: list[CastVote]
    forecast: Forecast | None  # for an open proposal
    plan: AllocationPlan | None  # the plan an approve-plan proposal approves, where the viewer may see it
    moves: list[Move] | None  # how the list an approve-priority-list proposal approves moves the requirements
    compared_with: int | None  # the version the moves are counted from (the last approved before it)


def proposal_page(uow: UnitOfWork, actor: Actor, proposal_id: int, on: date | None = None) -> ProposalPage:
    with uow:
        proposal = load_proposal(uow, proposal_id)
        require(can(actor, "read_registry", proposal.coalition))
        votes = uow.steering.votes(proposal_id)
        ahead = forecast(uow, proposal, on) if proposal.state is ProposalState.OPEN else None
        plan, moves, compared = None, None, None
        if proposal.kind is ProposalKind.APPROVE_PLAN and can(actor, "read_funding", proposal.coalition).allowed:
            plan = get_plan(uow, actor, int(proposal.payload["plan"]))
        if proposal.kind is ProposalKind.APPROVE_PRIORITY_LIST:
            versions = uow.priorities.versions(proposal.coalition)
            asked = next((v for v in versions if v.version == int(proposal.payload["version"])), None)
            if asked is not None:
                approved = [v for v in versions if v.version < asked.version and v.state is ListState.APPROVED]
                base = approved[-1] if approved else None
                moves = diff(base, asked) if base is not None else [Move(c, None, i) for i, c in
                                                                    enumerate(asked.ranks, start=1)]
                compared = None if base is None else base.version
        return ProposalPage(proposal, votes, ahead, plan, moves, compared)
