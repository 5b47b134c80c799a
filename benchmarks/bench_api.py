"""Benchmark: the HTTP API under load, on SQLite and on PostgreSQL.

The demo world is scaled up with one more coalition holding 100,000 requirements on one approved
priority list and 1,000,000 ledger transactions (pledges, commitments and receipts of 40 donors in
EUR, USD and GBP, through the bulk import). `coalition serve` then runs as it would in production
(one uvicorn worker, uvloop, httptools, JSON request logs to a file), and wrk, from Debian's packages,
drives it from 127.0.0.1 with 64 connections:
  read   GET the coalition's funding status (the report by donor, earmark and currency)
  page   GET a page of 50 ranks of the priority list's coverage, at a random offset
  write  POST receipts (each one a new contribution and its ledger entry)
Each load runs three times; the table shows the middle run by throughput (the machine is shared).
It reports requests per second and the 50th and 99th latency percentiles, and for writes how many
were answered (over all three runs) and how many are stored in the database afterwards (none may
be lost: every answered write is a 201, and stored equals sent).
Prints a table and, last, one JSON line.

Run: make bench-api  (BENCH_REQUIREMENTS, BENCH_TRANSACTIONS, BENCH_SECONDS, BENCH_DATABASES=sqlite,postgresql)
"""

from __future__ import annotations

import json
import os
import platform as host
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from benchmarks.bench_ledger import DONORS, write_files
from coalition.adapters import tables as t
from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.demo.world import build_demo_world
from coalition.domain.access import Grant, Role
from coalition.domain.coalition import Coalition, DecisionRules, Fund
from coalition.domain.identity import Scope, User
from coalition.domain.party import Party, PartyKind
from coalition.services import funding, planning, registry
from coalition.services.identity import add_user, create_token

SCALE, FUND = "scale-coalition", "scale-fund"
AREAS = ("command-posts", "communications", "cloud", "cybersecurity", "software", "uav", "electronic-warfare",
         "air-defence")
POSTGRES_ADMIN = os.environ.get("COALITION_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CONNECTIONS = 64


def build(url: str, folder: Path, requirements: int, transactions: int) -> tuple[str, float]:
    """The scaled world in the database at ``url``; returns a read-write API token and the build time."""
    started = time.perf_counter()
    wired = Platform(Settings(database_url=url, data_dir=folder, operator="bench"))
    wired.init_database()
    admin = wired.operator()
    build_demo_world(wired.uow(), admin)
    for donor in DONORS:
        registry.register_party(wired.uow(), admin, Party(donor, PartyKind.MINISTRY, f"Donor ministry {donor}",
                                                          illustrative=True))
    registry.create_coalition(wired.uow(), admin, Coalition(
        SCALE, "Scaled coalition (benchmark)", "IT", "Benchmark", "UA", date(2022, 1, 3), "benchmark", "EUR",
        DecisionRules(secretariat_may_approve=True), illustrative=True))
    registry.add_fund(wired.uow(), admin, Fund(FUND, SCALE, "Scaled fund", "NSPA", "EUR", illustrative=True))
    contributions, history, _, _ = write_files(folder, transactions, SCALE, FUND)
    funding.import_fx_rates(wired.uow(), admin, source=history.name, digest="bench-api",
                            rates=wired.read_rates(history))
    table = wired.open_table(contributions)
    funding.import_contributions(wired.uow(), admin, source=table.name, digest=table.sha256, header=table.header,
                                 rows=table.rows)
    codes = [f"SR-{i:06d}" for i in range(requirements)]
    with wired.engine.begin() as connection:  # setup data in bulk; the API then works on it like any other
        for start in range(0, requirements, 10_000):
            connection.execute(t.requirements.insert(), [
                {"code": code, "coalition": SCALE, "owner": "UA-MOD", "title": f"Scaled requirement {code}",
                 "area": AREAS[i % len(AREAS)], "quantity": 1 + i % 50, "unit": "set",
                 "unit_cost_minor": 100_000 + (i * 7919) % 5_000_000, "currency": "EUR", "end_users": ["UA-TU-1"],
                 "stock_number": None, "package": None, "route": None, "status": "validated", "illustrative": True}
                for i, code in enumerate(codes[start:start + 10_000], start=start)])
    planning.submit_priority_list(wired.uow(), admin, coalition=SCALE, ranks=codes, submitted_by="UA-MOD",
                                  on=date(2026, 11, 2))
    planning.approve_priority_list(wired.uow(), admin, coalition=SCALE, version=1, approved_by="UA-MOD",
                                   on=date(2026, 11, 3))
    add_user(wired.uow(), admin, wired.password_hasher, User("bench-desk", None, frozenset(
        {Grant(Role.SECRETARIAT, SCALE)})), "a benchmark passphrase")
    _, token = create_token(wired.uow(), admin, username="bench-desk", name="bench",
                            scopes=frozenset({Scope.READ, Scope.WRITE}), days=1)
    wired.engine.dispose()
    return token, time.perf_counter() - started


def stored_contributions(url: str) -> int:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(t.contributions)
                                   .where(t.contributions.c.coalition == SCALE)).scalar_one()
    engine.dispose()
    return int(count)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, folder: Path, port: int, production: bool = True) -> subprocess.Popen[bytes]:
    """``coalition serve`` on ``port``; in production mode unless the client needs plain-HTTP session cookies."""
    env = {**os.environ, "COALITION_DATABASE_URL": url, "COALITION_DATA_DIR": str(folder),
           "COALITION_ENV": "production" if production else "development",
           "COALITION_SECRET_KEY": secrets.token_urlsafe(32)}
    log = (folder / f"serve-{port}.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "coalition", "serve", "--port", str(port)], env=env,
                               stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/coalitions", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start; see {log.name}")


