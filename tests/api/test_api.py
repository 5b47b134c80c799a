"""The API as its clients meet it: signing in, tokens, masking, idempotent writes, limits, concurrent writers.

Tests that store something run on SQLite and PostgreSQL (the ``served`` fixture).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.entrypoints.api.app import create_app
from coalition.entrypoints.cli.app import main
from tests.api.conftest import IT, PASSWORD, Served, live_server

V = "/api/v1"
ON = "2026-11-20"


def _pledge(ref: str, **extra: object) -> dict[str, object]:
    return {"kind": "pledge", "coalition": IT, "fund": "it-coalition-fund", "donor": "LV",
            "amount": {"amount": "250000.00", "currency": "EUR"}, "value_date": ON, "external_ref": ref, **extra}


# --- signing in ------------------------------------------------------------------------------------------------


def test_a_browser_session_signs_in_and_changes_need_its_csrf_token(served: Served):
    client = served.client
    wrong = client.post(f"{V}/auth/login", json={"username": "secretariat", "password": "not the password"})
    assert wrong.status_code == 401
    assert wrong.json() == {"code": "unauthenticated", "message": "the user name or password is not valid",
                            "field": "password"}
    signed = client.post(f"{V}/auth/login", json={"username": "secretariat", "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    session = signed.json()
    assert session["roles"] == [f"secretariat@{IT}"] and session["csrf_token"]
    assert "coalition_session" in signed.headers["set-cookie"]
    assert "httponly" in signed.headers["set-cookie"].lower()
    assert client.get(f"{V}/reports/funding/{IT}").status_code == 200
    refused = client.post(f"{V}/contributions", json=_pledge("CSRF-1"))
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    accepted = client.post(f"{V}/contributions", json=_pledge("CSRF-1"),
                           headers={"X-CSRF-Token": session["csrf_token"]})
    assert accepted.status_code == 201, accepted.text
    assert client.post(f"{V}/auth/logout", headers={"X-CSRF-Token": session["csrf_token"]}).status_code == 204
    assert client.get(f"{V}/reports/funding/{IT}").status_code == 401


def test_tokens_are_scoped_expire_and_can_be_revoked(served: Served):
    client, admin = served.client, served.as_role("platform-admin")
    made = client.post(f"{V}/auth/tokens", headers=admin, json={"name": "reader", "scopes": ["read"], "days": 1,
                                                                  "username": "auditor"})
    assert made.status_code == 201, made.text
    reader = {"Authorization": f"Bearer {made.json()['token']}"}
    assert client.get(f"{V}/ledger/check", headers=reader).status_code == 200
    write = client.post(f"{V}/contributions", headers=reader, json=_pledge("SCOPE-1"))
    assert write.status_code == 403 and "scoped to read" in write.json()["message"]
    served.platform.clock.now += timedelta(days=2)  # type: ignore[attr-defined]
    expired = client.get(f"{V}/ledger/check", headers=reader)
    assert expired.status_code == 401 and "expired" in expired.json()["message"]
    own = client.post(f"{V}/auth/tokens", headers=served.as_role("auditor"),
                      json={"name": "mine", "scopes": ["read", "write"]})
    mine = {"Authorization": f"Bearer {own.json()['token']}"}
    assert client.get(f"{V}/ledger/check", headers=mine).status_code == 200
    assert client.delete(f"{V}/auth/tokens/{own.json()['details']['id']}", headers=mine).status_code == 200
    revoked = client.get(f"{V}/ledger/check", headers=mine)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["message"]
    forged = client.get(f"{V}/ledger/check", headers={"Authorization": own.json()["token"][:-2] + "xx"})
    assert forged.status_code == 401


def test_disabling_a_user_stops_its_tokens_at_once(served: Served):
    client = served.client
    assert client.get(f"{V}/ledger/check", headers=served.as_role("auditor")).status_code == 200
    assert client.put(f"{V}/users/auditor/active", headers=served.as_role("platform-admin"),
                      json={"active": False}).status_code == 200
    assert client.get(f"{V}/ledger/check", headers=served.as_role("auditor")).status_code == 401


def test_sign_in_attempts_are_rate_limited(tmp_path):
    platform = Platform(Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", data_dir=tmp_path,
                                 login_attempts_per_minute=3))
    platform.init_database()
    client = TestClient(create_app(platform))
    codes = [client.post(f"{V}/auth/login", json={"username": "nobody", "password": "x"}).status_code
             for _ in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    limited = client.post(f"{V}/auth/login", json={"username": "nobody", "password": "x"})
    assert int(limited.headers["retry-after"]) >= 1 and limited.json()["code"] == "too_many_requests"


def test_the_server_refuses_to_start_in_production_without_a_secret(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("COALITION_ENV", "production")
    monkeypatch.setenv("COALITION_DATA_DIR", str(tmp_path))
    for secret in (None, "", "change-me"):
        if secret is None:
            monkeypatch.delenv("COALITION_SECRET_KEY", raising=False)
        else:
            monkeypatch.setenv("COALITION_SECRET_KEY", secret)
        with pytest.raises(SystemExit) as stopped:
            main(["serve"])
        assert stopped.value.code == 2
        assert "COALITION_SECRET_KEY is missing, empty or a known default" in capsys.readouterr().err


@pytest.mark.parametrize(("secret", "says"), [
    ("abcde", "has 5 bytes, fewer than 32"),
    ("x" * 40, "repeats a shorter text"),
    ("development" * 4, "repeats a shorter text"),
    ("correct horse battery staple", "has 28 bytes, fewer than 32"),
    ("aabbccddeeffgghhaabbccddeeffgghhabcdefgh", "has only 8 different characters"),
])
def test_production_refuses_a_weak_secret_and_says_how_to_make_one(monkeypatch, capsys, tmp_path, secret, says):
    monkeypatch.setenv("COALITION_ENV", "production")
    monkeypatch.setenv("COALITION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COALITION_SECRET_KEY", secret)
    with pytest.raises(SystemExit) as stopped:
        main(["serve"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"COALITION_SECRET_KEY {says}" in err
    assert "python -c 'import secrets; print(secrets.token_urlsafe(32))'" in err
    assert len(err.strip().splitlines()) == 1 and secret not in err


# Made by secrets.token_urlsafe(32) and secrets.token_hex(32) (a hex key has at most 16 different characters).
@pytest.mark.parametrize("secret", ["HvAvxCijLdKGtsu1R0uZz9J16Moy5OLSYGEJ0oZocfQ",
                                    "c61ea2d5257f4146b3412a2c347ce964c7a3b30f8352a0f5cf66aefadfc5f5c6"])
def test_production_takes_a_random_secret_of_32_bytes(tmp_path, secret):
    settings = Settings(env="production", secret_key=secret, data_dir=tmp_path)
    assert settings.secret_key == secret


# --- masking ----------------------------------------------------------------------------------------------------


def test_a_list_pages_on_by_cursor_as_by_offset(served: Served):
    client, headers = served.client, served.as_role("secretariat")
    whole = client.get(f"{V}/contributions", headers=headers, params={"coalition": IT, "limit": 12}).json()
    first = client.get(f"{V}/contributions", headers=headers, params={"coalition": IT, "limit": 5}).json()
    after = client.get(f"{V}/contributions", headers=headers,
                       params={"coalition": IT, "limit": 7, "after": first["items"][-1]["id"]}).json()
    assert [i["id"] for i in first["items"] + after["items"]] == [i["id"] for i in whole["items"]]
    assert after["total"] == whole["total"]
    refused = client.get(f"{V}/contributions", headers=headers, params={"after": -1})
    assert refused.status_code == 422 and refused.json()["field"] == "after"


def test_a_restricted_pledge_is_seen_by_its_donor_and_masked_for_other_members_and_the_public(served: Served):
    client = served.client
    recorded = client.post(f"{V}/contributions", headers=served.as_role("secretariat"), json=_pledge(
        "LV-SECRET", visibility="restricted", restricted_to=["LU"], earmark="areas:cybersecurity"))
    assert recorded.status_code == 201, recorded.text
    pledge_id = recorded.json()["id"]

    def seen_by(role: str) -> dict[str, object]:
        page = client.get(f"{V}/contributions", headers=served.as_role(role),
                          params={"coalition": IT, "kind": "pledge", "limit": 500}).json()
        return next(item for item in page["items"] if item["id"] == pledge_id)

    def listed_under_lv(role: str) -> bool:
        page = client.get(f"{V}/contributions", headers=served.as_role(role),
                          params={"donor": "LV", "kind": "pledge", "limit": 500}).json()
        return any(item["id"] == pledge_id for item in page["items"])

    donor = seen_by("member-representative")  # LV's own desk
    assert donor["masked"] is False
    assert donor["amount"] == {"amount": "250000.00", "currency": "EUR"} and donor["external_ref"] == "LV-SECRET"
    for role in ("lead", "observer-representative", "public"):  # EE's desk, NATO's, anyone
        other = seen_by(role)
        assert other["masked"] is True, role
        assert other["donor"] is None and other["amount"] is None and other["earmark"] is None, role
        assert other["external_ref"] is None and other["restricted_to"] is None, role
        assert other["kind"] == "pledge" and other["visibility"] == "restricted"
    assert seen_by("secretariat")["amount"] is not None  # the secretariat handles every euro
    # Listed under its donor, even a masked record would say who gave it: others do not find it there.
    assert listed_under_lv("member-representative") and listed_under_lv("secretariat")
    assert not any(listed_under_lv(role) for role in ("lead", "observer-representative", "public"))

    entries = client.get(f"{V}/contributions/{pledge_id}/entries", headers=served.as_role("lead"))
    assert entries.status_code == 403 and "restricted" in entries.json()["message"]
    report = client.get(f"{V}/reports/funding/{IT}", headers=served.as_role("lead")).json()
    assert "LV" not in {line["donor"] for line in report["lines"]}
    assert "(restricted)" in {line["donor"] for line in report["lines"]}
    # The restricted lines say nothing of what the money is for either.
    assert {line["earmark"] for line in report["lines"] if line["donor"] == "(restricted)"} == {"(restricted)"}
    assert "LV" in {line["donor"] for line in client.get(f"{V}/reports/funding/{IT}", headers=served.as_role(
        "member-representative")).json()["lines"]}
    statement = client.get(f"{V}/reports/donors/LV", headers=served.as_role("lead")).json()
    assert statement["masked"] is True and statement["coalitions"] == {} and statement["procurement"] == []
    # A donor's statement lists only what the viewer may see: not even that a restricted record exists.
    assert statement["contributions"] and not any(item["masked"] for item in statement["contributions"])
    assert pledge_id not in {item["id"] for item in statement["contributions"]}


def test_a_declassification_date_opens_a_restricted_record(served: Served):
    client = served.client
    recorded = client.post(f"{V}/contributions", headers=served.as_role("secretariat"), json=_pledge(
        "LV-DECLASSIFIED", visibility="restricted", restricted_to=["LU"], declassify_on="2026-11-01"))
    assert recorded.status_code == 201, recorded.text
    page = client.get(f"{V}/contributions", params={"donor": "LV", "limit": 500}).json()
    shown = next(item for item in page["items"] if item["id"] == recorded.json()["id"])
    assert shown["masked"] is False and shown["amount"]["amount"] == "250000.00"


# --- idempotency, errors, limits, headers ---------------------------------------------------------------------


def test_an_idempotency_key_makes_a_retried_write_happen_once(served: Served):
    client, secretariat = served.client, served.as_role("secretariat")
    headers = {**secretariat, "Idempotency-Key": "receipt-2026-11-20-0001"}
    receipt = {**_pledge("LV-R-IDEM"), "kind": "receipt"}
    first = client.post(f"{V}/contributions", headers=headers, json=receipt)
    again = client.post(f"{V}/contributions", headers=headers, json=receipt)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers["idempotent-replayed"] == "true"
    listed = client.get(f"{V}/contributions", headers=secretariat, params={"donor": "LV", "kind": "receipt",
                                                                           "limit": 500}).json()
    assert [i["external_ref"] for i in listed["items"]].count("LV-R-IDEM") == 1
    other = client.post(f"{V}/contributions", headers=headers, json={**receipt, "external_ref": "LV-R-OTHER"})
    assert other.status_code == 409 and other.json()["field"] == "Idempotency-Key"
    failed_key = {**secretariat, "Idempotency-Key": "receipt-2026-11-20-0002"}
    bad = client.post(f"{V}/contributions", headers=failed_key, json={**receipt, "fund": "no-such-fund"})
    assert bad.status_code == 404
    retried = client.post(f"{V}/contributions", headers=failed_key, json={**receipt, "external_ref": "LV-R-RETRY"})
    assert retried.status_code == 201, "a failed request releases its key for the retry"


def test_bad_input_names_the_field_and_writes_nothing(served: Served):
    client, secretariat = served.client, served.as_role("secretariat")
    before = client.get(f"{V}/contributions", headers=secretariat).json()["total"]
    number = client.post(f"{V}/contributions", headers=secretariat,
                         json={**_pledge("BAD-1"), "amount": {"amount": 250000.0, "currency": "EUR"}})
    assert number.status_code == 422 and number.json()["field"] == "amount.amount"
    assert "decimal strings" in number.json()["message"]
    pattern = client.post(f"{V}/contributions", headers=secretariat,
                          json={**_pledge("BAD-2"), "amount": {"amount": "1e5", "currency": "EUR"}})
    assert pattern.status_code == 422 and pattern.json()["field"] == "amount.amount"
    unknown = client.post(f"{V}/contributions", headers=secretariat, json={**_pledge("BAD-3"), "amonut": "1"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "amonut"
    currency = client.post(f"{V}/contributions", headers=secretariat,
                           json={**_pledge("BAD-4"), "amount": {"amount": "1.00", "currency": "XYZ"}})
    assert currency.status_code == 422 and set(currency.json()) == {"code", "message", "field"}
    assert client.get(f"{V}/contributions", headers=secretariat).json()["total"] == before
    assert client.get(f"{V}/no-such-path").json() == {"code": "not_found", "message": "no such path in the API",
                                                        "field": None}


def test_every_response_carries_security_headers_and_a_request_id(world: Served):
    response = world.client.get(f"{V}/coalitions", headers={"X-Request-ID": "client-chosen-42"})
    assert response.headers["x-request-id"] == "client-chosen-42"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert len(world.client.get(f"{V}/coalitions").headers["x-request-id"]) == 32


def test_a_body_over_the_limit_is_refused_before_it_is_read(world: Served):
    response = world.client.post(f"{V}/parties", headers=world.as_role("platform-admin"),
                                 content=b"{" + b" " * 2_000_000 + b"}", )
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_a_streamed_body_is_cut_off_at_the_limit(world: Served):
    chunks = iter([b'{"code": "' + b"x" * 700_000, b"y" * 700_000 + b'"}'])  # no Content-Length: chunked
    response = world.client.post(f"{V}/parties", headers={**world.as_role("platform-admin"),
                                                           "Content-Type": "application/json"}, content=chunks)
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_the_audit_log_names_the_api_user_and_the_request(served: Served):
    created = served.client.post(f"{V}/contributions", headers={**served.as_role("secretariat"),
                                                                 "X-Request-ID": "audit-trace-1"},
                                 json=_pledge("AUDIT-1"))
    assert created.status_code == 201
    log = served.client.get(f"{V}/audit", headers=served.as_role("auditor"), params={"after": 0, "limit": 500})
    total = log.json()["total"]
    last = served.client.get(f"{V}/audit", headers=served.as_role("auditor"),
                             params={"after": total - 1, "limit": 1}).json()["items"][0]
    assert last["action"] == "record_pledge"
    assert last["actor"]["user"] == "secretariat" and last["actor"]["request"] == "audit-trace-1"
    assert served.client.get(f"{V}/audit/verification", headers=served.as_role("auditor")).json()["broken_seq"] is None


def test_the_documentation_page_needs_nothing_from_outside(world: Served):
    page = world.client.get("/api/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    for asset in ("/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css",
                  "/static/swagger-ui/init.js", "/static/swagger-ui/LICENSE"):
        assert world.client.get(asset).status_code == 200, asset
    money = world.client.get(f"{V}/openapi.json").json()["components"]["schemas"]["Money"]
    assert money["properties"]["amount"] == {"title": "Amount", "type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}


# --- many writers at once ---------------------------------------------------------------------------------------


def test_fifty_receipts_posted_at_once_are_all_stored(served: Served):
    """Receipts posted at once are written in groups, one transaction each; every receipt keeps its own audit
    record and its own answer."""
    headers = served.as_role("secretariat")
    audited = served.client.get(f"{V}/audit/verification", headers=served.as_role("auditor")).json()["checked"]
    with live_server(served.platform) as base, httpx.Client(base_url=base, headers=headers, timeout=60,
                                                            limits=httpx.Limits(max_connections=50)) as client:
        def post(n: int) -> tuple[int, str, str]:
            body = {**_pledge(f"LV-RCPT-{n:03}"), "kind": "receipt", "amount": {"amount": f"{1000 + n}.00",
                                                                                 "currency": "EUR"}}
            answer = client.post(f"{V}/contributions", json=body)
            return answer.status_code, answer.json()["external_ref"], answer.json()["amount"]["amount"]

        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(post, range(50)))
        assert answers == [(201, f"LV-RCPT-{n:03}", f"{1000 + n}.00") for n in range(50)]
        stored = client.get(f"{V}/contributions", params={"donor": "LV", "kind": "receipt", "limit": 500}).json()
        refs = {i["external_ref"] for i in stored["items"]}
        assert {f"LV-RCPT-{n:03}" for n in range(50)} <= refs
        assert client.get(f"{V}/ledger/check", headers=served.as_role("auditor")).json()["problems"] == []
        chain = client.get(f"{V}/audit/verification", headers=served.as_role("auditor")).json()
        assert chain["checked"] == audited + 50 and chain["broken_seq"] is None


def test_receipts_at_once_that_open_the_same_new_accounts_are_all_stored(served: Served):
    """Each earmark below is new to the ledger: the first writers of each create its accounts at the same time."""
    headers = served.as_role("secretariat")
    earmarks = [f"requirement:{code}" for code in ("CP-KIT-01", "CP-RADIO-02", "CYBER-SOC-03", "CLOUD-04", "SW-06")]
    before = served.client.get(f"{V}/ledger/check", headers=served.as_role("auditor")).json()["accounts"]
    with live_server(served.platform) as base, httpx.Client(base_url=base, headers=headers, timeout=60,
                                                            limits=httpx.Limits(max_connections=40)) as client:
        def post(n: int) -> int:
            body = {**_pledge(f"LV-NEW-{n:03}"), "kind": "receipt", "earmark": earmarks[n % len(earmarks)],
                    "amount": {"amount": f"{100 + n}.00", "currency": "EUR"}}
            return client.post(f"{V}/contributions", json=body).status_code

        with ThreadPoolExecutor(max_workers=40) as pool:
            codes = list(pool.map(post, range(40)))
        assert codes == [201] * 40
        check = client.get(f"{V}/ledger/check", headers=served.as_role("auditor")).json()
        assert check["problems"] == [] and check["discrepancies"] == []
        assert check["accounts"] == before + 2 * len(earmarks)  # two new accounts per earmark, once each


def test_two_approvals_racing_for_the_same_money_reserve_it_once(served: Served):
    admin = served.as_role("platform-admin")
    c = served.client

    def ok(response: httpx.Response) -> dict[str, object]:
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]

    ok(c.post(f"{V}/coalitions", headers=admin, json={
        "code": "race", "name": "Race coalition", "capability_area": "tests", "framework": "tests",
        "recipient": "UA", "founded_on": "2026-01-01", "founded_at": "a test",
        "rules": {"secretariat_may_approve": True}}))
    ok(c.post(f"{V}/coalitions/race/funds", headers=admin, json={
        "code": "race-fund", "name": "Race fund", "custodian": "NSPA", "currency": "EUR"}))
    for code in ("RACE-1", "RACE-2"):
        ok(c.post(f"{V}/coalitions/race/requirements", headers=admin, json={
            "code": code, "owner": "UA-MOD", "title": f"Need {code}", "area": "cybersecurity", "quantity": 1,
            "unit": "lot", "unit_cost": {"amount": "100000.00", "currency": "EUR"}}))
        for status in ("submitted", "validated"):
            ok(c.post(f"{V}/requirements/{code}/status", headers=admin, json={"status": status}))
    ok(c.post(f"{V}/coalitions/race/priority-lists", headers=admin, json={
        "ranks": ["RACE-1", "RACE-2"], "submitted_by": "UA-MOD", "on": ON}))
    ok(c.post(f"{V}/coalitions/race/priority-lists/1/approval", headers=admin, json={"approved_by": "UA-MOD",
                                                                                       "on": ON}))
    ok(c.post(f"{V}/contributions", headers=admin, json={
        "kind": "receipt", "coalition": "race", "fund": "race-fund", "donor": "EE",
        "amount": {"amount": "100000.00", "currency": "EUR"}, "value_date": ON}))
    plan = ok(c.post(f"{V}/coalitions/race/allocation-plans", headers=admin, json={}))["id"]

    with live_server(served.platform) as base, httpx.Client(base_url=base, headers=admin, timeout=60) as client:
        with ThreadPoolExecutor(max_workers=2) as pool:
            responses = list(pool.map(lambda _: client.post(f"{V}/allocation-plans/{plan}/approval", json={}),
                                      range(2)))
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 409], [r.text for r in responses]
        loser = next(r for r in responses if r.status_code == 409).json()
        assert loser == {"code": "conflict", "field": "plan",
                         "message": f"plan {plan} is approved; only a proposed plan can be approved"}
        coverage = client.get(f"{V}/coalitions/race/coverage").json()
        assert sum(Decimal(r["reserved"]["amount"]) for r in coverage["ranks"]) == Decimal("100000.00")
        assert client.get(f"{V}/ledger/check").json()["problems"] == []


def test_a_heavy_read_is_answered_from_the_cache_until_a_write_through_the_server(world: Served):
    secretariat = world.as_role("secretariat")
    path = f"{V}/reports/funding/{IT}"
    first = world.client.get(path, headers=secretariat).json()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(world.platform.engine, "before_cursor_execute", count)
    try:
        assert world.client.get(path, headers=secretariat).json() == first
        assert statements == [], "a repeated read asks the database nothing"
    finally:
        sa.event.remove(world.platform.engine, "before_cursor_execute", count)
    received = {"kind": "receipt", "coalition": IT, "fund": "it-coalition-fund", "donor": "LV",
                "amount": {"amount": "1000.00", "currency": "EUR"}, "value_date": ON}
    assert world.client.post(f"{V}/contributions", headers=secretariat, json=received).status_code == 201
    after = world.client.get(path, headers=secretariat).json()
    assert after["totals"]["received"] != first["totals"]["received"], "a write empties the cache at once"
    assert world.client.get(path).status_code == 401, "the cache never answers a viewer it was not filled for"


def test_a_reservation_whose_money_moved_on_is_not_reversed_over_http(world: Served):
    """The attack of the demo world: reversing the entry that reserved money for a requirement, part of it since
    contracted and paid, would give the fund back money already spent."""
    client, secretariat = world.client, world.as_role("secretariat")
    with world.platform.uow(read_only=True) as uow:
        moved = {e.credit for e in uow.ledger.entries() if e.kind.value == "contract"}
        reservation = next(e for e in uow.ledger.entries() if e.kind.value == "reservation" and e.debit in moved)
    refused = client.post(f"{V}/ledger/entries/{reservation.id}/reversal", headers=secretariat,
                          json={"reason": "wrong plan", "on": ON})
    assert refused.status_code == 409 and refused.json()["field"] == "entry"
    assert "moved on in entries" in refused.json()["message"]
    future = client.post(f"{V}/ledger/entries/{reservation.id}/reversal", headers=secretariat,
                         json={"reason": "wrong plan", "on": "8513-01-01"})
    assert future.status_code == 409 and "in the future" in future.json()["message"]
    check = client.get(f"{V}/ledger/check", headers=secretariat).json()
    assert check["problems"] == [] and check["discrepancies"] == [], check


def test_the_reports_are_asked_as_of_a_day_with_on(served: Served):
    client, headers = served.client, served.as_role("secretariat")
    then = client.get(f"{V}/reports/funding/{IT}?on=2024-03-06", headers=headers)
    assert then.status_code == 200 and then.json()["on"] == "2024-03-06"
    now = client.get(f"{V}/reports/funding/{IT}", headers=headers).json()
    assert now["on"] is None and now["totals"] != then.json()["totals"]
    coverage = client.get(f"{V}/coalitions/{IT}/coverage?on=2024-03-06", headers=headers).json()
    assert coverage["on"] == "2024-03-06" and coverage["affordable"] >= 2
    statement = client.get(f"{V}/reports/donors/EE?on=2024-01-01", headers=headers).json()
    assert statement["contributions"] == []
    for path in (f"{V}/coalitions/{IT}/pipeline?on=2024-03-06", f"{V}/coalitions/{IT}/deliveries?on=2024-03-06"):
        assert client.get(path, headers=headers).status_code == 200, path
    bad = client.get(f"{V}/reports/funding/{IT}?on=6-3-2024", headers=headers)
    assert bad.status_code == 422 and "on" in bad.text
    future = client.get(f"{V}/reports/funding/{IT}?on=2999-01-01", headers=headers)
    assert future.status_code == 422 and "in the future" in future.json()["message"]
