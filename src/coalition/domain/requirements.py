"""Requirements of the recipient, their lifecycle, versioned priority lists and packages.

The lifecycle is declared as data (TRANSITIONS) and enforced by ``transition``. A priority list is
versioned: each version ranks requirements; a version is submitted by the recipient and becomes
active only when approved; older versions stay readable and can be compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from coalition.domain.common import check_code, check_move
from coalition.domain.contributions import FundingRoute
from coalition.domain.errors import InvalidInput, InvariantViolated
from coalition.domain.limits import MAX_QUANTITY, NOTE, STOCK_NUMBER, TITLE, UNIT, check_text, check_whole
from coalition.domain.money import Money


class RequirementStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    PRIORITISED = "prioritised"
    PARTLY_FUNDED = "partly-funded"
    FULLY_FUNDED = "fully-funded"
    IN_PROCUREMENT = "in-procurement"
    CONTRACTED = "contracted"
    PARTLY_DELIVERED = "partly-delivered"
    FULLY_DELIVERED = "fully-delivered"
    CLOSED = "closed"
    CANCELLED = "cancelled"


S = RequirementStatus
TRANSITIONS: dict[RequirementStatus, frozenset[RequirementStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.VALIDATED, S.DRAFT, S.CANCELLED}),
    S.VALIDATED: frozenset({S.PRIORITISED, S.CANCELLED}),
    # Straight to procurement only for a donation from stock, which needs no money (the service checks).
    S.PRIORITISED: frozenset({S.PARTLY_FUNDED, S.FULLY_FUNDED, S.IN_PROCUREMENT, S.VALIDATED, S.CANCELLED}),
    S.PARTLY_FUNDED: frozenset({S.FULLY_FUNDED, S.PRIORITISED, S.IN_PROCUREMENT, S.CANCELLED}),
    S.FULLY_FUNDED: frozenset({S.PARTLY_FUNDED, S.PRIORITISED, S.IN_PROCUREMENT, S.CANCELLED}),
    S.IN_PROCUREMENT: frozenset({S.CONTRACTED, S.FULLY_FUNDED, S.PARTLY_FUNDED, S.PRIORITISED, S.CANCELLED}),
    S.CONTRACTED: frozenset({S.PARTLY_DELIVERED, S.FULLY_DELIVERED, S.CANCELLED}),
    S.PARTLY_DELIVERED: frozenset({S.FULLY_DELIVERED}),
    S.FULLY_DELIVERED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
FUNDABLE = frozenset({S.PRIORITISED, S.PARTLY_FUNDED, S.FULLY_FUNDED})


@dataclass(frozen=True, slots=True)
class Requirement:
    """A need of the recipient's forces: what, how many, at what estimated cost, for which units."""

    code: str
    coalition: str
    owner: str
    title: str
    area: str
    quantity: int
    unit: str
    unit_cost: Money
    end_users: tuple[str, ...] = ()
    stock_number: str | None = None
    package: str | None = None
    route: FundingRoute | None = None  # the route the recipient intends; money earmarked to a route follows it
    status: RequirementStatus = RequirementStatus.DRAFT
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        check_text(self.title, "title", TITLE)
        check_text(self.unit, "unit", UNIT)
        if self.stock_number is not None:
            check_text(self.stock_number, "stock_number", STOCK_NUMBER)
        if self.quantity <= 0:
            raise InvalidInput(f"{self.quantity} must be a positive number of units", field="quantity")
        check_whole(self.quantity, "quantity", high=MAX_QUANTITY, what="a number of units")
        if self.unit_cost.amount < 0:
            raise InvalidInput("must not be negative", field="unit_cost")

    @property
    def cost(self) -> Money:
        return self.unit_cost * self.quantity


def transition(requirement: Requirement, to: RequirementStatus) -> Requirement:
    """The requirement in its new status, if the lifecycle allows the move."""
    check_move(TRANSITIONS, requirement.code, requirement.status, to, "status")
    return replace(requirement, status=to)


class ListState(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class PriorityList:
    """One version of a coalition's priority list: requirement codes, highest priority first."""

    coalition: str
    version: int
    ranks: tuple[str, ...]
    submitted_by: str
    submitted_on: date
    state: ListState = ListState.SUBMITTED
    approved_by: str | None = None
    approved_on: date | None = None
    note: str = ""

    def __post_init__(self) -> None:
        check_text(self.note, "note", NOTE, required=False)
        if not self.ranks:
            raise InvalidInput("a priority list ranks at least one requirement", field="ranks")
        if len(set(self.ranks)) == len(self.ranks):
            return
        seen: set[str] = set()
        for position, code in enumerate(self.ranks, start=1):
            if code in seen:
                raise InvalidInput(f"{code} is ranked twice (again at rank {position})", field="ranks")
            seen.add(code)

    def rank_of(self, code: str) -> int | None:
        try:
            return self.ranks.index(code) + 1
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Move:
    """How one requirement's rank changed between two versions (None: absent from that version)."""

    requirement: str
    before: int | None
    after: int | None

    @property
    def change(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        if self.after < self.before:
            return f"up {self.before - self.after}"
        if self.after > self.before:
            return f"down {self.after - self.before}"
        return "unchanged"


def diff(old: PriorityList, new: PriorityList) -> list[Move]:
    """Every requirement of either version with its rank in both, in the new version's order."""
    before = {code: i for i, code in enumerate(old.ranks, start=1)}
    after = {code: i for i, code in enumerate(new.ranks, start=1)}
    moves = [Move(code, before.get(code), after[code]) for code in new.ranks]
    moves += [Move(code, before[code], None) for code in old.ranks if code not in after]
    return moves


def check_rankable(ranks: Sequence[str], requirements: dict[str, Requirement]) -> None:
    """Every ranked requirement exists in the coalition and is neither closed nor cancelled."""
    for position, code in enumerate(ranks, start=1):
        found = requirements.get(code)
        if found is None:
            raise InvalidInput(f"rank {position}: no requirement '{code}' in this coalition", field="ranks")
        if found.status in (S.CLOSED, S.CANCELLED, S.DRAFT):
            raise InvariantViolated(f"rank {position}: {code} is {found.status.value} and cannot be ranked",
                                    field="ranks")


@dataclass(frozen=True, slots=True)
class Package:
    """A fixed-size bundle of requirements funded jointly by several donors (prioritized packages)."""

    code: str
    coalition: str
    title: str
    size: Money
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        check_text(self.title, "title", TITLE)
        if self.size.amount <= 0:
            raise InvalidInput("a package has a positive size", field="size")
