"""What each kind of proposal reads, checks before it is opened, and does once approved: one table.

``KINDS`` maps every ``ProposalKind`` to its payload (read from the stored JSON object, checked), the
check that the thing it would change exists, and the service call that carries it out. A kind with no
entry is refused by name; nothing falls through to another kind's effect.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from coalition.domain.access import Actor
from coalition.domain.errors import InvalidInput, NotFound
from coalition.domain.proposal_payloads import (
    DECIDED_BY,
    AwardApproval,
    GrantAward,
    MemberAdmission,
    PlanApproval,
    PriorityListApproval,
    ProposalPayload,
    RoleChange,
    RouteApproval,
    RulesChange,
    StageGatePass,
)
from coalition.domain.steering import Proposal, ProposalKind
from coalition.domain.wording import say
from coalition.services import innovation, planning, registry
from coalition.services.ports import UnitOfWork
from coalition.services.procurement import cases, tenders
from coalition.services.registry import load_party

P = TypeVar("P", bound=ProposalPayload)


@dataclass(frozen=True, slots=True)
class Decided:
    """What an approved proposal acts on: the proposal, its coalition and the day it was decided."""

    proposal: Proposal
    coalition: str
    on: date

    @property
    def decision(self) -> int | None:
        """The decision's id, which the service of the thing decided records."""
        return self.proposal.id


@dataclass(frozen=True, slots=True)
class KindRules(Generic[P]):
    """One kind of proposal: how its payload is read, what must exist to open it, and what approving it does.

    ``check(uow, coalition, payload)`` raises naming the payload's field; ``apply`` carries the decision out
    through the service of the thing decided and says what changed.
    """

    read: Callable[[Mapping[str, Any]], P]
    check: Callable[[UnitOfWork, str, P], None]
    apply: Callable[[UnitOfWork, Actor, Decided, P], str]


def _nothing_to_check(uow: UnitOfWork, coalition: str, payload: ProposalPayload) -> None:
    """The service that carries the decision out checks its target itself."""


def _check_version(uow: UnitOfWork, coalition: str, payload: PriorityListApproval) -> None:
    """The priority list version exists in the coalition."""
    if uow.priorities.get(coalition, payload.version) is None:
        raise NotFound(f"{coalition} has no priority list version {payload.version}", field="payload.version")


def _check_plan(uow: UnitOfWork, coalition: str, payload: PlanApproval) -> None:
    """The allocation plan exists and is the coalition's."""
    plan = uow.plans.get(payload.plan)
    if plan is None or plan.coalition != coalition:
        raise NotFound(f"{coalition} has no allocation plan {payload.plan}", field="payload.plan")


def _check_party(uow: UnitOfWork, coalition: str, payload: MemberAdmission | RoleChange) -> None:
    """The party exists."""
    load_party(uow, payload.party, "payload.party")


def _check_project(uow: UnitOfWork, coalition: str, project: str) -> None:
    """The innovation project exists under one of the coalition's calls."""
    found = uow.innovation.get_project(project)
    call = None if found is None else uow.innovation.get_call(found.call)
    if call is None or call.coalition != coalition:
        raise NotFound(f"{coalition} has no innovation project {project}", field="payload.project")


def _check_grant(uow: UnitOfWork, coalition: str, payload: GrantAward) -> None:
    """The grant's project is the coalition's."""
    _check_project(uow, coalition, payload.grant.project)


def _check_gate(uow: UnitOfWork, coalition: str, payload: StageGatePass) -> None:
    """The project passing the gate is the coalition's."""
    _check_project(uow, coalition, payload.project)


# The effects a decision records, as templates (``domain.wording``): kept in English, shown in the reader's language.
LIST_APPROVED = "priority list version {version} approved and active"
PLAN_APPROVED = "allocation plan {plan} approved: {reservations} reservations recorded"
ADMITTED = "{party} admitted as {role} from {on}"
ROLE_CHANGED = "{party} is {role} from {on}"
RULES_CHANGED = "decision rules changed to: {rules}"
ROUTE_APPROVED = "case {case}: the {route} route approved"
AWARDED = "lot {lot} of tender {tender} awarded to bid {bid}; standstill until {until}"
GRANT_AWARDED = "grant {grant} of {amount} awarded to {project}"
GATE_PASSED = "{project} moved from {stage} to {to}"
EFFECTS = (LIST_APPROVED, PLAN_APPROVED, ADMITTED, ROLE_CHANGED, RULES_CHANGED, ROUTE_APPROVED, AWARDED,
           GRANT_AWARDED, GATE_PASSED)


def _approve_priority_list(uow: UnitOfWork, actor: Actor, decided: Decided, payload: PriorityListApproval) -> str:
    """Approve the priority list version, which becomes the active one."""
    planning.approve_priority_list(uow, actor, coalition=decided.coalition, version=payload.version,
                                   approved_by="steering-group", on=decided.on, decision=decided.decision)
    return say(LIST_APPROVED, version=payload.version)


