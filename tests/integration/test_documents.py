"""Documents attached to records, on both engines: attached and listed, held by the audit chain, a changed or
missing file named by `documents verify`, the same bytes stored once, superseded and never deleted, the type read
from the content, oversized files and bad names refused, and a restricted contract's papers refused to a party
that may not see the contract."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from coalition.adapters.documents import DiskDocumentStore
from coalition.bootstrap import Platform
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.documents import digest
from coalition.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from coalition.services import documents as svc
from coalition.services.audit import verify_audit, verify_audit_deep
from coalition.services.views.delivery import get_contract
from tests.demo_copies import give_demo_world
from tests.integration.helpers import dump, run

IT = "it-coalition"
CONTRACT = "NSPA-IT-C001"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56)


@pytest.fixture
def world(platform: Platform) -> Platform:
    give_demo_world(platform)
    return platform


def _store(platform: Platform) -> DiskDocumentStore:
    store = platform.document_store
    assert isinstance(store, DiskDocumentStore)
    return store


def test_attached_listed_hashed_in_the_chain_and_a_changed_file_named(world: Platform,
                                                                      capsys: pytest.CaptureFixture[str]):
    admin = world.operator()
    document = svc.attach(world.uow(), world.document_store, admin, "contract", CONTRACT, "contract.pdf", PDF)
    assert (document.media_type, document.size, document.sha256) == ("application/pdf", len(PDF), digest(PDF))
    listed = svc.list_documents(world.uow(), admin, "contract", CONTRACT)
    assert [x.document.id for x in listed] == [document.id] and listed[0].current
    # The audit chain holds the hash, name, type, size and uploader; the chain and the row proofs hold.
    with world.uow() as uow:
        record = [r for r in uow.audit.records() if r.object_type == "document"][-1]
    assert record.action == "attach_document"
    assert record.after == {"record_type": "contract", "record_id": CONTRACT, "sha256": digest(PDF),
                            "name": "contract.pdf", "media_type": "application/pdf", "size": len(PDF),
                            "uploaded_by": admin.user, "supersedes": None}
    assert verify_audit(world.uow(), admin).ok
    assert verify_audit_deep(world.uow(), admin).ok
    code, out, _ = run(world, capsys, "documents", "verify")
    assert code == 0 and "1 files" in " ".join(out.split())
    # Someone changes the file on disk: `documents verify` names it and fails; the download is refused.
    path = _store(world).path(document.sha256)
    path.chmod(0o644)
    path.write_bytes(PDF.replace(b"Catalog", b"Catalogue"))
    code, out, err = run(world, capsys, "documents", "verify")
    assert code == 6
    said = " ".join(err.split())
    assert f"document {document.id} 'contract.pdf' of contract {CONTRACT} is changed" in said
    code, out, _ = run(world, capsys, "documents", "verify", "--json")
    assert code == 6
    found = json.loads(out)
    assert found["ok"] is False and found["problems"][0]["document"] == document.id
    assert found["problems"][0]["problem"] == "changed" and found["problems"][0]["expected"] == digest(PDF)
    with pytest.raises(Exception, match="has changed since it was attached"):
        svc.download(world.uow(), world.document_store, admin, document.id)
    path.unlink()
    report = svc.verify_documents(world.uow(), world.document_store, admin)
    assert [(p.document.id, p.problem) for p in report.problems] == [(document.id, "missing")]


def test_the_same_bytes_are_stored_once_and_a_superseded_document_stays(world: Platform):
    admin = world.operator()
    first = svc.attach(world.uow(), world.document_store, admin, "instrument", "it-coalition-ca", "agreement.pdf", PDF)
    again = svc.attach(world.uow(), world.document_store, admin, "instrument", "it-coalition-doi-gb", "doi.pdf", PDF)
    assert first.sha256 == again.sha256
    stored = [p for p in _store(world).root.rglob("*") if p.is_file()]
    assert stored == [_store(world).path(first.sha256)]
    signed = PDF.replace(b"%%EOF", b"% signed\n%%EOF")
    later = svc.attach(world.uow(), world.document_store, admin, "instrument", "it-coalition-ca",
                       "agreement-signed.pdf", signed, supersedes=first.id)
    listed = svc.list_documents(world.uow(), admin, "instrument", "it-coalition-ca")
    assert [(x.document.id, x.superseded_by) for x in listed] == [(first.id, later.id), (later.id, None)]
    assert svc.download(world.uow(), world.document_store, admin, first.id)[1] == PDF  # the old one stays readable
    with pytest.raises(Conflict, match=f"already superseded by document {later.id}"):
        svc.attach(world.uow(), world.document_store, admin, "instrument", "it-coalition-ca", "x.pdf", signed,
                   supersedes=first.id)
    with pytest.raises(InvalidInput, match="not to this record") as refused:
        svc.attach(world.uow(), world.document_store, admin, "instrument", "it-coalition-doi-gb", "x.pdf", signed,
                   supersedes=later.id)
    assert refused.value.field == "supersedes"
    with pytest.raises(NotFound) as missing:
        svc.attach(world.uow(), world.document_store, admin, "instrument", "it-coalition-ca", "x.pdf", signed,
                   supersedes=999)
    assert missing.value.field == "supersedes"


def test_the_type_comes_from_the_content_never_the_name(world: Platform):
    admin = world.operator()
    as_text = svc.attach(world.uow(), world.document_store, admin, "contract", CONTRACT, "notes.txt", PDF)
    assert as_text.media_type == "application/pdf"
    csv = svc.attach(world.uow(), world.document_store, admin, "contract", CONTRACT, "lines.pdf",
                     "лінія,кількість\n1,40\n".encode())
    assert csv.media_type == "text/plain"
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    docx = svc.attach(world.uow(), world.document_store, admin, "contract", CONTRACT, "terms", packed.getvalue())
    assert docx.media_type.endswith("wordprocessingml.document")
    before = dump(world.engine)
    with pytest.raises(InvalidInput, match="not one of the kinds of document accepted") as refused:
        svc.attach(world.uow(), world.document_store, admin, "contract", CONTRACT, "invoice.pdf", ELF)
    assert refused.value.field == "file"
    assert dump(world.engine) == before
    assert not _store(world).path(digest(ELF)).exists()


def test_an_oversized_file_is_refused_naming_the_field_and_nothing_is_written(world: Platform,
                                                                             capsys: pytest.CaptureFixture[str],
                                                                             tmp_path: Path):
    admin = world.operator()
    before = dump(world.engine)
    big = PDF + b"%" * 5000
    with pytest.raises(InvalidInput, match="more than the 2048 a document may have") as refused:
        svc.attach(world.uow(), world.document_store, admin, "contract", CONTRACT, "big.pdf", big, max_bytes=2048)
    assert refused.value.field == "file"
    assert dump(world.engine) == before and not _store(world).path(digest(big)).exists()
    world.settings = world.settings.model_copy(update={"document_max_bytes": 2048})
    (tmp_path / "big.pdf").write_bytes(big)
    code, _, err = run(world, capsys, "documents", "attach", "contract", CONTRACT, str(tmp_path / "big.pdf"))
    assert code == 2 and "FILE" in err and "more than the 2048" in err
    assert dump(world.engine) == before


def test_names_are_cleaned_and_records_checked(world: Platform):
    admin = world.operator()
    document = svc.attach(world.uow(), world.document_store, admin, "contract", CONTRACT,
                          "../../etc/\x00Акт\u202e прийому\t передачі.pdf", PDF)
    assert document.name == "Акт прийому передачі.pdf"
    long = svc.attach(world.uow(), world.document_store, admin, "contract", CONTRACT, "я" * 400 + ".pdf", PDF)
    assert len(long.name) == 200 and long.name.endswith(".pdf")
    for name in ("", "../", "\x00\x01"):
        with pytest.raises(InvalidInput) as refused:
            svc.attach(world.uow(), world.document_store, admin, "contract", CONTRACT, name, PDF)
        assert refused.value.field == "name"
    with pytest.raises(NotFound) as missing:
        svc.attach(world.uow(), world.document_store, admin, "contract", "NO-SUCH", "a.pdf", PDF)
    assert missing.value.field == "record_id"
    with pytest.raises(InvalidInput, match="not a record that holds documents"):
        svc.attach(world.uow(), world.document_store, admin, "invoice", CONTRACT, "a.pdf", PDF)
    with pytest.raises(InvalidInput, match="whole number"):
        svc.attach(world.uow(), world.document_store, admin, "meeting", "first", "a.pdf", PDF)


def test_a_restricted_contracts_document_is_refused_to_a_party_that_may_not_see_the_contract(world: Platform):
    admin = world.operator()
    document = svc.attach(world.uow(), world.document_store, admin, "contract", CONTRACT, "contract.pdf", PDF)
    outsider = Actor("drone-member", "GB", frozenset({Grant(Role.MEMBER_REPRESENTATIVE, "drone-coalition")}))
    supplier = Actor("other-supplier", "CZ", frozenset({Grant(Role.SUPPLIER, IT)}))
    member = Actor("lv-desk", "LV", frozenset({Grant(Role.MEMBER_REPRESENTATIVE, IT)}))
    for viewer in (outsider, supplier, Actor("anonymous")):
        with pytest.raises(PermissionDenied) as as_record:
            get_contract(world.uow(), viewer, CONTRACT)
        with pytest.raises(PermissionDenied) as as_document:
            svc.download(world.uow(), world.document_store, viewer, document.id)
        assert str(as_document.value) == str(as_record.value)
        with pytest.raises(PermissionDenied):
            svc.list_documents(world.uow(), viewer, "contract", CONTRACT)
        with pytest.raises(PermissionDenied):
            svc.get_document(world.uow(), viewer, document.id)
    assert svc.download(world.uow(), world.document_store, member, document.id)[1] == PDF
    with pytest.raises(PermissionDenied):
        svc.attach(world.uow(), world.document_store, member, "contract", CONTRACT, "mine.pdf", PDF)


def test_every_kind_of_record_takes_papers(world: Platform):
    admin = world.operator()
    with world.uow() as uow:
        contract = uow.procurement.get_contract(CONTRACT)
        assert contract is not None
        tender = contract.tender
        shipments = uow.procurement.shipments([CONTRACT])
        receipts = uow.procurement.receipts([s.id for s in shipments if s.id is not None])
        meetings = uow.steering.meetings(IT)
        proposals = uow.steering.proposals(IT)
    records = [("instrument", "it-coalition-ca"), ("meeting", str(meetings[0].id)), ("case", contract.case),
               ("contract", CONTRACT), ("contract-version", f"{CONTRACT}/1"), ("proposal", str(proposals[0].id))]
    records += [("tender", tender)] if tender else []
    records += [("shipment", str(shipments[0].id))] if shipments else []
    records += [("receipt", str(receipts[0].id))] if receipts else []
    decided = [p for p in proposals if p.outcome is not None]
    records += [("decision", str(decided[0].id))] if decided else []
    for kind, key in records:
        document = svc.attach(world.uow(), world.document_store, admin, kind, key, f"{kind}.pdf", PDF)
        assert [x.document.id for x in svc.list_documents(world.uow(), admin, kind, key)] == [document.id], kind
    with pytest.raises(NotFound):
        svc.attach(world.uow(), world.document_store, admin, "contract-version", f"{CONTRACT}/99", "v.pdf", PDF)


def test_the_command_line_attaches_lists_and_writes_back(world: Platform, capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path):
    source = tmp_path / "Протокол засідання.pdf"
    source.write_bytes(PDF)
    code, out, err = run(world, capsys, "documents", "attach", "instrument", "it-coalition-ca", str(source))
    assert code == 0, err
    said = " ".join(out.split())
    assert "Attached document" in said and "'Протокол засідання.pdf'" in said and digest(PDF) in said
    code, out, _ = run(world, capsys, "documents", "list", "instrument", "it-coalition-ca", "--json")
    listed = json.loads(out)
    assert code == 0 and listed[0]["sha256"] == digest(PDF) and listed[0]["superseded_by"] is None
    target = tmp_path / "out.pdf"
    code, _, err = run(world, capsys, "documents", "get", str(listed[0]["id"]), "--output", str(target))
    assert code == 0, err
    assert target.read_bytes() == PDF
    code, _, err = run(world, capsys, "documents", "get", str(listed[0]["id"]), "--output", str(target))
    assert code == 5 and "--force" in err
    code, _, err = run(world, capsys, "documents", "attach", "instrument", "it-coalition-ca", str(tmp_path / "none"))
    assert code == 3 and "FILE" in err


def test_a_backup_says_where_the_documents_files_are(world: Platform, capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path):
    svc.attach(world.uow(), world.document_store, world.operator(), "contract", CONTRACT, "contract.pdf", PDF)
    code, _, err = run(world, capsys, "backup", str(tmp_path / "coalition.backup"))
    said = " ".join(err.split())
    assert code == 0 and "the files of the 1 documents are not in the backup" in said
    assert _store(world).location in said
