"""One search over the record: requirements, procurement cases, contracts, parties, proposals and documents,
each hit shown only to a viewer who may read the record's own page (a contract as the procurement page is read;
a document as its record is read, ``services.documents``)."""

from __future__ import annotations

from dataclasses import dataclass

from coalition.domain.access import Actor, Permission, can
from coalition.domain.documents import record_type
from coalition.domain.errors import InvalidInput, NotFound
from coalition.domain.search import SHOWN, SearchHit, SearchKind, query_words
from coalition.services.documents import find_record
from coalition.services.ports import UnitOfWork

# Hits read from the index before the viewer's permissions are applied: a viewer who may read little may see
# fewer than SHOWN of the best matches.
READ_AHEAD = 4 * SHOWN

# The permission each kind of hit needs, in the hit's coalition (documents follow their record).
READ: dict[SearchKind, str] = {
    SearchKind.REQUIREMENT: "read_registry", SearchKind.CASE: "read_funding", SearchKind.CONTRACT: "read_funding",
    SearchKind.PARTY: "read_registry", SearchKind.PROPOSAL: "read_registry",
}


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The words searched for, the hits the viewer may see (best first, at most SHOWN) and how many there are
    of each kind."""

    words: list[str]
    hits: list[SearchHit]

    def count(self, kind: SearchKind) -> int:
        return sum(1 for hit in self.hits if hit.kind is kind)


def _may_read(uow: UnitOfWork, actor: Actor, hit: SearchHit) -> Permission:
    if hit.kind is SearchKind.DOCUMENT:
        if hit.attached_to is None:
            return can(actor, "verify_documents")
        try:
            return find_record(uow, record_type(hit.attached_to[0]), hit.attached_to[1]).may_read(actor)
        except (NotFound, InvalidInput):
            return can(actor, "verify_documents")
    return can(actor, READ[hit.kind], hit.coalition)


def search(uow: UnitOfWork, actor: Actor, text: str, kind: SearchKind | None = None) -> SearchResults:
    """The records whose text holds every word of ``text``, best first, of one kind or all, as far as the viewer
    may read them; a query without a word, or too long, is refused naming ``q``."""
    words = query_words(text)
    with uow:
        hits = [hit for hit in uow.search.search(words, READ_AHEAD, kind) if _may_read(uow, actor, hit)]
    return SearchResults(words, hits[:SHOWN])
