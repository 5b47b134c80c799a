"""Benchmark: server time of every web page at scale, on SQLite and on PostgreSQL.

The world of `make bench-api` (the demo plus a coalition of 100,000 requirements on one approved
priority list and 1,000,000 ledger transactions) is served by `coalition serve`; a client signed in
as that coalition's secretariat (and auditor) opens each page 30 times (lists at random places) and reads the
server's own time from the Server-Timing header (request in, response out, in the server process).
The budget is 300 ms of server time per page; the table shows the 50th and 95th percentiles and the
slowest, and the ratio of the slowest page's 95th percentile to the budget (below 1 is within it).
Prints a table and, last, one JSON line.

Run: make bench-web  (BENCH_REQUIREMENTS, BENCH_TRANSACTIONS, BENCH_DATABASES=sqlite,postgresql)
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import platform as host
import random
import re
import signal
import statistics
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from benchmarks.bench_api import SCALE, build, free_port, scratch_database, serve
from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.domain.access import Grant, Role
from coalition.services import identity

BUDGET_MS = 300.0
VISITS = 30
PASSWORD = "a benchmark passphrase"  # noqa: S105 - the benchmark user's, set by bench_api.build


def pages(requirements: int, transactions: int) -> dict[str, object]:
    """Page name -> path, or a function of a random generator giving one (lists at random offsets)."""
    base = f"/coalitions/{SCALE}"
    return {
        "overview": base,
        "priority list": lambda r: f"{base}/priorities?offset={r.randrange(0, requirements - 50)}",
        "priority diff": f"{base}/priorities?version=1&compare=1",
        "allocation plans": f"{base}/plans",
        "donor statement": "/donors/D01",
        "steering group": f"{base}/steering",
        "procurement": f"{base}/procurement",
        "ledger": lambda r: f"{base}/ledger?after={r.randrange(0, transactions)}",
        "ledger receipts": lambda r: f"{base}/ledger?kind=receipt&after={r.randrange(0, transactions)}",
        "audit log": lambda r: f"/audit?after={r.randrange(0, 500)}",
    }


def sign_in(port: int) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"http://127.0.0.1:{port}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    form = urllib.parse.urlencode({"csrf_token": token.group(1), "username": "bench-desk", "password": PASSWORD})
    opener.open(f"http://127.0.0.1:{port}/login", data=form.encode()).read()
    return opener


def server_ms(opener: urllib.request.OpenerDirector, url: str) -> float:
    try:
        with opener.open(url) as answer:
            answer.read()
            timing = answer.headers["Server-Timing"]
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{url} answered {error.code}") from None
    found = re.search(r"dur=([0-9.]+)", timing or "")
    assert found is not None, f"no Server-Timing from {url}"
    return float(found.group(1))


def run(database: str, folder: Path, requirements: int, transactions: int) -> dict[str, dict[str, float]]:
    with scratch_database(database, folder, "bench-web") as url:
        _, built = build(url, folder, requirements, transactions)
        wired = Platform(Settings(database_url=url, data_dir=folder, operator="bench"))
        identity.set_grants(wired.uow(), wired.operator(), "bench-desk", frozenset(  # its audit log too
            {Grant(Role.SECRETARIAT, SCALE), Grant(Role.AUDITOR, SCALE)}))
        wired.engine.dispose()
        print(f"{database}: built the scaled world in {built:.0f} s", flush=True)
        port = free_port()
        server = serve(url, folder, port, production=False)  # session cookies over plain HTTP on 127.0.0.1
        try:
            opener = sign_in(port)
            chosen = random.Random(7)
            found = {}
            for page, path in pages(requirements, transactions).items():
                times = []
                for visit in range(VISITS + 2):
                    target = path(chosen) if callable(path) else path
                    spent = server_ms(opener, f"http://127.0.0.1:{port}{target}")
                    if visit >= 2:  # the first two warm the caches of the database and the templates
                        times.append(spent)
                times.sort()
                found[page] = {"p50_ms": round(statistics.median(times), 1),
                               "p95_ms": round(times[int(len(times) * 0.95) - 1], 1), "max_ms": round(times[-1], 1)}
            return found
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


def main() -> None:
    requirements = int(os.environ.get("BENCH_REQUIREMENTS", "100000"))
    transactions = int(os.environ.get("BENCH_TRANSACTIONS", "1000000"))
    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    results: dict[str, object] = {"name": "web", "budget_ms": BUDGET_MS}
    for database in databases:
        with tempfile.TemporaryDirectory(prefix=f"bench-web-{database}-") as scratch:
            results[database] = run(database, Path(scratch), requirements, transactions)
    print(f"Machine: {host.machine()}, {os.cpu_count()} cores, Python {host.python_version()}; one uvicorn worker; "
          f"{VISITS} visits per page after 2 to warm up; {requirements} requirements, {transactions} ledger "
          f"transactions; server time from the Server-Timing header; budget {BUDGET_MS:.0f} ms")
    print(f"{'page':<18} " + " ".join(f"{d + ' p50':>16} {d + ' p95':>16} {d + ' max':>16}" for d in databases))
    for page in pages(requirements, transactions):
        cells = []
        for database in databases:
            r = results[database]
            assert isinstance(r, dict)
            cells.append(f"{r[page]['p50_ms']:>16} {r[page]['p95_ms']:>16} {r[page]['max_ms']:>16}")
        print(f"{page:<18} " + " ".join(cells))
    for database in databases:
        r = results[database]
        assert isinstance(r, dict)
        worst = max(v["p95_ms"] for v in r.values())
        results[f"{database}_worst_p95_ms"] = worst
        results[f"{database}_worst_p95_to_budget"] = round(worst / BUDGET_MS, 3)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
