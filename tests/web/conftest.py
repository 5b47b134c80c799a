"""The web pages in a real browser: Debian's chromium driven by Playwright, against a live server.

The browser is /usr/bin/chromium (never a downloaded one). Without it the browser tests are
skipped and the summary says so, unless COALITION_REQUIRE_BROWSER=1 (as in .ci/run), which turns
the skip into a failure. Screenshots go to test-output/screenshots; the summary prints the path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.demo.users import DEMO_PASSWORD, build_demo_users
from coalition.demo.world import build_demo_world
from coalition.entrypoints.api.app import create_app
from tests.api.conftest import live_server
from tests.conftest import RUN_COUNTS
from tests.demo_copies import give_demo_world
from tests.fakes import TickingClock

CHROMIUM = Path(os.environ.get("COALITION_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("COALITION_REQUIRE_BROWSER") == "1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
_browser_runs = RUN_COUNTS["browser"]  # printed in the summary by tests/conftest.py
_browser_runs["where"] = f"{CHROMIUM}; screenshots in {SCREENSHOTS}"


@dataclass
class Site:
    """The demo world served on a local port, and what every page did that it should not have."""

    url: str
    platform: Platform
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("web")
    platform = Platform(Settings(database_url=f"sqlite:///{folder / 'coalition.db'}", data_dir=folder,
                                 operator="tester", login_attempts_per_minute=10_000, cache_seconds=0),
                        TickingClock())
    platform.init_database()
    build_demo_world(platform.uow(), platform.operator())
    build_demo_users(platform.uow(), platform.operator(), platform.password_hasher)
    with live_server(platform) as url:
        yield Site(url, platform)
    platform.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        reason = f"no browser at {CHROMIUM} (apt-get install -y chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(f"the browser tests are required (COALITION_REQUIRE_BROWSER=1) but there is {reason}")
        _browser_runs["skipped"] = reason
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: object, site: Site) -> Iterator[object]:
    """A fresh browser context (no cookies) per call; every request outside the server is refused and noted."""
    contexts = []
    own = urlsplit(site.url).netloc

    def make(width: int = 1366, height: int = 900) -> object:
        context = browser.new_context(viewport={"width": width, "height": height},  # type: ignore[attr-defined]
                                      locale="en-GB")
        contexts.append(context)

        def guard(route: object) -> None:
            target = route.request.url  # type: ignore[attr-defined]
            if urlsplit(target).netloc != own and not target.startswith(("data:", "blob:", "about:")):
                site.outside_requests.append(target)
                route.abort()  # type: ignore[attr-defined]
            else:
                route.continue_()  # type: ignore[attr-defined]

        context.route("**/*", guard)
        page = context.new_page()
        page.on("console", lambda message: site.console_errors.append(f"{page.url}: {message.text}")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: site.console_errors.append(f"{page.url}: {error}"))
        _browser_runs["ran"] = int(_browser_runs["ran"]) + 1
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page: object, site: Site, username: str) -> None:
    page.goto(f"{site.url}/login")  # type: ignore[attr-defined]
    page.get_by_label("User name").fill(username)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(DEMO_PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.wait_for_url(f"{site.url}/")  # type: ignore[attr-defined]


def screenshot(page: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def accessibility_problems(page: object) -> list[str]:
    """What axe-core (WCAG 2.1 A and AA rules, contrast included) finds wrong on the page, one line each."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    found = page.evaluate(  # type: ignore[attr-defined]
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))")
    return list(found)


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    """The whole demo world with its users, over HTTP, on the test database (SQLite and PostgreSQL); a module may
    serve a smaller world under the same name."""
    platform.settings = platform.settings.model_copy(update={"login_attempts_per_minute": 10_000})
    give_demo_world(platform, users=True)
    with TestClient(create_app(platform)) as client:
        yield client
