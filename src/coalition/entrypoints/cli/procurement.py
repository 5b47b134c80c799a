"""Commands for procurement and delivery: cases, tenders, contracts, payments, shipments, receipts, reports."""

from datetime import date
from typing import Annotated

import typer

from coalition.domain.common import parse_date
from coalition.domain.contributions import FundingRoute
from coalition.domain.delivery import Condition, EndUseCheck, Finding, ShipmentState, UnitReceipt
from coalition.domain.errors import InvalidInput
from coalition.domain.fx import shown_rate
from coalition.domain.money import Money, check_currency
from coalition.domain.procurement import (
    Bid,
    ContractLine,
    EvaluationMethod,
    Lot,
    Milestone,
    ProcurementCase,
    Tender,
    TenderProcedure,
)
from coalition.entrypoints.cli.output import choice, console, emit_json, table
from coalition.entrypoints.cli.params import AsOf, as_of_day, id_argument, id_option
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import delivery as deliveries_svc
from coalition.services.procurement import cases as case_svc
from coalition.services.procurement import contracts as contract_svc
from coalition.services.procurement import payments as payment_svc
from coalition.services.procurement import tenders as tender_svc
from coalition.services.views import delivery as delivery_views

cases = typer.Typer(help="Procurement cases: open by route, approve the route, cancel, close, pipeline.",
                    no_args_is_help=True)
tenders = typer.Typer(help="Tenders on the agency route: lots, bids, evaluation, award, cancellation.",
                      no_args_is_help=True)
contracts = typer.Typer(help="Contracts: sign, amend (new versions), pay, show.", no_args_is_help=True)
deliveries = typer.Typer(help="Deliveries: shipments, receipts signed by units, end-use checks, status.",
                        no_args_is_help=True)

On = Annotated[str, typer.Option("--on", help="Date, YYYY-MM-DD.")]
Lines = Annotated[list[str] | None, typer.Option(
    "--line", help="A contract line REQUIREMENT:QUANTITY:UNIT_PRICE (repeatable, numbered in order).")]
Milestones = Annotated[list[str] | None, typer.Option(
    "--milestone", help="A payment milestone 'TITLE|YYYY-MM-DD|AMOUNT' (repeatable).")]


def _day(text: str, field: str = "--on") -> date:
    return parse_date(text, field)


def _lines(texts: list[str] | None, currency: str) -> list[ContractLine]:
    found = []
    for number, text in enumerate(texts or (), start=1):
        parts = text.split(":")
        if len(parts) != 3:
            raise InvalidInput(f"'{text}' is not REQUIREMENT:QUANTITY:UNIT_PRICE", field="--line")
        try:
            quantity = int(parts[1])
        except ValueError:
            raise InvalidInput(f"'{parts[1]}' is not a whole quantity", field="--line") from None
        found.append(ContractLine(number, parts[0].strip(), quantity, Money.parse(parts[2], currency, "--line")))
    return found


def _milestones(texts: list[str] | None, currency: str) -> list[Milestone]:
    found = []
    for number, text in enumerate(texts or (), start=1):
        parts = text.split("|")
        if len(parts) != 3:
            raise InvalidInput(f"'{text}' is not 'TITLE|YYYY-MM-DD|AMOUNT'", field="--milestone")
        found.append(Milestone(number, parts[0].strip(), parse_date(parts[1], "--milestone"),
                               Money.parse(parts[2], currency, "--milestone")))
    return found


def _pairs(texts: list[str] | None, field: str) -> dict[str, int]:
    found = {}
    for text in texts or ():
        name, separator, value = text.partition("=")
        if not separator:
            raise InvalidInput(f"'{text}' is not NAME=NUMBER", field=field)
        try:
            found[name.strip()] = int(value)
        except ValueError:
            raise InvalidInput(f"'{value}' is not a whole number", field=field) from None
    return found


# --- cases --------------------------------------------------------------------------------------


