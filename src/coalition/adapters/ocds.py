"""OCDS 1.1: the procurement record as a release package (one release per dated act of each case) and a record
package merged from it by ocdsmerge, with the official schemas vendored beside this module.

Each case is one contracting process, its ocid the prefix and the case's code. Its releases, in date order:
``planning`` when the case opens; ``planningUpdate``, ``tenderCancellation`` or ``tenderUpdate`` when its stage
moves (approved, cancelled or a tender withdrawn, closed); ``tender`` when a tender is published and
``tenderUpdate`` per bid (its tenderer); ``award`` per awarded lot (a contract signed without a tender carries its
own award, as OCDS asks of direct awards); ``contract`` when signed and ``contractAmendment`` per later version;
``implementation`` per payment (a transaction) and per shipment state and unit receipt (delivery milestones).
Each release is dated by its act's own day, at midnight UTC, and carries every party known by then with all its
roles so far (ocdsmerge replaces a party's roles by the latest release's).

Amounts are Decimals all the way: OCDS types ``amount`` as a JSON number, so ``dumps`` writes each Decimal's exact
digits as a number, never through a binary float (see ADR 0029).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import ocdsmerge

from coalition.domain.delivery import Shipment, ShipmentState, UnitReceipt
from coalition.domain.money import Money
from coalition.domain.party import Party, PartyKind
from coalition.domain.procurement import CaseStage, Contract, ContractVersion, EvaluationMethod, TenderProcedure
from coalition.services.views.open_contracting import CaseHistory, ProcurementRecord, TenderHistory
from coalition.services.views.ports import ContractFile

VERSION = "1.1"
SCHEMAS = Path(__file__).parent / "schemas" / "ocds" / VERSION
STATE_SCHEME = "ISO-3166-1-alpha-2"  # a state's identifier: its ISO 3166-1 alpha-2 code, which is its party code
PARTY_SCHEME = "COALITION-PARTY"  # any other party: its code in this installation's registry
UNNAMED_DONORS = "donors-not-named"
Json = dict[str, Any]

METHODS = {"agency": "open", "direct-industry": "direct", "prioritized-package": "limited",
           "donation-from-stock": "direct"}
CRITERIA = {EvaluationMethod.LOWEST_PRICE: "priceOnly", EvaluationMethod.BEST_VALUE: "ratedCriteria"}
STAGE_RELEASES = {CaseStage.APPROVED: ("planningUpdate", "planned"), CaseStage.CANCELLED: ("tenderCancellation",
                  "cancelled"), CaseStage.CLOSED: ("tenderUpdate", "complete")}
MET = {ShipmentState.ARRIVED, ShipmentState.HANDED_OVER}


@cache
def schema(name: str) -> Json:
    """One of the vendored OCDS 1.1 schemas, by file name (``release-schema.json``, ...)."""
    loaded: Json = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


@dataclass
class _Act:
    """One release to be: its day, its id (within the process), tags, what it says and the roles it gives."""

    on: date
    id: str
    tags: list[str]
    body: Json
    roles: dict[str, set[str]] = field(default_factory=dict)


def release_package(record: ProcurementRecord, uri: str) -> Json:
    """The release package of every case of the record, each case's releases in date order."""
    releases = [release for history in record.cases for release in _releases(record, history)]
    return {"uri": uri, "version": VERSION, "publisher": _publisher(record),
            "publishedDate": max((r["date"] for r in releases), default=_moment(record.coalition.founded_on)),
            "releases": releases}


def record_package(package: Json, uri: str) -> Json:
    """A record per ocid of the release package: its releases, compiled and versioned by ocdsmerge."""
    merger = _merger()
    by_ocid: dict[str, list[Json]] = {}
    for release in package["releases"]:
        by_ocid.setdefault(release["ocid"], []).append(release)
    records = [{"ocid": ocid, "releases": releases, "compiledRelease": merger.create_compiled_release(releases),
                "versionedRelease": merger.create_versioned_release(releases)} for ocid, releases in by_ocid.items()]
    return {"uri": uri, "version": VERSION, "publisher": package["publisher"],
            "publishedDate": package["publishedDate"], "packages": [package["uri"]], "records": records}


@cache
def _merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(schema("release-schema.json"))


_NUMBER = re.compile(r'"\\u0000(-?[0-9]+(?:\.[0-9]+)?)\\u0000"')


def dumps(document: Json) -> str:
    """The document as JSON text, each Decimal written as a number with exactly its digits."""
    def exact(value: object) -> str:
        if isinstance(value, Decimal):
            return f"\0{value:f}\0"  # a marker no stored text holds (the text rules refuse control characters)
        raise TypeError(f"{type(value).__name__} is not JSON")

    return _NUMBER.sub(r"\1", json.dumps(document, ensure_ascii=False, indent=2, default=exact)) + "\n"


# --- releases of one case -------------------------------------------------------------------------------------


