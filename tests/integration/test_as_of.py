"""Reports as of a day: the funding report, coverage, the donor statement, the pipeline and delivery status read
from what was dated up to that day, equal to a replay of the ledger's entries until then. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalition.adapters import tables as t
from coalition.bootstrap import Platform
from coalition.domain import ledger
from coalition.domain.contribution_import import COLUMNS
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Earmark
from coalition.domain.errors import InvalidInput, InvariantViolated
from coalition.domain.ledger import AccountKey, Balance, Measure
from coalition.domain.money import Money
from coalition.services import funding, planning
from coalition.services.procurement import cases
from coalition.services.views import delivery as delivery_views
from coalition.services.views import funding as funding_views
from coalition.services.views import ledger as ledger_views
from coalition.services.views import priorities as priority_views
from tests.demo_copies import give_demo_world
from tests.integration.helpers import run

IT, FUND = "it-coalition", "it-coalition-fund"
FIRST_CONTRACT = date(2024, 8, 15)  # the agency's first contract for command posts, in the demo


@pytest.fixture
def demo(platform: Platform) -> Platform:
    give_demo_world(platform)
    return platform


def replayed(platform: Platform, on: date, coalition: str | None = None) -> dict[AccountKey, Balance]:
    """Every account's balance from the ledger's entries valued by the end of ``on`` (none left at zero)."""
    entries = platform.uow()
    with entries:
        found = [e for e in entries.ledger.entries() if e.value_date <= on]
    return {key: balance for key, balance in ledger.recompute(found).items()
            if balance != (0, 0) and (coalition is None or key.coalition == coalition)}


def read_as_of(platform: Platform, on: date, coalition: str | None = None) -> dict[AccountKey, Balance]:
    uow = platform.uow()
    with uow:
        return {key: balance for key, balance in uow.funding_reads.balances(coalition=coalition, on=on)
                if balance != (0, 0)}


def test_the_6_march_2024_question_is_answered_enough_was_pooled_for_the_first_procurements(demo: Platform):
    covered = priority_views.coverage(demo.uow(), demo.operator(), IT, on=date(2024, 3, 6))
    assert covered.on == date(2024, 3, 6)
    assert all(r.reserved.is_zero() and r.contracted.is_zero() for r in covered.ranks)  # nothing allocated yet
    first_two = covered.ranks[0].cost.amount + covered.ranks[1].cost.amount
    assert covered.available.amount >= first_two and covered.affordable >= 2
    report = funding_views.funding_report(demo.uow(), demo.operator(), IT, date(2024, 3, 6))
    assert report.on == date(2024, 3, 6)
    assert report.totals[Measure.AVAILABLE] == covered.available
    later = funding_views.funding_report(demo.uow(), demo.operator(), IT)
    assert later.totals[Measure.CONTRACTED].amount > 0 and report.totals[Measure.CONTRACTED].is_zero()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=1100))
def test_balances_as_of_any_day_equal_a_replay_of_the_entries_until_then(demo: Platform, offset: int):
    on = date(2023, 9, 1) + timedelta(days=offset)
    assert read_as_of(demo, on) == replayed(demo, on)
    report = funding_views.funding_report(demo.uow(), demo.operator(), IT, on)
    replay = ledger.measures(replayed(demo, on, IT).items())
    assert {m: v.to_minor_units() for m, v in report.totals.items()} == {m: replay.get(m, (0, 0))[1] for m in Measure}


def test_an_act_recorded_late_with_an_early_value_date_counts_from_its_value_date(demo: Platform):
    before = funding_views.funding_report(demo.uow(), demo.operator(), IT, date(2024, 2, 1)).totals[Measure.RECEIVED]
    funding.record_contribution(demo.uow(), demo.operator(), Contribution(
        ContributionKind.RECEIPT, IT, FUND, "LV", Money.parse("250000.00", "EUR"), date(2024, 1, 31), Earmark(),
        Confidentiality(), "LV-LATE"))
    after = funding_views.funding_report(demo.uow(), demo.operator(), IT, date(2024, 2, 1)).totals[Measure.RECEIVED]
    assert after.amount - before.amount == 250000
    for on in (date(2024, 1, 30), date(2024, 1, 31), date(2024, 2, 29), date(2026, 1, 1)):
        assert read_as_of(demo, on) == replayed(demo, on)
    assert ledger_views.check_ledger(demo.uow(), demo.operator()).ok


def test_a_bulk_import_scattered_over_months_reads_back_as_of_every_day(demo: Platform, tmp_path: Path):
    path = tmp_path / "scattered.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(60):
            day = date(2024, 1, 1) + timedelta(days=(n * 37) % 500)
            writer.writerow(["receipt", f"BULK-{n}", IT, FUND, "LU" if n % 2 else "EE", f"{1000 + n}.25", "EUR",
                             day.isoformat(), "none", "public", "", "", "", ""])
    table = demo.open_table(path)
    funding.import_contributions(demo.uow(), demo.operator(), source=table.name, digest=table.sha256,
                                 header=table.header, rows=table.rows)
    for on in (date(2024, 1, 1), date(2024, 3, 31), date(2024, 4, 1), date(2024, 11, 17), date(2025, 5, 15)):
        assert read_as_of(demo, on) == replayed(demo, on)
    assert ledger_views.check_ledger(demo.uow(), demo.operator()).ok


def test_a_kept_month_edited_in_the_database_is_named_by_the_ledger_check(demo: Platform):
    with demo.engine.begin() as connection:
        m = t.ledger_months
        account, month = connection.execute(sa.select(m.c.account, m.c.month).limit(1)).one()
        connection.execute(m.update().where(m.c.account == account, m.c.month == month)
                           .values(balance_minor=m.c.balance_minor + 1))
    check = ledger_views.check_ledger(demo.uow(), demo.operator())
    assert not check.ok
    assert any(f"account {account} keeps" in p and f"{month // 100}-{month % 100:02d}" in p for p in check.problems)


def test_the_pipeline_and_deliveries_as_of_a_day_show_only_what_stood_then(demo: Platform):
    early = delivery_views.pipeline(demo.uow(), demo.operator(), IT, date(2024, 6, 30))
    assert [(r.route.value, r.stage.value, r.cases) for r in early] == [("agency", "tendering", 1)]
    assert all(row.contracted.is_zero() and row.paid.is_zero() for row in early)
    eve = {r.route.value: r for r in delivery_views.pipeline(demo.uow(), demo.operator(), IT,
                                                             FIRST_CONTRACT - timedelta(days=1))}
    signed = {r.route.value: r for r in delivery_views.pipeline(demo.uow(), demo.operator(), IT, FIRST_CONTRACT)}
    assert eve["agency"].contracted.is_zero() and signed["agency"].contracted.amount > 0
    assert signed["agency"].paid.is_zero()
    now = delivery_views.pipeline(demo.uow(), demo.operator(), IT)
    assert sum(r.paid.amount for r in now) > 0
    assert {(r.route, r.stage) for r in early} != {(r.route, r.stage) for r in now}  # cases stood earlier then
    kits_then = {r.requirement: r for r in delivery_views.delivery_status(demo.uow(), demo.operator(), IT,
                                                                           date(2024, 11, 21))}["CP-KIT-01"]
    kits_now = {r.requirement: r for r in delivery_views.delivery_status(demo.uow(), demo.operator(), IT)}["CP-KIT-01"]
    assert (kits_then.contracted, kits_then.shipped, kits_then.accepted) == (60, 40, 0)
    assert kits_now.accepted > 0 and kits_now.shipped == 60


def test_the_donor_statement_as_of_a_day_lists_only_what_was_dated_by_then(demo: Platform):
    now = funding_views.donor_statement(demo.uow(), demo.operator(), "EE")
    then = funding_views.donor_statement(demo.uow(), demo.operator(), "EE", on=date(2024, 3, 6))
    assert then.on == date(2024, 3, 6)
    assert all(c.value_date <= date(2024, 3, 6) for c in then.contributions)
    assert len(then.contributions) < len(now.contributions)
    assert not then.procurement and now.procurement  # nothing bought with its money yet on 6 March 2024


def test_a_report_as_of_a_future_day_is_refused_naming_both_days(demo: Platform):
    with pytest.raises(InvalidInput) as refused:
        funding_views.funding_report(demo.uow(), demo.operator(), IT, demo.clock().date() + timedelta(days=1))
    assert refused.value.field == "on" and str(demo.clock().date()) in str(refused.value)


def test_the_commands_take_on(demo: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, err = run(demo, capsys, "report", "funding", IT, "--on", "2024-03-06")
    assert code == 0, err
    assert "as of 2024-03-06" in out and "would complete the first 2 rank(s)" in out
    code, out, err = run(demo, capsys, "cases", "pipeline", IT, "--on", "2024-08-14", "--json")
    assert code == 0, err
    code, out, err = run(demo, capsys, "report", "funding", IT, "--on", "6 March")
    assert code != 0 and "--on" in err


def test_a_requirement_met_in_part_in_kind_counts_the_gift_and_frees_the_cash_by_a_dated_act(demo: Platform):
    """Lithuania gave 40 of the 400 radios from stock: their value counts toward the requirement, the cash reserved
    for that part went back to the fund on 16 August 2024 by an act of its own, and the rest has a case of its own."""
    def radios(on: date | None) -> priority_views.RankCoverage:
        found = priority_views.coverage(demo.uow(), demo.operator(), IT, on=on)
        return next(r for r in found.ranks if r.requirement.code == "CP-RADIO-02")

    before, after = radios(date(2024, 8, 15)), radios(date(2024, 8, 16))
    assert before.in_kind == after.in_kind == Money.parse("420000.00", "EUR")
    assert before.reserved == Money.parse("2600000.00", "EUR")
    assert after.reserved == Money.parse("2180000.00", "EUR") and after.missing.is_zero()
    with pytest.raises(InvariantViolated, match="still needs all the money reserved"):
        planning.release_reservation(demo.uow(), demo.operator(), coalition=IT, requirement="CP-RADIO-02",
                                     reason="again", excess_only=True)
    rest = cases.get_case(demo.uow(), demo.operator(), "IT-RADIOS-REST")
    assert rest.case.route.value == "agency" and rest.case.requirements == ("CP-RADIO-02",)
