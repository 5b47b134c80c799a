"""Search over HTTP: the records whose text holds every word of a query, as far as the caller may read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from coalition.domain.search import MAX_QUERY, SearchHit, SearchKind
from coalition.entrypoints.api.core import CallerDep, Routes
from coalition.services.views import search as svc

api = Routes("search")
router = api.router


@dataclass(frozen=True, slots=True)
class HitOut:
    kind: SearchKind
    key: str
    coalition: str | None
    title: str
    title_uk: str | None
    record_type: str | None
    record_id: str | None


def shown(hit: SearchHit) -> HitOut:
    attached = hit.attached_to or (None, None)
    return HitOut(hit.kind, hit.key, hit.coalition, hit.title, hit.title_uk, attached[0], attached[1])


@api.get("/search", list[HitOut], summary="Requirements, procurement cases, contracts, parties, proposals and "
                                          "documents holding every word of q (its beginning, or any form of a "
                                          "Ukrainian word), best first, at most 50, as far as the caller may read "
                                          "them; a document names the record it is attached to")
def search(who: CallerDep, q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY)],
           kind: SearchKind | None = None) -> object:
    return [shown(hit) for hit in svc.search(who.read(), who.actor, q, kind).hits]
