"""The search box on every page: requirements, cases, contracts, parties, proposals and documents found in
English or Ukrainian, each hit linked to a page its viewer may open, nothing shown that the viewer may not read,
the query in the address (a search can be shared); and the same search in the API."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.test_pages import sign_in

# The pages on SQLite only: tests/integration/test_search_index.py holds the index on both engines.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

HIT = re.compile(r'<tr><th scope="row">(?:<a href="([^"]+)">)?([^<]+)(?:</a>)?</th><td>([^<]+)</td>')


def _hits(client: TestClient, query: str) -> list[tuple[str, str, str]]:
    page = client.get(f"/search?{query}")
    assert page.status_code == 200
    return HIT.findall(page.text[page.text.index('id="hits"'):])


def _every_link_opens(client: TestClient, hits: list[tuple[str, str, str]]) -> None:
    for href, title, _ in hits:
        if href:
            assert client.get(href.replace("&amp;", "&")).status_code == 200, f"{title}: {href} is refused"


def test_the_public_finds_requirements_and_proposals_and_no_contract(client: TestClient) -> None:
    assert 'action="/search"' in client.get("/").text, "the search box is in every page's header"
    hits = _hits(client, "q=drones")
    kinds = {kind for _, _, kind in hits}
    assert {"requirement", "proposal"} <= kinds and "contract" not in kinds and "case" not in kinds
    assert any(title == "Interceptor drones from Ukrainian industry" for _, title, _ in hits)
    _every_link_opens(client, hits)


def test_the_secretariat_finds_contracts_and_cases_and_may_open_each(client: TestClient) -> None:
    sign_in(client, "secretariat")
    hits = _hits(client, "q=drones")
    assert {"case", "contract"} <= {kind for _, _, kind in hits}
    _every_link_opens(client, hits)
    only = _hits(client, "q=drones&kind=case")
    assert only and {kind for _, _, kind in only} == {"case"}, "the kind chosen, kept in the address"


def test_a_lead_of_one_coalition_does_not_find_the_other_coalitions_contracts(client: TestClient) -> None:
    sign_in(client, "ee-desk")
    assert {kind for _, _, kind in _hits(client, "q=drones&kind=contract")} == set()
    assert _hits(client, "q=command+post&kind=case"), "its own coalition's cases"


def test_in_ukrainian_a_state_is_found_by_its_name_in_any_case(client: TestClient) -> None:
    token = sign_in(client, "lv-desk")
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": "/"})
    page = client.get("/search?q=Латвії")
    assert "Пошук" in page.text and 'lang="uk"' in page.text
    hits = HIT.findall(page.text[page.text.index('id="hits"'):])
    assert [(title, kind) for _, title, kind in hits] == [("Латвія", "сторона")]


def test_the_api_searches_as_the_pages_do(client: TestClient) -> None:
    found = client.get("/api/v1/search", params={"q": "Латвії"})
    assert found.status_code == 200 and [(h["kind"], h["key"], h["title_uk"]) for h in found.json()] == [
        ("party", "LV", "Латвія")]
    refused = client.get("/api/v1/search", params={"q": "!!!"})
    assert refused.status_code == 422 and refused.json()["field"] == "q"
