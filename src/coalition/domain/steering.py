"""Steering-group decisions: who votes, whether there is a quorum, and what the rules make of the votes.

The rules are the coalition's DecisionRules (data). Votes are for, against or abstain, one per voting
member; only members whose role votes under the rules may vote. Every outcome carries the reason, in
words that name the rule applied, so the record says not only what was decided but why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

from coalition.domain.coalition import DecisionMethod, DecisionRules, MembershipRole
from coalition.domain.errors import InvalidInput, InvariantViolated, PermissionDenied
from coalition.domain.limits import MINUTES, NAME, TITLE, check_text
from coalition.domain.wording import say


class Vote(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class Procedure(StrEnum):
    MEETING = "meeting"  # decided among the voting members present
    WRITTEN = "written"  # every voting member is asked; those who answer take part
    SILENCE = "silence"  # approved unless a voting member objects before the deadline


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    NO_QUORUM = "no-quorum"
    OPEN = "open"  # a silence procedure before its deadline, with no objection yet


def check_voter(party: str, roles: Mapping[str, MembershipRole], rules: DecisionRules) -> None:
    """Refuse a vote from a party that is not a voting member, naming the rule."""
    role = roles.get(party)
    if role is None:
        raise PermissionDenied(f"{party} is not a member of the coalition on the day of the vote, so it cannot vote")
    if not rules.may_vote(role):
        voting = " and ".join(sorted(r.label for r in rules.voting_roles))
        raise PermissionDenied(f"{party} is {role.label}; under the coalition's rules only {voting} vote")


@dataclass(frozen=True, slots=True)
class Tally:
    outcome: Outcome
    reason: str
    voting_members: int
    taking_part: int
    votes_for: int
    votes_against: int
    abstentions: int
    weight_for: Fraction = Fraction(0)
    weight_against: Fraction = Fraction(0)


@dataclass(frozen=True, slots=True)
class _Count:
    """The votes cast by voting members, counted: what every method of deciding starts from."""

    voters: frozenset[str]
    cast: Mapping[str, Vote]
    taking_part: int
    where: str  # who takes part: "present" at a meeting, "answering" otherwise

    def number(self, vote: Vote) -> int:
        return sum(1 for v in self.cast.values() if v is vote)

    def objectors(self) -> list[str]:
        return sorted(p for p, v in self.cast.items() if v is Vote.AGAINST)

    def tally(self, outcome: Outcome, reason: str, weight_for: Fraction = Fraction(0),
              weight_against: Fraction = Fraction(0)) -> Tally:
        return Tally(outcome, reason, len(self.voters), self.taking_part, self.number(Vote.FOR),
                     self.number(Vote.AGAINST), self.number(Vote.ABSTAIN), weight_for, weight_against)


# The reasons a tally gives, as templates (``domain.wording``): kept in English, shown in the reader's language.
NO_VOTERS = "no voting members on the day"
NO_QUORUM = "quorum not met: {taking_part} of {voters} voting members {where}, the rules need {quorum}"
SILENCE_BROKEN = "silence procedure broken by the objection of {objectors}"
SILENCE_RUNNING = "silence procedure running: no objection so far, deadline not reached"
SILENCE_KEPT = "silence procedure: no voting member objected before the deadline"
CONSENSUS_BLOCKED = "consensus blocked by the objection of {objectors}"
CONSENSUS_EMPTY = "consensus needs at least one vote for and no objection"
CONSENSUS = "consensus: no objection among the {taking_part} voting members {where}"
SIMPLE_MAJORITY = "simple majority of votes cast: {votes_for} for, {against} against ({abstaining} abstaining)"
QUALIFIED_MAJORITY = ("qualified majority: {votes_for} of {total} votes cast are for ({share}), the rules need "
                      "{threshold}")
WEIGHTED_EMPTY = "qualified majority weighted by contributions: the votes cast carry no contributions"
WEIGHTED_MAJORITY = ("qualified majority weighted by contributions received: {share} of the weight cast is for, the "
                     "rules need {threshold}")
REASONS = (NO_VOTERS, NO_QUORUM, SILENCE_BROKEN, SILENCE_RUNNING, SILENCE_KEPT, CONSENSUS_BLOCKED, CONSENSUS_EMPTY,
           CONSENSUS, SIMPLE_MAJORITY, QUALIFIED_MAJORITY, WEIGHTED_EMPTY, WEIGHTED_MAJORITY)
# Where the members counted were: answering a written procedure, or present at a meeting (words to translate).
WHERE = ("answering", "present")


def decide(rules: DecisionRules, procedure: Procedure, voters: frozenset[str], votes: Mapping[str, Vote], *,
           present: frozenset[str] = frozenset(), weights: Mapping[str, int] | None = None,
           deadline_passed: bool = False) -> Tally:
    """Apply the rules to the votes of ``voters`` (the voting members on the day).

    ``present`` is who attended (meetings); ``weights`` are contributions received per voter, for a
    qualified majority weighted by contributions.
    """
    count = _count(procedure, voters, votes, present)
    if procedure is Procedure.SILENCE:
        return _silence(count, deadline_passed)
    if not voters:
        return count.tally(Outcome.NO_QUORUM, say(NO_VOTERS))
    if Fraction(count.taking_part, len(voters)) < rules.quorum:
        return count.tally(Outcome.NO_QUORUM, say(NO_QUORUM, taking_part=count.taking_part, voters=len(voters),
                                                  where=count.where, quorum=rules.quorum))
    return METHODS[rules.method](count, rules, weights or {})


def _count(procedure: Procedure, voters: frozenset[str], votes: Mapping[str, Vote], present: frozenset[str]
           ) -> _Count:
    """The votes counted, refusing votes from parties that are not voting members (or not present at a meeting)."""
    strangers = sorted(set(votes) - voters)
    if strangers:
        raise InvariantViolated(f"votes from parties that are not voting members: {', '.join(strangers)}",
                                field="votes")
    cast = dict(votes)
    if procedure is not Procedure.MEETING:
        return _Count(voters, cast, len(cast), "answering")
    absent = sorted(p for p in cast if p not in present)
    if absent:
        raise InvariantViolated(f"{', '.join(absent)} voted without attending the meeting", field="votes")
    return _Count(voters, cast, len(voters & present), "present")


def _silence(count: _Count, deadline_passed: bool) -> Tally:
    """A silence procedure: approved at the deadline unless a voting member objected."""
    objectors = count.objectors()
    if objectors:
        return count.tally(Outcome.REJECTED, say(SILENCE_BROKEN, objectors=", ".join(objectors)))
    if not deadline_passed:
        return count.tally(Outcome.OPEN, say(SILENCE_RUNNING))
    return count.tally(Outcome.APPROVED, say(SILENCE_KEPT))


def _consensus(count: _Count, rules: DecisionRules, weights: Mapping[str, int]) -> Tally:
    """Consensus: no objection and at least one vote for."""
    objectors = count.objectors()
    if objectors:
        return count.tally(Outcome.REJECTED, say(CONSENSUS_BLOCKED, objectors=", ".join(objectors)))
    if count.number(Vote.FOR) == 0:
        return count.tally(Outcome.REJECTED, say(CONSENSUS_EMPTY))
    return count.tally(Outcome.APPROVED, say(CONSENSUS, taking_part=count.taking_part, where=count.where))


def _simple_majority(count: _Count, rules: DecisionRules, weights: Mapping[str, int]) -> Tally:
    """More votes for than against; abstentions do not count."""
    votes_for, against = count.number(Vote.FOR), count.number(Vote.AGAINST)
    verdict = Outcome.APPROVED if votes_for > against else Outcome.REJECTED
    return count.tally(verdict, say(SIMPLE_MAJORITY, votes_for=votes_for, against=against,
                                    abstaining=count.number(Vote.ABSTAIN)))


def _qualified_majority(count: _Count, rules: DecisionRules, weights: Mapping[str, int]) -> Tally:
    """At least the threshold of the votes cast (or of their weight in contributions) is for."""
    threshold = rules.threshold
    assert threshold is not None
    if rules.weighted_by_contributions:
        return _weighted_majority(count, threshold, weights)
    votes_for, total_cast = count.number(Vote.FOR), count.number(Vote.FOR) + count.number(Vote.AGAINST)
    share_for = Fraction(votes_for, total_cast) if total_cast else Fraction(0)
    verdict = Outcome.APPROVED if total_cast and share_for >= threshold else Outcome.REJECTED
    return count.tally(verdict, say(QUALIFIED_MAJORITY, votes_for=votes_for, total=total_cast, share=share_for,
                                    threshold=threshold))


def _weighted_majority(count: _Count, threshold: Fraction, weights: Mapping[str, int]) -> Tally:
    """A qualified majority of the contributions received by the members voting for or against."""
    weight_for = Fraction(sum(weights.get(p, 0) for p, v in count.cast.items() if v is Vote.FOR))
    weight_against = Fraction(sum(weights.get(p, 0) for p, v in count.cast.items() if v is Vote.AGAINST))
    total = weight_for + weight_against
    if total == 0:
        return count.tally(Outcome.REJECTED, say(WEIGHTED_EMPTY))
    share_for = weight_for / total
    verdict = Outcome.APPROVED if share_for >= threshold else Outcome.REJECTED
    return count.tally(verdict, say(WEIGHTED_MAJORITY, share=share_for, threshold=threshold), weight_for,
                       weight_against)


METHODS: dict[DecisionMethod, Callable[[_Count, DecisionRules, Mapping[str, int]], Tally]] = {
    DecisionMethod.CONSENSUS: _consensus,
    DecisionMethod.SIMPLE_MAJORITY: _simple_majority,
    DecisionMethod.QUALIFIED_MAJORITY: _qualified_majority,
}


class ProposalKind(StrEnum):
    APPROVE_PRIORITY_LIST = "approve-priority-list"
    APPROVE_PLAN = "approve-plan"
    ADMIT_MEMBER = "admit-member"
    CHANGE_ROLE = "change-role"
    CHANGE_RULES = "change-rules"
    APPROVE_ROUTE = "approve-route"
    APPROVE_AWARD = "approve-award"
    AWARD_GRANT = "award-grant"  # an innovation project's grant, where the secretariat may not award alone
    PASS_STAGE_GATE = "pass-stage-gate"  # noqa: S105 - where the steering group decides stage gates


class ProposalState(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


@dataclass(frozen=True, slots=True)
class Meeting:
    coalition: str
    held_on: date
    title: str
    place: str = ""
    virtual: bool = False
    agenda: tuple[str, ...] = ()
    minutes: str = ""
    illustrative: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        check_text(self.title, "title", TITLE)
        check_text(self.place, "place", NAME, required=not self.virtual)
        for item in self.agenda:
            check_text(item, "agenda", TITLE)
        check_text(self.minutes, "minutes", MINUTES, required=False)


@dataclass(frozen=True, slots=True)
class Proposal:
    coalition: str
    kind: ProposalKind
    title: str
    payload: Mapping[str, Any]
    procedure: Procedure
    meeting: int | None = None
    deadline: datetime | None = None
    state: ProposalState = ProposalState.OPEN
    outcome: Outcome | None = None
    reason: str = ""
    tally: Mapping[str, Any] | None = None
    effects: tuple[str, ...] = ()
    rules: Mapping[str, Any] | None = None
    opened_at: datetime | None = None
    decided_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        check_text(self.title, "title", TITLE)
        if (self.procedure is Procedure.MEETING) != (self.meeting is not None):
            raise InvalidInput("a proposal is decided in a meeting exactly when it names the meeting",
                               field="meeting")
        if self.procedure is Procedure.SILENCE and self.deadline is None:
            raise InvalidInput("a silence procedure needs a deadline", field="deadline")


@dataclass(frozen=True, slots=True)
class CastVote:
    proposal: int
    party: str
    vote: Vote
    cast_at: datetime
    actor: str
