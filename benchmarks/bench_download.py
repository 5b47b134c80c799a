"""Benchmark: the CSV download of a million contributions, in bounded server memory.

Builds the world of `make bench-api` (the demo plus a scaled coalition of N contributions, imported through the
service) on SQLite, starts `coalition serve` in its own process, and downloads
`/api/v1/contributions?coalition=...&format=csv` as the coalition's secretariat (a signed-in user with an API
token), reading the answer in chunks. It measures the time, the rows, and the server process's peak resident
memory (VmHWM from /proc; the target is 200 MB at 1,000,000 contributions), and compares the time against an
anchor in the same run: the same rows written as CSV straight from the SQLite file by Python's sqlite3 and csv
modules (no masking, no service, no HTTP). Prints a table and, last, one JSON line.

Run: make bench-download  (BENCH_SIZES=100000 by default; 1000000 supported)
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform as host
import signal
import sqlite3
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.bench_api import SCALE, build, free_port, serve

MEMORY_BUDGET_MB = 200.0


def memory_mb(pid: int, field: str) -> float:
    """A memory figure of a process from /proc (VmHWM: its peak resident set; VmRSS: the current one), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no {field} for process {pid}")


def download(port: int, token: str) -> tuple[int, int, float]:
    """(rows, bytes, seconds) of the coalition's contributions as CSV, read 64 KiB at a time."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/contributions?coalition={SCALE}&format=csv",
                                     headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    lines = size = 0
    with urllib.request.urlopen(request, timeout=3600) as answer:  # noqa: S310 - our own server
        while chunk := answer.read(65536):
            size += len(chunk)
            lines += chunk.count(b"\n")
    return lines - 1, size, time.perf_counter() - started


def json_page(port: int, token: str) -> float:
    """Seconds of one JSON page of 500 contributions (the list as a client pages it)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/contributions?coalition={SCALE}&limit=500",
                                     headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as answer:  # noqa: S310 - our own server
        answer.read()
    return time.perf_counter() - started


def raw_export(database: Path) -> tuple[int, float]:
    """(rows, seconds) of the same contributions written as CSV straight from the SQLite file."""
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    out = io.StringIO()
    writer = csv.writer(out)
    rows = 0
    cursor = connection.execute("SELECT * FROM contributions WHERE coalition = ? ORDER BY id", (SCALE,))
    writer.writerow([d[0] for d in cursor.description])
    while batch := cursor.fetchmany(5000):
        writer.writerows(batch)
        rows += len(batch)
        out.seek(0)
        out.truncate()
    connection.close()
    return rows, time.perf_counter() - started


def run(size: int, folder: Path) -> dict[str, float]:
    database = folder / "bench-download.db"
    url = f"sqlite:///{database}"
    token, built = build(url, folder, 1000, size)
    print(f"built {size} contributions in {built:.0f} s", flush=True)
    port = free_port()
    server = serve(url, folder, port)
    try:
        page_seconds = json_page(port, token)
        before_mb = memory_mb(server.pid, "VmRSS")
        rows, size_bytes, seconds = download(port, token)
        peak_mb = memory_mb(server.pid, "VmHWM")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    anchor_rows, anchor_seconds = raw_export(database)
    if rows != anchor_rows:
        raise SystemExit(f"the download held {rows} rows, the database {anchor_rows}")
    return {"rows": rows, "seconds": round(seconds, 2), "megabytes": round(size_bytes / 1e6, 1),
            "rows_per_s": round(rows / seconds), "peak_rss_mb": round(peak_mb, 1),
            "rss_before_mb": round(before_mb, 1), "json_page_s": round(page_seconds, 3),
            "anchor_seconds": round(anchor_seconds, 2), "ratio": round(seconds / anchor_seconds, 1)}


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "100000").split(",")]
    results: dict[str, object] = {"name": "download", "database": "sqlite", "memory_budget_mb": MEMORY_BUDGET_MB}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-download-") as scratch:
            results[str(size)] = run(size, Path(scratch))
    print(f"Machine: {host.machine()}, {os.cpu_count()} cores, Python {host.python_version()}; one uvicorn worker "
          f"on SQLite; CSV of /api/v1/contributions as the secretariat; anchor: the same rows as CSV straight from "
          f"SQLite (Python sqlite3 + csv); peak RSS of the server process (VmHWM); budget {MEMORY_BUDGET_MB:.0f} MB")
    print(f"{'rows':>10} {'seconds':>9} {'MB':>8} {'rows/s':>9} {'RSS before':>11} {'peak RSS':>9} "
          f"{'anchor s':>9} {'ratio':>6} {'JSON page s':>12}")
    for size in sizes:
        r = results[str(size)]
        assert isinstance(r, dict)
        print(f"{r['rows']:>10} {r['seconds']:>9} {r['megabytes']:>8} {r['rows_per_s']:>9} {r['rss_before_mb']:>11} "
              f"{r['peak_rss_mb']:>9} {r['anchor_seconds']:>9} {r['ratio']:>6} {r['json_page_s']:>12}")
    largest = results[str(max(sizes))]
    assert isinstance(largest, dict)
    results.update({k: largest[k] for k in ("rows", "seconds", "peak_rss_mb", "rows_per_s", "ratio")})
    results["within_budget"] = largest["peak_rss_mb"] <= MEMORY_BUDGET_MB
    print(json.dumps(results))


if __name__ == "__main__":
    main()
