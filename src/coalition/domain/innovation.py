"""The innovation pipeline: calls and hackathons, projects, expert review, and stage gates.

A call (or a hackathon, or an acceleration cohort) asks for projects in capability areas or for one
requirement, and carries the rubric its experts score by. A reviewer first declares whether they
have a conflict of interest with a project; a conflicted reviewer cannot review it. Scores
aggregate as a weighted mean per review and, optionally, normalised per reviewer (z-scores), which
corrects for harsh or lenient reviewers. A project moves from idea to adoption one stage at a time,
each move a recorded decision with its evidence; the allowed moves are data.

A call is owned by a coalition or by a national programme (a state's own defence-innovation programme, such as
a defence-tech park: its calls, teams and stages, and no coalition fund). Each owner has its list of stages and
its gate rules, both data: how many independent reviews a project needs before a gate, whether a shortlist
comes before the first gate, and whether each gate cites evidence of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from enum import StrEnum
from itertools import pairwise

from coalition.domain.common import check_code, check_move
from coalition.domain.contributions import Earmark, EarmarkKind
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, refusal
from coalition.domain.limits import (
    COMMENT,
    EVIDENCE_REFERENCE,
    GRANT_REFERENCE,
    MAX_NUMBER,
    NAME,
    NOTE,
    TITLE,
    check_id,
    check_text,
    check_whole,
)
from coalition.domain.money import Money

SCORE_PLACES = Decimal("0.0001")
MAX_GRANT_CODE = 58


class CallKind(StrEnum):
    CALL = "call"
    HACKATHON = "hackathon"
    ACCELERATION_COHORT = "acceleration-cohort"


class ProjectDomain(StrEnum):
    DIGITAL_TECHNOLOGIES = "digital-technologies"
    VIDEO_SURVEILLANCE = "video-surveillance"
    DATA_ANALYTICS = "data-analytics"
    TELECOMMUNICATIONS = "telecommunications"
    SATELLITE_SOLUTIONS = "satellite-solutions"
    UAV = "uav"
    CYBERSECURITY = "cybersecurity"
    ELECTRONIC_WARFARE = "electronic-warfare"
    OTHER = "other"


class ProjectStage(StrEnum):
    IDEA = "idea"
    PROTOTYPE = "prototype"
    FIELD_TEST = "field-test"
    PILOT_DEPLOYMENT = "pilot-deployment"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    ARCHIVED = "archived"


S = ProjectStage
PROGRESSION = (S.IDEA, S.PROTOTYPE, S.FIELD_TEST, S.PILOT_DEPLOYMENT, S.ADOPTED)


def stage_transitions(stages: Sequence[ProjectStage]) -> dict[ProjectStage, frozenset[ProjectStage]]:
    """The moves an owner's stage list allows: on to the next stage, or out (rejected, archived); the last stage
    and a rejection only to the archive."""
    moves = {here: frozenset({there, S.REJECTED, S.ARCHIVED}) for here, there in pairwise(stages)}
    return {**moves, stages[-1]: frozenset({S.ARCHIVED}), S.REJECTED: frozenset({S.ARCHIVED}),
            S.ARCHIVED: frozenset()}


STAGE_TRANSITIONS: dict[ProjectStage, frozenset[ProjectStage]] = stage_transitions(PROGRESSION)
COALITION_STAGES = PROGRESSION  # a coalition's pipeline: every stage from idea to adoption
MAX_REVIEWS_NEEDED = 50


def check_stages(stages: Sequence[ProjectStage], field: str = "stages") -> tuple[ProjectStage, ...]:
    """A stage list starts with the idea and follows the progression (idea, prototype, field test, pilot deployment,
    adopted) in its order, leaving out what the owner does not run, at least two stages."""
    found = tuple(stages)
    if len(found) < 2 or found[0] is not S.IDEA:
        raise refusal(InvalidInput, "a stage list starts with idea and has at least two stages", field=field)
    outside = [s.value for s in found if s not in PROGRESSION]
    if outside:
        raise refusal(InvalidInput, "{stages} cannot be on a stage list (only idea, prototype, field-test, "
                                "pilot-deployment, adopted)", field=field, stages=", ".join(outside))
    order = [PROGRESSION.index(s) for s in found]
    if order != sorted(set(order)):
        raise refusal(InvalidInput, "a stage list follows the order idea, prototype, field-test, pilot-deployment, "
                                "adopted, each stage once", field=field)
    return found


class GateAuthority(StrEnum):
    """Who decides a programme's stage gates."""

    PANEL = "panel"
    STEERING_GROUP = "steering-group"


