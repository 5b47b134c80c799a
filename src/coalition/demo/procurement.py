"""The demo world's procurement and delivery, all three money routes and a donation from stock
(suppliers, prices, dates and quantities are illustrative).

- Agency route (IT Coalition): the agency tenders command-post kits for tactical units; the steering
  group approves the route and the award; the contract is paid by milestones; two units sign for the
  kits, one of them only partly (two kits arrive damaged).
- Donation from stock (IT Coalition): Lithuania's radios from stock go to a third unit.
- Direct industry financing (Drone Coalition): a Ukrainian manufacturer is paid in hryvnia for drones
  the ministry ordered, from money earmarked to that route.
- Prioritized package (Drone Coalition): an allied state's electronic-warfare systems, paid jointly by
  the United Kingdom and Latvia.

Each route is built once; running the demo again adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from coalition.domain.access import Actor
from coalition.domain.contributions import Contribution, ContributionKind, Earmark, FundingRoute
from coalition.domain.delivery import Condition, EndUseCheck, Finding, ShipmentState, UnitReceipt
from coalition.domain.errors import NotFound
from coalition.domain.money import Money
from coalition.domain.party import Party, PartyKind
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
from coalition.domain.requirements import Package, Requirement, RequirementStatus
from coalition.domain.steering import Meeting, Procedure, ProposalKind, Vote
from coalition.services import delivery, funding, planning, registry, steering
from coalition.services.ports import UnitOfWork
from coalition.services.procurement import cases, contracts, payments, tenders

IT, DRONE = "it-coalition", "drone-coalition"
PARTIES = (
    Party("SUP-NTS", PartyKind.COMPANY, "Nordic Tactical Systems (illustrative)", "Nordic Tactical Systems", "EE",
          illustrative=True),
    Party("SUP-BCS", PartyKind.COMPANY, "Baltic C2 Solutions (illustrative)", "Baltic C2 Solutions", "LV",
          illustrative=True),
    Party("SUP-AFS", PartyKind.COMPANY, "Alpine Field Systems (illustrative)", "Alpine Field Systems", "LU",
          illustrative=True),
    Party("UA-UAS-MFR", PartyKind.COMPANY, "Ukrainian drone manufacturer (illustrative)",
          "Український виробник безпілотників", "UA", illustrative=True),
    Party("UA-UAS-BN", PartyKind.MILITARY_UNIT, "Unmanned systems battalion (illustrative)",
          "Батальйон безпілотних систем", "UA", illustrative=True),
    Party.state("CZ"),
)


def _party(work: UnitOfWork, actor: Actor, party: Party, created: list[str]) -> None:
    try:
        registry.get_party(work, actor, party.code)
    except NotFound:
        registry.register_party(work, actor, party)
        created.append(f"party {party.code}")


def decided_at_meeting(work: UnitOfWork, actor: Actor, coalition: str, day: date, title: str,
                        decisions: list[tuple[ProposalKind, str, Mapping[str, Any]]]) -> None:
    """A steering-group meeting where every voting member attends and approves each proposal."""
    members = registry.members_on(work, actor, coalition, day)
    meeting = steering.create_meeting(work, actor, Meeting(coalition, day, title, "virtual", virtual=True,
                                                           agenda=tuple(t for _, t, _ in decisions),
                                                           illustrative=True),
                                      [m.party.code for m in members])
    for kind, proposal_title, payload in decisions:
        proposal = steering.open_proposal(work, actor, coalition=coalition, kind=kind, title=proposal_title,
                                          payload=dict(payload), procedure=Procedure.MEETING, meeting=meeting.id)
        for member in members:
            if member.votes:
                steering.cast_vote(work, actor, proposal.id or 0, member.party.code, Vote.FOR)
        steering.close_proposal(work, actor, proposal.id or 0)


def _exists(work: UnitOfWork, actor: Actor, coalition: str, case: str) -> bool:
    return any(c.code == case for c in cases.list_cases(work, actor, coalition))


def build_demo_suppliers(work: UnitOfWork, actor: Actor, created: list[str]) -> None:
    """The suppliers, the supplier state and the unit the demo's procurement names, unless registered already."""
    for party in PARTIES:
        _party(work, actor, party, created)


