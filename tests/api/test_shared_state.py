"""Two `coalition serve` processes over one PostgreSQL database share what matters: a change committed through one
(or by the command line) empties the other's cache at once, and sign-in attempts are counted once for both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from coalition.adapters.shared_state import ChangeListener, libpq_url, notify_change
from coalition.bootstrap import Platform
from coalition.config import Settings
from tests.api.conftest import IT, serve_world
from tests.api.test_serve_workers import free_port
from tests.conftest import fresh_database, migrated_postgres

pytestmark = pytest.mark.postgresql

V = "/api/v1"
COMMAND = [sys.executable, "-m", "coalition"]
RECEIPT = {"kind": "receipt", "coalition": IT, "fund": "it-coalition-fund", "donor": "LV",
           "amount": {"amount": "1000.00", "currency": "EUR"}, "value_date": "2026-11-20"}


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], dict[str, str], Platform]]:
    """The demo world on PostgreSQL, served by two processes that keep heavy reads for a minute."""
    folder = tmp_path_factory.mktemp("shared")
    with ExitStack() as stack:
        stack.enter_context(fresh_database("postgresql", folder))  # skips, or fails where required, without a server
        url = stack.enter_context(migrated_postgres())
        platform = Platform(Settings(database_url=url, data_dir=folder, operator="tester"))
        served = serve_world(platform)
        env = {**os.environ, "COALITION_DATABASE_URL": url, "COALITION_DATA_DIR": str(folder),
               "COALITION_CACHE_SECONDS": "60", "COALITION_LOGIN_ATTEMPTS_PER_MINUTE": "10",
               "COALITION_OPERATOR": "tester"}
        urls = []
        for _ in range(2):
            port = free_port()
            server = subprocess.Popen([*COMMAND, "serve", "--port", str(port), "--log-level", "warning"], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            stack.callback(_stop, server)
            urls.append(f"http://127.0.0.1:{port}")
            _wait_until_served(urls[-1], server)
        yield urls, served.tokens, platform
        platform.engine.dispose()


def test_a_receipt_posted_to_one_server_shows_in_the_others_kept_reads_at_once(two_servers):
    (one, other), tokens, _ = two_servers
    secretariat = {"Authorization": f"Bearer {tokens['secretariat']}"}
    report, coverage = f"{V}/reports/funding/{IT}", f"{V}/coalitions/{IT}/coverage"
    with httpx.Client(timeout=30) as client:
        before = client.get(other + report, headers=secretariat).json()
        covered = client.get(other + coverage, headers=secretariat).json()
        assert client.get(other + report, headers=secretariat).json() == before  # kept, for up to a minute
        posted = client.post(one + f"{V}/contributions", headers=secretariat,
                             json={**RECEIPT, "external_ref": "SHARED-1"})
        assert posted.status_code == 201, posted.text
        after = client.get(other + report, headers=secretariat).json()
        assert after["totals"]["received"] != before["totals"]["received"]
        assert client.get(other + coverage, headers=secretariat).json() != covered


def test_a_change_from_the_command_line_empties_every_servers_cache(two_servers):
    (one, other), tokens, platform = two_servers
    secretariat = {"Authorization": f"Bearer {tokens['secretariat']}"}
    report = f"{V}/reports/funding/{IT}"
    with httpx.Client(timeout=30) as client:
        before = [client.get(url + report, headers=secretariat).json() for url in (one, other)]
        env = {**os.environ, "COALITION_DATABASE_URL": str(platform.settings.database_url),
               "COALITION_DATA_DIR": str(platform.settings.data_dir), "COALITION_OPERATOR": "tester"}
        recorded = subprocess.run([*COMMAND, "receipts", "add", IT, "LV", "250.00", "EUR", "--fund",
                                   "it-coalition-fund", "--on", "2026-11-20", "--ref", "SHARED-CLI"],
                                  env=env, capture_output=True, text=True, timeout=120)
        assert recorded.returncode == 0, recorded.stdout + recorded.stderr
        after = [client.get(url + report, headers=secretariat).json() for url in (one, other)]
    for old, new in zip(before, after, strict=True):
        assert new["totals"]["received"] != old["totals"]["received"]


def test_eleven_failed_sign_ins_over_two_servers_are_limited_like_eleven_on_one(two_servers):
    (one, other), _, _ = two_servers
    with httpx.Client(timeout=30) as client:
        codes = [client.post((one, other)[n % 2] + f"{V}/auth/login",
                             json={"username": "nobody", "password": "not the one"}).status_code for n in range(11)]
    assert codes == [401] * 10 + [429]


def test_a_notice_is_sent_only_by_a_change_that_commits(tmp_path):
    with fresh_database("postgresql", tmp_path), migrated_postgres() as url:
        platform = Platform(Settings(database_url=url, data_dir=tmp_path, operator="tester"))
        heard = threading.Event()
        listener = ChangeListener(libpq_url(platform.engine.url), heard.set)
        listener.start()
        try:
            assert listener.connected.wait(10)
            time.sleep(0.2)
            heard.clear()  # the one call made on connecting
            with platform.engine.connect() as connection:
                notify_change(connection)
                connection.rollback()
            assert not heard.wait(1.5), "a rolled-back change tells nobody"
            with platform.engine.begin() as connection:
                notify_change(connection)
            assert heard.wait(5), "a committed change is heard"
        finally:
            listener.stop()
            platform.engine.dispose()


def _wait_until_served(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read() if server.stdout else ""
        try:
            if httpx.get(url + f"{V}/coalitions", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError("the server did not answer within a minute")


def _stop(server: subprocess.Popen[str]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.communicate()


