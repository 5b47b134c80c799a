"""Delivery progress month by month: each figure to date, ending where the procurement page's tables and the
overview's delivered money stand today, and, as of a past day, where they stood then. On both engines."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from coalition.bootstrap import Platform
from coalition.services.views.delivery import procurement_page
from coalition.services.views.funding import coalition_money
from tests.demo_copies import give_demo_world

IT = "it-coalition"


def test_the_last_month_is_where_the_tables_stand_and_no_count_falls(platform: Platform) -> None:
    give_demo_world(platform)
    page = procurement_page(platform.uow(read_only=True), platform.operator(), IT)
    months = page.over_time
    today = platform.clock().date()
    assert months[-1].month == f"{today.year:04d}-{today.month:02d}"
    assert [m.month for m in months] == sorted({m.month for m in months}), "every month once, in order"
    last = months[-1]
    assert (last.shipped, last.accepted, last.refused) == (
        sum(d.shipped for d in page.deliveries), sum(d.accepted for d in page.deliveries),
        sum(d.refused for d in page.deliveries))
    assert last.delivered == coalition_money(platform.uow(read_only=True), platform.operator(), IT).delivered
    for earlier, later in pairwise(months):
        for name in ("shipped", "arrived", "accepted", "refused"):
            assert getattr(later, name) >= getattr(earlier, name), (name, later.month)
        assert later.delivered.amount >= earlier.delivered.amount
    assert last.arrived >= last.accepted + last.refused and last.shipped >= last.arrived


def test_as_of_a_past_day_the_months_end_there_and_agree_with_that_days_page(platform: Platform) -> None:
    give_demo_world(platform)
    today_months = procurement_page(platform.uow(read_only=True), platform.operator(), IT).over_time
    on = date(2025, 1, 31)
    then = procurement_page(platform.uow(read_only=True), platform.operator(), IT, on)
    assert then.over_time[-1].month == "2025-01"
    assert then.over_time == [m for m in today_months if m.month <= "2025-01"], "the past does not change"
    assert then.over_time[-1].accepted == sum(d.accepted for d in then.deliveries)
    assert then.over_time[-1].delivered == coalition_money(platform.uow(read_only=True), platform.operator(), IT,
                                                           on).delivered
