"""No English on a Ukrainian page of the demo: every word in Latin letters on the pages each role reads must be the
record's own (a name, a title, a note as it was written, a code), never a text of the platform left untranslated."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from coalition.adapters import tables as t
from coalition.bootstrap import Platform
from tests.web.test_pages import sign_in

# The pages on SQLite only: what is checked is the pages' words, the same on both engines.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

IT = "/coalitions/it-coalition"
PAGES = {
    "secretariat": ("/", IT, f"{IT}/priorities", f"{IT}/plans", "/plans/1", "/donors/EE", f"{IT}/steering",
                    "/proposals/1", f"{IT}/procurement", "/cases/IT-CP-KITS", f"{IT}/ledger", f"{IT}/innovation",
                    "/innovation/calls/it-innovation-challenge-2025", "/innovation/projects/ITC-SOC-ANALYTICS",
                    "/programmes", "/packages", "/open-data", "/intake", "/search?q=drones", f"{IT}/offers",
                    "/account", "/notifications", "/coalitions/drone-coalition"),
    "auditor": ("/audit",),
    "ua-tu-1": (f"{IT}/procurement",),
}
# Words that stand for themselves in any language: currency and standard names (OCDS's "release package" and
# "record package" are its files' names), the languages' own names.
OWN_NAMES = {"EUR", "USD", "GBP", "DKK", "UAH", "CZK", "SEK", "NOK", "PLN", "OCDS", "IATI", "CSV", "XLSX", "PDF", "API",
             "NATO", "UTC", "SHA", "PURL", "ECB", "JSON", "XML", "Atom", "Coalition", "English", "Sankey", "release",
             "record", "package"}
WORD = re.compile(r"(?<![\w@./:#-])[A-Za-z][a-z]{2,}(?![\w@/-])")


def _record_words(platform: Platform) -> set[str]:
    """Every word the record holds in its text and JSON columns: names, titles, notes as their authors wrote them."""
    found: set[str] = set()
    with platform.engine.connect() as connection:
        for table in t.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text | sa.JSON)]
            if columns:
                for row in connection.execute(sa.select(*columns)):
                    found.update(WORD.findall(" ".join(str(value) for value in row if value is not None)))
    return found


def _words(page: str) -> list[str]:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return WORD.findall(text)


def test_no_platform_text_is_left_in_english_on_a_ukrainian_page(client: TestClient, platform: Platform) -> None:
    record = _record_words(platform) | OWN_NAMES
    left: dict[str, list[str]] = {}
    for user, pages in PAGES.items():
        client.cookies.clear()
        token = sign_in(client, user)
        client.post("/language", data={"csrf_token": token, "language": "uk", "next": "/"})
        for path in pages:
            answer = client.get(path)
            assert answer.status_code == 200, f"{user} {path}: {answer.status_code}"
            english = sorted({word for word in _words(answer.text) if word not in record})
            if english:
                left[f"{user} {path}"] = english
    assert left == {}


def test_a_refusal_gives_its_reason_in_the_readers_language(client: TestClient) -> None:
    token = sign_in(client, "secretariat")
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": "/"})
    refused = client.get("/audit")
    assert refused.status_code == 403
    said = "читання журналу аудиту потребує ролі: аудитор або адміністратор платформи; secretariat не має жодної з них"
    assert said in refused.text and "needs the role" not in refused.text
    answer = client.get("/api/v1/audit", headers={"Accept-Language": "uk"})
    assert answer.status_code == 403 and answer.json()["message"] == said
    assert answer.headers["Content-Language"] == "uk"
    english = client.get("/api/v1/audit")
    assert english.json()["message"] == ("read audit needs the role auditor or platform-admin; secretariat has none "
                                         "of them")
