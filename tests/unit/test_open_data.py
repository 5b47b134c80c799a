"""The identifier crosswalk's rules per scheme, and the flows table's cells that a spreadsheet would run as a formula
written as plain text (OWASP's leading apostrophe)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from coalition.adapters.open_data import flows_csv, flows_xlsx
from coalition.adapters.table_files import neutralised
from coalition.domain.coalition import Coalition, DecisionRules
from coalition.domain.contributions import Contribution, ContributionKind
from coalition.domain.errors import InvalidInput
from coalition.domain.identifiers import IdScheme, PartyIdentifier, lei_check_digits_hold, parse_scheme
from coalition.domain.money import Money
from coalition.services.views.open_data import Conversion, Flow, FlowsExport


@pytest.mark.parametrize(("scheme", "value"), [
    (IdScheme.IATI, "XM-DAC-7"), (IdScheme.IATI, "GB-COH-01234567"), (IdScheme.IATI, "XI-IATI-EC_INTPA"),
    (IdScheme.LEI, "5493001KJTIIGC8Y1R12"), (IdScheme.OCDS, "ocds-213czf-000-00001"),
    (IdScheme.NATIONAL, "EE-RIK-10000001"), (IdScheme.ISO3166, "EE"),
])
def test_an_identifier_that_keeps_its_schemes_rule_is_taken(scheme: IdScheme, value: str):
    assert PartyIdentifier("P", scheme, f" {value} ").value == value


@pytest.mark.parametrize(("scheme", "value", "rule"), [
    (IdScheme.IATI, "XM DAC 7", "registration agency's prefix"),
    (IdScheme.IATI, "DAC-7", "registration agency's prefix"),
    (IdScheme.IATI, "GB-COH-123/456", "registration agency's prefix"),
    (IdScheme.LEI, "5493001KJTIIGC8Y1R1", "20 characters"),
    (IdScheme.LEI, "5493001KJTIIGC8Y1R13", "check digits"),
    (IdScheme.OCDS, "", "OCDS party id"),
    (IdScheme.NATIONAL, "10000001", "country's code"),
    (IdScheme.ISO3166, "XX", "ISO 3166-1"),
])
def test_an_identifier_that_breaks_its_schemes_rule_is_refused_naming_the_field_and_rule(
        scheme: IdScheme, value: str, rule: str):
    with pytest.raises(InvalidInput) as refused:
        PartyIdentifier("P", scheme, value)
    assert refused.value.field == "id" and rule in str(refused.value)


def test_the_lei_check_digits_are_iso_7064_mod_97_10():
    assert lei_check_digits_hold("5493001KJTIIGC8Y1R12")
    assert not lei_check_digits_hold("5493001KJTIIGC8Y1R17")


def test_an_unknown_scheme_is_refused_listing_the_schemes():
    assert parse_scheme(" IATI ") is IdScheme.IATI
    with pytest.raises(InvalidInput) as refused:
        parse_scheme("duns")
    assert refused.value.field == "scheme" and "iati, ocds, lei, national" in str(refused.value)


@pytest.mark.parametrize("text", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_apostrophe(text: str):
    assert neutralised(text) == "'" + text
    assert neutralised("EE-R1") == "EE-R1" and neutralised(Decimal("-1")) == Decimal("-1")


def _export(reference: str, donor_name: str) -> FlowsExport:
    coalition = Coalition("c", "C", "it", "UDCG", "UA", date(2024, 1, 1), "Kyiv", "EUR", DecisionRules())
    money = Money(Decimal("100.00"), "EUR")
    contribution = Contribution(ContributionKind.RECEIPT, "c", "f", "EE", money, date(2024, 2, 1),
                                external_ref=reference, id=1)
    flow = Flow(contribution, donor_name, "UA", None, date(2024, 1, 1), "received",
                Conversion(money, "same currency"), Conversion(None, "no rate"))
    return FlowsExport(coalition, (flow,), datetime(2026, 1, 1, tzinfo=UTC))


def test_formula_injection_is_neutralised_in_csv_and_xlsx():
    export = _export("=HYPERLINK(\"http://x\")", "@SUM(1+1)")
    row = next(csv.DictReader(io.StringIO(flows_csv(export).decode())))
    assert row["source_reference"] == "'=HYPERLINK(\"http://x\")" and row["donor_name"] == "'@SUM(1+1)"
    assert row["amount"] == "100.00" and row["amount_usd"] == "" and row["usd_rate_source"] == "no rate"
    sheet = load_workbook(io.BytesIO(flows_xlsx(export))).active
    assert sheet is not None
    cells = {sheet.cell(1, column).value: sheet.cell(2, column) for column in range(1, sheet.max_column + 1)}
    assert cells["source_reference"].value == "'=HYPERLINK(\"http://x\")"
    assert cells["donor_name"].value == "'@SUM(1+1)" and cells["donor_name"].data_type == "s"
    assert cells["amount"].value == Decimal("100.00") or cells["amount"].value == 100
