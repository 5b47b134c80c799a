"""Benchmark: ledger ingest and the funding-status report, against Beancount on the same data.

One synthetic ledger per size N (40 donors, EUR/USD/GBP with daily rates, pledges, commitments
and receipts) is written both as this platform's import file and as a Beancount file. In the
same run it measures:
  (a) ingest, transactions per second: `coalition import` path (read, validate, write, balances,
      commit) on a fresh SQLite database, against Beancount's loader;
  (b) the coalition funding-status report in EUR, against a bean-query balance by account
      converted to EUR at each posting's date, on data already loaded; and the same report as of a
      day midway through the history (only entries valued by then; target 100 ms at 1,000,000);
  (c) the store floor: the rows the import wrote, copied into a fresh database of the same schema
      with INSERT ... SELECT under the platform's settings, and committed: the database's own cost of
      this record, which an importer whose reading and checking cost nothing would approach.
It asserts both tools agree: every account's total in every original currency exactly, and the EUR
totals within the rounding of each conversion to the cent (the platform rounds each entry; bean-query
converts unrounded). Prints a table and, last, one JSON line for the largest N.

Run: make bench-ledger  (sizes: BENCH_SIZES=100000,1000000)
"""

from __future__ import annotations

import csv
import gc
import json
import os
import platform as host
import random
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import closing
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

DONORS = [f"D{i:02d}" for i in range(1, 41)]
CURRENCIES = ("EUR", "USD", "GBP")
START = date(2022, 1, 3)
DAYS = 1400
COALITION, FUND = "bench-coalition", "bench-fund"
TYPE_ACCOUNTS = {  # entry kind -> (debit, credit) as Beancount accounts (the platform's account types)
    "pledge": ("Assets:PledgeReceivable", "Income:Pledged"),
    "commitment": ("Assets:CommitmentReceivable", "Income:Committed"),
    "receipt": ("Assets:FundAvailable", "Income:Received"),
}
BEAN_MEASURE = {"Income:Pledged": "pledged", "Income:Committed": "committed", "Income:Received": "received",
                "Assets:FundAvailable": "available"}


def rates(seed: int) -> dict[tuple[str, date], Decimal]:
    """Daily EUR reference rates (units per euro) on business days, ECB style."""
    rng = random.Random(seed)
    levels = {"USD": Decimal("1.10"), "GBP": Decimal("0.86")}
    found = {}
    for offset in range(DAYS + 10):
        day = START + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for currency, level in levels.items():
            level = (level * (Decimal(1) + Decimal(rng.randint(-40, 40)) / Decimal(10000))).quantize(Decimal("0.0001"))
            levels[currency] = level
            found[(currency, day)] = level
    return found


