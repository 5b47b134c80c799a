"""The open-data page, its files and its Atom feed, on both databases: every public file is listed with the SHA-256
and size of the bytes one downloads, the same bytes while the record stands and new ones once it changes; the
IATI file stays valid; a restricted contribution is in no file and no feed entry; procurement that only members
may read is not published; the feed is Atom 1.0 in the reader's language. Beside them, the audit log searched
over HTTP."""

from __future__ import annotations

import csv
import hashlib
import io
import re

import pytest
from lxml import etree  # type: ignore[import-untyped]

from coalition.adapters.open_data import iati_problems
from coalition.entrypoints.api import downloads
from tests.api.conftest import Served

V = "/api/v1"
IT = "it-coalition"
ATOM = "{http://www.w3.org/2005/Atom}"
LISTED = re.compile(r'href="(/open-data/[^/"]+/[^"]+)" download>.*?<code class="digest">([0-9a-f]{64})</code>',
                    re.S)


def _listed(served: Served) -> dict[str, str]:
    page = served.client.get("/open-data")
    assert page.status_code == 200
    return dict(LISTED.findall(page.text))


def _files(served: Served) -> dict[str, bytes]:
    return {link: served.client.get(link).content for link in _listed(served)}


def test_each_public_file_is_listed_with_the_sha256_of_what_one_downloads(world_on_each_database: Served) -> None:
    served = world_on_each_database
    listed = _listed(served)
    assert {f"/open-data/{IT}/{name}" for name in ("iati.xml", "flows.csv", "flows.xlsx", "flows.json")} <= set(listed)
    for link, digest in listed.items():
        first, again = served.client.get(link), served.client.get(link)
        assert first.status_code == 200, link
        assert hashlib.sha256(first.content).hexdigest() == digest == hashlib.sha256(again.content).hexdigest()
        assert first.headers["etag"] == f'"{digest}"' and "last-modified" in first.headers
    assert iati_problems(served.client.get(f"/open-data/{IT}/iati.xml").content) == []
    page = served.client.get("/open-data").text
    assert 'rel="license"' in page and "CC-BY-4.0" in page and "creativecommons.org/licenses/by/4.0" in page
    assert "Not published" in page  # the procurement the public may not read
    refused = served.client.get(f"/open-data/{IT}/ocds-releases.json")
    assert refused.status_code in (401, 403)
    assert served.client.get(f"/open-data/{IT}/secrets.csv").status_code == 404


def test_a_restricted_contribution_is_in_no_public_file_nor_the_feed(world_on_each_database: Served) -> None:
    served = world_on_each_database
    before = _listed(served)
    restricted = served.client.post(f"{V}/contributions", headers=served.as_role("secretariat"), json={
        "kind": "pledge", "coalition": IT, "fund": "it-coalition-fund", "donor": "LV",
        "amount": {"amount": "987654.31", "currency": "EUR"}, "value_date": "2024-05-02",
        "external_ref": "LV-OPEN-DATA-SECRET", "visibility": "restricted", "restricted_to": ["LU"]})
    assert restricted.status_code == 201, restricted.text
    secret_id = restricted.json()["id"]
    files = _files(served)
    assert _listed(served) == before  # nothing the public may see changed, so neither did a byte of its files
    feed = served.client.get("/open-data/feed.atom").text
    for content in [*files.values(), feed.encode()]:
        for mark in (b"LV-OPEN-DATA-SECRET", b"987654.31", b"987654,31", b"987,654.31", b"987 654,31"):
            assert mark not in content
    assert f":contribution:{secret_id}<" not in feed

    public = served.client.post(f"{V}/contributions", headers=served.as_role("secretariat"), json={
        "kind": "pledge", "coalition": IT, "fund": "it-coalition-fund", "donor": "LV",
        "amount": {"amount": "123456.79", "currency": "EUR"}, "value_date": "2024-05-03",
        "external_ref": "LV-OPEN-DATA-PUBLIC"})
    assert public.status_code == 201, public.text
    after = _listed(served)
    assert after[f"/open-data/{IT}/flows.csv"] != before[f"/open-data/{IT}/flows.csv"]
    assert b"LV-OPEN-DATA-PUBLIC" in served.client.get(f"/open-data/{IT}/flows.csv").content
    assert f"urn:coalition:{IT}:contribution:{public.json()['id']}" in served.client.get("/open-data/feed.atom").text


def test_the_feed_is_atom_in_the_readers_language(world_on_each_database: Served) -> None:
    client = world_on_each_database.client
    english = client.get("/open-data/feed.atom", headers={"Accept-Language": "en"})
    assert english.headers["content-type"].startswith("application/atom+xml")
    feed = etree.fromstring(english.content)
    assert feed.tag == f"{ATOM}feed" and feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    entries = feed.findall(f"{ATOM}entry")
    assert entries and {e.find(f"{ATOM}category").get("term") for e in entries} == {"contribution", "decision"}
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True) and feed.findtext(f"{ATOM}updated") == updated[0]
    for entry in entries:
        assert entry.findtext(f"{ATOM}id").startswith("urn:coalition:") and entry.findtext(f"{ATOM}title")
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
    ukrainian = etree.fromstring(client.get("/open-data/feed.atom", headers={"Accept-Language": "uk"}).content)
    assert ukrainian.get("{http://www.w3.org/XML/1998/namespace}lang") == "uk"
    assert ukrainian.findtext(f"{ATOM}title") != feed.findtext(f"{ATOM}title")
    assert re.search("[а-яіїєґ]", ukrainian.findtext(f"{ATOM}title"))


