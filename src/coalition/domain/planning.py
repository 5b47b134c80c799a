"""Allocation plans: the engine's answer for a coalition, tied to the list and ledger it used.

A plan is proposed by a run and takes effect (reserves money) only when approved. Lines name the
contribution, so the donor, behind every unit of money, in the contribution's own currency and in
the reporting currency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from coalition.domain.allocation import Line, Policy
from coalition.domain.contributions import Earmark, EarmarkKind
from coalition.domain.money import Money
from coalition.domain.requirements import Requirement


class PlanState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    SUPERSEDED = "superseded"
    FORECAST = "forecast"  # counts committed money not yet received: shown, never approved


@dataclass(frozen=True, slots=True)
class AvailableMoney:
    """Money of one receipt not yet reserved: in its currency and in the reporting currency."""

    contribution: int
    donor: str
    fund: str
    earmark: str
    units: int
    currency: str
    reporting_units: int


@dataclass(frozen=True, slots=True)
class PlanLine:
    contribution: int
    requirement: str
    amount: Money
    reporting: Money


@dataclass(frozen=True, slots=True)
class PlanHeading:
    """What a list of plans shows of each: which, when, under which policy and version, in which state."""

    id: int
    run_on: date
    policy: Policy
    priority_version: int
    state: PlanState
    decided_on: date | None = None  # the day of the act that gave it its state (approval, supersession)


@dataclass(frozen=True, slots=True)
class PlanRequirement:
    requirement: str
    rank: int
    cost: Money
    reserved_before: Money
    funded: Money
    missing: Money

    @property
    def fully_funded(self) -> bool:
        return self.missing.is_zero()


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    coalition: str
    priority_version: int
    ledger_position: int
    policy: Policy
    currency: str
    run_on: date
    requirements: tuple[PlanRequirement, ...]
    lines: tuple[PlanLine, ...]
    state: PlanState = PlanState.PROPOSED
    id: int | None = None
    decided_on: date | None = None  # the day of the act that gave it its state (approval, supersession)

    @property
    def next_requirement(self) -> PlanRequirement | None:
        """The highest-ranked requirement still short of money: what the secretariat watches."""
        return next((r for r in self.requirements if not r.fully_funded), None)

    @property
    def now_fully_funded(self) -> list[str]:
        return [r.requirement for r in self.requirements if r.fully_funded and not r.funded.is_zero()]


def category_of(requirement: Requirement, specific: frozenset[str]) -> str:
    """The engine category: area, package and route, and the requirement itself if money is earmarked to it."""
    base = f"{requirement.area}|{requirement.package or ''}|{requirement.route or ''}"
    return f"{base}|{requirement.code}" if requirement.code in specific else base


def eligible_categories(earmark: Earmark, categories: Iterable[str], covered_areas: Mapping[str, set[str]]
                        ) -> frozenset[str] | None:
    """The engine categories an earmark may fund (None: any)."""
    if earmark.kind is EarmarkKind.NONE:
        return None
    found = set()
    for category in categories:
        area, package, route, *code = category.split("|")
        if earmark.kind is EarmarkKind.AREAS:
            fits = any(area in covered_areas[a] for a in earmark.targets)
        elif earmark.kind is EarmarkKind.PACKAGE:
            fits = package == earmark.targets[0]
        elif earmark.kind is EarmarkKind.REQUIREMENT:
            fits = code == [earmark.targets[0]]
        else:
            fits = route == earmark.targets[0]
        if fits:
            found.add(category)
    return frozenset(found)


def to_original(lines: Sequence[Line], available: Mapping[int, AvailableMoney]) -> list[tuple[int, str, int, int]]:
    """(contribution, requirement, original units, reporting units) for each engine line.

    Each line's reporting amount is turned back into the contribution's currency at the ratio of its
    available money, rounded half to even; a contribution used up entirely gives its last line the
    remainder, so its lines add up to exactly what it had.
    """
    by_contribution: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        by_contribution[int(line.contribution)].append(line)
    result = []
    for contribution, own in by_contribution.items():
        money = available[contribution]
        used = sum(line.amount for line in own)
        left = money.units
        for position, line in enumerate(own):
            if used == money.reporting_units and position == len(own) - 1:
                units = left
            else:
                units = min(left, int((Decimal(line.amount) * money.units / money.reporting_units)
                                      .to_integral_value(ROUND_HALF_EVEN)))
            left -= units
            result.append((contribution, line.requirement, units, line.amount))
    return result
