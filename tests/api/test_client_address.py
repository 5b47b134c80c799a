"""Who the client is: the peer, unless the peer is a proxy named in COALITION_TRUSTED_PROXIES. The same address
is counted by the sign-in limit and written in the request log; a client cannot change it by sending
X-Forwarded-For."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import structlog
from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.config import Settings, parse_networks
from coalition.entrypoints.api.app import SERVER_OPTIONS, create_app
from coalition.entrypoints.api.clients import ClientAddresses
from coalition.entrypoints.cli.app import main
from tests.api.conftest import live_server

V = "/api/v1"
LOGIN = {"username": "nobody", "password": "not the password"}


def _platform(tmp_path: Path, **settings: object) -> Platform:
    platform = Platform(Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", data_dir=tmp_path,
                                 login_attempts_per_minute=3, **settings))  # type: ignore[arg-type]
    platform.init_database()
    return platform


@pytest.mark.parametrize(("trusted", "peer", "forwarded", "client"), [
    ("", "203.0.113.7", ["198.51.100.1"], "203.0.113.7"),  # nobody trusted: the header is ignored
    ("10.0.0.0/8", "203.0.113.7", ["198.51.100.1"], "203.0.113.7"),  # not from a trusted proxy: ignored
    ("10.0.0.0/8", "10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
    ("10.0.0.0/8", "10.0.0.2", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),  # what the client wrote is not believed
    ("10.0.0.0/8", "10.0.0.2", ["6.6.6.6", "198.51.100.1, 10.0.0.9"], "198.51.100.1"),  # two proxies, two headers
    ("10.0.0.2, 10.0.0.9", "10.0.0.2", ["10.0.0.9"], "10.0.0.9"),  # every hop trusted: the first
    ("10.0.0.0/8", "10.0.0.2", ["not-an-address"], "10.0.0.2"),
    ("10.0.0.0/8", "10.0.0.2", [], "10.0.0.2"),
    ("::1", "::1", ["[2001:db8::7]:4711"], "2001:db8::7"),
    ("127.0.0.1", "127.0.0.1", ["198.51.100.1:5123"], "198.51.100.1"),
])
def test_the_client_is_the_peer_unless_a_trusted_proxy_forwarded_it(trusted: str, peer: str, forwarded: list[str],
                                                                     client: str):
    assert ClientAddresses(parse_networks(trusted)).client(peer, forwarded) == client


def test_a_setting_that_names_no_address_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str], tmp_path: Path):
    monkeypatch.setenv("COALITION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COALITION_TRUSTED_PROXIES", "10.0.0.1, proxy.internal")
    with pytest.raises(SystemExit) as stopped:
        main(["serve"])
    assert stopped.value.code == 2
    assert "COALITION_TRUSTED_PROXIES: 'proxy.internal' is not an address or a network" in capsys.readouterr().err


def test_sending_another_forwarded_address_each_time_does_not_escape_the_sign_in_limit(tmp_path: Path):
    """Served as `coalition serve` serves it (uvicorn believes no forwarded header), from 127.0.0.1."""
    platform = _platform(tmp_path)
    with live_server(platform) as base, httpx.Client(base_url=base) as client:
        codes = [client.post(f"{V}/auth/login", json=LOGIN, headers={"X-Forwarded-For": f"198.51.100.{n}"})
                 .status_code for n in range(6)]
    assert codes == [401, 401, 401, 429, 429, 429]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(tmp_path: Path):
    platform = _platform(tmp_path, trusted_proxies="127.0.0.1")
    with live_server(platform) as base, httpx.Client(base_url=base) as client:
        def attempt(forwarded: str) -> int:
            return client.post(f"{V}/auth/login", json=LOGIN, headers={"X-Forwarded-For": forwarded}).status_code
        first = [attempt("198.51.100.1") for _ in range(4)]
        other = attempt("198.51.100.2")
        spoofed = attempt("203.0.113.9, 198.51.100.1")  # the client wrote an address; the proxy appended its own
    assert first == [401, 401, 401, 429] and other == 401 and spoofed == 429


def test_the_request_log_names_the_same_client(tmp_path: Path):
    platform = _platform(tmp_path, trusted_proxies="10.0.0.0/8")
    with structlog.testing.capture_logs() as logs:
        TestClient(create_app(platform), client=("10.0.0.2", 4711)).get(
            f"{V}/coalitions", headers={"X-Forwarded-For": "198.51.100.1"})
        TestClient(create_app(platform), client=("203.0.113.7", 4711)).get(
            f"{V}/coalitions", headers={"X-Forwarded-For": "198.51.100.1"})
    assert [entry["client"] for entry in logs if entry["event"] == "request"] == ["198.51.100.1", "203.0.113.7"]
    assert "198.51.100.1" not in json.dumps(logs[-1])


def test_the_server_believes_no_forwarded_header_of_its_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """`coalition serve` runs uvicorn with its proxy headers off: the application alone decides."""
    import gc
    import sys

    import uvicorn

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    monkeypatch.setattr(gc, "freeze", lambda: None)  # what serving does to this process, not done in a test's
    monkeypatch.setattr(sys, "setswitchinterval", lambda interval: None)
    monkeypatch.setenv("COALITION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COALITION_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    main(["init"])
    main(["serve"])
    assert seen["proxy_headers"] is False and SERVER_OPTIONS["proxy_headers"] is False