def test_the_audit_log_is_searched_over_http_newest_first(world_on_each_database: Served) -> None:
    client, auditor = world_on_each_database.client, world_on_each_database.as_role("platform-admin")
    votes = client.get(f"{V}/audit", headers=auditor, params={"action": "cast_vote", "newest_first": "true",
                                                              "limit": 5}).json()
    seqs = [r["seq"] for r in votes["items"]]
    assert len(seqs) == 5 and seqs == sorted(seqs, reverse=True) and votes["total"] > 5
    assert {r["action"] for r in votes["items"]} == {"cast_vote"}
    older = client.get(f"{V}/audit", headers=auditor, params={"action": "cast_vote", "newest_first": "true",
                                                              "before": seqs[-1], "limit": 5}).json()
    assert older["items"][0]["seq"] < seqs[-1]
    tail = client.get(f"{V}/audit", headers=auditor, params={"after": 3, "limit": 2}).json()
    assert [r["seq"] for r in tail["items"]] == [4, 5]
    refused = client.get(f"{V}/audit", headers=auditor, params={"since": "2026-12-02", "until": "2026-12-01"})
    assert refused.status_code == 422 and refused.json()["field"] == "since"
    assert client.get(f"{V}/audit", params={"action": "cast_vote"}).status_code == 401


def test_the_audit_log_downloads_whole_newest_first_with_its_filters(world_on_each_database: Served,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(downloads, "DOWNLOAD_PAGE", 2)  # many pages, walked backwards
    client, admin = world_on_each_database.client, world_on_each_database.as_role("platform-admin")
    wanted = {"action": "cast_vote", "newest_first": "true"}
    listed = client.get(f"{V}/audit", headers=admin, params={**wanted, "limit": 500}).json()
    assert listed["total"] > 5
    rows = list(csv.DictReader(io.StringIO(client.get(f"{V}/audit", headers=admin,
                                                      params={**wanted, "format": "csv"}).text)))
    assert [int(r["seq"]) for r in rows] == [r["seq"] for r in listed["items"]]
    assert {r["action"] for r in rows} == {"cast_vote"}


def _text(response: object) -> str:
    """What a file says, as text: an XLSX workbook's cells joined, anything else as it came."""
    content_type = response.headers.get("content-type", "")  # type: ignore[attr-defined]
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook
        book = load_workbook(io.BytesIO(response.content), read_only=True)  # type: ignore[attr-defined]
        return "\n".join(" ".join("" if v is None else str(v) for v in row)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    return response.text  # type: ignore[attr-defined]


def test_a_restricted_contribution_is_in_no_public_export_download_page_or_feed(world_on_each_database: Served) -> None:
    """Whatever the public may fetch: the IATI and flows exports, every list and table download, the open-data
    files and feed, the ledger page and its table files; nothing of the restricted record (its amount, its
    reference) is in any, and where its row is listed at all its donor is not named."""
    served = world_on_each_database
    recorded = served.client.post(f"{V}/contributions", headers=served.as_role("secretariat"), json={
        "kind": "receipt", "coalition": IT, "fund": "it-coalition-fund", "donor": "LT",
        "amount": {"amount": "765432.19", "currency": "EUR"}, "value_date": "2024-06-03",
        "external_ref": "LT-RESTRICTED-EVERYWHERE", "visibility": "restricted", "restricted_to": ["LU"]})
    assert recorded.status_code == 201, recorded.text
    marks = ("LT-RESTRICTED-EVERYWHERE", "765432.19", "765432,19", "765,432.19", "765 432,19", "765\u00a0432,19")
    client = served.client
    urls = [f"{V}/coalitions/{IT}/exports/iati.xml", "/open-data/feed.atom", "/open-data",
            *(f"{V}/coalitions/{IT}/exports/flows?format={f}" for f in ("csv", "xlsx", "json")),
            *(f"{V}/contributions?coalition={IT}&format={f}" for f in ("csv", "xlsx", "json")),
            f"/coalitions/{IT}/ledger", f"/coalitions/{IT}", *_listed(served)]
    ledger = client.get(f"/coalitions/{IT}/ledger").text
    urls += [f"/coalitions/{IT}/ledger?download={f}&table={n}" for f in ("csv", "xlsx")
             for n in range(ledger.count("<table"))]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        text = _text(answer)
        assert not [m for m in marks if m in text], url
    listed = client.get(f"{V}/contributions", params={"coalition": IT, "limit": 500}).json()["items"]
    row = next((item for item in listed if item["id"] == recorded.json()["id"]), None)
    assert row is None or (row["external_ref"] is None and row.get("amount") is None)
    for refused in (f"{V}/reports/funding/{IT}/pdf", f"{V}/reports/donors/LT/pdf",
                    f"/open-data/{IT}/ocds-releases.json"):
        assert client.get(refused).status_code in (401, 403), refused
