"""An independent reference for the allocation engine (coalition.domain.allocation), for tests and benchmarks.

Three solvers that share no code with the engine, and with each other only the input types:

- ``reference_partial``: one linear programme solved by HiGHS (``highspy``, a test and benchmark dependency
  only). Contributions with the same earmark are pooled into groups, so the LP stays small in the number of
  contributions and scales to 100,000 x 100,000:
      variables   y[g, c] >= 0 for every group g and every category c that g may fund (None: every category
                  present among the requirements), and 0 <= x_r <= amount_r for every requirement r;
      rows        sum_c y[g, c] <= money_g for every group g;
                  sum_{r in c} x_r - sum_g y[g, c] <= 0 for every category c;
      objective   maximise sum_r (R - rank_r) * x_r.
  The funded vectors form a polymatroid, so with strictly decreasing positive weights by rank the maximiser is
  unique and is the lexicographic optimum (the ``partial`` policy). The constraint matrix is totally unimodular
  (each y column has +1 in a group row and -1 in a category row: the incidence matrix of a directed graph; each x
  column has a single +1), and the bounds and right-hand sides are integers, so every vertex is integral and the
  solver (interior point, then crossover to a vertex) returns integers up to floating-point noise. We assert that
  noise is below 1e-6 and round.
- ``reference_all_or_nothing`` (``strict`` / ``skip``) and ``greedy_flow_partial``: an exact integer max-flow
  (source -> group -> category -> sink) in pure Python, for small instances (up to a few dozen requirements).
  ``greedy_flow_partial`` uses the polymatroid greedy rule: funded_k = f(first k) - f(first k-1), f = max flow.
- ``brute_force_funded``: for tiny instances only, enumerates every integer funded vector and checks feasibility
  with Gale's condition (for every set T of categories, what T's requirements receive <= the money of the
  contributions that may fund some category of T). It takes the lexicographic maximum for ``partial``. It relies
  on no polymatroid or LP argument, so it is the check of the other two.

Also: ``random_instance`` (seeded random instances in minor units) and ``ADVERSARIAL`` (hand-made instances that
defeat a greedy waterfall, each with its expected funded vectors worked out by hand).
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

try:
    from coalition.domain.allocation import Need, Policy, Pot

    ENGINE_TYPES = True
except ImportError:  # the engine has not landed yet: stand-ins with the same shape, so the HiGHS side can run
    ENGINE_TYPES = False

    class Policy(StrEnum):  # type: ignore[no-redef]
        PARTIAL = "partial"
        STRICT = "strict"
        SKIP = "skip"

    @dataclass(frozen=True, slots=True)
    class Pot:  # type: ignore[no-redef]
        id: str
        amount: int
        earmark: frozenset[str] | None = None

    @dataclass(frozen=True, slots=True)
    class Need:  # type: ignore[no-redef]
        id: str
        category: str
        amount: int


__all__ = [
    "ADVERSARIAL", "ENGINE_TYPES", "Case", "Need", "Policy", "Pot", "brute_force_funded", "category_names",
    "gale_feasible", "greedy_flow_partial", "max_fundable", "random_instance", "reference_all_or_nothing",
    "reference_partial",
]

INTEGRALITY_TOLERANCE = 1e-6

# --------------------------------------------------------------------------------------------------------------
# Pooling contributions by earmark


def _groups(pots: Iterable[Pot], categories: Sequence[str]) -> list[tuple[int, list[int]]]:
    """(money, indices of the categories it may fund) per distinct earmark, omitting groups that can fund nothing."""
    money: dict[frozenset[str] | None, int] = {}
    for pot in pots:
        money[pot.earmark] = money.get(pot.earmark, 0) + pot.amount
    index = {c: i for i, c in enumerate(categories)}
    everything = list(range(len(categories)))
    groups = []
    for earmark, total in money.items():
        if total <= 0:
            continue
        eligible = everything if earmark is None else sorted(index[c] for c in earmark if c in index)
        if eligible:
            groups.append((total, eligible))
    return groups


def _categories(needs: Sequence[Need]) -> list[str]:
    return list(dict.fromkeys(need.category for need in needs))


# --------------------------------------------------------------------------------------------------------------
# HiGHS: the single LP for `partial`


def reference_partial(pots: Sequence[Pot], needs: Sequence[Need], *, threads: int | None = None,
                      defaults: bool = False) -> list[int]:
    """Funded amount per requirement, in input order, under the `partial` policy, from one LP solved by HiGHS.

    ``defaults`` runs HiGHS as it comes (its own choice of solver, with presolve), as a user would;
    otherwise it is tuned for this LP (interior point and crossover, no presolve), which is much faster.
    """
    import highspy
    import numpy as np

    r = len(needs)
    if r == 0:
        return []
    categories = _categories(needs)
    cat_index = {c: i for i, c in enumerate(categories)}
    groups = _groups(pots, categories)
    g, c = len(groups), len(categories)

    y_group = np.fromiter((k for k, (_, eligible) in enumerate(groups) for _ in eligible), dtype=np.int32)
    y_cat = np.fromiter((j for _, eligible in groups for j in eligible), dtype=np.int32)
    y = len(y_group)
    x_cat = np.fromiter((cat_index[need.category] for need in needs), dtype=np.int32, count=r)
    upper = np.fromiter((need.amount for need in needs), dtype=np.float64, count=r)

    # Columns: x_0 .. x_{R-1}, then the y columns; rows: groups 0 .. G-1, then categories G .. G+C-1.
    start = np.concatenate([np.arange(r, dtype=np.int32), r + 2 * np.arange(y + 1, dtype=np.int32)])
    index = np.empty(r + 2 * y, dtype=np.int32)
    value = np.empty(r + 2 * y, dtype=np.float64)
    index[:r], value[:r] = g + x_cat, 1.0
    index[r::2], value[r::2] = y_group, 1.0
    index[r + 1 :: 2], value[r + 1 :: 2] = g + y_cat, -1.0

    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = r + y, g + c
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([np.arange(r, 0, -1, dtype=np.float64), np.zeros(y)])  # R - rank, rank from 0
    lp.col_lower_ = np.zeros(r + y)
    lp.col_upper_ = np.concatenate([upper, np.full(y, inf)])
    lp.row_lower_ = np.full(g + c, -inf)
    lp.row_upper_ = np.concatenate([np.array([money for money, _ in groups], dtype=np.float64), np.zeros(c)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = r + y, g + c
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # Interior point then crossover: ends on a vertex (a basic solution), which total unimodularity makes integral.
    # At 100,000 x 100,000 on 2 cores this takes about 0.7 s; dual simplex about 5 s; with HiGHS's presolve
    # (which gains nothing on this LP) either takes over 40 s, hence presolve off.
    if not defaults:
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "on")
        h.setOptionValue("presolve", "off")
    if threads is not None:
        h.setOptionValue("threads", threads)
    if h.passModel(lp) != highspy.HighsStatus.kOk:
        raise RuntimeError("HiGHS refused the model")
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS: {h.modelStatusToString(status)}")
    x = np.asarray(h.getSolution().col_value[:r])
    funded = np.rint(x)
    worst = float(np.max(np.abs(x - funded)))
    assert worst <= INTEGRALITY_TOLERANCE, f"LP solution not integral (off by {worst}); the TU argument failed?"
    return [int(v) for v in np.clip(funded, 0, upper)]


# --------------------------------------------------------------------------------------------------------------
# Exact integer max-flow for small instances


def _max_flow(supply: list[tuple[int, list[int]]], demand: list[int]) -> int:
    """Max flow source -> group (cap money) -> category (uncapped) -> sink (cap demand); Edmonds-Karp, integers."""
    g = len(supply)
    n = g + len(demand) + 2
    source, sink = n - 2, n - 1
    cap: list[dict[int, int]] = [{} for _ in range(n)]

    def arc(u: int, v: int, w: int) -> None:
        cap[u][v] = cap[u].get(v, 0) + w
        cap[v].setdefault(u, 0)

    big = sum(money for money, _ in supply) + 1
    for k, (money, eligible) in enumerate(supply):
        arc(source, k, money)
        for j in eligible:
            arc(k, g + j, big)
    for j, d in enumerate(demand):
        arc(g + j, sink, d)
    total = 0
    while True:
        parent = {source: source}
        queue = deque([source])
        while queue and sink not in parent:
            u = queue.popleft()
            for v, w in cap[u].items():
                if w > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            return total
        path, v = [], sink
        while v != source:
            path.append((parent[v], v))
            v = parent[v]
        push = min(cap[u][v] for u, v in path)
        for u, v in path:
            cap[u][v] -= push
            cap[v][u] += push
        total += push


def max_fundable(pots: Sequence[Pot], needs: Sequence[Need], amounts: Sequence[int] | None = None) -> int:
    """The most money that can reach `needs` together, each capped at its amount (or at `amounts`)."""
    categories = _categories(needs)
    demand = dict.fromkeys(categories, 0)
    for need, amount in zip(needs, amounts if amounts is not None else [n.amount for n in needs], strict=True):
        demand[need.category] += amount
    return _max_flow(_groups(pots, categories), [demand[c] for c in categories])


def _can_fund_fully(pots: Sequence[Pot], chosen: Sequence[Need]) -> bool:
    return max_fundable(pots, chosen) == sum(need.amount for need in chosen)


def greedy_flow_partial(pots: Sequence[Pot], needs: Sequence[Need]) -> list[int]:
    """`partial` by the polymatroid greedy rule: funded_k = f(needs[:k+1]) - f(needs[:k]), f = max flow. Small only."""
    funded, before = [], 0
    for k in range(len(needs)):
        now = max_fundable(pots, needs[: k + 1])
        funded.append(now - before)
        before = now
    return funded


def reference_all_or_nothing(pots: Sequence[Pot], needs: Sequence[Need], policy: Policy | str) -> list[int]:
    """Funded per requirement under `strict` or `skip`, by one exact max-flow per requirement. Small only."""
    policy = Policy(policy)
    if policy not in (Policy.STRICT, Policy.SKIP):
        raise ValueError(f"all-or-nothing policies are strict and skip, not {policy}")
    chosen: list[Need] = []
    funded = [0] * len(needs)
    for k, need in enumerate(needs):
        if _can_fund_fully(pots, [*chosen, need]):
            chosen.append(need)
            funded[k] = need.amount
        elif policy is Policy.STRICT:
            break
    return funded


# --------------------------------------------------------------------------------------------------------------
# Brute force for tiny instances, by Gale's feasibility condition


def gale_feasible(pots: Sequence[Pot], needs: Sequence[Need], funded: Sequence[int]) -> bool:
    """Whether `funded` can be paid: for every set T of categories, T's funding <= money eligible for some of T."""
    received: dict[str, int] = {}
    for need, amount in zip(needs, funded, strict=True):
        received[need.category] = received.get(need.category, 0) + amount
    categories = [c for c, amount in received.items() if amount > 0]
    for size in range(1, len(categories) + 1):
        for subset in itertools.combinations(categories, size):
            chosen = set(subset)
            money = sum(p.amount for p in pots if p.earmark is None or not chosen.isdisjoint(p.earmark))
            if sum(received[c] for c in subset) > money:
                return False
    return True