def _releases(record: ProcurementRecord, history: CaseHistory) -> list[Json]:
    """The case's releases in date order (acts of one day in the order they follow one another)."""
    acts = sorted(_acts(record, history), key=lambda act: act.on)  # stable: a day's acts keep their order
    case = history.case
    roles: dict[str, set[str]] = {}
    releases = []
    for act in acts:
        for code, given in act.roles.items():
            roles.setdefault(code, set()).update(given)
        releases.append({"ocid": history.ocid, "id": f"{case.code}-{act.id}", "date": _moment(act.on),
                         "tag": act.tags, "initiationType": "tender", "language": "en",
                         "parties": [_party(record, code, held) for code, held in roles.items()],
                         "buyer": _ref(record, case.buyer), **act.body})
    return releases


def _acts(record: ProcurementRecord, history: CaseHistory) -> Iterator[_Act]:
    case = history.case
    yield _Act(case.opened_on, "planning", ["planning"], {
        "planning": {"rationale": case.title},
        "tender": {"id": case.code, "title": case.title, "status": "planning", "mainProcurementCategory": "goods",
                   "procurementMethod": METHODS[case.route.value], "procurementMethodDetails": case.route.value,
                   "procuringEntity": _ref(record, case.buyer),
                   "items": [_requirement(record, code) for code in case.requirements]}},
        {case.buyer: {"buyer", "procuringEntity"}})
    for number, change in enumerate(history.stages):
        stage = CaseStage(change.after)
        if change.before is None or stage not in STAGE_RELEASES:
            continue
        tag, status = STAGE_RELEASES[stage]
        if change.before in (CaseStage.TENDERING, CaseStage.AWARDED):
            tag, status = "tenderCancellation", "cancelled"  # back to approved: the tender was withdrawn
        yield _Act(change.on, f"stage-{number}", [tag], {"tender": {"id": _tender_id(history, change.on),
                                                                      "status": status}})
    for tender in history.tenders:
        yield from _tender_acts(record, tender)
    for file in history.files:
        yield from _contract_acts(record, history, file)


def _tender_id(history: CaseHistory, on: date) -> str:
    """The id of the case's tender standing on a day: its latest tender published by then, or the case's code."""
    published = [t.tender.code for t in history.tenders if t.tender.published_on <= on]
    return published[-1] if published else history.case.code


def _tender_acts(record: ProcurementRecord, history: TenderHistory) -> Iterator[_Act]:
    tender = history.tender
    lots = {lot.number: lot for lot in tender.lots}
    yield _Act(tender.published_on, f"tender-{tender.code}", ["tender"], {"tender": {
        "id": tender.code, "title": tender.title, "status": "active",
        "procurementMethod": "selective" if tender.procedure is TenderProcedure.INVITED else "open",
        "procurementMethodDetails": f"agency, {tender.procedure.value}", "awardCriteria": CRITERIA[tender.method],
        "tenderPeriod": {"startDate": _moment(tender.published_on), "endDate": _moment(tender.closes_on)},
        "items": [{"id": f"lot-{lot.number}", "description": lot.title, "quantity": lot.quantity,
                   "classification": _classification(lot.requirement)} for lot in tender.lots]}})
    bidders: list[str] = []
    for bid in history.bids:
        if bid.supplier not in bidders:
            bidders.append(bid.supplier)
        yield _Act(bid.submitted_on, f"bid-{bid.id}", ["tenderUpdate"], {"tender": {
            "id": tender.code, "numberOfTenderers": len(bidders), "tenderers": [_ref(record, bid.supplier)]}},
            {bid.supplier: {"tenderer"}})
    bids = {bid.id: bid for bid in history.bids}
    for award in tender.awards:
        bid, lot = bids[award.bid], lots[award.lot]
        yield _Act(award.awarded_on, f"award-{tender.code}-{award.lot}", ["award"], {"awards": [{
            "id": f"{tender.code}-lot-{award.lot}", "title": lot.title, "description": award.justification,
            "status": "active", "date": _moment(award.awarded_on), "value": _value(bid.unit_price * lot.quantity),
            "suppliers": [_ref(record, bid.supplier)],
            "items": [{"id": f"lot-{lot.number}", "description": lot.title, "quantity": lot.quantity}]}]},
            {bid.supplier: {"supplier"}})


def _contract_acts(record: ProcurementRecord, history: CaseHistory, file: ContractFile) -> Iterator[_Act]:
    contract, case = file.contract, history.case
    first = contract.versions[0]
    awarded = bool(contract.tender and contract.lots)
    award = _award_id(contract)
    body: Json = {"contracts": [{**_terms(contract, first), "awardID": award, "status": "active",
                                 "dateSigned": _moment(contract.signed_on)}]}
    if not awarded:
        body["awards"] = [{"id": award, "status": "active", "date": _moment(contract.signed_on),
                           "value": _value(first.value), "suppliers": [_ref(record, contract.supplier)]}]
    payers = {s.donor if s.contribution else UNNAMED_DONORS for s in file.funding}
    yield _Act(contract.signed_on, f"contract-{contract.code}", ["contract"] if awarded else ["award", "contract"],
               body, {contract.supplier: {"supplier"}, **{payer: {"payer"} for payer in payers}})
    for version in contract.versions[1:]:
        yield _Act(version.on, f"contract-{contract.code}-v{version.version}", ["contractAmendment"], {"contracts": [{
            **_terms(contract, version), "amendments": [{"id": f"v{version.version}", "date": _moment(version.on),
                                                         "rationale": version.reason}]}]})
    for payment in file.payments:
        transaction = {"id": f"payment-{payment.id}", "date": _moment(payment.paid_on),
                       "value": _value(payment.signed_amount), "payer": _ref(record, case.buyer),
                       "payee": _ref(record, contract.supplier)}
        yield _Act(payment.paid_on, f"payment-{payment.id}", ["implementation"],
                   _implementation(contract, "transactions", transaction),
                   {case.buyer: {"payer"}, contract.supplier: {"payee"}})
    yield from _delivery_acts(contract, file.shipments, file.receipts)


