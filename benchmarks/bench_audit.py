"""Benchmark: `audit verify --deep` on a ledger of N transactions, against its target of one minute.

The synthetic ledger of `make bench-ledger` (40 donors, EUR/USD/GBP, pledges, commitments and receipts) is imported
into a fresh SQLite database; then, in the same run:
  (a) the deep verification: the audit chain, every record's proof, and every stored row of the record recomputed
      and compared with the last record that wrote it (for N transactions, about 2N rows);
  (b) the chain alone (`audit verify`) and `ledger check`, for scale;
  (c) one contribution's amount changed by hand, and the deep verification again: it must name that row alone.
The ratio is the deep verification's time over the target (60 s): under 1 meets it. Prints a table and, last, one
JSON line for the largest N.

Run: make bench-audit  (sizes: BENCH_SIZES=1000000)
"""

from __future__ import annotations

import gc
import json
import os
import platform as host
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.bench_ledger import prepared_platform, write_files

TARGET_SECONDS = 60.0


def _timed(call):  # type: ignore[no-untyped-def]
    gc.collect()
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def run(n: int, folder: Path) -> dict[str, object]:
    from coalition.services import audit, funding
    from coalition.services.views import ledger as ledger_views

    contributions, history, _, _ = write_files(folder, n)
    database = folder / f"audit-{n}.db"
    wired, actor = prepared_platform(database, history)
    table = wired.open_table(contributions)
    ingest, _ = _timed(lambda: funding.import_contributions(wired.uow(), actor, source=table.name,
                                                            digest=table.sha256, header=table.header,
                                                            rows=table.rows))
    chain_s, chain = _timed(lambda: audit.verify_audit(wired.uow(read_only=True), actor))
    check_s, check = _timed(lambda: ledger_views.check_ledger(wired.uow(read_only=True), actor))
    deep_s, deep = _timed(lambda: audit.verify_audit_deep(wired.uow(read_only=True), actor))
    assert chain.ok and check.ok and deep.ok, (chain, check.problems[:3], deep.findings[:3])
    wired.engine.dispose()
    with sqlite3.connect(database) as connection:  # an edit by hand, outside the platform
        victim = connection.execute("SELECT max(id) FROM contributions").fetchone()[0]
        connection.execute("UPDATE contributions SET amount_minor = amount_minor + 1 WHERE id = ?", (victim,))
    _, tampered = _timed(lambda: audit.verify_audit_deep(wired.uow(read_only=True), actor))
    named = [(f.table, f.key, f.problem.value) for f in tampered.findings]
    wired.engine.dispose()
    return {"n": n, "ingest_s": round(ingest, 2), "chain_verify_s": round(chain_s, 2),
            "ledger_check_s": round(check_s, 2), "deep_verify_s": round(deep_s, 2),
            "deep_ratio_to_target": round(deep_s / TARGET_SECONDS, 3), "records": chain.checked,
            "rows_checked": deep.rows_checked, "rows_proved": deep.rows_proved,
            "tampered_row_found": named == [("contributions", str(victim), "altered")]}


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000000").split(",") if s.strip()]
    print(f"Machine: {host.machine()}, {os.cpu_count()} cores, Python {host.python_version()}, SQLite (WAL); "
          f"target: deep verification under {TARGET_SECONDS:.0f} s")
    header = ("N", "import s", "chain s", "ledger check s", "deep s", "ratio to target", "rows checked",
              "tamper named")
    print("  ".join(f"{h:>15}" for h in header))
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            found = run(n, Path(folder))
            results.append(found)
            print("  ".join(f"{v!s:>15}" for v in (found["n"], found["ingest_s"], found["chain_verify_s"],
                                                 found["ledger_check_s"], found["deep_verify_s"],
                                                 found["deep_ratio_to_target"], found["rows_checked"],
                                                 found["tampered_row_found"])))
    print(json.dumps({"name": "audit", "target_s": TARGET_SECONDS, **results[-1]}))


if __name__ == "__main__":
    main()