LUA_PAGE = """
math.randomseed(7)
request = function()
  return wrk.format(nil, "/api/v1/coalitions/scale-coalition/coverage?limit=50&offset=" .. math.random(0, %d))
end
"""
LUA_WRITE = """
counter = 0
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local body = '{"kind":"receipt","coalition":"scale-coalition","fund":"scale-fund","donor":"D01",' ..
    '"amount":{"amount":"' .. (1000 + counter % 997) .. '.00","currency":"EUR"},"value_date":"2026-11-20"}'
  return wrk.format("POST", "/api/v1/contributions", nil, body)
end
"""


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 2)


def wrk(port: int, token: str, path: str, seconds: int, script: str | None, folder: Path) -> dict[str, float]:
    # One wrk thread: the generator keeps one core and the server (one worker) the other.
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s",
               "-H", f"Authorization: Bearer {token}"]
    if script is not None:
        lua = folder / f"script-{uuid.uuid4().hex[:6]}.lua"
        lua.write_text(script)
        command += ["-s", str(lua)]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {"rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), 1),  # type: ignore[union-attr]
            "p50_ms": _ms(re.search(r"\s50%\s+(\S+)", output).group(1)),  # type: ignore[union-attr]
            "p99_ms": _ms(re.search(r"\s99%\s+(\S+)", output).group(1)),  # type: ignore[union-attr]
            "requests": int(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0}


REPEATS = 3


def median_run(measure: Callable[[], dict[str, float]]) -> dict[str, float]:
    """The middle of three runs by throughput: this machine's neighbours come and go."""
    runs = [measure() for _ in range(REPEATS)]
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


@contextmanager
def scratch_database(database: str, folder: Path, name: str) -> Iterator[str]:
    """The URL of an empty database for one benchmark run: a SQLite file in ``folder``, or a PostgreSQL
    database created for the run and dropped afterwards."""
    if database == "sqlite":
        yield f"sqlite:///{folder / f'{name}.db'}"
        return
    created = f"coalition_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{created}"')
    try:
        yield sa.engine.make_url(POSTGRES_ADMIN).set(database=created).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
        admin.dispose()


def run(database: str, folder: Path, requirements: int, transactions: int, seconds: int) -> dict[str, float]:
    with scratch_database(database, folder, "bench-api") as url:
        token, built = build(url, folder, requirements, transactions)
        print(f"{database}: built the scaled world in {built:.0f} s", flush=True)
        port = free_port()
        server = serve(url, folder, port)
        try:
            wrk(port, token, f"/api/v1/reports/funding/{SCALE}", 3, None, folder)  # warm up
            read = median_run(lambda: wrk(port, token, f"/api/v1/reports/funding/{SCALE}", seconds, None, folder))
            page = median_run(lambda: wrk(port, token, "/", seconds, LUA_PAGE % (requirements - 50), folder))
            before = stored_contributions(url)
            runs = [wrk(port, token, "/", seconds, LUA_WRITE, folder) for _ in range(REPEATS)]
            write = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
            write["requests"] = sum(r["requests"] for r in runs)
            write["non_2xx"] = sum(r["non_2xx"] + r["socket_errors"] for r in runs)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
        stored = stored_contributions(url) - before
        answered = write["requests"]
        return {"read_rps": read["rps"], "read_p50_ms": read["p50_ms"], "read_p99_ms": read["p99_ms"],
                "read_errors": read["non_2xx"] + read["socket_errors"],
                "page_rps": page["rps"], "page_p50_ms": page["p50_ms"], "page_p99_ms": page["p99_ms"],
                "page_errors": page["non_2xx"] + page["socket_errors"],
                "write_rps": write["rps"], "write_p50_ms": write["p50_ms"], "write_p99_ms": write["p99_ms"],
                "writes_sent": answered, "writes_refused": write["non_2xx"], "writes_stored": stored}


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    requirements = int(os.environ.get("BENCH_REQUIREMENTS", "100000"))
    transactions = int(os.environ.get("BENCH_TRANSACTIONS", "1000000"))
    seconds = int(os.environ.get("BENCH_SECONDS", "15"))
    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    results: dict[str, object] = {"name": "api"}
    for database in databases:
        with tempfile.TemporaryDirectory(prefix=f"bench-api-{database}-") as scratch:
            results[database] = run(database, Path(scratch), requirements, transactions, seconds)
    print(f"Machine: {host.machine()}, {os.cpu_count()} cores, Python {host.python_version()}; one uvicorn worker; "
          f"wrk -t1 -c{CONNECTIONS} -d{seconds}s, 3 runs each, middle one shown; {requirements} requirements, "
          f"{transactions} ledger transactions")
    print(f"{'database':<11} {'read rps':>9} {'p50 ms':>7} {'p99 ms':>7} {'page rps':>9} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'write rps':>10} {'p50 ms':>7} {'p99 ms':>7} {'sent':>7} {'stored':>7}")
    for database in databases:
        r = results[database]
        assert isinstance(r, dict)
        print(f"{database:<11} {r['read_rps']:>9} {r['read_p50_ms']:>7} {r['read_p99_ms']:>7} {r['page_rps']:>9} "
              f"{r['page_p50_ms']:>7} {r['page_p99_ms']:>7} {r['write_rps']:>10} {r['write_p50_ms']:>7} "
              f"{r['write_p99_ms']:>7} {r['writes_sent']:>7} {r['writes_stored']:>7}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