def build_demo_procurement(work: UnitOfWork, actor: Actor, created: list[str]) -> int:
    present = 0
    build_demo_suppliers(work, actor, created)
    for built, build in ((_exists(work, actor, IT, "IT-CP-KITS"), _it_coalition),
                         (_exists(work, actor, DRONE, "DRN-UAS-UA"), _drone_coalition)):
        if built:
            present += 1
        else:
            build(work, actor)
            created.append(f"procurement and delivery in the {build.__name__.strip('_').replace('_', ' ')}")
    return present


def _it_coalition(work: UnitOfWork, actor: Actor) -> None:
    """The agency places the first contract for tactical-level needs (command-post kits), and Lithuania's
    radios from stock go to a third unit; the steering group decides the routes and the award."""
    cases.open_case(work, actor, ProcurementCase(
        "IT-CP-KITS", IT, FundingRoute.AGENCY, "Command-post kits for tactical units", ("CP-KIT-01",), "NSPA",
        date(2024, 6, 12), illustrative=True))
    decided_at_meeting(work, actor, IT, date(2024, 6, 20), "Second steering-group meeting (illustrative)", [
        (ProposalKind.APPROVE_ROUTE, "Procure command-post kits through the agency", {"case": "IT-CP-KITS"})])
    tenders.create_tender(work, actor, Tender(
        "NSPA-IT-T001", "IT-CP-KITS", "Command-post kits for tactical units", TenderProcedure.OPEN,
        EvaluationMethod.BEST_VALUE, (Lot(1, "Command-post kits", "CP-KIT-01", 60),), date(2024, 6, 24),
        date(2024, 7, 22), weights={"price": 60, "technical": 40}, illustrative=True))
    bids = [tenders.record_bid(work, actor, Bid("NSPA-IT-T001", 1, supplier, Money.parse(price, "EUR"), days,
                                                compliant, date(2024, 7, day), scores))
            for supplier, price, days, compliant, day, scores in (
                ("SUP-NTS", "82000.00", 90, True, 15, {"technical": 85}),
                ("SUP-BCS", "79500.00", 120, True, 18, {"technical": 70}),
                ("SUP-AFS", "76000.00", 100, False, 20, {"technical": 40}))]
    cases.open_case(work, actor, ProcurementCase(
        "IT-LT-RADIOS", IT, FundingRoute.DONATION_FROM_STOCK, "Tactical radios from Lithuanian stock",
        ("CP-RADIO-02",), "LT", date(2024, 7, 2), illustrative=True))
    ranked = tenders.evaluate_tender(work, actor, "NSPA-IT-T001").lots[1]
    winner = next(r.bid for r in ranked if r.rank == 1)
    decided_at_meeting(work, actor, IT, date(2024, 7, 30), "Third steering-group meeting (illustrative)", [
        (ProposalKind.APPROVE_AWARD, "Award the command-post kits", {
            "tender": "NSPA-IT-T001", "lot": 1, "bid": winner.id,
            "justification": "Best value: highest weighted score of price (60) and technical merit (40); the "
                             "lowest bid was not technically compliant"}),
        (ProposalKind.APPROVE_ROUTE, "Accept Lithuania's radios from stock", {"case": "IT-LT-RADIOS"})])
    assert len(bids) == 3 and winner.supplier == "SUP-NTS"
    _it_kits_delivered(work, actor)
    _it_radios_transferred(work, actor)


