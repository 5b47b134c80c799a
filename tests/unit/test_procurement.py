"""Tenders, evaluation, awards, contract versions and deliveries, as pure domain rules."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from coalition.domain.contributions import FundingRoute
from coalition.domain.delivery import (
    Condition,
    EndUseCheck,
    Finding,
    Shipment,
    ShipmentEvent,
    ShipmentState,
    UnitReceipt,
    check_end_use,
    check_receipt,
    delivered_share,
)
from coalition.domain.errors import InvalidInput, InvariantViolated
from coalition.domain.money import Money
from coalition.domain.procurement import (
    ROUTE_RULES,
    Bid,
    CaseStage,
    ContractLine,
    ContractVersion,
    EvaluationMethod,
    Lot,
    Milestone,
    ProcurementCase,
    Tender,
    TenderProcedure,
    TenderState,
    award,
    check_amendment,
    check_bid,
    evaluate,
)
from coalition.domain.requirements import RequirementStatus


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def tender(method: EvaluationMethod = EvaluationMethod.BEST_VALUE, **changes: object) -> Tender:
    values: dict[str, object] = {
        "code": "T-1", "case": "CASE-1", "title": "Command-post kits", "procedure": TenderProcedure.OPEN,
        "method": method, "lots": (Lot(1, "Kits", "CP-KIT-01", 60),), "published_on": date(2024, 6, 24),
        "closes_on": date(2024, 7, 22),
        "weights": {"price": 60, "technical": 40} if method is EvaluationMethod.BEST_VALUE else {}}
    values.update(changes)
    return Tender(**values)  # type: ignore[arg-type]


def bid(id: int, supplier: str, price: str, *, days: int = 90, compliant: bool = True,
        technical: int | None = None) -> Bid:
    return Bid("T-1", 1, supplier, eur(price), days, compliant, date(2024, 7, 15),
               {} if technical is None else {"technical": technical}, id=id)


def test_best_value_matches_the_worked_example():
    # Prices for 60 kits: A 4,920,000.00, B 4,770,000.00 (lowest compliant), C not compliant.
    # A: 60 x 100 x 4,770,000 / 4,920,000 = 58.17; + 40 x 85 / 100 = 34 -> 92.17
    # B: 60 x 100 / 100 = 60; + 40 x 70 / 100 = 28 -> 88.00
    bids = [bid(1, "A", "82000", technical=85), bid(2, "B", "79500", technical=70),
            bid(3, "C", "76000", compliant=False, technical=40)]
    prices = {1: 492_000_000, 2: 477_000_000, 3: 456_000_000}
    ranked = evaluate(tender(), 1, bids, prices)
    assert [(r.bid.supplier, r.rank, r.shown_score) for r in ranked] == [("A", 1, "92.17"), ("B", 2, "88.00"),
                                                                          ("C", None, "")]
    assert ranked[0].score == Fraction(60 * 477, 492) + 34


def test_lowest_price_technically_acceptable_ignores_the_cheaper_non_compliant_bid():
    bids = [bid(1, "A", "82000"), bid(2, "B", "79500", days=120), bid(3, "C", "76000", compliant=False),
            bid(4, "D", "79500", days=60)]
    ranked = evaluate(tender(EvaluationMethod.LOWEST_PRICE), 1, bids, {1: 82, 2: 79, 3: 76, 4: 79})
    assert [(r.bid.supplier, r.rank) for r in ranked] == [("D", 1), ("B", 2), ("A", 3), ("C", None)]


def test_the_award_goes_to_the_first_ranked_compliant_bid_after_the_tender_closes():
    bids = [bid(1, "A", "82000", technical=85), bid(2, "B", "79500", technical=70),
            bid(3, "C", "76000", compliant=False, technical=40)]
    ranked = evaluate(tender(), 1, bids, {1: 492, 2: 477, 3: 456})
    with pytest.raises(InvariantViolated, match="bid 2 ranks 2 by best-value; the award goes to the first-ranked"):
        award(tender(), 1, ranked, 2, "cheaper", date(2024, 7, 30), None)
    with pytest.raises(InvariantViolated, match="bid 3 is not technically compliant"):
        award(tender(), 1, ranked, 3, "cheapest", date(2024, 7, 30), None)
    with pytest.raises(InvariantViolated, match="closes on 2024-07-22; the award comes after"):
        award(tender(), 1, ranked, 1, "best value", date(2024, 7, 22), None)
    with pytest.raises(InvalidInput, match="justification"):
        award(tender(), 1, ranked, 1, "  ", date(2024, 7, 30), None)
    awarded = award(tender(), 1, ranked, 1, "best value", date(2024, 7, 30), 7)
    assert awarded.state is TenderState.AWARDED
    assert awarded.award_of(1) is not None and awarded.award_of(1).standstill_until == date(2024, 8, 9)  # type: ignore[union-attr]
    with pytest.raises(InvariantViolated, match="tender T-1 is awarded"):
        award(awarded, 1, ranked, 1, "again", date(2024, 7, 31), None)


def test_bids_must_fit_the_tender():
    invited = tender(procedure=TenderProcedure.INVITED, invited=("A",))
    with pytest.raises(InvariantViolated, match="B was not invited to tender T-1"):
        check_bid(invited, bid(1, "B", "10", technical=50), [])
    with pytest.raises(InvariantViolated, match="outside the tender's period"):
        check_bid(tender(), Bid("T-1", 1, "A", eur("10"), 5, True, date(2024, 7, 23), {"technical": 1}), [])
    with pytest.raises(InvalidInput, match="best value needs a score for technical"):
        check_bid(tender(), bid(1, "A", "10"), [])
    with pytest.raises(InvariantViolated, match="A has already bid for lot 1"):
        check_bid(tender(), bid(2, "A", "9", technical=1), [bid(1, "A", "10", technical=1)])
    with pytest.raises(InvalidInput, match="tender T-1 has no lot 2"):
        check_bid(tender(), Bid("T-1", 2, "A", eur("10"), 5, True, date(2024, 7, 1), {"technical": 1}), [])


def test_a_tender_states_its_rules_clearly():
    with pytest.raises(InvalidInput, match="add up to 100, not 90"):
        tender(weights={"price": 50, "technical": 40})
    with pytest.raises(InvalidInput, match="give a weight for 'price'"):
        tender(weights={"technical": 100})
    with pytest.raises(InvalidInput, match="an invited tender names the suppliers"):
        tender(procedure=TenderProcedure.INVITED)
    with pytest.raises(InvalidInput, match=r"closes .* before it is published"):
        tender(closes_on=date(2024, 6, 1))


def test_a_case_moves_only_along_its_declared_stages():
    case = ProcurementCase("C-1", "it", FundingRoute.AGENCY, "Kits", ("R-1",), "NSPA", date(2024, 6, 1))
    with pytest.raises(InvariantViolated, match="case C-1 is proposed; it can move to approved, cancelled, not "
                                                "contracted"):
        case.moved(CaseStage.CONTRACTED)
    assert case.moved(CaseStage.APPROVED).moved(CaseStage.TENDERING).stage is CaseStage.TENDERING


def test_a_contract_version_is_in_one_currency_and_schedules_no_more_than_its_value():
    line = ContractLine(1, "R-1", 10, eur("100"))
    with pytest.raises(InvalidInput, match="a contract is in one currency, not EUR, UAH"):
        ContractVersion(1, date(2024, 1, 1), "signed", (line, ContractLine(2, "R-2", 1, Money.parse("5", "UAH"))))
    with pytest.raises(InvariantViolated, match=r"the milestones schedule 1500\.00 EUR, more than the contract's value "
                                                r"1000\.00 EUR"):
        ContractVersion(1, date(2024, 1, 1), "signed", (line,), (Milestone(1, "All", date(2024, 2, 1), eur("1500")),))
    assert ContractVersion(1, date(2024, 1, 1), "signed", (line,)).value == eur("1000")


def test_an_amendment_keeps_what_has_happened():
    current = ContractVersion(1, date(2024, 1, 1), "signed", (ContractLine(1, "R-1", 10, eur("100")),))
    fewer = ContractVersion(2, date(2024, 2, 1), "fewer", (ContractLine(1, "R-1", 4, eur("100")),))
    with pytest.raises(InvariantViolated, match="line 1: 6 already shipped, more than the amended 4"):
        check_amendment(current, fewer, {1: 6}, eur("0"))
    with pytest.raises(InvariantViolated, match=r"the amended value 400\.00 EUR is less than the 500\.00 EUR already"):
        check_amendment(current, fewer, {}, eur("500"))
    moved = ContractVersion(2, date(2024, 2, 1), "other", (ContractLine(1, "R-2", 10, eur("100")),))
    with pytest.raises(InvariantViolated, match="line 1 keeps its requirement R-1"):
        check_amendment(current, moved, {}, eur("0"))
    check_amendment(current, fewer, {1: 4}, eur("400"))


def shipment(quantity: int = 20, state: ShipmentState = ShipmentState.ARRIVED) -> Shipment:
    events = [ShipmentEvent(ShipmentState.PREPARED, date(2025, 1, 20))]
    if state is not ShipmentState.PREPARED:
        events += [ShipmentEvent(ShipmentState.IN_TRANSIT, date(2025, 1, 24)),
                   ShipmentEvent(ShipmentState.ARRIVED, date(2025, 2, 10))]
    return Shipment("K-1", 1, quantity, tuple(events), id=5)


def receipt(quantity: int, *, accepted: bool = True, condition: Condition = Condition.NEW, note: str = "",
            on: date = date(2025, 2, 12)) -> UnitReceipt:
    return UnitReceipt(5, "UA-TU-2", quantity, condition, accepted, on, "Officer", note, id=quantity)


def test_partial_receipts_add_up_and_none_exceeds_what_was_shipped():
    first, second = receipt(12), receipt(6)
    check_receipt(shipment(), first, [])
    check_receipt(shipment(), second, [first])
    check_receipt(shipment(), receipt(2, accepted=False, condition=Condition.DAMAGED, note="cracked"),
                  [first, second])
    with pytest.raises(InvariantViolated, match="shipment 5 carried 20; 18 already signed for, so a receipt of 3 is "
                                                "more than was shipped"):
        check_receipt(shipment(), receipt(3), [first, second])
    accepted = sum(r.accepted_quantity for r in (first, second))
    assert delivered_share(accepted, 60) == Fraction(3, 10)


def test_units_sign_only_for_arrived_shipments_and_describe_discrepancies():
    with pytest.raises(InvariantViolated, match="shipment 5 is prepared; units sign for a shipment once it has "
                                                "arrived"):
        check_receipt(shipment(state=ShipmentState.PREPARED), receipt(1), [])
    with pytest.raises(InvariantViolated, match="arrived on 2025-02-10, after 2025-02-01"):
        check_receipt(shipment(), receipt(1, on=date(2025, 2, 1)), [])
    with pytest.raises(InvalidInput, match="need the discrepancy described"):
        receipt(1, accepted=False)
    with pytest.raises(InvariantViolated, match="shipment 5 is arrived; it can move to handed-over, not in-transit"):
        shipment().advanced(ShipmentState.IN_TRANSIT, date(2025, 3, 1))


def test_end_use_checks_follow_the_receipt():
    signed = receipt(10)
    check_end_use(signed, EndUseCheck(10, date(2025, 5, 15), "EE", 10, Finding.IN_USE))
    with pytest.raises(InvariantViolated, match="a check cannot cover 11"):
        check_end_use(signed, EndUseCheck(10, date(2025, 5, 15), "EE", 11, Finding.IN_USE))
    with pytest.raises(InvalidInput, match="a finding of 'lost' needs a note"):
        EndUseCheck(10, date(2025, 5, 15), "EE", 1, Finding.LOST)


def test_every_route_has_its_rules_as_data():
    assert set(ROUTE_RULES) == set(FundingRoute)
    assert [r for r, rules in ROUTE_RULES.items() if rules.tenders] == [FundingRoute.AGENCY]
    assert [r for r, rules in ROUTE_RULES.items() if not rules.paid] == [FundingRoute.DONATION_FROM_STOCK]
    agency, stock = ROUTE_RULES[FundingRoute.AGENCY], ROUTE_RULES[FundingRoute.DONATION_FROM_STOCK]
    assert CaseStage.AWARDED in agency.signs_in and CaseStage.APPROVED not in agency.signs_in
    assert CaseStage.APPROVED in stock.signs_in
    prioritised = RequirementStatus.PRIORITISED
    assert agency.refuses(prioritised, 100) and not stock.refuses(prioritised, 0)
    assert agency.refuses(RequirementStatus.FULLY_FUNDED, 0) and not agency.refuses(RequirementStatus.FULLY_FUNDED, 1)
