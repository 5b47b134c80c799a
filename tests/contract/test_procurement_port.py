"""The procurement write port (``ProcurementRepository``), the same on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from coalition.domain.contributions import ContributionKind, FundingRoute
from coalition.domain.delivery import (
    Condition,
    EndUseCheck,
    Finding,
    Shipment,
    ShipmentEvent,
    ShipmentState,
    UnitReceipt,
)
from coalition.domain.procurement import (
    Bid,
    CaseStage,
    Contract,
    ContractLine,
    ContractVersion,
    EvaluationMethod,
    FundingShare,
    Lot,
    Payment,
    ProcurementCase,
    Tender,
    TenderProcedure,
    TenderState,
)
from tests.contract.conftest import FUND, C, Units, written
from tests.contract.test_ledger_port import contribution, eur, record

CASE = ProcurementCase("CASE-1", C, FundingRoute.AGENCY, "Radios", ("R-1", "R-2"), "NSPA", date(2024, 4, 1))


def contract(code: str = "K-1", signed_on: date = date(2024, 5, 1), case: str = "CASE-1") -> Contract:
    lines = (ContractLine(1, "R-1", 10, eur("100")), ContractLine(2, "R-2", 5, eur("40")))
    return Contract(code, case, "SUP-A", signed_on, (ContractVersion(1, signed_on, "signed", lines),))


@pytest.fixture
def signed(units: Units) -> tuple[Units, int, int]:
    """A case with contract K-1 and a receipt of Estonia's to fund it: (units, contribution, its entry)."""
    (receipt,) = record(units, contribution(ContributionKind.RECEIPT, "EE", "2000"))
    with units() as uow:
        uow.procurement.add_case(CASE)
        uow.procurement.add_contract(contract())
        written(uow, "contract")
    with units() as uow:
        (entry,) = uow.ledger.entries(contributions=[receipt.id or 0])
    return units, receipt.id or 0, entry.id or 0


def test_a_case_reads_back_and_keeps_the_history_of_its_stages(units: Units):
    later = dataclasses.replace(CASE, code="CASE-2", opened_on=date(2024, 4, 2))
    with units() as uow:
        uow.procurement.add_case(later)
        uow.procurement.add_case(CASE)
        written(uow, "cases")
    with units() as uow:
        assert uow.procurement.get_case("CASE-1") == CASE and uow.procurement.get_case("CASE-9") is None
        assert uow.procurement.cases(C) == [CASE, later]
        uow.procurement.set_stage("CASE-1", CaseStage.PROPOSED, CaseStage.APPROVED, date(2024, 4, 3), "approved")
        written(uow, "stage")
    with units() as uow:
        assert uow.procurement.get_case("CASE-1") == dataclasses.replace(CASE, stage=CaseStage.APPROVED)
        assert uow.procurement.case_history("CASE-1") == [
            (None, "proposed", date(2024, 4, 1), "opened"), ("proposed", "approved", date(2024, 4, 3), "approved")]


def test_a_tender_keeps_its_state_and_its_bids_their_order(units: Units):
    tender = Tender("T-1", "CASE-1", "Radios", TenderProcedure.OPEN, EvaluationMethod.LOWEST_PRICE,
                    (Lot(1, "Radios", "R-1", 10),), date(2024, 4, 5), date(2024, 4, 20))
    with units() as uow:
        uow.procurement.add_case(CASE)
        uow.procurement.add_tender(tender)
        first = uow.procurement.add_bid(Bid("T-1", 1, "SUP-A", eur("100"), 30, True, date(2024, 4, 10)))
        second = uow.procurement.add_bid(Bid("T-1", 1, "SUP-A", eur("90"), 40, True, date(2024, 4, 11)))
        written(uow, "tender")
    with units() as uow:
        assert uow.procurement.get_tender("T-1") == tender and uow.procurement.tenders("CASE-1") == [tender]
        assert first.id is not None and second.id is not None and first.id < second.id
        assert uow.procurement.bids("T-1") == [first, second]
        assert uow.procurement.get_bid(second.id) == second and uow.procurement.get_bid(second.id + 99) is None
        cancelled = dataclasses.replace(tender, state=TenderState.CANCELLED, cancel_reason="no money")
        uow.procurement.update_tender(cancelled)
        written(uow, "cancel")
    with units() as uow:
        assert uow.procurement.get_tender("T-1") == cancelled


