"""Money that reached each stage of the flow: cumulative, so each stage is at most the one before."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from coalition.domain.ledger import FLOW, Measure, reached


def test_a_stage_reached_counts_what_sits_there_and_everything_past_it() -> None:
    now = {Measure.RECEIVED: (10_000, 10_000), Measure.AVAILABLE: (1_000, 1_000),
           Measure.RESERVED: (1_080, 1_080), Measure.CONTRACTED: (4_676, 4_676), Measure.DISBURSED: (3_244, 3_244),
           Measure.PLEDGED: (99_000, 99_000)}
    found = reached(now)
    assert list(found) == list(FLOW)
    assert found[Measure.DISBURSED] == (3_244, 3_244)
    assert found[Measure.CONTRACTED] == (4_676 + 3_244,) * 2
    assert found[Measure.RESERVED] == (1_080 + 4_676 + 3_244,) * 2
    assert found[Measure.RECEIVED] == (1_000 + 1_080 + 4_676 + 3_244,) * 2


def test_nothing_recorded_reaches_nothing() -> None:
    assert reached({}) == {stage: (0, 0) for stage in FLOW}


@given(st.lists(st.integers(min_value=-5, max_value=10**9), min_size=4, max_size=4))
def test_each_stage_is_at_most_the_one_before(held: list[int]) -> None:
    now = {measure: (units, units) for measure, units in zip(
        (Measure.AVAILABLE, Measure.RESERVED, Measure.CONTRACTED, Measure.DISBURSED), held, strict=True)}
    found = [reached(now)[stage][0] for stage in FLOW]
    assert all(later <= earlier for earlier, later in itertools.pairwise(found))
    assert all(value >= 0 for value in found)
