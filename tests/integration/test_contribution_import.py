"""Bulk import: every row checked first, every error reported at once, all or nothing, idempotent."""

from __future__ import annotations

import csv
import functools
import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from coalition.adapters.ledger_store import SqlLedgerRepository
from coalition.bootstrap import Platform
from coalition.domain.contribution_import import COLUMNS, ImportRejected
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Earmark
from coalition.domain.fx import FxRate
from coalition.domain.ledger import Measure
from coalition.domain.money import Money
from coalition.services import funding
from coalition.services.views import funding as funding_views
from coalition.services.views import ledger as ledger_views
from tests.demo_copies import give_demo_world
from tests.integration.helpers import dump, race_coalition

GOOD = [
    ["pledge", "BE-2025-1", "it-coalition", "it-coalition-fund", "BE", "2500000.00", "EUR", "2025-01-06", "none",
     "public", "", "", "", ""],
    ["commitment", "BE-2025-1C", "it-coalition", "it-coalition-fund", "BE", "2500000.00", "EUR", "2025-01-20",
     "none", "public", "", "", "BE-2025-1", "signed arrangement"],
    ["receipt", "BE-2025-1R", "it-coalition", "it-coalition-fund", "BE", "1000000.00", "EUR", "2025-02-03",
     "none", "public", "", "", "BE-2025-1C", ""],
    ["receipt", "DK-2025-1R", "it-coalition", "it-coalition-fund", "DK", "750000.50", "USD", "2025-01-07",
     "areas:cybersecurity,communications", "restricted", "DK;EE", "2028-01-01", "", ""],
]


@pytest.fixture
def world(platform: Platform) -> Platform:
    give_demo_world(platform, procurement=False)
    funding.import_fx_rates(platform.uow(), platform.operator(), source="t", digest="t", rates=[
        FxRate(date(2025, 1, 6), "EUR", "USD", Decimal("1.0400"), "ECB euro foreign exchange reference rates")])
    return platform


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def run_import(platform: Platform, path: Path) -> funding.ImportSummary:
    table = platform.open_table(path)
    return funding.import_contributions(platform.uow(), platform.operator(), source=table.name, digest=table.sha256,
                                        header=table.header, rows=table.rows)


def test_a_file_imports_with_links_conversions_and_balanced_entries(world: Platform, tmp_path: Path):
    summary = run_import(world, write_csv(tmp_path / "contributions.csv", GOOD))
    assert (summary.imported, summary.unchanged) == (4, 0)
    commitment = funding.find_contribution(world.uow(), world.operator(), "it-coalition", "BE-2025-1C")
    pledge = funding.find_contribution(world.uow(), world.operator(), "it-coalition", "BE-2025-1")
    assert commitment is not None and pledge is not None and commitment.parent == pledge.id
    dk = funding.find_contribution(world.uow(), world.operator(), "it-coalition", "DK-2025-1R")
    assert dk is not None and dk.reporting is not None
    assert dk.reporting.amount == Money(Decimal("721154.33"), "EUR")  # 750000.50 / 1.04, half to even
    assert dk.confidentiality.parties == ("DK", "EE")
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok
    statement = funding_views.donor_statement(world.uow(), world.operator(), "BE")
    assert statement.coalitions["it-coalition"].totals[Measure.RECEIVED] == Money(Decimal("1000000.00"), "EUR")


def test_importing_the_same_file_again_changes_nothing(world: Platform, tmp_path: Path):
    path = write_csv(tmp_path / "contributions.csv", GOOD)
    run_import(world, path)
    before = dump(world.engine)
    summary = run_import(world, path)
    assert (summary.imported, summary.unchanged) == (0, 4)
    assert dump(world.engine) == before


def test_one_bad_last_row_leaves_the_database_exactly_as_before(world: Platform, tmp_path: Path):
    bad_last = [*GOOD, ["receipt", "X-9", "it-coalition", "it-coalition-fund", "BE", "12.345", "EUR", "2025-02-03",
                        "none", "public", "", "", "", ""]]
    before = dump(world.engine)
    with pytest.raises(ImportRejected) as caught:
        run_import(world, write_csv(tmp_path / "bad.csv", bad_last))
    assert dump(world.engine) == before
    [error] = caught.value.errors
    assert (error.row, error.column, error.value) == (6, "amount", "12.345")
    assert "more decimal places" in error.rule


