"""Money over time: per month and per year, what was pledged, committed, received and disbursed, and each to date;
the last figures to date are the funding report's totals, every period is shown, a year is its months, and a
receipt recorded now shows in its value date's month; the same on both engines, through the API and its download."""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from decimal import Decimal

from tests.api.conftest import IT, Served

V = "/api/v1"
NAMES = ("pledged", "committed", "received", "disbursed")


def _periods(world: Served, by: str) -> list[dict[str, object]]:
    answer = world.client.get(f"{V}/reports/funding/{IT}/over-time", params={"by": by},
                              headers=world.as_role("secretariat"))
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def _amount(period: dict[str, object], name: str) -> Decimal:
    money = period[name]
    assert isinstance(money, dict)
    return Decimal(money["amount"])


def test_the_last_figures_to_date_are_the_reports_totals_and_every_period_is_shown(world_on_each_database: Served):
    world = world_on_each_database
    report = world.client.get(f"{V}/reports/funding/{IT}", headers=world.as_role("secretariat")).json()
    months = _periods(world, "month")
    assert len(months) > 12
    for name in NAMES:
        assert _amount(months[-1], f"{name}_to_date") == Decimal(report["totals"][name]["amount"]), name
        assert sum(_amount(m, name) for m in months) == _amount(months[-1], f"{name}_to_date")
    labels = [str(m["period"]) for m in months]
    for before, after in itertools.pairwise(labels):  # contiguous: no month skipped
        year, month = int(before[:4]), int(before[5:])
        assert after == (f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}")
    by_year: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for m in months:
        for name in NAMES:
            by_year[str(m["period"])[:4]][name] += _amount(m, name)
    years = _periods(world, "year")
    assert [y["period"] for y in years] == sorted(by_year)
    for y in years:
        assert {name: _amount(y, name) for name in NAMES} == dict(by_year[str(y["period"])])


def test_a_receipt_shows_in_its_value_dates_month_and_to_date_from_then_on(world_on_each_database: Served):
    world = world_on_each_database
    before = {m["period"]: m for m in _periods(world, "month")}
    received = {"kind": "receipt", "coalition": IT, "fund": "it-coalition-fund", "donor": "LV",
                "amount": {"amount": "1234.56", "currency": "EUR"}, "value_date": "2025-03-14",
                "external_ref": "OVER-TIME-1"}
    assert world.client.post(f"{V}/contributions", headers=world.as_role("secretariat"),
                             json=received).status_code == 201
    after = {m["period"]: m for m in _periods(world, "month")}
    assert _amount(after["2025-03"], "received") - _amount(before["2025-03"], "received") == Decimal("1234.56")
    assert _amount(after["2025-02"], "received_to_date") == _amount(before["2025-02"], "received_to_date")
    for period in [p for p in after if str(p) >= "2025-03"]:
        grown = _amount(after[period], "received_to_date") - _amount(before[period], "received_to_date")
        assert grown == Decimal("1234.56"), period


def test_it_downloads_as_csv_and_is_refused_to_whom_may_not_read_the_money(world_on_each_database: Served):
    world = world_on_each_database
    path = f"{V}/reports/funding/{IT}/over-time"
    answer = world.client.get(path, params={"by": "year", "format": "csv"}, headers=world.as_role("auditor"))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["period"] for r in rows] == [y["period"] for y in _periods(world, "year")]
    assert "received_to_date.amount" in rows[0]
    assert world.client.get(path).status_code == 401
    assert world.client.get(path, headers=world.as_role("supplier")).status_code == 403
    refused = world.client.get(path, params={"by": "week"}, headers=world.as_role("secretariat"))
    assert refused.status_code == 422 and "by" in refused.text
