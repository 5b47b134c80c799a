"""Requirements, priority lists and allocation plans: from the recipient's needs to reserved money.

A run of the engine over the active priority list and the money not yet reserved makes a proposed
plan, stored with the list version and the ledger position it used. Approving the plan reserves the
money (ledger entries naming each contribution, so each donor); a later run never moves money
already reserved, and releasing a reservation is its own audited act.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from coalition.domain import allocation as engine
from coalition.domain import ledger
from coalition.domain.access import Actor, can
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.coalition import DecisionRules
from coalition.domain.common import dated_act
from coalition.domain.contributions import ContributionKind, Earmark
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, NotFound, refusal
from coalition.domain.fx import RateBook
from coalition.domain.ledger import AccountKey, AccountType, Entry, EntryKind
from coalition.domain.limits import NOTE, check_text
from coalition.domain.money import Money
from coalition.domain.planning import (
    AllocationPlan,
    AvailableMoney,
    PlanHeading,
    PlanLine,
    PlanRequirement,
    PlanState,
    category_of,
    eligible_categories,
    to_original,
)
from coalition.domain.requirements import (
    FUNDABLE,
    ListState,
    Package,
    PriorityList,
    Requirement,
    RequirementStatus,
    check_rankable,
    transition,
)
from coalition.domain.taxonomy import descendants
from coalition.services.audit import record_change, require
from coalition.services.confidentiality import hidden_contributions, masked
from coalition.services.ports import UnitOfWork
from coalition.services.rates import rate_book
from coalition.services.registry import load_coalition, load_party


def load_requirement(uow: UnitOfWork, code: str, field: str = "requirement") -> Requirement:
    found = uow.requirements.get(code)
    if found is None:
        raise NotFound(f"no requirement with code '{code}'", field=field)
    return found


def move_requirement(uow: UnitOfWork, requirement: Requirement, to: RequirementStatus, note: str) -> Requirement:
    """Move a requirement along its lifecycle and keep the move in its history (in the caller's transaction)."""
    check_text(note, "note", NOTE, required=False)
    moved = transition(requirement, to)
    uow.requirements.set_status(requirement.code, requirement.status, to, uow.clock(), note)
    return moved


# --- requirements and packages ----------------------------------------------------------------


def add_requirement(uow: UnitOfWork, actor: Actor, requirement: Requirement) -> Requirement:
    require(can(actor, "manage_requirements", requirement.coalition))
    with uow:
        load_coalition(uow, requirement.coalition)
        load_party(uow, requirement.owner, "owner")
        if uow.areas.get(requirement.area) is None:
            raise NotFound(f"no capability area with code '{requirement.area}'", field="area")
        for unit in requirement.end_users:
            load_party(uow, unit, "end_users")
        if requirement.package is not None:
            package = uow.requirements.get_package(requirement.package)
            if package is None or package.coalition != requirement.coalition:
                raise NotFound(f"no package '{requirement.package}' in {requirement.coalition}", field="package")
        if uow.requirements.get(requirement.code) is not None:
            raise Conflict(f"a requirement with code '{requirement.code}' already exists", field="code")
        uow.requirements.add(requirement, uow.clock())
        record_change(uow, actor, AuditEvent("add_requirement", "requirement", requirement.code, None,
                                             snapshot(requirement)))
        uow.commit()
    return requirement


def change_requirement_status(uow: UnitOfWork, actor: Actor, code: str, to: RequirementStatus,
                              note: str = "") -> Requirement:
    """Move a requirement along its lifecycle (the allowed moves are declared in TRANSITIONS)."""
    with uow:
        found = load_requirement(uow, code)
        require(can(actor, "manage_requirements", found.coalition))
        moved = move_requirement(uow, found, to, note)
        record_change(uow, actor, AuditEvent("change_requirement_status", "requirement", code,
                                             {"status": found.status.value}, {"status": to.value, "note": note}))
        uow.commit()
    return moved


def add_package(uow: UnitOfWork, actor: Actor, package: Package) -> Package:
    require(can(actor, "manage_requirements", package.coalition))
    with uow:
        load_coalition(uow, package.coalition)
        if uow.requirements.get_package(package.code) is not None:
            raise Conflict(f"a package with code '{package.code}' already exists", field="code")
        uow.requirements.add_package(package)
        record_change(uow, actor, AuditEvent("add_package", "package", package.code, None, snapshot(package)))
        uow.commit()
    return package


@dataclass(frozen=True, slots=True)
class RequirementListing:
    items: list[Requirement]
    total: int


def list_requirements(uow: UnitOfWork, actor: Actor, coalition: str, *, status: RequirementStatus | None = None,
                      offset: int = 0, limit: int | None = None) -> RequirementListing:
    """A coalition's requirements by code (a page of them with ``limit``), optionally in one status."""
    require(can(actor, "read_registry", coalition))
    with uow:
        load_coalition(uow, coalition)
        return RequirementListing(uow.requirements.for_coalition(coalition, status=status, offset=offset, limit=limit),
                                  uow.requirements.count(coalition, status=status))


def requirement_history(uow: UnitOfWork, actor: Actor, code: str) -> tuple[Requirement,
                                                                           list[tuple[str | None, str, str, str]]]:
    with uow:
        found = load_requirement(uow, code)
        require(can(actor, "read_registry", found.coalition))
        return found, uow.requirements.history(code)


# --- priority lists -----------------------------------------------------------------------------


def submit_priority_list(uow: UnitOfWork, actor: Actor, *, coalition: str, ranks: Sequence[str], submitted_by: str,
                         on: date, note: str = "") -> PriorityList:
    """Record a new version of the recipient's ranking; it is active only once approved."""
    require(can(actor, "submit_priorities", coalition))
    with uow:
        found = load_coalition(uow, coalition)
        load_party(uow, submitted_by, "submitted_by")
        requirements = {r.code: r for r in uow.requirements.for_coalition(coalition)}
        check_rankable(ranks, requirements)
        versions = uow.priorities.versions(coalition)
        version = PriorityList(found.code, (versions[-1].version if versions else 0) + 1, tuple(ranks), submitted_by,
                               on, note=note)
        uow.priorities.add(version)
        record_change(uow, actor, AuditEvent("submit_priority_list", "priority_list",
                                             f"{coalition}/v{version.version}", None, snapshot(version)))
        uow.commit()
    return version


def _needs_decision(rules: DecisionRules, decision: int | None, what: str) -> None:
    if decision is None and not rules.secretariat_may_approve:
        raise InvariantViolated(f"under the coalition's rules, {what} needs a steering-group decision: open a "
                                "proposal (coalition proposals open ...)", field="decision")


def approve_priority_list(uow: UnitOfWork, actor: Actor, *, coalition: str, version: int, approved_by: str,
                          on: date, decision: int | None = None) -> PriorityList:
    """Approve a submitted version: it becomes the active list and its requirements are prioritised.

    ``approved_by`` names who approved: the coalition's validating authority when its rules name one
    (its approval is the decision), otherwise the steering group by ``decision``, or the secretariat
    where the rules allow it.
    """
    require(can(actor, "approve_priorities", coalition))
    with uow:
        found = load_coalition(uow, coalition)
        listed = uow.priorities.get(coalition, version)
        if listed is None:
            raise NotFound(f"{coalition} has no priority list version {version}", field="version")
        if listed.state is not ListState.SUBMITTED:
            raise Conflict(f"version {version} is already {listed.state.value}", field="version")
        authority = found.rules.validating_authority
        if authority is not None and approved_by != authority:
            raise InvariantViolated(f"{coalition}'s rules name {authority} as the validating authority, so "
                                    f"{approved_by} cannot approve its priority list", field="approved_by")
        if authority is None:
            _needs_decision(found.rules, decision, "approving a priority list")
        if on < listed.submitted_on:
            raise InvariantViolated(f"approval on {on} precedes submission on {listed.submitted_on}", field="on")
        dated_act(on, uow.clock().date(), not_before=listed.submitted_on, after_what=f"version {version} was submitted")
        uow.priorities.set_state(coalition, version, ListState.APPROVED, approved_by, on)
        for code in listed.ranks:
            requirement = load_requirement(uow, code)
            if requirement.status is RequirementStatus.VALIDATED:
                move_requirement(uow, requirement, RequirementStatus.PRIORITISED, f"ranked in priority list v{version}")
        approved = dataclasses.replace(listed, state=ListState.APPROVED, approved_by=approved_by, approved_on=on)
        record_change(uow, actor, AuditEvent("approve_priority_list", "priority_list", f"{coalition}/v{version}",
                                             {"state": listed.state.value}, snapshot(approved)))
        uow.commit()
    return approved


def _active(uow: UnitOfWork, coalition: str) -> PriorityList:
    approved = uow.priorities.latest(coalition, ListState.APPROVED)
    if approved is None:
        raise NotFound(f"{coalition} has no approved priority list", field="coalition")
    return approved


# --- allocation -----------------------------------------------------------------------------------


def _cost(requirement: Requirement, currency: str, book: RateBook, on: date) -> Money:
    cost = requirement.cost
    return cost if cost.currency == currency else book.convert(cost, currency, on).converted


def _committed_money(uow: UnitOfWork, coalition: str) -> list[AvailableMoney]:
    """Per commitment, what it promises beyond the receipts that fulfil it, valued at its own rate."""
    commitments = uow.ledger.contributions(coalition=coalition, kind=ContributionKind.COMMITMENT)
    ids = [c.id for c in commitments if c.id is not None]
    receipts = uow.ledger.children_of(ids)
    net = ledger.net_units(uow.ledger.entries(contributions=ids + [r.id for r in receipts if r.id is not None]))
    received: dict[int, int] = defaultdict(int)
    for receipt in receipts:
        if receipt.parent is not None and receipt.id is not None:
            received[receipt.parent] += net.get(receipt.id, 0)
    found = []
    for commitment in commitments:
        assert commitment.id is not None and commitment.reporting is not None
        outstanding = net.get(commitment.id, 0) - received[commitment.id]
        units = commitment.amount.to_minor_units()
        if outstanding <= 0 or units <= 0:
            continue
        reporting = int((Decimal(outstanding) * commitment.reporting.amount.to_minor_units() / units)
                        .to_integral_value(ROUND_HALF_EVEN))
        found.append(AvailableMoney(commitment.id, commitment.donor, commitment.fund, commitment.earmark.label,
                                    outstanding, commitment.amount.currency, reporting))
    return found


def run_allocation(uow: UnitOfWork, actor: Actor, coalition: str, *, policy: engine.Policy = engine.Policy.PARTIAL,
                   on: date | None = None, include_commitments: bool = False) -> AllocationPlan:
    """Allocate the money not yet reserved to the active list's requirements; store a proposed plan.

    With ``include_commitments``, committed money not yet received counts too; such a plan is a
    forecast: it shows what the commitments would fund once paid, and cannot be approved.
    """
    require(can(actor, "run_allocation", coalition))
    with uow:
        currency = load_coalition(uow, coalition).reporting_currency
        listed = _active(uow, coalition)
        day = on or uow.clock().date()
        money = {m.contribution: m for m in uow.ledger.available_money(coalition) if m.reporting_units > 0}
        if include_commitments:
            money.update({m.contribution: m for m in _committed_money(uow, coalition) if m.reporting_units > 0})
        problem = _allocation_problem(uow, coalition, listed, money, currency, day)
        result = engine.allocate(problem.pots, problem.needs, policy)
        lines = tuple(PlanLine(contribution, requirement, Money.from_minor_units(units, money[contribution].currency),
                               Money.from_minor_units(reporting, currency))
                      for contribution, requirement, units, reporting in to_original(result.lines, money))
        rank_of = {code: i for i, code in enumerate(listed.ranks, start=1)}
        rows = tuple(PlanRequirement(f.requirement, rank_of[f.requirement],
                                     Money.from_minor_units(problem.costs[f.requirement], currency),
                                     Money.from_minor_units(problem.reserved.get(f.requirement, 0), currency),
                                     Money.from_minor_units(f.funded, currency),
                                     Money.from_minor_units(f.missing, currency)) for f in result.requirements)
        if not include_commitments:
            for superseded in uow.plans.proposed(coalition):
                uow.plans.set_state(superseded, PlanState.SUPERSEDED, day, uow.clock())
        plan = uow.plans.add(AllocationPlan(coalition, listed.version, uow.ledger.position(), policy, currency, day,
                                            rows, lines,
                                            PlanState.FORECAST if include_commitments else PlanState.PROPOSED))
        record_change(uow, actor, AuditEvent("run_allocation", "allocation_plan", str(plan.id), None, {
            "coalition": coalition, "priority_version": listed.version, "ledger_position": plan.ledger_position,
            "policy": policy.value, "lines": len(lines), "fully_funded": plan.now_fully_funded}))
        uow.commit()
    return plan


@dataclass(frozen=True, slots=True)
class _Problem:
    """What the allocation engine is asked: the pots of money, the needs in rank order, and what each need costs and
    already holds in minor units of the reporting currency."""

    pots: list[engine.Pot]
    needs: list[engine.Need]
    costs: dict[str, int]
    reserved: dict[str, int]


def _costs(uow: UnitOfWork, ranked: Sequence[Requirement], currency: str, day: date) -> dict[str, int]:
    """Each requirement's cost in ``currency`` on ``day``, in minor units (rates only for the currencies used)."""
    book = rate_book(uow, {r.cost.currency for r in ranked} | {currency})
    return {r.code: _cost(r, currency, book, day).to_minor_units() for r in ranked}


def _allocation_problem(uow: UnitOfWork, coalition: str, listed: PriorityList, money: dict[int, AvailableMoney],
                        currency: str, day: date) -> _Problem:
    """The engine's problem for the fundable requirements of ``listed``: each pot eligible for the categories its
    earmark covers, each need its cost on ``day`` less what is already reserved for it."""
    requirements = {r.code: r for r in uow.requirements.for_coalition(coalition)}
    reserved = uow.ledger.reserved(coalition)
    earmarks = {m.earmark: Earmark.parse(m.earmark) for m in money.values()}
    specific = frozenset(e.targets[0] for e in earmarks.values() if e.kind.value == "requirement")
    ranked = [requirements[code] for code in listed.ranks if requirements[code].status in FUNDABLE]
    costs = _costs(uow, ranked, currency, day)
    categories = {r.code: category_of(r, specific) for r in ranked}
    areas = uow.areas.all()
    covered = {a.code: descendants(areas, a.code) for a in areas}
    eligible = {label: eligible_categories(e, set(categories.values()), covered) for label, e in earmarks.items()}
    pots = [engine.Pot(str(m.contribution), m.reporting_units, eligible[m.earmark]) for m in money.values()
            if eligible[m.earmark] is None or eligible[m.earmark]]
    needs = [engine.Need(r.code, categories[r.code], max(costs[r.code] - reserved.get(r.code, 0), 0))
             for r in ranked]
    return _Problem(pots, needs, costs, reserved)


def get_plan(uow: UnitOfWork, actor: Actor, plan_id: int) -> AllocationPlan:
    with uow:
        plan = uow.plans.get(plan_id)
        if plan is None:
            raise NotFound(f"no allocation plan {plan_id}", field="plan")
        require(can(actor, "read_funding", plan.coalition))
        hidden = hidden_contributions(uow, actor, plan.coalition, {line.contribution for line in plan.lines})
        return dataclasses.replace(plan, lines=tuple(masked(plan.lines, hidden))) if hidden else plan


def list_plans(uow: UnitOfWork, actor: Actor, coalition: str) -> list[PlanHeading]:
    """The coalition's allocation plans, newest first."""
    require(can(actor, "read_funding", coalition))
    with uow:
        load_coalition(uow, coalition)
        return uow.plans.headings(coalition)


def approve_plan(uow: UnitOfWork, actor: Actor, plan_id: int, *, decision: int | None = None,
                 on: date | None = None) -> AllocationPlan:
    """Reserve the plan's money: one reservation entry per line, naming its contribution (its donor), dated the day
    of the approval (``on``, today by default: no earlier than the plan's run, no later than today).

    Approval is by the steering group's ``decision``, or by the secretariat where the rules allow it.
    """
    with uow:
        uow.ledger.lock()
        plan = uow.plans.get(plan_id)
        if plan is None:
            raise NotFound(f"no allocation plan {plan_id}", field="plan")
        require(can(actor, "approve_plan", plan.coalition))
        _needs_decision(load_coalition(uow, plan.coalition).rules, decision, "approving an allocation plan")
        if plan.state is PlanState.FORECAST:
            raise Conflict(f"plan {plan_id} is a forecast: it counts committed money not yet received, which cannot "
                           "be reserved", field="plan")
        if plan.state is not PlanState.PROPOSED:
            raise Conflict(f"plan {plan_id} is {plan.state.value}; only a proposed plan can be approved", field="plan")
        now = uow.clock()
        day = dated_act(on, now.date(), not_before=plan.run_on, after_what=f"plan {plan_id} ran")
        money = {m.contribution: m for m in uow.ledger.available_money(plan.coalition)}
        _refuse_stale(uow, plan, money)
        for line in plan.lines:
            source = money[line.contribution]
            available = AccountKey(AccountType.FUND_AVAILABLE, plan.coalition, source.fund, source.donor,
                                   source.currency, source.earmark)
            target = dataclasses.replace(available, type=AccountType.RESERVED, requirement=line.requirement)
            uow.ledger.add_entry(Entry(EntryKind.RESERVATION, day, target, available, line.amount,
                                       line.reporting, line.contribution, reason=f"allocation plan {plan_id}"), now)
        for row in plan.requirements:
            if not row.funded.is_zero():
                status = RequirementStatus.FULLY_FUNDED if row.fully_funded else RequirementStatus.PARTLY_FUNDED
                _move_unless_there(uow, row.requirement, status, f"allocation plan {plan_id}")
        uow.plans.set_state(plan_id, PlanState.APPROVED, day, now)
        record_change(uow, actor, AuditEvent("approve_plan", "allocation_plan", str(plan_id),
                                             {"state": plan.state.value}, {"state": PlanState.APPROVED.value,
                                                                           "approved_on": day.isoformat(),
                                                                           "reservations": len(plan.lines)}))
        uow.commit()
    return dataclasses.replace(plan, state=PlanState.APPROVED, decided_on=day)


def _refuse_stale(uow: UnitOfWork, plan: AllocationPlan, money: dict[int, AvailableMoney]) -> None:
    """Refuse to approve a plan whose money or whose requirements' reservations changed since it ran."""
    needed: dict[int, int] = {}
    for line in plan.lines:
        needed[line.contribution] = needed.get(line.contribution, 0) + line.amount.to_minor_units()
    for contribution, units in needed.items():
        have = money.get(contribution)
        if have is None or have.units < units:
            raise Conflict(f"plan {plan.id} is stale: contribution {contribution} no longer has the money the "
                           "plan gives out; run the allocation again", field="plan")
    reserved = uow.ledger.reserved(plan.coalition)
    for row in plan.requirements:
        if reserved.get(row.requirement, 0) != row.reserved_before.to_minor_units():
            raise Conflict(f"plan {plan.id} is stale: reservations of {row.requirement} changed since it ran; "
                           "run the allocation again", field="plan")


def _move_unless_there(uow: UnitOfWork, code: str, status: RequirementStatus, reason: str) -> None:
    requirement = load_requirement(uow, code)
    if requirement.status is not status:
        move_requirement(uow, requirement, status, reason)


def release_holdings(uow: UnitOfWork, coalition: str, target: str, currency: str, on: date,
                     reason: str, limit: int | None = None) -> list[tuple[int, AccountKey, int, int]]:
    """Return what is reserved for a spending target (a requirement, or a grant) to the funds it came from,
    one release entry per contribution, in the caller's transaction; return the holdings released. With ``limit``
    (reporting-currency minor units), only that much, from the money reserved last."""
    held = uow.ledger.holdings(coalition, target)
    if limit is not None:
        held = _last_reserved_up_to(held, limit)
    now = uow.clock()
    for contribution, account, units, reporting in held:
        available = dataclasses.replace(account, type=AccountType.FUND_AVAILABLE, requirement="")
        uow.ledger.add_entry(Entry(EntryKind.RELEASE, on, available, account,
                                   Money.from_minor_units(units, account.currency),
                                   Money.from_minor_units(reporting, currency), contribution, reason=reason), now)
    return held


def _last_reserved_up_to(held: Sequence[tuple[int, AccountKey, int, int]], limit: int
                         ) -> list[tuple[int, AccountKey, int, int]]:
    """The holdings that make up ``limit`` reporting minor units, taken from the last contribution back; the last
    one taken in part, its original units in proportion (rounded down)."""
    taken, left = [], limit
    for contribution, account, units, reporting in reversed(held):
        if left <= 0:
            break
        if reporting <= left:
            taken.append((contribution, account, units, reporting))
        else:
            taken.append((contribution, account, units * left // reporting, left))
        left -= min(reporting, left)
    return taken


def reserved_beyond_need(uow: UnitOfWork, requirement: Requirement, currency: str, on: date) -> int:
    """What is reserved for a requirement beyond what it still needs once its contracts and the equipment given
    for it in kind are counted, in reporting minor units (zero or less: nothing beyond)."""
    cost = requirement.cost
    if cost.currency != currency:
        cost = rate_book(uow, {cost.currency, currency}).convert(cost, currency, on).converted
    reserved, contracted = uow.funding_reads.requirement_money(requirement.coalition).get(requirement.code, (0, 0))
    given = uow.funding_reads.in_kind_money(requirement.coalition).get(requirement.code, 0)
    return reserved - max(cost.to_minor_units() - contracted - given, 0)


def release_reservation(uow: UnitOfWork, actor: Actor, *, coalition: str, requirement: str, reason: str,
                        on: date | None = None, excess_only: bool = False) -> int:
    """Return the money reserved for a requirement to its funds by entries dated ``on`` (today by default: no later
    than today, no earlier than the last reservation for it); return how many entries were made. With
    ``excess_only``, only what is reserved beyond what it still needs (``reserved_beyond_need``): the cash for a
    part now covered in kind, offered to the next rank by the next allocation."""
    require(can(actor, "release_reservation", coalition))
    if not reason.strip():
        raise InvalidInput("a release needs a reason", field="reason")
    with uow:
        uow.ledger.lock()
        currency = load_coalition(uow, coalition).reporting_currency
        found = load_requirement(uow, requirement)
        if found.coalition != coalition:
            raise InvalidInput(f"{requirement} belongs to {found.coalition}, not {coalition}", field="requirement")
        day = dated_act(on, uow.clock().date(), not_before=_last_reserved(uow, coalition, requirement),
                        after_what=f"money was last reserved for {requirement}")
        limit = None
        if excess_only:
            limit = reserved_beyond_need(uow, found, currency, day)
            if limit <= 0:
                raise refusal(InvariantViolated, "{requirement} still needs all the money reserved for it",
                              field="requirement", requirement=requirement)
        held = release_holdings(uow, coalition, requirement, currency, day, reason.strip(), limit)
        if not held:
            raise InvariantViolated(f"nothing is reserved for {requirement}", field="requirement")
        if not excess_only and found.status in (RequirementStatus.PARTLY_FUNDED, RequirementStatus.FULLY_FUNDED):
            move_requirement(uow, found, RequirementStatus.PRIORITISED, f"reservation released: {reason.strip()}")
        record_change(uow, actor, AuditEvent("release_reservation", "requirement", requirement, None,
                                             {"entries": len(held), "reason": reason.strip(), "on": day.isoformat(),
                                              "excess_only": excess_only,
                                              "released": sum(reporting for *_, reporting in held)}))
        uow.commit()
    return len(held)


def _last_reserved(uow: UnitOfWork, coalition: str, target: str) -> date:
    """The value date of the last reservation for a spending target among the money it holds (no date: none)."""
    contributions = [contribution for contribution, *_ in uow.ledger.holdings(coalition, target)]
    return max((e.value_date for e in uow.ledger.entries(contributions=contributions)
                if e.kind is EntryKind.RESERVATION and e.debit.requirement == target), default=date.min)
