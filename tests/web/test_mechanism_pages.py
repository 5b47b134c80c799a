"""The pages of PURL packages and Danish-model offers on both databases: the public reads packages but not
offers; the secretariat records a share, funds a package and answers an offer through forms; a refusal is shown
in the reader's language, naming the field, and writes nothing."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from tests.integration.helpers import dump
from tests.web.test_pages import csrf, sign_in

CA = "/packages/PURL-CA-2025-1"


def test_the_public_reads_the_packages_and_what_they_mobilised_but_not_the_offers(client: TestClient) -> None:
    page = client.get("/packages")
    assert page.status_code == 200
    assert "PURL-NL-2025-1" in page.text and "1,500,000,000.00" in page.text
    one = client.get("/packages/PURL-NORDIC-2025-1").text
    assert "Denmark" in one and "Norway" in one and "Sweden" in one and "Record the share" not in one
    assert client.get("/coalitions/drone-coalition/offers").status_code == 401
    assert client.get("/offers/UA-DK-DM-2025").status_code == 401
    assert client.get("/packages/PURL-NOPE").status_code == 404


def test_the_secretariat_records_a_share_and_funds_a_package_through_the_forms(client: TestClient) -> None:
    token = sign_in(client, "secretariat")
    answer = client.post(f"{CA}/shares", data={"csrf_token": token, "donor": "CA", "amount": "300000000",
                                                "on": "2025-10-01"})
    assert answer.status_code == 200 and "A share of" in answer.text
    funded = client.post(f"{CA}/acts", data={"csrf_token": csrf(client, CA), "state": "funded",
                                              "on": "2025-10-02"})
    assert "Package PURL-CA-2025-1 is funded" in funded.text
    assert "2,000,000,000.00" in client.get("/packages").text


def test_a_refused_act_is_shown_in_ukrainian_naming_the_field_and_writes_nothing(client: TestClient,
                                                                                  platform: Platform) -> None:
    token = sign_in(client, "secretariat")
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": CA})
    before = dump(platform.engine)
    refused = client.post(f"{CA}/acts", data={"csrf_token": csrf(client, CA), "state": "funded",
                                               "on": "2025-10-02"})
    text = html.unescape(refused.text)
    assert "shares: пакет PURL-CA-2025-1 профінансовано лише тоді, коли частки покривають його суму" in text
    assert dump(platform.engine) == before


def test_the_secretariat_answers_an_offer_and_the_recipient_reads_it(client: TestClient) -> None:
    token = sign_in(client, "secretariat")
    page = client.get("/coalitions/drone-coalition/offers").text
    assert "UA-LU-DM-2025" in page and "UA-DK-DM-2025" in page
    answer = client.post("/offers/UA-LU-DM-2025/answers", data={"csrf_token": token, "answer": "declined",
                                                                 "on": "2025-04-01"})
    assert "Offer UA-LU-DM-2025 is declined" in answer.text
    late = client.post("/offers/UA-LU-DM-2025/answers", data={"csrf_token": csrf(client, "/offers/UA-LU-DM-2025"),
                                                               "answer": "accepted", "on": "2025-04-02"})
    assert "answer: offer UA-LU-DM-2025 is declined; it can move to none (final), not accepted" in \
        html.unescape(late.text)
