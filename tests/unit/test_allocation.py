"""The allocation engine: donor money to a recipient's requirements in priority order, under earmarks.

Checked against an independent reference (tests/allocation_reference.py): a HiGHS linear programme for
`partial`, exact max-flows for `strict` and `skip`, and brute force on tiny instances to check the reference.
"""

from __future__ import annotations

import importlib.util
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coalition.domain.allocation import AllocationResult, Need, Policy, Pot, allocate
from coalition.domain.errors import InvalidInput
from tests.allocation_reference import (
    ADVERSARIAL,
    Case,
    brute_force_funded,
    greedy_flow_partial,
    random_instance,
    reference_all_or_nothing,
    reference_partial,
)

HAVE_HIGHS = importlib.util.find_spec("highspy") is not None
needs_highs = pytest.mark.skipif(not HAVE_HIGHS, reason="highspy not installed (.venv/bin/pip install 'highspy>=1.7')")
POLICIES = list(Policy)
CATEGORIES = ["cyber", "comms", "medical", "drones"]


def funded(result: AllocationResult) -> list[int]:
    return [f.funded for f in result.requirements]


def money_moved(result: AllocationResult) -> dict[tuple[str, str], int]:
    moved: dict[tuple[str, str], int] = defaultdict(int)
    for line in result.lines:
        moved[(line.contribution, line.requirement)] += line.amount
    return dict(moved)


def assert_books_straight(pots: Sequence[Pot], needs: Sequence[Need], policy: Policy, result: AllocationResult) -> None:
    """What every allocation must satisfy, whatever the policy."""
    pot_by_id = {p.id: p for p in pots}
    need_by_id = {n.id: n for n in needs}

    # One funding per requirement, in the order given, and its figures add up.
    assert [f.requirement for f in result.requirements] == [n.id for n in needs]
    for f, need in zip(result.requirements, needs, strict=True):
        assert 0 <= f.funded <= need.amount, f
        assert f.funded + f.missing == need.amount, f
        assert f.fully_funded == (f.missing == 0), f

    # Every line moves real money from a contribution to a requirement that its earmark allows.
    given_by: dict[str, int] = defaultdict(int)
    received_by: dict[str, int] = defaultdict(int)
    for line in result.lines:
        pot, need = pot_by_id[line.contribution], need_by_id[line.requirement]
        assert line.amount > 0, line
        assert pot.earmark is None or need.category in pot.earmark, f"{line}: earmark {pot.earmark} vs {need.category}"
        given_by[pot.id] += line.amount
        received_by[need.id] += line.amount

    # No contribution gives more than it has; each requirement receives exactly what it is reported funded.
    for pot in pots:
        assert given_by[pot.id] <= pot.amount, (pot, given_by[pot.id])
    for f in result.requirements:
        assert received_by[f.requirement] == f.funded, (f, received_by[f.requirement])

    # What is left of each contribution is reported, once, and only when something is left.
    left_ids = [pid for pid, _ in result.unallocated]
    assert len(left_ids) == len(set(left_ids))
    assert dict(result.unallocated) == {p.id: p.amount - given_by[p.id] for p in pots if p.amount > given_by[p.id]}

    if policy is Policy.STRICT:
        # Fully funded requirements in rank order up to the first that is not; after it, nothing at all.
        first_short = next((k for k, f in enumerate(result.requirements) if not f.fully_funded), len(needs))
        assert all(f.fully_funded for f in result.requirements[:first_short])
        assert all(f.funded == 0 for f in result.requirements[first_short:])
    if policy is Policy.SKIP:
        # Each requirement is either paid in full or not at all.
        assert all(f.fully_funded or f.funded == 0 for f in result.requirements)


# ---------------------------------------------------------------------------------------------------------------
# The business cases