@cases.command("open")
def cases_open(ctx: typer.Context, coalition: str, code: str,
               route: Annotated[str, typer.Option(help="agency, direct-industry, prioritized-package or "
                                                       "donation-from-stock.")],
               title: Annotated[str, typer.Option()],
               requirement: Annotated[list[str], typer.Option(help="A requirement bought (repeatable).")],
               buyer: Annotated[str, typer.Option(help="Who places the contract: the agency, the recipient "
                                                       "ministry, the lead nation, or the donor giving from stock.")],
               on: On, illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Open a procurement case for funded requirements by one route."""
    platform = ready(ctx)
    case = case_svc.open_case(platform.uow(), platform.operator(), ProcurementCase(
        code, coalition, choice(route, FundingRoute, "--route"), title, tuple(requirement), buyer, _day(on),
        illustrative=illustrative))
    console.print(f"Opened case {case.code} ({case.route.value}) for {', '.join(case.requirements)}")


@cases.command("approve-route")
def cases_approve_route(ctx: typer.Context, case: str, on: On,
                        decision: Annotated[int | None, id_option("The steering-group decision (proposal id), "
                                                                  "where required.")] = None
                        ) -> None:
    """Approve a case's route (a steering-group decision where the coalition's rules say so)."""
    platform = ready(ctx)
    found = case_svc.approve_route(platform.uow(), platform.operator(), case, on=_day(on), decision=decision)
    console.print(f"Case {found.code}: route {found.route.value} approved")


@cases.command("cancel")
def cases_cancel(ctx: typer.Context, case: str, on: On, reason: Annotated[str, typer.Option()]) -> None:
    """Cancel a case before any contract; its requirements return to funding."""
    platform = ready(ctx)
    case_svc.cancel_case(platform.uow(), platform.operator(), case, on=_day(on), reason=reason)
    console.print(f"Case {case} cancelled")


@cases.command("close")
def cases_close(ctx: typer.Context, case: str, on: On, note: Annotated[str, typer.Option()] = "") -> None:
    """Close a delivered case."""
    platform = ready(ctx)
    deliveries_svc.close_case(platform.uow(), platform.operator(), case, on=_day(on), note=note)
    console.print(f"Case {case} closed")


@cases.command("list")
def cases_list(ctx: typer.Context, coalition: str, as_json: JsonFlag = False) -> None:
    """A coalition's procurement cases with route and stage."""
    platform = ready(ctx)
    found = case_svc.list_cases(platform.uow(), platform.operator(), coalition)
    if as_json:
        emit_json(found)
        return
    table(f"Procurement cases of {coalition}", ["Case", "Route", "Stage", "Opened", "Buyer", "Requirements", "Title"],
          [(c.code, c.route.value, c.stage.value, c.opened_on, c.buyer, ", ".join(c.requirements),
            c.title + (" *" if c.illustrative else "")) for c in found])


@cases.command("show")
def cases_show(ctx: typer.Context, case: str, as_json: JsonFlag = False) -> None:
    """A case: its stages, tenders and contracts."""
    platform = ready(ctx)
    view = case_svc.get_case(platform.uow(), platform.operator(), case)
    if as_json:
        emit_json(view)
        return
    c = view.case
    console.print(f"[bold]{c.code}[/bold]: {c.title}\nRoute: {c.route.value}; stage: {c.stage.value}; buyer: "
                  f"{c.buyer}; requirements: {', '.join(c.requirements)}"
                  + (f"; route decided by proposal {c.route_decision}" if c.route_decision else ""))
    table("Stages", ["From", "To", "On", "Note"], view.history)
    table("Tenders", ["Tender", "Method", "Closes", "State", "Lots"],
          [(t.code, t.method.value, t.closes_on, t.state.value, len(t.lots)) for t in view.tenders])
    table("Contracts", ["Contract", "Supplier", "Signed", "Version", "Value"],
          [(k.code, k.supplier, k.signed_on, k.current.version, k.current.value) for k in view.contracts])


