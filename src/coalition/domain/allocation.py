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

Lines come last, as merges of sorted cut points done with numpy (see _result); totals beyond 2**62 minor
units are refused, as the merges count in 64-bit integers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import compress, count, repeat
from operator import attrgetter, not_, sub
from typing import TYPE_CHECKING, NamedTuple

from coalition.domain.errors import InvalidInput

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


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


def _columns(items: Sequence[Pot | Need], name: str) -> tuple[list[str], list[int]]:
    """The ids and amounts of ``items``, checked: ids unique, amounts not negative.

    Columns are built with C-level maps; the slow search for the culprit runs only on failure.
    """
    ids = list(map(attrgetter("id"), items))
    amounts = list(map(attrgetter("amount"), items))
    if len(set(ids)) == len(ids) and min(amounts, default=0) >= 0:
        return ids, amounts
    seen: set[str] = set()
    for i, (key, amount) in enumerate(zip(ids, amounts, strict=True)):
        if key in seen:
            raise InvalidInput(f"'{key}' appears twice", field=f"{name}[{i}].id")
        seen.add(key)
        if amount < 0:
            raise InvalidInput("must not be negative", field=f"{name}[{i}].amount")
    raise AssertionError("unreachable")


_MOST = 2**62  # the engine computes in 64-bit integers; a total this large is far beyond any coalition


@dataclass(frozen=True)
class _Layout:
    """The pots laid out on one number line, group after group, each group's pots in input order.

    ``order`` lists pot positions in that layout; a pot occupies [pot_end - amount, pot_end) of the line and
    group g starts at ``group_start[g]``. A group's money is spent from the start of its stretch.
    """

    order: npt.NDArray[np.intp]
    amounts: npt.NDArray[np.int64]  # per layout slot
    pot_end: npt.NDArray[np.int64]  # per layout slot
    group_size: npt.NDArray[np.intp]
    group_start: npt.NDArray[np.int64]
    group_money: npt.NDArray[np.int64]

    @classmethod
    def of(cls, group_of: npt.NDArray[np.intp], amounts: npt.NDArray[np.int64], groups: int) -> _Layout:
        import numpy as np  # numpy is imported on first use: the command line starts faster without it

        order = np.argsort(group_of, kind="stable")
        laid = amounts[order]
        pot_end = np.cumsum(laid)
        size = np.bincount(group_of, minlength=groups)
        starts = np.cumsum(size) - size
        group_end = pot_end[starts + size - 1] if groups else np.zeros(0, dtype=np.int64)
        group_start = np.concatenate(([0], group_end[:-1])).astype(np.int64) if groups else group_end
        return cls(order, laid, pot_end, size, group_start, group_end - group_start)


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
    pot_ids, pot_amounts = _columns(pots, "contributions")
    need_ids, need_amount = _columns(needs, "requirements")
    need_categories = list(map(attrgetter("category"), needs))
    category_index = {category: i for i, category in enumerate(dict.fromkeys(need_categories))}
    categories = len(category_index)
    everything = list(range(categories))
    need_category = list(map(category_index.__getitem__, need_categories))

    if sum(pot_amounts) > _MOST:
        raise InvalidInput(f"together must not exceed {_MOST} minor units", field="contributions")
    # Pots with the same earmark form a group, numbered in order of first appearance. The stable sort lays the
    # pots out group after group, each group's in input order: the order in which a group's money is spent.
    import numpy as np  # see _Layout.of

    earmarks = list(map(attrgetter("earmark"), pots))
    group_index = {key: g for g, key in enumerate(dict.fromkeys(earmarks))}
    layout = _Layout.of(np.fromiter(map(group_index.__getitem__, earmarks), dtype=np.intp, count=len(pots)),
                        np.array(pot_amounts, dtype=np.int64), len(group_index))
    money = layout.group_money.tolist()
    eligible = [everything if key is None else sorted(category_index[c] for c in key if c in category_index)
                for key in group_index]

    feeders: list[list[int]] = [[] for _ in range(categories)]
    for group in sorted(range(len(group_index)), key=lambda g: (len(eligible[g]), g)):
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
        return _result(pot_ids, need_ids, need_amount, need_category, funded, state, layout)

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
    return _result(pot_ids, need_ids, need_amount, need_category, funded, state, layout)