def _it_kits_delivered(work: UnitOfWork, actor: Actor) -> None:
    """The agency contracts the awarded kits, pays by milestone, ships them and the units sign for them."""
    eur = "EUR"
    contracts.sign_contract(work, actor, code="NSPA-IT-C001", case="IT-CP-KITS", supplier=None,
                            signed_on=date(2024, 8, 15), tender="NSPA-IT-T001", lots=(1,), milestones=(
                                Milestone(1, "Advance on signature", date(2024, 8, 20), Money.parse("1476000", eur)),
                                Milestone(2, "First 40 kits delivered", date(2024, 11, 30),
                                          Money.parse("1968000", eur)),
                                Milestone(3, "Last 20 kits delivered", date(2025, 2, 28),
                                          Money.parse("1476000", eur))), illustrative=True)
    payments.record_payment(work, actor, "NSPA-IT-C001", amount=Money.parse("1476000", eur),
                            paid_on=date(2024, 8, 20), milestone=1, reference="NSPA-PAY-0001")
    first = delivery.ship(work, actor, contract="NSPA-IT-C001", line=1, quantity=40, on=date(2024, 11, 1),
                          reference="NSPA-SHP-0001")
    for state, day in ((ShipmentState.IN_TRANSIT, date(2024, 11, 5)), (ShipmentState.ARRIVED, date(2024, 11, 20))):
        delivery.advance_shipment(work, actor, first.id or 0, state, on=day)
    receipt = delivery.confirm_receipt(work, actor, UnitReceipt(first.id or 0, "UA-TU-1", 40, Condition.NEW, True,
                                                                date(2024, 11, 22), "Logistics officer, unit 1"))
    payments.record_payment(work, actor, "NSPA-IT-C001", amount=Money.parse("1968000", eur),
                            paid_on=date(2024, 12, 5), milestone=2, reference="NSPA-PAY-0002")
    second = delivery.ship(work, actor, contract="NSPA-IT-C001", line=1, quantity=20, on=date(2025, 1, 20),
                           reference="NSPA-SHP-0002")
    for state, day in ((ShipmentState.IN_TRANSIT, date(2025, 1, 24)), (ShipmentState.ARRIVED, date(2025, 2, 10))):
        delivery.advance_shipment(work, actor, second.id or 0, state, on=day)
    delivery.confirm_receipt(work, actor, UnitReceipt(second.id or 0, "UA-TU-2", 18, Condition.NEW, True,
                                                      date(2025, 2, 12), "Logistics officer, unit 2"))
    delivery.confirm_receipt(work, actor, UnitReceipt(
        second.id or 0, "UA-TU-2", 2, Condition.DAMAGED, False, date(2025, 2, 12), "Logistics officer, unit 2",
        "two kits arrived with cracked transit cases and water damage; returned to the supplier"))
    delivery.record_end_use_check(work, actor, EndUseCheck(receipt.id or 0, date(2025, 5, 15), "EE", 40,
                                                           Finding.IN_USE, "all 40 kits seen in use (illustrative)"))


def _it_radios_transferred(work: UnitOfWork, actor: Actor) -> None:
    """Lithuania's 40 radios from stock (in-kind contribution LT-K1) go to the third tactical unit."""
    given = funding.find_contribution(work, actor, IT, "LT-K1")
    assert given is not None
    contracts.sign_contract(work, actor, code="LT-TRANSFER-01", case="IT-LT-RADIOS", supplier="LT",
                            signed_on=date(2024, 8, 1), in_kind=given.id, illustrative=True,
                            lines=(ContractLine(1, "CP-RADIO-02", 40, Money.parse("10500", "EUR")),))
    shipment = delivery.ship(work, actor, contract="LT-TRANSFER-01", line=1, quantity=40, on=date(2024, 8, 5))
    for state, day in ((ShipmentState.IN_TRANSIT, date(2024, 8, 6)), (ShipmentState.ARRIVED, date(2024, 8, 12))):
        delivery.advance_shipment(work, actor, shipment.id or 0, state, on=day)
    delivery.confirm_receipt(work, actor, UnitReceipt(shipment.id or 0, "UA-TU-3", 40, Condition.SERVICEABLE, True,
                                                      date(2024, 8, 14), "Logistics officer, unit 3"))
    # The radios given in kind now cover part of the requirement: the cash reserved for that part goes back to the
    # fund, by an explicit act of its own, for the next allocation to offer to the next rank.
    planning.release_reservation(work, actor, coalition=IT, requirement="CP-RADIO-02", on=date(2024, 8, 16),
                                 reason="40 of the 400 radios were given in kind from Lithuanian stock",
                                 excess_only=True)
    cases.open_case(work, actor, ProcurementCase(
        "IT-RADIOS-REST", IT, FundingRoute.AGENCY, "The other 360 tactical radios, bought by the agency",
        ("CP-RADIO-02",), "NSPA", date(2024, 9, 2), illustrative=True))