def _delivery_acts(contract: Contract, shipments: tuple[Shipment, ...],
                   receipts: tuple[UnitReceipt, ...]) -> Iterator[_Act]:
    """A delivery milestone per shipment, updated at each of its states, and one per unit receipt."""
    for shipment in shipments:
        line = contract.current.line(shipment.line)
        for event in shipment.events:
            milestone = {"id": f"shipment-{shipment.id}", "type": "delivery",
                         "title": f"{shipment.quantity} of line {line.number} ({line.requirement}) shipped",
                         "description": event.state.value, "dateModified": _moment(event.on),
                         "status": "met" if event.state in MET else "scheduled"}
            if event.state is ShipmentState.ARRIVED:
                milestone["dateMet"] = _moment(event.on)
            tag = "implementation" if event.state is ShipmentState.PREPARED else "implementationUpdate"
            yield _Act(event.on, f"shipment-{shipment.id}-{event.state.value}", [tag],
                       _implementation(contract, "milestones", milestone))
    for receipt in receipts:
        milestone = {"id": f"receipt-{receipt.id}", "type": "delivery", "title": f"received by {receipt.unit}",
                     "description": f"{receipt.quantity} signed for, {receipt.condition.value}, "
                                    f"{'accepted' if receipt.accepted else 'refused'}",
                     "dateMet": _moment(receipt.received_on), "status": "met" if receipt.accepted else "notMet"}
        yield _Act(receipt.received_on, f"receipt-{receipt.id}", ["implementation"],
                   _implementation(contract, "milestones", milestone))


def _award_id(contract: Contract) -> str:
    """The award a contract follows: its tender's award of its first lot, or the award it carries itself."""
    return f"{contract.tender}-lot-{contract.lots[0]}" if contract.tender and contract.lots \
        else f"{contract.code}-award"


def _implementation(contract: Contract, kind: str, item: Json) -> Json:
    return {"contracts": [{"id": contract.code, "awardID": _award_id(contract), "implementation": {kind: [item]}}]}


def _terms(contract: Contract, version: ContractVersion) -> Json:
    """A contract's terms as one version states them: value, lines as items, payment milestones."""
    return {"id": contract.code, "awardID": _award_id(contract), "value": _value(version.value), "items": [
        {"id": f"line-{line.number}", "description": line.requirement, "quantity": line.quantity,
         "classification": _classification(line.requirement),
         "unit": {"value": _value(line.unit_price)}} for line in version.lines],
        "milestones": [{"id": f"milestone-{m.number}", "title": m.title, "type": "financing",
                        "dueDate": _moment(m.due_on), "status": "scheduled"} for m in version.milestones]}


# --- parties, references, values --------------------------------------------------------------------------------


def _publisher(record: ProcurementRecord) -> Json:
    return {"name": record.coalition.name, "scheme": PARTY_SCHEME, "uid": record.coalition.code}


def _party(record: ProcurementRecord, code: str, roles: set[str]) -> Json:
    if code == UNNAMED_DONORS:
        return {"id": code, "name": "Donors not named: their records are not "
                + ("public" if record.public else "open to this viewer"), "roles": sorted(roles)}
    party = record.parties.get(code)
    name = party.name if party is not None else code
    return {"id": code, "name": name, "identifier": _identifier(party, code), "roles": sorted(roles)}


def _identifier(party: Party | None, code: str) -> Json:
    if party is not None and party.kind is PartyKind.STATE:
        return {"scheme": STATE_SCHEME, "id": code, "legalName": party.name}
    return {"scheme": PARTY_SCHEME, "id": code} | ({"legalName": party.name} if party is not None else {})


def _ref(record: ProcurementRecord, code: str) -> Json:
    party = record.parties.get(code)
    return {"id": code, "name": party.name if party is not None else code}


def _requirement(record: ProcurementRecord, code: str) -> Json:
    requirement = record.requirements.get(code)
    if requirement is None:
        return {"id": code, "classification": _classification(code)}
    return {"id": code, "description": requirement.title, "quantity": requirement.quantity,
            "unit": {"name": requirement.unit}, "classification": _classification(code)}


def _classification(requirement: str) -> Json:
    return {"scheme": "COALITION-REQUIREMENT", "id": requirement}


def _value(money: Money) -> Json:
    return {"amount": money.amount, "currency": money.currency}


def _moment(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"