def brute_force_funded(pots: Sequence[Pot], needs: Sequence[Need], policy: Policy | str) -> list[int]:
    """Funded per requirement by exhaustive search; tiny instances only (product of (amount + 1) small)."""
    policy = Policy(policy)
    if policy is Policy.PARTIAL:
        # Candidates in decreasing lexicographic order: the first feasible one is the lexicographic maximum.
        for funded in itertools.product(*(range(need.amount, -1, -1) for need in needs)):
            if gale_feasible(pots, needs, funded):
                return list(funded)
        raise AssertionError("the zero vector is always feasible")
    funded_list = [0] * len(needs)
    for k, need in enumerate(needs):
        trial = [*funded_list[:k], need.amount, *funded_list[k + 1 :]]
        if gale_feasible(pots, needs, trial):
            funded_list = trial
        elif policy is Policy.STRICT:
            break
    return funded_list


# --------------------------------------------------------------------------------------------------------------
# Instances


def category_names(n: int) -> list[str]:
    return [f"cat{i:02d}" for i in range(n)]


def random_instance(
    rng: random.Random,
    p: int,
    r: int,
    categories: int | Sequence[str],
    max_earmark: int = 3,
    demand_ratio: float = 1.5,
    none_share: float = 0.1,
    *,
    max_amount: int = 1_000_000,
    skew: float = 0.5,
) -> tuple[list[Pot], list[Need]]:
    """p contributions and r requirements with integer minor-unit amounts.

    Contributions: amount uniform in 1..max_amount; earmark None with probability none_share, otherwise 1 to
    max_earmark distinct categories. Requirements: category drawn with weight 1/(i+1)**skew (some categories
    contested, some not), amounts uniform with a mean that makes total demand about demand_ratio x total supply.
    """
    cats = category_names(categories) if isinstance(categories, int) else list(categories)
    widest = max(1, min(max_earmark, len(cats)))
    pots = []
    for i in range(p):
        earmark = None if rng.random() < none_share else frozenset(rng.sample(cats, rng.randint(1, widest)))
        pots.append(Pot(id=f"C{i}", amount=rng.randint(1, max_amount), earmark=earmark))
    supply = sum(pot.amount for pot in pots) or max_amount
    mean = demand_ratio * supply / max(r, 1)
    top = max(1, round(2 * mean) - 1)
    drawn = rng.choices(cats, weights=[1 / (i + 1) ** skew for i in range(len(cats))], k=r)
    needs = [Need(id=f"R{i}", category=c, amount=rng.randint(1, top)) for i, c in enumerate(drawn)]
    return pots, needs


