"""Documents over HTTP: attach a file to a record (the request body is the file), list a record's documents,
read one's metadata, download its file (checked against its hash, in the type read from its content)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from coalition.domain.documents import MEDIA_TYPES, Listed, RecordType
from coalition.domain.errors import InvalidInput
from coalition.entrypoints.api.core import CallerDep, IdInPath, IdInQuery, Routes, caller, json_response
from coalition.services import documents as svc
from coalition.services.audit import require

api = Routes("documents")
router = api.router

RecordTypeInQuery = Annotated[RecordType, Query(description="The kind of record: "
                                                + ", ".join(t.value for t in RecordType))]
RecordIdInQuery = Annotated[str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,79}$", description=(
    "The record's code, or its id for numbered records; a contract version is CONTRACT/N"))]
DocumentName = Annotated[str, Query(min_length=1, max_length=400, pattern=r"^[^\x00-\x1f\x7f]+$", description=(
    "The file's name, kept cleaned of path parts and control characters; its type is read from its content"))]
DOCUMENT_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


@dataclass(frozen=True, slots=True)
class DocumentOut:
    id: int
    record_type: RecordType
    record_id: str
    name: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    supersedes: int | None
    superseded_by: int | None


def shown(listed: Listed) -> DocumentOut:
    d = listed.document
    assert d.id is not None
    return DocumentOut(d.id, d.record_type, d.record_id, d.name, d.media_type, d.size, d.sha256, d.uploaded_by,
                       d.uploaded_at, d.supersedes, listed.superseded_by)


@router.post("/documents", status_code=201, response_model=DocumentOut, openapi_extra=DOCUMENT_BODY,
             summary="Attach a file to a record (the body is the file); its SHA-256, name, type and size go into "
                     "the audit chain")
async def attach_document(request: Request, record_type: RecordTypeInQuery, record_id: RecordIdInQuery,
                          filename: DocumentName, supersedes: IdInQuery = None) -> Response:
    who = await caller(request)
    # Refused before the file is received if the record is not there or the caller may not write it.
    require(await run_in_threadpool(svc.attach_permission, who.read(), who.actor, record_type.value, record_id))
    content = await request.body()
    if not content:
        raise InvalidInput("the request body holds no file", field="body")
    settings = who.platform.settings
    document = await run_in_threadpool(
        lambda: svc.attach(who.write(), who.platform.document_store, who.actor, record_type.value, record_id,
                           filename, content, supersedes=supersedes, max_bytes=settings.document_max_bytes))
    return json_response(shown(Listed(document)), DocumentOut, 201)


@api.get("/documents", list[DocumentOut], summary="A record's documents, oldest first; superseded ones say by "
                                                  "which (refused as the record itself is)")
def list_documents(who: CallerDep, record_type: RecordTypeInQuery, record_id: RecordIdInQuery) -> object:
    return [shown(x) for x in svc.list_documents(who.read(), who.actor, record_type.value, record_id)]


@api.get("/documents/{document_id}", DocumentOut, summary="One document's metadata")
def get_document(who: CallerDep, document_id: IdInPath) -> object:
    return shown(svc.get_document(who.read(), who.actor, document_id))


def content_disposition(name: str) -> str:
    """An attachment header naming the file in ASCII for old clients and in UTF-8 (RFC 6266) for the rest."""
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


@api.get("/documents/{document_id}/content", None, summary="Download a document's file, checked against its hash",
         response_class=Response, responses={200: {"content": {kind: {} for kind in MEDIA_TYPES},
                                                   "description": "The file, in the type read from its content"}})
def download_document(who: CallerDep, document_id: IdInPath) -> Response:
    document, content = svc.download(who.read(), who.platform.document_store, who.actor, document_id)
    return Response(content, media_type=document.media_type, headers={
        "Content-Disposition": content_disposition(document.name)})  # nosniff: on every answer (hygiene)
