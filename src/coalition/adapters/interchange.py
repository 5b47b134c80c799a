"""Reading the open standards for import: an IATI 2.03 activity file (XML) and an OCDS 1.1 release package (JSON),
checked against the vendored official schemas and read into ``domain.interchange`` records.

Every bad value is collected with its path, none stops the reading of the others: in IATI an XPath-like path with
the position of each activity and transaction (``/iati-activities/iati-activity[2]/transaction[3]/value/@currency``),
in OCDS a JSON pointer (``/releases/4/contracts/0/value/currency``). Amounts are read from their text as Decimals
(JSON numbers are parsed as Decimals too), never through a binary float. What a file holds that the platform does
not import is named in ``left_out`` rather than dropped silently.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from jsonschema import Draft4Validator  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT4

from coalition.adapters import ocds
from coalition.adapters.open_data import iati_schema
from coalition.domain.contributions import ContributionKind, FundingRoute
from coalition.domain.errors import InvalidInput
from coalition.domain.interchange import (
    ElementError,
    ImportedContract,
    ImportedFlow,
    ImportedPayment,
    ImportedProcess,
    LeftOut,
    PartyRef,
    ReadFile,
    SchemeOfRef,
    Standard,
    flow_key,
)
from coalition.domain.money import Money, check_currency
from coalition.domain.procurement import ContractLine

Json = dict[str, Any]

# IATI TransactionType codes imported: pledges (12 outgoing, 13 incoming), commitments (2, 11), money paid (3, 1).
IATI_KINDS = {"12": ContributionKind.PLEDGE, "13": ContributionKind.PLEDGE, "2": ContributionKind.COMMITMENT,
              "11": ContributionKind.COMMITMENT, "3": ContributionKind.RECEIPT, "1": ContributionKind.RECEIPT}
OCID = re.compile(r"(ocds-[a-z0-9]{6})-(.+)")
ISO_STATE = re.compile(r"[A-Z]{2}")


# --- IATI -------------------------------------------------------------------------------------------------------


def read_iati(data: bytes) -> ReadFile:
    """The transactions of an IATI activity file as pledges, commitments and receipts, with every bad value."""
    read = ReadFile(Standard.IATI)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        read.errors.append(ElementError("/", "", f"is not well-formed XML: {error.msg}"))
        return read
    if root.tag != "iati-activities":
        read.errors.append(ElementError(f"/{_tag(root)}", root.tag, "is not an IATI activity file: its root is "
                                        "iati-activities in no namespace (IATI 2.03)"))
        return read
    schema = iati_schema()
    if not schema.validate(root):
        read.errors.extend(ElementError(e.path or "/iati-activities", "", f"breaks the IATI 2.03 schema: "
                                        f"{e.message}") for e in schema.error_log)
    for a, activity in enumerate(root.iterchildren("iati-activity"), start=1):
        _activity(read, activity, f"/iati-activities/iati-activity[{a}]")
    return read


def _tag(element: Any) -> str:
    qname = etree.QName(element)
    return f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname


def _activity(read: ReadFile, activity: Any, path: str) -> None:
    identifier = (activity.findtext("iati-identifier") or "").strip()
    if not identifier:
        read.errors.append(ElementError(f"{path}/iati-identifier", "", "is missing: an activity names its "
                                        "identifier, which makes its transactions' references"))
        return
    default_currency = activity.get("default-currency") or ""
    for t, transaction in enumerate(activity.iterchildren("transaction"), start=1):
        here = f"{path}/transaction[{t}]"
        flow = _transaction(read, transaction, here, identifier, t, default_currency)
        if flow is not None:
            read.flows.append(flow)


def _transaction(read: ReadFile, transaction: Any, path: str, identifier: str, position: int,
                 default_currency: str) -> ImportedFlow | None:
    errors = len(read.errors)
    code = transaction.find("transaction-type")
    type_code = code.get("code", "") if code is not None else ""
    kind = IATI_KINDS.get(type_code)
    if kind is None:
        read.errors.append(ElementError(f"{path}/transaction-type/@code", type_code, "is not a transaction type the "
                                        "platform imports: 12 or 13 (pledge), 2 or 11 (commitment), 3 or 1 "
                                        "(money paid)"))
    on = _iati_date(read, transaction.find("transaction-date"), f"{path}/transaction-date",
                    "a transaction needs its date")
    amount = _iati_value(read, transaction.find("value"), f"{path}/value", default_currency)
    donor = _org(read, transaction.find("provider-org"), f"{path}/provider-org")
    receiver_element = transaction.find("receiver-org")
    receiver = None  # a receiver named without an identifier (a custodian not in IATI's registries) is no error
    if receiver_element is not None and (receiver_element.get("ref") or "").strip():
        receiver = _org(read, receiver_element, f"{path}/receiver-org")
    if len(read.errors) > errors or kind is None or on is None or amount is None or donor is None:
        return None
    description = (transaction.findtext("description/narrative") or "").strip()[:500]
    ref = (transaction.get("ref") or "").strip()
    return ImportedFlow(path, flow_key(identifier, ref or f"#{position}"), kind, donor, receiver, amount, on,
                        description, ref)


def _iati_date(read: ReadFile, element: Any, path: str, missing: str) -> date | None:
    text = element.get("iso-date", "") if element is not None else ""
    if not text:
        read.errors.append(ElementError(f"{path}/@iso-date", "", missing))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        read.errors.append(ElementError(f"{path}/@iso-date", text, "is not a date (YYYY-MM-DD)"))
        return None


def _iati_value(read: ReadFile, element: Any, path: str, default_currency: str) -> Money | None:
    if element is None:
        read.errors.append(ElementError(path, "", "is missing: a transaction states its value"))
        return None
    currency = element.get("currency") or default_currency
    where = f"{path}/@currency" if element.get("currency") else f"{path}/../../@default-currency"
    try:
        check_currency(currency)
    except InvalidInput:
        read.errors.append(ElementError(where, currency, "is not an ISO 4217 currency code"))
        return None
    return _amount(read, (element.text or "").strip(), currency, path)


def _amount(read: ReadFile, text: str, currency: str, path: str) -> Money | None:
    try:
        money = Money.parse(text, currency)
    except InvalidInput as error:
        read.errors.append(ElementError(path, text, error.message.replace(f"'{text}' ", "", 1)))
        return None
    if money.amount <= 0:
        read.errors.append(ElementError(path, text, "must be more than zero"))
        return None
    return money


def _org(read: ReadFile, element: Any, path: str) -> PartyRef | None:
    ref = (element.get("ref") or "").strip() if element is not None else ""
    if not ref:
        read.errors.append(ElementError(f"{path}/@ref", "", "names no organisation identifier: the platform "
                                        "matches organisations by their IATI identifier or ISO 3166-1 code"))
        return None
    scheme = SchemeOfRef.ISO3166 if ISO_STATE.fullmatch(ref) else SchemeOfRef.IATI
    return PartyRef(f"{path}/@ref", scheme, ref)


# --- OCDS -------------------------------------------------------------------------------------------------------


@cache
def _validator() -> Draft4Validator:
    schemas = [json.loads(path.read_text(encoding="utf-8")) for path in ocds.SCHEMAS.glob("*.json")]
    registry: Registry[Any] = Registry().with_resources((s["id"], DRAFT4.create_resource(s)) for s in schemas)
    return Draft4Validator(ocds.schema("release-package-schema.json"), registry=registry)


def _pointer(parts: Any) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def read_ocds(data: bytes) -> ReadFile:
    """The contracting processes of an OCDS 1.1 release package as procurement cases, contracts and payments."""
    read = ReadFile(Standard.OCDS)
    try:
        package = json.loads(data, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        read.errors.append(ElementError("/", "", f"is not JSON: {error}"))
        return read
    if not isinstance(package, dict) or not isinstance(package.get("releases"), list):
        shown = "a record package" if isinstance(package, dict) and "records" in package else "no release package"
        read.errors.append(ElementError("/releases", "", f"is missing: this is {shown}; the platform imports an "
                                        "OCDS 1.1 release package"))
        return read
    if package.get("version") != ocds.VERSION:
        read.errors.append(ElementError("/version", str(package.get("version", "")),
                                        f"is not OCDS {ocds.VERSION}: the platform imports OCDS {ocds.VERSION}"))
        return read
    read.errors.extend(ElementError(_pointer(e.absolute_path), "", f"breaks the OCDS {ocds.VERSION} release "
                                    f"package schema: {e.message[:200]}") for e in _validator().iter_errors(package))
    if read.errors:
        return read
    by_ocid: dict[str, list[tuple[int, Json]]] = {}
    for index, release in enumerate(package["releases"]):
        by_ocid.setdefault(release["ocid"], []).append((index, release))
    for ocid, releases in by_ocid.items():
        process = _process(read, ocid, releases)
        if process is not None:
            read.processes.append(process)
    return read


def _process(read: ReadFile, ocid: str, releases: list[tuple[int, Json]]) -> ImportedProcess | None:
    first_index = releases[0][0]
    matched = OCID.fullmatch(ocid)
    if matched is None:
        read.errors.append(ElementError(f"/releases/{first_index}/ocid", ocid, "is not an ocid: a prefix ('ocds-' "
                                        "and six letters or digits), a hyphen and the process's identifier"))
        return None
    planning = next(((i, r) for i, r in releases if "planning" in r["tag"]), None)
    if planning is None:
        read.errors.append(ElementError(f"/releases/{first_index}/tag", ",".join(releases[0][1]["tag"]),
                                        f"{ocid} has no planning release: a case is opened from it"))
        return None
    errors = len(read.errors)
    index, release = planning
    path = f"/releases/{index}"
    tender = release.get("tender", {})
    route_text = tender.get("procurementMethodDetails", "")
    try:
        route = FundingRoute(route_text)
    except ValueError:
        read.errors.append(ElementError(f"{path}/tender/procurementMethodDetails", route_text, "names no funding "
                                        f"route: one of {', '.join(r.value for r in FundingRoute)}"))
        route = FundingRoute.DIRECT_INDUSTRY
    opened_on = _moment(read, release.get("date"), f"{path}/date", "a release needs its date")
    buyer = _party(read, release, release.get("buyer"), f"{path}/buyer")
    requirements = tuple(_requirement_of(read, item, f"{path}/tender/items/{n}")
                         for n, item in enumerate(tender.get("items", [])))
    contracts: dict[str, ImportedContract] = {}
    approved_on = _acts(read, releases, contracts)
    if len(read.errors) > errors or opened_on is None or buyer is None or any(not r for _, r in requirements):
        return None
    return ImportedProcess(path, ocid, matched.group(2), route, str(tender.get("title") or matched.group(2))[:300],
                           buyer, opened_on, approved_on, requirements, tuple(contracts.values()))


def _acts(read: ReadFile, releases: list[tuple[int, Json]], contracts: dict[str, ImportedContract]) -> date | None:
    """Read each release of a process after its planning: the route's approval (its day, returned), contracts
    (into ``contracts``) and their payments; a tender, award, amendment or cancellation is refused by its path."""
    approved_on = None
    refused: set[str] = set()  # contracts with bad values: their payments are still read for theirs
    for i, r in releases:
        here, tags = f"/releases/{i}", set(r["tag"])
        if tags & {"tender", "tenderUpdate", "awardUpdate"} or ("award" in tags and "contract" not in tags):
            read.errors.append(ElementError(f"{here}/tag", ",".join(r["tag"]), "is a tender, bid or award of a "
                                            "tendered process, which the platform does not import: tenders are "
                                            "run on the platform (coalition tenders)"))
        elif "planningUpdate" in tags and r.get("tender", {}).get("status") == "planned":
            approved_on = _moment(read, r.get("date"), f"{here}/date", "a release needs its date")
        elif "contract" in tags:
            for n, contract in enumerate(r.get("contracts", [])):
                found = _contract(read, r, contract, f"{here}/contracts/{n}")
                if found is not None:
                    contracts[found.code] = found
                else:
                    refused.add(str(contract.get("id", "")))
        elif "implementation" in tags or "implementationUpdate" in tags:
            _implementation(read, r, here, contracts, refused)
        elif tags & {"contractAmendment", "tenderCancellation"}:
            what = "an amendment" if "contractAmendment" in tags else "a cancellation"
            read.errors.append(ElementError(f"{here}/tag", ",".join(r["tag"]), f"is {what}, which the platform "
                                            "does not import: make it on the platform"))
    return approved_on


def _requirement_of(read: ReadFile, item: Json, path: str) -> tuple[str, str]:
    """An item's requirement: its classification's id in the COALITION-REQUIREMENT scheme, else its id."""
    classification = item.get("classification") or {}
    if classification.get("scheme") == "COALITION-REQUIREMENT" and classification.get("id"):
        return f"{path}/classification/id", str(classification["id"])
    if item.get("id"):
        return f"{path}/id", str(item["id"])
    read.errors.append(ElementError(path, "", "names no requirement"))
    return path, ""


def _supplier(read: ReadFile, release: Json, contract: Json, path: str) -> PartyRef | None:
    """The contract's supplier: the first supplier of the award it names, in the same release."""
    award = next((a for a in release.get("awards", []) if a.get("id") == contract.get("awardID")), None)
    if award is None or not award.get("suppliers"):
        read.errors.append(ElementError(f"{path}/awardID", str(contract.get("awardID", "")), "names no award with "
                                        "its supplier in the contract's release"))
        return None
    number = release["awards"].index(award)
    return _party(read, release, award["suppliers"][0], f"/{path.split('/')[1]}/{path.split('/')[2]}"
                  f"/awards/{number}/suppliers/0")