class EvidenceKind(StrEnum):
    TEST_REPORT = "test-report"
    FIELD_TEST_RESULT = "field-test-result"
    DOCUMENT = "document"


class ScoringMethod(StrEnum):
    MEAN = "mean"  # the weighted mean of each review, averaged over the project's reviewers
    NORMALISED = "normalised"  # each reviewer's weighted means as z-scores, averaged over the reviewers


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    title: str
    weight: Decimal
    scale_min: int = 1
    scale_max: int = 10

    def __post_init__(self) -> None:
        check_code(self.code, "rubric.code")
        check_text(self.title, "rubric.title", NAME)
        if not isinstance(self.weight, Decimal) or self.weight <= 0:
            raise InvalidInput(f"criterion {self.code}: a weight is a positive decimal, not {self.weight}",
                               field="rubric.weight")
        if self.scale_min >= self.scale_max:
            raise InvalidInput(f"criterion {self.code}: the scale runs from a lower to a higher score",
                               field="rubric.scale")


@dataclass(frozen=True, slots=True)
class Rubric:
    """The criteria a call's reviews score, each with its weight and scale."""

    criteria: tuple[Criterion, ...]

    def __post_init__(self) -> None:
        if not self.criteria:
            raise InvalidInput("a rubric has at least one criterion", field="rubric")
        codes = [c.code for c in self.criteria]
        if len(set(codes)) != len(codes):
            raise InvalidInput("each criterion of a rubric has its own code", field="rubric.code")

    def weighted(self, scores: Mapping[str, int]) -> Decimal:
        """The weighted mean of one review's scores; every criterion scored, on its scale, and nothing else."""
        unknown = sorted(set(scores) - {c.code for c in self.criteria})
        if unknown:
            raise InvalidInput(f"the rubric has no criterion {', '.join(unknown)}", field="scores")
        total, weights = Decimal(0), Decimal(0)
        for criterion in self.criteria:
            if criterion.code not in scores:
                raise InvalidInput(f"criterion {criterion.code} is not scored", field=f"scores.{criterion.code}")
            score = scores[criterion.code]
            if isinstance(score, bool) or not isinstance(score, int) or \
                    not criterion.scale_min <= score <= criterion.scale_max:
                raise InvalidInput(f"{score!r} is not a whole score from {criterion.scale_min} to "
                                   f"{criterion.scale_max}", field=f"scores.{criterion.code}")
            total += criterion.weight * score
            weights += criterion.weight
        return total / weights


@dataclass(frozen=True, slots=True)
class Call:
    """A call for projects, a hackathon or an acceleration cohort, with its rubric and gate authority, owned by a
    coalition or by a national programme (``programme``; then ``coalition`` is None)."""

    code: str
    coalition: str | None
    kind: CallKind
    title: str
    opens_on: date
    closes_on: date
    rubric: Rubric
    areas: tuple[str, ...] = ()
    requirement: str | None = None
    gate_authority: GateAuthority = GateAuthority.PANEL
    illustrative: bool = False
    programme: str | None = None

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        if (self.coalition is None) == (self.programme is None):
            raise refusal(InvalidInput, "a call is owned by a coalition or by a programme, exactly one of them",
                                    field="programme" if self.programme is not None else "coalition")
        check_code(self.owner, "programme" if self.programme is not None else "coalition")
        if self.programme is not None and self.gate_authority is GateAuthority.STEERING_GROUP:
            raise refusal(InvalidInput, "a programme has no steering group: its gates are decided by its panel",
                                    field="gate_authority")
        check_text(self.title, "title", TITLE)
        for area in self.areas:
            check_code(area, "areas")
        if self.requirement is not None:
            check_code(self.requirement, "requirement")
        if self.closes_on < self.opens_on:
            raise InvalidInput(f"a call closes ({self.closes_on}) on or after it opens ({self.opens_on})",
                               field="closes_on")

    @property
    def owner(self) -> str:
        """The coalition or programme that owns the call: the scope its permissions are checked in."""
        return self.coalition if self.coalition is not None else str(self.programme)

    def may_be_funded_by(self, earmark: Earmark, below: Mapping[str, set[str]]) -> bool:
        """Whether money so earmarked may pay a grant of this call: unearmarked, earmarked to the call's
        requirement, or to areas covering every area of the call (``below``: each area with those under it)."""
        if earmark.kind is EarmarkKind.NONE:
            return True
        if earmark.kind is EarmarkKind.AREAS:
            covered = set().union(*(below.get(t, {t}) for t in earmark.targets))
            return bool(self.areas) and set(self.areas) <= covered
        return earmark.kind is EarmarkKind.REQUIREMENT and earmark.targets == (self.requirement,)


