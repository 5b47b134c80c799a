"""A procurement case's page (``/cases/CODE``): its stages, tenders, contracts, money, payments and shipments, in
the viewer's language; and ``/contracts/CODE``, which leads to the contract's place on its case's page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from coalition.domain.money import Money
from coalition.domain.party import Party
from coalition.entrypoints.api.core import CodeInPath
from coalition.entrypoints.web.charts import party_name
from coalition.entrypoints.web.core import Viewer, render, viewer
from coalition.services.confidentiality import RESTRICTED
from coalition.services.views import case_file as views
from coalition.services.views.delivery import get_contract

router = APIRouter(include_in_schema=False)
WhoDep = Annotated[Viewer, Depends(viewer)]


@router.get("/cases/{code}", response_class=HTMLResponse)
def case_page(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    found = views.case_file(who.read(), who.actor, code)
    parties: dict[str, Party] = found.parties

    def name(party: str) -> str:
        return who.gettext("restricted") if party == RESTRICTED else party_name(who, parties.get(party), party)

    return render(request, who, "case.html", file=found, c=found.case, name=name, money=Money.from_minor_units)


@router.get("/contracts/{code}")
def contract_page(who: WhoDep, code: CodeInPath) -> Response:
    """The contract's place on its case's page (refused as the case is)."""
    found = get_contract(who.read(), who.actor, code)
    return RedirectResponse(f"/cases/{found.case.code}#contract-{code}", status_code=303)
