"""Downloads from the pages, on both databases: every table is followed by CSV and XLSX links in the viewer's
language; a table's file holds its cells as the viewer sees them, headers in that language; the ledger's table
links to the whole list, streamed by the API with the browser's session and masked as on the page."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from coalition.bootstrap import Platform
from coalition.entrypoints.web.downloads import tables_of
from coalition.services import funding
from tests.web.test_pages import csrf, sign_in

IT = "/coalitions/it-coalition"
PAGES = (IT, f"{IT}/priorities", f"{IT}/plans", "/donors/EE", f"{IT}/steering", f"{IT}/ledger", f"{IT}/procurement")


def _links(page: str) -> list[str]:
    """The links after the tables (not the page's other downloads)."""
    return [href.replace("&amp;", "&") for links in re.findall(r'<p class="downloads muted">(.*?)</p>', page)
            for href in re.findall(r'<a href="([^"]+)" download>', links)]


@pytest.mark.parametrize(("language", "csv_text", "header_word"), [("en", "Download CSV", "Donor"),
                                                                   ("uk", "Завантажити CSV", "Донор")])
def test_every_table_has_links_whose_files_hold_its_cells_in_the_viewers_language(
        client: TestClient, language: str, csv_text: str, header_word: str) -> None:
    token = sign_in(client, "secretariat")
    client.post("/language", data={"csrf_token": token, "language": language, "next": "/"})
    headers_seen: set[str] = set()
    for path in PAGES:
        page = client.get(path).text
        tables = tables_of(page)
        assert tables and page.count(csv_text) == len(tables), path
        links = _links(page)
        assert len(links) == 2 * len(tables), path
        for number, (header, rows) in enumerate(tables):
            csv_link, xlsx_link = links[2 * number], links[2 * number + 1]
            if csv_link.startswith("/api/"):
                continue  # the whole list: below
            answer = client.get(csv_link)
            assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv"), csv_link
            assert "attachment" in answer.headers["content-disposition"]
            found = list(csv.reader(io.StringIO(answer.text)))
            assert found[0] == header
            assert found[1:] == [["'" + c if c[:1] in "=+-@" and c else c for c in row] for row in rows]
            headers_seen.update(header)
            book = client.get(xlsx_link)
            assert book.status_code == 200, xlsx_link
            sheet = load_workbook(io.BytesIO(book.content), read_only=True).worksheets[0]
            cells = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
            assert cells[0] == header and len(cells) == len(rows) + 1
    assert header_word in headers_seen


def test_the_ledgers_table_downloads_the_whole_list_masked_as_on_the_page(client: TestClient,
                                                                          platform: Platform) -> None:
    sign_in(client, "lv-desk")
    page = client.get(f"{IT}/ledger?kind=pledge").text
    whole = [link for link in _links(page) if link.startswith("/api/v1/contributions")]
    assert whole == ["/api/v1/contributions?coalition=it-coalition&kind=pledge&format=csv",
                     "/api/v1/contributions?coalition=it-coalition&kind=pledge&format=xlsx"]
    answer = client.get(whole[0])  # the browser's session, no token
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    expected = funding.list_contributions(platform.uow(), platform.operator(), coalition="it-coalition",
                                          kind=funding.ContributionKind.PLEDGE, limit=10_000).total
    assert len(rows) == expected and {r["kind"] for r in rows} == {"pledge"}
    assert any(r["masked"] == "true" for r in rows) and "NL-" not in answer.text  # as the page masks them
    book = client.get(whole[1])
    assert book.status_code == 200
    assert len(list(load_workbook(io.BytesIO(book.content), read_only=True).worksheets[0].iter_rows())) == expected + 1
    client.cookies.clear()
    client.get("/login")
    assert client.get(whole[0]).status_code == 200  # the public may read the ledger, masked
    assert csrf(client)


def test_a_table_that_is_not_on_the_page_is_refused_naming_the_field(client: TestClient) -> None:
    sign_in(client, "secretariat")
    assert client.get(f"{IT}?download=csv&table=99").status_code == 422
    refused = client.get(f"{IT}?download=pdf&table=0")
    assert refused.status_code == 422 and "download" in refused.text
