"""The priority list: its versions, what changed between two of them, and how far the money covers each rank.

The priorities page reads them in one transaction, each version once; the API and the command line ask
for each separately.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from coalition.domain.access import Actor, can
from coalition.domain.common import as_of
from coalition.domain.errors import NotFound, refusal
from coalition.domain.fx import RateBook
from coalition.domain.ledger import AccountType
from coalition.domain.money import Money
from coalition.domain.requirements import ListState, Move, PriorityList, Requirement, diff
from coalition.services.audit import require
from coalition.services.ports import UnitOfWork
from coalition.services.rates import rate_book
from coalition.services.registry import load_coalition

COVERAGE_BATCH = 100


def priority_lists(uow: UnitOfWork, actor: Actor, coalition: str) -> list[PriorityList]:
    """Every version of the coalition's priority list, oldest first."""
    require(can(actor, "read_registry", coalition))
    with uow:
        load_coalition(uow, coalition)
        return uow.priorities.versions(coalition)


def priority_diff(uow: UnitOfWork, actor: Actor, coalition: str, old: int, new: int) -> list[Move]:
    """How each requirement moved from version ``old`` to version ``new``."""
    require(can(actor, "read_registry", coalition))
    with uow:
        return _diff(uow.priorities.versions(coalition), coalition, old, new)


def _diff(versions: Sequence[PriorityList], coalition: str, old: int, new: int) -> list[Move]:
    """The moves from version ``old`` to ``new``, each refused by name when missing."""
    by_number = {v.version: v for v in versions}
    for number, name in ((old, "from"), (new, "to")):
        if number not in by_number:
            raise NotFound(f"{coalition} has no priority list version {number}", field=name)
    return diff(by_number[old], by_number[new])


@dataclass(frozen=True, slots=True)
class RankCoverage:
    rank: int
    requirement: Requirement
    cost: Money
    reserved: Money  # reserved for it and not yet contracted
    contracted: Money  # contracted for it or already paid out (money that left the reservation for a contract)
    in_kind: Money | None = None  # the value of equipment donated for it in kind, from a donor's stock
    missing: Money = field(init=False)

    def __post_init__(self) -> None:
        """What is still missing: the cost less what is reserved, contracted or given in kind, never below zero."""
        given = Decimal(0) if self.in_kind is None else self.in_kind.amount
        secured = self.reserved.amount + self.contracted.amount + given
        object.__setattr__(self, "missing", Money(max(self.cost.amount - secured, Decimal(0)), self.cost.currency))


@dataclass(frozen=True, slots=True)
class Coverage:
    """Coverage of a priority list's ranks (all, or the page from ``offset``), with the secretariat's signal:
    ``next_short``, the highest-ranked requirement still missing money, wherever it stands in the list."""

    coalition: str
    version: int
    ranks: list[RankCoverage]
    available: Money
    total_ranks: int
    offset: int
    next_short: RankCoverage | None
    on: date | None = None  # the day the coverage is as of; None: now
    # How many ranks from the top the money available (not yet reserved, earmarks aside) would complete, in
    # order: the first procurements it can pay for. Counted up to AFFORDABLE_SCAN ranks.
    affordable: int = 0


def coverage(uow: UnitOfWork, actor: Actor, coalition: str, version: int | None = None, *, offset: int = 0,
             limit: int | None = None, on: date | None = None, known: Coverage | None = None) -> Coverage:
    """Per rank of a priority list (the active one by default): cost, money reserved, what is missing; as of the
    day ``on``, the list active then (the newest approved by then) and the money as it stood at that day's end.

    ``known``: another page of the same question read in the same state of the record (a cache's); the list-wide
    figures (the money available, the next rank short, how many ranks it would complete) are taken from it
    instead of being scanned again, so a page costs only its own ranks."""
    require(can(actor, "read_funding", coalition))
    with uow:
        return read_coverage(uow, coalition, version, offset=offset, limit=limit, on=on, known=known)


def read_coverage(uow: UnitOfWork, coalition: str, version: int | None = None, *, offset: int = 0,
                  limit: int | None = None, on: date | None = None, known: Coverage | None = None) -> Coverage:
    """The coverage of ``coverage``, read in the caller's transaction (its caller checked the permission)."""
    currency = load_coalition(uow, coalition).reporting_currency
    on = as_of(on, uow.clock().date())
    if on is None:
        listed = uow.priorities.latest(coalition, ListState.APPROVED) if version is None \
            else uow.priorities.get(coalition, version)
    else:
        listed = _version(uow.priorities.versions(coalition), version, on)
    return _coverage(uow, _listed(listed, coalition, version, on), currency, offset, limit, on, known)


def _listed(found: PriorityList | None, coalition: str, version: int | None, on: date | None = None
            ) -> PriorityList:
    """The list found, or NotFound naming what was asked for."""
    if found is not None:
        return found
    if version is None:
        if on is not None:
            raise refusal(NotFound, "{coalition} had no approved priority list on {on}", field="coalition",
                          coalition=coalition, on=on)
        raise NotFound(f"{coalition} has no approved priority list", field="coalition")
    raise NotFound(f"{coalition} has no priority list version {version}", field="version")


