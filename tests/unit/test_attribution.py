"""Donor attribution: largest-remainder shares sum exactly to the amount, on worked examples and under hypothesis."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coalition.domain.attribution import Pot, draw, largest_remainder
from coalition.domain.errors import InvariantViolated


def test_a_worked_example_by_hand():
    # EUR 100.00 paid from three donors holding 1, 1 and 1: exact thirds are 3333.33... minor units;
    # whole parts 3333 each leave 1 unit, which goes to the first of the equal remainders.
    assert largest_remainder(10_000, [1, 1, 1]) == [3334, 3333, 3333]
    # 1000 over 5:3:2 divides exactly.
    assert largest_remainder(1000, [5, 3, 2]) == [500, 300, 200]
    # 10 over 6:3:1 -> 6, 3, 1; 7 over 6:3:1 -> exact 4.2, 2.1, 0.7: whole 4, 2, 0, remainder 1 to the 0.7.
    assert largest_remainder(7, [6, 3, 1]) == [4, 2, 1]


def test_a_zero_weight_gets_nothing_and_nothing_is_split_over_nothing():
    assert largest_remainder(5, [0, 3, 0]) == [0, 5, 0]
    assert largest_remainder(0, [0, 0]) == [0, 0]
    with pytest.raises(InvariantViolated, match="cannot split 5 over nothing"):
        largest_remainder(5, [0, 0])


@given(st.integers(min_value=0, max_value=10**15),
       st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=30).filter(lambda w: sum(w) > 0))
def test_shares_sum_exactly_and_stay_within_one_unit_of_the_exact_share(total, weights):
    shares = largest_remainder(total, weights)
    assert sum(shares) == total
    whole = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        exact = Fraction(total * weight, whole)
        assert share >= 0
        assert abs(share - exact) < 1
        if weight == 0:
            assert share == 0


def test_drawing_from_pots_in_two_currencies():
    # Denmark's pot holds DKK 745,800.00 worth EUR 100,000.00; Estonia's EUR 300,000.00. Drawing
    # EUR 200,000.00 takes a quarter and three quarters; Denmark's quarter goes back into kroner at its own ratio.
    shares = draw([Pot("DK", 74_580_000, 10_000_000), Pot("EE", 30_000_000, 30_000_000)], 20_000_000, what="payment")
    assert [(s.key, s.units, s.reporting) for s in shares] == [("DK", 37_290_000, 5_000_000),
                                                              ("EE", 15_000_000, 15_000_000)]


def test_a_pot_drawn_in_full_gives_exactly_what_it_holds():
    shares = draw([Pot("a", 33_333, 10_001), Pot("b", 7, 7)], 10_008, what="payment")
    assert [(s.units, s.reporting) for s in shares] == [(33_333, 10_001), (7, 7)]


def test_drawing_more_than_the_pots_hold_is_refused():
    with pytest.raises(InvariantViolated, match="payment needs 101 minor units but only 100 are held"):
        draw([Pot("a", 100, 100)], 101, what="payment")


@given(st.lists(st.tuples(st.integers(min_value=1, max_value=10**9), st.integers(min_value=1, max_value=10**9)),
                min_size=1, max_size=12), st.data())
def test_drawn_shares_sum_to_the_amount_and_never_exceed_a_pot(pots, data):
    held = [Pot(i, units, reporting) for i, (units, reporting) in enumerate(pots)]
    amount = data.draw(st.integers(min_value=1, max_value=sum(p.reporting for p in held)))
    shares = draw(held, amount, what="payment")
    assert sum(s.reporting for s in shares) == amount
    by_key = {p.key: p for p in held}
    for share in shares:
        assert 0 < share.reporting <= by_key[share.key].reporting
        assert 0 < share.units <= by_key[share.key].units


def test_repeated_draws_from_a_pot_never_run_out_of_units_before_the_money():
    # A pot of 3 units worth 4 reporting units, drawn 2, then 1, then 1: each draw keeps the rest at the
    # pot's ratio, so the last draw still has a unit to move.
    pot, moved = Pot("GB", 3, 4), []
    for part in (2, 1, 1):
        (share,) = draw([pot], part, what="payment")
        moved.append(share.units)
        pot = Pot("GB", pot.units - share.units, pot.reporting - share.reporting)
    assert moved == [1, 1, 1] and (pot.units, pot.reporting) == (0, 0)
