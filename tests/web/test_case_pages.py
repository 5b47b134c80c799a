"""A procurement case's page, as Prozorro shows one: its stages, the tender with its lots, ranked bids, award and
standstill, the contract with its versions and what each amendment changed, the money per donor, payments,
shipments and the units' receipts; reached from the procurement page, from search and from a contract's address;
refused, in the viewer's language, to whoever may not read the coalition's money."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.domain.money import Money
from coalition.domain.procurement import ContractLine, EvaluationMethod, Lot, Tender, TenderProcedure
from coalition.services.procurement import cases, contracts, tenders
from tests.integration.helpers import change_rules
from tests.web.test_pages import sign_in

# The pages on SQLite only: the case file's reads are the repositories', held on both engines by their contract suites.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html[html.index("<main"):]).split())


def test_the_secretariat_reads_a_tendered_case_from_stage_to_signature(client: TestClient) -> None:
    sign_in(client, "secretariat")
    listing = client.get("/coalitions/it-coalition/procurement").text
    assert '<a href="/cases/IT-CP-KITS">' in listing, "the procurement page lists each case with its page"
    page = _text(client.get("/cases/IT-CP-KITS").text)
    for expected in ("Stages", "Tender NSPA-IT-T001", "best value: price 60, technical 40",
                     "Awarded on Jul 30, 2024 to bid 1; standstill until Aug 9, 2024.",
                     "1 1 awarded Nordic Tactical Systems (illustrative) €82,000.00 €4,920,000.00 90 yes 92.17",
                     "Contract NSPA-IT-C001 with Nordic Tactical Systems (illustrative)", "as signed",
                     "Estonia €4,920,000.00", "NSPA-PAY-0002", "arrived Feb 10, 2025",
                     "2 by Tactical unit 2 command post (illustrative) on Feb 12, 2025, damaged, refused"):
        assert expected in page, expected
    assert client.get("/contracts/NSPA-IT-C001", follow_redirects=False).headers["location"] == \
        "/cases/IT-CP-KITS#contract-NSPA-IT-C001"


def test_an_amendment_shows_what_it_changed(client: TestClient, platform: Platform) -> None:
    with platform.uow() as uow:
        signed = uow.procurement.get_contract("NSPA-IT-C001")
    assert signed is not None
    line = signed.current.lines[0]
    cheaper = Money(Decimal("81999.99"), line.unit_price.currency)
    *paid, last = signed.current.milestones  # the last milestone pays what the review takes off
    last = dataclasses.replace(last, amount=last.amount - (line.unit_price - cheaper) * line.quantity)
    contracts.amend_contract(platform.uow(), platform.operator(), "NSPA-IT-C001", on=date(2025, 3, 3),
                             reason="price review", lines=[ContractLine(1, line.requirement, line.quantity, cheaper)],
                             milestones=[*paid, last])
    sign_in(client, "secretariat")
    page = _text(client.get("/cases/IT-CP-KITS").text)
    assert "2 Mar 3, 2025 price review line 1: quantity 60 → 60, unit price €82,000.00 → €81,999.99" in page
    assert "Value €4,919,999.40" in page


def test_in_ukrainian_and_refused_to_who_may_not_read_the_money(client: TestClient) -> None:
    assert client.get("/cases/IT-CP-KITS").status_code in (401, 403)
    token = sign_in(client, "ee-desk")
    assert client.get("/cases/IT-CP-KITS").status_code == 200, "a lead of the IT Coalition"
    assert client.get("/cases/DRN-UAS-UA").status_code == 403, "not the Drone Coalition's"
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": "/"})
    page = _text(client.get("/cases/IT-CP-KITS").text)
    assert "Тендер NSPA-IT-T001" in page and "Період очікування" in page and "Естонія" in page
    refused = client.get("/cases/DRN-UAS-UA")
    assert refused.status_code == 403 and 'lang="uk"' in refused.text


def test_the_agencys_officer_records_a_shipment_and_its_moves_from_the_case_page(client: TestClient,
                                                                                  platform: Platform) -> None:
    token = sign_in(client, "nspa")
    assert '<a href="/cases/IT-CP-KITS">' in client.get("/coalitions/it-coalition/procurement").text
    form = {"csrf_token": token, "contract": "NSPA-IT-C001", "line": "1", "quantity": "5", "on": "2025-03-01"}
    refused = client.post("/cases/IT-CP-KITS/shipments", data=form)
    assert "60 already shipped" in refused.text, "the line's whole quantity is already on its way"
    with platform.uow() as uow:
        signed = uow.procurement.get_contract("NSPA-IT-C001")
    assert signed is not None
    line = signed.current.lines[0]
    *paid, last = signed.current.milestones
    contracts.amend_contract(platform.uow(), platform.operator(), "NSPA-IT-C001", on=date(2025, 3, 3),
                             reason="two more kits", lines=[dataclasses.replace(line, quantity=62)],
                             milestones=[*paid, dataclasses.replace(last, amount=last.amount + line.unit_price * 2)])
    shipped = client.post("/cases/IT-CP-KITS/shipments", data=form | {"quantity": "2", "on": "2025-03-04",
                                                                     "reference": "NSPA-SHP-0003"})
    said = re.search(r"Shipment (\d+) prepared: 2 items of line 1 of NSPA-IT-C001\.", shipped.text)
    assert said is not None
    number = said.group(1)
    for to, day in (("in-transit", "2025-03-05"), ("arrived", "2025-03-09")):
        moved = client.post(f"/cases/IT-CP-KITS/shipments/{number}/moves",
                            data={"csrf_token": token, "to": to, "on": day})
        assert f"Shipment {number} is now {to.replace('-', ' ')}." in moved.text
    page = _text(client.get("/cases/IT-CP-KITS").text)
    assert "prepared Mar 4, 2025 → in transit Mar 5, 2025 → arrived Mar 9, 2025" in page
    assert "Record the move" not in page, "an arrived shipment is the units' to sign for"
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "ua-tu-1")
    assert f"Shipment {number}" in client.get("/coalitions/it-coalition/procurement").text, "waiting for the unit"


def test_the_procurement_pages_contracts_name_their_suppliers(client: TestClient) -> None:
    sign_in(client, "secretariat")
    html = client.get("/coalitions/it-coalition/procurement").text
    contracts = html[html.index('id="contracts"'):]
    assert "Nordic Tactical Systems (illustrative)" in contracts and "<td>SUP-NTS</td>" not in contracts
    assert "<td>Lithuania</td>" in contracts, "a state by its name in the viewer's language"


def test_the_officer_records_bids_and_the_secretariat_awards_the_lot_from_the_case_page(
        client: TestClient, platform: Platform) -> None:
    change_rules(platform, "it-coalition", "The secretariat decides procurement", steering_decides_procurement=False)
    cases.approve_route(platform.uow(), platform.operator(), "IT-RADIOS-REST", on=date(2025, 3, 1))
    tenders.create_tender(platform.uow(), platform.operator(), Tender(
        "NSPA-IT-T002", "IT-RADIOS-REST", "Tactical radios, the rest", TenderProcedure.OPEN,
        EvaluationMethod.LOWEST_PRICE, (Lot(1, "Radios", "CP-RADIO-02", 100),), date(2025, 3, 2), date(2025, 3, 30)))
    token = sign_in(client, "nspa")
    page = client.get("/cases/IT-RADIOS-REST").text
    assert "Record a bid" in page and "Award lot" not in page, "the officer records bids; awarding is not its own"
    for supplier, price in (("SUP-NTS", "1,250.50"), ("SUP-BCS", "1,199.00")):
        said = client.post("/cases/IT-RADIOS-REST/tenders/NSPA-IT-T002/bids", data={
            "csrf_token": token, "lot": "1", "supplier": supplier, "unit_price": price, "currency": "EUR",
            "delivery_days": "60", "compliant": "yes", "on": "2025-03-10"}).text
        assert re.search(r"Bid \d+ recorded for lot 1 of NSPA-IT-T002\.", said), supplier
    late = client.post("/cases/IT-RADIOS-REST/tenders/NSPA-IT-T002/bids", data={
        "csrf_token": token, "lot": "1", "supplier": "SUP-NTS", "unit_price": "1", "currency": "EUR",
        "delivery_days": "1", "compliant": "yes", "on": "2025-03-11"}).text
    assert "has already bid for lot 1" in late
    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, "secretariat")
    page = _text(client.get("/cases/IT-RADIOS-REST").text)
    assert "1 " in page and "€119,900.00" in page, "ranked: the lowest lot price first"
    best = re.search(r'<option value="(\d+)">1\. ', client.get("/cases/IT-RADIOS-REST").text)
    assert best is not None
    awarded = client.post("/cases/IT-RADIOS-REST/tenders/NSPA-IT-T002/awards", data={
        "csrf_token": token, "lot": "1", "bid": best.group(1), "justification": "lowest compliant price",
        "on": "2025-04-01"}).text
    assert "Lot 1 of NSPA-IT-T002 awarded to bid" in awarded and "standstill until Apr 11, 2025" in awarded
