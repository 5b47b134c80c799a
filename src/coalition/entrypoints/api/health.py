"""What operators and their tools ask of a running server: ``/healthz`` (the process answers), ``/readyz`` (the
database answers and its schema is current: send requests here) and ``/metrics`` in Prometheus's text format
(prometheus-client).

The metrics: requests by route template, method and status; their latency as a histogram; answers of the read
cache (hit or computed); the database pool (connections in use and open); the durable jobs by status. ``/metrics``
answers only clients within COALITION_METRICS_FROM (this machine by default; empty turns it off), as the client
address is decided behind trusted proxies; any other client gets 404, as for a path that does not exist. Under
``coalition serve --workers N`` the processes write their counts to a shared folder (PROMETHEUS_MULTIPROC_DIR, which
the command sets) and any process answers for all of them; the pool is that of the process that answers, labelled
with its pid.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coalition.bootstrap import Platform
from coalition.domain.errors import NotFound
from coalition.entrypoints.api.clients import client_address

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
router = APIRouter(include_in_schema=False)


class ProcessState(Collector):
    """This process's database pool and the database's jobs, read when scraped."""

    def __init__(self, platform: Platform, jobs: Callable[[], Mapping[str, int]]) -> None:
        self.platform = platform
        self.jobs = jobs

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pid = str(os.getpid())
        in_use, open_now = self.platform.pool_status()
        pool = GaugeMetricFamily("coalition_db_pool_connections", "Database connections of this process's pool",
                                 labels=["pid", "state"])
        pool.add_metric([pid, "in_use"], in_use)
        pool.add_metric([pid, "open"], open_now)
        yield pool
        jobs = GaugeMetricFamily("coalition_jobs", "Durable jobs in the database, by status", labels=["status"])
        counts = self.jobs()
        for status in ("queued", "running", "done", "rejected", "failed"):
            jobs.add_metric([status], counts.get(status, 0))
        yield jobs


class Metrics:
    """The server's metrics in a registry of its own (one per application)."""

    def __init__(self, platform: Platform, jobs: Callable[[], Mapping[str, int]]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("coalition_http_requests", "HTTP requests answered",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("coalition_http_request_seconds", "Time to answer an HTTP request",
                                 ["route", "method"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.cache = Counter("coalition_read_cache_answers", "Heavy reads answered from the read cache (hit) or "
                             "computed (miss)", ["outcome"], registry=self.registry)
        self.process = ProcessState(platform, jobs)
        self.registry.register(self.process)
        self.allowed = platform.settings.metrics_networks

    def allows(self, client: str) -> bool:
        try:
            address = ipaddress.ip_address(client)
        except ValueError:
            return False
        return any(address in network for network in self.allowed)

    def exposition(self) -> bytes:
        if os.environ.get(MULTIPROCESS_DIR):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            registry.register(self.process)
            return generate_latest(registry)
        return generate_latest(self.registry)


class RequestMetrics:
    """Counts and times every request by the route template it matched (never the raw path: one series per route,
    whatever ids the paths hold)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noted)
        finally:
            route = _template(scope)
            self.metrics.requests.labels(route, scope["method"], str(status)).inc()
            self.metrics.latency.labels(route, scope["method"]).observe(time.perf_counter() - started)


def _template(scope: Scope) -> str:
    state: dict[str, Any] = scope.get("state") or {}
    if "cached_route" in state:
        return str(state["cached_route"])
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "(static)" if scope["path"].startswith("/static/") else "(unmatched)"
    # A route of an included router knows its path below the router's prefix: the prefix is what comes before
    # as many segments of the request's path (a prefix holds no parameters).
    tail = str(path).count("/")
    prefix = "/".join(scope["path"].split("/")[:-tail]) if tail else scope["path"]
    return prefix + str(path)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and answering."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready for requests: the database answers and its schema is current (503 otherwise, naming what is not)."""
    platform: Platform = request.app.state.platform
    checks = platform.readiness()
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus metrics, to the clients COALITION_METRICS_FROM names; 404 to any other."""
    kept: Metrics = request.app.state.metrics
    if not kept.allows(client_address(request.scope)):
        raise NotFound("there is no page at /metrics for this client", field="path")
    return Response(kept.exposition(), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