@dataclass(frozen=True, slots=True)
class Project:
    """A project answering a call: its team (a party), members, domain, readiness level and stage."""

    code: str
    call: str
    title: str
    team: str
    domain: ProjectDomain
    trl: int
    members: tuple[str, ...] = ()
    summary: str = ""
    stage: ProjectStage = ProjectStage.IDEA
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        check_text(self.title, "title", TITLE)
        check_code(self.team, "team")
        check_trl(self.trl)
        for member in self.members:
            check_text(member, "members", NAME)
        check_text(self.summary, "summary", COMMENT, required=False)


def check_trl(trl: int) -> int:
    if isinstance(trl, bool) or not isinstance(trl, int) or not 1 <= trl <= 9:
        raise InvalidInput(f"{trl!r} is not a technology readiness level (1 to 9)", field="trl")
    return trl


@dataclass(frozen=True, slots=True)
class Evidence:
    project: str
    kind: EvidenceKind
    title: str
    reference: str
    recorded_on: date
    id: int | None = None

    def __post_init__(self) -> None:
        check_text(self.title, "title", TITLE)
        check_text(self.reference, "reference", EVIDENCE_REFERENCE)


@dataclass(frozen=True, slots=True)
class ConflictDeclaration:
    """A reviewer's statement, for one project, that they have (or have not) a conflict of interest."""

    project: str
    reviewer: str
    conflicted: bool
    note: str
    declared_at: datetime

    def __post_init__(self) -> None:
        check_text(self.note, "note", NOTE, required=self.conflicted)


@dataclass(frozen=True, slots=True)
class Review:
    project: str
    reviewer: str
    scores: Mapping[str, int]
    comment: str
    submitted_at: datetime
    id: int | None = None

    def __post_init__(self) -> None:
        check_text(self.comment, "comment", COMMENT, required=False)


def latest_declarations(declarations: Sequence[ConflictDeclaration]) -> dict[tuple[str, str], ConflictDeclaration]:
    """Per (project, reviewer), the declaration that counts: the last recorded (``declarations`` in order)."""
    return {(d.project, d.reviewer): d for d in declarations}


def check_reviewer(project: str, reviewer: str, declarations: Sequence[ConflictDeclaration],
                   reviews: Sequence[Review], *, team: str | None = None, reviewer_party: str | None = None) -> None:
    """A reviewer reviews a project once, having declared no conflict of interest with it (the latest
    declaration counts); a reviewer acting for the project's own team is conflicted whatever they declared."""
    if team is not None and reviewer_party == team:
        raise InvariantViolated(f"{reviewer} acts for {team}, the team of {project}, so cannot review it",
                                field="reviewer")
    latest = latest_declarations(declarations).get((project, reviewer))
    if latest is None:
        raise InvariantViolated(f"{reviewer} has not declared whether they have a conflict of interest with "
                                f"{project}; declare it first", field="reviewer")
    if latest.conflicted:
        raise refusal(InvariantViolated, "{reviewer} declared a conflict of interest with {project} ({note}), so "
                                     "cannot review it", field="reviewer", reviewer=reviewer, project=project,
                                     note=latest.note)
    if any(r.project == project and r.reviewer == reviewer for r in reviews):
        raise InvariantViolated(f"{reviewer} has already reviewed {project}", field="reviewer")


def ranking_fixed_since(shortlists: Sequence[Shortlist]) -> date | None:
    """The day the call's ranking became fixed, its first shortlist's; None while reviews may still change it."""
    return min((s.decided_on for s in shortlists), default=None)