def test_a_broad_earmark_gives_way_to_a_narrow_one() -> None:
    """A may fund cyber or comms, B only cyber: B pays for the cyber requirement so that A can pay for comms."""
    pots = [Pot("A", 100, frozenset({"cyber", "comms"})), Pot("B", 100, frozenset({"cyber"}))]
    needs = [Need("r1", "cyber", 100), Need("r2", "comms", 100)]
    result = allocate(pots, needs, Policy.PARTIAL)
    assert funded(result) == [100, 100]
    assert all(f.fully_funded for f in result.requirements)
    assert money_moved(result) == {("B", "r1"): 100, ("A", "r2"): 100}
    assert result.unallocated == []
    assert_books_straight(pots, needs, Policy.PARTIAL, result)


@pytest.mark.parametrize("policy", POLICIES, ids=str)
@pytest.mark.parametrize("case", ADVERSARIAL, ids=str)
def test_hand_made_cases_are_funded_as_worked_out(case: Case, policy: Policy) -> None:
    expected = case.expected(policy)
    if expected is None:
        pytest.skip(f"no hand-made expectation for {policy}")
    result = allocate(case.pots, case.needs, policy)
    assert funded(result) == expected
    assert_books_straight(case.pots, case.needs, policy, result)


def test_money_nobody_may_use_stays_unallocated() -> None:
    pots = [Pot("A", 100, frozenset({"x"})), Pot("B", 0, None), Pot("C", 25, frozenset({"y"}))]
    needs = [Need("r1", "x", 30)]
    result = allocate(pots, needs, Policy.PARTIAL)
    assert funded(result) == [30]
    assert dict(result.unallocated) == {"A": 70, "C": 25}


# ---------------------------------------------------------------------------------------------------------------
# The reference itself: hand-made expectations and the LP / max-flow against brute force