def generate(n: int, seed: int = 7) -> list[tuple[str, str, str, str, str, date, str]]:
    """n records (kind, ref, donor, amount, currency, value date, parent ref) in groups of five."""
    rng = random.Random(seed)
    records = []
    for group in range((n + 4) // 5):
        donor, currency = rng.choice(DONORS), rng.choice(CURRENCIES)
        day = START + timedelta(days=rng.randrange(DAYS - 60))
        pledged = rng.randint(100_000, 1_000_000_000)
        p, c = f"P{group}", f"C{group}"
        group_records = [
            ("pledge", p, donor, pledged, currency, day, ""),
            ("commitment", c, donor, pledged, currency, day + timedelta(days=7), p),
            ("receipt", f"R{group}a", donor, pledged // 2, currency, day + timedelta(days=21), c),
            ("receipt", f"R{group}b", donor, pledged // 4, currency, day + timedelta(days=35), c),
            ("receipt", f"R{group}c", donor, rng.randint(100, 10_000_000), currency, day + timedelta(days=50), ""),
        ]
        for kind, ref, d, units, cur, when, parent in group_records:
            records.append((kind, ref, d, f"{units // 100}.{units % 100:02d}", cur, when, parent))
    return records[:n]


def write_files(folder: Path, n: int, coalition: str = COALITION, fund: str = FUND
                ) -> tuple[Path, Path, Path, list[tuple[str, str, str, str, str, date, str]]]:
    """The import file, an ECB history file of the rates, and the same ledger for Beancount."""
    records = generate(n)
    table = rates(11)
    contributions = folder / f"contributions-{n}.csv"
    with contributions.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "external_ref", "coalition", "fund", "donor", "amount", "currency", "value_date",
                         "earmark", "visibility", "restricted_to", "declassify_on", "parent_ref", "description"])
        for kind, ref, donor, amount, currency, day, parent in records:
            writer.writerow([kind, ref, coalition, fund, donor, amount, currency, day.isoformat(), "none", "public",
                             "", "", parent, ""])
    history = folder / "eurofxref-hist.csv"
    days = sorted({day for _, day in table}, reverse=True)
    with history.open("w") as handle:
        handle.write("Date,USD,GBP,\n")
        for day in days:
            handle.write(f"{day.isoformat()},{table[('USD', day)]},{table[('GBP', day)]},\n")
    ledger = folder / f"ledger-{n}.beancount"
    with ledger.open("w") as handle:
        handle.write('option "operating_currency" "EUR"\n')
        for debit, credit in TYPE_ACCOUNTS.values():
            for donor in DONORS:
                handle.write(f"2000-01-01 open {debit}:{donor}\n2000-01-01 open {credit}:{donor}\n")
        for day in reversed(days):
            for currency in ("USD", "GBP"):
                handle.write(f"{day.isoformat()} price EUR {table[(currency, day)]} {currency}\n")
        for kind, ref, donor, amount, currency, day, _parent in records:
            debit, credit = TYPE_ACCOUNTS[kind]
            handle.write(f'{day.isoformat()} * "{kind} {ref}"\n  {debit}:{donor}  {amount} {currency}\n'
                         f"  {credit}:{donor}  -{amount} {currency}\n")
    return contributions, history, ledger, records


def prepared_platform(database: Path, history: Path) -> tuple[Any, Any]:
    """A fresh SQLite database with the donors, the coalition, its fund and the rates: what an import needs."""
    from coalition.bootstrap import Platform
    from coalition.config import Settings
    from coalition.domain.coalition import Coalition, Fund
    from coalition.domain.party import Party, PartyKind
    from coalition.services import funding, registry

    database.unlink(missing_ok=True)
    wired = Platform(Settings(database_url=f"sqlite:///{database}", operator="bench"))
    wired.init_database()
    actor = wired.operator()
    registry.register_party(wired.uow(), actor, Party.state("UA"))
    registry.register_party(wired.uow(), actor, Party("CUSTODIAN", PartyKind.AGENCY, "Custodian"))
    for donor in DONORS:
        registry.register_party(wired.uow(), actor, Party(donor, PartyKind.MINISTRY, f"Donor {donor}"))
    registry.create_coalition(wired.uow(), actor, Coalition(COALITION, "Benchmark coalition", "IT", "Bench", "UA",
                                                            START, "here", "EUR"))
    registry.add_fund(wired.uow(), actor, Fund(FUND, COALITION, "Benchmark fund", "CUSTODIAN", "EUR"))
    funding.import_fx_rates(wired.uow(), actor, source=history.name, digest="bench",
                            rates=wired.read_rates(history))
    return wired, actor


def platform_run(folder: Path, contributions: Path, history: Path
                 ) -> tuple[float, tuple[float, float], dict, Path]:
    from coalition.domain.ledger import Measure
    from coalition.entrypoints.cli.process import collector_paused
    from coalition.services import funding
    from coalition.services.views import funding as funding_views
    from coalition.services.views import ledger as ledger_views

    database = folder / f"bench-{contributions.stem}.db"
    wired, actor = prepared_platform(database, history)
    gc.collect()
    started = time.perf_counter()
    table = wired.open_table(contributions)
    with collector_paused():  # as `coalition import` runs it
        summary = funding.import_contributions(wired.uow(), actor, source=table.name, digest=table.sha256,
                                               header=table.header, rows=table.rows)
    ingest = time.perf_counter() - started
    assert summary.imported == table.row_count, (summary.imported, table.row_count)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        report = funding_views.funding_report(wired.uow(), actor, COALITION)
        timings.append(time.perf_counter() - started)
    as_of = START + timedelta(days=DAYS // 2)  # the report as of a day midway through the ledger's history
    as_of_timings = []
    for _ in range(5):
        started = time.perf_counter()
        funding_views.funding_report(wired.uow(), actor, COALITION, as_of)
        as_of_timings.append(time.perf_counter() - started)
    totals: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in report.lines:
        for measure in ("pledged", "committed", "received", "available"):
            m = Measure(measure)
            totals[(measure, line.donor, line.currency)][0] += line.original[m].amount
            totals[(measure, line.donor, "EUR-converted")][1] += line.reporting[m].amount
    check = ledger_views.check_ledger(wired.uow(), actor)
    assert check.ok, check
    wired.engine.dispose()
    return ingest, (sorted(timings)[len(timings) // 2], sorted(as_of_timings)[len(as_of_timings) // 2]), \
        dict(totals), database


def store_floor(folder: Path, imported: Path, history: Path) -> float:
    """Seconds the database alone takes to store the rows the import stored, and commit them.

    A fresh database of the same schema gets the import's accounts; then every contribution and ledger entry
    the import wrote is copied into it with INSERT ... SELECT from the imported database, and committed, under
    the platform's settings (foreign keys enforced, WAL, synchronous=NORMAL, the import's page cache; the
    commit includes WAL's automatic checkpoint). No parsing or validation in Python, but SQLite still checks
    every constraint and key and extends every index. An importer writing this record under these settings
    does at least this work; only other settings (no foreign-key enforcement) or another schema lower it.
    """
    from coalition.adapters.ledger_store import BULK_CACHE_KIB

    database = folder / "bench-floor.db"
    wired, _ = prepared_platform(database, history)
    wired.engine.dispose()
    with closing(sqlite3.connect(database, isolation_level=None)) as target:
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", f"cache_size=-{BULK_CACHE_KIB}"):
            target.execute(f"PRAGMA {pragma}")
        target.execute("ATTACH DATABASE ? AS imported", (str(imported),))
        target.execute("INSERT INTO ledger_accounts SELECT * FROM imported.ledger_accounts")
        gc.collect()
        started = time.perf_counter()
        target.execute("BEGIN IMMEDIATE")
        for table in ("contributions", "ledger_entries"):
            # In the order stored, which is id order. The ORDER BY (no sort: it is the table's own order) keeps
            # SQLite inserting row by row, as an import does, rather than copying the stored records as they are.
            target.execute(f"INSERT INTO {table} SELECT * FROM imported.{table} ORDER BY rowid")
        target.execute("COMMIT")
        elapsed = time.perf_counter() - started
        target.execute("DETACH DATABASE imported")
    database.unlink()
    return elapsed


def beancount_run(ledger: Path) -> tuple[float, float, dict]:
    from beancount import loader
    from beanquery import query

    gc.collect()
    started = time.perf_counter()
    entries, errors, options = loader.load_file(str(ledger))
    load = time.perf_counter() - started
    assert not errors, errors[:3]
    started = time.perf_counter()
    rows_native = query.run_query(entries, options, "SELECT account, currency, SUM(number) GROUP BY account, currency")
    rows_eur = query.run_query(entries, options,
                               "SELECT account, SUM(CONVERT(position, 'EUR', date)) AS eur GROUP BY account")
    report = time.perf_counter() - started
    totals: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for account, currency, number in rows_native[1]:
        prefix, donor = account.rsplit(":", 1)
        if prefix in BEAN_MEASURE:
            sign = -1 if prefix.startswith("Income") else 1
            totals[(BEAN_MEASURE[prefix], donor, currency)][0] += sign * number
    for account, inventory in rows_eur[1]:
        prefix, donor = account.rsplit(":", 1)
        if prefix in BEAN_MEASURE:
            sign = -1 if prefix.startswith("Income") else 1
            amount = inventory.get_currency_units("EUR").number if hasattr(inventory, "get_currency_units") \
                else inventory
            totals[(BEAN_MEASURE[prefix], donor, "EUR-converted")][1] += sign * amount
    del entries
    return load, report, dict(totals)


def compare(ours: dict, theirs: dict, conversions: int) -> tuple[bool, Decimal]:
    worst = Decimal(0)
    for key in set(ours) | set(theirs):
        a, b = ours.get(key, [Decimal(0)] * 2), theirs.get(key, [Decimal(0)] * 2)
        if key[2] != "EUR-converted":
            if a[0] != b[0]:
                print(f"MISMATCH {key}: platform {a[0]}, beancount {b[0]}", file=sys.stderr)
                return False, worst
        else:
            worst = max(worst, abs(a[1] - b[1]))
    bound = Decimal("0.005") * conversions
    return worst <= bound, worst


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "100000,1000000").split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as scratch:
        folder = Path(scratch)
        for n in sizes:
            contributions, history, ledger, records = write_files(folder, n)
            ingest, (report, report_as_of), ours, imported = platform_run(folder, contributions, history)
            floor = store_floor(folder, imported, history)
            imported.unlink()
            bean_load, bean_report, theirs = beancount_run(ledger)
            conversions = sum(1 for r in records if r[4] != "EUR")
            same, worst = compare(ours, theirs, conversions)
            results.append({"name": "ledger", "n": n, "ingest_txn_per_s": round(n / ingest),
                            "beancount_txn_per_s": round(n / bean_load), "ingest_ratio": round(bean_load / ingest, 1),
                            "report_ms": round(report * 1000, 2), "beancount_report_ms": round(bean_report * 1000, 1),
                            "report_ratio": round(bean_report / report, 1),
                            "report_as_of_ms": round(report_as_of * 1000, 2),
                            "report_as_of_over_report": round(report_as_of / report, 2),
                            "store_floor_txn_per_s": round(n / floor),
                            "store_floor_ratio": round(bean_load / floor, 1),
                            "floor_over_ingest": round(ingest / floor, 2), "totals_equal": same,
                            "eur_max_difference": str(worst)})
            if not same:
                print(json.dumps(results[-1]))
                sys.exit(f"the platform and Beancount disagree on the totals for N={n}")
    print(f"Machine: {host.machine()}, {os.cpu_count()} cores, Python {host.python_version()}, SQLite (WAL)")
    print(f"{'N':>9} {'ingest txn/s':>13} {'Beancount txn/s':>16} {'ratio':>7} {'report ms':>10} "
          f"{'bean-query ms':>14} {'ratio':>8} {'as-of ms':>9} {'floor txn/s':>12} {'ratio':>7} {'ingest/floor':>12} "
          f"{'totals':>7} {'EUR max diff':>13}")
    for r in results:
        print(f"{r['n']:>9} {r['ingest_txn_per_s']:>13} {r['beancount_txn_per_s']:>16} {r['ingest_ratio']:>7} "
              f"{r['report_ms']:>10} {r['beancount_report_ms']:>14} {r['report_ratio']:>8} {r['report_as_of_ms']:>9} "
              f"{r['store_floor_txn_per_s']:>12} {r['store_floor_ratio']:>7} {r['floor_over_ingest']:>12} "
              f"{'equal' if r['totals_equal'] else 'DIFFER':>7} {r['eur_max_difference']:>13}")
    largest = max(results, key=lambda r: r["n"])
    print(json.dumps(largest))


if __name__ == "__main__":
    main()