def _drone_coalition(work: UnitOfWork, actor: Actor) -> None:
    """Direct industry financing and a prioritized package in the Drone Coalition."""
    build_demo_drone_plan(work, actor)
    _drone_direct_industry(work, actor)
    _drone_package(work, actor)


def build_demo_drone_plan(work: UnitOfWork, actor: Actor) -> None:
    """The Drone Coalition up to its approved allocation: its package, money, requirements and priority list, before
    any case (the state an import of its procurement from OCDS starts from)."""
    planning.add_package(work, actor, Package("DRN-PKG-01", DRONE, "Counter-drone electronic-warfare package from "
                                              "allied stock", Money.parse("1900000", "EUR"), illustrative=True))
    for ref, donor, amount, currency, day, earmark in (
            ("LV-D1", "LV", "2500000", "EUR", date(2025, 3, 10), "route:direct-industry"),
            ("GB-D1", "GB", "1000000", "GBP", date(2025, 3, 20), "package:DRN-PKG-01"),
            ("LV-D2", "LV", "800000", "EUR", date(2025, 3, 20), "package:DRN-PKG-01")):
        if funding.find_contribution(work, actor, DRONE, ref) is None:
            funding.record_contribution(work, actor, Contribution(
                ContributionKind.RECEIPT, DRONE, "drone-coalition-fund", donor, Money.parse(amount, currency), day,
                Earmark.parse(earmark), external_ref=ref, illustrative=True))
    for code, title, area, quantity, cost, package, route in (
            ("UAV-01", "FPV and interceptor drones from Ukrainian industry", "uav", 2000, "3500", None,
             FundingRoute.DIRECT_INDUSTRY),
            ("EW-DRN-02", "Counter-drone electronic-warfare systems", "electronic-warfare", 10, "190000",
             "DRN-PKG-01", FundingRoute.PRIORITIZED_PACKAGE)):
        planning.add_requirement(work, actor, Requirement(
            code, DRONE, "UA-MOD", title, area, quantity, "piece" if area == "uav" else "system",
            Money.parse(cost, "EUR"), ("UA-UAS-BN",), package=package, route=route,
            status=RequirementStatus.SUBMITTED, illustrative=True))
        planning.change_requirement_status(work, actor, code, RequirementStatus.VALIDATED, "validated (illustrative)")
    listed = planning.submit_priority_list(work, actor, coalition=DRONE, ranks=("UAV-01", "EW-DRN-02"),
                                           submitted_by="UA-MOD", on=date(2025, 3, 25))
    decided_at_meeting(work, actor, DRONE, date(2025, 4, 2), "Drone Coalition steering group (illustrative)", [
        (ProposalKind.APPROVE_PRIORITY_LIST, "Approve the Drone Coalition's priority list",
         {"version": listed.version})])
    plan = planning.run_allocation(work, actor, DRONE, on=date(2025, 4, 3))
    decided_at_meeting(work, actor, DRONE, date(2025, 4, 10), "Drone Coalition steering group (illustrative)", [
        (ProposalKind.APPROVE_PLAN, "Approve the allocation to drones and the package", {"plan": plan.id})])


