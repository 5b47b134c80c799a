"""Documents over HTTP, on both engines: upload (the body is the file), list, metadata, download with the detected
type and a safe name; a restricted contract's document refused to callers that may not see the contract; an upload
larger than a document may be refused before it is stored."""

from __future__ import annotations

from urllib.parse import quote

from coalition.domain.documents import digest
from tests.api.conftest import Served

CONTRACT = "NSPA-IT-C001"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
NAME = "Акт приймання.txt"  # a PDF whatever its name says


def _upload(world: Served, role: str, content: bytes = PDF, **params: object):
    query = {"record_type": "contract", "record_id": CONTRACT, "filename": NAME, **params}
    return world.client.post("/api/v1/documents", params=query, content=content,
                             headers={**world.as_role(role), "Content-Type": "application/octet-stream"})


def test_upload_list_read_and_download(world_on_each_database: Served):
    world = world_on_each_database
    answer = _upload(world, "procurement-officer")
    assert answer.status_code == 201, answer.text
    document = answer.json()
    assert (document["media_type"], document["sha256"], document["name"]) == ("application/pdf", digest(PDF), NAME)
    listed = world.client.get("/api/v1/documents", params={"record_type": "contract", "record_id": CONTRACT},
                              headers=world.as_role("member-representative"))
    assert listed.status_code == 200 and document["id"] in [d["id"] for d in listed.json()]
    one = world.client.get(f"/api/v1/documents/{document['id']}", headers=world.as_role("auditor"))
    assert one.status_code == 200 and one.json()["size"] == len(PDF)
    file = world.client.get(f"/api/v1/documents/{document['id']}/content", headers=world.as_role("lead"))
    assert file.status_code == 200 and file.content == PDF
    assert file.headers["content-type"] == "application/pdf"
    assert file.headers["x-content-type-options"] == "nosniff"
    assert f"filename*=UTF-8''{quote(NAME, safe='')}" in file.headers["content-disposition"]
    assert file.headers["content-disposition"].startswith("attachment;")
    later = _upload(world, "secretariat", PDF + b"% v2\n", supersedes=document["id"])
    assert later.status_code == 201 and later.json()["supersedes"] == document["id"]
    again = world.client.get(f"/api/v1/documents/{document['id']}", headers=world.as_role("auditor"))
    assert again.json()["superseded_by"] == later.json()["id"]


def test_a_restricted_contracts_document_is_refused_as_the_contract_is(world_on_each_database: Served):
    world = world_on_each_database
    document = _upload(world, "platform-admin").json()
    for role, status in (("public", 401), ("supplier", 403), ("unit-logistics-officer", 403),
                         ("expert-reviewer", 403)):
        contract = world.client.get(f"/api/v1/contracts/{CONTRACT}", headers=world.as_role(role))
        assert contract.status_code == status, (role, contract.text)
        for path in (f"/api/v1/documents/{document['id']}", f"/api/v1/documents/{document['id']}/content"):
            refused = world.client.get(path, headers=world.as_role(role))
            assert refused.status_code == status, (role, path)
            assert PDF.decode() not in refused.text
            assert refused.json()["message"] == contract.json()["message"]
        listed = world.client.get("/api/v1/documents", params={"record_type": "contract", "record_id": CONTRACT},
                                  headers=world.as_role(role))
        assert listed.status_code == status, role
    assert _upload(world, "member-representative").status_code == 403


def test_bad_uploads_are_refused_naming_the_field(world_on_each_database: Served):
    world = world_on_each_database
    program = _upload(world, "platform-admin", b"MZ\x90\x00" + bytes(200), filename="invoice.pdf")
    assert program.status_code == 422 and program.json()["field"] == "file"
    empty = _upload(world, "platform-admin", b"")
    assert empty.status_code == 422 and empty.json()["field"] == "body"
    missing = _upload(world, "platform-admin", record_id="NO-SUCH")
    assert missing.status_code == 404 and missing.json()["field"] == "record_id"
    kind = _upload(world, "platform-admin", record_type="invoice")
    assert kind.status_code == 422
    too_large = _upload(world, "platform-admin", PDF + b"%" * (world.platform.settings.document_max_bytes + 70_000))
    assert too_large.status_code == 413
