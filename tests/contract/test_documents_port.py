"""The document repository on every store (the fake, SQLite, PostgreSQL): documents read back by id and by record,
in order, each with the later document that superseded it; at most one supersedes each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coalition.domain.documents import Document, Listed, RecordType, digest
from coalition.domain.errors import Conflict
from tests.contract.conftest import Units, written

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _document(record: str, content: bytes, supersedes: int | None = None) -> Document:
    return Document(RecordType.CONTRACT, record, digest(content), f"{record}.pdf", "application/pdf", len(content),
                    "admin", AT, supersedes)


def test_documents_read_back_by_id_and_record_with_what_superseded_them(units: Units):
    with units() as uow:
        first = uow.documents.add(_document("K-1", b"one"))
        other = uow.documents.add(_document("K-2", b"one"))
        assert first.id is not None and other.id is not None and first.id < other.id
        later = uow.documents.add(_document("K-1", b"two", supersedes=first.id))
        written(uow, "documents")
    with units() as uow:
        assert uow.documents.get(first.id) == Listed(first, later.id)
        assert uow.documents.get(later.id or 0) == Listed(later)
        assert uow.documents.get((later.id or 0) + 99) is None
        assert uow.documents.of_record(RecordType.CONTRACT, "K-1") == [Listed(first, later.id), Listed(later)]
        assert uow.documents.of_record(RecordType.TENDER, "K-1") == []
        assert uow.documents.every() == [first, other, later]


@pytest.mark.parametrize("units", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
                         indirect=True)
def test_a_document_is_superseded_once_at_most(units: Units):
    with units() as uow:
        first = uow.documents.add(_document("K-1", b"one"))
        uow.documents.add(_document("K-1", b"two", supersedes=first.id))
        written(uow, "documents")
    with pytest.raises(Conflict), units() as uow:
        uow.documents.add(_document("K-1", b"three", supersedes=first.id))
