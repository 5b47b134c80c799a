"""The procurement record as OCDS 1.1 open contracting data: the demo world's release and record packages validate
against the official schemas vendored with the package, each case's releases come in date order and merge to
what the platform itself says of the case (contract value, payments), amounts are written with their exact digits,
and a donor whose records are not public is not named in the export. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from coalition.adapters import ocds
from coalition.bootstrap import Platform
from coalition.domain.access import PUBLIC_ACTOR, Actor, Grant, Role
from coalition.domain.coalition import Coalition
from coalition.domain.errors import InvalidInput, NotFound, PermissionDenied
from coalition.domain.money import Money
from coalition.domain.procurement import ContractLine
from coalition.services import registry
from coalition.services.procurement import cases, contracts, payments
from coalition.services.views import delivery as delivery_views
from coalition.services.views.open_contracting import procurement_record
from tests.demo_copies import give_demo_world
from tests.integration.helpers import run
from tests.ocds_checks import payers, schema_errors

IT, DRONES = "it-coalition", "drone-coalition"
PREFIX = "ocds-test00"
RESTRICTED_DONOR = "NL"  # its money funds the direct-industry case IT-SOC-DIRECT, restricted to NL until 2027
LV_DESK = Actor("lv-desk", "LV", frozenset({Grant(Role.MEMBER_REPRESENTATIVE, IT)}))


def _packages(platform: Platform, coalition: str, actor: Actor | None = None,
              public: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
    record = procurement_record(platform.uow(), actor or platform.operator(), coalition, ocid_prefix=PREFIX,
                                public=public)
    releases, records = platform.ocds_packages(record, "urn:test:releases", "urn:test:records")
    return json.loads(releases, parse_float=Decimal), json.loads(records, parse_float=Decimal)


@pytest.fixture
def demo(platform: Platform) -> Platform:
    give_demo_world(platform)
    return platform


@pytest.mark.parametrize("coalition", [IT, DRONES])
def test_the_demo_worlds_release_and_record_packages_validate_against_the_official_schemas(demo: Platform,
                                                                                         coalition: str):
    releases, records = _packages(demo, coalition)
    assert schema_errors(releases, "release-package-schema.json") == []
    assert schema_errors(records, "record-package-schema.json") == []
    assert releases["version"] == records["version"] == "1.1"
    assert {r["ocid"] for r in releases["releases"]} == {r["ocid"] for r in records["records"]}
    assert all(r["ocid"].startswith(f"{PREFIX}-") for r in releases["releases"])


def test_each_cases_releases_are_dated_in_order_and_merge_to_its_contract_value_and_payments(demo: Platform):
    releases, records = _packages(demo, IT)
    by_ocid: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for release in releases["releases"]:
        by_ocid[release["ocid"]].append(release)
    for ocid, found in by_ocid.items():
        dates = [r["date"] for r in found]
        assert dates == sorted(dates), ocid
        assert found[0]["tag"] == ["planning"]
        assert len({r["id"] for r in found}) == len(found)
    compiled = {r["ocid"]: r["compiledRelease"] for r in records["records"]}
    uow = demo.uow()
    with uow:
        contract_files = uow.delivery_reads.coalition_files(IT)
    assert contract_files
    for file in contract_files:
        contract = next(c for c in compiled[f"{PREFIX}-{file.case.code}"]["contracts"] if c["id"] == file.contract.code)
        value = file.contract.current.value
        assert (contract["value"]["amount"], contract["value"]["currency"]) == (value.amount, value.currency)
        transactions = contract.get("implementation", {}).get("transactions", [])
        paid = sum((t["value"]["amount"] for t in transactions), Decimal(0))
        shown = delivery_views.get_contract(demo.uow(), demo.operator(), file.contract.code)  # the contract page's
        assert paid == shown.paid.amount
        assert value == shown.contract.current.value
        assert len(transactions) == len(file.payments)
        milestones = contract.get("implementation", {}).get("milestones", [])
        assert len(milestones) == len(file.shipments) + len(file.receipts)


def test_amounts_are_written_with_their_exact_digits_never_through_a_float(demo: Platform):
    record = procurement_record(demo.uow(), demo.operator(), IT, ocid_prefix=PREFIX)
    text, _ = demo.ocds_packages(record, "urn:test:releases", "urn:test:records")
    assert '"amount": 4920000.00,' in text  # the command-post kits contract, as recorded (60 x 82,000.00 EUR)
    assert ocds.dumps({"amount": Decimal("9999999999999.99")}) == '{\n  "amount": 9999999999999.99\n}\n'
    assert float("9999999999999.99") != Decimal("9999999999999.99")  # what a float would have written


def test_a_donor_whose_records_are_not_public_is_not_named_in_the_public_export(demo: Platform):
    public, _ = _packages(demo, IT)
    direct = f"{PREFIX}-IT-SOC-DIRECT"
    assert RESTRICTED_DONOR not in payers(public)[direct]
    assert ocds.UNNAMED_DONORS in payers(public)[direct]
    assert all(p["id"] != RESTRICTED_DONOR for r in public["releases"] for p in r["parties"])
    internal, _ = _packages(demo, IT, public=False)  # the operator, a platform administrator, sees every record
    assert RESTRICTED_DONOR in payers(internal)[direct]
    member, _ = _packages(demo, IT, LV_DESK, public=False)  # another member's representative does not
    assert RESTRICTED_DONOR not in payers(member)[direct]
    assert payers(public)[f"{PREFIX}-IT-CP-KITS"] >= {"EE"}  # a public donor is named


def test_the_command_line_writes_both_packages(demo: Platform, capsys: pytest.CaptureFixture[str], tmp_path: Path):
    releases, records = tmp_path / "releases.json", tmp_path / "records.json"
    code, out, err = run(demo, capsys, "export", "ocds", IT, "--output", str(releases), "--ocid-prefix",
                         "ocds-abc123", "--records", str(records))
    assert (code, err) == (0, "")
    assert "ocds-abc123" in out
    package = json.loads(releases.read_text(encoding="utf-8"), parse_float=Decimal)
    assert schema_errors(package, "release-package-schema.json") == []
    assert all(r["ocid"].startswith("ocds-abc123-") for r in package["releases"])
    assert schema_errors(json.loads(records.read_text(encoding="utf-8"), parse_float=Decimal),
                   "record-package-schema.json") == []
    code, _, err = run(demo, capsys, "export", "ocds", IT, "--output", str(releases), "--ocid-prefix", "OCDS-1")
    assert code == 2
    assert "ocid prefix" in err


def test_an_export_is_refused_to_the_public_for_a_bad_prefix_and_for_a_coalition_without_cases(demo: Platform):
    with pytest.raises(PermissionDenied):
        procurement_record(demo.uow(), PUBLIC_ACTOR, IT, ocid_prefix=PREFIX)
    with pytest.raises(InvalidInput) as bad:
        procurement_record(demo.uow(), demo.operator(), IT, ocid_prefix="ocds-TOO-LONG")
    assert bad.value.field == "ocid_prefix"
    with pytest.raises(NotFound):
        procurement_record(demo.uow(), demo.operator(), "no-such-coalition", ocid_prefix=PREFIX)
    registry.create_coalition(demo.uow(), demo.operator(), Coalition("quiet", "Quiet", "IT", "tests", "UA",
                                                                      date(2024, 1, 1), "a test", "EUR"))
    with pytest.raises(NotFound, match="quiet has no procurement case to export") as empty:
        procurement_record(demo.uow(), demo.operator(), "quiet", ocid_prefix=PREFIX)
    assert empty.value.field == "coalition"


def test_an_amendment_a_cancellation_and_a_reversed_payment_are_releases_and_merge_to_the_current_figures(
        demo: Platform):
    kits = "NSPA-IT-C001"
    uow = demo.uow()
    with uow:
        current = uow.procurement.get_contract(kits)
    assert current is not None
    line = current.current.lines[0]
    cheaper = Money(Decimal("81999.99"), line.unit_price.currency)
    *paid, last = current.current.milestones  # the last milestone pays what the review takes off
    last = dataclasses.replace(last, amount=last.amount - (line.unit_price - cheaper) * line.quantity)
    contracts.amend_contract(demo.uow(), demo.operator(), kits, on=date(2025, 3, 3), reason="price review",
                             lines=[ContractLine(1, line.requirement, line.quantity, cheaper)],
                             milestones=[*paid, last])
    cases.cancel_case(demo.uow(), demo.operator(), "IT-RADIOS-REST", on=date(2025, 3, 4), reason="met from stock")
    wrong = payments.record_payment(demo.uow(), demo.operator(), kits, amount=Money(Decimal("1000.01"), "EUR"),
                                    paid_on=date(2025, 3, 5))
    assert wrong.id is not None
    payments.reverse_payment(demo.uow(), demo.operator(), wrong.id, reason="paid in error", on=date(2025, 3, 6))
    releases, records = _packages(demo, IT)
    assert schema_errors(releases, "release-package-schema.json") == []
    assert schema_errors(records, "record-package-schema.json") == []
    tags = {(r["id"], tuple(r["tag"])) for r in releases["releases"]}
    assert (f"IT-CP-KITS-contract-{kits}-v2", ("contractAmendment",)) in tags
    compiled = {r["ocid"]: r["compiledRelease"] for r in records["records"]}
    contract = next(c for c in compiled[f"{PREFIX}-IT-CP-KITS"]["contracts"] if c["id"] == kits)
    assert contract["value"]["amount"] == Decimal("81999.99") * line.quantity
    assert [a["rationale"] for a in contract["amendments"]] == ["price review"]
    amounts = [t["value"]["amount"] for t in contract["implementation"]["transactions"]]
    assert amounts[-2:] == [Decimal("1000.01"), Decimal("-1000.01")]  # a reversal is a negative transaction
    assert sum(amounts) == delivery_views.get_contract(demo.uow(), demo.operator(), kits).paid.amount
    cancelled = compiled[f"{PREFIX}-IT-RADIOS-REST"]
    assert cancelled["tender"]["status"] == "cancelled"
    assert cancelled["date"] == "2025-03-04T00:00:00Z"
