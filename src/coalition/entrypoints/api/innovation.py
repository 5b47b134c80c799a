"""The innovation pipeline over HTTP: national programmes and each owner's gate rules, calls (of a coalition or
of a programme), projects, evidence, conflict declarations and reviews, scores and shortlists, stage gates, grants
and the bridge to procurement."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from coalition.domain.innovation import (
    COALITION_STAGES,
    MAX_REVIEWS_NEEDED,
    Call,
    CallKind,
    ConflictDeclaration,
    Criterion,
    Evidence,
    EvidenceKind,
    GateAuthority,
    GateDecision,
    GateRules,
    GrantPayment,
    Milestone,
    Programme,
    Project,
    ProjectDomain,
    ProjectGrant,
    ProjectScore,
    ProjectStage,
    Review,
    Rubric,
    ScoringMethod,
    Shortlist,
)
from coalition.domain.money import Money
from coalition.entrypoints.api.core import (
    DECIMAL_PATTERN,
    Body,
    CallerDep,
    Code,
    CodeInPath,
    CodeInQuery,
    Comment,
    Day,
    EvidenceReference,
    Flag,
    GrantReference,
    Id,
    Integer,
    Limit,
    Name,
    Note,
    Offset,
    OptionalName,
    Page,
    Reason,
    Routes,
    Title,
    page_of,
)
from coalition.entrypoints.api.funding import MoneyIn
from coalition.services import innovation as svc
from coalition.services import programmes as programmes_svc
from coalition.services.innovation import ProjectTrail
from coalition.services.programmes import ProgrammeView

api = Routes("innovation")
router = api.router


class CriterionIn(Body):
    code: Code
    title: Name
    weight: Annotated[str, Field(pattern=DECIMAL_PATTERN, examples=["0.6"], description="A decimal string")]
    scale_min: Annotated[Integer, Field(ge=0, le=1000)] = 1
    scale_max: Annotated[Integer, Field(ge=1, le=1000)] = 10


class NewCall(Body):
    code: Code
    coalition: Code | None = None
    programme: Code | None = None
    kind: CallKind = CallKind.CALL
    title: Title
    opens_on: Day
    closes_on: Day
    rubric: Annotated[list[CriterionIn], Field(min_length=1, max_length=50)]
    areas: Annotated[list[Code], Field(max_length=50)] = []
    requirement: Code | None = None
    gate_authority: GateAuthority = GateAuthority.PANEL
    illustrative: Flag = False


@api.get("/innovation/calls", Page[Call], summary="Calls, hackathons and acceleration cohorts")
def list_calls(who: CallerDep, coalition: CodeInQuery = None, programme: CodeInQuery = None, offset: Offset = 0,
               limit: Limit = 50) -> object:
    return page_of(svc.list_calls(who.read(), who.actor, coalition, programme=programme), offset, limit)


@api.post("/innovation/calls", Call, summary="Open a call, a hackathon or an acceleration cohort with its rubric")
def open_call(body: NewCall, who: CallerDep) -> object:
    rubric = Rubric(tuple(Criterion(c.code, c.title, Decimal(c.weight), c.scale_min, c.scale_max)
                          for c in body.rubric))
    return svc.open_call(who.write(), who.actor, Call(
        body.code, body.coalition, body.kind, body.title, body.opens_on, body.closes_on, rubric, tuple(body.areas),
        body.requirement, body.gate_authority, body.illustrative, body.programme))


@api.get("/innovation/calls/{code}/scores", list[ProjectScore],
         summary="A call's reviewed projects, best first: weighted mean, or normalised per reviewer")
def scores(who: CallerDep, code: CodeInPath, method: ScoringMethod = ScoringMethod.MEAN) -> object:
    return svc.call_scores(who.read(), who.actor, code, method)


class NewShortlist(Body):
    method: ScoringMethod = ScoringMethod.MEAN
    decided_by: Name
    on: Day
    top: Annotated[Integer | None, Field(ge=1, le=10_000)] = None
    projects: Annotated[list[Code], Field(max_length=10_000)] = []
    note: Note = ""


@api.post("/innovation/calls/{code}/shortlists", Shortlist, summary="Record a call's ranking and its shortlist")
def shortlist(body: NewShortlist, who: CallerDep, code: CodeInPath) -> object:
    return svc.decide_shortlist(who.write(), who.actor, code, method=body.method, decided_by=body.decided_by,
                                on=body.on, top=body.top, projects=body.projects, note=body.note)


class NewProject(Body):
    code: Code
    call: Code
    title: Title
    team: Code
    domain: ProjectDomain
    trl: Annotated[Integer, Field(ge=1, le=9)]
    members: Annotated[list[Name], Field(max_length=100)] = []
    summary: Comment = ""
    stage: ProjectStage = ProjectStage.IDEA
    illustrative: Flag = False


@api.get("/innovation/projects", Page[Project], summary="Projects, by code; filter by call and stage")
def list_projects(who: CallerDep, call: CodeInQuery = None, stage: ProjectStage | None = None, offset: Offset = 0,
                  limit: Limit = 50) -> object:
    return page_of(svc.list_projects(who.read(), who.actor, call=call, stage=stage), offset, limit)


@api.post("/innovation/projects", Project, summary="Register a project answering a call")
def register_project(body: NewProject, who: CallerDep) -> object:
    return svc.register_project(who.write(), who.actor, Project(
        body.code, body.call, body.title, body.team, body.domain, body.trl, tuple(body.members), body.summary,
        body.stage, body.illustrative))


@api.get("/innovation/projects/{code}", ProjectTrail,
         summary="A project from its call through every gate to its grants, contract and deliveries")
def project(who: CallerDep, code: CodeInPath) -> object:
    return svc.project_trail(who.read(), who.actor, code)


class NewEvidence(Body):
    kind: EvidenceKind
    title: Title
    reference: EvidenceReference
    recorded_on: Day


@api.post("/innovation/projects/{code}/evidence", Evidence, summary="Add evidence to a project")
def add_evidence(body: NewEvidence, who: CallerDep, code: CodeInPath) -> object:
    return svc.add_evidence(who.write(), who.actor, Evidence(code, body.kind, body.title, body.reference,
                                                             body.recorded_on))


class Declaration(Body):
    conflicted: Flag
    note: Note = ""
    withdraw: Flag = Field(default=False, description="Confirm that a conflict declared after reviewing withdraws the "
                           "review (and so changes the normalised scores of the call's projects)")


@api.post("/innovation/projects/{code}/conflict-declarations", ConflictDeclaration,
          summary="Declare (no) conflict of interest with a project, as the signed-in reviewer")
def declare(body: Declaration, who: CallerDep, code: CodeInPath) -> object:
    return svc.declare_conflict(who.write(), who.actor, code, conflicted=body.conflicted, note=body.note,
                                withdraw=body.withdraw)


class NewReview(Body):
    scores: Annotated[dict[Code, Annotated[Integer, Field(ge=-1000, le=1000)]], Field(min_length=1, max_length=50)]
    comment: Comment = ""


@api.post("/innovation/projects/{code}/reviews", Review,
          summary="Score a project by its call's rubric, as the signed-in reviewer (once, with no conflict)")
def review(body: NewReview, who: CallerDep, code: CodeInPath) -> object:
    return svc.submit_review(who.write(), who.actor, code, body.scores, body.comment)


class GateMove(Body):
    to: ProjectStage
    decided_by: Name
    on: Day
    evidence: Annotated[list[Id], Field(max_length=100)] = []
    decision: Id | None = None
    trl: Annotated[Integer | None, Field(ge=1, le=9)] = None
    note: Note = ""


@api.post("/innovation/projects/{code}/gates", GateDecision,
          summary="Move a project through a stage gate by a recorded decision with its evidence")
def gate(body: GateMove, who: CallerDep, code: CodeInPath) -> object:
    return svc.decide_gate(who.write(), who.actor, code, to=body.to, decided_by=body.decided_by, on=body.on,
                           evidence=body.evidence, decision=body.decision, trl=body.trl, note=body.note)


class GateRulesIn(Body):
    min_reviews: Annotated[Integer, Field(ge=1, le=MAX_REVIEWS_NEEDED)] = 1
    shortlist_first: Flag = False
    own_evidence: Flag = True

    def rules(self) -> GateRules:
        return GateRules(self.min_reviews, self.shortlist_first, self.own_evidence)


class NewProgramme(Body):
    code: Code
    name: Name
    owner: Code
    areas: Annotated[list[ProjectDomain], Field(min_length=1, max_length=20)]
    stages: Annotated[list[ProjectStage], Field(min_length=2, max_length=10)] = list(COALITION_STAGES)
    gate_rules: GateRulesIn = GateRulesIn()
    run_by: Code | None = None
    place: OptionalName = ""
    since: Annotated[Integer | None, Field(ge=1900, le=2100)] = None
    illustrative: Flag = False


@api.get("/programmes", list[Programme], summary="National defence-innovation programmes")
def list_programmes(who: CallerDep) -> object:
    return programmes_svc.list_programmes(who.read(), who.actor)


@api.get("/programmes/{code}", ProgrammeView,
         summary="A programme with its stages, gate rules, calls and projects")
def show_programme(who: CallerDep, code: CodeInPath) -> object:
    return programmes_svc.programme_view(who.read(), who.actor, code)


@api.post("/programmes", Programme, summary="Register a state's own defence-innovation programme")
def create_programme(body: NewProgramme, who: CallerDep) -> object:
    return programmes_svc.create_programme(who.write(), who.actor, Programme(
        body.code, body.name, body.owner, tuple(body.areas), tuple(body.stages), body.gate_rules.rules(),
        body.run_by, body.place, body.since, body.illustrative))


@api.post("/programmes/{code}/gate-rules", GateRules, status=200, summary="Set a programme's gate rules")
def set_programme_rules(body: GateRulesIn, who: CallerDep, code: CodeInPath) -> object:
    return programmes_svc.set_gate_rules(who.write(), who.actor, body.rules(), programme=code)


@api.get("/coalitions/{code}/gate-rules", GateRules, summary="The gate rules a coalition's calls follow")
def coalition_rules(who: CallerDep, code: CodeInPath) -> object:
    return programmes_svc.gate_rules_of(who.read(), who.actor, code)


@api.post("/coalitions/{code}/gate-rules", GateRules, status=200, summary="Set a coalition's gate rules")
def set_coalition_rules(body: GateRulesIn, who: CallerDep, code: CodeInPath) -> object:
    return programmes_svc.set_gate_rules(who.write(), who.actor, body.rules(), coalition=code)


class ProcurementLink(Body):
    case: Code
    on: Day


@dataclass(frozen=True, slots=True)
class Linked:
    project: str
    case: str


@api.post("/innovation/projects/{code}/procurement", Linked,
          summary="Name an adopted project's team as the supplier of a direct-financing case")
def bridge(body: ProcurementLink, who: CallerDep, code: CodeInPath) -> object:
    svc.bridge_to_procurement(who.write(), who.actor, code, body.case, on=body.on)
    return Linked(code, body.case)


class MilestoneIn(Body):
    title: Title
    amount: MoneyIn


class NewGrant(Body):
    code: Code
    project: Code
    fund: Code
    amount: MoneyIn
    milestones: Annotated[list[MilestoneIn], Field(min_length=1, max_length=50)]
    awarded_on: Day
    decided_by: Name
    decision: Annotated[Id | None, Field(description=(
        "The steering group's award-grant decision, unless the coalition's rules let the secretariat award"))] = None


@api.post("/innovation/grants", ProjectGrant, summary="Award a grant; its money is reserved in the fund")
def award(body: NewGrant, who: CallerDep) -> object:
    return svc.award_grant(who.write(), who.actor, ProjectGrant(
        body.code, body.project, body.fund, body.amount.money(),
        tuple(Milestone(i, m.title, m.amount.money()) for i, m in enumerate(body.milestones, 1)), body.awarded_on,
        body.decided_by), decision=body.decision)


class Tranche(Body):
    milestone: Annotated[Integer, Field(ge=1, le=50)]
    amount: MoneyIn
    paid_on: Day
    reference: GrantReference = ""


@api.post("/innovation/grants/{code}/payments", GrantPayment, summary="Pay a grant's tranche for a milestone met")
def pay(body: Tranche, who: CallerDep, code: CodeInPath) -> object:
    return svc.pay_grant(who.write(), who.actor, code, milestone=body.milestone, amount=body.amount.money(),
                         paid_on=body.paid_on, reference=body.reference)


class Release(Body):
    reason: Reason
    on: Day


@dataclass(frozen=True, slots=True)
class Released:
    grant: str
    released: Money


@api.post("/innovation/grants/{code}/release", Released, 200,
          summary="End a grant early: what is still reserved returns to the fund")
def release(body: Release, who: CallerDep, code: CodeInPath) -> object:
    return Released(code, svc.release_grant(who.write(), who.actor, code, reason=body.reason, on=body.on))