def withdrawn_by(declaration: ConflictDeclaration, call: Call, *, reviews: Sequence[Review],
                 declarations: Sequence[ConflictDeclaration], shortlists: Sequence[Shortlist],
                 withdraw: bool) -> Review | None:
    """The reviewer's review this declaration withdraws (None if it changes no review that counts), or a refusal.

    A conflict declared after reviewing withdraws the review, and so moves the normalised score of every project
    of the call: only before a shortlist fixes the ranking, and only when the reviewer confirms the withdrawal
    (``withdraw``) having been told so (reviews go on after a call closes to submissions, so its closing fixes
    nothing). Once a shortlist is decided, a declaration that would change which reviews count is refused; a
    withdrawn review is never restored by declaring no conflict again.
    """
    project, reviewer = declaration.project, declaration.reviewer
    own = next((r for r in reviews if r.project == project and r.reviewer == reviewer), None)
    if own is None:
        return None
    latest = latest_declarations(declarations).get((project, reviewer))
    counted = latest is None or not latest.conflicted
    if counted != declaration.conflicted:
        return None  # it counts and stays counted, or it was withdrawn and stays withdrawn
    if not counted:
        raise refusal(InvariantViolated, "{reviewer} declared a conflict of interest with {project} after reviewing "
                      "it, which withdrew the review; a withdrawn review is not restored", field="conflicted",
                      reviewer=reviewer, project=project)
    fixed = ranking_fixed_since(shortlists)
    if fixed is not None:
        raise refusal(InvariantViolated, "the ranking of {call} is fixed by the shortlist decided on {day}: a "
                      "conflict declared now would withdraw the review of {project} it rests on, so it is refused",
                      field="conflicted", call=call.code, day=fixed.isoformat(), project=project)
    if not withdraw:
        raise refusal(Conflict, "declaring a conflict of interest with {project} withdraws your review of it and "
                      "changes the normalised score of every project of {call}; confirm the withdrawal to declare "
                      "it", field="withdraw", project=project, call=call.code)
    return own


@dataclass(frozen=True, slots=True)
class ProjectScore:
    project: str
    reviews: int
    mean: Decimal
    normalised: Decimal

    def score(self, method: ScoringMethod) -> Decimal:
        return self.mean if method is ScoringMethod.MEAN else self.normalised


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def counted_reviews(reviews: Sequence[Review], declarations: Sequence[ConflictDeclaration]) -> list[Review]:
    """The reviews that count: not those whose reviewer has since declared a conflict with the project."""
    latest = latest_declarations(declarations)
    return [r for r in reviews if not (d := latest.get((r.project, r.reviewer))) or not d.conflicted]


def aggregate(rubric: Rubric, reviews: Sequence[Review], method: ScoringMethod = ScoringMethod.MEAN
              ) -> list[ProjectScore]:
    """Each reviewed project's score, best first by ``method`` (ties by code).

    Mean: the weighted mean of each review, averaged over the project's reviews. Normalised: each
    review's weighted mean as a z-score among the same reviewer's reviews of the call (its distance
    from that reviewer's mean in that reviewer's standard deviations; 0 for a reviewer whose scores
    do not vary), averaged over the project's reviews.
    """
    with localcontext() as context:
        context.prec = 34
        weighted = [(r, rubric.weighted(r.scores)) for r in reviews]
        by_reviewer: dict[str, list[Decimal]] = defaultdict(list)
        for review, value in weighted:
            by_reviewer[review.reviewer].append(value)
        spread: dict[str, tuple[Decimal, Decimal]] = {}
        for reviewer, values in by_reviewer.items():
            mean = _mean(values)
            variance = _mean([(v - mean) ** 2 for v in values])
            spread[reviewer] = (mean, variance.sqrt())
        raw: dict[str, list[Decimal]] = defaultdict(list)
        z: dict[str, list[Decimal]] = defaultdict(list)
        for review, value in weighted:
            mean, deviation = spread[review.reviewer]
            raw[review.project].append(value)
            z[review.project].append(Decimal(0) if deviation == 0 else (value - mean) / deviation)
        found = [ProjectScore(project, len(values), _mean(values).quantize(SCORE_PLACES, ROUND_HALF_EVEN),
                              _mean(z[project]).quantize(SCORE_PLACES, ROUND_HALF_EVEN))
                 for project, values in raw.items()]
    return sorted(found, key=lambda s: (-s.score(method), s.project))