class _Ranks:
    """Costs ranks of one list against the money per requirement, with rates only for the currencies the
    requirements are costed in (one rate book per set of currencies)."""

    def __init__(self, uow: UnitOfWork, listed: PriorityList, currency: str, on: date | None) -> None:
        """Read the money per requirement once (as of ``on``), for every rank costed (at the rates of that day)."""
        self._uow, self._listed, self._currency = uow, listed, currency
        self._money = uow.funding_reads.requirement_money(listed.coalition, on)
        self._in_kind = uow.funding_reads.in_kind_money(listed.coalition, on)
        self._today = on or uow.clock().date()
        self._books: dict[frozenset[str], RateBook] = {}

    def between(self, start: int, stop: int) -> list[RankCoverage]:
        """The coverage of ranks ``start`` (from 0) up to ``stop``."""
        codes = self._listed.ranks[start:stop]
        loaded = self._uow.requirements.get_many(codes)
        book = self._book(frozenset(r.unit_cost.currency for r in loaded.values()) | {self._currency})
        currency = self._currency
        return [RankCoverage(start + i + 1, loaded[code], _cost(loaded[code], currency, book, self._today),
                             Money.from_minor_units(self._money.get(code, (0, 0))[0], currency),
                             Money.from_minor_units(self._money.get(code, (0, 0))[1], currency),
                             Money.from_minor_units(self._in_kind.get(code, 0), currency))
                for i, code in enumerate(codes)]

    def _book(self, currencies: frozenset[str]) -> RateBook:
        """The rate book of one set of currencies, read once."""
        if currencies not in self._books:
            self._books[currencies] = rate_book(self._uow, currencies)
        return self._books[currencies]


def _cost(requirement: Requirement, currency: str, book: RateBook, on: date) -> Money:
    """A requirement's cost in ``currency``, converted at the rate of ``on`` where it is costed in another."""
    cost = requirement.cost
    return cost if cost.currency == currency else book.convert(cost, currency, on).converted


def _coverage(uow: UnitOfWork, listed: PriorityList, currency: str, offset: int, limit: int | None,
              on: date | None = None, known: Coverage | None = None) -> Coverage:
    """The coverage of the page from ``offset`` and the first rank still short, wherever it stands (as of ``on``)."""
    costed = _Ranks(uow, listed, currency, on)
    stop = len(listed.ranks) if limit is None else min(len(listed.ranks), offset + limit)
    ranks = costed.between(offset, stop)
    if known is not None and (known.coalition, known.version, known.on) == (listed.coalition, listed.version, on):
        return dataclasses.replace(known, ranks=ranks, offset=offset)

    def from_the_top() -> Iterator[list[RankCoverage]]:
        """The ranks from the first on, in batches growing from one to COVERAGE_BATCH (the first short
        rank is usually near the top), reusing the page's ranks where a batch lies within the page."""
        start, size = 0, 1
        while start < len(listed.ranks):
            end = min(start + size, len(listed.ranks))
            yield ranks[start - offset:end - offset] if offset <= start and end <= stop else costed.between(start, end)
            start, size = end, min(size * 4, COVERAGE_BATCH)

    next_short = next((r for batch in from_the_top() for r in batch if not r.missing.is_zero()), None)
    available = Money.from_minor_units(
        uow.funding_reads.reporting_total(listed.coalition, AccountType.FUND_AVAILABLE, on), currency)
    affordable = len(listed.ranks) if next_short is None else _affordable(from_the_top(), available.amount)
    return Coverage(listed.coalition, listed.version, ranks, available, len(listed.ranks), offset, next_short, on,
                    affordable)


AFFORDABLE_SCAN = 1000


def _affordable(batches: Iterator[list[RankCoverage]], available: Decimal) -> int:
    """How many ranks from the top are covered or would be, in order, with ``available`` added to what they miss."""
    count, missing = 0, Decimal(0)
    for batch in batches:
        for rank in batch:
            missing += rank.missing.amount
            if missing > available or count >= AFFORDABLE_SCAN:
                return count
            count += 1
    return count


def _version(versions: Sequence[PriorityList], version: int | None, on: date | None = None) -> PriorityList | None:
    """The version numbered ``version`` or, for None, the newest approved one (the active list); as of ``on``, only
    among the versions submitted by then, the active one being the newest approved by then."""
    if on is not None:
        versions = [v for v in versions if v.submitted_on <= on]
    if version is None:
        return next((v for v in reversed(versions) if v.state is ListState.APPROVED and v.approved_on is not None
                     and (on is None or v.approved_on <= on)), None)
    return next((v for v in versions if v.version == version), None)


@dataclass(frozen=True, slots=True)
class PrioritiesPage:
    """The priorities page: every version, the coverage of the one shown (for viewers of the money), and the
    moves from ``compare`` to it (requirements whose rank changed)."""

    versions: list[PriorityList]
    coverage: Coverage | None
    shown: int | None
    moves: list[Move] | None


def priorities_page(uow: UnitOfWork, actor: Actor, coalition: str, *, version: int | None = None,
                    compare: int | None = None, offset: int = 0, limit: int | None = None,
                    on: date | None = None) -> PrioritiesPage:
    """The versions of the priority list, the coverage of ``version`` (the active one by default; as of ``on``,
    the one active then, with the money then) and how the ranks moved since ``compare``, read in one transaction,
    each version once."""
    require(can(actor, "read_registry", coalition))
    with uow:
        currency = load_coalition(uow, coalition).reporting_currency
        versions = uow.priorities.versions(coalition)
        on = as_of(on, uow.clock().date())
        found = None
        submitted = [v for v in versions if on is None or v.submitted_on <= on]
        if submitted and can(actor, "read_funding", coalition):
            # Before any list is approved, the page shows the newest one submitted (its state says it is not active).
            chosen = _version(versions, version, on) or (submitted[-1] if version is None else None)
            found = _coverage(uow, _listed(chosen, coalition, version, on), currency, offset, limit, on)
        shown = found.version if found else (version or (versions[-1].version if versions else None))
        moves = None
        if compare is not None and shown is not None:
            moves = [m for m in _diff(versions, coalition, compare, shown) if m.before != m.after]
    return PrioritiesPage(versions, found, shown, moves)
