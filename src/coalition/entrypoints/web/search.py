"""The search page: one box over requirements, procurement cases, contracts, parties, proposals and documents, in
either language, each hit linked to the page that shows it; the address holds the query, so a search can be shared.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from coalition.domain.search import MAX_QUERY, SearchHit, SearchKind
from coalition.entrypoints.web.core import Viewer, render, viewer
from coalition.services import registry
from coalition.services.views import search as search_views

router = APIRouter(include_in_schema=False)
WhoDep = Annotated[Viewer, Depends(viewer)]


def link(hit: SearchHit) -> str | None:
    """The page that shows the hit (a party has none of its own)."""
    match hit.kind:
        case SearchKind.REQUIREMENT:
            return f"/coalitions/{hit.coalition}/priorities#coverage"
        case SearchKind.CASE:
            return f"/cases/{hit.key}"
        case SearchKind.CONTRACT:
            return f"/contracts/{hit.key}"
        case SearchKind.PROPOSAL:
            return f"/proposals/{hit.key}"
        case SearchKind.DOCUMENT if hit.attached_to is not None:
            return "/documents?" + urlencode({"record_type": hit.attached_to[0], "record_id": hit.attached_to[1]})
    return None


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, who: WhoDep, q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
                kind: SearchKind | None = None) -> Response:
    results = search_views.search(who.read(), who.actor, q, kind) if q.strip() else None
    names = {c.code: c.name for c in registry.list_coalitions(who.read(), who.actor)} if results else {}
    return render(request, who, "search.html", q=q, kind=kind, kinds=list(SearchKind), results=results,
                  coalition_names=names, link=link)