def _approve_plan(uow: UnitOfWork, actor: Actor, decided: Decided, payload: PlanApproval) -> str:
    """Approve the allocation plan, recording its reservations."""
    plan = planning.approve_plan(uow, actor, payload.plan, decision=decided.decision, on=decided.on)
    return say(PLAN_APPROVED, plan=plan.id, reservations=len(plan.lines))


def _admit_member(uow: UnitOfWork, actor: Actor, decided: Decided, payload: MemberAdmission) -> str:
    """Admit the party in its role from its day."""
    change = registry.admit_member(uow, actor, coalition=decided.coalition, party=payload.party, role=payload.role,
                                   on=payload.on, instrument=payload.instrument)
    return say(ADMITTED, party=change.party, role=change.role.label if change.role else "", on=change.effective_on)


def _change_role(uow: UnitOfWork, actor: Actor, decided: Decided, payload: RoleChange) -> str:
    """Change the member's role from its day."""
    change = registry.change_member_role(uow, actor, coalition=decided.coalition, party=payload.party,
                                         role=payload.role, on=payload.on)
    return say(ROLE_CHANGED, party=change.party, role=change.role.label if change.role else "", on=change.effective_on)


def _change_rules(uow: UnitOfWork, actor: Actor, decided: Decided, payload: RulesChange) -> str:
    """Put the new decision rules in force."""
    uow.coalitions.set_rules(decided.coalition, payload.rules)
    return say(RULES_CHANGED, rules=payload.rules.describe())


def _approve_route(uow: UnitOfWork, actor: Actor, decided: Decided, payload: RouteApproval) -> str:
    """Approve the case's route."""
    case = cases.approve_route(uow, actor, payload.case, on=decided.on, decision=decided.decision)
    return say(ROUTE_APPROVED, case=case.code, route=case.route.value)


def _approve_award(uow: UnitOfWork, actor: Actor, decided: Decided, payload: AwardApproval) -> str:
    """Award the lot to the bid; its standstill period starts."""
    tender = tenders.award_lot(uow, actor, payload.tender, lot=payload.lot, bid=payload.bid,
                               justification=payload.justification, on=decided.on, decision=decided.decision)
    awarded = tender.award_of(payload.lot)
    assert awarded is not None
    return say(AWARDED, lot=awarded.lot, tender=tender.code, bid=awarded.bid, until=awarded.standstill_until)


def _award_grant(uow: UnitOfWork, actor: Actor, decided: Decided, payload: GrantAward) -> str:
    """Award the grant, reserving its money."""
    grant = innovation.award_grant(uow, actor, payload.grant, decision=decided.decision)
    return say(GRANT_AWARDED, grant=grant.code, amount=grant.amount, project=grant.project)


def _pass_stage_gate(uow: UnitOfWork, actor: Actor, decided: Decided, payload: StageGatePass) -> str:
    """Move the project through the gate."""
    gate = innovation.decide_gate(uow, actor, payload.project, to=payload.to, decided_by=DECIDED_BY, on=decided.on,
                                  evidence=list(payload.evidence), decision=decided.decision, trl=payload.trl)
    return say(GATE_PASSED, project=gate.project, stage=gate.from_stage.value, to=gate.to_stage.value)


K = ProposalKind
KINDS: Mapping[ProposalKind, KindRules[Any]] = {
    K.APPROVE_PRIORITY_LIST: KindRules(PriorityListApproval.parse, _check_version, _approve_priority_list),
    K.APPROVE_PLAN: KindRules(PlanApproval.parse, _check_plan, _approve_plan),
    K.ADMIT_MEMBER: KindRules(MemberAdmission.parse, _check_party, _admit_member),
    K.CHANGE_ROLE: KindRules(RoleChange.parse, _check_party, _change_role),
    K.CHANGE_RULES: KindRules(RulesChange.parse, _nothing_to_check, _change_rules),
    K.APPROVE_ROUTE: KindRules(RouteApproval.parse, _nothing_to_check, _approve_route),
    K.APPROVE_AWARD: KindRules(AwardApproval.parse, _nothing_to_check, _approve_award),
    K.AWARD_GRANT: KindRules(GrantAward.parse, _check_grant, _award_grant),
    K.PASS_STAGE_GATE: KindRules(StageGatePass.parse, _check_gate, _pass_stage_gate),
}


def rules_of(kind: ProposalKind) -> KindRules[Any]:
    """The table's entry for ``kind``; a kind without one is refused rather than taken for another."""
    found = KINDS.get(kind)
    if found is None:
        raise InvalidInput(f"'{kind}' is not a kind of proposal the steering group decides", field="kind")
    return found


def carry_out(uow: UnitOfWork, actor: Actor, proposal: Proposal, on: date) -> tuple[str, ...]:
    """Carry out an approved proposal through the service of the thing decided; say what changed."""
    entry = rules_of(proposal.kind)
    return (entry.apply(uow, actor, Decided(proposal, proposal.coalition, on), entry.read(proposal.payload)),)
