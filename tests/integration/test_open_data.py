"""Open data on SQLite and PostgreSQL: the demo world's IATI file is valid against the official IATI 2.03 schema,
donors are named by their identifiers in the crosswalk, and a restricted contribution never reaches the public's
IATI file or flows table (not its donor, its amount nor its reference), while the custodians see it."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree  # type: ignore[import-untyped]
from openpyxl import load_workbook

from coalition.adapters.open_data import FLOW_COLUMNS, flows_csv, flows_json, flows_xlsx, iati_document, iati_problems
from coalition.bootstrap import Platform
from coalition.domain.access import PUBLIC_ACTOR
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Earmark, Visibility
from coalition.domain.errors import Conflict, InvalidInput
from coalition.domain.identifiers import IdScheme, PartyIdentifier
from coalition.domain.money import Money
from coalition.services import audit, funding, registry
from coalition.services.views import open_data
from tests.demo_copies import give_demo_world
from tests.integration.helpers import run

IT, FUND = "it-coalition", "it-coalition-fund"
REQUIREMENT = "CP-KIT-01"
SECRET = Contribution(ContributionKind.RECEIPT, IT, FUND, "LT", Money(Decimal("777777.77"), "EUR"), date(2024, 3, 20),
                      earmark=Earmark.parse(f"requirement:{REQUIREMENT}"),
                      confidentiality=Confidentiality(Visibility.RESTRICTED, ("LT",)), external_ref="LT-SECRET-1")
SECRET_MARKS = ("XM-DAC-84", "Lithuania", "777777.77", "LT-SECRET-1")


@pytest.fixture
def demo(platform: Platform) -> Platform:
    give_demo_world(platform)
    funding.record_contribution(platform.uow(), platform.operator(), SECRET)
    return platform


def _iati(platform: Platform, actor: object) -> bytes:
    return iati_document(open_data.iati_activities(platform.uow(read_only=True), actor, IT))  # type: ignore[arg-type]


def test_the_demo_worlds_iati_file_is_valid_against_the_iati_2_03_schema(demo: Platform):
    document = _iati(demo, demo.operator())
    assert iati_problems(document) == []
    root = etree.fromstring(document)
    assert root.get("version") == "2.03"
    identifiers = root.xpath("//iati-identifier/text()")
    assert identifiers and len(identifiers) == len(set(identifiers))
    assert all(i.startswith(f"NSPA-{IT}-") for i in identifiers)
    assert "XM-DAC-82" in root.xpath("//participating-org[@role='1']/@ref")  # Estonia, a funder, by its DAC code
    assert set(root.xpath("//transaction-type/@code")) <= {"2", "3"}
    assert set(root.xpath("//recipient-country/@code")) == {"UA"}
    values = root.xpath("//transaction/value")
    assert values and all(Decimal(v.text) > 0 and v.get("currency") and v.get("value-date") for v in values)


def test_a_broken_file_is_named_by_the_schema():
    assert iati_problems(b'<iati-activities version="2.03"><iati-activity/></iati-activities>')


def test_a_restricted_contribution_never_reaches_the_public_exports(demo: Platform):
    custodian_view = _iati(demo, demo.operator()).decode()
    assert "LT-SECRET-1" in custodian_view and "777777.77" in custodian_view and "XM-DAC-84" in custodian_view
    public_iati = _iati(demo, PUBLIC_ACTOR).decode()
    assert iati_problems(public_iati.encode()) == []
    public_flows = open_data.flows(demo.uow(read_only=True), PUBLIC_ACTOR, IT)
    for text in (public_iati, flows_csv(public_flows).decode(), flows_json(public_flows).decode()):
        for mark in SECRET_MARKS:
            assert mark not in text
    assert all(f.contribution.donor != "LT" for f in public_flows.flows)
    assert all(f.contribution.confidentiality.visibility is Visibility.PUBLIC for f in public_flows.flows)
    everything = open_data.flows(demo.uow(read_only=True), demo.operator(), IT)
    assert any(f.contribution.external_ref == "LT-SECRET-1" for f in everything.flows)


def test_the_flows_table_converts_each_flow_to_eur_and_usd_at_its_value_date(demo: Platform):
    export = open_data.flows(demo.uow(read_only=True), demo.operator(), IT)
    rows = list(csv.DictReader(io.StringIO(flows_csv(export).decode())))
    assert tuple(rows[0]) == FLOW_COLUMNS
    assert {r["kind"] for r in rows} == {"pledge", "commitment", "receipt"}
    icelandic = next(r for r in rows if r["source_reference"] == "IS-R1")
    assert icelandic["currency"] == "ISK" and icelandic["amount_eur"] and icelandic["eur_rate_source"].endswith(
        icelandic["value_date"])
    assert icelandic["recipient"] == "UA" and icelandic["donor_name"] == "Iceland"
    sheet = load_workbook(io.BytesIO(flows_xlsx(export))).active
    assert sheet is not None and sheet.max_row == len(rows) + 1
    document = json.loads(flows_json(export))
    assert document["flows"][0]["amount"] == rows[0]["amount"]  # a decimal string, never a float


def test_the_crosswalk_refuses_what_breaks_a_schemes_rule_and_audits_what_it_keeps(demo: Platform):
    operator = demo.operator()
    registry.identify_party(demo.uow(), operator, PartyIdentifier("NSPA", IdScheme.OCDS, "ocds-nspa"))
    assert PartyIdentifier("NSPA", IdScheme.OCDS, "ocds-nspa") in registry.party_identifiers(demo.uow(), operator,
                                                                                             "NSPA")
    with pytest.raises(Conflict) as taken:
        registry.identify_party(demo.uow(), operator, PartyIdentifier("LT", IdScheme.IATI, "XM-DAC-82"))
    assert taken.value.field == "id" and "EE" in str(taken.value)
    with pytest.raises(InvalidInput) as implicit:
        registry.identify_party(demo.uow(), operator, PartyIdentifier("EE", IdScheme.ISO3166, "EE"))
    assert implicit.value.field == "scheme"
    records = audit.audit_log(demo.uow(), operator, limit=100_000).records
    assert any(r.action == "identify_party" and r.object_id == "NSPA/ocds" and r.rows for r in records)
    deep = audit.verify_audit_deep(demo.uow(), operator)
    assert deep.finding_count == 0, deep.findings
    assert registry.party_identifiers(demo.uow(), operator, "EE")[0] == PartyIdentifier("EE", IdScheme.ISO3166, "EE")


def test_the_command_line_identifies_parties_and_writes_the_exports(demo: Platform, capsys, tmp_path):
    code, _, err = run(demo, capsys, "parties", "identify", "NSPA", "--scheme", "lei", "--id", "5493001KJTIIGC8Y1R13")
    assert code == 2 and "id" in err and "check digits" in err
    code, _, err = run(demo, capsys, "parties", "identify", "NSPA", "--scheme", "duns", "--id", "123")
    assert code == 2 and "scheme" in err
    code, out, _ = run(demo, capsys, "parties", "show", "LU")
    assert code == 0 and "XM-DAC-22" in out and "iso3166" in out
    xml = tmp_path / "it.xml"
    code, _, err = run(demo, capsys, "export", "iati", IT, "--output", str(xml))
    assert code == 0, err
    assert iati_problems(xml.read_bytes()) == [] and b"LT-SECRET-1" in xml.read_bytes()  # the operator sees all
    sheet = tmp_path / "flows.xlsx"
    code, _, err = run(demo, capsys, "export", "flows", IT, "--format", "xlsx", "--output", str(sheet))
    assert code == 0, err
    assert load_workbook(sheet).active.cell(1, 1).value == "flow_id"  # type: ignore[union-attr]
    code, _, err = run(demo, capsys, "export", "flows", IT, "--format", "pdf")
    assert code == 2 and "format" in err
