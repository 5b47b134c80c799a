"""Every route of the API, as every role and as the public: allowed or refused, from one table.

The table names, for each operation of the OpenAPI document, a request that passes validation and
the rule that governs it: a permission of coalition.domain.access (allowed when the caller holds a
role granting it in the coalition the request is about), or one of the few rules that are not a
single permission (signed in; one's own vote; open to anyone). A refused request is 403, or 401
for the public; an allowed one is anything else (a 404 or 409 still means the door was open).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from coalition.domain.access import Actor, can, can_act_for, can_manage_webhooks
from tests.api.conftest import IT, ROLE_USERS, Served

ON = "2026-11-20"
ECB_CSV = (b"Date, USD, GBP, \n20 November 2026, 1.0512, 0.85120, \n")
IMPORT_CSV = b"kind,external_ref,coalition,fund,donor,amount,currency,value_date\n"

Rule = str | Callable[[str, Actor], bool]


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    rule: Rule
    coalition: str | None = IT
    body: Any = None
    query: dict[str, Any] | None = None
    content: bytes | None = None


def signed_in(role: str, _actor: Actor) -> bool:
    return role != "public"


def anyone(_role: str, _actor: Actor) -> bool:
    return True


def own_vote_or_recorder(role: str, actor: Actor) -> bool:
    # The ballot is cast for LV: the secretariat records any vote, LV's representative its own.
    return bool(can(actor, "record_vote", IT)) or (bool(can(actor, "cast_own_vote", IT)) and actor.party == "LV")


def own_token_or_admin(role: str, actor: Actor) -> bool:
    return role in ("platform-admin", "secretariat")  # the spare token belongs to the secretariat's user


def own_tokens(role: str, actor: Actor) -> bool:
    return role != "public"  # listing one's own tokens; the public has none and needs manage_users


def kits_supplier(role: str, actor: Actor) -> bool:
    # NSPA-IT-C001 is supplied by SUP-NTS; the supplier user acts for another party, so it is refused (403): a
    # supplier ships its own contracts only.
    return bool(can_act_for(actor, "record_shipment", IT, "SUP-NTS"))


def unit_1(role: str, actor: Actor) -> bool:
    # The receipt is UA-TU-1's, the unit officer user's own unit: a unit officer signs for its own unit only.
    return bool(can_act_for(actor, "confirm_receipt", IT, "UA-TU-1"))


def innovation_and_procurement(role: str, actor: Actor) -> bool:
    return bool(can(actor, "manage_innovation", IT)) and bool(can(actor, "manage_procurement", IT))


def contract_papers(role: str, actor: Actor) -> bool:
    # A contract's documents are read by whoever may read the contract or write it.
    return bool(can(actor, "read_funding", IT)) or bool(can(actor, "manage_procurement", IT))


def webhooks_of_ee(role: str, actor: Actor) -> bool:
    return bool(can_manage_webhooks(actor, "EE"))


def own_settings_or_admin(role: str, actor: Actor) -> bool:
    return role == "lead" or bool(can(actor, "manage_users"))


V = "/api/v1"
PDF = b"%PDF-1.7\n%%EOF\n"
CONTRACT_PAPERS = {"record_type": "contract", "record_id": "NSPA-IT-C001"}
CHALLENGE = "it-innovation-challenge-2025"
PROGRAMME = "kz-defense-tech-park"
MONEY = {"amount": "1000.00", "currency": "EUR"}
TABLE: list[Case] = [
    # authentication and users
    Case("POST", f"{V}/auth/logout", anyone),
    Case("GET", f"{V}/auth/me", anyone),
    Case("POST", f"{V}/auth/tokens", signed_in, None, {"name": "matrix", "scopes": ["read"], "days": 1}),
    Case("GET", f"{V}/auth/tokens", own_tokens, None),
    Case("DELETE", f"{V}/auth/tokens/{{spare}}", own_token_or_admin, None),
    Case("GET", f"{V}/users", "manage_users", None),
    Case("POST", f"{V}/users", "manage_users", None, {"username": "matrix-new", "password": "another long passphrase"}),
    Case("PUT", f"{V}/users/spare-user/roles", "manage_users", None, {"roles": []}),
    Case("PUT", f"{V}/users/spare-user/active", "manage_users", None, {"active": True}),
    # a wrong current password: refused as input (422) to anyone signed in, as unauthenticated to the public
    Case("POST", f"{V}/auth/password", signed_in, None,
         {"current_password": "not the password", "new_password": "matrix new passphrase"}),
    Case("PUT", f"{V}/users/spare-user/password", "manage_users", None, {"password": "spare user new passphrase"}),
    Case("GET", f"{V}/users/spare-user/sessions", "manage_users", None),
    Case("DELETE", f"{V}/users/spare-user/sessions", "manage_users", None),
    # search: anyone may ask; the hits are what the caller may read
    Case("GET", f"{V}/search", "read_registry", None, query={"q": "drones"}),
    # registry
    Case("GET", f"{V}/parties", "read_registry", None),
    Case("POST", f"{V}/parties", "register_party", None,
         {"code": "MATRIX-CO", "kind": "company", "name": "Matrix company"}),
    Case("GET", f"{V}/parties/EE", "read_registry", None),
    Case("GET", f"{V}/parties/EE/identifiers", "read_registry", None),
    Case("POST", f"{V}/parties/NSPA/identifiers", "register_party", None, {"scheme": "ocds", "id": "ocds-nspa"}),
    # open data: anyone may ask; each file holds what the caller may see
    Case("GET", f"{V}/coalitions/{IT}/exports/iati.xml", "read_contributions"),
    Case("GET", f"{V}/coalitions/{IT}/exports/flows", "read_contributions", query={"format": "csv"}),
    Case("GET", f"{V}/coalitions", "read_registry", None),
    Case("POST", f"{V}/coalitions", "create_coalition", None,
         {"code": "matrix-coalition", "name": "Matrix", "capability_area": "testing", "framework": "tests",
          "recipient": "UA", "founded_on": ON, "founded_at": "a test"}),
    Case("GET", f"{V}/coalitions/{IT}", "read_registry"),
    Case("GET", f"{V}/coalitions/{IT}/funds", "read_registry"),
    Case("POST", f"{V}/coalitions/{IT}/funds", "manage_funds", IT,
         {"code": "matrix-fund", "name": "Matrix fund", "custodian": "NSPA", "currency": "EUR"}),
    Case("GET", f"{V}/coalitions/{IT}/members", "read_registry"),
    Case("POST", f"{V}/coalitions/{IT}/members", "manage_members", IT, {"party": "FR", "role": "member", "on": ON}),
    Case("GET", f"{V}/coalitions/{IT}/membership-changes", "read_registry"),
    Case("POST", f"{V}/coalitions/{IT}/members/LV/role-changes", "manage_members", IT, {"role": "lead", "on": ON}),
    Case("POST", f"{V}/coalitions/{IT}/members/NL/departure", "manage_members", IT, {"on": "2030-01-01"}),
    Case("GET", f"{V}/coalitions/{IT}/instruments", "read_registry"),
    Case("POST", f"{V}/coalitions/{IT}/instruments", "record_instrument", IT,
         {"code": "matrix-mou", "kind": "memorandum", "title": "Matrix memorandum", "term_start": ON}),
    Case("GET", f"{V}/instruments/it-coalition-ca", "read_registry"),
    Case("POST", f"{V}/instruments/it-coalition-ca/signatures", "record_instrument", IT,
         {"party": "FR", "signed_on": ON}),
    Case("GET", f"{V}/audit", "read_audit", None),
    Case("GET", f"{V}/audit/verification", "read_audit", None),
    Case("GET", f"{V}/audit/deep-verification", "read_audit", None),
    Case("GET", f"{V}/audit/checkpoint", anyone, None),
    Case("POST", f"{V}/audit/checkpoints", "take_checkpoint", None),
    Case("POST", f"{V}/audit/checkpoint-verification", anyone, None, body={
        "records": 0, "hash": "0" * 64, "signed_at": "2026-11-20T00:00:00+00:00", "key_id": "0" * 64,
        "signature": "AA==", "public_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}),
    # funding
    Case("GET", f"{V}/capability-areas", "read_registry", None),
    Case("POST", f"{V}/capability-areas", "manage_taxonomy", None, {"code": "matrix-area", "name": "Matrix"}),
    Case("GET", f"{V}/contributions", "read_contributions", None),
    Case("POST", f"{V}/contributions", "record_contributions", IT,
         {"kind": "pledge", "coalition": IT, "fund": "it-coalition-fund", "donor": "EE", "amount": MONEY,
          "value_date": ON}),
    Case("GET", f"{V}/contributions/1/entries", "read_funding"),
    Case("POST", f"{V}/ledger/entries/1/reversal", "reverse_entry", IT, {"reason": "matrix"}),
    Case("GET", f"{V}/ledger/check", "check_ledger", None),
    Case("POST", f"{V}/imports", "record_contributions", None, query={"filename": "matrix.csv"},
         content=IMPORT_CSV),
    Case("POST", f"{V}/imports/jobs", "record_contributions", None, query={"filename": "matrix.csv"},
         content=IMPORT_CSV),
    Case("GET", f"{V}/jobs", signed_in, None),
    Case("GET", f"{V}/jobs/no-such-job", signed_in, None),
    # webhooks and notifications: a party's own representatives, or the platform's administrators
    Case("GET", f"{V}/webhooks", webhooks_of_ee, None, query={"party": "EE"}),
    Case("POST", f"{V}/webhooks", webhooks_of_ee, None,
         {"party": "EE", "url": "http://127.0.0.1:9/matrix", "events": ["proposal-opened"]}),
    Case("GET", f"{V}/webhooks/{{webhook}}/deliveries", webhooks_of_ee, None),
    Case("POST", f"{V}/webhooks/{{webhook}}/disabling", webhooks_of_ee, None),
    Case("POST", f"{V}/deliveries/999999/resending", signed_in, None),
    Case("GET", f"{V}/notifications", signed_in, None),
    Case("POST", f"{V}/notifications/read", signed_in, None, {}),
    Case("PUT", f"{V}/users/lead/notifications", own_settings_or_admin, None, {"email": "lead@example.org"}),
    Case("POST", f"{V}/fx-rates", "import_rates", None, query={"filename": "eurofxref.csv"}, content=ECB_CSV),
    Case("GET", f"{V}/fx-rates", "read_registry", None),
    Case("GET", f"{V}/reports/funding/{IT}", "read_funding"),
    Case("GET", f"{V}/reports/donors/EE", "read_funding"),
    Case("GET", f"{V}/reports/funding/{IT}/pdf", "read_funding"),
    Case("GET", f"{V}/reports/funding/{IT}/over-time", "read_funding"),
    Case("GET", f"{V}/reports/donors/EE/pdf", "read_funding"),
    # planning
    Case("GET", f"{V}/coalitions/{IT}/requirements", "read_registry"),
    Case("POST", f"{V}/coalitions/{IT}/requirements", "manage_requirements", IT,
         {"code": "MATRIX-R1", "owner": "UA-MOD", "title": "Matrix need", "area": "cybersecurity", "quantity": 1,
          "unit": "set", "unit_cost": MONEY}),
    Case("GET", f"{V}/requirements/CP-KIT-01", "read_registry"),
    Case("POST", f"{V}/requirements/CLOUD-04/status", "manage_requirements", IT, {"status": "cancelled"}),
    Case("POST", f"{V}/coalitions/{IT}/packages", "manage_requirements", IT,
         {"code": "MATRIX-PKG", "title": "Matrix package", "size": MONEY}),
    Case("GET", f"{V}/coalitions/{IT}/priority-lists", "read_registry"),
    Case("POST", f"{V}/coalitions/{IT}/priority-lists", "submit_priorities", IT,
         {"ranks": ["CP-KIT-01"], "submitted_by": "UA-MOD", "on": ON}),
    Case("POST", f"{V}/coalitions/{IT}/priority-lists/2/approval", "approve_priorities", IT,
         {"approved_by": "UA-MOD", "on": ON}),
    Case("GET", f"{V}/coalitions/{IT}/priority-lists/diff", "read_registry", query={"old": 1, "new": 2}),
    Case("GET", f"{V}/coalitions/{IT}/coverage", "read_funding"),
    Case("POST", f"{V}/coalitions/{IT}/allocation-plans", "run_allocation", IT, {}),
    Case("GET", f"{V}/allocation-plans/1", "read_funding"),
    Case("POST", f"{V}/allocation-plans/1/approval", "approve_plan", IT, {}),
    Case("POST", f"{V}/coalitions/{IT}/reservations/release", "release_reservation", IT,
         {"requirement": "CLOUD-04", "reason": "matrix"}),
    Case("POST", f"{V}/allocate", anyone, None,
         {"currency": "EUR", "contributions": [{"id": "c", "amount": "1.00"}],
          "requirements": [{"id": "r", "category": "x", "amount": "1.00"}]}),
    # steering group
    Case("GET", f"{V}/coalitions/{IT}/meetings", "read_registry"),
    Case("POST", f"{V}/coalitions/{IT}/meetings", "manage_meetings", IT,
         {"held_on": ON, "title": "Matrix meeting", "virtual": True}),
    Case("GET", f"{V}/meetings/1", "read_registry"),
    Case("POST", f"{V}/meetings/1/attendance", "manage_meetings", IT, {"party": "LV"}),
    Case("PUT", f"{V}/meetings/1/minutes", "manage_meetings", IT, {"minutes": "Matrix minutes."}),
    Case("POST", f"{V}/coalitions/{IT}/proposals", "open_proposal", IT,
         {"kind": "approve-plan", "title": "Matrix proposal", "payload": {"plan": 1}, "procedure": "written",
          "deadline": "2030-01-01T00:00:00Z"}),
    Case("GET", f"{V}/proposals/1", "read_registry"),
    Case("POST", f"{V}/proposals/{{written}}/votes", own_vote_or_recorder, IT, {"party": "LV", "vote": "for"}),
    Case("POST", f"{V}/proposals/1/closing", "close_proposal", IT),
    Case("GET", f"{V}/coalitions/{IT}/decisions", "read_registry"),
    # procurement and delivery
    Case("GET", f"{V}/coalitions/{IT}/cases", "read_funding"),
    Case("POST", f"{V}/coalitions/{IT}/cases", "manage_procurement", IT,
         {"code": "MATRIX-CASE", "route": "agency", "title": "Matrix case", "requirements": ["CLOUD-04"],
          "buyer": "NSPA", "opened_on": ON}),
    Case("GET", f"{V}/cases/IT-CP-KITS", "read_funding"),
    Case("POST", f"{V}/cases/IT-CP-KITS/route-approval", "approve_procurement", IT, {"on": ON}),
    Case("POST", f"{V}/cases/IT-LT-RADIOS/cancellation", "manage_procurement", IT, {"on": ON, "reason": "matrix"}),
    Case("POST", f"{V}/cases/IT-CP-KITS/closing", "manage_procurement", IT, {"on": ON}),
    Case("GET", f"{V}/coalitions/{IT}/pipeline", "read_funding"),
    Case("GET", f"{V}/coalitions/{IT}/exports/ocds.json", "read_funding"),
    Case("GET", f"{V}/coalitions/{IT}/exports/ocds-records.json", "read_funding", query={"internal": "true"}),
    Case("GET", f"{V}/coalitions/{IT}/deliveries", "read_funding"),
    Case("POST", f"{V}/cases/IT-CP-KITS/tenders", "manage_procurement", IT,
         {"code": "MATRIX-T", "title": "Matrix tender", "procedure": "open", "method": "lowest-price",
          "lots": [{"number": 1, "title": "Lot", "requirement": "CP-KIT-01", "quantity": 1}],
          "published_on": ON, "closes_on": "2026-12-20"}),
    Case("POST", f"{V}/tenders/NSPA-IT-T001/bids", "record_bid", IT,
         {"lot": 1, "supplier": "UA-MOD", "unit_price": MONEY, "delivery_days": 10, "compliant": True,
          "submitted_on": ON}),
    Case("GET", f"{V}/tenders/NSPA-IT-T001/evaluation", "read_funding"),
    Case("POST", f"{V}/tenders/NSPA-IT-T001/awards", "approve_procurement", IT,
         {"lot": 1, "bid": 1, "justification": "matrix", "on": ON}),
    Case("POST", f"{V}/tenders/NSPA-IT-T001/cancellation", "manage_procurement", IT, {"on": ON, "reason": "matrix"}),
    Case("POST", f"{V}/cases/IT-CP-KITS/contracts", "manage_procurement", IT,
         {"code": "MATRIX-C", "signed_on": ON}),
    Case("GET", f"{V}/contracts/NSPA-IT-C001", "read_funding"),
    Case("POST", f"{V}/contracts/NSPA-IT-C001/amendments", "manage_procurement", IT,
         {"on": ON, "reason": "matrix", "lines": [{"number": 1, "requirement": "CP-KIT-01", "quantity": 1,
                                                    "unit_price": MONEY}]}),
    Case("POST", f"{V}/contracts/NSPA-IT-C001/payments", "record_payment", IT, {"amount": MONEY, "paid_on": ON}),
    Case("POST", f"{V}/payments/1/reversal", "record_payment", IT, {"on": ON, "reason": "matrix"}),
    Case("POST", f"{V}/contracts/NSPA-IT-C001/shipments", kits_supplier, IT, {"line": 1, "quantity": 1, "on": ON}),
    Case("POST", f"{V}/shipments/1/events", kits_supplier, IT, {"state": "arrived", "on": ON}),
    Case("POST", f"{V}/shipments/1/receipts", unit_1, IT,
         {"unit": "UA-TU-1", "quantity": 1, "condition": "new", "accepted": True, "received_on": ON,
          "signed_by": "Matrix officer"}),
    Case("POST", f"{V}/receipts/1/end-use-checks", "record_end_use_check", IT,
         {"checked_on": ON, "checked_by": "UA-MOD", "quantity": 1, "finding": "in-use"}),
    # the innovation pipeline
    Case("GET", f"{V}/innovation/calls", "read_innovation", None),
    Case("POST", f"{V}/innovation/calls", "manage_innovation", IT,
         {"code": "matrix-call", "coalition": IT, "title": "Matrix call", "opens_on": ON, "closes_on": ON,
          "rubric": [{"code": "merit", "title": "Merit", "weight": "1"}]}),
    Case("GET", f"{V}/innovation/calls/{CHALLENGE}/scores", "read_reviews", IT),
    Case("POST", f"{V}/innovation/calls/{CHALLENGE}/shortlists", "manage_innovation", IT,
         {"decided_by": "matrix panel", "on": ON, "top": 1}),
    Case("GET", f"{V}/innovation/projects", "read_innovation", None),
    Case("POST", f"{V}/innovation/projects", "manage_innovation", IT,
         {"code": "MATRIX-P", "call": CHALLENGE, "title": "Matrix project", "team": "UA-TEAM-OKO", "domain": "uav",
          "trl": 2}),
    Case("GET", f"{V}/innovation/projects/ITC-VIDEO-EDGE", "read_innovation", IT),
    Case("POST", f"{V}/innovation/projects/ITC-VIDEO-EDGE/evidence", "manage_innovation", IT,
         {"kind": "document", "title": "Matrix", "reference": "doc://matrix", "recorded_on": ON}),
    Case("POST", f"{V}/innovation/projects/ITC-VIDEO-EDGE/conflict-declarations", "review_projects", IT,
         {"conflicted": False}),
    Case("POST", f"{V}/innovation/projects/ITC-VIDEO-EDGE/reviews", "review_projects", IT,
         {"scores": {"impact": 5, "feasibility": 5, "team": 5}}),
    Case("POST", f"{V}/innovation/projects/ITC-VIDEO-EDGE/gates", "manage_innovation", IT,
         {"to": "rejected", "decided_by": "matrix panel", "on": ON}),
    Case("POST", f"{V}/innovation/projects/ITC-SOC-ANALYTICS/procurement", innovation_and_procurement, IT,
         {"case": "IT-SOC-DIRECT", "on": ON}),
    Case("POST", f"{V}/innovation/grants", "manage_innovation", IT,
         {"code": "MATRIX-G", "project": "ITC-MESH-RELAY", "fund": "it-coalition-fund", "amount": MONEY,
          "milestones": [{"title": "All", "amount": MONEY}], "awarded_on": ON, "decided_by": "matrix panel"}),
    Case("POST", f"{V}/innovation/grants/ITC-GRANT-1/payments", "manage_innovation", IT,
         {"milestone": 1, "amount": MONEY, "paid_on": ON}),
    Case("POST", f"{V}/innovation/grants/ITC-GRANT-1/release", "manage_innovation", IT,
         {"reason": "matrix", "on": ON}),
    # PURL packages: in no coalition, so a grant held in any coalition counts
    Case("GET", f"{V}/packages", "read_packages", None),
    Case("POST", f"{V}/packages", "manage_packages", None,
         {"code": "MATRIX-PKG", "title": "Matrix package", "owner": "NATO", "validator": "NATO", "supplier": "US",
          "recipient": "UA", "amount": {"amount": "1000.00", "currency": "USD"}, "proposed_on": ON}),
    Case("GET", f"{V}/packages/PURL-NL-2025-1", "read_packages", None),
    Case("POST", f"{V}/packages/PURL-CA-2025-1/shares", "manage_packages", None,
         {"shares": [{"donor": "CA", "amount": {"amount": "1.00", "currency": "USD"}, "on": ON}]}),
    Case("POST", f"{V}/packages/MATRIX-PKG/validation", "manage_packages", None, {"on": ON}),
    Case("POST", f"{V}/packages/PURL-CA-2025-1/funding", "manage_packages", None, {"on": ON}),
    Case("POST", f"{V}/packages/PURL-NORDIC-2025-1/delivery", "manage_packages", None, {"on": ON}),
    # the news intake's review queue: in no coalition, so a grant held in any coalition counts
    Case("POST", f"{V}/intake/articles", "manage_intake", None,
         {"source": "https://example.org/matrix", "text": "An article of the matrix.", "language": "en"}),
    Case("GET", f"{V}/intake/proposals", "read_intake", None),
    Case("GET", f"{V}/intake/proposals/999", "read_intake", None),
    Case("POST", f"{V}/intake/proposals/999/accept", "manage_intake", None, {}),
    Case("POST", f"{V}/intake/proposals/999/reject", "manage_intake", None, {"reason": "not in the matrix"}),
    # Danish-model offers: the recipient records them, the secretariat answers them
    Case("POST", f"{V}/coalitions/{IT}/offers", "manage_offers", IT,
         {"code": "MATRIX-OFFER", "recipient": "UA-MOD", "donor": "DK", "producer": "UA-UAS-MFR",
          "purpose": "Matrix offer", "amount": MONEY, "offered_on": ON}),
    Case("GET", f"{V}/coalitions/{IT}/offers", "read_offers", IT),
    Case("GET", f"{V}/offers/MATRIX-OFFER", "read_offers", IT),
    Case("POST", f"{V}/offers/MATRIX-OFFER/answers", "answer_offers", IT, {"answer": "open", "on": ON}),
    # national programmes and each owner's gate rules (a programme's roles are platform-wide ones)
    Case("GET", f"{V}/programmes", "read_innovation", None),
    Case("GET", f"{V}/programmes/{PROGRAMME}", "read_innovation", PROGRAMME),
    Case("POST", f"{V}/programmes", "create_programme", None,
         {"code": "matrix-programme", "name": "Matrix programme", "owner": "KZ", "areas": ["data-analytics"],
          "stages": ["idea", "prototype"]}),
    Case("POST", f"{V}/programmes/{PROGRAMME}/gate-rules", "manage_innovation", PROGRAMME,
         {"min_reviews": 2, "shortlist_first": True}),
    Case("GET", f"{V}/coalitions/{IT}/gate-rules", "read_innovation", IT),
    Case("POST", f"{V}/coalitions/{IT}/gate-rules", "manage_innovation", IT,
         {"min_reviews": 2, "shortlist_first": True}),
    # documents follow their record: here a contract
    Case("POST", f"{V}/documents", "manage_procurement", IT, query={**CONTRACT_PAPERS, "filename": "c.pdf"},
         content=PDF),
    Case("GET", f"{V}/documents", contract_papers, IT, query=CONTRACT_PAPERS),
    Case("GET", f"{V}/documents/{{document}}", contract_papers, IT),
    Case("GET", f"{V}/documents/{{document}}/content", contract_papers, IT),
]
# Routes outside the role table: signing in (by password or identity provider) is open to all and
# refuses bad credentials with 401 whoever asks; they have tests of their own.
OUTSIDE = {("POST", f"{V}/auth/login"), ("GET", f"{V}/auth/oidc/login"), ("GET", f"{V}/auth/oidc/callback")}
ROLES = ["public", *ROLE_USERS]


def _matches(template: str, path: str) -> bool:
    a, b = template.split("/"), path.split("/")
    return len(a) == len(b) and all(x == y or x.startswith("{") for x, y in zip(a, b, strict=True))


def test_the_table_covers_every_route_of_the_api(world: Served):
    documented = {(method.upper(), path) for path, operations in world.client.get(f"{V}/openapi.json").json()[
        "paths"].items() for method in operations}
    for case in TABLE:
        found = [d for d in documented if d[0] == case.method and _matches(d[1], case.path)]
        assert len(found) == 1, f"{case.method} {case.path} matches {found}"
    covered = {d for d in documented for c in TABLE if d[0] == c.method and _matches(d[1], c.path)}
    assert documented - covered == OUTSIDE


@pytest.fixture(scope="module")
def prepared(world: Served) -> dict[str, str]:
    """Objects some rows act on: a spare user, a token of the secretariat's, an open written proposal."""
    admin = world.as_role("platform-admin")
    assert world.client.post(f"{V}/users", headers=admin, json={
        "username": "spare-user", "password": "spare user passphrase"}).status_code == 201
    spare = world.client.post(f"{V}/auth/tokens", headers=world.as_role("secretariat"),
                              json={"name": "spare", "scopes": ["read"]}).json()["details"]["id"]
    written = world.client.post(f"{V}/coalitions/{IT}/proposals", headers=admin, json={
        "kind": "approve-plan", "title": "Vote in the matrix", "payload": {"plan": 1}, "procedure": "written",
        "deadline": "2030-01-01T00:00:00Z"})
    assert written.status_code == 201, written.text
    document = world.client.post(f"{V}/documents", headers=admin, content=PDF,
                                 params={**CONTRACT_PAPERS, "filename": "contract.pdf"})
    assert document.status_code == 201, document.text
    webhook = world.client.post(f"{V}/webhooks", headers=admin, json={
        "party": "EE", "url": "http://127.0.0.1:9/matrix", "events": ["decision-taken"]})
    assert webhook.status_code == 201, webhook.text
    return {"spare": spare, "written": str(written.json()["id"]), "document": str(document.json()["id"]),
            "webhook": str(webhook.json()["subscription"]["id"])}


def _actor(world: Served, role: str) -> Actor:
    if role == "public":
        return Actor(user="anonymous")
    party, grants = ROLE_USERS[role]
    return Actor(user=role, party=party, grants=grants)


@pytest.mark.parametrize("case", TABLE, ids=[f"{c.method} {c.path}" for c in TABLE])
def test_each_role_is_allowed_or_refused_as_the_table_says(world: Served, prepared: dict[str, str], case: Case):
    path = case.path.format(**prepared)
    wrong = []
    for role in ROLES:
        actor = _actor(world, role)
        expected = case.rule(role, actor) if callable(case.rule) else bool(can(actor, case.rule, case.coalition))
        response = world.client.request(case.method, path, headers=world.as_role(role), json=case.body,
                                        params=case.query, content=case.content)
        refused = response.status_code in (401, 403)
        if refused == expected:
            wrong.append(f"{role}: {response.status_code} {response.text[:160]}")
        elif refused:
            assert response.status_code == (401 if role == "public" else 403), response.text
            assert set(response.json()) == {"code", "message", "field"}
    assert not wrong, f"{case.method} {path} ({case.rule if isinstance(case.rule, str) else case.rule.__name__}):\n" \
                      + "\n".join(wrong)
