"""Procurement and delivery over HTTP: cases, tenders, bids, contracts, payments, shipments, receipts, checks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import Field

from coalition.domain.contributions import FundingRoute
from coalition.domain.delivery import Condition, EndUseCheck, Finding, Shipment, ShipmentState, UnitReceipt
from coalition.domain.limits import MAX_DELIVERY_DAYS, MAX_STANDSTILL_DAYS
from coalition.domain.procurement import (
    Bid,
    Contract,
    ContractLine,
    EvaluationMethod,
    Lot,
    Milestone,
    Payment,
    ProcurementCase,
    Tender,
    TenderProcedure,
)
from coalition.entrypoints.api.core import (
    AsOfQuery,
    Body,
    Caller,
    CallerDep,
    Code,
    CodeInPath,
    Day,
    Flag,
    FlagInQuery,
    Id,
    IdempotencyKey,
    IdInPath,
    Integer,
    Justification,
    Limit,
    Name,
    Note,
    Number,
    Offset,
    Page,
    Quantity,
    Reason,
    Reference,
    Routes,
    Title,
    idempotent,
    json_response,
    page_of,
)
from coalition.entrypoints.api.funding import MoneyIn
from coalition.services import delivery as deliveries
from coalition.services.procurement import cases, contracts, payments, tenders
from coalition.services.procurement.cases import CaseView
from coalition.services.procurement.tenders import Evaluation
from coalition.services.views import delivery as delivery_views
from coalition.services.views import open_contracting
from coalition.services.views.delivery import ContractView, DeliveryStatus, PipelineRow

api = Routes("procurement and delivery")
router = api.router

Decision = Annotated[Id | None, Field(description="The steering-group decision, if needed")]
Score = Annotated[Integer, Field(ge=0, le=100)]


class NewCase(Body):
    code: Code
    route: FundingRoute
    title: Title
    requirements: Annotated[list[Code], Field(min_length=1, max_length=1000)]
    buyer: Code
    opened_on: Day
    illustrative: Flag = False


class Dated(Body):
    on: Day
    note: Note = ""


class DecidedOn(Body):
    on: Day
    decision: Decision = None


class Cancellation(Body):
    on: Day
    reason: Reason


@api.get("/coalitions/{coalition}/cases", Page[ProcurementCase], summary="A coalition's procurement cases")
def list_cases(who: CallerDep, coalition: CodeInPath, offset: Offset = 0, limit: Limit = 50) -> object:
    return page_of(cases.list_cases(who.read(), who.actor, coalition), offset, limit)


@api.post("/coalitions/{coalition}/cases", ProcurementCase, summary="Open a procurement case on a funding route")
def open_case(body: NewCase, who: CallerDep, coalition: CodeInPath) -> object:
    case = ProcurementCase(body.code, coalition, body.route, body.title, tuple(body.requirements), body.buyer,
                           body.opened_on, illustrative=body.illustrative)
    return cases.open_case(who.write(), who.actor, case)


@api.get("/cases/{code}", CaseView, summary="A case with its history, tenders and contracts")
def get_case(who: CallerDep, code: CodeInPath) -> object:
    return cases.get_case(who.read(), who.actor, code)


@api.post("/cases/{code}/route-approval", ProcurementCase, 200, summary="Approve the case's route")
def approve_route(body: DecidedOn, who: CallerDep, code: CodeInPath) -> object:
    return cases.approve_route(who.write(), who.actor, code, on=body.on, decision=body.decision)


@api.post("/cases/{code}/cancellation", ProcurementCase, 200, summary="Cancel a case; its money returns to funding")
def cancel_case(body: Cancellation, who: CallerDep, code: CodeInPath) -> object:
    return cases.cancel_case(who.write(), who.actor, code, on=body.on, reason=body.reason)


@api.post("/cases/{code}/closing", ProcurementCase, 200, summary="Close a delivered case")
def close_case(body: Dated, who: CallerDep, code: CodeInPath) -> object:
    return deliveries.close_case(who.write(), who.actor, code, on=body.on, note=body.note)


@api.get("/coalitions/{coalition}/pipeline", list[PipelineRow], cached=True,
         summary="Cases by route and stage, with money")
def pipeline(who: CallerDep, coalition: CodeInPath, on: AsOfQuery = None) -> object:
    return delivery_views.pipeline(who.read(), who.actor, coalition, on)


OcdsPackage = dict[str, Any]
PUBLICATION = ("internal=true: name every donor the caller may see (not for publication); false, the default: "
               "only donors whose records are public")


@api.get("/coalitions/{coalition}/exports/ocds.json", OcdsPackage, cached=True,
         summary="The coalition's procurement cases as an OCDS 1.1 release package, one release per act",
         description=PUBLICATION)
def ocds_releases(who: CallerDep, request: Request, coalition: CodeInPath, internal: FlagInQuery = False
                  ) -> object:
    return Response(_ocds(who, request, coalition, internal)[0], media_type="application/json")


@api.get("/coalitions/{coalition}/exports/ocds-records.json", OcdsPackage, cached=True,
         summary="The OCDS 1.1 record package merged from the release package, one record per case",
         description=PUBLICATION)
def ocds_records(who: CallerDep, request: Request, coalition: CodeInPath, internal: FlagInQuery = False
                 ) -> object:
    return Response(_ocds(who, request, coalition, internal)[1], media_type="application/json")


def _ocds(who: Caller, request: Request, coalition: str, internal: bool) -> tuple[str, str]:
    """The release package and the record package, each named by its own address."""
    record = open_contracting.procurement_record(who.read(), who.actor, coalition,
                                                 ocid_prefix=who.platform.settings.ocid_prefix, public=not internal)
    base = str(request.url.replace(query="")).rsplit("/", 1)[0]
    return who.platform.ocds_packages(record, f"{base}/ocds.json", f"{base}/ocds-records.json")


@api.get("/coalitions/{coalition}/deliveries", Page[DeliveryStatus], cached=True,
         summary="Per requirement: required, contracted, shipped, signed for, accepted, refused")
def delivery_status(who: CallerDep, coalition: CodeInPath, offset: Offset = 0, limit: Limit = 50,
                    on: AsOfQuery = None) -> object:
    return page_of(delivery_views.delivery_status(who.read(), who.actor, coalition, on), offset, limit)


# --- tenders -------------------------------------------------------------------------------------------------------


class LotIn(Body):
    number: Number
    title: Title
    requirement: Code
    quantity: Quantity


class NewTender(Body):
    code: Code
    title: Title
    procedure: TenderProcedure
    method: EvaluationMethod
    lots: Annotated[list[LotIn], Field(min_length=1, max_length=100)]
    published_on: Day
    closes_on: Day
    invited: Annotated[list[Code], Field(max_length=100)] = []
    weights: Annotated[dict[Code, Score], Field(max_length=20)] = {}
    standstill_days: Annotated[Integer, Field(ge=0, le=MAX_STANDSTILL_DAYS)] = 10
    illustrative: Flag = False


@api.post("/cases/{code}/tenders", Tender, summary="Publish a tender for an agency-route case")
def create_tender(body: NewTender, who: CallerDep, code: CodeInPath) -> object:
    tender = Tender(body.code, code, body.title, body.procedure, body.method,
                    tuple(Lot(lot.number, lot.title, lot.requirement, lot.quantity) for lot in body.lots),
                    body.published_on, body.closes_on, tuple(body.invited), dict(body.weights), body.standstill_days,
                    illustrative=body.illustrative)
    return tenders.create_tender(who.write(), who.actor, tender)


class NewBid(Body):
    lot: Number
    supplier: Code
    unit_price: MoneyIn
    delivery_days: Annotated[Integer, Field(ge=1, le=MAX_DELIVERY_DAYS)]
    compliant: Flag
    submitted_on: Day
    scores: Annotated[dict[Code, Score], Field(max_length=20)] = {}
    note: Note = ""


@api.post("/tenders/{code}/bids", Bid, summary="Record a bid for a lot")
def record_bid(body: NewBid, who: CallerDep, code: CodeInPath) -> object:
    bid = Bid(code, body.lot, body.supplier, body.unit_price.money(), body.delivery_days, body.compliant,
              body.submitted_on, dict(body.scores), body.note)
    return tenders.record_bid(who.write(), who.actor, bid)


@api.get("/tenders/{code}/evaluation", Evaluation, summary="Rank each lot's bids by the tender's method")
def evaluate_tender(who: CallerDep, code: CodeInPath) -> object:
    return tenders.evaluate_tender(who.read(), who.actor, code)


class AwardIn(Body):
    lot: Number
    bid: Id
    justification: Justification
    on: Day
    decision: Decision = None


@api.post("/tenders/{code}/awards", Tender, summary="Award a lot to a bid")
def award_lot(body: AwardIn, who: CallerDep, code: CodeInPath) -> object:
    return tenders.award_lot(who.write(), who.actor, code, lot=body.lot, bid=body.bid, justification=body.justification,
                             on=body.on, decision=body.decision)


@api.post("/tenders/{code}/cancellation", Tender, 200, summary="Cancel a tender, with a reason")
def cancel_tender(body: Cancellation, who: CallerDep, code: CodeInPath) -> object:
    return tenders.cancel_tender(who.write(), who.actor, code, on=body.on, reason=body.reason)


# --- contracts and payments ----------------------------------------------------------------------------------------


class LineIn(Body):
    number: Number
    requirement: Code
    quantity: Quantity
    unit_price: MoneyIn

    def line(self) -> ContractLine:
        return ContractLine(self.number, self.requirement, self.quantity, self.unit_price.money())


class MilestoneIn(Body):
    number: Number
    title: Title
    due_on: Day
    amount: MoneyIn

    def milestone(self) -> Milestone:
        return Milestone(self.number, self.title, self.due_on, self.amount.money())


class NewContract(Body):
    code: Code
    supplier: Code | None = None
    signed_on: Day
    lines: Annotated[list[LineIn], Field(max_length=1000)] = []
    milestones: Annotated[list[MilestoneIn], Field(max_length=1000)] = []
    tender: Code | None = None
    lots: Annotated[list[Number], Field(max_length=100)] = []
    in_kind: Annotated[Id | None, Field(description="The in-kind contribution given")] = None
    illustrative: Flag = False


@api.post("/cases/{code}/contracts", Contract,
          summary="Sign a contract: the reserved money of its requirements becomes contracted")
def sign_contract(body: NewContract, who: CallerDep, code: CodeInPath) -> object:
    return contracts.sign_contract(who.write(), who.actor, code=body.code, case=code, supplier=body.supplier,
                                   signed_on=body.signed_on, lines=[li.line() for li in body.lines],
                                   milestones=[m.milestone() for m in body.milestones], tender=body.tender,
                                   lots=body.lots, in_kind=body.in_kind, illustrative=body.illustrative)


@api.get("/contracts/{code}", ContractView,
         summary="A contract with its versions, funding, payments, shipments, receipts and checks")
def get_contract(who: CallerDep, code: CodeInPath) -> object:
    return delivery_views.get_contract(who.read(), who.actor, code)


class Amendment(Body):
    on: Day
    reason: Reason
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=1000)]
    milestones: Annotated[list[MilestoneIn], Field(max_length=1000)] = []


@api.post("/contracts/{code}/amendments", Contract, summary="Amend a contract: a new version, with a reason")
def amend_contract(body: Amendment, who: CallerDep, code: CodeInPath) -> object:
    return contracts.amend_contract(who.write(), who.actor, code, on=body.on, reason=body.reason,
                                    lines=[li.line() for li in body.lines],
                                    milestones=[m.milestone() for m in body.milestones])


class NewPayment(Body):
    amount: MoneyIn
    paid_on: Day
    milestone: Number | None = None
    reference: Reference = ""


def _pay(who: Caller, code: str, body: NewPayment) -> Response:
    payment = payments.record_payment(who.write(), who.actor, code, amount=body.amount.money(), paid_on=body.paid_on,
                                      milestone=body.milestone, reference=body.reference)
    return json_response(payment, Payment, 201)


@api.post("/contracts/{code}/payments", Payment,
          summary="Record a payment to the supplier (send an Idempotency-Key): contracted money becomes disbursed")
def record_payment(body: NewPayment, request: Request, who: CallerDep, code: CodeInPath,
                   idempotency_key: IdempotencyKey = None) -> object:
    return idempotent(who, request, idempotency_key, body, lambda: _pay(who, code, body))


@api.post("/payments/{payment_id}/reversal", Payment, summary="Reverse a payment, with a reason")
def reverse_payment(body: Cancellation, who: CallerDep, payment_id: IdInPath) -> object:
    return payments.reverse_payment(who.write(), who.actor, payment_id, reason=body.reason, on=body.on)


# --- shipments, receipts, end-use checks ---------------------------------------------------------------------------


class NewShipment(Body):
    line: Number
    quantity: Quantity
    on: Day
    reference: Reference = ""


@api.post("/contracts/{code}/shipments", Shipment, summary="Record a shipment of a contract line")
def ship(body: NewShipment, who: CallerDep, code: CodeInPath) -> object:
    return deliveries.ship(who.write(), who.actor, contract=code, line=body.line, quantity=body.quantity, on=body.on,
                           reference=body.reference)


class ShipmentMove(Body):
    state: ShipmentState
    on: Day
    note: Note = ""


@api.post("/shipments/{shipment_id}/events", Shipment, summary="Move a shipment on (in transit, arrived)")
def advance_shipment(body: ShipmentMove, who: CallerDep, shipment_id: IdInPath) -> object:
    return deliveries.advance_shipment(who.write(), who.actor, shipment_id, body.state, on=body.on, note=body.note)


class NewReceipt(Body):
    unit: Code
    quantity: Quantity
    condition: Condition
    accepted: Flag
    received_on: Day
    signed_by: Name
    discrepancy: Note = ""


@api.post("/shipments/{shipment_id}/receipts", UnitReceipt, summary="A receiving unit signs for what arrived")
def confirm_receipt(body: NewReceipt, who: CallerDep, shipment_id: IdInPath) -> object:
    receipt = UnitReceipt(shipment_id, body.unit, body.quantity, body.condition, body.accepted, body.received_on,
                          body.signed_by, body.discrepancy)
    return deliveries.confirm_receipt(who.write(), who.actor, receipt)


class NewCheck(Body):
    checked_on: Day
    checked_by: Code
    quantity: Quantity
    finding: Finding
    note: Note = ""


@api.post("/receipts/{receipt_id}/end-use-checks", EndUseCheck, summary="Record an end-use check of received items")
def record_end_use_check(body: NewCheck, who: CallerDep, receipt_id: IdInPath) -> object:
    check = EndUseCheck(receipt_id, body.checked_on, body.checked_by, body.quantity, body.finding, body.note)
    return deliveries.record_end_use_check(who.write(), who.actor, check)
