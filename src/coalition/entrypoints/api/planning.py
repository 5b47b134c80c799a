"""Requirements, packages, priority lists, allocation plans and reservations over HTTP."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field

from coalition.domain.access import can
from coalition.domain.allocation import Policy
from coalition.domain.contributions import FundingRoute
from coalition.domain.planning import AllocationPlan
from coalition.domain.requirements import Move, Package, PriorityList, Requirement, RequirementStatus
from coalition.entrypoints.api.core import (
    Amount,
    AsOfQuery,
    Body,
    CallerDep,
    Code,
    CodeInPath,
    Day,
    Flag,
    Id,
    IdInPath,
    Label,
    Limit,
    Note,
    Offset,
    Page,
    Quantity,
    Reason,
    Routes,
    StockNumber,
    Title,
    Unit,
    VersionInPath,
    VersionInQuery,
    page_of,
)
from coalition.entrypoints.api.funding import MoneyIn
from coalition.services import allocation as engine_io
from coalition.services import planning as svc
from coalition.services.audit import require
from coalition.services.views import priorities
from coalition.services.views.priorities import Coverage

api = Routes("planning")
router = api.router


class NewRequirement(Body):
    code: Code
    owner: Code
    title: Title
    area: Code
    quantity: Quantity
    unit: Unit
    unit_cost: MoneyIn
    end_users: Annotated[list[Code], Field(max_length=100)] = []
    stock_number: StockNumber | None = None
    package: Code | None = None
    route: FundingRoute | None = None
    illustrative: Flag = False


@api.get("/coalitions/{coalition}/requirements", Page[Requirement], summary="A coalition's requirements, by code")
def list_requirements(who: CallerDep, coalition: CodeInPath, status: RequirementStatus | None = None,
                      offset: Offset = 0, limit: Limit = 50) -> object:
    found = svc.list_requirements(who.read(), who.actor, coalition, status=status, offset=offset, limit=limit)
    return Page(found.items, found.total, offset, limit)


@api.post("/coalitions/{coalition}/requirements", Requirement, summary="Add a requirement (a draft)")
def add_requirement(body: NewRequirement, who: CallerDep, coalition: CodeInPath) -> object:
    requirement = Requirement(body.code, coalition, body.owner, body.title, body.area, body.quantity, body.unit,
                              body.unit_cost.money(), tuple(body.end_users), body.stock_number, body.package,
                              body.route, illustrative=body.illustrative)
    return svc.add_requirement(who.write(), who.actor, requirement)


@dataclass(frozen=True, slots=True)
class StatusChange:
    status_from: str | None
    status_to: str
    at: str
    note: str


@dataclass(frozen=True, slots=True)
class RequirementHistory:
    requirement: Requirement
    history: list[StatusChange]


@api.get("/requirements/{code}", RequirementHistory, summary="A requirement and every change of its status")
def get_requirement(who: CallerDep, code: CodeInPath) -> object:
    found, history = svc.requirement_history(who.read(), who.actor, code)
    return RequirementHistory(found, [StatusChange(*row) for row in history])


class StatusMove(Body):
    status: RequirementStatus
    note: Note = ""


@api.post("/requirements/{code}/status", Requirement, 200, summary="Move a requirement along its lifecycle")
def change_status(body: StatusMove, who: CallerDep, code: CodeInPath) -> object:
    return svc.change_requirement_status(who.write(), who.actor, code, body.status, body.note)


class NewPackage(Body):
    code: Code
    title: Title
    size: MoneyIn
    illustrative: Flag = False


@api.post("/coalitions/{coalition}/packages", Package, summary="Add a package (a fixed-size bundle)")
def add_package(body: NewPackage, who: CallerDep, coalition: CodeInPath) -> object:
    return svc.add_package(who.write(), who.actor, Package(body.code, coalition, body.title, body.size.money(),
                                                           body.illustrative))


# --- priority lists ------------------------------------------------------------------------------------------------


class Submission(Body):
    ranks: Annotated[list[Code], Field(min_length=1, max_length=200_000)]
    submitted_by: Code
    on: Day
    note: Note = ""


class Approval(Body):
    approved_by: Code
    on: Day
    decision: Annotated[Id | None, Field(description="The steering-group decision, if needed")] = None


@api.get("/coalitions/{coalition}/priority-lists", Page[PriorityList],
         summary="Every version of the priority list, oldest first")
def list_priority_lists(who: CallerDep, coalition: CodeInPath, offset: Offset = 0, limit: Limit = 50) -> object:
    return page_of(priorities.priority_lists(who.read(), who.actor, coalition), offset, limit)


@api.post("/coalitions/{coalition}/priority-lists", PriorityList, summary="Submit a new version of the ranking")
def submit_priority_list(body: Submission, who: CallerDep, coalition: CodeInPath) -> object:
    return svc.submit_priority_list(who.write(), who.actor, coalition=coalition, ranks=body.ranks,
                                    submitted_by=body.submitted_by, on=body.on, note=body.note)


@api.post("/coalitions/{coalition}/priority-lists/{version}/approval", PriorityList, 200,
          summary="Approve a submitted version: it becomes the active list")
def approve_priority_list(body: Approval, who: CallerDep, coalition: CodeInPath,
                          version: VersionInPath) -> object:
    return svc.approve_priority_list(who.write(), who.actor, coalition=coalition, version=version,
                                     approved_by=body.approved_by, on=body.on, decision=body.decision)


@api.get("/coalitions/{coalition}/priority-lists/diff", list[Move], summary="What moved between two versions")
def priority_diff(who: CallerDep, coalition: CodeInPath, old: VersionInQuery, new: VersionInQuery) -> object:
    return priorities.priority_diff(who.read(), who.actor, coalition, old, new)


@api.get("/coalitions/{coalition}/coverage", Coverage, cached=True,
         summary="A page of the priority list (the active version by default): per rank, cost, reserved, missing")
def coverage(who: CallerDep, coalition: CodeInPath, version: VersionInQuery | None = None, offset: Offset = 0,
             limit: Limit = 50, on: AsOfQuery = None) -> object:
    def page(known: Coverage | None = None) -> Coverage:
        return priorities.coverage(who.read(), who.actor, coalition, version, offset=offset, limit=limit, on=on,
                                   known=known)

    if who.answers is None:
        return page()
    require(can(who.actor, "read_funding", coalition))
    platform, actor = who.platform, who.actor
    # Every page is cut from the whole list's coverage, computed once per change (WholeAnswers).
    return who.answers.page(
        ("coverage", coalition, version, on or platform.clock().date()), page,
        lambda: priorities.coverage(platform.uow(read_only=True), actor, coalition, version, on=on),
        lambda whole: dataclasses.replace(whole, ranks=whole.ranks[offset:offset + limit], offset=offset))


# --- allocation ----------------------------------------------------------------------------------------------------


class AllocationRun(Body):
    policy: Policy = Policy.PARTIAL
    on: Day | None = None
    include_commitments: Flag = False


@api.post("/coalitions/{coalition}/allocation-plans", AllocationPlan,
          summary="Run the allocation on the active priority list; store the proposed plan")
def run_allocation(body: AllocationRun, who: CallerDep, coalition: CodeInPath) -> object:
    return svc.run_allocation(who.write(), who.actor, coalition, policy=body.policy, on=body.on,
                              include_commitments=body.include_commitments)


@api.get("/allocation-plans/{plan_id}", AllocationPlan, summary="An allocation plan with its lines")
def get_plan(who: CallerDep, plan_id: IdInPath) -> object:
    return svc.get_plan(who.read(), who.actor, plan_id)


class PlanApproval(Body):
    decision: Annotated[Id | None, Field(description="The steering-group decision, if needed")] = None
    on: Annotated[Day | None, Field(description="The day of the approval (today if not given)")] = None


@api.post("/allocation-plans/{plan_id}/approval", AllocationPlan, 200,
          summary="Approve a plan: its money is reserved in the ledger (409 if the money moved since it ran)")
def approve_plan(body: PlanApproval, who: CallerDep, plan_id: IdInPath) -> object:
    return svc.approve_plan(who.write(), who.actor, plan_id, decision=body.decision, on=body.on)


class Release(Body):
    requirement: Code
    reason: Reason
    on: Annotated[Day | None, Field(description="The day of the release (today if not given)")] = None
    excess_only: Annotated[Flag, Field(description="Only what is reserved beyond what the requirement still needs "
                                                   "after its contracts and what was given for it in kind")] = False


@dataclass(frozen=True, slots=True)
class Released:
    entries: int


@api.post("/coalitions/{coalition}/reservations/release", Released, 200,
          summary="Return the money reserved for a requirement to its funds, with a reason")
def release_reservation(body: Release, who: CallerDep, coalition: CodeInPath) -> object:
    return Released(svc.release_reservation(who.write(), who.actor, coalition=coalition,
                                            requirement=body.requirement, reason=body.reason, on=body.on,
                                            excess_only=body.excess_only))


class EngineContribution(Body):
    id: Label
    amount: Amount
    earmark: Annotated[list[Label] | None, Field(max_length=100)] = None


class EngineRequirement(Body):
    id: Label
    category: Label
    amount: Amount


class EngineInput(Body):
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    policy: Policy = Policy.PARTIAL
    contributions: Annotated[list[EngineContribution], Field(max_length=100_000)]
    requirements: Annotated[list[EngineRequirement], Field(max_length=100_000)]


@dataclass(frozen=True, slots=True)
class EngineFunding:
    id: str
    funded: str
    missing: str
    fully_funded: bool


@dataclass(frozen=True, slots=True)
class EngineLine:
    contribution: str
    requirement: str
    amount: str


@dataclass(frozen=True, slots=True)
class EngineLeftover:
    contribution: str
    amount: str


@dataclass(frozen=True, slots=True)
class EngineOutput:
    requirements: list[EngineFunding]
    lines: list[EngineLine]
    unallocated: list[EngineLeftover]


@api.post("/allocate", EngineOutput, 200, tags=["planning"],
          summary="Run the allocation engine alone on the given money and ranked requirements (nothing stored)")
def allocate(body: EngineInput) -> object:
    document: dict[str, Any] = engine_io.allocate_document(body.model_dump(mode="json"))
    return EngineOutput([EngineFunding(**r) for r in document["requirements"]],
                        [EngineLine(**line) for line in document["lines"]],
                        [EngineLeftover(**left) for left in document["unallocated"]])
