"""How a steering group's votes become decisions under each coalition's rules."""

from fractions import Fraction

import pytest

from coalition.domain.coalition import DecisionMethod, DecisionRules, MembershipRole
from coalition.domain.errors import InvariantViolated, PermissionDenied
from coalition.domain.steering import METHODS, Outcome, Procedure, Vote, check_voter, decide

FOR, AGAINST, ABSTAIN = Vote.FOR, Vote.AGAINST, Vote.ABSTAIN
VOTERS = frozenset({"EE", "LU", "BE", "DK", "IS", "IT"})
CONSENSUS = DecisionRules()
MAJORITY = DecisionRules(method=DecisionMethod.SIMPLE_MAJORITY)
TWO_THIRDS = DecisionRules(method=DecisionMethod.QUALIFIED_MAJORITY, threshold=Fraction(2, 3))
WEIGHTED = DecisionRules(method=DecisionMethod.QUALIFIED_MAJORITY, threshold=Fraction(2, 3),
                         weighted_by_contributions=True)


def test_observers_and_declaration_signatories_do_not_vote_and_the_rule_is_named():
    roles = {"EE": MembershipRole.LEAD, "NATO": MembershipRole.OBSERVER, "GB": MembershipRole.DOI_SIGNATORY,
             "UA": MembershipRole.RECIPIENT}
    check_voter("EE", roles, CONSENSUS)
    with pytest.raises(PermissionDenied, match="NATO is observer; under the coalition's rules only lead nation and "
                                               "member vote"):
        check_voter("NATO", roles, CONSENSUS)
    with pytest.raises(PermissionDenied, match="GB is declaration-of-intent signatory"):
        check_voter("GB", roles, CONSENSUS)
    with pytest.raises(PermissionDenied, match="not a member"):
        check_voter("PL", roles, CONSENSUS)
    recipient_votes = DecisionRules(voting_roles=frozenset({MembershipRole.LEAD, MembershipRole.MEMBER,
                                                            MembershipRole.RECIPIENT}))
    check_voter("UA", roles, recipient_votes)


def test_without_quorum_there_is_no_decision():
    tally = decide(CONSENSUS, Procedure.MEETING, VOTERS, {"EE": FOR, "LU": FOR}, present=frozenset({"EE", "LU"}))
    assert tally.outcome is Outcome.NO_QUORUM
    assert "2 of 6 voting members present" in tally.reason and "1/2" in tally.reason


def test_one_objection_blocks_consensus():
    present = frozenset({"EE", "LU", "BE", "DK"})
    tally = decide(CONSENSUS, Procedure.MEETING, VOTERS, {"EE": FOR, "LU": FOR, "BE": FOR, "DK": AGAINST},
                   present=present)
    assert tally.outcome is Outcome.REJECTED and "objection of DK" in tally.reason
    tally = decide(CONSENSUS, Procedure.MEETING, VOTERS, {"EE": FOR, "LU": FOR, "BE": ABSTAIN}, present=present)
    assert tally.outcome is Outcome.APPROVED


def test_a_vote_needs_attendance_and_membership():
    with pytest.raises(InvariantViolated, match="voted without attending"):
        decide(CONSENSUS, Procedure.MEETING, VOTERS, {"IT": FOR}, present=frozenset({"EE", "LU", "BE"}))
    with pytest.raises(InvariantViolated, match="not voting members: NATO"):
        decide(CONSENSUS, Procedure.WRITTEN, VOTERS, {"NATO": FOR})


def test_an_objection_breaks_a_silence_procedure_and_silence_until_the_deadline_approves():
    assert decide(CONSENSUS, Procedure.SILENCE, VOTERS, {}).outcome is Outcome.OPEN
    assert decide(CONSENSUS, Procedure.SILENCE, VOTERS, {}, deadline_passed=True).outcome is Outcome.APPROVED
    broken = decide(CONSENSUS, Procedure.SILENCE, VOTERS, {"IS": AGAINST}, deadline_passed=True)
    assert broken.outcome is Outcome.REJECTED and "broken by the objection of IS" in broken.reason


def test_simple_majority_counts_votes_cast():
    present = frozenset(VOTERS)
    votes = {"EE": FOR, "LU": FOR, "BE": AGAINST, "DK": ABSTAIN, "IS": ABSTAIN, "IT": ABSTAIN}
    assert decide(MAJORITY, Procedure.MEETING, VOTERS, votes, present=present).outcome is Outcome.APPROVED
    votes["IT"] = AGAINST
    assert decide(MAJORITY, Procedure.MEETING, VOTERS, votes, present=present).outcome is Outcome.REJECTED


def test_two_thirds_of_votes_cast():
    votes = {"EE": FOR, "LU": FOR, "BE": AGAINST}
    assert decide(TWO_THIRDS, Procedure.WRITTEN, VOTERS, votes).outcome is Outcome.APPROVED  # 2/3 exactly
    votes["DK"] = AGAINST
    assert decide(TWO_THIRDS, Procedure.WRITTEN, VOTERS, votes).outcome is Outcome.REJECTED  # 2/4


def test_a_qualified_majority_weighted_by_contributions_on_a_worked_example():
    # Contributions received, in euro cents: EE 6,000,000.00; LU 8,000,000.00; BE 3,000,000.00; DK 2,013,287.70.
    weights = {"EE": 600_000_000, "LU": 800_000_000, "BE": 300_000_000, "DK": 201_328_770}
    votes = {"EE": FOR, "LU": FOR, "BE": AGAINST, "DK": AGAINST}
    tally = decide(WEIGHTED, Procedure.WRITTEN, VOTERS, votes, weights=weights)
    # for: 1,400,000,000; against: 501,328,770; share for = 1,400,000,000 / 1,901,328,770 = 0.73633...
    assert tally.weight_for == 1_400_000_000 and tally.weight_against == 501_328_770
    assert tally.outcome is Outcome.APPROVED
    assert "140000000/190132877" in tally.reason
    votes["LU"] = AGAINST  # for: 600,000,000 of 1,901,328,770 = 0.3155...
    assert decide(WEIGHTED, Procedure.WRITTEN, VOTERS, votes, weights=weights).outcome is Outcome.REJECTED


def test_written_procedure_quorum_counts_those_who_answer():
    tally = decide(MAJORITY, Procedure.WRITTEN, VOTERS, {"EE": FOR, "LU": FOR})
    assert tally.outcome is Outcome.NO_QUORUM and "answering" in tally.reason


def test_every_method_of_deciding_has_its_count():
    assert set(METHODS) == set(DecisionMethod)
