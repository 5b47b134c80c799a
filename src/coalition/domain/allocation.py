"""The allocation engine: money to requirements in priority order, under earmarks, exactly.

Contributions (pots of money, each earmarked to a set of categories or to any) fund requirements
(each of one category), listed highest priority first. Amounts are integers in minor units.

Policies:
- partial: the lexicographic optimum: no requirement can receive more by any re-routing of money
  without a higher-ranked one receiving less. A greedy waterfall is not enough; money already given
  to a higher rank is re-routed when that frees eligible money for a lower one.
- strict: all-or-nothing in rank order; stop at the first requirement that cannot be fully funded.
- skip: all-or-nothing; fund each requirement that can be fully funded with those already chosen.

How: pots with the same earmark form a group; the flow is kept per (group, category). Requirements
are taken in rank order; each is funded directly from groups with money left, then by augmenting
paths: money enters some category from a group with money left and is passed along, category to
category, by groups eligible for both, until it reaches the requirement's category. Paths are found
over the small graph of categories, using the money each category could hand to each other one.
Funded vectors of this flow structure form a polymatroid, so funding ranks one after another, each
as much as possible, gives the lexicographic optimum (and the optimum of any objective that weights
higher ranks more).
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from coalition.domain.errors import InvalidInput


class Policy(StrEnum):
    PARTIAL = "partial"
    STRICT = "strict"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Pot:
    """A contribution's available money: ``earmark`` None means any category."""

    id: str
    amount: int
    earmark: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Need:
    """A requirement's remaining cost, in one category."""

    id: str
    category: str
    amount: int


# Results are named tuples: a large run makes hundreds of thousands of them.
class Line(NamedTuple):
    contribution: str
    requirement: str
    amount: int


class Funding(NamedTuple):
    requirement: str
    funded: int
    missing: int
    fully_funded: bool


@dataclass(frozen=True, slots=True)
class AllocationResult:
    requirements: list[Funding]
    lines: list[Line]
    unallocated: list[tuple[str, int]]
    next_requirement: str | None = None  # the highest-ranked requirement not fully funded
    next_missing: int = 0  # what it still lacks

    @property
    def fully_funded(self) -> list[str]:
        return [f.requirement for f in self.requirements if f.fully_funded]


def _check(items: Sequence[Pot | Need], name: str) -> None:
    """Ids unique and amounts not negative; the slow search for the culprit runs only on failure."""
    if len({item.id for item in items}) == len(items) and min((item.amount for item in items), default=0) >= 0:
        return
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            raise InvalidInput(f"'{item.id}' appears twice", field=f"{name}[{i}].id")
        seen.add(item.id)
        if item.amount < 0:
            raise InvalidInput("must not be negative", field=f"{name}[{i}].amount")