@cases.command("pipeline")
def cases_pipeline(ctx: typer.Context, coalition: str, on: AsOf = None, as_json: JsonFlag = False) -> None:
    """The procurement pipeline by route and stage (as of a day with --on)."""
    platform = ready(ctx)
    rows = delivery_views.pipeline(platform.uow(), platform.operator(), coalition, as_of_day(on))
    if as_json:
        emit_json(rows)
        return
    table(f"Procurement pipeline of {coalition}" + (f", as of {on}" if on else ""),
          ["Route", "Stage", "Cases", "Requirements", "Contracted", "Paid"],
          [(r.route.value, r.stage.value, r.cases, r.requirements, r.contracted, r.paid) for r in rows])


# --- tenders ------------------------------------------------------------------------------------


@tenders.command("create")
def tenders_create(ctx: typer.Context, case: str, code: str, title: Annotated[str, typer.Option()],
                   lot: Annotated[list[str], typer.Option(help="A lot REQUIREMENT:QUANTITY:TITLE (repeatable).")],
                   published_on: Annotated[str, typer.Option(help="YYYY-MM-DD")],
                   closes_on: Annotated[str, typer.Option(help="YYYY-MM-DD")],
                   method: Annotated[str, typer.Option(help="lowest-price or best-value.")] = "lowest-price",
                   invite: Annotated[list[str] | None, typer.Option(help="An invited supplier (repeatable); "
                                                                         "none: an open tender.")] = None,
                   weight: Annotated[list[str] | None, typer.Option(help="Best value: CRITERION=WEIGHT, with "
                                                                         "price, adding up to 100.")] = None,
                   standstill_days: Annotated[int, typer.Option()] = 10,
                   illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Publish a tender with lots on an agency case."""
    platform = ready(ctx)
    lots = []
    for number, text in enumerate(lot, start=1):
        parts = text.split(":", 2)
        if len(parts) != 3 or not parts[1].strip().isdigit():
            raise InvalidInput(f"'{text}' is not REQUIREMENT:QUANTITY:TITLE", field="--lot")
        lots.append(Lot(number, parts[2].strip(), parts[0].strip(), int(parts[1])))
    tender = tender_svc.create_tender(platform.uow(), platform.operator(), Tender(
        code, case, title, TenderProcedure.INVITED if invite else TenderProcedure.OPEN,
        choice(method, EvaluationMethod, "--method"), tuple(lots), _day(published_on, "--published-on"),
        _day(closes_on, "--closes-on"), tuple(invite or ()), _pairs(weight, "--weight"), standstill_days,
        illustrative=illustrative))
    console.print(f"Published tender {tender.code} with {len(tender.lots)} lot(s), closing {tender.closes_on}")


@tenders.command("bid")
def tenders_bid(ctx: typer.Context, tender: str, lot: int, supplier: str, unit_price: str, currency: str,
                delivery_days: Annotated[int, typer.Option()], on: On,
                compliant: Annotated[bool, typer.Option(help="Technically compliant.")] = True,
                score: Annotated[list[str] | None, typer.Option(help="Best value: CRITERION=SCORE (0-100).")] = None,
                note: Annotated[str, typer.Option()] = "") -> None:
    """Record a bid for a lot."""
    platform = ready(ctx)
    stored = tender_svc.record_bid(platform.uow(), platform.operator(), Bid(
        tender, lot, supplier, Money.parse(unit_price, check_currency(currency), "unit_price"), delivery_days,
        compliant, _day(on), _pairs(score, "--score"), note))
    console.print(f"Recorded bid {stored.id}: {supplier}, lot {lot}, {stored.unit_price} a unit")


@tenders.command("evaluate")
def tenders_evaluate(ctx: typer.Context, tender: str, as_json: JsonFlag = False) -> None:
    """Rank each lot's bids by the tender's method."""
    platform = ready(ctx)
    found = tender_svc.evaluate_tender(platform.uow(), platform.operator(), tender)
    if as_json:
        emit_json(found)
        return
    t = found.tender
    console.print(f"[bold]{t.code}[/bold]: {t.title} ({t.method.value}, closes {t.closes_on}, {t.state.value})")
    for lot in t.lots:
        awarded = t.award_of(lot.number)
        table(f"Lot {lot.number}: {lot.quantity} x {lot.requirement} ({lot.title})"
              + (f"; awarded to bid {awarded.bid}, standstill until {awarded.standstill_until}" if awarded else ""),
              ["Rank", "Bid", "Supplier", "Unit price", f"Total ({found.currency})", "Delivery days", "Score",
               "Compliant"],
              [(r.rank or "-", r.bid.id, r.bid.supplier, r.bid.unit_price, Money.from_minor_units(r.price,
                found.currency).amount, r.bid.delivery_days, r.shown_score, "yes" if r.bid.compliant else "no")
               for r in found.lots[lot.number]])


@tenders.command("award")
def tenders_award(ctx: typer.Context, tender: str, lot: int, bid: Annotated[int, id_argument("The bid's id.")],
                  justification: Annotated[str, typer.Option()], on: On,
                  decision: Annotated[int | None, id_option("The steering-group decision, where required.")]
                  = None) -> None:
    """Award a lot to its first-ranked bid, with the justification; the standstill period starts."""
    platform = ready(ctx)
    found = tender_svc.award_lot(platform.uow(), platform.operator(), tender, lot=lot, bid=bid,
                                 justification=justification, on=_day(on), decision=decision)
    awarded = found.award_of(lot)
    assert awarded is not None
    console.print(f"Lot {lot} of {tender} awarded to bid {bid}; standstill until {awarded.standstill_until}")


@tenders.command("cancel")
def tenders_cancel(ctx: typer.Context, tender: str, on: On, reason: Annotated[str, typer.Option()]) -> None:
    """Cancel a tender before any contract under it."""
    platform = ready(ctx)
    tender_svc.cancel_tender(platform.uow(), platform.operator(), tender, on=_day(on), reason=reason)
    console.print(f"Tender {tender} cancelled")


# --- contracts ----------------------------------------------------------------------------------


@contracts.command("sign")
def contracts_sign(ctx: typer.Context, case: str, code: str, on: On,
                   supplier: Annotated[str | None, typer.Option(help="The supplier (agency route: the winner).")]
                   = None,
                   currency: Annotated[str, typer.Option(help="The contract's currency.")] = "EUR",
                   line: Lines = None, milestone: Milestones = None,
                   tender: Annotated[str | None, typer.Option(help="Agency route: the tender.")] = None,
                   lot: Annotated[list[int] | None, typer.Option(help="Agency route: an awarded lot (repeatable).")]
                   = None,
                   in_kind: Annotated[int | None, id_option("Donation from stock: the in-kind contribution "
                                                            "transferred.")] = None,
                   illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Sign a contract; its lines' value moves from reserved to contracted money."""
    platform = ready(ctx)
    code_currency = check_currency(currency)
    signed = contract_svc.sign_contract(platform.uow(), platform.operator(), code=code, case=case, supplier=supplier,
                                        signed_on=_day(on), lines=_lines(line, code_currency),
                                        milestones=_milestones(milestone, code_currency), tender=tender,
                                        lots=tuple(lot or ()), in_kind=in_kind, illustrative=illustrative)
    console.print(f"Signed contract {signed.code} with {signed.supplier}: {signed.current.value}, "
                  f"{len(signed.current.lines)} line(s)")


@contracts.command("amend")
def contracts_amend(ctx: typer.Context, contract: str, on: On, reason: Annotated[str, typer.Option()],
                    currency: Annotated[str, typer.Option()] = "EUR", line: Lines = None,
                    milestone: Milestones = None) -> None:
    """Amend a contract: the full new set of lines and milestones becomes the next version."""
    platform = ready(ctx)
    code_currency = check_currency(currency)
    amended = contract_svc.amend_contract(platform.uow(), platform.operator(), contract, on=_day(on), reason=reason,
                                          lines=_lines(line, code_currency),
                                          milestones=_milestones(milestone, code_currency))
    console.print(f"Contract {contract} is now version {amended.current.version}: {amended.current.value}")


@contracts.command("pay")
def contracts_pay(ctx: typer.Context, contract: str, amount: str, currency: str, on: On,
                  milestone: Annotated[int | None, typer.Option()] = None,
                  reference: Annotated[str, typer.Option()] = "") -> None:
    """Pay the supplier: a disbursement from the money contracted for the contract's lines."""
    platform = ready(ctx)
    paid = payment_svc.record_payment(platform.uow(), platform.operator(), contract,
                                      amount=Money.parse(amount, check_currency(currency)), paid_on=_day(on),
                                      milestone=milestone, reference=reference)
    rate = "" if paid.amount.currency == paid.reporting.currency else \
        f" = {paid.reporting} at {shown_rate(paid.rate)} ({paid.rate_source}, {paid.rate_date})"
    console.print(f"Recorded payment {paid.id} under {contract}: {paid.amount}{rate}")


@contracts.command("reverse-payment")
def contracts_reverse_payment(ctx: typer.Context, payment: Annotated[int, id_argument("The payment's id.")], on: On,
                              reason: Annotated[str, typer.Option(help="Why (kept with the reversal).")]) -> None:
    """Undo a payment recorded in error: its entries are reversed and the money returns where it came from."""
    platform = ready(ctx)
    undone = payment_svc.reverse_payment(platform.uow(), platform.operator(), payment, reason=reason, on=_day(on))
    console.print(f"Payment {payment} reversed by payment {undone.id}: {undone.amount} back")


@contracts.command("show")
def contracts_show(ctx: typer.Context, contract: str,
                   version: Annotated[int | None, typer.Option(help="An earlier version's terms.")] = None,
                   as_json: JsonFlag = False) -> None:
    """A contract: terms (any version), funding per donor, payments with donor shares, shipments, receipts."""
    platform = ready(ctx)
    view = delivery_views.get_contract(platform.uow(), platform.operator(), contract)
    if as_json:
        emit_json(view)
        return
    k = view.contract
    terms = k.current if version is None else k.version(version)
    console.print(f"[bold]{k.code}[/bold] with {k.supplier}, case {k.case} ({view.case.route.value}), signed "
                  f"{k.signed_on}; version {terms.version} of {len(k.versions)} ({terms.on}: {terms.reason}); "
                  f"value {terms.value}; paid {view.paid}")
    table("Lines", ["Line", "Requirement", "Quantity", "Unit price", "Value"],
          [(li.number, li.requirement, li.quantity, li.unit_price, li.value) for li in terms.lines])
    if terms.milestones:
        table("Milestones", ["#", "Title", "Due", "Amount"],
              [(m.number, m.title, m.due_on, m.amount) for m in terms.milestones])
    table(f"Money behind each line ({view.currency})", ["Line", "Donor", "Contribution", "Amount", "Reporting"],
          [(s.line, s.donor, s.contribution, Money.from_minor_units(s.units, s.currency),
            Money.from_minor_units(s.reporting, view.currency).amount) for s in view.funding])
    _payments_table(view)
    table("Shipments", ["Id", "Line", "Quantity", "State", "Reference"],
          [(s.id, s.line, s.quantity, s.state.value, s.reference) for s in view.shipments])
    table("Receipts by units", ["Id", "Shipment", "Unit", "Quantity", "Condition", "Accepted", "On", "Discrepancy"],
          [(r.id, r.shipment, r.unit, r.quantity, r.condition.value, "yes" if r.accepted else "no", r.received_on,
            r.discrepancy) for r in view.receipts])
    if view.checks:
        table("End-use checks", ["Id", "Receipt", "On", "By", "Quantity", "Finding", "Note"],
              [(c.id, c.receipt, c.checked_on, c.checked_by, c.quantity, c.finding.value, c.note)
               for c in view.checks])


def _payments_table(view: delivery_views.ContractView) -> None:
    """The contract's payments, each with its rate and the donors' shares."""
    shares: dict[int, list[str]] = {}
    for payment_id, share in view.payment_shares:
        shares.setdefault(payment_id, []).append(
            f"{share.donor} {Money.from_minor_units(share.reporting, view.currency).amount}")
    table("Payments", ["Id", "Paid on", "Amount", f"In {view.currency}", "Rate", "Milestone", "Donor shares"],
          [(p.id if p.reverses is None else f"{p.id} (reverses {p.reverses}: {p.reason})", p.paid_on,
            p.signed_amount, p.signed_reporting.amount, f"{shown_rate(p.rate)} ({p.rate_source}, {p.rate_date})",
            p.milestone or "", "; ".join(shares.get(p.id or 0, []))) for p in view.payments])


# --- deliveries ---------------------------------------------------------------------------------


@deliveries.command("ship")
def deliveries_ship(ctx: typer.Context, contract: str, line: int, quantity: int, on: On,
                     reference: Annotated[str, typer.Option()] = "") -> None:
    """Prepare a shipment of a contract line."""
    platform = ready(ctx)
    stored = deliveries_svc.ship(platform.uow(), platform.operator(), contract=contract, line=line,
                                 quantity=quantity, on=_day(on), reference=reference)
    console.print(f"Shipment {stored.id}: {quantity} of line {line} of {contract}, prepared")


@deliveries.command("advance")
def deliveries_advance(ctx: typer.Context, shipment: Annotated[int, id_argument("The shipment's id.")],
                      state: Annotated[str, typer.Argument(help="in-transit, arrived or handed-over.")], on: On,
                      note: Annotated[str, typer.Option()] = "") -> None:
    """Move a shipment on: prepared, in transit, arrived, handed over."""
    platform = ready(ctx)
    moved = deliveries_svc.advance_shipment(platform.uow(), platform.operator(), shipment,
                                            choice(state, ShipmentState, "state"), on=_day(on), note=note)
    console.print(f"Shipment {shipment} is {moved.state.value}")


@deliveries.command("receive")
def deliveries_receive(ctx: typer.Context, shipment: Annotated[int, id_argument("The shipment's id.")], unit: str,
                       quantity: int, on: On,
                      signed_by: Annotated[str, typer.Option(help="Who signed for the unit.")],
                      condition: Annotated[str, typer.Option(help="new, serviceable, damaged or unserviceable.")]
                      = "new",
                      refuse: Annotated[bool, typer.Option("--refuse", help="The unit does not accept the items.")]
                      = False,
                      discrepancy: Annotated[str, typer.Option()] = "") -> None:
    """A unit signs for items of an arrived shipment (partial receipts allowed)."""
    platform = ready(ctx)
    stored = deliveries_svc.confirm_receipt(platform.uow(), platform.operator(), UnitReceipt(
        shipment, unit, quantity, choice(condition, Condition, "--condition"), not refuse, _day(on), signed_by,
        discrepancy))
    console.print(f"Receipt {stored.id}: {unit} signed for {quantity} of shipment {shipment}"
                  + ("" if stored.accepted else " and refused them"))


@deliveries.command("check")
def deliveries_check(ctx: typer.Context, receipt: Annotated[int, id_argument("The receipt's id.")],
                     by: Annotated[str, typer.Option("--by")], quantity: int,
                    finding: Annotated[str, typer.Argument(help="in-use, in-storage, transferred, damaged or lost.")],
                    on: On, note: Annotated[str, typer.Option()] = "") -> None:
    """Record an end-use check of items a unit received."""
    platform = ready(ctx)
    stored = deliveries_svc.record_end_use_check(platform.uow(), platform.operator(), EndUseCheck(
        receipt, _day(on), by, quantity, choice(finding, Finding, "finding"), note))
    console.print(f"End-use check {stored.id} of receipt {receipt}: {quantity} {stored.finding.value}")


@deliveries.command("status")
def deliveries_status(ctx: typer.Context, coalition: str, on: AsOf = None, as_json: JsonFlag = False) -> None:
    """Delivery status per requirement: contracted, shipped, signed for, accepted, delivered share (as of a day
    with --on)."""
    platform = ready(ctx)
    rows = delivery_views.delivery_status(platform.uow(), platform.operator(), coalition, as_of_day(on))
    if as_json:
        emit_json(rows)
        return
    table(f"Delivery status of {coalition}" + (f", as of {on}" if on else ""),
          ["Requirement", "Status", "Required", "Contracted", "Shipped",
                                              "Signed for", "Accepted", "Refused", "Delivered"],
          [(r.requirement, r.status.value, r.required, r.contracted, r.shipped, r.signed_for, r.accepted, r.refused,
            r.shown_share) for r in rows])
