"""Open-data files: a coalition's IATI 2.03 activity file and its flat table of flows (CSV, XLSX, JSON).

The views (``coalition.services.views.open_data``) decide what a viewer may see; this module only writes it. The
IATI file is checked against the official IATI 2.03 activity schema, vendored in ``schemas/iati/2.03`` (see its
SOURCE.md). Money is written from its Decimal amount, never through a float. CSV and XLSX files are written by
``coalition.adapters.table_files``, which neutralises text cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from coalition.adapters.table_files import csv_chunks, xlsx_chunks
from coalition.domain.contributions import ContributionKind
from coalition.domain.party import PartyKind
from coalition.domain.requirements import RequirementStatus
from coalition.services.views.open_data import (
    Activity,
    ActivityMoney,
    AtomFeed,
    Directory,
    Flow,
    FlowsExport,
    IatiExport,
)

IATI_VERSION = "2.03"
SCHEMA = Path(__file__).parent / "schemas" / "iati" / IATI_VERSION / "iati-activities-schema.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# IATI OrganisationType codes by kind of party: government, multilateral, private sector.
ORGANISATION_TYPE = {PartyKind.STATE: "10", PartyKind.MINISTRY: "10", PartyKind.MILITARY_UNIT: "10",
                     PartyKind.AGENCY: "40", PartyKind.INTERNATIONAL_ORGANISATION: "40",
                     PartyKind.COMPANY: "70", PartyKind.INNOVATION_TEAM: "70"}
# IATI ActivityStatus codes: pipeline until procurement starts, implementation, finalisation, closed, cancelled.
ACTIVITY_STATUS = {RequirementStatus.IN_PROCUREMENT: "2", RequirementStatus.CONTRACTED: "2",
                   RequirementStatus.PARTLY_DELIVERED: "2", RequirementStatus.FULLY_DELIVERED: "3",
                   RequirementStatus.CLOSED: "4", RequirementStatus.CANCELLED: "5"}
# IATI TransactionType codes: a commitment is 2 (commitment), a receipt 3 (disbursement) - see ADR 0028.
TRANSACTION_TYPE = {ContributionKind.COMMITMENT: "2", ContributionKind.RECEIPT: "3"}
# DAC 5-digit purpose codes (vocabulary 1): demining is 15250, anything else 15210 - see ADR 0028.
DEMINING_SECTOR, SECURITY_SECTOR = "15250", "15210"
ROLE_FUNDING, ROLE_IMPLEMENTING = "1", "4"


# --- IATI -----------------------------------------------------------------------------------------------------


def _narrative(parent: etree._Element, tag: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attributes.items() if v})
    etree.SubElement(element, "narrative").text = text
    return element


def _org(parent: etree._Element, tag: str, directory: Directory, code: str, *, ref: str = "",
         **attributes: str) -> None:
    party = directory.parties.get(code)
    kind = ORGANISATION_TYPE.get(party.kind, "") if party is not None else ""
    element = _narrative(parent, tag, directory.name(code), ref=directory.ref(code) or ref, type=kind or "10",
                         **attributes)
    if party is not None and party.name_uk:  # the name in Ukrainian too, as IATI narratives allow per language
        etree.SubElement(element, "narrative", {XML_LANG: "uk"}).text = party.name_uk


def reporting_ref(export: IatiExport) -> str:
    """The reporting organisation's identifier: the custodian of the coalition's first fund, by its IATI
    organisation identifier where the crosswalk holds one, else by its code here."""
    custodian = _reporter(export)
    return export.directory.ref(custodian) or custodian


def _reporter(export: IatiExport) -> str:
    funds = sorted(export.funds.values(), key=lambda f: f.code)
    return funds[0].custodian if funds else export.coalition.recipient


def _sector(activity: Activity) -> str:
    return DEMINING_SECTOR if "demin" in activity.requirement.area.lower() else SECURITY_SECTOR


def _transaction(parent: etree._Element, export: IatiExport, money: ActivityMoney) -> None:
    contribution = money.contribution
    transaction = etree.SubElement(parent, "transaction", ref=contribution.external_ref or str(contribution.id))
    etree.SubElement(transaction, "transaction-type", code=TRANSACTION_TYPE[contribution.kind])
    etree.SubElement(transaction, "transaction-date", {"iso-date": contribution.value_date.isoformat()})
    value = etree.SubElement(transaction, "value", {"currency": money.amount.currency,
                                                    "value-date": contribution.value_date.isoformat()})
    value.text = str(money.amount.amount)
    if contribution.description:
        _narrative(transaction, "description", contribution.description)
    _org(transaction, "provider-org", export.directory, contribution.donor)
    fund = export.funds.get(contribution.fund)
    _org(transaction, "receiver-org", export.directory, fund.custodian if fund else _reporter(export))


def _activity(root: etree._Element, export: IatiExport, activity: Activity) -> None:
    requirement, directory = activity.requirement, export.directory
    element = etree.SubElement(root, "iati-activity", {
        XML_LANG: "en", "default-currency": export.coalition.reporting_currency,
        "last-updated-datetime": export.generated_at.replace(microsecond=0).isoformat()})
    etree.SubElement(element, "iati-identifier").text = \
        f"{reporting_ref(export)}-{export.coalition.code}-{requirement.code}"
    reporter = _reporter(export)
    _org(element, "reporting-org", directory, reporter, ref=reporting_ref(export))
    _narrative(element, "title", requirement.title)
    _narrative(element, "description", f"{requirement.title} ({requirement.quantity} \u00d7 {requirement.unit}), "
               f"{export.coalition.name}, capability area {requirement.area}", type="1")
    for donor in activity.donors:
        _org(element, "participating-org", directory, donor, role=ROLE_FUNDING)
    for custodian in sorted({export.funds[m.contribution.fund].custodian for m in activity.money
                             if m.contribution.fund in export.funds} or {reporter}):
        _org(element, "participating-org", directory, custodian, role=ROLE_IMPLEMENTING)
    etree.SubElement(element, "activity-status", code=ACTIVITY_STATUS.get(requirement.status, "1"))
    first = min(m.contribution.value_date for m in activity.money)
    etree.SubElement(element, "activity-date", {"type": "2", "iso-date": first.isoformat()})
    recipient = directory.parties.get(export.coalition.recipient)
    if recipient is not None and recipient.country:
        etree.SubElement(element, "recipient-country", code=recipient.country, percentage="100")
    etree.SubElement(element, "sector", vocabulary="1", code=_sector(activity), percentage="100")
    _narrative(element, "sector", requirement.area, vocabulary="99", code=requirement.area, percentage="100")
    for money in activity.money:
        _transaction(element, export, money)


def iati_document(export: IatiExport) -> bytes:
    """The coalition's IATI 2.03 activity file: one activity per requirement that visible money reached."""
    root = etree.Element("iati-activities", {"version": IATI_VERSION,
                                             "generated-datetime": export.generated_at.replace(microsecond=0)
                                             .isoformat()})
    for activity in export.activities:
        _activity(root, export, activity)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


