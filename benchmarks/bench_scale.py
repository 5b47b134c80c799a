"""Benchmark: the HTTP API on PostgreSQL served by one and by two server processes, and whether any read is stale.

Builds the world of `make bench-api` on PostgreSQL (the demo plus a coalition of 100,000 requirements on one
approved priority list and 1,000,000 ledger transactions), then serves it with `coalition serve --workers 1` and
`--workers 2` in turn (production settings, uvloop, httptools) and drives each with wrk from 127.0.0.1 at 64
connections, as `make bench-api` does:
  read   GET the coalition's funding status
  page   GET a page of 50 ranks of the priority list's coverage at a random offset (three runs: the p99 is the
         median run's; the first run, which starts with nothing kept, is also given as ``page_cold_p99_ms``)
  write  POST receipts
While the read load runs, a probe posts a receipt of 1.00 EUR and, as soon as it is acknowledged, reads the funding
status again on a new connection (so, with two processes, often from the other one); a read whose received total
is below what the probe has had acknowledged so far was answered from a cache older than an acknowledged change,
and counts in ``stale_reads`` (target 0). Writes sent (answered 201) and stored are counted (none may be lost).
The anchor is the same loads on one process, in the same run: the JSON gives each setting and the ratio of two
processes to one.

Prints a table and, last, one JSON line: {"name": "scale", "workers_1": {...}, "workers_2": {...}, "stale_reads":
N, "writes_sent": N, "writes_stored": N}.

Run: make bench-scale  (BENCH_REQUIREMENTS, BENCH_TRANSACTIONS, BENCH_SECONDS, BENCH_PROBES)
"""

from __future__ import annotations

import json
import os
import platform as host
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

from benchmarks.bench_api import (
    CONNECTIONS,
    LUA_PAGE,
    LUA_WRITE,
    REPEATS,
    SCALE,
    build,
    free_port,
    median_run,
    scratch_database,
    stored_contributions,
    wrk,
)

PAGE_P99_TARGET_MS = 300.0


def serve(url: str, folder: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COALITION_DATABASE_URL": url, "COALITION_DATA_DIR": str(folder),
           "COALITION_ENV": "production", "COALITION_SECRET_KEY": secrets.token_urlsafe(32)}
    log = (folder / f"serve-{port}.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "coalition", "serve", "--port", str(port), "--workers",
                                str(workers), "--log-level", "warning"], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            time.sleep(2 if workers > 1 else 0)  # every process up, not only the first
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start; see {log.name}")


def _call(port: int, token: str, path: str, body: dict[str, object] | None = None) -> tuple[int, dict[str, object]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method="POST" if data else "GET",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                              "Connection": "close"})
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - our own server
        return answer.status, json.loads(answer.read())


def _received(port: int, token: str) -> Decimal:
    _, report = _call(port, token, f"/api/v1/reports/funding/{SCALE}")
    totals = report["totals"]
    assert isinstance(totals, dict)
    return Decimal(totals["received"]["amount"])


class Probe(threading.Thread):
    """Posts receipts one at a time and reads the funding status after each acknowledgement (see the module)."""

    def __init__(self, port: int, token: str, count: int) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.count = port, token, count
        self.stale = self.sent = 0

    def run(self) -> None:
        expected = _received(self.port, self.token)
        for n in range(self.count):
            status, _ = _call(self.port, self.token, "/api/v1/contributions", {
                "kind": "receipt", "coalition": SCALE, "fund": "scale-fund", "donor": "D01",
                "amount": {"amount": "1.00", "currency": "EUR"}, "value_date": "2026-11-20",
                "external_ref": f"PROBE-{self.port}-{n}"})
            assert status == 201
            self.sent += 1
            expected += Decimal("1.00")
            if _received(self.port, self.token) < expected:
                self.stale += 1


