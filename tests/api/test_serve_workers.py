"""`coalition serve --workers 2`: two server processes on one port, started as an operator starts them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

COMMAND = [sys.executable, "-m", "coalition"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_two_workers_serve_the_same_database_on_one_port(tmp_path: Path):
    env = {**os.environ, "COALITION_DATA_DIR": str(tmp_path), "COALITION_DATABASE_URL": f"sqlite:///{tmp_path}/c.db"}
    subprocess.run([*COMMAND, "init"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    server = subprocess.Popen([*COMMAND, "serve", "--workers", "2", "--port", str(port), "--log-level", "warning"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        answers = _get_until_served(f"http://127.0.0.1:{port}/api/v1/coalitions", server)
        assert answers == [200, 200, 200, 200]
        workers = [pid for pid in children(server.pid)
                   if "coalition" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
                   or "multiprocessing" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")]
        assert len(workers) >= 2, workers
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
        served = sum(sample.value for family in text_string_to_metric_families(metrics.text)
                     for sample in family.samples if sample.name == "coalition_http_requests_total"
                     and sample.labels["route"] == "/api/v1/coalitions")
        assert served >= 4, "any process answers /metrics for all of them"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    output = " ".join(output.split())  # the console wraps long lines
    assert "2 processes, each with its own read cache and sign-in rate limits" in output
    assert "SQLite: the processes share the database file" in output


def _get_until_served(url: str, server: subprocess.Popen[str]) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read() if server.stdout else ""
        try:
            with httpx.Client(timeout=5) as client:
                return [client.get(url).status_code for _ in range(4)]
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError("the server did not answer within a minute")
