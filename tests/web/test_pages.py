"""The pages on both databases, without a browser: each role sees what it may, forms need the session's
CSRF token, bad input is refused with the field and the rule and writes nothing, languages switch."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from coalition.adapters import tables as t
from coalition.bootstrap import Platform
from coalition.demo.users import DEMO_PASSWORD
from coalition.domain.access import Grant, Role
from coalition.domain.delivery import ShipmentState
from coalition.domain.identity import User
from coalition.entrypoints.api.app import create_app
from coalition.entrypoints.jobs import JobRunner
from coalition.services import delivery, funding, identity
from coalition.services.views import delivery as delivery_views
from tests.demo_copies import give_demo_world
from tests.integration.helpers import allow_secretariat_approval, dump

IT = "/coalitions/it-coalition"


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    platform.settings = platform.settings.model_copy(update={"login_attempts_per_minute": 10_000})
    give_demo_world(platform, procurement=False, users=True)
    with TestClient(create_app(platform)) as client:
        yield client


def csrf(client: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, username: str) -> str:
    token = csrf(client)
    answer = client.post("/login", data={"csrf_token": token, "username": username, "password": DEMO_PASSWORD},
                         follow_redirects=False)
    assert answer.status_code == 303
    return csrf(client, "/")


def receipts(platform: Platform) -> int:
    return funding.list_contributions(platform.uow(), platform.operator(), coalition="it-coalition").total


def test_every_page_answers_for_the_secretariat_and_the_public_is_refused_what_is_not_public(
        client: TestClient) -> None:
    public = {f"{IT}": 200, f"{IT}/priorities": 200, f"{IT}/steering": 200, f"{IT}/ledger": 200, "/": 200,
              f"{IT}/plans": 401, "/donors/EE": 401, "/audit": 401, f"{IT}/procurement": 200}
    for path, status in public.items():
        assert client.get(path).status_code == status, path
    sign_in(client, "secretariat")
    for path in (IT, f"{IT}/priorities", f"{IT}/plans", "/donors/EE", f"{IT}/steering", f"{IT}/procurement",
                 f"{IT}/ledger"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["cache-control"] == "no-store" and "server-timing" in page.headers
    assert client.get("/audit").status_code == 403


def test_a_restricted_pledge_is_masked_on_the_page_for_another_member_and_shown_to_its_donor(
        client: TestClient, platform: Platform) -> None:
    sign_in(client, "lv-desk")
    masked = client.get(f"{IT}/ledger?kind=pledge").text
    assert 'class="masked"' in masked and "NL-" not in masked
    client.cookies.clear()
    sign_in(client, "secretariat")
    shown = client.get(f"{IT}/ledger?kind=pledge").text
    assert 'class="masked"' not in shown


def test_a_donors_page_shows_another_member_none_of_its_restricted_records(client: TestClient) -> None:
    sign_in(client, "lv-desk")
    page = client.get("/donors/NL").text
    assert 'class="masked"' not in page and "NL-P1" not in page and "NL-R1" not in page
    assert "are restricted: they are counted but not shown to you" in page


def test_a_form_without_the_sessions_token_is_refused_and_writes_nothing(client: TestClient,
                                                                        platform: Platform) -> None:
    sign_in(client, "secretariat")
    before = receipts(platform)
    form = {"donor": "EE", "fund": "it-coalition-fund", "amount": "1000.00", "currency": "EUR",
            "value_date": "2026-11-20", "earmark": "none"}
    refused = client.post(f"{IT}/receipts", data={**form, "csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403 and "reload the page" in refused.text
    assert receipts(platform) == before


def test_bad_input_names_the_field_and_the_rule_and_writes_nothing(client: TestClient,
                                                                  platform: Platform) -> None:
    token = sign_in(client, "secretariat")
    before = receipts(platform)
    form = {"csrf_token": token, "donor": "EE", "fund": "it-coalition-fund", "currency": "EUR",
            "value_date": "2026-11-20", "earmark": "none"}
    for amount, words in (("12.345", "amount"), ("-5", "amount"), ("ten", "amount")):
        answer = client.post(f"{IT}/receipts", data={**form, "amount": amount})
        refusal = re.search(r'class="flash error"[^>]*>(.*?)<', answer.text)
        assert answer.status_code == 200 and refusal is not None and words in refusal.group(1)
    answer = client.post(f"{IT}/receipts", data={**form, "amount": "10.00", "value_date": "20/11/2026"})
    assert "value_date" in answer.text
    assert receipts(platform) == before
    recorded = client.post(f"{IT}/receipts", data={**form, "amount": "10.00"})
    assert "Receipt" in recorded.text and receipts(platform) == before + 1


def test_out_of_range_ids_control_characters_and_overlong_text_are_refused_on_the_pages(
        client: TestClient, platform: Platform) -> None:
    """The pages read ids, codes and text by the same rules as the API, on both databases: 422, never 500."""
    token = sign_in(client, "secretariat")
    for path in ("/plans/99999999999999999999", "/proposals/0", "/coalitions/it%00coalition",
                 f"{IT}/priorities?version=1.5", f"{IT}/ledger?after=-1", "/audit?before=%2B5",
                 "/audit?since=2026-13-01"):
        assert client.get(path).status_code == 422, path
    before = dump(platform.engine)
    form = {"csrf_token": token, "donor": "EE", "fund": "it-coalition-fund", "currency": "EUR", "amount": "10.00",
            "value_date": "2026-11-20", "earmark": "none"}
    for field, value, words in (("external_ref", "REF\x00", "external_ref: must not hold control characters"),
                                ("external_ref", "R" * 101, "external_ref: must be at most 100 characters"),
                                ("fund", "it-coalition-fund\x00", "fund:"),
                                ("amount", "99999999999999999999999999.00", "more than 13 digits")):
        answer = client.post(f"{IT}/receipts", data={**form, field: value})
        refusal = re.search(r'class="flash error"[^>]*>(.*?)<', answer.text)
        assert refusal is not None and words in refusal.group(1), (field, answer.text[:300])
    assert dump(platform.engine) == before


def test_the_language_is_remembered_for_the_user_and_numbers_follow_it(client: TestClient) -> None:
    token = sign_in(client, "ee-desk")
    assert 'lang="en"' in client.get(IT).text
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": IT})
    page = client.get(IT).text
    assert 'lang="uk"' in page and "Естонія" in page and re.search(r"\d{1,3}(\u00a0\d{3})+,\d{2}", page)
    client.cookies.clear()
    sign_in(client, "ee-desk")
    assert 'lang="uk"' in client.get(IT).text
    refused = client.post("/language", data={"csrf_token": csrf(client, "/"), "language": "fr"})
    assert refused.status_code == 422 and "language" in refused.text


def test_a_bulk_import_with_errors_reports_every_row_and_imports_nothing(client: TestClient,
                                                                        platform: Platform) -> None:
    token = sign_in(client, "secretariat")
    before = receipts(platform)
    rows = ("kind,donor,coalition,fund,amount,currency,value_date,earmark,visibility,external_ref\n"
            "receipt,EE,it-coalition,it-coalition-fund,100.00,EUR,2026-11-01,none,public,WEB-1\n"
            "receipt,XX,it-coalition,it-coalition-fund,1.001,EUR,2026-11-01,none,public,WEB-2\n")
    started = client.post("/imports", data={"csrf_token": token}, files={"file": ("bad.csv", rows, "text/csv")},
                          headers={"HX-Request": "true"})
    # Queued or running (200), or already refused whole (422) if the job finished before the page was drawn.
    assert started.status_code in (200, 422)
    job = re.search(r'hx-get="/imports/([^"]+)"', started.text)
    job_id = job.group(1) if job else re.search(r'href="/imports/([^"/]+)/errors.csv"', started.text).group(1)
    text = started.text
    if not platform.jobs_in_process:  # PostgreSQL: `coalition worker` runs the jobs, not the server
        assert "queued" in text
        assert JobRunner(platform).run_one() is not None
    for _ in range(400):
        if job is None:
            break
        text = client.get(f"/imports/{job.group(1)}").text
        job = re.search(r'hx-get="/imports/([^"]+)"', text)
        time.sleep(0.02)
    assert "nothing was imported" in text and "<td>donor</td>" in text and "<td>amount</td>" in text
    assert "Errors by column and rule" in text
    report = client.get(f"/imports/{job_id}/errors.csv")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    lines = report.text.splitlines()
    assert lines[0] == "Row,Column,Value,Rule" and {line.split(",")[1] for line in lines[1:]} == {"donor", "amount"}
    assert receipts(platform) == before


def test_a_unit_officer_signs_for_an_arrived_shipment_of_its_own_unit(platform: Platform) -> None:
    platform.settings = platform.settings.model_copy(update={"login_attempts_per_minute": 10_000})
    admin = platform.operator()
    give_demo_world(platform)
    identity.add_user(platform.uow(), admin, platform.password_hasher, User(
        "uas-bn", "UA-UAS-BN", frozenset({Grant(Role.UNIT_LOGISTICS_OFFICER, "drone-coalition")})), DEMO_PASSWORD)
    shipment = delivery.ship(platform.uow(), admin, contract="UA-MOD-UAS-0001", line=1, quantity=100,
                             on=date(2026, 11, 2))
    assert shipment.id is not None
    for state in (ShipmentState.IN_TRANSIT, ShipmentState.ARRIVED):
        delivery.advance_shipment(platform.uow(), admin, shipment.id, state, on=date(2026, 11, 5))
    with TestClient(create_app(platform)) as client:
        token = sign_in(client, "uas-bn")
        page = client.get("/coalitions/drone-coalition/procurement").text
        assert f"Shipment {shipment.id}" in page and "Confirm the receipt" in page
        assert "Pipeline by route and stage" not in page  # a unit officer sees its arrivals, not the money
        path = f"/coalitions/drone-coalition/shipments/{shipment.id}/receipts"
        refused = client.post(path, data={"csrf_token": token, "unit": "UA-UAS-BN", "quantity": "101",
                                          "condition": "new", "accepted": "yes", "signed_by": "Capt. Bondar"})
        assert "quantity" in refused.text.lower()
        early = client.post(path, data={"csrf_token": token, "unit": "UA-UAS-BN", "quantity": "100", "on": "2026-11-04",
                                        "condition": "new", "accepted": "yes", "signed_by": "Capt. Bondar"})
        assert "2026-11-04" in early.text and "2026-11-05" in early.text  # not before the shipment arrived
        done = client.post(path, data={"csrf_token": token, "unit": "UA-UAS-BN", "quantity": "100", "on": "2026-11-06",
                                       "condition": "new", "accepted": "yes", "signed_by": "Capt. Bondar"})
        assert "signed for 100 items" in done.text and f"Shipment {shipment.id}" not in done.text
    receipts = delivery_views.procurement_page(platform.uow(), admin, "drone-coalition")
    assert not receipts.arrivals
    with platform.engine.connect() as connection:
        assert date(2026, 11, 6) in connection.execute(sa.select(t.unit_receipts.c.received_on)).scalars().all()


def test_the_ledger_pages_on_by_cursor_through_every_contribution(client: TestClient, platform: Platform) -> None:
    header = ["kind", "external_ref", "coalition", "fund", "donor", "amount", "currency", "value_date"]
    rows = [["receipt", f"PAGE-{n:03d}", "it-coalition", "it-coalition-fund", "EE", "100.00", "EUR", "2026-11-02"]
            for n in range(120)]
    funding.import_contributions(platform.uow(), platform.operator(), source="pages.csv", digest="pages",
                                 header=header, rows=rows)
    sign_in(client, "secretariat")
    everything = funding.list_contributions(platform.uow(), platform.operator(), coalition="it-coalition",
                                            limit=500)
    seen: list[int] = []
    path = f"{IT}/ledger"
    while path:
        page = client.get(path).text
        seen += [int(i) for i in re.findall(r"<tr(?: class=\"masked\")?>\s*<td>(\d+)</td>", page)]
        found = re.search(r'href="([^"]+)" rel="next"', page)
        path = found.group(1).replace("&amp;", "&") if found else ""
    assert seen == [c.id for c in everything.items] and len(seen) == everything.total > 100
    assert f"{everything.total} contributions in all" in page


def test_the_secretariat_approves_a_plan_on_its_page_where_the_rules_allow_it(client: TestClient,
                                                                              platform: Platform) -> None:
    token = sign_in(client, "secretariat")
    plan_form = client.post(f"{IT}/plans", data={"csrf_token": token, "policy": "partial"}, follow_redirects=False)
    plan_page = client.get(plan_form.headers["location"]).text
    assert "Approve the plan" not in plan_page and "Send to the steering group" in plan_page  # a decision is needed

    allow_secretariat_approval(platform, "it-coalition")
    client.post(f"{IT}/receipts", data={"csrf_token": token, "donor": "EE", "fund": "it-coalition-fund",
                                        "amount": "400000.00", "currency": "EUR", "value_date": "2026-11-20",
                                        "earmark": "none"})
    ran = client.post(f"{IT}/plans", data={"csrf_token": token, "policy": "strict"}, follow_redirects=False)
    plan = ran.headers["location"]
    assert "Approve the plan" in client.get(plan).text
    approved = client.post(f"{plan}/approval", data={"csrf_token": token})
    assert re.search(r"Plan \d+ approved: \d+ reservations recorded", approved.text)
    again = client.post(f"{plan}/approval", data={"csrf_token": token})
    assert "only a proposed plan can be approved" in again.text


def test_a_reviewer_with_a_conflict_is_refused_on_the_project_page_and_writes_nothing(platform: Platform) -> None:
    give_demo_world(platform, users=True)
    with TestClient(create_app(platform)) as client:
        token = sign_in(client, "expert-2")
        page = client.get("/innovation/projects/ITC-SAT-LINK").text
        assert "Your review" in page and "A conflict of interest (" in page and "Submit the review" not in page
        assert re.search(r'value="yes" checked>', page)  # the form shows the state declared, not a reset choice
        with platform.uow() as uow:
            before = len(uow.innovation.reviews(["ITC-SAT-LINK"]))
        refused = client.post("/innovation/projects/ITC-SAT-LINK/review", data={
            "csrf_token": token, "score-impact": "9", "score-feasibility": "9", "score-team": "9"})
        assert "declared a conflict of interest with ITC-SAT-LINK" in refused.text
        bad = client.post("/innovation/projects/ITC-SAT-LINK/review", data={
            "csrf_token": token, "score-impact": "nine", "score-feasibility": "9", "score-team": "9"})
        assert "scores.impact: &#39;nine&#39; is not a whole score" in bad.text
        with platform.uow() as uow:
            assert len(uow.innovation.reviews(["ITC-SAT-LINK"])) == before
        board = client.get("/coalitions/it-coalition/innovation").text
        assert "Security analytics for the operations centre" in board
        assert "At least 2 independent review(s) before a gate" in board  # the coalition's gate rules
        client.post("/language", data={"csrf_token": token, "language": "uk", "next": "/"})
        in_ukrainian = client.post("/innovation/projects/ITC-SAT-LINK/review", data={
            "csrf_token": token, "score-impact": "9", "score-feasibility": "9", "score-team": "9"})
        assert "expert-2 заявив про конфлікт інтересів з ITC-SAT-LINK" in in_ukrainian.text
    with TestClient(create_app(platform)) as first:  # expert-1 reviewed ITC-MESH-RELAY before its call's shortlist
        token = sign_in(first, "expert-1")
        page = first.get("/innovation/projects/ITC-MESH-RELAY").text
        assert "No conflict of interest, declared" in page and "Operational impact: " in page
        assert "fixed by the shortlist decided on" in page and 'action="/innovation/projects/ITC-MESH-RELAY/' \
            'declaration"' not in page
        before = dump(platform.engine)
        refused = first.post("/innovation/projects/ITC-MESH-RELAY/declaration", data={
            "csrf_token": token, "conflicted": "yes", "note": "joined the team", "withdraw": "yes"})
        assert "fixed by the shortlist decided on 2025-03-10" in refused.text and dump(platform.engine) == before
    with TestClient(create_app(platform)) as third:  # expert-3 has neither declared nor reviewed ITC-MESH-RELAY
        token = sign_in(third, "expert-3")
        page = third.get("/innovation/projects/ITC-MESH-RELAY").text
        assert "None yet: declare" in page and "checked" not in page.split('name="conflicted"')[1][:40]
        third.post("/innovation/projects/ITC-MESH-RELAY/declaration", data={"csrf_token": token,
                                                                           "conflicted": "no"})
        page = third.get("/innovation/projects/ITC-MESH-RELAY").text
        assert re.search(r'value="no" checked>', page) and "Submit the review" in page


def test_a_programme_page_shows_its_stages_gate_rules_and_calls_in_both_languages(platform: Platform) -> None:
    give_demo_world(platform)
    with TestClient(create_app(platform)) as client:
        assert "Defense Tech IT Park" in client.get("/").text
        page = client.get("/programmes/kz-defense-tech-park").text
        assert "A national programme of Kazakhstan" in page and "Almaty" in page
        assert "At least 2 independent review(s) before a gate" in page and "A shortlist before the first gate" in page
        assert "Defense Tech Hub hackathon" in page and "Video analytics for perimeter surveillance" in page
        assert "/coalitions/" not in page  # a programme is no coalition's: no coalition's pages are offered
        assert "Defense Tech IT Park" in client.get("/programmes").text
        client.post("/language", data={"csrf_token": csrf(client, "/"), "language": "uk", "next": "/"})
        page = client.get("/programmes/kz-defense-tech-park").text
        assert "Національна програма: Казахстан" in page and "Правила етапних рубежів" in page
        assert client.get("/programmes/no-such").status_code == 404


# --- sessions: a cookie captured before a session ends is worth nothing after it -------------------------------

RECEIPT = {"donor": "EE", "fund": "it-coalition-fund", "amount": "1000.00", "currency": "EUR",
           "value_date": "2026-11-20", "earmark": "none"}


def another_browser(client: TestClient, cookie: str | None = None) -> TestClient:
    browser = TestClient(client.app)
    if cookie is not None:
        browser.cookies.set("coalition_session", cookie, domain="testserver.local", path="/")
    return browser


def assert_sent_to_sign_in(client: TestClient, cookie: str, token: str, platform: Platform) -> None:
    """A browser holding ``cookie`` (and the session's CSRF token) is sent to sign in again, and writes nothing."""
    thief = another_browser(client, cookie)
    answer = thief.get(f"{IT}/plans", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fcoalitions%2Fit-coalition%2Fplans"
    assert 'coalition_session=""' in answer.headers["set-cookie"]
    page = thief.get(answer.headers["location"])
    assert page.status_code == 200 and "Your session has ended. Sign in again." in page.text
    assert 'action="/logout"' not in page.text  # shown as to the public
    before = receipts(platform)
    thief = another_browser(client, cookie)
    posted = thief.post(f"{IT}/receipts", data={**RECEIPT, "csrf_token": token}, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"] == "/login"
    assert receipts(platform) == before
    htmx = another_browser(client, cookie).get("/audit", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/login?next=%2Faudit"
    assert another_browser(client, cookie).get("/api/v1/auth/me").status_code == 401


def test_signing_out_of_the_pages_ends_the_session(client: TestClient, platform: Platform) -> None:
    token = sign_in(client, "secretariat")
    cookie = client.cookies["coalition_session"]
    before = receipts(platform)
    assert client.post(f"{IT}/receipts", data={**RECEIPT, "csrf_token": token}).status_code == 200
    assert receipts(platform) == before + 1  # what the captured cookie and token could do before
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and 'coalition_session=""' in out.headers["set-cookie"]
    assert client.get(f"{IT}/plans").status_code == 401  # this browser is the public now
    assert_sent_to_sign_in(client, cookie, token, platform)


def test_a_password_changed_on_the_account_page_signs_out_every_other_browser(client: TestClient,
                                                                              platform: Platform) -> None:
    token = sign_in(client, "secretariat")
    before_change = client.cookies["coalition_session"]
    elsewhere = another_browser(client)
    other_token = sign_in(elsewhere, "secretariat")
    other_cookie = elsewhere.cookies["coalition_session"]
    page = client.get("/account")
    assert page.status_code == 200 and "Change your password" in page.text and "secretariat@it-coalition" in page.text
    form = {"csrf_token": token, "current_password": DEMO_PASSWORD, "new_password": "a new long passphrase"}
    differ = client.post("/account/password", data={**form, "repeat_password": "another one"})
    assert "The two new passwords differ." in differ.text
    wrong = client.post("/account/password", data={**form, "current_password": "not it",
                                                   "repeat_password": "a new long passphrase"})
    assert "the current password is not right" in wrong.text
    assert elsewhere.get(f"{IT}/plans").status_code == 200  # refused changes end nothing
    changed = client.post("/account/password", data={**form, "repeat_password": "a new long passphrase"})
    assert changed.status_code == 200 and "Your password is changed." in changed.text
    assert client.cookies["coalition_session"] != before_change
    assert client.get(f"{IT}/plans").status_code == 200  # this browser stays signed in, with a new session
    assert_sent_to_sign_in(client, before_change, token, platform)
    assert_sent_to_sign_in(client, other_cookie, other_token, platform)
    assert another_browser(client).get("/account").status_code == 401


def test_disabling_the_user_and_idle_time_end_a_page_session(client: TestClient, platform: Platform) -> None:
    token = sign_in(client, "secretariat")
    cookie = client.cookies["coalition_session"]
    platform.clock.now += timedelta(minutes=31)  # type: ignore[attr-defined]
    assert_sent_to_sign_in(client, cookie, token, platform)
    browser = another_browser(client)
    token = sign_in(browser, "secretariat")
    cookie = browser.cookies["coalition_session"]
    assert browser.get(f"{IT}/plans").status_code == 200
    identity.set_active(platform.uow(), platform.operator(), "secretariat", False)
    assert_sent_to_sign_in(client, cookie, token, platform)


def test_the_money_pages_are_shown_as_of_a_day_picked_on_them(client: TestClient) -> None:
    sign_in(client, "secretariat")
    for path in (f"{IT}/ledger", f"{IT}/priorities", IT, "/donors/EE", f"{IT}/procurement"):
        page = client.get(path)
        assert 'type="date"' in page.text and 'name="on"' in page.text, path
        then = client.get(f"{path}?on=2024-03-06")
        assert then.status_code == 200, path
        assert "only what was dated by then" in then.text and 'value="2024-03-06"' in then.text, path
    assert client.get(f"{IT}/ledger?on=2024-02-30").status_code == 422
    future = client.get(f"{IT}/ledger?on=2999-01-01")
    assert future.status_code in (400, 422) and "in the future" in future.text
    pledges = client.get(f"{IT}/ledger?on=2023-12-31")
    assert "EE" not in re.sub(r"<(script|select)[\s\S]*?</\1>", "", pledges.text.split('id="report"')[1]
                              .split("</section>")[0])  # nobody had pledged to the coalition yet


def test_the_coalition_page_links_its_open_data_in_both_languages(client: TestClient) -> None:
    page = client.get(IT).text
    assert "Open data" in page and "/api/v1/coalitions/it-coalition/exports/iati.xml" in page
    assert "/api/v1/coalitions/it-coalition/exports/flows?format=xlsx" in page
    client.post("/language", data={"csrf_token": csrf(client, "/"), "language": "uk", "next": IT})
    assert "Відкриті дані" in client.get(IT).text
    assert client.get("/api/v1/coalitions/it-coalition/exports/iati.xml").status_code == 200


def test_the_audit_log_lists_newest_first_filters_pages_and_speaks_the_readers_language(client: TestClient) -> None:
    sign_in(client, "auditor")
    page = client.get("/audit").text
    seqs = [int(s) for s in re.findall(r'<tr><td class="num">(\d+)</td>', page)]
    assert len(seqs) == 50 and seqs == sorted(seqs, reverse=True)
    assert "member admitted" in page and "admit_member" not in page.split("<tbody>")[1]
    older = re.search(r'href="/audit\?([^"]+)" rel="next"', page)
    assert older is not None and f"before={seqs[-1]}" in older.group(1)
    next_page = client.get(f"/audit?{older.group(1)}").text
    following = [int(s) for s in re.findall(r'<tr><td class="num">(\d+)</td>', next_page)]
    assert following[0] == seqs[-1] - 1 and following == sorted(following, reverse=True)

    votes = client.get("/audit", params={"action": "cast_vote", "record_type": "proposal"}).text
    listed = re.findall(r"<tr><td class=\"num\">\d+</td>.*?</tr>", votes)
    assert listed and all("vote cast" in row and "proposal" in row for row in listed)
    assert re.search(r'<option value="cast_vote" selected>', votes)
    count = re.search(r"<caption>(\d+) records?, newest first</caption>", votes)
    assert count is not None and int(count.group(1)) >= len(listed)
    assert "None" not in client.get("/audit", params={"actor": "nobody-at-all"}).text.split("<tbody>")[1]
    assert 'rel="next"' not in client.get("/audit", params={"since": "2999-01-01"}).text

    backwards = client.get("/audit", params={"since": "2026-12-02", "until": "2026-12-01"})
    assert backwards.status_code == 422 and "is after the last day" in backwards.text
    client.post("/language", data={"csrf_token": csrf(client, "/"), "language": "uk", "next": "/audit"})
    ukrainian = client.get("/audit", params={"action": "cast_vote"}).text
    assert "голос подано" in ukrainian and "найновіші спершу" in ukrainian
    assert "пізніше за останній день" in client.get("/audit", params={"since": "2026-12-02",
                                                                       "until": "2026-12-01"}).text


def test_closing_a_proposal_early_asks_first_naming_the_count_who_has_not_answered_and_the_outcome(
        client: TestClient, platform: Platform) -> None:
    from coalition.domain.coalition import DecisionMethod, DecisionRules
    from coalition.domain.steering import Procedure, ProposalKind, Vote
    from coalition.services import steering

    admin = platform.operator()
    rules = DecisionRules(method=DecisionMethod.SIMPLE_MAJORITY)
    proposal = steering.open_proposal(
        platform.uow(), admin, coalition="it-coalition", kind=ProposalKind.CHANGE_RULES, title="A simple majority",
        payload={"rules": rules.to_data()}, procedure=Procedure.WRITTEN,
        deadline=platform.clock() + timedelta(days=14))
    steering.cast_vote(platform.uow(), admin, proposal.id or 0, "EE", Vote.FOR)
    token = sign_in(client, "secretariat")
    path = f"/proposals/{proposal.id}"
    page = client.get(path).text
    assert "1 of " in page and "1 for, 0 against" in page and "Not answered yet:" in page
    before = dump(platform.engine)
    asked = client.post(f"{path}/closing", data={"csrf_token": token}, follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"].startswith(f"{path}/closing")
    assert dump(platform.engine) == before  # one click closes nothing
    confirm = client.get(asked.headers["location"]).text
    assert "closing now ends the procedure early" in confirm and "Closing now decides:" in confirm
    outcome = re.search(r'Closing now decides: <span class="state state-([a-z-]+)">([^<]+)</span>', confirm)
    assert outcome is not None and outcome.group(1) in ("no-quorum", "rejected") and "-" not in outcome.group(2)
    closed = client.post(f"{path}/closing", data={"csrf_token": token, "confirmed": "yes"})
    assert f"Proposal {proposal.id} decided: {outcome.group(2)}." in closed.text
    assert f'class="state state-{outcome.group(1)}">decided: {outcome.group(2)}</span>' in closed.text


def test_the_public_is_not_shown_who_operated_the_platform(client: TestClient) -> None:
    for path in ("/", IT, f"{IT}/priorities", f"{IT}/steering", f"{IT}/ledger", "/proposals/1", "/proposals/2",
                 "/open-data", "/packages", "/programmes"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "@cli" not in page.text and "Recorded by" not in page.text, path
    # without its procurement, no money of the drone coalition has reached a requirement: no IATI file to publish
    assert "Nothing to publish yet." in client.get("/open-data").text
    empty = client.get("/api/v1/coalitions/drone-coalition/exports/iati.xml")
    assert empty.status_code == 404 and empty.json()["field"] == "coalition"
    sign_in(client, "secretariat")
    assert "Recorded by" in client.get("/proposals/1").text


def test_a_members_links_lead_to_pages_it_may_see_and_a_statement_leaves_out_other_coalitions(
        platform: Platform) -> None:
    give_demo_world(platform, users=True)
    with TestClient(create_app(platform)) as client:
        sign_in(client, "ee-desk")
        links = set()
        for path in (IT, f"{IT}/steering", f"{IT}/ledger", f"{IT}/priorities"):
            page = client.get(path).text
            links |= set(re.findall(r'href="(/(?:donors|plans|proposals)/[^"?#]+)"', page))
        assert {"/donors/LU", "/donors/LV", "/donors/GB"} <= links
        for link in sorted(links):
            assert client.get(link).status_code == 200, link
        statement = client.get("/donors/LU").text
        assert "whose funding you may not read: it is left out" in statement and "drone-coalition" not in statement


def test_decisions_reasons_effects_earmarks_and_statuses_read_in_ukrainian(client: TestClient) -> None:
    sign_in(client, "secretariat")
    english = client.get(f"{IT}/steering").text
    assert "no objection among the" in english and "approved and active" in english
    client.post("/language", data={"csrf_token": csrf(client, "/"), "language": "uk", "next": "/"})
    steering = client.get(f"{IT}/steering").text
    assert "жодного заперечення серед" in steering and "затверджено, вона чинна" in steering
    assert "no objection among" not in steering and "approved and active" not in steering
    ledger = client.get(f"{IT}/ledger").text
    assert "сфери: " in ledger and "без цільового призначення" in ledger
    assert not re.search(r"<td>\s*(none|areas:[a-z]|partly received|partly-received)", ledger)