@dataclass
class _Flow:
    """Flow of money from groups to categories, with the aggregates the path search needs."""

    money: list[int]  # per group: money not yet given to any category
    eligible: list[list[int]]  # per group: the categories it may fund
    feeders: list[list[int]]  # per category: groups that may fund it, narrowest earmark first
    both: dict[tuple[int, int], list[int]]  # (a, b): groups that may fund both a and b
    flow: list[dict[int, int]] = field(default_factory=list)  # per group: category -> amount
    supply: list[int] = field(default_factory=list)  # per category: money left in groups that may fund it
    movable: list[list[int]] = field(default_factory=list)  # [a][b]: money in a held by groups eligible for b
    cursor: list[int] = field(default_factory=list)  # per category: first feeder that may still have money
    log: list[tuple[int, int, int]] | None = None  # (group, category or -1 for money, delta) while trying

    def __post_init__(self) -> None:
        categories = len(self.feeders)
        self.flow = [{} for _ in self.money]
        self.supply = [sum(self.money[g] for g in groups) for groups in self.feeders]
        self.movable = [[0] * categories for _ in range(categories)]
        self.cursor = [0] * categories

    def _move(self, group: int, category: int, delta: int) -> None:
        """Change the flow from ``group`` to ``category`` by ``delta`` (keeping the aggregates)."""
        current = self.flow[group].get(category, 0) + delta
        if current:
            self.flow[group][category] = current
        else:
            self.flow[group].pop(category, None)
        row = self.movable[category]
        for other in self.eligible[group]:
            row[other] += delta
        if self.log is not None:
            self.log.append((group, category, delta))

    def _spend(self, group: int, delta: int) -> None:
        """Take ``delta`` of a group's free money (negative gives it back)."""
        self.money[group] -= delta
        for category in self.eligible[group]:
            self.supply[category] -= delta
        if self.log is not None:
            self.log.append((group, -1, delta))

    def undo(self, log: list[tuple[int, int, int]]) -> None:
        saved, self.log = self.log, None
        for group, category, delta in reversed(log):
            if category < 0:
                self._spend(group, -delta)
            else:
                self._move(group, category, -delta)
        self.log = saved
        self.cursor = [0] * len(self.cursor)

    def direct(self, category: int, want: int) -> int:
        """Fund ``category`` from groups with free money; return how much was given.

        The hot path of the engine: the bookkeeping of _spend and _move is written out here.
        """
        given, feeders, money, eligible, flow = 0, self.feeders[category], self.money, self.eligible, self.flow
        supply, movable, log = self.supply, self.movable[category], self.log
        position = self.cursor[category]
        while given < want and position < len(feeders):
            group = feeders[position]
            free = money[group]
            if free <= 0:
                position += 1
                continue
            take = free if free < want - given else want - given
            money[group] = free - take
            targets = flow[group]
            targets[category] = targets.get(category, 0) + take
            for other in eligible[group]:
                supply[other] -= take
                movable[other] += take
            if log is not None:
                log.append((group, -1, take))
                log.append((group, category, take))
            given += take
        self.cursor[category] = position
        return given

    def shift(self, source: int, target: int, amount: int) -> None:
        """Hand ``amount`` held in ``source`` to ``target`` through groups eligible for both."""
        left = amount
        for group in self.both[(source, target)]:
            held = self.flow[group].get(source, 0)
            if held <= 0:
                continue
            take = min(held, left)
            self._move(group, source, -take)
            self._move(group, target, take)
            left -= take
            if left == 0:
                return
        raise AssertionError("the path search promised money that is not there")

    def augment(self, category: int, want: int) -> int:
        """One augmenting path into ``category``; return how much it carried (0 if none exists)."""
        parent: dict[int, int] = {category: -1}
        queue = deque([category])
        start = -1
        while queue and start < 0:
            node = queue.popleft()
            for previous in range(len(self.feeders)):
                if previous in parent or self.movable[previous][node] <= 0:
                    continue
                parent[previous] = node
                if self.supply[previous] > 0:
                    start = previous
                    break
                queue.append(previous)
        if start < 0:
            return 0
        amount, node = min(want, self.supply[start]), start
        while parent[node] >= 0:
            amount = min(amount, self.movable[node][parent[node]])
            node = parent[node]
        given = self.direct(start, amount)
        assert given == amount
        node = start
        while parent[node] >= 0:
            self.shift(node, parent[node], amount)
            node = parent[node]
        return amount

    def fund(self, category: int, want: int) -> int:
        """Give ``category`` as much as possible, up to ``want``."""
        given = self.direct(category, want) if self.supply[category] > 0 else 0
        while given < want:
            carried = self.augment(category, want - given)
            if carried == 0:
                break
            given += carried
        return given


def allocate(pots: Sequence[Pot], needs: Sequence[Need], policy: Policy = Policy.PARTIAL) -> AllocationResult:
    """Allocate the pots to the needs (highest priority first) under ``policy``."""
    # A large run creates hundreds of thousands of small objects and no reference cycles; the cyclic
    # collector would only rescan them again and again, so it is paused for the run.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _allocate(pots, needs, policy)
    finally:
        if collecting:
            gc.enable()


