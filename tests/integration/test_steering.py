"""The steering group on a real database: meetings, votes, decisions and their effects."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest

from coalition.bootstrap import Platform
from coalition.domain.coalition import DecisionMethod, DecisionRules
from coalition.domain.errors import Conflict, InvariantViolated, PermissionDenied
from coalition.domain.party import Party
from coalition.domain.requirements import ListState
from coalition.domain.steering import Meeting, Outcome, Procedure, ProposalKind, Vote
from coalition.services import planning, registry, steering
from coalition.services.views import priorities as priority_views
from tests.demo_copies import give_demo_world
from tests.fakes import TickingClock
from tests.integration.helpers import dump

IT = "it-coalition"
MEETING_DAY = date(2024, 6, 20)
VOTING_MEMBERS = ("EE", "LU", "BE", "DK", "IS", "IT", "LV", "LT", "NL")


@pytest.fixture
def world(platform: Platform) -> Platform:
    give_demo_world(platform, procurement=False)
    return platform


def meeting(platform: Platform, attendees: tuple[str, ...]) -> int:
    stored = steering.create_meeting(platform.uow(), platform.operator(), Meeting(
        IT, MEETING_DAY, "Steering group", "Tallinn", agenda=("Priority list version 2",)), attendees)
    assert stored.id is not None
    return stored.id


def propose_list(platform: Platform, meeting_id: int | None, procedure: Procedure = Procedure.MEETING,
                 deadline: datetime | None = None) -> int:
    proposal = steering.open_proposal(platform.uow(), platform.operator(), coalition=IT,
                                      kind=ProposalKind.APPROVE_PRIORITY_LIST, title="Approve priority list v2",
                                      payload={"version": 2}, procedure=procedure, meeting=meeting_id,
                                      deadline=deadline)
    assert proposal.id is not None
    return proposal.id


def vote(platform: Platform, proposal: int, parties: tuple[str, ...], choice: Vote = Vote.FOR) -> None:
    for party in parties:
        steering.cast_vote(platform.uow(), platform.operator(), proposal, party, choice)


def list_state(platform: Platform) -> ListState:
    versions = priority_views.priority_lists(platform.uow(), platform.operator(), IT)
    return next(v.state for v in versions if v.version == 2)


def test_an_approved_list_becomes_active_in_the_same_transaction(world: Platform):
    proposal = propose_list(world, meeting(world, (*VOTING_MEMBERS, "NATO", "GB", "UA")))
    vote(world, proposal, VOTING_MEMBERS)
    decided = steering.close_proposal(world.uow(), world.operator(), proposal)
    assert decided.outcome is Outcome.APPROVED and "consensus" in decided.reason
    assert decided.effects == ("priority list version 2 approved and active",)
    assert list_state(world) is ListState.APPROVED
    assert [d.id for d in steering.decisions(world.uow(), world.operator(), IT)][-1] == proposal


def test_observers_and_declaration_signatories_cannot_vote(world: Platform):
    proposal = propose_list(world, meeting(world, ("EE", "LU", "NATO", "GB")))
    with pytest.raises(PermissionDenied, match="NATO is observer; under the coalition's rules only"):
        vote(world, proposal, ("NATO",))
    with pytest.raises(PermissionDenied, match="GB is declaration-of-intent signatory"):
        vote(world, proposal, ("GB",))
    with pytest.raises(InvariantViolated, match="BE did not attend"):
        vote(world, proposal, ("BE",))


def test_without_quorum_there_is_no_decision_and_nothing_changes(world: Platform):
    proposal = propose_list(world, meeting(world, ("EE", "LU", "BE")))
    vote(world, proposal, ("EE", "LU", "BE"))
    decided = steering.close_proposal(world.uow(), world.operator(), proposal)
    assert decided.outcome is Outcome.NO_QUORUM and "3 of 9 voting members present" in decided.reason
    assert decided.effects == () and list_state(world) is ListState.SUBMITTED


def test_one_objection_blocks_consensus(world: Platform):
    proposal = propose_list(world, meeting(world, VOTING_MEMBERS))
    vote(world, proposal, VOTING_MEMBERS[:-1])
    vote(world, proposal, ("NL",), Vote.AGAINST)
    decided = steering.close_proposal(world.uow(), world.operator(), proposal)
    assert decided.outcome is Outcome.REJECTED and "objection of NL" in decided.reason
    assert list_state(world) is ListState.SUBMITTED


def test_a_vote_may_change_until_the_proposal_closes(world: Platform):
    proposal = propose_list(world, meeting(world, VOTING_MEMBERS))
    vote(world, proposal, VOTING_MEMBERS)
    vote(world, proposal, ("NL",), Vote.AGAINST)
    vote(world, proposal, ("NL",), Vote.FOR)
    assert steering.close_proposal(world.uow(), world.operator(), proposal).outcome is Outcome.APPROVED
    with pytest.raises(Conflict, match="closed"):
        vote(world, proposal, ("NL",), Vote.AGAINST)
    assert len(steering.get_proposal(world.uow(), world.operator(), proposal).votes) == len(VOTING_MEMBERS) + 2


def test_silence_until_the_deadline_approves_and_an_objection_breaks_it(world: Platform, clock: TickingClock):
    deadline = clock.now + timedelta(days=10)
    silent = propose_list(world, None, Procedure.SILENCE, deadline)
    with pytest.raises(Conflict, match="runs until"):
        steering.close_proposal(world.uow(), world.operator(), silent)
    clock.now = deadline + timedelta(seconds=1)
    decided = steering.close_proposal(world.uow(), world.operator(), silent)
    assert decided.outcome is Outcome.APPROVED and list_state(world) is ListState.APPROVED

    clock.now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    broken = steering.open_proposal(world.uow(), world.operator(), coalition=IT, kind=ProposalKind.CHANGE_ROLE,
                                    title="GB becomes a member", payload={"party": "GB", "role": "member",
                                                                          "on": "2026-12-15"},
                                    procedure=Procedure.SILENCE, deadline=clock.now + timedelta(days=5))
    vote(world, broken.id or 0, ("IS",), Vote.AGAINST)
    clock.now += timedelta(days=6)
    decided = steering.close_proposal(world.uow(), world.operator(), broken.id or 0)
    assert decided.outcome is Outcome.REJECTED and "broken by the objection of IS" in decided.reason


def test_a_failure_between_the_decision_and_its_effect_leaves_neither(world: Platform,
                                                                     monkeypatch: pytest.MonkeyPatch):
    proposal = propose_list(world, meeting(world, VOTING_MEMBERS))
    vote(world, proposal, VOTING_MEMBERS)
    before = dump(world.engine)

    def failing(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the effect failed")

    monkeypatch.setattr(planning, "approve_priority_list", failing)
    with pytest.raises(RuntimeError):
        steering.close_proposal(world.uow(), world.operator(), proposal)
    assert dump(world.engine) == before


def test_changing_the_rules_is_a_decision_under_the_old_rules(world: Platform):
    two_thirds = DecisionRules(method=DecisionMethod.QUALIFIED_MAJORITY, threshold=Fraction(2, 3))
    change = steering.open_proposal(world.uow(), world.operator(), coalition=IT, kind=ProposalKind.CHANGE_RULES,
                                    title="Move to a two-thirds majority", payload={"rules": two_thirds.to_data()},
                                    procedure=Procedure.WRITTEN)
    vote(world, change.id or 0, VOTING_MEMBERS[:-1])
    vote(world, change.id or 0, ("NL",), Vote.AGAINST)  # under consensus (the old rules) one objection blocks
    decided = steering.close_proposal(world.uow(), world.operator(), change.id or 0)
    assert decided.outcome is Outcome.REJECTED and decided.rules is not None
    assert decided.rules["method"] == "consensus"
    again = steering.open_proposal(world.uow(), world.operator(), coalition=IT, kind=ProposalKind.CHANGE_RULES,
                                   title="Move to a two-thirds majority", payload={"rules": two_thirds.to_data()},
                                   procedure=Procedure.WRITTEN)
    vote(world, again.id or 0, VOTING_MEMBERS)
    assert steering.close_proposal(world.uow(), world.operator(), again.id or 0).outcome is Outcome.APPROVED
    coalition = next(c for c in registry.list_coalitions(world.uow(), world.operator()) if c.code == IT)
    assert coalition.rules == two_thirds


def test_admitting_a_member_by_decision_creates_the_membership(world: Platform):
    registry.register_party(world.uow(), world.operator(), Party.state("PL"))
    proposal = steering.open_proposal(world.uow(), world.operator(), coalition=IT, kind=ProposalKind.ADMIT_MEMBER,
                                      title="Admit Poland", payload={"party": "PL", "role": "member",
                                                                     "on": "2026-12-01"},
                                      procedure=Procedure.WRITTEN)
    vote(world, proposal.id or 0, VOTING_MEMBERS)
    decided = steering.close_proposal(world.uow(), world.operator(), proposal.id or 0)
    assert decided.effects == ("PL admitted as member from 2026-12-01",)
    members = registry.members_on(world.uow(), world.operator(), IT, date(2026, 12, 1))
    assert "PL" in {m.party.code for m in members}


def test_minutes_export_as_markdown(world: Platform):
    meeting_id = meeting(world, (*VOTING_MEMBERS, "NATO"))
    proposal = propose_list(world, meeting_id)
    vote(world, proposal, VOTING_MEMBERS)
    steering.close_proposal(world.uow(), world.operator(), proposal)
    steering.set_minutes(world.uow(), world.operator(), meeting_id, "The group approved version 2.")
    text = steering.minutes_markdown(steering.get_meeting(world.uow(), world.operator(), meeting_id))
    assert "# Steering group" in text and "- NATO (observer)" in text and "- EE (lead nation, votes)" in text
    assert "approved" in text and "effect: priority list version 2 approved and active" in text


def test_a_majority_weighted_by_contributions_uses_the_money_each_member_paid(world: Platform):
    weighted = DecisionRules(method=DecisionMethod.QUALIFIED_MAJORITY, threshold=Fraction(2, 3),
                             weighted_by_contributions=True)
    change = steering.open_proposal(world.uow(), world.operator(), coalition=IT, kind=ProposalKind.CHANGE_RULES,
                                    title="Weighted votes", payload={"rules": weighted.to_data()},
                                    procedure=Procedure.WRITTEN)
    vote(world, change.id or 0, VOTING_MEMBERS)
    assert steering.close_proposal(world.uow(), world.operator(), change.id or 0).outcome is Outcome.APPROVED
    # Received in EUR (demo): LU 8,000,000.00; EE 6,000,000.00; NL 5,000,000.00; DK 2,013,287.70 (DKK converted);
    # LV 750,000.00; IS 504,032.26 (ISK converted); BE, IT, LT nothing in money.
    proposal = propose_list(world, None, Procedure.WRITTEN)
    vote(world, proposal, ("LU", "EE", "BE", "IT", "LT"))
    vote(world, proposal, ("NL", "DK", "LV", "IS"), Vote.AGAINST)
    decided = steering.close_proposal(world.uow(), world.operator(), proposal)
    # for 1,400,000,000 cents against 826,731,996: 1,400,000,000 / 2,226,731,996 = 0.6287... < 2/3
    assert decided.tally is not None
    assert decided.tally["weight_for"] == "1400000000" and decided.tally["weight_against"] == "826731996"
    assert decided.outcome is Outcome.REJECTED and "the rules need 2/3" in decided.reason
