"""Imports from IATI and OCDS on SQLite and PostgreSQL: what the demo world exports, imported into a database that
holds only the registry (and, for procurement, the requirements with their money), gives the same contracts,
payments and per-donor totals; a second import changes nothing; a bad file is refused whole, naming the path of each
bad value, with nothing written; a contribution restricted out of a public export is not in what is imported."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]

from coalition.adapters.ocds import dumps
from coalition.adapters.open_data import iati_document
from coalition.bootstrap import Platform
from coalition.demo.funding import demo_rates
from coalition.demo.identifiers import DAC_DONOR_CODES
from coalition.demo.offers import build_demo_danish_money
from coalition.demo.procurement import build_demo_drone_plan, build_demo_suppliers
from coalition.demo.world import build_demo_registry, build_demo_world
from coalition.domain.access import PUBLIC_ACTOR
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Visibility
from coalition.domain.money import Money
from coalition.services import funding
from coalition.services.views import open_data
from tests.demo_copies import give_demo_world
from tests.integration.helpers import dump, run

IT, DRONES = "it-coalition", "drone-coalition"
SECRET = Contribution(ContributionKind.COMMITMENT, IT, "it-coalition-fund", "LT", Money(Decimal("777777.77"), "EUR"),
                      date(2024, 3, 20),
                      confidentiality=Confidentiality(Visibility.RESTRICTED, ("LT",)), external_ref="LT-SECRET-1")
IATI_KINDS = {"2": "commitment", "3": "receipt"}


@pytest.fixture
def demo(platform: Platform) -> Platform:
    give_demo_world(platform)
    funding.record_contribution(platform.uow(), platform.operator(), SECRET)
    return platform


@pytest.fixture
def registry_only(empty_platform: Platform) -> Platform:
    """The demo's registry (parties, coalitions, funds, crosswalk) and its exchange rates; no money at all."""
    build_demo_registry(empty_platform.uow(), empty_platform.operator())
    funding.import_fx_rates(empty_platform.uow(), empty_platform.operator(), source="demo rates", digest="demo",
                            rates=demo_rates())
    return empty_platform


@pytest.fixture
def drones_planned(empty_platform: Platform) -> Platform:
    """The demo world up to the Drone Coalition's approved allocations (Denmark's money for interceptor drones too),
    with the suppliers registered: requirements and the money reserved for them, no case."""
    actor = empty_platform.operator()
    build_demo_world(empty_platform.uow(), actor, procurement=False)
    build_demo_suppliers(empty_platform.uow(), actor, [])
    build_demo_drone_plan(empty_platform.uow(), actor)
    build_demo_danish_money(empty_platform.uow(), actor)
    return empty_platform


def _public_iati(platform: Platform, path: Path) -> Path:
    path.write_bytes(iati_document(open_data.iati_activities(platform.uow(read_only=True), PUBLIC_ACTOR, IT)))
    return path


def _iati_totals(document: bytes, donors: dict[str, str]) -> dict[tuple[str, str, str], Decimal]:
    """Per donor (by the crosswalk's identifier), kind and currency: the sum of the file's transactions."""
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for transaction in etree.fromstring(document).iter("transaction"):
        value = transaction.find("value")
        key = (donors[transaction.find("provider-org").get("ref")],
               IATI_KINDS[transaction.find("transaction-type").get("code")], value.get("currency"))
        totals[key] += Decimal(value.text)
    return dict(totals)


def _recorded_totals(platform: Platform) -> dict[tuple[str, str, str], Decimal]:
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for flow in open_data.flows(platform.uow(read_only=True), platform.operator(), IT).flows:
        c = flow.contribution
        totals[(c.donor, c.kind.value, c.amount.currency)] += c.amount.amount
    return dict(totals)


