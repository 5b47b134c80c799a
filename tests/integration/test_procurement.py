"""From a funded requirement to equipment a unit has signed for: cases, tenders, contracts, payments, deliveries,
and donor attribution that sums exactly. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from coalition.bootstrap import Platform
from coalition.demo.world import build_demo_world
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.coalition import DecisionRules
from coalition.domain.contributions import FundingRoute
from coalition.domain.delivery import Condition, ShipmentState, UnitReceipt
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, PermissionDenied
from coalition.domain.fx import FxRate
from coalition.domain.ledger import AccountType, Measure
from coalition.domain.money import Money
from coalition.domain.procurement import (
    Bid,
    CaseStage,
    ContractLine,
    EvaluationMethod,
    Lot,
    ProcurementCase,
    Tender,
    TenderProcedure,
)
from coalition.domain.requirements import RequirementStatus
from coalition.domain.steering import Procedure, ProposalKind, Vote
from coalition.services import delivery, funding, innovation, planning, steering
from coalition.services.procurement import cases, contracts, payments, tenders
from coalition.services.views import delivery as delivery_views
from coalition.services.views import funding as funding_views
from coalition.services.views import ledger as ledger_views
from coalition.services.views import priorities as priority_views
from tests.integration.helpers import assert_refused, dump, run
from tests.integration.procurement_world import C, eur, funded_world, measure, open_direct, sign


@pytest.fixture
def world(platform: Platform) -> Platform:
    return funded_world(platform)


def test_no_case_and_no_contract_for_an_unfunded_requirement(world: Platform):
    actor = world.operator()
    with pytest.raises(InvariantViolated, match="R-2 is not funded"):
        cases.open_case(world.uow(), actor, ProcurementCase(
            "CASE-2", C, FundingRoute.AGENCY, "Radios", ("R-2",), "NSPA", date(2024, 4, 1)))
    open_direct(world)
    before = dump(world.engine)
    with pytest.raises(InvariantViolated, match=r"line 1 is worth 100100.00 EUR; only 100000.00 EUR is reserved for "
                                                r"R-1 and not yet contracted"):
        sign(world, value="1001")
    assert dump(world.engine) == before  # nothing half-written
    sign(world, value="990")
    assert measure(world, Measure.CONTRACTED) == eur("99000")
    assert measure(world, Measure.RESERVED) == eur("1000")


def test_payments_split_exactly_between_donors_and_never_exceed_what_is_reserved(world: Platform):
    open_direct(world)
    sign(world)
    paid = payments.record_payment(world.uow(), world.operator(), "K-1", amount=eur("33333.33"),
                                      paid_on=date(2024, 5, 1))
    view = delivery_views.get_contract(world.uow(), world.operator(), "K-1")
    shares = {s.donor: s.reporting for _, s in view.payment_shares}
    # 3,333,333 minor units over 60:40 -> exact 1,999,999.8 and 1,333,333.2 -> largest remainder: 2,000,000 / 1,333,333.
    assert shares == {"EE": 2_000_000, "LV": 1_333_333}
    assert sum(shares.values()) == paid.reporting.to_minor_units()
    with pytest.raises(InvariantViolated, match="would pay beyond the contract"):
        payments.record_payment(world.uow(), world.operator(), "K-1", amount=eur("66666.68"),
                                paid_on=date(2024, 5, 2))
    payments.record_payment(world.uow(), world.operator(), "K-1", amount=eur("66666.67"), paid_on=date(2024, 5, 2))
    assert measure(world, Measure.DISBURSED) == eur("100000")
    assert measure(world, Measure.CONTRACTED) == eur("0")
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok


def test_money_that_moved_on_to_a_contract_or_a_payment_still_covers_its_rank(world: Platform):
    def coverage() -> dict[str, tuple[Money, Money, Money]]:
        found = priority_views.coverage(world.uow(), world.operator(), C)
        assert found.next_short is not None and found.next_short.requirement.code == "R-2"
        return {r.requirement.code: (r.reserved, r.contracted, r.missing) for r in found.ranks}

    assert coverage()["R-1"] == (eur("100000"), eur("0"), eur("0"))
    open_direct(world)
    sign(world, value="990")
    assert coverage()["R-1"] == (eur("1000"), eur("99000"), eur("0"))
    payments.record_payment(world.uow(), world.operator(), "K-1", amount=eur("40000"), paid_on=date(2024, 5, 1))
    assert coverage()["R-1"] == (eur("1000"), eur("99000"), eur("0"))  # contracted or paid: the same money
    assert coverage()["R-2"] == (eur("0"), eur("0"), eur("5000"))


def test_a_payment_made_in_error_is_reversed_and_the_money_returns(world: Platform):
    open_direct(world)
    sign(world)
    paid = payments.record_payment(world.uow(), world.operator(), "K-1", amount=eur("50000"),
                                   paid_on=date(2024, 5, 1))
    undone = payments.reverse_payment(world.uow(), world.operator(), paid.id or 0, reason="paid twice",
                                      on=date(2024, 5, 3))
    assert undone.reverses == paid.id and undone.signed_amount == eur("-50000")
    assert measure(world, Measure.DISBURSED) == eur("0")
    assert measure(world, Measure.CONTRACTED) == eur("100000")
    view = delivery_views.get_contract(world.uow(), world.operator(), "K-1")
    assert view.paid == eur("0") and sum(s.reporting for _, s in view.payment_shares) == 0
    with pytest.raises(Conflict, match="already been reversed"):
        payments.reverse_payment(world.uow(), world.operator(), paid.id or 0, reason="again", on=date(2024, 5, 4))
    payments.record_payment(world.uow(), world.operator(), "K-1", amount=eur("100000"), paid_on=date(2024, 5, 5))
    assert measure(world, Measure.DISBURSED) == eur("100000")
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok


def test_a_payment_worth_more_than_the_reserved_money_after_a_rate_change_is_refused(world: Platform):
    # UAH strengthens from 40 to 30 a euro between signing and paying.
    funding.import_fx_rates(world.uow(), world.operator(), source="test", digest="t", rates=[
        FxRate(date(2024, 4, 10), "EUR", "UAH", Decimal("40"), "test rates"),
        FxRate(date(2024, 5, 1), "EUR", "UAH", Decimal("30"), "test rates")])
    open_direct(world)
    sign(world, value="38000", currency="UAH")  # 3,800,000 UAH = EUR 95,000 at 40
    assert measure(world, Measure.CONTRACTED) == eur("95000")
    before = dump(world.engine)
    with pytest.raises(InvariantViolated, match="no payment beyond the money reserved"):
        # 3,100,000 UAH = EUR 103,333.33 at 30: more than the 95,000 contracted and 5,000 still reserved
        payments.record_payment(world.uow(), world.operator(), "K-1", amount=Money.parse("3100000", "UAH"),
                                paid_on=date(2024, 5, 1))
    assert dump(world.engine) == before
    paid = payments.record_payment(world.uow(), world.operator(), "K-1", amount=Money.parse("2970000", "UAH"),
                                   paid_on=date(2024, 5, 1))
    assert (paid.reporting, paid.rate_date, paid.rate_source) == (eur("99000"), date(2024, 5, 1), "test rates")
    # EUR 95,000 contracted and EUR 4,000 of the exchange-rate difference from the reservations
    assert measure(world, Measure.DISBURSED) == eur("99000")
    assert measure(world, Measure.RESERVED) == eur("1000")
    assert measure(world, Measure.CONTRACTED) == eur("0")
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok


def test_receipts_by_units_add_up_and_never_exceed_what_was_shipped(world: Platform):
    open_direct(world)
    sign(world)
    actor = world.operator()
    shipment = delivery.ship(world.uow(), actor, contract="K-1", line=1, quantity=60, on=date(2024, 6, 1))
    with pytest.raises(InvariantViolated, match="line 1 of K-1 orders 100; 60 already shipped, so 41 more is too many"):
        delivery.ship(world.uow(), actor, contract="K-1", line=1, quantity=41, on=date(2024, 6, 1))
    with pytest.raises(InvariantViolated, match="units sign for a shipment once it has arrived"):
        delivery.confirm_receipt(world.uow(), actor, UnitReceipt(shipment.id or 0, "UNIT-1", 10, Condition.NEW, True,
                                                                 date(2024, 6, 2), "Officer"))
    for state, day in ((ShipmentState.IN_TRANSIT, 3), (ShipmentState.ARRIVED, 5)):
        delivery.advance_shipment(world.uow(), actor, shipment.id or 0, state, on=date(2024, 6, day))
    delivery.confirm_receipt(world.uow(), actor, UnitReceipt(shipment.id or 0, "UNIT-1", 40, Condition.NEW, True,
                                                             date(2024, 6, 6), "Officer 1"))
    delivery.confirm_receipt(world.uow(), actor, UnitReceipt(shipment.id or 0, "UNIT-2", 15, Condition.NEW, True,
                                                             date(2024, 6, 6), "Officer 2"))
    with pytest.raises(InvariantViolated, match="carried 60; 55 already signed for, so a receipt of 6 is more than "
                                                "was shipped"):
        delivery.confirm_receipt(world.uow(), actor, UnitReceipt(shipment.id or 0, "UNIT-2", 6, Condition.NEW, True,
                                                                 date(2024, 6, 6), "Officer 2"))
    with pytest.raises(InvariantViolated, match="an act of 2999-06-06 is in the future") as future:
        delivery.confirm_receipt(world.uow(), actor, UnitReceipt(shipment.id or 0, "UNIT-2", 1, Condition.NEW, True,
                                                                 date(2999, 6, 6), "Officer 2"))
    assert future.value.field == "received_on"
    with pytest.raises(InvariantViolated, match="UA-MOD is not an end user of R-1"):
        delivery.confirm_receipt(world.uow(), actor, UnitReceipt(shipment.id or 0, "UA-MOD", 1, Condition.NEW, True,
                                                                 date(2024, 6, 6), "Officer"))
    delivery.confirm_receipt(world.uow(), actor, UnitReceipt(shipment.id or 0, "UNIT-2", 5, Condition.DAMAGED, False,
                                                             date(2024, 6, 6), "Officer 2", "crushed in transit"))
    status = {r.requirement: r for r in delivery_views.delivery_status(world.uow(), actor, C)}["R-1"]
    assert (status.shipped, status.signed_for, status.accepted, status.refused) == (60, 60, 55, 5)
    assert status.shown_share == "55.0%" and status.status is RequirementStatus.PARTLY_DELIVERED
    assert delivery_views.get_contract(world.uow(), actor, "K-1").shipments[0].state is ShipmentState.HANDED_OVER
    rest = delivery.ship(world.uow(), actor, contract="K-1", line=1, quantity=40, on=date(2024, 7, 1))
    for state in (ShipmentState.IN_TRANSIT, ShipmentState.ARRIVED):
        delivery.advance_shipment(world.uow(), actor, rest.id or 0, state, on=date(2024, 7, 2))
    delivery.confirm_receipt(world.uow(), actor, UnitReceipt(rest.id or 0, "UNIT-2", 40, Condition.NEW, True,
                                                             date(2024, 7, 3), "Officer 2"))
    # 95 of 100 accepted: still partly delivered; the case is not delivered until every item is.
    assert {r.requirement: r for r in delivery_views.delivery_status(world.uow(), actor, C)}["R-1"].accepted == 95
    assert cases.get_case(world.uow(), actor, "CASE-1").case.stage is CaseStage.CONTRACTED


def test_a_supplier_ships_only_its_own_contracts_and_a_unit_officer_signs_only_for_its_own_unit(world: Platform):
    open_direct(world)
    sign(world)  # K-1, supplied by SUP-A
    own, other = (Actor(f"user-{code}", code, frozenset({Grant(Role.SUPPLIER, C)})) for code in ("SUP-A", "SUP-B"))
    before = dump(world.engine)
    with pytest.raises(PermissionDenied, match="record shipment for SUP-A needs a role that acts for any party, or one "
                                               "held for SUP-A; user-SUP-B is a supplier for SUP-B"):
        delivery.ship(world.uow(), other, contract="K-1", line=1, quantity=10, on=date(2024, 6, 1))
    assert dump(world.engine) == before
    shipment = delivery.ship(world.uow(), own, contract="K-1", line=1, quantity=10, on=date(2024, 6, 1))
    with pytest.raises(PermissionDenied, match="record shipment for SUP-A"):
        delivery.advance_shipment(world.uow(), other, shipment.id or 0, ShipmentState.IN_TRANSIT, on=date(2024, 6, 2))
    for state, day in ((ShipmentState.IN_TRANSIT, 2), (ShipmentState.ARRIVED, 3)):
        delivery.advance_shipment(world.uow(), own, shipment.id or 0, state, on=date(2024, 6, day))

    unit_1, unit_2 = (Actor(f"officer-{code}", code, frozenset({Grant(Role.UNIT_LOGISTICS_OFFICER, C)}))
                      for code in ("UNIT-1", "UNIT-2"))
    before = dump(world.engine)
    refusal = ("confirm receipt for UNIT-1 needs a role that acts for any party, or one held for UNIT-1; "
               "officer-UNIT-2 is a unit-logistics-officer for UNIT-2")
    with pytest.raises(PermissionDenied, match=refusal):
        delivery.confirm_receipt(world.uow(), unit_2, UnitReceipt(shipment.id or 0, "UNIT-1", 4, Condition.NEW, True,
                                                                  date(2024, 6, 4), "Officer 2"))
    assert dump(world.engine) == before
    for officer, unit, quantity in ((unit_1, "UNIT-1", 6), (unit_2, "UNIT-2", 4)):
        delivery.confirm_receipt(world.uow(), officer, UnitReceipt(shipment.id or 0, unit, quantity, Condition.NEW,
                                                                   True, date(2024, 6, 4), officer.user))
    # The recipient's officer signs for any of its units.
    rest = delivery.ship(world.uow(), own, contract="K-1", line=1, quantity=5, on=date(2024, 7, 1))
    for state in (ShipmentState.IN_TRANSIT, ShipmentState.ARRIVED):
        delivery.advance_shipment(world.uow(), own, rest.id or 0, state, on=date(2024, 7, 2))
    recipient = Actor("mod-officer", "UA-MOD", frozenset({Grant(Role.RECIPIENT_OFFICER, C)}))
    delivery.confirm_receipt(world.uow(), recipient, UnitReceipt(rest.id or 0, "UNIT-1", 5, Condition.NEW, True,
                                                                 date(2024, 7, 3), "Receiving officer"))
    status = {r.requirement: r for r in delivery_views.delivery_status(world.uow(), world.operator(), C)}["R-1"]
    assert (status.shipped, status.accepted) == (15, 15)


def test_delivered_items_carry_donor_shares_that_sum_to_each_receipts_value(world: Platform):
    open_direct(world)
    sign(world, value="999.99")  # 99,999.00 contracted: 59,999.40 from Estonia and 39,999.60 from Latvia
    actor = world.operator()
    shipment = delivery.ship(world.uow(), actor, contract="K-1", line=1, quantity=100, on=date(2024, 6, 1))
    for state in (ShipmentState.IN_TRANSIT, ShipmentState.ARRIVED):
        delivery.advance_shipment(world.uow(), actor, shipment.id or 0, state, on=date(2024, 6, 2))
    for unit, quantity in (("UNIT-1", 33), ("UNIT-2", 67)):
        delivery.confirm_receipt(world.uow(), actor, UnitReceipt(shipment.id or 0, unit, quantity, Condition.NEW,
                                                                 True, date(2024, 6, 3), "Officer"))
    statements = {d: delivery_views.donor_procurement(world.uow(), actor, d)[0] for d in ("EE", "LV")}
    assert statements["EE"].total_contracted == eur("59999.40")
    assert statements["LV"].total_contracted == eur("39999.60")
    by_receipt: dict[int, list[int]] = {}
    for found in statements.values():
        for item in found.delivered:
            by_receipt.setdefault(item.receipt, []).append(item.share.to_minor_units())
            assert item.unit in ("UNIT-1", "UNIT-2")
    values = {d.receipt: d.value.to_minor_units() for d in statements["EE"].delivered}
    # 33 items are worth 99,999.00 x 33 / 100 = 32,999.67; the two shares sum to exactly that.
    assert sorted(values.values()) == [3_299_967, 6_699_933]
    for receipt, shares in by_receipt.items():
        assert sum(shares) == values[receipt]
    assert statements["EE"].total_delivered + statements["LV"].total_delivered == eur("99999.00")
    assert statements["EE"].units == ["UNIT-1", "UNIT-2"]
    status = {r.requirement: r for r in delivery_views.delivery_status(world.uow(), actor, C)}["R-1"]
    assert status.status is RequirementStatus.FULLY_DELIVERED
    assert cases.get_case(world.uow(), actor, "CASE-1").case.stage is CaseStage.DELIVERED
    delivery.close_case(world.uow(), actor, "CASE-1", on=date(2024, 7, 1))
    closed, _ = planning.requirement_history(world.uow(), actor, "R-1")
    assert closed.status is RequirementStatus.CLOSED


def test_an_amendment_is_a_new_version_and_returns_money_to_the_reservations(world: Platform):
    open_direct(world)
    sign(world)
    payments.record_payment(world.uow(), world.operator(), "K-1", amount=eur("50000"), paid_on=date(2024, 4, 20))
    amended = contracts.amend_contract(world.uow(), world.operator(), "K-1", on=date(2024, 5, 1),
                                       reason="price negotiated down",
                                       lines=(ContractLine(1, "R-1", 100, eur("900")),), milestones=())
    assert [v.value for v in amended.versions] == [eur("100000"), eur("90000")]
    # a tenth of the unpaid 50,000 returns to the reservations
    assert (measure(world, Measure.CONTRACTED), measure(world, Measure.RESERVED)) == (eur("45000"), eur("5000"))
    view = delivery_views.get_contract(world.uow(), world.operator(), "K-1")
    assert view.contract.version(1).lines[0].unit_price == eur("1000")  # the earlier version stays readable
    assert {s.donor: s.reporting for s in view.funding} == {"EE": 5_700_000, "LV": 3_800_000}
    payments.record_payment(world.uow(), world.operator(), "K-1", amount=eur("40000"), paid_on=date(2024, 5, 2))
    # paid in full: what is left contracted goes back to the reservations
    assert (measure(world, Measure.CONTRACTED), measure(world, Measure.RESERVED),
            measure(world, Measure.DISBURSED)) == (eur("0"), eur("10000"), eur("90000"))
    with pytest.raises(InvariantViolated, match="line 1 keeps its requirement R-1"):
        contracts.amend_contract(world.uow(), world.operator(), "K-1", on=date(2024, 5, 2), reason="swap",
                                   lines=(ContractLine(1, "R-2", 1, eur("1")),), milestones=())
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok


def test_the_agency_route_with_a_tender_an_award_by_decision_and_a_standstill(world: Platform):
    actor = world.operator()
    rules = steering.open_proposal(world.uow(), actor, coalition=C, kind=ProposalKind.CHANGE_RULES,
                                   title="Procurement decided by the steering group", procedure=Procedure.WRITTEN,
                                   payload={"rules": DecisionRules(secretariat_may_approve=True,
                                                                   steering_decides_procurement=True).to_data()})
    decide(world, rules.id)
    cases.open_case(world.uow(), actor, ProcurementCase(
        "CASE-A", C, FundingRoute.AGENCY, "Radios", ("R-1",), "NSPA", date(2024, 4, 1)))
    with pytest.raises(InvariantViolated, match="the procurement route is a steering-group decision"):
        cases.approve_route(world.uow(), actor, "CASE-A", on=date(2024, 4, 2))
    with pytest.raises(InvalidInput, match=f"decision {rules.id} is not a proposal of kind approve-route"):
        cases.approve_route(world.uow(), actor, "CASE-A", on=date(2024, 4, 2), decision=rules.id)
    route = steering.open_proposal(world.uow(), actor, coalition=C, kind=ProposalKind.APPROVE_ROUTE,
                                   title="Agency route", procedure=Procedure.WRITTEN, payload={"case": "CASE-A"})
    assert "the agency route approved" in decide(world, route.id)
    tenders.create_tender(world.uow(), actor, Tender(
        "T-1", "CASE-A", "Radios", TenderProcedure.INVITED, EvaluationMethod.LOWEST_PRICE,
        (Lot(1, "Radios", "R-1", 100),), date(2024, 4, 5), date(2024, 4, 30), invited=("SUP-A", "SUP-B"),
        standstill_days=10))
    with pytest.raises(InvariantViolated, match="UA-MOD was not invited"):
        tenders.record_bid(world.uow(), actor, Bid("T-1", 1, "UA-MOD", eur("1"), 10, True, date(2024, 4, 10)))
    first = tenders.record_bid(world.uow(), actor, Bid("T-1", 1, "SUP-A", eur("950"), 30, True, date(2024, 4, 10)))
    tenders.record_bid(world.uow(), actor, Bid("T-1", 1, "SUP-B", eur("900"), 30, False, date(2024, 4, 11)))
    ranking = tenders.evaluate_tender(world.uow(), actor, "T-1").lots[1]
    assert [(r.bid.supplier, r.rank) for r in ranking] == [("SUP-A", 1), ("SUP-B", None)]
    with pytest.raises(InvariantViolated, match="an award is a steering-group decision"):
        tenders.award_lot(world.uow(), actor, "T-1", lot=1, bid=first.id or 0, justification="lowest compliant",
                          on=date(2024, 5, 2))
    awarding = steering.open_proposal(world.uow(), actor, coalition=C, kind=ProposalKind.APPROVE_AWARD,
                                      title="Award lot 1", procedure=Procedure.WRITTEN,
                                      payload={"tender": "T-1", "lot": 1, "bid": first.id,
                                               "justification": "lowest compliant price"})
    effects = decide(world, awarding.id)
    standstill_end = world.clock().date().toordinal() + 10
    assert f"standstill until {date.fromordinal(standstill_end)}" in effects
    with pytest.raises(InvariantViolated, match="in its standstill period"):
        contracts.sign_contract(world.uow(), actor, code="K-A", case="CASE-A", supplier=None,
                                signed_on=date.fromordinal(standstill_end), tender="T-1", lots=(1,))
    with pytest.raises(InvalidInput, match="the lots were awarded to SUP-A, not SUP-B"):
        contracts.sign_contract(world.uow(), actor, code="K-A", case="CASE-A", supplier="SUP-B",
                                signed_on=date.fromordinal(standstill_end + 1), tender="T-1", lots=(1,))
    signed = contracts.sign_contract(world.uow(), actor, code="K-A", case="CASE-A", supplier=None,
                                     signed_on=date.fromordinal(standstill_end + 1), tender="T-1", lots=(1,))
    assert (signed.supplier, signed.current.value) == ("SUP-A", eur("95000"))
    assert cases.get_case(world.uow(), actor, "CASE-A").case.stage is CaseStage.CONTRACTED


def test_a_cancelled_tender_returns_the_case_to_its_approved_route(world: Platform):
    actor = world.operator()
    cases.open_case(world.uow(), actor, ProcurementCase(
        "CASE-A", C, FundingRoute.AGENCY, "Radios", ("R-1",), "NSPA", date(2024, 4, 1)))
    cases.approve_route(world.uow(), actor, "CASE-A", on=date(2024, 4, 2))
    with pytest.raises(InvalidInput, match="lot 1: R-2 is not a requirement of case CASE-A"):
        tenders.create_tender(world.uow(), actor, Tender(
            "T-1", "CASE-A", "Radios", TenderProcedure.OPEN, EvaluationMethod.LOWEST_PRICE,
            (Lot(1, "Radios", "R-2", 1),), date(2024, 4, 5), date(2024, 4, 30)))
    tenders.create_tender(world.uow(), actor, Tender(
        "T-1", "CASE-A", "Radios", TenderProcedure.OPEN, EvaluationMethod.LOWEST_PRICE,
        (Lot(1, "Radios", "R-1", 100),), date(2024, 4, 5), date(2024, 4, 30), standstill_days=0))
    first = tenders.record_bid(world.uow(), actor, Bid("T-1", 1, "SUP-A", eur("950"), 30, True, date(2024, 4, 9)))
    tenders.award_lot(world.uow(), actor, "T-1", lot=1, bid=first.id or 0, justification="only bid",
                      on=date(2024, 5, 1))
    tenders.cancel_tender(world.uow(), actor, "T-1", on=date(2024, 5, 1), reason="specification changed")
    assert cases.get_case(world.uow(), actor, "CASE-A").case.stage is CaseStage.APPROVED
    with pytest.raises(InvariantViolated, match="tender T-1 is cancelled; its awards no longer stand"):
        contracts.sign_contract(world.uow(), actor, code="K-A", case="CASE-A", supplier=None,
                                signed_on=date(2024, 5, 3), tender="T-1", lots=(1,))
    with pytest.raises(InvariantViolated, match="tender T-1 is cancelled; it takes no bids"):
        tenders.record_bid(world.uow(), actor, Bid("T-1", 1, "SUP-B", eur("950"), 30, True, date(2024, 4, 21)))
    with pytest.raises(Conflict, match="already cancelled"):
        tenders.cancel_tender(world.uow(), actor, "T-1", on=date(2024, 5, 2), reason="again")


def decide(platform: Platform, proposal: int | None) -> str:
    assert proposal is not None
    actor = platform.operator()
    for party in ("EE", "LV"):
        steering.cast_vote(platform.uow(), actor, proposal, party, Vote.FOR)
    return "; ".join(steering.close_proposal(platform.uow(), actor, proposal).effects)


def test_cancelling_a_case_returns_its_requirements_to_funding(world: Platform):
    open_direct(world)
    cases.cancel_case(world.uow(), world.operator(), "CASE-1", on=date(2024, 4, 3), reason="priorities changed")
    found, _ = planning.requirement_history(world.uow(), world.operator(), "R-1")
    assert found.status is RequirementStatus.FULLY_FUNDED
    with pytest.raises(InvariantViolated, match="case CASE-1 is cancelled; it can move to none"):
        cases.approve_route(world.uow(), world.operator(), "CASE-1", on=date(2024, 4, 4))


def test_contract_entries_are_corrected_through_the_contract_not_reversed(world: Platform):
    open_direct(world)
    sign(world)
    _, entries = funding.contribution_entries(world.uow(), world.operator(), 1)
    entry = max(e.id or 0 for e in entries)
    with pytest.raises(InvariantViolated, match="corrected through the contract"):
        funding.reverse_entry(world.uow(), world.operator(), entry, reason="oops")


def test_the_command_line_refuses_clearly_and_writes_nothing(world: Platform, capsys: pytest.CaptureFixture[str]):
    assert_refused(world, capsys, ["cases", "open", C, "CASE-9", "--route", "by-sea", "--title", "x", "--requirement",
                                   "R-1", "--buyer", "UA-MOD", "--on", "2024-04-01"], 2,
                   "--route: 'by-sea' is not one of: agency, direct-industry")
    assert run(world, capsys, "cases", "open", C, "CASE-1", "--route", "direct-industry", "--title", "Radios",
               "--requirement", "R-1", "--buyer", "UA-MOD", "--on", "2024-04-01")[0] == 0
    assert run(world, capsys, "cases", "approve-route", "CASE-1", "--on", "2024-04-02")[0] == 0
    assert_refused(world, capsys, ["contracts", "sign", "CASE-1", "K-1", "--on", "2024-04-10", "--supplier", "SUP-A",
                                   "--line", "R-1:100:1000.001"], 2, "--line")
    assert_refused(world, capsys, ["contracts", "sign", "CASE-1", "K-1", "--on", "2024-04-10", "--supplier", "SUP-A",
                                   "--line", "R-1:200:1000"], 6, "only 100000.00 EUR is reserved for R-1")
    code, out, err = run(world, capsys, "contracts", "sign", "CASE-1", "K-1", "--on", "2024-04-10", "--supplier",
                         "SUP-A", "--line", "R-1:100:1000", "--milestone", "Advance|2024-04-20|30000")
    assert code == 0, err
    paid = run(world, capsys, "contracts", "pay", "K-1", "30000", "EUR", "--on", "2024-04-20", "--milestone", "1")
    assert paid[0] == 0
    assert_refused(world, capsys, ["contracts", "pay", "K-1", "1", "EUR", "--on", "2024-04-21", "--milestone", "1"], 6,
                   "milestone 1 (Advance) is worth 30000.00 EUR")
    assert run(world, capsys, "deliveries", "ship", "K-1", "1", "10", "--on", "2024-05-01")[0] == 0
    for state in ("in-transit", "arrived"):
        assert run(world, capsys, "deliveries", "advance", "1", state, "--on", "2024-05-02")[0] == 0
    assert_refused(world, capsys, ["deliveries", "receive", "1", "UNIT-1", "11", "--on", "2024-05-03", "--signed-by",
                                   "Officer"], 6, "a receipt of 11 is more than was shipped")
    code, out, _ = run(world, capsys, "deliveries", "receive", "1", "UNIT-1", "10", "--on", "2024-05-03",
                       "--signed-by", "Officer")
    assert code == 0 and "UNIT-1 signed for 10" in out
    code, out, _ = run(world, capsys, "report", "donor", "EE")
    assert code == 0 and "What EE's money bought in test-coalition" in out and "UNIT-1" in out
    code, out, _ = run(world, capsys, "cases", "pipeline", C)
    assert code == 0 and "direct-industry" in out


def test_the_demo_runs_every_route_and_the_books_agree(platform: Platform, capsys: pytest.CaptureFixture[str]):
    build_demo_world(platform.uow(), platform.operator())
    actor = platform.operator()
    routes = {c.route for code in ("it-coalition", "drone-coalition")
              for c in cases.list_cases(platform.uow(), actor, code)}
    assert routes == set(FundingRoute)
    for coalition in ("it-coalition", "drone-coalition"):
        report = funding_views.funding_report(platform.uow(), actor, coalition)
        contracted = sum(s.reporting for c in cases.list_cases(platform.uow(), actor, coalition)
                         if c.route is not FundingRoute.DONATION_FROM_STOCK
                         for k in cases.get_case(platform.uow(), actor, c.code).contracts
                         for s in delivery_views.get_contract(platform.uow(), actor, k.code).funding)
        with platform.uow() as uow:  # the innovation pipeline's grants are disbursed too, not through contracts
            grants = sum(units for call in uow.innovation.calls(coalition)
                         for project in uow.innovation.projects(call=call.code)
                         for grant in uow.innovation.grants(project.code)
                         for _, _, units, _ in uow.ledger.holdings(coalition, innovation.grant_account(grant.code),
                                                                   AccountType.DISBURSED))
        # Money contracted through the contracts is either still contracted or disbursed in the ledger.
        assert contracted == (report.totals[Measure.CONTRACTED].to_minor_units()
                              + report.totals[Measure.DISBURSED].to_minor_units() - grants)
        for case in cases.list_cases(platform.uow(), actor, coalition):
            for contract in cases.get_case(platform.uow(), actor, case.code).contracts:
                view = delivery_views.get_contract(platform.uow(), actor, contract.code)
                for payment in view.payments:
                    assert sum(s.reporting for p, s in view.payment_shares if p == payment.id) == \
                        payment.reporting.to_minor_units()
    estonia = delivery_views.donor_procurement(platform.uow(), actor, "EE")[0]
    assert estonia.total_delivered == eur("4756000")  # 58 accepted kits at EUR 82,000
    assert estonia.units == ["UA-TU-1", "UA-TU-2"]
    status = {r.requirement: r for r in delivery_views.delivery_status(platform.uow(), actor, "it-coalition")}
    assert (status["CP-KIT-01"].accepted, status["CP-KIT-01"].refused) == (58, 2)
    assert run(platform, capsys, "ledger", "check")[0] == 0
    code, out, _ = run(platform, capsys, "audit", "verify")
    assert code == 0 and "all intact" in out
    again = build_demo_world(platform.uow(), actor)
    assert again.created == []


def test_a_contract_draws_only_on_money_reserved_by_its_date(platform: Platform):
    world, actor = funded_world(platform), platform.operator()
    planning.release_reservation(world.uow(), actor, coalition=C, requirement="R-1", reason="re-planned",
                                 on=date(2024, 4, 5))
    plan = planning.run_allocation(world.uow(), actor, C, on=date(2024, 4, 20))
    planning.approve_plan(world.uow(), actor, plan.id or 0, on=date(2024, 4, 20))
    open_direct(world)
    with pytest.raises(InvariantViolated, match=r"on 2024-04-10, the contract's date, only 0.00 EUR was reserved "
                                                r"for R-1") as refused:
        sign(world)
    assert refused.value.field == "lines"
    line = ContractLine(1, "R-1", 100, Money.parse("1000", "EUR"))
    contracts.sign_contract(world.uow(), actor, code="K-1", case="CASE-1", supplier="SUP-A",
                            signed_on=date(2024, 4, 21), lines=(line,))


def test_an_approval_is_dated_between_its_plan_and_today(platform: Platform):
    world, actor = funded_world(platform), platform.operator()
    planning.release_reservation(world.uow(), actor, coalition=C, requirement="R-1", reason="re-planned",
                                 on=date(2024, 4, 5))
    plan = planning.run_allocation(world.uow(), actor, C, on=date(2024, 4, 20))
    with pytest.raises(InvariantViolated, match=r"an act of 2024-04-19 cannot precede the day plan \d+ ran, "
                                                r"2024-04-20"):
        planning.approve_plan(world.uow(), actor, plan.id or 0, on=date(2024, 4, 19))
    with pytest.raises(InvariantViolated, match="an act of 2999-01-01 is in the future"):
        planning.approve_plan(world.uow(), actor, plan.id or 0, on=date(2999, 1, 1))
    approved = planning.approve_plan(world.uow(), actor, plan.id or 0, on=date(2024, 4, 22))
    assert approved.decided_on == date(2024, 4, 22)
    assert planning.get_plan(world.uow(), actor, plan.id or 0).decided_on == date(2024, 4, 22)
    with pytest.raises(InvariantViolated, match="cannot precede the day money was last reserved for R-1, 2024-04-22"):
        planning.release_reservation(world.uow(), actor, coalition=C, requirement="R-1", reason="late",
                                     on=date(2024, 4, 21))


def test_a_payment_before_its_contract_was_signed_is_refused_naming_both_days(world: Platform):
    open_direct(world)
    sign(world)
    signed = delivery_views.get_contract(world.uow(), world.operator(), "K-1").contract.signed_on
    before = dump(world.engine)
    early = signed - timedelta(days=1)
    with pytest.raises(InvariantViolated, match=f"a payment on {early} precedes the contract signed on {signed}"):
        payments.record_payment(world.uow(), world.operator(), "K-1", amount=eur("100"), paid_on=early)
    assert dump(world.engine) == before
