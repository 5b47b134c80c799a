"""Durable jobs: an import queued as a job is run by `coalition worker`; a worker killed with SIGKILL in the middle
of a 200,000-row import leaves none of it, the ledger and the audit chain verify, and the next worker lands it once;
a job whose workers keep dying is marked failed with the reason; on both engines."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from coalition.adapters import tables as t
from coalition.bootstrap import Platform
from coalition.domain.identity import Scope
from coalition.entrypoints.api.app import create_app
from coalition.entrypoints.jobs import IMPORT, JobRunner
from coalition.services.audit import verify_audit_deep
from coalition.services.identity import create_token
from coalition.services.views.ledger import check_ledger
from tests.demo_copies import give_demo_world
from tests.integration.helpers import run

COMMAND = [sys.executable, "-m", "coalition"]
HEADER = "kind,external_ref,coalition,fund,donor,amount,currency,value_date\n"
ROWS = 200_000


def _file(rows: int, prefix: str = "JOB") -> bytes:
    lines = [HEADER] + [f"pledge,{prefix}-{n:06},it-coalition,it-coalition-fund,EE,{10 + n % 90}.00,EUR,2025-01-06\n"
                        for n in range(rows)]
    return "".join(lines).encode()


def _imported(platform: Platform, prefix: str = "JOB") -> int:
    with platform.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(t.contributions)
                                      .where(t.contributions.c.external_ref.like(f"{prefix}-%"))).scalar_one())


def _env(platform: Platform) -> dict[str, str]:
    return {**os.environ, "COALITION_DATABASE_URL": platform.settings.resolved_database_url,
            "COALITION_DATA_DIR": str(platform.settings.data_dir), "COALITION_OPERATOR": "tester",
            "COALITION_JOB_LEASE_SECONDS": "2"}


def _in_the_middle(platform: Platform, job_id: str, worker: subprocess.Popen[str]) -> None:
    """Wait until the worker's import transaction is open and writing (SQLite: the database refuses another writer;
    PostgreSQL: the job's progress says so)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
        job = platform.jobs.get(job_id)
        assert job is not None and job.status in ("queued", "running"), job
        if job.status == "running":
            if platform.engine.dialect.name == "sqlite":
                if _locked(Path(platform.settings.resolved_database_url.removeprefix("sqlite:///"))):
                    time.sleep(1.0)
                    return
            elif job.phase == "writing":
                return
        time.sleep(0.05)
    raise AssertionError("the worker did not reach the middle of the import")


def _locked(path: Path) -> bool:
    connection = sqlite3.connect(path, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()


def test_a_worker_killed_mid_import_leaves_nothing_and_the_next_one_lands_it_once(platform: Platform):
    give_demo_world(platform, procurement=False, users=True)
    job = platform.jobs.enqueue(kind=IMPORT, owner="secretariat", filename="big.csv", payload=_file(ROWS))
    worker = subprocess.Popen([*COMMAND, "worker"], env=_env(platform), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        _in_the_middle(platform, job.id, worker)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    killed = platform.jobs.get(job.id)
    assert killed is not None and killed.status == "running" and killed.attempts == 1
    assert _imported(platform) == 0, "nothing of the killed import is in the database"
    operator = platform.operator()
    assert check_ledger(platform.uow(read_only=True), operator).ok
    assert verify_audit_deep(platform.uow(read_only=True), operator).ok

    again = subprocess.run([*COMMAND, "worker", "--once"], env=_env(platform), capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    landed = platform.jobs.get(job.id)
    assert landed is not None and landed.status == "done" and landed.attempts == 2, landed
    assert landed.outcome is not None and landed.outcome["summary"]["imported"] == ROWS
    assert _imported(platform) == ROWS
    assert check_ledger(platform.uow(read_only=True), operator).ok
    assert verify_audit_deep(platform.uow(read_only=True), operator).ok


def test_a_job_whose_workers_keep_dying_is_marked_failed_with_the_reason(platform: Platform):
    job = platform.jobs.enqueue(kind=IMPORT, owner="nobody", filename="a.csv", payload=_file(1), max_attempts=1)
    dead = f"{os.uname().nodename}:{2 ** 22 + 11}:dead00"  # a pid above the kernel's limit: no such process
    assert platform.jobs.claim(dead) is not None
    assert platform.jobs.claim("another:1:worker") is None
    failed = platform.jobs.get(job.id)
    assert failed is not None and failed.status == "failed"
    assert "the worker stopped during the job 1 time(s)" in failed.message


def test_an_import_queued_over_http_is_shown_by_any_server_once_a_worker_ran_it(platform: Platform):
    give_demo_world(platform, procurement=False, users=True)
    platform.settings = platform.settings.model_copy(update={"jobs_in_process": False})
    _, token = create_token(platform.uow(), platform.operator(), username="secretariat", name="jobs",
                            scopes=frozenset({Scope.READ, Scope.WRITE}), days=1)
    bearer = {"Authorization": f"Bearer {token}"}
    first = TestClient(create_app(platform), headers=bearer)
    second = TestClient(create_app(platform), headers=bearer)
    queued = first.post("/api/v1/imports/jobs", params={"filename": "few.csv"}, content=_file(3, "HTTP"))
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    job_id = queued.json()["id"]
    assert second.get(f"/api/v1/jobs/{job_id}").json()["status"] == "queued"
    assert JobRunner(platform).run_one() is not None
    shown = second.get(f"/api/v1/jobs/{job_id}").json()
    assert shown["status"] == "done" and shown["summary"]["imported"] == 3 and shown["attempts"] == 1
    assert [j["id"] for j in second.get("/api/v1/jobs").json()] == [job_id]
    assert _imported(platform, "HTTP") == 3
    assert TestClient(create_app(platform)).get(f"/api/v1/jobs/{job_id}").status_code == 401


def test_a_rejected_file_ends_its_job_with_every_bad_cell(platform: Platform, capsys):
    give_demo_world(platform, procurement=False, users=True)
    bad = (HEADER + "pledge,BAD-1,it-coalition,it-coalition-fund,XX,1.001,EUR,2025-01-06\n").encode()
    job = platform.jobs.enqueue(kind=IMPORT, owner="secretariat", filename="bad.csv", payload=bad)
    ended = JobRunner(platform).run_one()
    assert ended is not None and ended.id == job.id and ended.status == "rejected"
    assert ended.outcome is not None and ended.outcome["error_total"] == 2
    assert {e["column"] for e in ended.outcome["errors"]} == {"donor", "amount"}
    assert _imported(platform, "BAD") == 0
    capsys.readouterr()  # the worker's log
    code, out, _ = run(platform, capsys, "jobs", "show", job.id, "--json")
    assert code == 0 and json.loads(out)["status"] == "rejected"
    code, out, _ = run(platform, capsys, "jobs", "list")
    assert code == 0 and job.id in out
    code, _, err = run(platform, capsys, "jobs", "show", "no-such-job")
    assert code != 0 and "job" in err