def test_the_public_iati_file_of_the_demo_imports_into_a_bare_registry_with_the_same_per_donor_totals(
        demo: Platform, registry_only: Platform, capsys, tmp_path):
    path = _public_iati(demo, tmp_path / "it.xml")
    donors = {f"XM-DAC-{n}": state for state, n in DAC_DONOR_CODES.items()}
    expected = _iati_totals(path.read_bytes(), donors)
    assert expected and not any(donor in {"LT", "NL"} for donor, _, _ in expected)  # restricted: not published
    code, out, err = run(registry_only, capsys, "import", "iati", str(path), "--coalition", IT)
    assert code == 0, err
    imported = _recorded_totals(registry_only)
    assert imported == expected
    assert not any(c.external_ref and "SECRET" in c.external_ref for c in _contributions(registry_only))
    count = sum(1 for _ in etree.fromstring(path.read_bytes()).iter("transaction"))
    assert f"{count} new, 0 already recorded" in out

    before = dump(registry_only.engine)
    code, out, err = run(registry_only, capsys, "import", "iati", str(path), "--coalition", IT, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["new"] == [] and len(report["already_recorded"]) == count
    assert dump(registry_only.engine) == before


def _contributions(platform: Platform) -> list[Contribution]:
    return [f.contribution for f in open_data.flows(platform.uow(read_only=True), platform.operator(), IT).flows]


def _contract_files(platform: Platform) -> dict[str, Any]:
    with platform.uow(read_only=True) as uow:
        files = uow.delivery_reads.coalition_files(DRONES)
    return {f.contract.code: f for f in files}


def _per_donor_paid(files: dict[str, Any]) -> dict[str, int]:
    paid: dict[str, int] = defaultdict(int)
    for file in files.values():
        for _, share in file.payment_shares:
            paid[share.donor] += share.reporting
    return dict(paid)


def test_the_drone_coalitions_ocds_export_imports_into_its_plan_with_the_same_contracts_and_payments(
        platform: Platform, drones_planned: Platform, capsys, tmp_path):
    give_demo_world(platform)
    releases = tmp_path / "drones.json"
    code, _, err = run(platform, capsys, "export", "ocds", DRONES, "--output", str(releases))
    assert code == 0, err
    code, out, err = run(drones_planned, capsys, "import", "ocds", str(releases), "--coalition", DRONES)
    assert code == 0, err
    assert "not imported" in out and "delivery milestone" in out  # shipments and receipts stay on the platform
    exported, imported = _contract_files(platform), _contract_files(drones_planned)
    assert sorted(imported) == sorted(exported) == ["GB-CZ-EW-01", "UA-MOD-UAS-0001"]
    for code_, file in exported.items():
        again = imported[code_]
        assert (again.contract.supplier, again.contract.current.value, again.contract.signed_on, again.case.code,
                again.case.route) == (file.contract.supplier, file.contract.current.value, file.contract.signed_on,
                                      file.case.code, file.case.route)
        assert [(line.requirement, line.quantity, line.unit_price) for line in again.contract.current.lines] == \
            [(line.requirement, line.quantity, line.unit_price) for line in file.contract.current.lines]
        assert [(p.paid_on, p.amount, p.reporting) for p in again.payments] == \
            [(p.paid_on, p.amount, p.reporting) for p in file.payments]
    assert _per_donor_paid(imported) == _per_donor_paid(exported) != {}

    before = dump(drones_planned.engine)
    code, out, err = run(drones_planned, capsys, "import", "ocds", str(releases), "--coalition", DRONES)
    assert code == 0, err
    assert "0 new" in out
    assert dump(drones_planned.engine) == before


def _refused(platform: Platform, capsys, argv: list[str], *paths: str) -> str:
    before = dump(platform.engine)
    code, _, err = run(platform, capsys, *argv)
    assert code == 2, err
    for path in paths:
        assert path in err, err
    assert "Traceback" not in err
    assert dump(platform.engine) == before
    return err


def test_bad_iati_files_are_refused_whole_naming_the_path_of_each_bad_value(demo: Platform, registry_only: Platform,
                                                                            capsys, tmp_path):
    good = _public_iati(demo, tmp_path / "it.xml").read_bytes()
    namespaced = good.replace(b"<iati-activities ", b'<iati-activities xmlns="http://example.org/aid" ', 1)
    (tmp_path / "ns.xml").write_bytes(namespaced)
    _refused(registry_only, capsys, ["import", "iati", str(tmp_path / "ns.xml"), "--coalition", IT],
             "/{http://example.org/aid}iati-activities", "no namespace")

    tree = etree.fromstring(good)
    second = tree.findall("iati-activity")[1].findall("transaction")
    second[0].find("value").set("currency", "EUX")  # not ISO 4217
    second[-1].remove(second[-1].find("transaction-date"))
    (tmp_path / "bad.xml").write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    err = _refused(registry_only, capsys, ["import", "iati", str(tmp_path / "bad.xml"), "--coalition", IT],
                   "/iati-activities/iati-activity[2]/transaction[1]/value/@currency",
                   f"/iati-activities/iati-activity[2]/transaction[{len(second)}]/transaction-date/@iso-date")
    assert "ISO 4217" in err and "needs its date" in err

    # A donor the crosswalk does not know: named at its path, nothing of the file's good transactions written.
    tree = etree.fromstring(good)
    tree.find("iati-activity/transaction/provider-org").set("ref", "XM-DAC-999")
    (tmp_path / "stranger.xml").write_bytes(etree.tostring(tree))
    _refused(registry_only, capsys, ["import", "iati", str(tmp_path / "stranger.xml"), "--coalition", IT,
                                     "--json"], "/iati-activities/iati-activity[1]/transaction[1]/provider-org/@ref")


def test_bad_ocds_files_are_refused_whole_naming_the_path_of_each_bad_value(platform: Platform,
                                                                            drones_planned: Platform, capsys,
                                                                            tmp_path):
    give_demo_world(platform)
    path = tmp_path / "drones.json"
    assert run(platform, capsys, "export", "ocds", DRONES, "--output", str(path))[0] == 0
    good = json.loads(path.read_text(), parse_float=Decimal)

    def write(document: dict[str, Any], name: str) -> str:
        (tmp_path / name).write_text(dumps(document))
        return str(tmp_path / name)

    contract_at = next(i for i, r in enumerate(good["releases"]) if "contract" in r["tag"])
    unknown = _copy(good)
    unknown["releases"][contract_at]["contracts"][0]["items"][0]["classification"]["id"] = "NO-SUCH-REQ"
    _refused(drones_planned, capsys, ["import", "ocds", write(unknown, "unknown.json"), "--coalition", DRONES],
             f"/releases/{contract_at}/contracts/0/items/0/classification/id", "NO-SUCH-REQ")

    currency = _copy(good)
    currency["releases"][contract_at]["contracts"][0]["value"]["currency"] = "EUX"
    _refused(drones_planned, capsys, ["import", "ocds", write(currency, "currency.json"), "--coalition", DRONES],
             f"/releases/{contract_at}/contracts/0/value/currency")

    undated = _copy(good)
    payment_at = next(i for i, r in enumerate(good["releases"])
                      if r["tag"] == ["implementation"] and r["contracts"][0]["implementation"].get("transactions"))
    del undated["releases"][payment_at]["contracts"][0]["implementation"]["transactions"][0]["date"]
    del undated["releases"][contract_at]["contracts"][0]["dateSigned"]
    _refused(drones_planned, capsys, ["import", "ocds", write(undated, "undated.json"), "--coalition", DRONES],
             f"/releases/{payment_at}/contracts/0/implementation/transactions/0/date",
             f"/releases/{contract_at}/contracts/0/dateSigned")

    stranger = _copy(good)
    for party in stranger["releases"][contract_at]["parties"]:
        if "supplier" in party["roles"]:
            party["identifier"] = {"scheme": "XI-LEI", "id": "5493001KJTIIGC8Y1R12"}
    _refused(drones_planned, capsys, ["import", "ocds", write(stranger, "stranger.json"), "--coalition", DRONES],
             f"/releases/{contract_at}/parties/", "5493001KJTIIGC8Y1R12")

    # A service's refusal while writing (a payment beyond its contract, the package's whole value paid once) leaves
    # nothing of what the file wrote before it (the case opened and the contract signed for it): one transaction.
    beyond = _copy(good)
    paid_at = next(i for i, r in enumerate(good["releases"]) if r["tag"] == ["implementation"]
                   and r["contracts"][0]["id"] == "GB-CZ-EW-01" and r["contracts"][0]["implementation"].get(
                       "transactions"))
    value = beyond["releases"][paid_at]["contracts"][0]["implementation"]["transactions"][0]["value"]
    value["amount"] += 1
    err = _refused(drones_planned, capsys, ["import", "ocds", write(beyond, "beyond.json"), "--coalition", DRONES],
                   f"/releases/{paid_at}/contracts/0/implementation/transactions/0")
    assert "beyond the contract" in err

    _refused(drones_planned, capsys, ["import", "ocds", write({"version": "1.0", "releases": []}, "old.json"),
                                      "--coalition", DRONES], "/version")

    # A tendered process: its tender, bids and award are the platform's own decisions, refused by path.
    tendered = tmp_path / "it.json"
    assert run(platform, capsys, "export", "ocds", IT, "--output", str(tendered))[0] == 0
    document = json.loads(tendered.read_text(), parse_float=Decimal)
    tender_at = next(i for i, r in enumerate(document["releases"]) if r["tag"] == ["tender"])
    err = _refused(drones_planned, capsys, ["import", "ocds", str(tendered), "--coalition", IT],
                   f"/releases/{tender_at}/tag")
    assert "tendered process" in err


def _copy(document: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(dumps(document), parse_float=Decimal)
    return copied


def test_the_demo_worlds_own_exports_imported_back_into_it_change_nothing(demo: Platform, capsys, tmp_path):
    iati, releases = tmp_path / "it.xml", tmp_path / "drones.json"
    assert run(demo, capsys, "export", "iati", IT, "--output", str(iati))[0] == 0  # the operator's: LT-SECRET-1 too
    assert run(demo, capsys, "export", "ocds", DRONES, "--output", str(releases))[0] == 0
    before = dump(demo.engine)
    code, out, err = run(demo, capsys, "import", "iati", str(iati), "--coalition", IT)
    assert code == 0, err
    assert " 0 new" in out  # each transaction's own reference names the contribution it shows
    code, out, err = run(demo, capsys, "import", "ocds", str(releases), "--coalition", DRONES, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["new"] == [] and "contract UA-MOD-UAS-0001" in report["already_recorded"]
    assert any(item["what"].startswith("delivery milestone") for item in report["left_out"])
    assert dump(demo.engine) == before
