"""The news intake's review queue over HTTP on SQLite and PostgreSQL: the secretariat adds a reading (the same
article again changes nothing), reads how each proposal stands against the registry, accepts one (the registry
changes and the audit record names the article) and rejects another with its reason; bad input is refused naming
the field, and a member's representative may not touch the queue."""

from __future__ import annotations

from coalition.domain.audit import AuditQuery
from coalition.services import audit, registry
from tests.api.conftest import Served

V = "/api/v1"
TEXT = ("Kyiv, 20 March 2025. Estonia joined the Drone Coalition on 1 March 2025. "
        "The Netherlands joined the IT Coalition in May 2024. "
        "The IT Coalition's steering group met in Tallinn on 5 June 2024.")
JOIN = "Estonia joined the Drone Coalition on 1 March 2025."
NL = "The Netherlands joined the IT Coalition in May 2024."
MET = "The IT Coalition's steering group met in Tallinn on 5 June 2024."


def event(sentence: str, coalition: str, party: str, day: str, precision: str) -> dict[str, object]:
    start = TEXT.index(sentence)
    return {"kind": "member-joined", "coalition": {"code": coalition, "name": coalition},
            "parties": [{"code": party, "name": party, "role": "member"}], "date": day, "date_precision": precision,
            "place": None, "amount": None, "attributes": {}, "evidence": sentence,
            "span": [start, start + len(sentence)], "confidence": 0.9}


ARTICLE = {"source": "https://example.org/api-news", "text": TEXT, "language": "en", "published_on": "2025-03-20",
           "events": [event(JOIN, "drone-coalition", "EE", "2025-03-01", "day"),
                      event(NL, "it-coalition", "NL", "2024-05", "month"),
                      {**event(MET, "it-coalition", "EE", "2024-06-05", "day"), "kind": "meeting-held", "parties": [],
                       "place": "Tallinn", "attributes": {"body": "steering group"}}]}


def test_add_accept_and_reject_through_the_api(served: Served):
    client, secretariat = served.client, served.as_role("secretariat")
    added = client.post(f"{V}/intake/articles", headers=secretariat, json=ARTICLE)
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["added"] is True and len(body["proposals"]) == 3
    join, contradicted, met = body["proposals"]
    again = client.post(f"{V}/intake/articles", headers=secretariat, json=ARTICLE)
    assert again.status_code == 200 and again.json()["added"] is False and again.json()["proposals"] == []

    listed = client.get(f"{V}/intake/proposals", headers=secretariat, params={"status": "pending"}).json()["items"]
    assert [(p["id"], p["standing"]) for p in listed] == [(join, "new"), (contradicted, "contradicts"), (met, "new")]
    shown = client.get(f"{V}/intake/proposals/{contradicted}", headers=secretariat).json()
    assert shown["comparison"] == ("the registry records NL joining it-coalition on 2024-02-14; the article says "
                                   "2024-05")
    assert shown["articles"][0]["text"] == TEXT and shown["sources"][0]["evidence"] == NL

    refused = client.post(f"{V}/intake/proposals/{contradicted}/accept", headers=secretariat, json={})
    assert refused.status_code == 409 and "contradicts the registry" in refused.json()["message"]
    # The IT Coalition's secretariat may not admit members of the Drone Coalition: the registry's service refuses.
    elsewhere = client.post(f"{V}/intake/proposals/{join}/accept", headers=secretariat, json={})
    assert elsewhere.status_code == 403 and "drone-coalition" in elsewhere.json()["message"]
    admin = served.as_role("platform-admin")
    assert client.get(f"{V}/intake/proposals/{join}", headers=admin).json()["status"] == "pending"
    accepted = client.post(f"{V}/intake/proposals/{join}/accept", headers=admin, json={})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["standing"] == "recorded"
    members = registry.membership_history(served.platform.uow(), served.platform.operator(), "drone-coalition")
    assert [c.party for c in members if c.party == "EE"] == ["EE"]
    last = audit.audit_log(served.platform.uow(), served.platform.operator(), AuditQuery(newest_first=True),
                           limit=2).records
    assert [r.action for r in last] == ["accept_intake_proposal", "admit_member"]
    assert all("https://example.org/api-news" in str(r.after) for r in last)

    meeting = client.post(f"{V}/intake/proposals/{met}/accept", headers=secretariat, json={})
    assert meeting.status_code == 200, meeting.text
    assert meeting.json()["result"].startswith("recorded meeting ")
    assert meeting.json()["standing"] == "recorded" and "2024-06-05" in meeting.json()["comparison"]

    blank = client.post(f"{V}/intake/proposals/{contradicted}/reject", headers=secretariat, json={"reason": ""})
    assert blank.status_code == 422
    rejected = client.post(f"{V}/intake/proposals/{contradicted}/reject", headers=secretariat,
                           json={"reason": "the registry holds the agreement's day"})
    assert rejected.status_code == 200 and rejected.json()["reason"] == "the registry holds the agreement's day"
    twice = client.post(f"{V}/intake/proposals/{contradicted}/reject", headers=secretariat, json={"reason": "again"})
    assert twice.status_code == 409 and twice.json()["field"] == "id"


def test_bad_input_and_the_wrong_role_are_refused(served: Served):
    client, secretariat = served.client, served.as_role("secretariat")
    german = client.post(f"{V}/intake/articles", headers=secretariat, json={**ARTICLE, "language": "de"})
    assert german.status_code == 422 and german.json()["field"] == "language"
    empty = client.post(f"{V}/intake/articles", headers=secretariat, json={**ARTICLE, "text": ""})
    assert empty.status_code == 422 and empty.json()["field"] == "text"
    broken = client.post(f"{V}/intake/articles", headers=secretariat,
                         json={**ARTICLE, "events": [{"kind": "rumour-heard"}]})
    assert broken.status_code == 422 and broken.json()["field"] == "events"
    member = client.post(f"{V}/intake/articles", headers=served.as_role("member-representative"), json=ARTICLE)
    assert member.status_code == 403
    assert client.get(f"{V}/intake/proposals", headers=secretariat).json()["items"] == []
    assert client.get(f"{V}/intake/proposals").status_code == 401