@dataclass(frozen=True, slots=True)
class Shortlist:
    """A recorded decision on a call's ranking: who is shortlisted, by which method, decided by whom."""

    call: str
    method: ScoringMethod
    ranking: tuple[tuple[str, Decimal], ...]
    shortlisted: tuple[str, ...]
    decided_by: str
    decided_on: date
    note: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        check_text(self.decided_by, "decided_by", NAME)
        check_text(self.note, "note", NOTE, required=False)
        ranked = {p for p, _ in self.ranking}
        outside = sorted(set(self.shortlisted) - ranked)
        if outside:
            raise InvariantViolated(f"{', '.join(outside)} was not reviewed in this call, so cannot be shortlisted",
                                    field="shortlisted")
        if not self.shortlisted:
            raise InvalidInput("a shortlist names at least one project", field="shortlisted")


@dataclass(frozen=True, slots=True)
class GateDecision:
    """A project's move from one stage to another, decided by the programme's authority, with evidence."""

    project: str
    from_stage: ProjectStage
    to_stage: ProjectStage
    authority: GateAuthority
    decided_by: str
    decided_on: date
    evidence: tuple[int, ...] = ()
    decision: int | None = None  # the steering group's decision, where it decides the gates
    note: str = ""
    id: int | None = None
    recorded_at: datetime | None = None  # when the record learned of it (unknown for gates stored before 0021)

    def __post_init__(self) -> None:
        check_text(self.decided_by, "decided_by", NAME)
        check_text(self.note, "note", NOTE, required=False)
        for evidence in self.evidence:
            check_id(evidence, "evidence")
        if self.decision is not None:
            check_id(self.decision, "decision")


@dataclass(frozen=True, slots=True)
class GateRules:
    """An owner's rules for passing a stage gate, as data: the independent reviews a project needs (a conflicted
    review does not count), whether a shortlist comes before the first gate, and whether each gate cites evidence
    of its own (evidence cited at one gate cannot be cited again at another)."""

    min_reviews: int = 1
    shortlist_first: bool = False
    own_evidence: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.min_reviews, bool) or not isinstance(self.min_reviews, int) or \
                not 1 <= self.min_reviews <= MAX_REVIEWS_NEEDED:
            raise refusal(InvalidInput, "a project needs from 1 to {most} independent reviews to pass a gate, not "
                                    "{value}", field="min_reviews", most=MAX_REVIEWS_NEEDED,
                                    value=repr(self.min_reviews))

    def describe(self) -> list[str]:
        """The rules in words, one line each (the pages translate the same lines)."""
        return [line for line in (
            f"at least {self.min_reviews} independent review(s) before a gate",
            "a shortlist before the first gate" if self.shortlist_first else "",
            "evidence of its own for each gate" if self.own_evidence else "") if line]


DEFAULT_GATE_RULES = GateRules()  # an owner that has set none: one independent review, own evidence per gate


@dataclass(frozen=True, slots=True)
class Programme:
    """A state's own defence-innovation programme (a defence-tech park, a hub): it runs its own calls, teams and
    stages with no coalition fund behind it. ``owner`` is the state (a party), ``run_by`` the body that runs it."""

    code: str
    name: str
    owner: str
    areas: tuple[ProjectDomain, ...]
    stages: tuple[ProjectStage, ...] = COALITION_STAGES
    gate_rules: GateRules = DEFAULT_GATE_RULES
    run_by: str | None = None
    place: str = ""
    since: int | None = None  # the year it began
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        check_text(self.name, "name", NAME)
        if self.since is not None:
            check_whole(self.since, "since", low=1900, high=2100, what="a year")
        check_code(self.owner, "owner")
        if self.run_by is not None:
            check_code(self.run_by, "run_by")
        check_text(self.place, "place", NAME, required=False)
        if not self.areas:
            raise refusal(InvalidInput, "a programme names at least one area", field="areas")
        if len(set(self.areas)) != len(self.areas):
            raise refusal(InvalidInput, "each area of a programme is named once", field="areas")
        check_stages(self.stages)


@dataclass(frozen=True, slots=True)
class GateFacts:
    """What the record says of a project when a gate is asked for: its reviews that count, whether its call's
    shortlist names it, whether it has passed a gate before, and the evidence its earlier gates cited."""

    reviews: int
    shortlisted: bool
    first_gate: bool
    cited_before: frozenset[int] = frozenset()


