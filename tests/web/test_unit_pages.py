"""A receiving unit's officer on the procurement page: what arrived to sign for, what is on its way, and everything
the unit has signed for, accepted or refused, never another unit's; in English and Ukrainian."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.domain.access import Grant, Role
from coalition.domain.identity import User
from coalition.entrypoints.api.app import create_app
from coalition.services.identity import add_user
from tests.demo_copies import give_demo_world
from tests.web.test_pages import csrf, sign_in

IT = "/coalitions/it-coalition"


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    platform.settings = platform.settings.model_copy(update={"login_attempts_per_minute": 10_000})
    give_demo_world(platform, users=True)
    add_user(platform.uow(), platform.operator(), platform.password_hasher,
             User("ua-tu-2", "UA-TU-2", frozenset({Grant(Role.UNIT_LOGISTICS_OFFICER, "it-coalition")})),
             "a long enough passphrase")
    with TestClient(create_app(platform)) as client:
        yield client


def _section(html: str, name: str) -> str:
    body = html[html.index(f'id="{name}"'):]
    return body[:body.index("</section>")]


def test_a_units_officer_sees_what_the_unit_signed_for_and_what_is_on_its_way(client: TestClient) -> None:
    token = sign_in(client, "ua-tu-1")
    html = client.get(f"{IT}/procurement").text
    signed = _section(html, "signed-for")
    assert "Command-post kits for tactical units" in signed and "NSPA-IT-C001" in signed
    assert "Logistics officer, unit 1" in signed and "Logistics officer, unit 2" not in signed, "its own unit only"
    assert "Nothing is on its way to your unit." in _section(html, "on-the-way")
    assert "Pipeline by route and stage" not in html, "the money is not the unit's to read"
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": f"{IT}/procurement"})
    ukrainian = client.get(f"{IT}/procurement").text
    assert "Прийнято вашим підрозділом" in ukrainian and "Прямує до вашого підрозділу" in ukrainian


def test_a_refused_receipt_stays_on_the_units_list(client: TestClient) -> None:
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    password = {"csrf_token": csrf(client), "username": "ua-tu-2", "password": "a long enough passphrase"}
    assert client.post("/login", data=password, follow_redirects=False).status_code == 303
    signed = _section(client.get(f"{IT}/procurement").text, "signed-for")
    rows = re.findall(r"<tr><th scope=\"row\">\d+</th>.*?</tr>", signed)
    assert len(rows) == 2 and any(">no<" in row and "damaged" in row for row in rows)
