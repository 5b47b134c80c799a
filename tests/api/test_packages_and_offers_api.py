"""PURL packages and Danish-model offers over HTTP on SQLite and PostgreSQL: the secretariat proposes, shares and
funds a package (refused, naming the field, until the shares cover it); the recipient's officer records an
offer, and an acceptance is held to the rules of a procurement case."""

from __future__ import annotations

from coalition.domain.party import Party, PartyKind
from coalition.services import registry
from tests.api.conftest import IT, Served

V = "/api/v1"
ON = "2026-11-20"


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


def test_a_package_is_proposed_shared_and_funded_once_its_shares_cover_it(served: Served):
    client, secretariat = served.client, served.as_role("secretariat")
    proposed = client.post(f"{V}/packages", headers=secretariat, json={
        "code": "PURL-API-1", "title": "Ammunition from United States stock", "owner": "NATO", "validator": "NATO",
        "supplier": "US", "recipient": "UA", "amount": usd("1000000.00"), "proposed_on": "2026-11-01"})
    assert proposed.status_code == 201, proposed.text
    assert proposed.json()["state"] == "proposed"
    assert client.post(f"{V}/packages/PURL-API-1/validation", headers=secretariat,
                       json={"on": "2026-11-02"}).status_code == 200
    short = client.post(f"{V}/packages/PURL-API-1/funding", headers=secretariat, json={
        "on": ON, "shares": [{"donor": "NL", "amount": usd("600000.00"), "on": ON}]})
    assert short.status_code == 409 and short.json()["field"] == "shares"
    assert client.get(f"{V}/packages/PURL-API-1").json()["shares"] == []  # nothing of the refused change kept
    funded = client.post(f"{V}/packages/PURL-API-1/funding", headers=secretariat, json={
        "on": ON, "shares": [{"donor": "NL", "amount": usd("600000.00"), "on": ON},
                             {"donor": "DK", "amount": usd("400000.00"), "on": ON}]})
    assert funded.status_code == 200, funded.text
    body = funded.json()
    assert body["state"] == "funded" and body["covered"] == {"amount": "1000000.00", "currency": "USD"}
    assert [a["donor"] for a in body["allies"]] == ["NL", "DK"]
    future = client.post(f"{V}/packages/PURL-API-1/delivery", headers=secretariat, json={"on": "2030-01-01"})
    assert future.status_code == 409 and future.json()["field"] == "on"
    listed = client.get(f"{V}/packages", params={"owner": "NATO"}).json()["items"]
    assert "PURL-API-1" in [p["package"]["code"] for p in listed]


def test_an_offer_is_recorded_by_the_recipient_and_its_acceptance_obeys_the_case_rules(served: Served):
    client = served.client
    registry.register_party(served.platform.uow(), served.platform.operator(),
                            Party("UA-CYBER", PartyKind.COMPANY, "Ukrainian cyber firm", country="UA"))
    recorded = client.post(f"{V}/coalitions/{IT}/offers", headers=served.as_role("recipient-officer"), json={
        "code": "UA-DK-API", "recipient": "UA-MOD", "donor": "DK", "producer": "UA-CYBER",
        "purpose": "Secure radios made in Ukraine", "amount": {"amount": "500000.00", "currency": "EUR"},
        "offered_on": "2026-11-01", "requirements": ["NOPE-1"]})
    assert recorded.status_code == 404 and recorded.json()["field"] == "requirements"
    recorded = client.post(f"{V}/coalitions/{IT}/offers", headers=served.as_role("recipient-officer"), json={
        "code": "UA-DK-API", "recipient": "UA-MOD", "donor": "DK", "producer": "UA-CYBER",
        "purpose": "Secure radios made in Ukraine", "amount": {"amount": "500000.00", "currency": "EUR"},
        "offered_on": "2026-11-01"})
    assert recorded.status_code == 201, recorded.text
    accepted = client.post(f"{V}/offers/UA-DK-API/answers", headers=served.as_role("secretariat"),
                           json={"answer": "accepted", "on": ON})
    assert accepted.status_code == 409 and accepted.json()["field"] == "requirements"
    declined = client.post(f"{V}/offers/UA-DK-API/answers", headers=served.as_role("secretariat"),
                           json={"answer": "declined", "on": ON, "note": "Not this year"})
    assert declined.status_code == 201 and declined.json()["answer"] == "declined"
    shown = client.get(f"{V}/offers/UA-DK-API", headers=served.as_role("lead")).json()
    assert [(a["answer"], a["on"]) for a in shown["answers"]] == [("declined", ON)]
    assert client.get(f"{V}/offers/UA-DK-API").status_code == 401