@dataclass(frozen=True)
class Case:
    """A hand-made instance with its expected funded vectors (None: not worked out for that policy)."""

    name: str
    pots: list[Pot]
    needs: list[Need]
    partial: list[int]
    strict: list[int] | None = None
    skip: list[int] | None = None

    def expected(self, policy: Policy | str) -> list[int] | None:
        return {Policy.PARTIAL: self.partial, Policy.STRICT: self.strict, Policy.SKIP: self.skip}[Policy(policy)]

    def __str__(self) -> str:
        return self.name


def _pot(pid: str, amount: int, *earmark: str) -> Pot:
    return Pot(id=pid, amount=amount, earmark=frozenset(earmark) if earmark else None)


def _need(nid: str, category: str, amount: int) -> Need:
    return Need(id=nid, category=category, amount=amount)


ADVERSARIAL: list[Case] = [
    # A may fund cyber or comms, B only cyber. A waterfall gives A (listed first) to rank 1 and leaves comms dry.
    # Optimum: B -> rank 1 (cyber 100), A -> rank 2 (comms 100). Both full under every policy.
    Case("broad earmark gives way to a narrow one",
         [_pot("A", 100, "cyber", "comms"), _pot("B", 100, "cyber")],
         [_need("r1", "cyber", 100), _need("r2", "comms", 100)],
         partial=[100, 100], strict=[100, 100], skip=[100, 100]),
    # Chain a-b-c-d. A waterfall: r1(b) <- P1, r2(c) <- P2, r3(d) <- P3, then r4(a) finds nothing (only P1 funds a).
    # Re-routing through 3 hops: P1 -> r4(a); P2 takes over r1(b); P3 takes over r2(c); P4 takes over r3(d).
    # Everything funded: [100, 100, 100, 100].
    Case("three-hop re-routing chain",
         [_pot("P1", 100, "a", "b"), _pot("P2", 100, "b", "c"), _pot("P3", 100, "c", "d"), _pot("P4", 100, "d")],
         [_need("r1", "b", 100), _need("r2", "c", 100), _need("r3", "d", 100), _need("r4", "a", 100)],
         partial=[100, 100, 100, 100], strict=[100, 100, 100, 100], skip=[100, 100, 100, 100]),
    # Same chain with P4 = 60: the path carries only 60, so r1..r3 stay full and r4 (a) gets 60 from P1 while
    # P1's other 40 stays with r1 (b): r1 = 40 (P1) + 60 (P2), r2 = 40 (P2) + 60 (P3), r3 = 40 (P3) + 60 (P4).
    # strict/skip: r4 cannot be fully funded -> 0.
    Case("three-hop chain that can carry only part",
         [_pot("P1", 100, "a", "b"), _pot("P2", 100, "b", "c"), _pot("P3", 100, "c", "d"), _pot("P4", 60, "d")],
         [_need("r1", "b", 100), _need("r2", "c", 100), _need("r3", "d", 100), _need("r4", "a", 100)],
         partial=[100, 100, 100, 60], strict=[100, 100, 100, 0], skip=[100, 100, 100, 0]),
    # U may fund anything and is listed first; a waterfall spends it on rank 1 (cyber), leaving medical with nothing.
    # Optimum: N (cyber only) -> rank 1; U is saved for the later, narrow medical requirement.
    Case("contribution for everything saved for a later narrow requirement",
         [_pot("U", 100), _pot("N", 100, "cyber")],
         [_need("r1", "cyber", 100), _need("r2", "medical", 100)],
         partial=[100, 100], strict=[100, 100], skip=[100, 100]),
    # Rank 1 needs 150 of x: from A (x or y) and B (x only). A waterfall takes A's 100 then B's 50 and leaves y dry.
    # Optimum: B 100 + A 50 -> rank 1 (150), A's last 50 -> rank 2 (y): [150, 50]. strict/skip: r2 not full -> 0.
    Case("a split requirement takes the narrow money first",
         [_pot("A", 100, "x", "y"), _pot("B", 100, "x")],
         [_need("r1", "x", 150), _need("r2", "y", 100)],
         partial=[150, 50], strict=[150, 0], skip=[150, 0]),
    # Ties: two identical requirements in the same category compete for 100; rank decides: 80, then the rest 20.
    Case("tie between identical requirements goes to the higher rank",
         [_pot("A", 100, "x")],
         [_need("r1", "x", 80), _need("r2", "x", 80)],
         partial=[80, 20], strict=[80, 0], skip=[80, 0]),
    # Ties: one contribution could fund x or y equally; ranks 1-2 take all 100, ranks 3-4 get nothing.
    Case("equal alternatives are decided by rank",
         [_pot("A", 100, "x", "y")],
         [_need("r1", "x", 50), _need("r2", "y", 50), _need("r3", "x", 50), _need("r4", "y", 50)],
         partial=[50, 50, 0, 0], strict=[50, 50, 0, 0], skip=[50, 50, 0, 0]),
    # Ties: two identical contributions pooled for one requirement of exactly their total; r2 (1 cent) gets 0.
    Case("identical contributions pooled",
         [_pot("A", 50, "x"), _pot("B", 50, "x")],
         [_need("r1", "x", 100), _need("r2", "x", 1)],
         partial=[100, 0], strict=[100, 0], skip=[100, 0]),
    # Zero amounts: zero contributions give nothing; zero requirements are trivially fully funded with 0.
    # r2 takes B's 100, r4 (5) finds nothing left: [0, 100, 0, 0]; strict stops at r4 (the last anyway).
    Case("zero amounts",
         [_pot("A", 0, "x"), _pot("B", 100, "x"), _pot("C", 0)],
         [_need("r1", "x", 0), _need("r2", "x", 100), _need("r3", "y", 0), _need("r4", "x", 5)],
         partial=[0, 100, 0, 0], strict=[0, 100, 0, 0], skip=[0, 100, 0, 0]),
    # Nobody funds y: rank 1 gets 0; x gets 30 of A's 100 (70 unallocated). strict stops at rank 1, skip goes on.
    Case("a category nobody funds",
         [_pot("A", 100, "x")],
         [_need("r1", "y", 50), _need("r2", "x", 30)],
         partial=[0, 30], strict=[0, 0], skip=[0, 30]),
    # skip differs from partial: U (anything) cannot fully fund r1 (150), so skip passes it and funds r2 and r3.
    Case("skip passes a requirement that is too big",
         [_pot("U", 100)],
         [_need("r1", "x", 150), _need("r2", "y", 60), _need("r3", "x", 40)],
         partial=[100, 0, 0], strict=[0, 0, 0], skip=[0, 60, 40]),
    # skip re-routes after a skipped requirement: a waterfall gives A (listed first) to r1 (y), skips r2 (z: nobody
    # funds it) and then has nothing for r3 (x: only A). Optimum: B -> r1, A -> r3. strict stops at r2.
    Case("skip continues past an unfundable category and re-routes",
         [_pot("A", 100, "x", "y"), _pot("B", 100, "y")],
         [_need("r1", "y", 100), _need("r2", "z", 10), _need("r3", "x", 100)],
         partial=[100, 0, 100], strict=[100, 0, 0], skip=[100, 0, 100]),
    # An earmark naming a category no requirement has: only x matters, 40 of A's 100 is used.
    Case("earmark with a category nobody asks for",
         [_pot("A", 100, "x", "unused")],
         [_need("r1", "x", 40)],
         partial=[40], strict=[40], skip=[40]),
    # No contributions: nothing is funded; the zero requirement is fully funded with 0.
    Case("no contributions",
         [],
         [_need("r1", "x", 10), _need("r2", "y", 0)],
         partial=[0, 0], strict=[0, 0], skip=[0, 0]),
    # No requirements: all money stays unallocated.
    Case("no requirements",
         [_pot("A", 100, "x"), _pot("B", 50)],
         [],
         partial=[], strict=[], skip=[]),
]