def _scaled_down(case: Case) -> tuple[Case, int]:
    """The case with every amount divided by their greatest common divisor (the optimum scales with it)."""
    unit = math.gcd(*(p.amount for p in case.pots), *(n.amount for n in case.needs)) or 1
    pots = [replace(p, amount=p.amount // unit) for p in case.pots]
    needs = [replace(n, amount=n.amount // unit) for n in case.needs]
    return Case(case.name, pots, needs, [v // unit for v in case.partial]), unit


@pytest.mark.parametrize("case", ADVERSARIAL, ids=str)
def test_hand_made_expectations_agree_with_every_reference(case: Case) -> None:
    small, unit = _scaled_down(case)
    assert [unit * v for v in brute_force_funded(small.pots, small.needs, Policy.PARTIAL)] == case.partial
    assert greedy_flow_partial(case.pots, case.needs) == case.partial
    if HAVE_HIGHS:
        assert reference_partial(case.pots, case.needs) == case.partial
    for policy in (Policy.STRICT, Policy.SKIP):
        assert reference_all_or_nothing(case.pots, case.needs, policy) == case.expected(policy)
        assert brute_force_funded(case.pots, case.needs, policy) == case.expected(policy)


@st.composite
def instances(
    draw: st.DrawFn, max_pots: int = 12, max_needs: int = 12, max_amount: int = 1000, max_categories: int = 4
) -> tuple[list[Pot], list[Need]]:
    cats = CATEGORIES[: draw(st.integers(1, max_categories))]
    some = st.frozensets(st.sampled_from(cats), min_size=1)
    earmarks = st.one_of(st.none(), some, some, some)  # about one contribution in four may fund anything
    pots = draw(st.lists(st.tuples(st.integers(0, max_amount), earmarks), max_size=max_pots))
    needs = draw(st.lists(st.tuples(st.sampled_from(cats), st.integers(0, max_amount)), max_size=max_needs))
    return (
        [Pot(f"C{i}", amount, earmark) for i, (amount, earmark) in enumerate(pots)],
        [Need(f"R{i}", category, amount) for i, (category, amount) in enumerate(needs)],
    )


tiny_instances = instances(max_pots=4, max_needs=4, max_amount=6, max_categories=3)


@needs_highs
@settings(max_examples=150, deadline=None)
@given(tiny_instances)
def test_reference_lp_is_the_lexicographic_optimum_by_brute_force(instance: tuple[list[Pot], list[Need]]) -> None:
    pots, needs = instance
    assert reference_partial(pots, needs) == brute_force_funded(pots, needs, Policy.PARTIAL)


@settings(max_examples=150, deadline=None)
@given(tiny_instances)
def test_reference_max_flow_agrees_with_brute_force(instance: tuple[list[Pot], list[Need]]) -> None:
    pots, needs = instance
    assert greedy_flow_partial(pots, needs) == brute_force_funded(pots, needs, Policy.PARTIAL)
    for policy in (Policy.STRICT, Policy.SKIP):
        assert reference_all_or_nothing(pots, needs, policy) == brute_force_funded(pots, needs, policy)


# ---------------------------------------------------------------------------------------------------------------
# The engine against the reference on random instances


@settings(max_examples=150, deadline=None)
@given(instances())
def test_partial_funds_each_rank_as_much_as_the_higher_ranks_allow(instance: tuple[list[Pot], list[Need]]) -> None:
    pots, needs = instance
    expected = reference_partial(pots, needs) if HAVE_HIGHS else greedy_flow_partial(pots, needs)
    result = allocate(pots, needs, Policy.PARTIAL)
    assert funded(result) == expected
    assert_books_straight(pots, needs, Policy.PARTIAL, result)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_strict_funds_in_full_in_rank_order_until_the_first_that_cannot_be(
    instance: tuple[list[Pot], list[Need]],
) -> None:
    pots, needs = instance
    result = allocate(pots, needs, Policy.STRICT)
    assert funded(result) == reference_all_or_nothing(pots, needs, Policy.STRICT)
    assert_books_straight(pots, needs, Policy.STRICT, result)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_skip_funds_in_full_every_requirement_that_still_fits(instance: tuple[list[Pot], list[Need]]) -> None:
    pots, needs = instance
    result = allocate(pots, needs, Policy.SKIP)
    assert funded(result) == reference_all_or_nothing(pots, needs, Policy.SKIP)
    assert_books_straight(pots, needs, Policy.SKIP, result)


@needs_highs
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_partial_matches_highs_on_300_contributions_and_300_requirements(seed: int) -> None:
    pots, needs = random_instance(random.Random(seed), 300, 300, 6, max_amount=100_000)  # noqa: S311
    result = allocate(pots, needs, Policy.PARTIAL)
    assert funded(result) == reference_partial(pots, needs)
    assert_books_straight(pots, needs, Policy.PARTIAL, result)


# ---------------------------------------------------------------------------------------------------------------
# Input the engine refuses, naming the field


@pytest.mark.parametrize(("pots", "needs", "field", "rule"), [
    ([Pot("c1", 10), Pot("c1", 5)], [Need("r1", "cyber", 5)], "contributions[1].id", "appears twice"),
    ([Pot("c1", 10)], [Need("r1", "cyber", 5), Need("r1", "comms", 5)], "requirements[1].id", "appears twice"),
    ([Pot("c1", 10), Pot("c2", -1)], [Need("r1", "cyber", 5)], "contributions[1].amount", "must not be negative"),
    ([Pot("c1", 10)], [Need("r1", "cyber", -5)], "requirements[0].amount", "must not be negative"),
    ([Pot("c1", 2**61), Pot("c2", 2**61), Pot("c3", 1)], [Need("r1", "cyber", 5)], "contributions", "must not exceed"),
])
def test_bad_input_is_refused_naming_the_field(pots: list[Pot], needs: list[Need], field: str, rule: str) -> None:
    for policy in POLICIES:
        with pytest.raises(InvalidInput, match=rule) as refused:
            allocate(pots, needs, policy)
        assert refused.value.field == field


def test_the_largest_total_the_engine_takes_is_split_exactly() -> None:
    pots = [Pot("c1", 2**61), Pot("c2", 2**61 - 7, frozenset({"comms"})), Pot("c3", 0), Pot("c4", 7)]
    needs = [Need("r1", "cyber", 2**61 + 3), Need("r2", "comms", 2**62)]
    result = allocate(pots, needs, Policy.PARTIAL)
    assert funded(result) == [2**61 + 3, 2**61 - 3]
    assert_books_straight(pots, needs, Policy.PARTIAL, result)
