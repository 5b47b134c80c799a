"""Commands for documents attached to records: attach (or supersede), list, get, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from coalition.domain.documents import Listed, RecordType
from coalition.domain.errors import Conflict, InvalidInput, NotFound
from coalition.entrypoints.cli.output import console, emit_json, fail, table
from coalition.entrypoints.cli.params import id_argument, id_option
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import documents as svc

documents = typer.Typer(help="Documents attached to records: agreements, minutes, tender papers, contracts, "
                             "signed receipts; kept by their SHA-256, superseded but never deleted.",
                        no_args_is_help=True)
TYPES = ", ".join(t.value for t in RecordType)


def _data(listed: Listed) -> dict[str, Any]:
    d = listed.document
    return {"id": d.id, "record_type": d.record_type.value, "record_id": d.record_id, "name": d.name,
            "media_type": d.media_type, "size": d.size, "sha256": d.sha256, "uploaded_by": d.uploaded_by,
            "uploaded_at": d.uploaded_at, "supersedes": d.supersedes, "superseded_by": listed.superseded_by}


def _read(path: Path, limit: int) -> bytes:
    """The file's bytes; one larger than ``limit`` is refused before it is read whole."""
    try:
        if path.stat().st_size > limit:
            raise InvalidInput(f"the file has {path.stat().st_size} bytes, more than the {limit} a document may "
                               "have", field="FILE")
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise NotFound(f"no file '{path}'", field="FILE") from None
    except PermissionError:
        raise InvalidInput(f"'{path}' cannot be read", field="FILE") from None


@documents.command("attach")
def documents_attach(ctx: typer.Context,
                     record_type: Annotated[str, typer.Argument(help=f"The kind of record: {TYPES}.")],
                     record_id: Annotated[str, typer.Argument(help="Its code, or its id for numbered records "
                                                                   "(a contract version: CONTRACT/N).")],
                     file: Annotated[Path, typer.Argument(help="The file to attach.")],
                     supersedes: Annotated[int | None, id_option("A document of the same record this one "
                                                                 "replaces (it stays, marked superseded).",
                                                                 "--supersedes")] = None,
                     name: Annotated[str | None, typer.Option(help="The name to keep; the file's own by "
                                                                   "default.")] = None) -> None:
    """Attach a file to a record; its type is read from its content, and its hash goes into the audit chain."""
    platform = ready(ctx)
    limit = platform.settings.document_max_bytes
    document = svc.attach(platform.uow(), platform.document_store, platform.operator(), record_type, record_id,
                          name or file.name, _read(file, limit), supersedes=supersedes, max_bytes=limit)
    replacing = f", superseding document {document.supersedes}" if document.supersedes else ""
    console.print(f"Attached document {document.id} '{document.name}' ({document.media_type}, {document.size} "
                  f"bytes, SHA-256 {document.sha256}) to {document.record_type.value} {document.record_id}"
                  f"{replacing}")


@documents.command("list")
def documents_list(ctx: typer.Context, record_type: Annotated[str, typer.Argument(help=f"One of: {TYPES}.")],
                   record_id: str, as_json: JsonFlag = False) -> None:
    """A record's documents, oldest first; superseded ones say by which."""
    platform = ready(ctx)
    found = svc.list_documents(platform.uow(), platform.operator(), record_type, record_id)
    if as_json:
        emit_json([_data(x) for x in found])
        return
    table(f"Documents of {record_type} {record_id} ({len(found)})",
          ["Id", "Name", "Type", "Bytes", "SHA-256", "Attached by", "At", "Superseded by"],
          [(x.document.id, x.document.name, x.document.media_type, x.document.size, x.document.sha256,
            x.document.uploaded_by, x.document.uploaded_at, x.superseded_by) for x in found])


@documents.command("get")
def documents_get(ctx: typer.Context, id: Annotated[int, id_argument("The document's id.")],
                  output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the file.")],
                  force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False) -> None:
    """Write a document's file, checked against its hash, to --output."""
    platform = ready(ctx)
    if output.exists() and not force:
        raise Conflict(f"'{output}' exists: choose another file or pass --force to overwrite it", field="--output")
    document, content = svc.download(platform.uow(), platform.document_store, platform.operator(), id)
    output.write_bytes(content)
    console.print(f"Wrote document {document.id} '{document.name}' ({document.size} bytes) to {output}")


@documents.command("verify")
def documents_verify(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Hash every document's stored file again; name each one missing or changed since it was attached."""
    platform = ready(ctx)
    report = svc.verify_documents(platform.uow(), platform.document_store, platform.operator())
    if as_json:
        emit_json({"ok": report.holds, "checked": report.checked, "store": report.location, "problems": [
            {"document": p.document.id, "record_type": p.document.record_type.value,
             "record_id": p.document.record_id, "name": p.document.name, "problem": p.problem,
             "expected": p.document.sha256, "found": p.found} for p in report.problems]})
    elif report.holds:
        console.print(f"Documents verified: {report.checked} files in {report.location}, all intact.")
    else:
        table("Documents whose file does not hold", ["Id", "Record", "Name", "Problem", "SHA-256 attached"],
              [(p.document.id, f"{p.document.record_type.value} {p.document.record_id}", p.document.name,
                p.problem, p.document.sha256) for p in report.problems], err=True)
    if not report.holds:
        named = "; ".join(f"document {p.document.id} '{p.document.name}' of {p.document.record_type.value} "
                          f"{p.document.record_id} is {p.problem}" for p in report.problems)
        fail(f"{len(report.problems)} of {report.checked} documents do not hold: {named}", 6)
