"""The PDF links of the pages: the funding report on the overview and the ledger, the statement on the donor's
page; each PDF is the viewer's (what it may see, in its language), and refused to who may not read funding."""

from __future__ import annotations

import io

import pypdf
from fastapi.testclient import TestClient

from tests.web.test_pages import IT, client, csrf, sign_in

__all__ = ["client"]  # the pages' test client: the demo world and its users on each database


def _text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_the_pages_link_their_pdf_in_the_viewers_language(client: TestClient) -> None:
    assert client.get(f"{IT}/funding.pdf").status_code == 401
    assert "funding.pdf" not in client.get(IT).text  # the public may not read funding: no link
    sign_in(client, "lv-desk")
    for page in (IT, f"{IT}/ledger"):
        assert f'href="{IT}/funding.pdf"' in client.get(page).text, page
    assert f'href="{IT}/funding.pdf?on=2024-03-06"' in client.get(f"{IT}/ledger?on=2024-03-06").text
    assert 'href="/donors/EE/statement.pdf"' in client.get("/donors/EE").text
    english = client.get(f"{IT}/funding.pdf")
    assert english.status_code == 200 and english.headers["content-type"] == "application/pdf"
    text = _text(english.content)
    assert "Funding report: IT Coalition" in text and "Netherlands" not in text  # NL's money is NL's to see
    client.post("/language", data={"csrf_token": csrf(client, "/"), "language": "uk", "next": IT})
    assert "Завантажити як PDF" in client.get(IT).text
    ukrainian = _text(client.get("/donors/EE/statement.pdf").content)
    assert "Виписка донора: Естонія" in ukrainian and "Сторінка 1 з" in ukrainian