@lru_cache(maxsize=1)
def iati_schema() -> etree.XMLSchema:
    """The official IATI 2.03 activity schema (it includes iati-common.xsd and imports xml.xsd beside it)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def iati_problems(document: bytes) -> list[str]:
    """Every way ``document`` breaks the IATI 2.03 activity schema (none for a valid file)."""
    schema = iati_schema()
    if schema.validate(etree.fromstring(document)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


# --- flows ------------------------------------------------------------------------------------------------------

FLOW_COLUMNS = ("flow_id", "kind", "status", "coalition", "donor", "donor_name", "recipient", "fund", "instrument",
                "announced_on", "value_date", "amount", "currency", "amount_eur", "eur_rate_source", "amount_usd",
                "usd_rate_source", "earmark", "source_reference", "confidentiality", "illustrative")


def _row(flow: Flow) -> dict[str, Any]:
    c = flow.contribution
    return {"flow_id": c.id, "kind": c.kind.value, "status": flow.status, "coalition": c.coalition,
            "donor": c.donor, "donor_name": flow.donor_name, "recipient": flow.recipient, "fund": c.fund,
            "instrument": flow.instrument, "announced_on": flow.announced_on.isoformat(),
            "value_date": c.value_date.isoformat(), "amount": c.amount.amount, "currency": c.amount.currency,
            "amount_eur": flow.eur.amount.amount if flow.eur.amount else None,
            "eur_rate_source": flow.eur.rate_source,
            "amount_usd": flow.usd.amount.amount if flow.usd.amount else None,
            "usd_rate_source": flow.usd.rate_source, "earmark": c.earmark.label,
            "source_reference": c.external_ref, "confidentiality": c.confidentiality.visibility.value,
            "illustrative": c.illustrative}


def flow_rows(export: FlowsExport) -> Iterator[dict[str, Any]]:
    for flow in export.flows:
        yield _row(flow)


def flows_csv(export: FlowsExport) -> bytes:
    rows = ([row[column] for column in FLOW_COLUMNS] for row in flow_rows(export))
    return b"".join(csv_chunks(FLOW_COLUMNS, [rows]))


DATED = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _settled(workbook: bytes, moment: datetime) -> bytes:
    """The workbook dated ``moment`` (each part of its ZIP, and its properties' times of creation and change, which
    saving sets to the clock), so that the same flows give the same bytes."""
    utc = moment.astimezone(UTC)
    stamp, when = utc.timetuple()[:6], utc.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                part = DATED.sub(lambda m: m.group(1) + when + m.group(2), part)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=stamp), part, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def flows_xlsx(export: FlowsExport) -> bytes:
    rows = ([row[column] for column in FLOW_COLUMNS] for row in flow_rows(export))
    return _settled(b"".join(xlsx_chunks(FLOW_COLUMNS, [rows], "flows")), export.generated_at)


def _json_value(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def flows_json(export: FlowsExport) -> bytes:
    rows: Sequence[dict[str, Any]] = [{k: _json_value(v) for k, v in row.items()} for row in flow_rows(export)]
    document = {"coalition": export.coalition.code, "generated_at": export.generated_at.isoformat(),
                "columns": list(FLOW_COLUMNS), "flows": rows}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


FLOW_FORMATS = {"csv": flows_csv, "xlsx": flows_xlsx, "json": flows_json}


def flows_file(export: FlowsExport, format: str) -> bytes:
    return FLOW_FORMATS[format](export)



# --- Atom feed ---------------------------------------------------------------------------------------------------

ATOM = "http://www.w3.org/2005/Atom"


def _atom(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def atom_feed(feed: AtomFeed) -> bytes:
    """An Atom 1.0 feed (RFC 4287): the feed's id, title, author, links and time, then each entry's."""
    root = etree.Element(f"{{{ATOM}}}feed", {XML_LANG: feed.language}, nsmap={None: ATOM})
    _atom(root, "id", feed.id)
    _atom(root, "title", feed.title)
    _atom(root, "updated", feed.updated.isoformat())
    _atom(_atom(root, "author"), "name", feed.author)
    _atom(root, "link", rel="self", href=feed.self_link, type="application/atom+xml")
    _atom(root, "link", rel="alternate", href=feed.page_link, type="text/html")
    _atom(root, "rights", feed.rights)
    for entry in feed.entries:
        element = _atom(root, "entry")
        _atom(element, "id", entry.id)
        _atom(element, "title", entry.title)
        _atom(element, "updated", entry.updated.isoformat())
        _atom(element, "link", rel="alternate", href=entry.link, type="text/html")
        _atom(element, "category", term=entry.category)
        _atom(element, "summary", entry.summary, type="text")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
