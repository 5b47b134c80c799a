"""What operators' tools ask of a server: /healthz, /readyz and Prometheus metrics, kept off the public internet."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.entrypoints.api.app import create_app
from coalition.entrypoints.jobs import JobRunner
from tests.api.conftest import IT, Served

V = "/api/v1"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_a_migrated_database_with_a_job_worker_is_ready(platform: Platform):
    client = TestClient(create_app(platform))
    assert client.get("/healthz").json() == {"status": "ok"}
    if not platform.jobs_in_process:  # PostgreSQL: `coalition worker` runs the jobs and must have been seen lately
        assert client.get("/readyz").json()["checks"]["worker"].startswith("no job worker seen")
        stop = threading.Event()
        worker = threading.Thread(target=JobRunner(platform).run, args=(stop, 0.05))
        worker.start()
        for _ in range(200):
            if platform.jobs.last_seen() is not None:
                break
            time.sleep(0.02)
        stop.set()
        worker.join()
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {
        "status": "ready", "checks": {"database": "ok", "schema": "ok", "worker": "ok"}}


def test_without_a_job_worker_seen_lately_a_server_is_not_ready(platform: Platform):
    platform.settings = platform.settings.model_copy(update={"jobs_in_process": False})
    ready = TestClient(create_app(platform)).get("/readyz")
    assert ready.status_code == 503 and "coalition worker" in ready.json()["checks"]["worker"]


def test_a_database_without_its_schema_is_not_ready(tmp_path):
    platform = Platform(Settings(database_url=f"sqlite:///{tmp_path / 'new.db'}", data_dir=tmp_path))
    ready = TestClient(create_app(platform)).get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "ok", "schema": "not current: run 'coalition init'",
                                      "worker": "unknown"}


def test_an_unreachable_database_is_not_ready(tmp_path):
    platform = Platform(Settings(database_url="postgresql://nobody@127.0.0.1:9/none", data_dir=tmp_path))
    ready = TestClient(create_app(platform)).get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("unreachable")


def test_metrics_count_requests_by_route_and_the_caches_answers(world: Served):
    local = TestClient(world.client.app, client=("127.0.0.1", 40000))
    secretariat = world.as_role("secretariat")
    for _ in range(3):
        assert local.get(f"{V}/reports/funding/{IT}", headers=secretariat).status_code == 200
    assert local.get(f"{V}/coalitions/no-such-coalition").status_code == 404
    answer = local.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    samples = _samples(answer.text)
    route = "/api/v1/reports/funding/{coalition}"
    assert samples[("coalition_http_requests_total", (("method", "GET"), ("route", route), ("status", "200")))] >= 3
    assert samples[("coalition_http_request_seconds_count", (("method", "GET"), ("route", route)))] >= 3
    assert samples[("coalition_read_cache_answers_total", (("outcome", "hit"),))] >= 2
    assert not any("no-such-coalition" in str(labels) for _, labels in samples), "series by template, not by path"
    assert any(name == "coalition_db_pool_connections" for name, _ in samples)


def test_metrics_are_refused_to_clients_outside_the_configured_networks(world: Served):
    outside = TestClient(world.client.app, client=("203.0.113.9", 40000))
    refused = outside.get("/metrics")
    assert refused.status_code == 404 and "metrics" not in refused.text.split("/metrics")[0].lower()


@pytest.mark.parametrize("value", ["10.0.0.0/8, not-a-network", "300.1.1.1"])
def test_a_bad_metrics_network_is_refused_naming_the_setting(value):
    with pytest.raises(ValueError, match="COALITION_METRICS_FROM"):
        Settings(metrics_from=value)