def test_a_contract_reads_back_with_its_versions_in_order_of_signing(signed: tuple[Units, int, int]):
    units, _, _ = signed
    amended = ContractVersion(2, date(2024, 6, 1), "more radios", (ContractLine(1, "R-1", 12, eur("100")),))
    with units() as uow:
        uow.procurement.add_contract(contract("K-0", date(2024, 4, 30)))
        uow.procurement.add_version("K-1", amended)
        written(uow, "amended")
    with units() as uow:
        found = uow.procurement.get_contract("K-1")
        assert found is not None and found.versions == (*contract().versions, amended) and found.current == amended
        assert [k.code for k in uow.procurement.contracts(["CASE-1"])] == ["K-0", "K-1"]
        assert uow.procurement.get_contract("K-9") is None and uow.procurement.contracts(["CASE-9"]) == []


def test_funding_is_net_per_line_and_contribution_and_a_share_netted_to_nothing_is_gone(
        signed: tuple[Units, int, int]):
    units, receipt, entry = signed
    share = FundingShare(1, receipt, "EE", FUND, "", 60000, "EUR", 60000)
    with units() as uow:
        uow.procurement.add_funding("K-1", share, entry)
        uow.procurement.add_funding("K-1", dataclasses.replace(share, units=40000, reporting=40000), entry)
        uow.procurement.add_funding("K-1", dataclasses.replace(share, line=2, units=20000, reporting=20000), entry)
        uow.procurement.add_funding("K-1", dataclasses.replace(share, line=2, units=-20000, reporting=-20000), entry)
        written(uow, "funding")
    with units() as uow:
        assert uow.procurement.funding(["K-1"]) == [("K-1", dataclasses.replace(share, units=100000,
                                                                                 reporting=100000))]
        assert uow.procurement.in_kind_used(receipt) == 0


def test_payments_keep_their_shares_and_the_entries_that_moved_them(signed: tuple[Units, int, int]):
    units, receipt, entry = signed
    share = FundingShare(1, receipt, "EE", FUND, "", 50000, "EUR", 50000)

    def paid(on: date, amount: str) -> Payment:
        return Payment("K-1", on, eur(amount), eur(amount), Decimal(1), on, "same")

    with units() as uow:
        later = uow.procurement.add_payment(paid(date(2024, 7, 1), "500"), [(share, entry)])
        earlier = uow.procurement.add_payment(paid(date(2024, 6, 1), "300"), [])
        written(uow, "payments")
    with units() as uow:
        assert later.id is not None and earlier.id is not None
        assert uow.procurement.payments(["K-1"]) == [earlier, later]
        assert uow.procurement.payment_shares(["K-1"]) == [(later.id, share)]
        assert uow.procurement.payment_entries("K-1") == [(later.id, share, entry)]
        assert uow.procurement.contract_of_payment(later.id) == "K-1"
        assert uow.procurement.contract_of_payment(later.id + earlier.id) is None


def test_a_shipment_moves_on_and_units_sign_for_it(signed: tuple[Units, int, int]):
    units, _, _ = signed
    prepared = Shipment("K-1", 1, 10, (ShipmentEvent(ShipmentState.PREPARED, date(2024, 6, 1)),), "AWB-1")
    with units() as uow:
        stored = uow.procurement.add_shipment(prepared)
        assert stored.id is not None and stored == dataclasses.replace(prepared, id=stored.id)
        arrived = ShipmentEvent(ShipmentState.ARRIVED, date(2024, 6, 5), "at the depot")
        uow.procurement.add_shipment_event(stored.id, arrived)
        receipt = uow.procurement.add_receipt(UnitReceipt(stored.id, "UNIT-1", 10, Condition.NEW, True,
                                                          date(2024, 6, 6), "officer"))
        check = uow.procurement.add_check(EndUseCheck(receipt.id or 0, date(2024, 9, 1), "NSPA", 10, Finding.IN_USE))
        written(uow, "shipment")
    with units() as uow:
        found = uow.procurement.get_shipment(stored.id)
        assert found is not None and found.events == (*prepared.events, arrived)
        assert found.state is ShipmentState.ARRIVED
        assert uow.procurement.shipments(["K-1"]) == [found] and uow.procurement.shipments(["K-9"]) == []
        assert uow.procurement.get_receipt(receipt.id or 0) == receipt
        assert uow.procurement.receipts([stored.id]) == [receipt]
        assert check.id is not None
        assert uow.procurement.get_check(check.id) == check and uow.procurement.get_check(check.id + 99) is None