def _lines(read: ReadFile, contract: Json, path: str) -> tuple[list[ContractLine], list[str]]:
    """The contract's items as lines, each with the path of its requirement."""
    lines, line_paths = [], []
    for n, item in enumerate(contract.get("items", [])):
        here = f"{path}/items/{n}"
        requirement_path, requirement = _requirement_of(read, {"classification": item.get("classification"),
                                                               "id": item.get("description")}, here)
        price = _ocds_value(read, (item.get("unit") or {}).get("value"), f"{here}/unit/value")
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or quantity <= 0:
            read.errors.append(ElementError(f"{here}/quantity", str(quantity), "is not a positive whole quantity"))
            continue
        number_text = str(item.get("id", "")).removeprefix("line-")
        number = int(number_text) if number_text.isdigit() else n + 1
        if price is None or not requirement:
            continue
        try:
            lines.append(ContractLine(number, requirement, quantity, price))
            line_paths.append(requirement_path)
        except InvalidInput as error:
            read.errors.append(ElementError(here, "", error.message))
    return lines, line_paths


def _contract(read: ReadFile, release: Json, contract: Json, path: str) -> ImportedContract | None:
    errors = len(read.errors)
    code = str(contract.get("id", ""))
    signed_on = _moment(read, contract.get("dateSigned"), f"{path}/dateSigned", "a contract needs its signing date")
    supplier = _supplier(read, release, contract, path)
    lines, line_paths = _lines(read, contract, path)
    value = _ocds_value(read, contract.get("value"), f"{path}/value")
    if value is not None and lines and sum((line.unit_price * line.quantity for line in lines),
                                           Money.zero(value.currency)) != value:
        read.errors.append(ElementError(f"{path}/value/amount", str(value.amount), "is not the sum of the "
                                        "contract's items (quantity times unit value)"))
    if not lines and len(read.errors) == errors:
        read.errors.append(ElementError(f"{path}/items", "", "a contract has at least one item"))
    if len(read.errors) > errors or signed_on is None or supplier is None:
        return None
    if contract.get("milestones"):
        read.left_out.append(LeftOut(f"{path}/milestones", len(contract["milestones"]), "payment milestone(s): "
                                     "OCDS 1.1 milestones carry no amount, payments are recorded without one"))
    return ImportedContract(path, code, supplier, signed_on, tuple(lines), tuple(line_paths))