def check_stage_move(project: Project, to: ProjectStage, stages: Sequence[ProjectStage]) -> None:
    """A move the owner's stage list allows: no stage skipped, none outside the list."""
    if to in PROGRESSION and to not in stages:
        raise refusal(InvariantViolated, "{stage} is not a stage of this owner's pipeline ({stages})", field="stage",
                                     stage=to.value, stages=", ".join(s.value for s in stages))
    if project.stage in stages and to in stages:
        here, there = stages.index(project.stage), stages.index(to)
        if there > here + 1:
            raise refusal(InvariantViolated,
                "{project} is at {stage}; moving to {to} would skip {skipped}: a project passes every stage "
                "gate in turn", field="stage", project=project.code, stage=project.stage.value, to=to.value,
                skipped=", ".join(s.value for s in stages[here + 1:there]))
    transitions = stage_transitions(stages)
    if project.stage not in transitions:
        raise refusal(InvariantViolated, "{project} is at {stage}, which is not a stage of this owner's pipeline",
                                     field="stage", project=project.code, stage=project.stage.value)
    check_move(transitions, f"project {project.code}", project.stage, to, "stage")


def check_gate_rules(project: Project, to: ProjectStage, rules: GateRules, evidence: Sequence[int],
                     facts: GateFacts) -> None:
    """A forward move follows the owner's gate rules; the refusal names the rule and the numbers."""
    if to not in PROGRESSION:
        return  # a rejection or the archive passes no gate
    if facts.reviews < rules.min_reviews:
        raise refusal(InvariantViolated,
            "{project} has {reviews} independent review(s); passing a gate needs at least {needed} "
            "(conflicted reviews do not count)", field="reviews", project=project.code, reviews=facts.reviews,
            needed=rules.min_reviews)
    if rules.shortlist_first and facts.first_gate and not facts.shortlisted:
        raise refusal(InvariantViolated, "{project} is not on a shortlist of its call; the first gate needs one",
                                     field="shortlist", project=project.code)
    if not evidence:
        raise refusal(InvariantViolated, "moving {project} to {to} needs its evidence (test reports, field-test "
                                     "results or documents)", field="evidence", project=project.code, to=to.value)
    reused = sorted(set(evidence) & facts.cited_before)
    if rules.own_evidence and reused:
        raise refusal(InvariantViolated, "evidence {reused} was cited at an earlier gate of {project}; each gate "
                                     "needs evidence of its own", field="evidence", project=project.code,
                                     reused=", ".join(map(str, reused)))


def check_gate(project: Project, to: ProjectStage, authority: GateAuthority, evidence: Sequence[int],
               decision: int | None, *, stages: Sequence[ProjectStage] = COALITION_STAGES,
               rules: GateRules = DEFAULT_GATE_RULES, facts: GateFacts | None = None) -> None:
    """A move is one the owner's stage list allows (no stage skipped); forward moves follow the owner's gate rules
    (``facts`` are what the record says of the project); a steering-group programme cites the group's decision."""
    check_stage_move(project, to, stages)
    check_gate_rules(project, to, rules, evidence, facts or GateFacts(0, False, True))
    if authority is GateAuthority.STEERING_GROUP and decision is None:
        raise refusal(InvariantViolated, "this programme's stage gates are decided by the steering group: cite its "
                                     "decision", field="decision")


@dataclass(frozen=True, slots=True)
class ProjectHistory:
    """A project's whole story: the call it answered, its gates, evidence, reviews and what followed."""

    project: Project
    call: Call
    gates: list[GateDecision] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    reviews: int = 0


@dataclass(frozen=True, slots=True)
class Milestone:
    number: int
    title: str
    amount: Money

    def __post_init__(self) -> None:
        check_whole(self.number, "milestones.number", high=MAX_NUMBER, what="a milestone number")
        check_text(self.title, "milestones.title", TITLE)
        if self.amount.amount <= 0:
            raise InvalidInput(f"milestone {self.number} is worth more than zero, not {self.amount}",
                               field="milestones.amount")


