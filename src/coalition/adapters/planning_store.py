"""SQL storage of requirements (with their status history), packages, priority lists and plans."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.statements import insert_row, row_by
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.allocation import Policy
from coalition.domain.contributions import FundingRoute
from coalition.domain.errors import InvariantViolated
from coalition.domain.money import Money
from coalition.domain.planning import AllocationPlan, PlanHeading, PlanLine, PlanRequirement, PlanState
from coalition.domain.requirements import ListState, Package, PriorityList, Requirement, RequirementStatus

_REQUIREMENTS_BY_CODE = sa.select(t.requirements).where(t.requirements.c.code.in_(sa.bindparam("codes",
                                                                                            expanding=True)))


@rebuilds_stored_values
class SqlRequirementRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    @staticmethod
    def _requirement(row: Any) -> Requirement:
        return Requirement(row.code, row.coalition, row.owner, row.title, row.area, row.quantity, row.unit,
                           Money.from_minor_units(row.unit_cost_minor, row.currency), tuple(row.end_users),
                           row.stock_number, row.package, FundingRoute(row.route) if row.route else None,
                           RequirementStatus(row.status), row.illustrative)

    def get(self, code: str) -> Requirement | None:
        row = self._c.execute(row_by(t.requirements, "code"), {"key": code}).first()
        return None if row is None else self._requirement(row)

    def add(self, requirement: Requirement, at: datetime) -> None:
        r = requirement
        insert_row(self._c, t.requirements, dict(
            code=r.code, coalition=r.coalition, owner=r.owner, title=r.title, area=r.area, quantity=r.quantity,
            unit=r.unit, unit_cost_minor=r.unit_cost.to_minor_units(), currency=r.unit_cost.currency,
            end_users=list(r.end_users), stock_number=r.stock_number, package=r.package,
            route=None if r.route is None else r.route.value, status=r.status.value,
            illustrative=r.illustrative))
        insert_row(self._c, t.requirement_events, dict(requirement=r.code, from_status=None,
                                                       to_status=r.status.value, occurred_at=at.isoformat(),
                                                       note="recorded"))

    def set_status(self, code: str, old: RequirementStatus | None, new: RequirementStatus, at: datetime,
                   note: str) -> None:
        self._c.execute(t.requirements.update().where(t.requirements.c.code == code).values(status=new.value))
        insert_row(self._c, t.requirement_events, dict(
            requirement=code, from_status=None if old is None else old.value, to_status=new.value,
            occurred_at=at.isoformat(), note=note))

    def for_coalition(self, coalition: str, *, status: RequirementStatus | None = None, offset: int = 0,
                      limit: int | None = None) -> list[Requirement]:
        r = t.requirements
        query = sa.select(r).where(r.c.coalition == coalition)
        if status is not None:
            query = query.where(r.c.status == status.value)
        query = query.order_by(r.c.code).offset(offset).limit(limit)
        return [self._requirement(row) for row in self._c.execute(query)]

    def count(self, coalition: str, *, status: RequirementStatus | None = None) -> int:
        r = t.requirements
        query = sa.select(sa.func.count()).select_from(r).where(r.c.coalition == coalition)
        if status is not None:
            query = query.where(r.c.status == status.value)
        return int(self._c.execute(query).scalar_one())

    def get_many(self, codes: Collection[str]) -> dict[str, Requirement]:
        found: dict[str, Requirement] = {}
        ordered = sorted(set(codes))
        for start in range(0, len(ordered), 1000):
            found.update((row.code, self._requirement(row))
                         for row in self._c.execute(_REQUIREMENTS_BY_CODE, {"codes": ordered[start:start + 1000]}))
        return found

    def history(self, code: str) -> list[tuple[str | None, str, str, str]]:
        e = t.requirement_events
        query = sa.select(e.c.from_status, e.c.to_status, e.c.occurred_at, e.c.note).where(
            e.c.requirement == code).order_by(e.c.id)
        return [(r.from_status, r.to_status, r.occurred_at, r.note) for r in self._c.execute(query)]

    def add_package(self, package: Package) -> None:
        insert_row(self._c, t.packages, dict(
            code=package.code, coalition=package.coalition, title=package.title,
            size_minor=package.size.to_minor_units(), currency=package.size.currency,
            illustrative=package.illustrative))

    @staticmethod
    def _package(row: Any) -> Package:
        return Package(row.code, row.coalition, row.title, Money.from_minor_units(row.size_minor, row.currency),
                       row.illustrative)

    def get_package(self, code: str) -> Package | None:
        row = self._c.execute(row_by(t.packages, "code"), {"key": code}).first()
        return None if row is None else self._package(row)

    def packages(self, coalition: str) -> list[Package]:
        query = sa.select(t.packages).where(t.packages.c.coalition == coalition).order_by(t.packages.c.code)
        return [self._package(row) for row in self._c.execute(query)]


def ranks_digest(ranks: Sequence[str]) -> str:
    """SHA-256 of a priority list's ranks as compact JSON text, stored beside them."""
    return hashlib.sha256(json.dumps(list(ranks), separators=(",", ":")).encode()).hexdigest()