def _implementation(read: ReadFile, release: Json, path: str, contracts: dict[str, ImportedContract],
                    refused: set[str]) -> None:
    for n, contract in enumerate(release.get("contracts", [])):
        here = f"{path}/contracts/{n}"
        implementation = contract.get("implementation") or {}
        milestones = implementation.get("milestones") or []
        if milestones:
            read.left_out.append(LeftOut(f"{here}/implementation/milestones", len(milestones), "delivery "
                                         "milestone(s): shipments and receipts are recorded on the platform"))
        for t, transaction in enumerate(implementation.get("transactions") or []):
            at = f"{here}/implementation/transactions/{t}"
            imported = contracts.get(str(contract.get("id", "")))
            if imported is None and str(contract.get("id", "")) not in refused:
                read.errors.append(ElementError(f"{here}/id", str(contract.get("id", "")), "names no contract "
                                                "signed in an earlier release of the process"))
                continue
            paid_on = _moment(read, transaction.get("date"), f"{at}/date", "a payment needs its date")
            amount = _ocds_value(read, transaction.get("value"), f"{at}/value")
            if imported is None or paid_on is None or amount is None:
                continue
            payment = ImportedPayment(at, str(transaction.get("id", f"#{t}")), amount, paid_on)
            contracts[imported.code] = ImportedContract(
                imported.path, imported.code, imported.supplier, imported.signed_on, imported.lines,
                imported.line_paths, (*imported.payments, payment))