def _allocate(pots: Sequence[Pot], needs: Sequence[Need], policy: Policy) -> AllocationResult:
    _check(pots, "contributions")
    _check(needs, "requirements")
    category_index: dict[str, int] = {}
    for need in needs:
        category_index.setdefault(need.category, len(category_index))
    categories = len(category_index)
    everything = list(range(categories))
    need_category = [category_index[need.category] for need in needs]
    need_amount = [need.amount for need in needs]

    group_index: dict[frozenset[str] | None, int] = {}
    members: list[list[int]] = []
    money: list[int] = []
    eligible: list[list[int]] = []
    for position, pot in enumerate(pots):
        key = pot.earmark
        group = group_index.get(key)
        if group is None:
            group = group_index[key] = len(members)
            members.append([])
            money.append(0)
            eligible.append(everything if key is None else sorted(category_index[c] for c in key
                                                                  if c in category_index))
        members[group].append(position)
        money[group] += pot.amount

    feeders: list[list[int]] = [[] for _ in range(categories)]
    for group in sorted(range(len(members)), key=lambda g: (len(eligible[g]), g)):
        for category in eligible[group]:
            feeders[category].append(group)
    both: dict[tuple[int, int], list[int]] = {}
    for group, cats in enumerate(eligible):
        for a in cats:
            for b in cats:
                if a != b:
                    both.setdefault((a, b), []).append(group)
    state = _Flow(money, eligible, feeders, both)

    funded = [0] * len(needs)
    ceiling: list[int | None] = [None] * categories  # per category: most it could still receive (only falls)
    supply, fund = state.supply, state.fund
    if policy is Policy.PARTIAL:
        for rank, category in enumerate(need_category):
            want = need_amount[rank]
            if not want or ceiling[category] == 0:
                continue
            got = state.direct(category, want) if supply[category] >= want else fund(category, want)
            if got < want:
                ceiling[category] = 0  # nothing more can reach this category
            funded[rank] = got
        return _result(pots, needs, need_category, funded, state, members)

    for rank, category in enumerate(need_category):
        want = need_amount[rank]
        if not want:
            continue
        limit = ceiling[category]
        if limit is not None and limit < want:
            if policy is Policy.STRICT:
                break
            continue
        state.log = []
        got = fund(category, want)
        log, state.log = state.log, None
        if got == want:
            funded[rank] = got
            continue
        state.undo(log)
        ceiling[category] = got
        if policy is Policy.STRICT:
            break
    return _result(pots, needs, need_category, funded, state, members)


def _result(pots: Sequence[Pot], needs: Sequence[Need], need_category: list[int], funded: list[int], state: _Flow,
            members: list[list[int]]) -> AllocationResult:
    """Turn category-level flows into lines contribution -> requirement.

    Each category's inflow, group by group, is split over its funded requirements in rank order; each
    group's outflow is split over its contributions in input order.
    """
    flow, feeders = state.flow, state.feeders
    by_category: list[list[int]] = [[] for _ in feeders]
    for rank, got in enumerate(funded):
        if got:
            by_category[need_category[rank]].append(rank)
    line_pot: list[int] = []
    line_rank: list[int] = []
    line_amount: list[int] = []
    remaining = [pot.amount for pot in pots]
    # Per group, a cursor over its contributions (in input order): position in members, money left there.
    cursor = [0] * len(members)
    left_here = [remaining[queue[0]] if queue else 0 for queue in members]
    for category, ranks in enumerate(by_category):
        if not ranks:
            continue
        sources = [g for g in feeders[category] if flow[g].get(category)]
        s = 0
        group = sources[0]
        left = flow[group][category]
        queue, q, have = members[group], cursor[group], left_here[group]
        for rank in ranks:
            want = funded[rank]
            while want:
                take = left if left < want else want
                want -= take
                left -= take
                while take:  # this group's piece, paid by its contributions in order
                    while not have:
                        remaining[queue[q]] = 0
                        q += 1
                        have = remaining[queue[q]]
                    part = have if have < take else take
                    line_pot.append(queue[q])
                    line_rank.append(rank)
                    line_amount.append(part)
                    have -= part
                    take -= part
                if not left and s + 1 < len(sources):
                    cursor[group], left_here[group] = q, have
                    remaining[queue[q]] = have
                    s += 1
                    group = sources[s]
                    left = flow[group][category]
                    queue, q, have = members[group], cursor[group], left_here[group]
        cursor[group], left_here[group] = q, have
        remaining[queue[q]] = have
    pot_ids = [pot.id for pot in pots]
    need_ids = [need.id for need in needs]
    lines = list(map(Line, map(pot_ids.__getitem__, line_pot), map(need_ids.__getitem__, line_rank), line_amount))
    missing = [need.amount - got for need, got in zip(needs, funded, strict=True)]
    fundings = list(map(Funding, need_ids, funded, missing, [m == 0 for m in missing]))
    first_short = next((i for i, m in enumerate(missing) if m), None)
    unallocated = [(pot_ids[i], left) for i, left in enumerate(remaining) if left]
    return AllocationResult(fundings, lines, unallocated, None if first_short is None else need_ids[first_short],
                            0 if first_short is None else missing[first_short])
