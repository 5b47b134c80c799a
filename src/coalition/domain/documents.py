"""Documents attached to records: the papers of an agreement, a meeting, a tender, a contract, a receipt.

A document is kept by the SHA-256 of its bytes (content-addressed): the same bytes are stored once, and a file
changed after it was attached no longer matches the hash the record and the audit chain hold. Its type is read
from its content, never from its name; its name is cleaned of path parts and control characters; it is never
deleted, only superseded by a later document that names it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from coalition.domain.errors import InvalidInput, refusal
from coalition.domain.limits import check_id

DEFAULT_MAX_BYTES = 25 * 1024 * 1024  # 25 MiB: COALITION_DOCUMENT_MAX_BYTES changes it
NAME_LENGTH = 200  # characters of a document's name, its extension included
SHA256 = re.compile(r"[0-9a-f]{64}")


class RecordType(StrEnum):
    """The records that hold papers, each named by its code or its id (a contract version by 'CODE/N')."""

    INSTRUMENT = "instrument"
    MEETING = "meeting"
    PROPOSAL = "proposal"
    DECISION = "decision"
    CASE = "case"
    TENDER = "tender"
    BID = "bid"
    CONTRACT = "contract"
    CONTRACT_VERSION = "contract-version"
    SHIPMENT = "shipment"
    RECEIPT = "receipt"
    END_USE_CHECK = "end-use-check"
    EVIDENCE = "evidence"
    GRANT = "grant"


# Records named by a numeric id; the others by their code (a contract version by the contract's code and the
# version's number).
NUMBERED = frozenset({RecordType.MEETING, RecordType.PROPOSAL, RecordType.DECISION, RecordType.BID,
                      RecordType.SHIPMENT, RecordType.RECEIPT, RecordType.END_USE_CHECK, RecordType.EVIDENCE})

# Who may read a record's documents and who may attach them: the action that reads the record itself and the
# action that writes it, checked in the record's coalition (or, for innovation, the programme owning the call).
# Whoever may write a record may also read its documents.
ACTIONS: dict[RecordType, tuple[str, str]] = {
    RecordType.INSTRUMENT: ("read_registry", "record_instrument"),
    RecordType.MEETING: ("read_registry", "manage_meetings"),
    RecordType.PROPOSAL: ("read_registry", "open_proposal"),
    RecordType.DECISION: ("read_registry", "close_proposal"),
    RecordType.CASE: ("read_funding", "manage_procurement"),
    RecordType.TENDER: ("read_funding", "manage_procurement"),
    RecordType.BID: ("read_funding", "record_bid"),
    RecordType.CONTRACT: ("read_funding", "manage_procurement"),
    RecordType.CONTRACT_VERSION: ("read_funding", "manage_procurement"),
    RecordType.SHIPMENT: ("read_funding", "record_shipment"),
    RecordType.RECEIPT: ("read_funding", "confirm_receipt"),
    RecordType.END_USE_CHECK: ("read_funding", "record_end_use_check"),
    RecordType.EVIDENCE: ("read_innovation", "manage_innovation"),
    RecordType.GRANT: ("read_innovation", "manage_innovation"),
}

# What a document may be, as its content shows it: PDF, images of scans, plain text (CSV included) and the
# office formats of word processors and spreadsheets (Office Open XML and OpenDocument).
MEDIA_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/tiff": "tif",
    "text/plain": "txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
TEXT = "text/plain"
_TEXT_CONTROLS = frozenset("\t\n\r\f")


def record_type(value: str, field: str = "record_type") -> RecordType:
    """The record type named ``value``, or InvalidInput naming the field and the types there are."""
    try:
        return RecordType(value.strip().lower())
    except ValueError:
        raise refusal(InvalidInput, "'{value}' is not a record that holds documents; one of: {types}", field=field,
                      value=value, types=", ".join(t.value for t in RecordType)) from None


def record_key(kind: RecordType, value: str, field: str = "record_id") -> str:
    """The record's id as documents keep it: a whole number for numbered records, 'CODE/N' for a contract
    version, the code otherwise; InvalidInput naming the field if it is none of them."""
    text = value.strip()
    if kind in NUMBERED:
        if not text.isascii() or not text.isdigit():
            raise refusal(InvalidInput, "a {kind} is named by its id, a whole number, not '{value}'", field=field,
                          kind=kind.value, value=value)
        return str(check_id(int(text), field))
    if kind is RecordType.CONTRACT_VERSION:
        code, _, number = text.rpartition("/")
        if not code or not number.isascii() or not number.isdigit() or int(number) < 1:
            raise refusal(InvalidInput, "a contract version is named 'CONTRACT/N', not '{value}'", field=field,
                          value=value)
        return f"{code}/{int(number)}"
    if not text or len(text) > 64 or any(unicodedata.category(c).startswith(("C", "Z")) for c in text):
        raise refusal(InvalidInput, "'{value}' is not the code of a {kind}", field=field, value=value,
                      kind=kind.value)
    return text


def clean_name(name: str, field: str = "name") -> str:
    """The name a document is kept under: its last path part only, without control or formatting characters,
    runs of spaces made one, no leading dots, at most NAME_LENGTH characters (the extension kept). Letters of
    every script survive. A name with nothing left is refused."""
    last = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    kept = "".join(" " if unicodedata.category(c) in ("Zs", "Zl", "Zp") or c in "\t\n\r" else c for c in last
                   if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn") or c in "\t\n\r")
    kept = re.sub(r"\s+", " ", kept).strip().lstrip(".").strip()
    if not kept or kept in {".", ".."}:
        raise refusal(InvalidInput, "'{name}' is not a file name", field=field, name=name)
    if len(kept) > NAME_LENGTH:
        stem, dot, extension = kept.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            kept = stem[:NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            kept = kept[:NAME_LENGTH].rstrip()
    return kept


def looks_like_text(content: bytes) -> bool:
    """Whether ``content`` is text: UTF-8 (with or without a byte order mark) with no control character but
    tab, line feed, carriage return and form feed."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not any(unicodedata.category(c) == "Cc" and c not in _TEXT_CONTROLS for c in text)