def _ocds_value(read: ReadFile, value: Any, path: str) -> Money | None:
    if not isinstance(value, dict):
        read.errors.append(ElementError(path, "", "is missing: an amount and its currency"))
        return None
    currency = str(value.get("currency") or "")
    try:
        check_currency(currency)
    except InvalidInput:
        read.errors.append(ElementError(f"{path}/currency", currency, "is not an ISO 4217 currency code"))
        return None
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        read.errors.append(ElementError(f"{path}/amount", str(amount), "is not a number"))
        return None
    return _amount(read, str(amount), currency, f"{path}/amount")


def _moment(read: ReadFile, text: Any, path: str, missing: str) -> date | None:
    if not text:
        read.errors.append(ElementError(path, "", missing))
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        read.errors.append(ElementError(path, str(text), "is not a date-time (ISO 8601)"))
        return None


def _party(read: ReadFile, release: Json, reference: Any, path: str) -> PartyRef | None:
    """The party a reference names, by its identifier in the release's ``parties``."""
    if not isinstance(reference, dict) or not reference.get("id"):
        read.errors.append(ElementError(f"{path}/id", "", "names no party"))
        return None
    party_id = str(reference["id"])
    for n, party in enumerate(release.get("parties", [])):
        if party.get("id") != party_id:
            continue
        identifier = party.get("identifier") or {}
        scheme, value = str(identifier.get("scheme") or ""), str(identifier.get("id") or "")
        at = f"/{path.split('/')[1]}/{path.split('/')[2]}/parties/{n}/identifier"
        if scheme == ocds.STATE_SCHEME:
            return PartyRef(f"{at}/id", SchemeOfRef.ISO3166, value)
        if scheme == ocds.PARTY_SCHEME:
            return PartyRef(f"{at}/id", SchemeOfRef.REGISTRY, value)
        return PartyRef(f"{at}/id", SchemeOfRef.OCDS, value, scheme, party_id)
    read.errors.append(ElementError(f"{path}/id", party_id, "names no party of the release's parties"))
    return None