def test_every_error_is_reported_at_once(world: Platform, tmp_path: Path):
    rows = [
        ["gift", "A", "it-coalition", "it-coalition-fund", "BE", "1.00", "EUR", "2025-01-06", "", "", "", "", "", ""],
        ["pledge", "B", "nope", "it-coalition-fund", "XX", "-5", "EURO", "06/01/2025", "areas:space", "secret", "",
         "", "", ""],
        ["receipt", "C", "it-coalition", "drone-coalition-fund", "BE", "1.00", "EUR", "2025-01-06", "", "", "", "",
         "", ""],
        ["receipt", "D", "it-coalition", "it-coalition-fund", "BE", "1.00", "NOK", "2025-01-06", "", "", "", "", "",
         ""],
        ["receipt", "E", "it-coalition", "it-coalition-fund", "BE", "1.00", "EUR", "2025-01-06", "", "", "", "",
         "A-MISSING", ""],
        ["pledge", "F", "it-coalition", "it-coalition-fund", "BE", "1.00", "EUR", "2025-01-06", "", "restricted", "",
         "", "", ""],
        ["pledge", "F", "it-coalition", "it-coalition-fund", "BE", "1.00", "EUR", "2025-01-06", "", "", "", "", "", ""],
    ]
    with pytest.raises(ImportRejected) as caught:
        run_import(world, write_csv(tmp_path / "bad.csv", rows))
    found = {(e.row, e.column) for e in caught.value.errors}
    assert {(2, "kind"), (3, "coalition"), (3, "donor"), (3, "currency"), (3, "value_date"), (3, "earmark"),
            (3, "visibility"), (4, "fund"), (5, "currency"), (6, "parent_ref"), (7, "restricted_to")} <= found
    assert caught.value.total == len(caught.value.errors)


def test_a_wrong_header_is_refused_before_any_row(world: Platform, tmp_path: Path):
    path = tmp_path / "wrong.csv"
    path.write_text("kind,amount\npledge,1\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="lacks the required column"):
        run_import(world, path)


def test_an_excel_file_imports_like_a_csv(world: Platform, tmp_path: Path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    sheet.append(["pledge", "XL-1", "it-coalition", "it-coalition-fund", "LT", 1250.5, "EUR", date(2025, 3, 3),
                  "areas:cloud", "public", None, None, None, "from a spreadsheet"])
    workbook.save(tmp_path / "pledges.xlsx")
    summary = run_import(world, tmp_path / "pledges.xlsx")
    assert summary.imported == 1
    stored = funding.find_contribution(world.uow(), world.operator(), "it-coalition", "XL-1")
    assert stored is not None and stored.amount == Money(Decimal("1250.50"), "EUR")
    assert stored.value_date == date(2025, 3, 3)




def test_an_import_and_a_receipt_opening_the_same_new_rows_wait_for_each_other_in_turn(
        world: Platform, monkeypatch: pytest.MonkeyPatch):
    """On PostgreSQL, writers create accounts before the ledger lock and note conversion sources only under it. Here
    a receipt and an import both do their first such step before either does its second (the test holds each back
    until the other has done its first). In this order they queue; an import noting sources before the lock would
    deadlock with the receipt."""
    actor = race_coalition(world)
    done_first = {"bulk": threading.Event(), "single": threading.Event()}
    steps: dict[str, int] = {"bulk": 0, "single": 0}

    def held_back(method: Callable[..., object]) -> Callable[..., object]:
        def step(self: SqlLedgerRepository, *args: object) -> object:
            role = threading.current_thread().name
            if role not in steps:
                return method(self, *args)
            steps[role] += 1
            if steps[role] == 2:  # the second step waits until the other writer has done its first
                done_first["single" if role == "bulk" else "bulk"].wait(timeout=3)
            result = method(self, *args)
            done_first[role].set()
            return result
        return step

    for name in ("_note_sources", "_account_ids"):
        monkeypatch.setattr(SqlLedgerRepository, name, held_back(getattr(SqlLedgerRepository, name)))
    failures: list[BaseException] = []

    def guarded(work: Callable[[], object]) -> None:
        try:
            work()
        except BaseException as error:  # collected, then reported by the assertion below
            failures.append(error)

    rows = [["receipt", f"BULK-{i}", "race", "race-fund", "BE", "10.00", "EUR", "2025-01-06", "none", "public", "",
             "", "", ""] for i in range(20)]
    threads = [
        threading.Thread(name="bulk", target=guarded, args=(functools.partial(
            funding.import_contributions, world.uow(), actor, source="race.csv", digest="race", header=COLUMNS,
            rows=rows),)),
        threading.Thread(name="single", target=guarded, args=(functools.partial(
            funding.record_contribution, world.uow(), actor, Contribution(
                ContributionKind.RECEIPT, "race", "race-fund", "BE", Money.parse("5.00", "EUR"), date(2025, 1, 6),
                Earmark(), Confidentiality(), external_ref="ONE")),))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    report = funding_views.funding_report(world.uow(), actor, "race")
    assert report.totals[Measure.RECEIVED] == Money.parse("205.00", "EUR")
    assert ledger_views.check_ledger(world.uow(), actor).ok