@dataclass(frozen=True, slots=True)
class ProjectGrant:
    """Money awarded to a project from a coalition fund, paid in tranches as its milestones are met."""

    code: str
    project: str
    fund: str
    amount: Money
    milestones: tuple[Milestone, ...]
    awarded_on: date
    decided_by: str

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        if len(self.code) > MAX_GRANT_CODE:  # it names the grant's spending target, "grant:CODE", in the ledger
            raise InvalidInput(f"a grant's code has at most {MAX_GRANT_CODE} characters", field="code")
        check_text(self.decided_by, "decided_by", NAME)
        if self.amount.amount <= 0:
            raise InvalidInput(f"a grant is worth more than zero, not {self.amount}", field="amount")
        if [m.number for m in self.milestones] != list(range(1, len(self.milestones) + 1)):
            raise InvalidInput("a grant's milestones are numbered 1, 2, 3 ... in order", field="milestones")
        if any(m.amount.currency != self.amount.currency for m in self.milestones):
            raise InvalidInput(f"every milestone is in the grant's currency, {self.amount.currency}",
                               field="milestones.amount")
        total = sum((m.amount.amount for m in self.milestones), Decimal(0))
        if total != self.amount.amount:
            raise InvalidInput(f"the milestones add up to {total} {self.amount.currency}, not the grant's "
                               f"{self.amount}", field="milestones")

    def milestone(self, number: int) -> Milestone:
        for found in self.milestones:
            if found.number == number:
                return found
        raise InvalidInput(f"grant {self.code} has no milestone {number} (1 to {len(self.milestones)})",
                           field="milestone")


@dataclass(frozen=True, slots=True)
class GrantPayment:
    grant: str
    milestone: int
    amount: Money
    paid_on: date
    reference: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        check_whole(self.milestone, "milestone", high=MAX_NUMBER, what="a milestone number")
        check_text(self.reference, "reference", GRANT_REFERENCE, required=False)


def check_tranche(grant: ProjectGrant, earlier: Sequence[GrantPayment], milestone: int, amount: Money) -> None:
    """A tranche pays a milestone of the grant: never more than the milestone is worth, nor than the award."""
    due = grant.milestone(milestone)
    if amount.currency != grant.amount.currency:
        raise InvalidInput(f"grant {grant.code} is paid in {grant.amount.currency}, not {amount.currency}",
                           field="currency")
    if amount.amount <= 0:
        raise InvalidInput(f"a tranche is more than zero, not {amount}", field="amount")
    paid = sum((p.amount.amount for p in earlier), Decimal(0))
    on_milestone = sum((p.amount.amount for p in earlier if p.milestone == milestone), Decimal(0))
    if paid + amount.amount > grant.amount.amount:
        raise InvariantViolated(f"grant {grant.code} is worth {grant.amount}; {paid} is paid, so {amount} more would "
                                "pay beyond the award", field="amount")
    if on_milestone + amount.amount > due.amount.amount:
        raise InvariantViolated(f"milestone {milestone} ({due.title}) is worth {due.amount}; {on_milestone} is paid "
                                f"on it, so {amount} more is too much", field="amount")


def grant_payload(grant: ProjectGrant) -> dict[str, object]:
    """A grant as a steering-group proposal's payload (amounts as decimal strings)."""
    return {"grant": grant.code, "project": grant.project, "fund": grant.fund, "amount": str(grant.amount.amount),
            "currency": grant.amount.currency, "awarded_on": grant.awarded_on.isoformat(),
            "milestones": [{"title": m.title, "amount": str(m.amount.amount)} for m in grant.milestones]}


def grant_from_payload(payload: Mapping[str, object], decided_by: str) -> ProjectGrant:
    """The grant a steering-group proposal would award, checked."""
    def text(key: str) -> str:
        value = payload.get(key)
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput("must be a non-empty string", field=f"payload.{key}")
        return value

    currency = text("currency")
    milestones = payload.get("milestones")
    if not isinstance(milestones, list) or not milestones:
        raise InvalidInput("must be a list of {title, amount}", field="payload.milestones")
    parsed = []
    for number, item in enumerate(milestones, 1):
        if not isinstance(item, Mapping) or not isinstance(item.get("title"), str) or \
                not isinstance(item.get("amount"), str):
            raise InvalidInput("each milestone is {title, amount} with the amount as a decimal string",
                               field="payload.milestones")
        parsed.append(Milestone(number, str(item["title"]), Money.parse(str(item["amount"]), currency,
                                                                       "payload.milestones")))
    try:
        awarded_on = date.fromisoformat(text("awarded_on"))
    except ValueError:
        raise InvalidInput("must be a date (YYYY-MM-DD)", field="payload.awarded_on") from None
    return ProjectGrant(text("grant"), check_code(text("project"), "payload.project"),
                        check_code(text("fund"), "payload.fund"), Money.parse(text("amount"), currency,
                                                                                 "payload.amount"),
                        tuple(parsed), awarded_on, decided_by)
