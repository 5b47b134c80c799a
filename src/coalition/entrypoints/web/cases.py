"""A procurement case's page (``/cases/CODE``): its stages, tenders, contracts, money, payments and shipments, in
the viewer's language; and ``/contracts/CODE``, which leads to the contract's place on its case's page."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from coalition.domain.access import can_act_for
from coalition.domain.delivery import ShipmentState
from coalition.domain.errors import InvalidInput, refusal
from coalition.domain.money import Money
from coalition.domain.party import PartyKind
from coalition.domain.procurement import Bid, TenderState
from coalition.entrypoints.api.core import CodeInPath, IdInPath
from coalition.entrypoints.web.charts import namer
from coalition.entrypoints.web.core import Viewer, act, form_day, render, viewer, whole
from coalition.services import delivery, registry
from coalition.services.procurement import tenders
from coalition.services.views import case_file as views

router = APIRouter(include_in_schema=False)
WhoDep = Annotated[Viewer, Depends(viewer)]


@router.get("/cases/{code}", response_class=HTMLResponse)
def case_page(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    found = views.case_file(who.read(), who.actor, code)
    who = dataclasses.replace(who, coalition=found.case.coalition)  # the case's coalition: its pages, its roles
    name = namer(who, found.parties)

    # who may record a contract's shipments and their moves here: the agency's officer (a supplier, who records its
    # own through the API, does not read the case's file)
    ships = {part.view.contract.code: who.signed_in and can_act_for(
        who.actor, "record_shipment", found.case.coalition, part.view.contract.supplier).allowed
        for part in found.contracts}
    open_tenders = [e for e in found.tenders if e.tender.state is TenderState.OPEN]
    bidders = registry.list_parties(who.read(), who.actor, PartyKind.COMPANY) \
        if open_tenders and who.signed_in and who.may("record_bid") else []
    return render(request, who, "case.html", file=found, c=found.case, name=name, money=Money.from_minor_units,
                  ships=ships, moves=MOVES, bidders=bidders,
                  awards=who.signed_in and bool(open_tenders) and who.may("approve_procurement"))


# The moves a shipment's page offers: on its way, then arrived (the units' receipts hand it over).
MOVES = {ShipmentState.PREPARED: ShipmentState.IN_TRANSIT, ShipmentState.IN_TRANSIT: ShipmentState.ARRIVED}


@router.post("/cases/{code}/shipments")
async def record_shipment(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        contract = form.get("contract", "")
        line, quantity = whole(form.get("line", ""), "line"), whole(form.get("quantity", ""), "quantity")
        shipment = delivery.ship(who.write(), who.actor, contract=contract, line=line, quantity=quantity,
                                 on=form_day(form, who), reference=form.get("reference", ""))
        return who.gettext("Shipment %(id)s prepared: %(count)s items of line %(line)s of %(contract)s.",
                           id=shipment.id, count=quantity, line=line, contract=contract)
    return await act(request, who, change, f"/cases/{code}")


@router.post("/cases/{code}/shipments/{shipment}/moves")
async def move_shipment(request: Request, who: WhoDep, code: CodeInPath, shipment: IdInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        try:
            to = ShipmentState(form.get("to", ""))
        except ValueError:
            raise refusal(InvalidInput, "choose where the shipment moves", field="to") from None
        delivery.advance_shipment(who.write(), who.actor, shipment, to, on=form_day(form, who),
                                  note=form.get("note", ""))
        return who.gettext("Shipment %(id)s is now %(state)s.", id=shipment, state=who.label(to.value))
    return await act(request, who, change, f"/cases/{code}")


@router.post("/cases/{code}/tenders/{tender}/bids")
async def record_bid(request: Request, who: WhoDep, code: CodeInPath, tender: CodeInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        currency = form.get("currency", "").strip().upper()
        scores = {key.removeprefix("score_"): whole_or_zero(value, key) for key, value in form.items()
                  if key.startswith("score_")}
        bid = tenders.record_bid(who.write(), who.actor, Bid(
            tender, whole(form.get("lot", ""), "lot"), form.get("supplier", ""),
            Money.parse(who.fmt.amount(form.get("unit_price", ""), "unit_price"), currency),
            whole(form.get("delivery_days", ""), "delivery_days"), form.get("compliant", "yes") == "yes",
            form_day(form, who), scores, form.get("note", "").strip()))
        return who.gettext("Bid %(id)s recorded for lot %(lot)s of %(tender)s.", id=bid.id, lot=bid.lot,
                           tender=tender)
    return await act(request, who, change, f"/cases/{code}#tender-{tender}")


@router.post("/cases/{code}/tenders/{tender}/awards")
async def award_lot(request: Request, who: WhoDep, code: CodeInPath, tender: CodeInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        decision = form.get("decision", "").strip()
        lot = whole(form.get("lot", ""), "lot")
        awarded = tenders.award_lot(who.write(), who.actor, tender, lot=lot, bid=whole(form.get("bid", ""), "bid"),
                                    justification=form.get("justification", "").strip(), on=form_day(form, who),
                                    decision=whole(decision, "decision") if decision else None)
        given = awarded.award_of(lot)
        assert given is not None
        return who.gettext("Lot %(lot)s of %(tender)s awarded to bid %(bid)s; standstill until %(until)s.", lot=lot,
                           tender=tender, bid=given.bid, until=who.fmt.day(given.standstill_until))
    return await act(request, who, change, f"/cases/{code}#tender-{tender}")


def whole_or_zero(text: str, field: str) -> int:
    """A score: a whole number from 0."""
    return 0 if text.strip() == "0" else whole(text, field)


@router.get("/contracts/{code}")
def contract_page(who: WhoDep, code: CodeInPath) -> Response:
    """The contract's place on its case's page (refused as the case is)."""
    case = views.case_of_contract(who.read(), who.actor, code)
    return RedirectResponse(f"/cases/{case}#contract-{code}", status_code=303)
