"""The printed reports over HTTP, on both databases: the funding report and the donor statement as PDF, in the
language the caller asks for (Accept-Language, or ``lang``), holding only what the caller may see; documented in
the OpenAPI schema as application/pdf; a bad language refused naming the field."""

from __future__ import annotations

import io

import pypdf

from tests.api.conftest import Served

V = "/api/v1"
IT = "it-coalition"


def _text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_the_funding_report_pdf_follows_the_callers_language_and_masking(world_on_each_database: Served) -> None:
    world = world_on_each_database
    secretariat = world.client.get(f"{V}/reports/funding/{IT}/pdf", headers=world.as_role("secretariat"))
    assert secretariat.status_code == 200 and secretariat.headers["content-type"] == "application/pdf"
    assert 'filename="it-coalition-funding-en.pdf"' in secretariat.headers["content-disposition"]
    english = _text(secretariat.content)
    assert "Funding report: IT Coalition" in english and "Page 1 of" in english and "Netherlands" in english
    latvia = world.client.get(f"{V}/reports/funding/{IT}/pdf", params={"on": "2024-06-30"},
                              headers={**world.as_role("member-representative"), "Accept-Language": "uk-UA,uk;q=0.9"})
    assert latvia.status_code == 200, latvia.text
    ukrainian = _text(latvia.content)
    assert "Звіт про фінансування" in ukrainian and "Сторінка 1 з" in ukrainian and "30 черв. 2024" in ukrainian
    assert "Нідерланди" not in ukrainian and "(обмежено)" in ukrainian  # NL's records are restricted to NL
    chosen = world.client.get(f"{V}/reports/funding/{IT}/pdf", params={"lang": "en"},
                              headers={**world.as_role("lead"), "Accept-Language": "uk"})
    assert "Funding report" in _text(chosen.content)


def test_the_donor_statement_pdf_and_the_refusals(world_on_each_database: Served) -> None:
    world = world_on_each_database
    statement = world.client.get(f"{V}/reports/donors/EE/pdf", headers=world.as_role("auditor"))
    assert statement.status_code == 200 and "Donor statement: Estonia" in _text(statement.content)
    assert world.client.get(f"{V}/reports/donors/EE/pdf").status_code == 401
    refused = world.client.get(f"{V}/reports/funding/{IT}/pdf", params={"lang": "de"},
                               headers=world.as_role("secretariat"))
    assert refused.status_code == 422 and refused.json()["field"] == "lang", refused.text
    assert world.client.get(f"{V}/reports/funding/no-such/pdf",
                            headers=world.as_role("platform-admin")).status_code == 404


def test_the_pdf_routes_are_documented_as_pdf(world_on_each_database: Served) -> None:
    paths = world_on_each_database.client.get(f"{V}/openapi.json").json()["paths"]
    for path in (f"{V}/reports/funding/{{coalition}}/pdf", f"{V}/reports/donors/{{donor}}/pdf"):
        content = paths[path]["get"]["responses"]["200"]["content"]
        assert list(content) == ["application/pdf"], content