def measure(url: str, folder: Path, token: str, workers: int, seconds: int, requirements: int,
            probes: int) -> dict[str, float]:
    port = free_port()
    server = serve(url, folder, port, workers)
    try:
        wrk(port, token, f"/api/v1/reports/funding/{SCALE}", 3, None, folder)  # warm up
        probe = Probe(port, token, probes)
        probe.start()
        read = median_run(lambda: wrk(port, token, f"/api/v1/reports/funding/{SCALE}", seconds, None, folder))
        probe.join()
        # The first page run starts cold (nothing kept since the probe's last receipt); it is reported on its own.
        pages = [wrk(port, token, "/", seconds, LUA_PAGE % (requirements - 50), folder) for _ in range(REPEATS)]
        page = sorted(pages, key=lambda r: r["rps"])[len(pages) // 2]
        before = stored_contributions(url)
        runs = [wrk(port, token, "/", seconds, LUA_WRITE, folder) for _ in range(REPEATS)]
        stored = stored_contributions(url) - before
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    write = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
    return {"read_rps": read["rps"], "read_p99_ms": read["p99_ms"], "read_errors": read["non_2xx"],
            "page_rps": page["rps"], "page_p50_ms": page["p50_ms"], "page_p99_ms": page["p99_ms"],
            "page_errors": page["non_2xx"] + page["socket_errors"], "page_cold_p99_ms": pages[0]["p99_ms"],
            "page_cold_errors": pages[0]["non_2xx"] + pages[0]["socket_errors"],
            "write_rps": write["rps"], "write_p99_ms": write["p99_ms"],
            "writes_sent": sum(r["requests"] for r in runs) - sum(r["non_2xx"] + r["socket_errors"] for r in runs)
            + probe.sent,
            "writes_stored": stored + probe.sent, "stale_reads": probe.stale, "probes": probe.sent}


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    requirements = int(os.environ.get("BENCH_REQUIREMENTS", "100000"))
    transactions = int(os.environ.get("BENCH_TRANSACTIONS", "1000000"))
    seconds = int(os.environ.get("BENCH_SECONDS", "15"))
    probes = int(os.environ.get("BENCH_PROBES", "200"))
    results: dict[str, object] = {"name": "scale"}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch, \
            scratch_database("postgresql", Path(scratch), "bench-scale") as url:
        folder = Path(scratch)
        token, built = build(url, folder, requirements, transactions)
        print(f"postgresql: built the scaled world in {built:.0f} s", flush=True)
        for workers in (1, 2):
            results[f"workers_{workers}"] = measure(url, folder, token, workers, seconds, requirements, probes)
    one, two = results["workers_1"], results["workers_2"]
    assert isinstance(one, dict) and isinstance(two, dict)
    results["stale_reads"] = one["stale_reads"] + two["stale_reads"]
    results["writes_sent"] = one["writes_sent"] + two["writes_sent"]
    results["writes_stored"] = one["writes_stored"] + two["writes_stored"]
    results["page_p99_target_ms"] = PAGE_P99_TARGET_MS
    results["page_p99_target_met"] = max(one["page_p99_ms"], two["page_p99_ms"]) <= PAGE_P99_TARGET_MS
    results["ratio_2_to_1"] = {key: round(two[key] / one[key], 2) for key in ("read_rps", "page_rps", "write_rps")
                               if one[key]}
    print(f"Machine: {host.machine()}, {os.cpu_count()} cores, Python {host.python_version()}; PostgreSQL; wrk -t1 "
          f"-c{CONNECTIONS} -d{seconds}s, 3 runs each, middle one shown; {requirements} requirements, "
          f"{transactions} ledger transactions; {probes} probes of staleness per setting")
    print(f"{'processes':<10} {'read rps':>9} {'p99 ms':>7} {'page rps':>9} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'cold p99':>9} {'write rps':>10} {'p99 ms':>7} {'sent':>7} {'stored':>7} {'stale':>6}")
    for workers, r in ((1, one), (2, two)):
        print(f"{workers:<10} {r['read_rps']:>9} {r['read_p99_ms']:>7} {r['page_rps']:>9} {r['page_p50_ms']:>7} "
              f"{r['page_p99_ms']:>7} {r['page_cold_p99_ms']:>9} {r['write_rps']:>10} {r['write_p99_ms']:>7} "
              f"{r['writes_sent']:>7} {r['writes_stored']:>7} {r['stale_reads']:>6}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
