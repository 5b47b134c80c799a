"""Documents attached to records: attach (or supersede), list, read, download, and check every stored file.

A document follows its record: whoever may read the record may read its documents and gets the record's own
refusal otherwise; whoever may write it may attach them (``domain.documents.ACTIONS``). The bytes go to the store
before the metadata is committed: the store is content-addressed, so a file left by a transaction that rolled back
is harmless, and the same bytes attached twice are stored once. The audit record of an attachment holds the file's
SHA-256, name, type, size and uploader, so ``audit verify`` proves which file was attached, and
``verify_documents`` proves the stored files are still those files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from coalition.domain.access import Actor, Permission, can, can_act_for
from coalition.domain.audit import AuditEvent
from coalition.domain.documents import (
    ACTIONS,
    DEFAULT_MAX_BYTES,
    Document,
    DocumentProblem,
    Listed,
    RecordType,
    check_size,
    clean_name,
    digest,
    media_type_of,
    record_key,
    record_type,
)
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, NotFound, refusal
from coalition.domain.procurement import Contract, ProcurementCase
from coalition.services.audit import record_change, require
from coalition.services.ports import DocumentStore, UnitOfWork


@dataclass(frozen=True, slots=True)
class Holder:
    """The record a document is attached to, as its permissions see it: the coalition (or programme) whose
    grants count, and the party an own-party role must act for (a contract's supplier, a receiving unit)."""

    kind: RecordType
    key: str
    scope: str
    party: str | None = None

    def may_read(self, actor: Actor) -> Permission:
        allowed = can(actor, ACTIONS[self.kind][0], self.scope)
        return allowed if allowed else (self.may_write(actor) or allowed)

    def may_write(self, actor: Actor) -> Permission:
        write = ACTIONS[self.kind][1]
        return can(actor, write, self.scope) if self.party is None else can_act_for(actor, write, self.scope,
                                                                                   self.party)


def _missing(kind: RecordType, key: str) -> NotFound:
    return refusal(NotFound, "no {kind} '{key}'", field="record_id", kind=kind.value, key=key)


def _case(uow: UnitOfWork, code: str, kind: RecordType, key: str) -> ProcurementCase:
    found = uow.procurement.get_case(code)
    if found is None:
        raise _missing(kind, key)
    return found


def _contract(uow: UnitOfWork, code: str, kind: RecordType, key: str) -> tuple[Contract, ProcurementCase]:
    found = uow.procurement.get_contract(code)
    if found is None:
        raise _missing(kind, key)
    return found, _case(uow, found.case, kind, key)


def _instrument(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    found = uow.instruments.get(key)
    if found is None:
        raise _missing(kind, key)
    return Holder(kind, key, found.coalition)


def _meeting(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    found = uow.steering.get_meeting(int(key))
    if found is None:
        raise _missing(kind, key)
    return Holder(kind, key, found.coalition)


def _proposal(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    found = uow.steering.get_proposal(int(key))
    if found is None or (kind is RecordType.DECISION and found.outcome is None):
        raise _missing(kind, key)
    return Holder(kind, key, found.coalition)


def _procurement_case(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    return Holder(kind, key, _case(uow, key, kind, key).coalition)


def _tender(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    found = uow.procurement.get_tender(key)
    if found is None:
        raise _missing(kind, key)
    return Holder(kind, key, _case(uow, found.case, kind, key).coalition)


def _bid(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    found = uow.procurement.get_bid(int(key))
    tender = None if found is None else uow.procurement.get_tender(found.tender)
    if tender is None:
        raise _missing(kind, key)
    return Holder(kind, key, _case(uow, tender.case, kind, key).coalition)


def _contract_record(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    code, _, number = key.rpartition("/") if kind is RecordType.CONTRACT_VERSION else (key, "", "")
    contract, case = _contract(uow, code, kind, key)
    if number and int(number) not in {v.version for v in contract.versions}:
        raise _missing(kind, key)
    return Holder(kind, key, case.coalition)


def _shipment(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    found = uow.procurement.get_shipment(int(key))
    if found is None:
        raise _missing(kind, key)
    contract, case = _contract(uow, found.contract, kind, key)
    return Holder(kind, key, case.coalition, contract.supplier)


def _receipt_scope(uow: UnitOfWork, receipt: int, kind: RecordType, key: str) -> tuple[str, str]:
    found = uow.procurement.get_receipt(receipt)
    shipment = None if found is None else uow.procurement.get_shipment(found.shipment)
    if found is None or shipment is None:
        raise _missing(kind, key)
    return _contract(uow, shipment.contract, kind, key)[1].coalition, found.unit


def _receipt(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    coalition, unit = _receipt_scope(uow, int(key), kind, key)
    return Holder(kind, key, coalition, unit)


def _check(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    found = uow.procurement.get_check(int(key))
    if found is None:
        raise _missing(kind, key)
    return Holder(kind, key, _receipt_scope(uow, found.receipt, kind, key)[0])


def _project_scope(uow: UnitOfWork, project: str, kind: RecordType, key: str) -> str:
    found = uow.innovation.get_project(project)
    call = None if found is None else uow.innovation.get_call(found.call)
    if call is None:
        raise _missing(kind, key)
    return call.owner


def _evidence(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    found = uow.innovation.get_evidence(int(key))
    if found is None:
        raise _missing(kind, key)
    return Holder(kind, key, _project_scope(uow, found.project, kind, key))


def _grant(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    found = uow.innovation.get_grant(key)
    if found is None:
        raise _missing(kind, key)
    return Holder(kind, key, _project_scope(uow, found.project, kind, key))


# How each kind of record is found, and where its permissions are checked.
FINDERS: dict[RecordType, Callable[[UnitOfWork, RecordType, str], Holder]] = {
    RecordType.INSTRUMENT: _instrument, RecordType.MEETING: _meeting, RecordType.PROPOSAL: _proposal,
    RecordType.DECISION: _proposal, RecordType.CASE: _procurement_case, RecordType.TENDER: _tender,
    RecordType.BID: _bid, RecordType.CONTRACT: _contract_record, RecordType.CONTRACT_VERSION: _contract_record,
    RecordType.SHIPMENT: _shipment, RecordType.RECEIPT: _receipt, RecordType.END_USE_CHECK: _check,
    RecordType.EVIDENCE: _evidence, RecordType.GRANT: _grant,
}


def find_record(uow: UnitOfWork, kind: RecordType, key: str) -> Holder:
    """The record ``key`` of ``kind`` (as record_key reads it), or NotFound naming record_id."""
    return FINDERS[kind](uow, kind, key)


def _load(uow: UnitOfWork, id: int, field: str = "document") -> Listed:
    found = uow.documents.get(id)
    if found is None:
        raise refusal(NotFound, "no document {id}", field=field, id=id)
    return found


def attach(uow: UnitOfWork, store: DocumentStore, actor: Actor, record_type_name: str, record_id: str, name: str,
           content: bytes, *, supersedes: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Attach ``content`` to the record, or put it in place of the record's document ``supersedes`` (which stays,
    marked superseded). Its size, type (from its content) and name are checked first; the bytes are stored
    before the metadata and its audit record are committed."""
    kind = record_type(record_type_name)
    key = record_key(kind, record_id)
    check_size(len(content), max_bytes)
    clean = clean_name(name)
    media = media_type_of(content, store.media_type(content))
    sha256 = digest(content)
    with uow:
        holder = find_record(uow, kind, key)
        require(holder.may_write(actor))
        if supersedes is not None:
            _check_supersedes(_load(uow, supersedes, "supersedes"), kind, key)
        store.put(sha256, content)
        document = uow.documents.add(Document(kind, key, sha256, clean, media, len(content), actor.user,
                                              uow.clock(), supersedes))
        record_change(uow, actor, AuditEvent("supersede_document" if supersedes else "attach_document", "document",
                                             str(document.id), None, document.describe()))
        uow.commit()
    return document


def _check_supersedes(old: Listed, kind: RecordType, key: str) -> None:
    if (old.document.record_type, old.document.record_id) != (kind, key):
        raise refusal(InvalidInput, "document {id} is attached to {kind} '{key}', not to this record",
                      field="supersedes", id=old.document.id, kind=old.document.record_type.value,
                      key=old.document.record_id)
    if old.superseded_by is not None:
        raise refusal(Conflict, "document {id} is already superseded by document {later}", field="supersedes",
                      id=old.document.id, later=old.superseded_by)


def list_documents(uow: UnitOfWork, actor: Actor, record_type_name: str, record_id: str) -> list[Listed]:
    """The record's documents, oldest first, superseded ones marked; refused as the record itself is."""
    kind = record_type(record_type_name)
    key = record_key(kind, record_id)
    with uow:
        require(find_record(uow, kind, key).may_read(actor))
        return uow.documents.of_record(kind, key)


def attach_permission(uow: UnitOfWork, actor: Actor, record_type_name: str, record_id: str) -> Permission:
    """Whether ``actor`` may attach documents to the record (to offer the form, or refuse an upload before
    receiving it); NotFound if there is no such record."""
    kind = record_type(record_type_name)
    with uow:
        return find_record(uow, kind, record_key(kind, record_id)).may_write(actor)


def get_document(uow: UnitOfWork, actor: Actor, id: int) -> Listed:
    """One document's metadata, to a viewer who may read its record."""
    with uow:
        found = _load(uow, id)
        require(find_record(uow, found.document.record_type, found.document.record_id).may_read(actor))
        return found


def download(uow: UnitOfWork, store: DocumentStore, actor: Actor, id: int) -> tuple[Document, bytes]:
    """The document and its bytes, to a viewer who may read its record; a file missing from the store, or whose
    bytes no longer hash to what was attached, is refused rather than served."""
    document = get_document(uow, actor, id).document
    content = store.get(document.sha256)
    if content is None:
        raise refusal(InvariantViolated, "the file of document {id} is missing from the document store",
                      field="document", id=id)
    if digest(content) != document.sha256:
        raise refusal(InvariantViolated, "the file of document {id} has changed since it was attached",
                      field="document", id=id)
    return document, content


@dataclass(frozen=True, slots=True)
class DocumentsReport:
    """What ``verify_documents`` found: how many documents it checked and those whose file is missing or
    changed."""

    checked: int
    problems: list[DocumentProblem]
    location: str

    @property
    def holds(self) -> bool:
        return not self.problems


def verify_documents(uow: UnitOfWork, store: DocumentStore, actor: Actor) -> DocumentsReport:
    """Read every document's file back from the store and hash it again: a file that is missing, or whose bytes
    no longer hash to the SHA-256 recorded when it was attached, is named."""
    require(can(actor, "verify_documents"))
    with uow:
        documents = uow.documents.every()
    problems: list[DocumentProblem] = []
    hashes: dict[str, str | None] = {}
    for document in documents:
        if document.sha256 not in hashes:
            content = store.get(document.sha256)
            hashes[document.sha256] = None if content is None else digest(content)
        found = hashes[document.sha256]
        if found is None:
            problems.append(DocumentProblem(document, "missing"))
        elif found != document.sha256:
            problems.append(DocumentProblem(document, "changed", found))
    return DocumentsReport(len(documents), problems, store.location)