def _drone_direct_industry(work: UnitOfWork, actor: Actor) -> None:
    """Direct industry financing: the ministry orders, donors' money pays the manufacturer in hryvnia."""
    cases.open_case(work, actor, ProcurementCase(
        "DRN-UAS-UA", DRONE, FundingRoute.DIRECT_INDUSTRY, "Drones from a Ukrainian manufacturer", ("UAV-01",),
        "UA-MOD", date(2025, 4, 11), illustrative=True))
    cases.approve_route(work, actor, "DRN-UAS-UA", on=date(2025, 4, 14))
    uah = "UAH"
    contracts.sign_contract(work, actor, code="UA-MOD-UAS-0001", case="DRN-UAS-UA", supplier="UA-UAS-MFR",
                            signed_on=date(2025, 4, 18), illustrative=True,
                            lines=(ContractLine(1, "UAV-01", 1800, Money.parse("150000", uah)),),
                            milestones=(Milestone(1, "Advance for production", date(2025, 4, 25),
                                                  Money.parse("162000000", uah)),
                                        Milestone(2, "Delivery", date(2025, 7, 31), Money.parse("108000000", uah))))
    payments.record_payment(work, actor, "UA-MOD-UAS-0001", amount=Money.parse("162000000", uah),
                            paid_on=date(2025, 4, 25), milestone=1, reference="UA-MOD-PAY-0001")
    shipment = delivery.ship(work, actor, contract="UA-MOD-UAS-0001", line=1, quantity=600, on=date(2025, 6, 2))
    for state, day in ((ShipmentState.IN_TRANSIT, date(2025, 6, 3)), (ShipmentState.ARRIVED, date(2025, 6, 5))):
        delivery.advance_shipment(work, actor, shipment.id or 0, state, on=day)
    delivery.confirm_receipt(work, actor, UnitReceipt(shipment.id or 0, "UA-UAS-BN", 600, Condition.NEW, True,
                                                      date(2025, 6, 6), "Logistics officer, UAS battalion"))


def _drone_package(work: UnitOfWork, actor: Actor) -> None:
    """Prioritized package: bought from an allied state's stock, paid jointly by the United Kingdom and Latvia."""
    cases.open_case(work, actor, ProcurementCase(
        "DRN-PKG-EW", DRONE, FundingRoute.PRIORITIZED_PACKAGE, "Counter-drone EW package from allied stock",
        ("EW-DRN-02",), "GB", date(2025, 4, 11), illustrative=True))
    cases.approve_route(work, actor, "DRN-PKG-EW", on=date(2025, 4, 14))
    contracts.sign_contract(work, actor, code="GB-CZ-EW-01", case="DRN-PKG-EW", supplier="CZ",
                            signed_on=date(2025, 4, 22), illustrative=True,
                            lines=(ContractLine(1, "EW-DRN-02", 10, Money.parse("185000", "EUR")),))
    payments.record_payment(work, actor, "GB-CZ-EW-01", amount=Money.parse("1850000", "EUR"),
                            paid_on=date(2025, 5, 6), reference="GB-PAY-EW-01")
    shipment = delivery.ship(work, actor, contract="GB-CZ-EW-01", line=1, quantity=10, on=date(2025, 5, 12))
    for state, day in ((ShipmentState.IN_TRANSIT, date(2025, 5, 13)), (ShipmentState.ARRIVED, date(2025, 5, 20)),
                       (ShipmentState.HANDED_OVER, date(2025, 5, 21))):
        delivery.advance_shipment(work, actor, shipment.id or 0, state, on=day)
    delivery.confirm_receipt(work, actor, UnitReceipt(shipment.id or 0, "UA-UAS-BN", 10, Condition.NEW, True,
                                                      date(2025, 5, 21), "Logistics officer, UAS battalion"))
