"""The documents page, on both databases: a record's papers listed with download links, the upload form for those
who may attach, a file attached through it (its type read from its content), refusals shown as a message, the
page refused to a viewer who may not see the record; the procurement and overview pages link to it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.services import documents
from tests.integration.helpers import dump
from tests.web.test_pages import csrf, sign_in

CONTRACT = "NSPA-IT-C001"
PAGE = f"/documents?record_type=contract&record_id={CONTRACT}"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def test_attach_through_the_page_and_download(client: TestClient, platform: Platform):
    token = sign_in(client, "nspa")
    page = client.get(PAGE)
    assert page.status_code == 200 and "Attach a document" in page.text
    answer = client.post("/documents", data={"csrf_token": token, "record_type": "contract", "record_id": CONTRACT,
                                             "supersedes": ""},
                         files={"file": ("Контракт.txt", PDF, "text/plain")}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/documents?record_type=contract")
    shown = client.get(PAGE)
    assert "Контракт.txt" in shown.text and "application/pdf" in shown.text
    listed = documents.list_documents(platform.uow(), platform.operator(), "contract", CONTRACT)
    assert [x.document.name for x in listed] == ["Контракт.txt"]
    link = f"/api/v1/documents/{listed[0].document.id}/content"
    assert link in shown.text
    assert client.get(link).content == PDF  # the browser's session downloads it
    # A program is refused, shown as a message naming why; nothing is written.
    before = dump(platform.engine)
    refused = client.post("/documents", data={"csrf_token": token, "record_type": "contract", "record_id": CONTRACT},
                          files={"file": ("report.pdf", b"MZ\x90\x00" + bytes(100), "application/pdf")})
    assert "not one of the kinds of document accepted" in refused.text
    assert dump(platform.engine) == before
    forged = client.post("/documents", data={"csrf_token": "forged", "record_type": "contract", "record_id": CONTRACT},
                         files={"file": ("a.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert forged.status_code == 403 and dump(platform.engine) == before


def test_the_page_follows_the_record(client: TestClient, platform: Platform):
    documents.attach(platform.uow(), platform.document_store, platform.operator(), "contract", CONTRACT, "c.pdf", PDF)
    assert client.get(PAGE).status_code == 401  # the public may not see the contract
    sign_in(client, "lv-desk")  # a member reads the contract's papers, and may not attach
    page = client.get(PAGE)
    assert page.status_code == 200 and "c.pdf" in page.text and "Attach a document" not in page.text
    client.post("/language", data={"csrf_token": csrf(client, "/"), "language": "uk", "next": "/"})
    assert "Документи" in client.get(PAGE).text
    sign_in(client, "ua-tu-1")  # a unit's officer may not read the contract
    assert client.get(PAGE).status_code == 403


def test_the_pages_link_to_the_papers(client: TestClient):
    sign_in(client, "secretariat")
    assert PAGE.replace("&", "&amp;") in client.get("/coalitions/it-coalition/procurement").text
    assert "/documents?record_type=instrument&amp;record_id=it-coalition-ca" in client.get(
        "/coalitions/it-coalition").text