def media_type_of(content: bytes, sniffed: str | None, field: str = "file") -> str:
    """The media type a document is kept as: what its leading bytes show (``sniffed``), or plain text for
    text; InvalidInput naming the field for anything else (a program, an archive, an empty file)."""
    if not content:
        raise refusal(InvalidInput, "the file is empty", field=field)
    found = sniffed if sniffed is not None else (TEXT if looks_like_text(content) else None)
    if found not in MEDIA_TYPES:
        raise refusal(InvalidInput, "the file's content is {found}, not one of the kinds of document accepted "
                      "(PDF, PNG, JPEG, TIFF, plain text, DOCX, XLSX, ODT, ODS)", field=field,
                      found=found or "of no known kind")
    return found


def check_size(size: int, limit: int, field: str = "file") -> int:
    """The size of a document, refused naming the field when over ``limit`` bytes."""
    if size > limit:
        raise refusal(InvalidInput, "the file has {size} bytes, more than the {limit} a document may have",
                      field=field, size=size, limit=limit)
    return size


def digest(content: bytes) -> str:
    """The SHA-256 of the bytes, in hex: the document's address in the store."""
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True, slots=True)
class Document:
    """A file attached to a record: its hash, cleaned name, detected type, size, who attached it and when, and
    the document it supersedes, if any."""

    record_type: RecordType
    record_id: str
    sha256: str
    name: str
    media_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime
    supersedes: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if SHA256.fullmatch(self.sha256) is None:
            raise InvalidInput(f"'{self.sha256}' is not a SHA-256 in hex", field="sha256")
        if self.media_type not in MEDIA_TYPES:
            raise InvalidInput(f"'{self.media_type}' is not a media type of documents", field="media_type")

    def describe(self) -> dict[str, object]:
        """What the audit chain keeps of the document: enough to prove the file is the one attached."""
        return {"record_type": self.record_type.value, "record_id": self.record_id, "sha256": self.sha256,
                "name": self.name, "media_type": self.media_type, "size": self.size,
                "uploaded_by": self.uploaded_by, "supersedes": self.supersedes}


@dataclass(frozen=True, slots=True)
class Listed:
    """A document as a record lists it: superseded by a later one (its id) or current."""

    document: Document
    superseded_by: int | None = None

    @property
    def current(self) -> bool:
        return self.superseded_by is None


@dataclass(frozen=True, slots=True)
class DocumentProblem:
    """A document whose stored bytes are missing or no longer hash to what was attached."""

    document: Document
    problem: str  # "missing" or "changed"
    found: str | None = None  # the hash of the bytes found, for a changed file