def _result(pot_ids: list[str], need_ids: list[str], need_amount: list[int], need_category: list[int],
            funded: list[int], state: _Flow, layout: _Layout) -> AllocationResult:
    """Turn category-level flows into lines contribution -> requirement.

    Each category's inflow, group by group, is split over its funded requirements in rank order; each
    group's outflow is split over its contributions in input order. Both splits are merges of sorted cut
    points, done with numpy over three number lines:
    - the demand line: funded requirements, category after category, each category's in rank order;
    - the same line cut into pieces: each category's inflow, group by group in feeder order;
    - the layout line (see _Layout), where each piece sits in its group's contributions: a group's pieces
      follow one another in category order from the start of the group's contributions.
    """
    import numpy as np  # see _Layout.of

    amounts = np.array(funded, dtype=np.int64)
    ranks = np.flatnonzero(amounts)
    ranks = ranks[np.argsort(np.array(need_category, dtype=np.intp)[ranks], kind="stable")]
    demand_end = np.cumsum(amounts[ranks])
    piece_group: list[int] = []
    piece_amount: list[int] = []
    for category, groups in enumerate(state.feeders):
        for group in groups:
            inflow = state.flow[group].get(category)
            if inflow:
                piece_group.append(group)
                piece_amount.append(inflow)
    pieces = np.array(piece_amount, dtype=np.int64)
    piece_end = np.cumsum(pieces)
    piece_start = piece_end - pieces
    # Where each piece starts on the layout line: its group's start plus what the group's earlier pieces took.
    groups_of = np.array(piece_group, dtype=np.intp)
    by_group = np.argsort(groups_of, kind="stable")
    taken = np.cumsum(pieces[by_group]) - pieces[by_group]
    first = np.flatnonzero(np.diff(groups_of[by_group], prepend=-1))
    earlier = taken - np.repeat(taken[first], np.diff(first, append=len(by_group)))
    piece_at = np.empty_like(pieces)
    piece_at[by_group] = layout.group_start[groups_of[by_group]] + earlier

    # Segments: the demand line cut at every requirement's end and every piece's end.
    cuts = np.concatenate((demand_end, piece_end))
    cuts.sort(kind="stable")  # two sorted runs: the stable sort merges them
    cuts = cuts[np.diff(cuts, prepend=-1) != 0]
    seg_start = np.concatenate(([0], cuts)).astype(np.int64)[:-1]
    seg_rank = ranks[np.searchsorted(demand_end, seg_start, side="right")]
    seg_piece = np.searchsorted(piece_end, seg_start, side="right")
    seg_at = seg_start - piece_start[seg_piece] + piece_at[seg_piece]
    seg_end_at = seg_at + (cuts - seg_start)
    # Lines: each segment, placed on the layout line, cut at the ends of the contributions it spans.
    first_pot = np.searchsorted(layout.pot_end, seg_at, side="right")
    last_pot = np.searchsorted(layout.pot_end, seg_end_at - 1, side="right")
    spans = last_pot - first_pot + 1
    line_seg = np.repeat(np.arange(len(cuts)), spans)
    line_slot = np.arange(len(line_seg)) - np.repeat(np.cumsum(spans) - spans, spans) + first_pot[line_seg]
    line_amount = (np.minimum(seg_end_at[line_seg], layout.pot_end[line_slot])
                   - np.maximum(seg_at[line_seg], layout.pot_end[line_slot] - layout.amounts[line_slot]))
    keep = line_amount > 0  # a contribution of nothing inside a span makes an empty line
    line_pot = layout.order[line_slot[keep]]
    line_rank = seg_rank[line_seg[keep]]

    # A group's contributions are spent in layout order: what a contribution keeps is what lies past the group's
    # outflow.
    outflow = layout.group_money - np.array(state.money, dtype=np.int64)
    spent_to = np.repeat(layout.group_start + outflow, layout.group_size)
    left = np.minimum(np.maximum(layout.pot_end - spent_to, 0), layout.amounts)
    remaining = np.empty_like(left)
    remaining[layout.order] = left

    pot_names = np.array(pot_ids, dtype=object)
    line_fields = zip(pot_names[line_pot].tolist(), np.array(need_ids, dtype=object)[line_rank].tolist(),
                      line_amount[keep].tolist(), strict=True)
    # tuple.__new__ builds the named tuples in C; calling Line(...) per line would double the cost of a large run.
    lines = list(map(tuple.__new__, repeat(Line), line_fields))
    missing = list(map(sub, need_amount, funded))
    funding_fields = zip(need_ids, funded, missing, map(not_, missing), strict=True)
    fundings = list(map(tuple.__new__, repeat(Funding), funding_fields))
    first_short = next(compress(count(), missing), None)
    kept = np.flatnonzero(remaining)
    unallocated = list(zip(pot_names[kept].tolist(), remaining[kept].tolist(), strict=True))
    return AllocationResult(fundings, lines, unallocated, None if first_short is None else need_ids[first_short],
                            0 if first_short is None else missing[first_short])