class _BuiltLists:
    """Priority-list versions already built, the last 8: a list of 100,000 ranks takes milliseconds to read, parse
    and check, and every page of its coverage needs it. The key is the whole row but its ranks, which it names by
    their digest, so a version is known again without reading its ranks and never mistaken for another."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._lists: OrderedDict[tuple[Any, ...], PriorityList] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], build: Callable[[], PriorityList]) -> PriorityList:
        with self._lock:
            found = self._lists.get(key)
            if found is not None:
                self._lists.move_to_end(key)
                return found
        built = build()
        with self._lock:
            self._lists[key] = built
            while len(self._lists) > self._size:
                self._lists.popitem(last=False)
        return built


_BUILT = _BuiltLists()
_LISTS = sa.select(*(c for c in t.priority_lists.c if c.name != "ranks"))
_RANKS = sa.select(t.priority_lists.c.ranks).where(t.priority_lists.c.coalition == sa.bindparam("coalition"),
                                                   t.priority_lists.c.version == sa.bindparam("version"))


@rebuilds_stored_values
class SqlPriorityListRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def _list(self, row: Any) -> PriorityList:
        def build() -> PriorityList:
            ranks = tuple(self._c.execute(_RANKS, {"coalition": row.coalition, "version": row.version}).scalar_one())
            if ranks_digest(ranks) != row.ranks_sha256:
                raise InvariantViolated(f"the ranks of priority list {row.coalition} v{row.version} do not match "
                                        "their stored digest", field="ranks")
            return PriorityList(row.coalition, row.version, ranks, row.submitted_by, row.submitted_on,
                                ListState(row.state), row.approved_by, row.approved_on, row.note)

        return _BUILT.get(tuple(row), build)

    def add(self, version: PriorityList) -> None:
        insert_row(self._c, t.priority_lists, dict(
            coalition=version.coalition, version=version.version, ranks=list(version.ranks),
            ranks_sha256=ranks_digest(version.ranks),
            submitted_by=version.submitted_by, submitted_on=version.submitted_on, state=version.state.value,
            approved_by=version.approved_by, approved_on=version.approved_on, note=version.note))

    def get(self, coalition: str, version: int) -> PriorityList | None:
        p = t.priority_lists
        row = self._c.execute(_LISTS.where(p.c.coalition == coalition, p.c.version == version)).first()
        return None if row is None else self._list(row)

    def latest(self, coalition: str, state: ListState) -> PriorityList | None:
        p = t.priority_lists
        row = self._c.execute(_LISTS.where(p.c.coalition == coalition, p.c.state == state.value)
                              .order_by(p.c.version.desc()).limit(1)).first()
        return None if row is None else self._list(row)

    def versions(self, coalition: str) -> list[PriorityList]:
        p = t.priority_lists
        return [self._list(row) for row in self._c.execute(_LISTS.where(p.c.coalition == coalition)
                                                           .order_by(p.c.version))]

    def set_state(self, coalition: str, version: int, state: ListState, by: str | None, on: date | None) -> None:
        p = t.priority_lists
        self._c.execute(p.update().where(p.c.coalition == coalition, p.c.version == version).values(
            state=state.value, approved_by=by, approved_on=on))


# The day of a plan's latest act (its decisions in the order recorded).
_DECIDED = sa.select(t.plan_decisions.c.decided_on).order_by(t.plan_decisions.c.id.desc()).limit(1)


@rebuilds_stored_values
class SqlPlanRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def add(self, plan: AllocationPlan) -> AllocationPlan:
        summary = [{"requirement": r.requirement, "rank": r.rank, "cost": r.cost.to_minor_units(),
                    "reserved_before": r.reserved_before.to_minor_units(), "funded": r.funded.to_minor_units(),
                    "missing": r.missing.to_minor_units()} for r in plan.requirements]
        result = insert_row(self._c, t.allocation_plans, dict(
            coalition=plan.coalition, priority_version=plan.priority_version, ledger_position=plan.ledger_position,
            policy=plan.policy.value, currency=plan.currency, run_on=plan.run_on, state=plan.state.value,
            summary=summary))
        plan_id = int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0
        rows = [{"plan": plan_id, "contribution": line.contribution, "requirement": line.requirement,
                 "amount_minor": line.amount.to_minor_units(), "currency": line.amount.currency,
                 "reporting_minor": line.reporting.to_minor_units()} for line in plan.lines]
        if rows:
            self._c.execute(t.allocation_lines.insert(), rows)
        stored = self.get(plan_id)
        assert stored is not None
        return stored

    def get(self, id: int) -> AllocationPlan | None:
        row = self._c.execute(row_by(t.allocation_plans, "id"), {"key": id}).first()
        if row is None:
            return None
        currency = row.currency
        requirements = tuple(PlanRequirement(
            r["requirement"], r["rank"], Money.from_minor_units(r["cost"], currency),
            Money.from_minor_units(r["reserved_before"], currency), Money.from_minor_units(r["funded"], currency),
            Money.from_minor_units(r["missing"], currency)) for r in row.summary)
        a = t.allocation_lines
        lines = tuple(PlanLine(line.contribution, line.requirement,
                               Money.from_minor_units(line.amount_minor, line.currency),
                               Money.from_minor_units(line.reporting_minor, currency))
                      for line in self._c.execute(sa.select(a).where(a.c.plan == id).order_by(a.c.id)))
        return AllocationPlan(row.coalition, row.priority_version, row.ledger_position, Policy(row.policy), currency,
                              row.run_on, requirements, lines, PlanState(row.state), row.id,
                              self._c.execute(_DECIDED.where(t.plan_decisions.c.plan == id)).scalar())

    def set_state(self, id: int, state: PlanState, on: date, recorded_at: datetime) -> None:
        self._c.execute(t.allocation_plans.update().where(t.allocation_plans.c.id == id).values(state=state.value))
        self._c.execute(t.plan_decisions.insert().values(plan=id, state=state.value, decided_on=on,
                                                         recorded_at=recorded_at.isoformat()))

    def headings(self, coalition: str) -> list[PlanHeading]:
        p = t.allocation_plans
        decided = _DECIDED.where(t.plan_decisions.c.plan == p.c.id).scalar_subquery()
        query = sa.select(p.c.id, p.c.run_on, p.c.policy, p.c.priority_version, p.c.state,
                          decided.label("decided_on")).where(p.c.coalition == coalition).order_by(p.c.id.desc())
        return [PlanHeading(r.id, r.run_on, Policy(r.policy), r.priority_version, PlanState(r.state), r.decided_on)
                for r in self._c.execute(query)]

    def proposed(self, coalition: str) -> list[int]:
        p = t.allocation_plans
        query = sa.select(p.c.id).where(p.c.coalition == coalition, p.c.state == PlanState.PROPOSED.value)
        return [int(r[0]) for r in self._c.execute(query.order_by(p.c.id))]
