"""Browser sessions over HTTP, on SQLite and PostgreSQL: a cookie captured before a session ends is worth nothing
after it, whichever way it ended (signing out, disabling the user, a new password, idle time, an administrator).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from coalition.adapters import tables as t
from coalition.bootstrap import Platform
from coalition.config import Environment, Settings
from coalition.domain.access import Grant, Role
from coalition.domain.identity import User, digest
from coalition.entrypoints.api.app import create_app
from coalition.services.identity import add_user
from tests.api.conftest import IT, PASSWORD, Served
from tests.fakes import TickingClock

V = "/api/v1"
COOKIE = "coalition_session"


def browser(served: Served, cookie: str | None = None) -> TestClient:
    """Another browser on the same server, holding ``cookie`` as its session cookie if given."""
    client = TestClient(served.client.app)
    if cookie is not None:
        hold(client, cookie)
    return client


def hold(client: TestClient, cookie: str) -> None:
    """Put ``cookie`` in the browser's jar as the server would have set it (so it replaces any other)."""
    client.cookies.set(COOKIE, cookie, domain="testserver.local", path="/")


def sign_in(client: TestClient, username: str = "secretariat", password: str = PASSWORD) -> dict[str, Any]:
    answer = client.post(f"{V}/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"csrf": answer.json()["csrf_token"], "cookie": client.cookies[COOKIE]}


def pledge(ref: str) -> dict[str, object]:
    return {"kind": "pledge", "coalition": IT, "fund": "it-coalition-fund", "donor": "LV",
            "amount": {"amount": "1000.00", "currency": "EUR"}, "value_date": "2026-11-20", "external_ref": ref}


def assert_worthless(served: Served, captured: dict[str, Any], ref: str) -> None:
    """The captured cookie (and CSRF token) neither reads who it was nor writes; the answer forgets the cookie."""
    thief = browser(served, captured["cookie"])
    me = thief.get(f"{V}/auth/me")
    assert me.status_code == 401, me.text
    assert me.json()["code"] == "unauthenticated" and me.json()["field"] == "session"
    assert f'{COOKIE}=""' in me.headers["set-cookie"] and "Max-Age=0" in me.headers["set-cookie"]
    hold(thief, captured["cookie"])
    posted = thief.post(f"{V}/contributions", json=pledge(ref), headers={"X-CSRF-Token": captured["csrf"]})
    assert posted.status_code == 401, posted.text
    listed = served.client.get(f"{V}/contributions", headers=served.as_role("secretariat"),
                               params={"donor": "LV", "limit": 500}).json()
    assert ref not in {item["external_ref"] for item in listed["items"]}


def stored_sessions(platform: Platform, username: str) -> list[Any]:
    with platform.engine.connect() as connection:
        return list(connection.execute(sa.select(t.sessions).where(t.sessions.c.username == username)))


def test_the_cookie_names_a_stored_session_by_a_token_of_which_only_the_digest_is_kept(served: Served):
    client = browser(served)
    answer = client.post(f"{V}/auth/login", json={"username": "secretariat", "password": PASSWORD})
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/" in cookie and "Secure" not in cookie  # development; production below
    token = client.cookies[COOKIE]
    [row] = stored_sessions(served.platform, "secretariat")
    assert row.token_hash == digest(token) and token not in tuple(row)
    assert row.csrf_token == answer.json()["csrf_token"] and row.method == "password"
    assert client.get(f"{V}/auth/me").json()["user"] == "secretariat"


def test_signing_out_ends_the_session(served: Served):
    client = browser(served)
    captured = sign_in(client)
    assert client.post(f"{V}/contributions", json=pledge("OUT-BEFORE"),
                       headers={"X-CSRF-Token": captured["csrf"]}).status_code == 201
    refused = client.post(f"{V}/auth/logout")  # signing out needs the session's CSRF token too
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert client.get(f"{V}/auth/me").json()["user"] == "secretariat"
    out = client.post(f"{V}/auth/logout", headers={"X-CSRF-Token": captured["csrf"]})
    assert out.status_code == 204 and "Max-Age=0" in out.headers["set-cookie"]
    assert stored_sessions(served.platform, "secretariat") == []
    assert_worthless(served, captured, "OUT-AFTER")
    # Signing out again, or with a cookie that is over, only forgets the cookie.
    assert browser(served, captured["cookie"]).post(f"{V}/auth/logout").status_code == 204


def test_a_browser_whose_session_ended_signs_in_again_and_signing_in_replaces_a_live_session(served: Served):
    client = browser(served)
    first = sign_in(client)
    second = sign_in(client)  # the same browser, signing in again: its previous session ends
    assert second["cookie"] != first["cookie"]
    assert [row.token_hash for row in stored_sessions(served.platform, "secretariat")] == [digest(second["cookie"])]
    stale = browser(served, first["cookie"])
    third = sign_in(stale)  # a cookie naming no session does not stand in the way of signing in
    assert stale.get(f"{V}/auth/me").json()["csrf_token"] == third["csrf"]


def test_disabling_the_user_ends_every_session_of_it(served: Served):
    here, there = browser(served), browser(served)
    captured, second = sign_in(here, "auditor"), sign_in(there, "auditor")
    assert here.get(f"{V}/auth/me").status_code == there.get(f"{V}/auth/me").status_code == 200
    disabled = served.client.put(f"{V}/users/auditor/active", headers=served.as_role("platform-admin"),
                                 json={"active": False})
    assert disabled.status_code == 200
    assert stored_sessions(served.platform, "auditor") == []
    for cookie in (captured, second):
        assert browser(served, cookie["cookie"]).get(f"{V}/auth/me").status_code == 401
    served.client.put(f"{V}/users/auditor/active", headers=served.as_role("platform-admin"), json={"active": True})
    assert browser(served, captured["cookie"]).get(f"{V}/auth/me").status_code == 401  # enabling revives none


def test_changing_ones_password_ends_every_session_and_the_browser_that_changed_it_gets_a_new_one(served: Served):
    here, there = browser(served), browser(served)
    captured, elsewhere = sign_in(here), sign_in(there)
    wrong = here.post(f"{V}/auth/password", headers={"X-CSRF-Token": captured["csrf"]},
                      json={"current_password": "not the password", "new_password": "a new long passphrase"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "current_password"
    assert there.get(f"{V}/auth/me").status_code == 200  # a refused change ends nothing
    changed = here.post(f"{V}/auth/password", headers={"X-CSRF-Token": captured["csrf"]},
                        json={"current_password": PASSWORD, "new_password": "a new long passphrase"})
    assert changed.status_code == 200, changed.text
    fresh = changed.json()["csrf_token"]
    assert fresh and fresh != captured["csrf"] and here.cookies[COOKIE] != captured["cookie"]
    assert here.get(f"{V}/auth/me").json()["user"] == "secretariat"  # this browser stays signed in
    assert here.post(f"{V}/contributions", json=pledge("PW-NEW"), headers={"X-CSRF-Token": fresh}).status_code == 201
    assert_worthless(served, captured, "PW-CAPTURED")
    assert_worthless(served, elsewhere, "PW-ELSEWHERE")
    assert browser(served).post(f"{V}/auth/login", json={"username": "secretariat",
                                                         "password": PASSWORD}).status_code == 401
    sign_in(browser(served), password="a new long passphrase")


def test_a_new_password_set_by_an_administrator_ends_every_session_of_the_user(served: Served):
    here, there = browser(served), browser(served)
    captured, second = sign_in(here), sign_in(there)
    admin = served.as_role("platform-admin")
    short = served.client.put(f"{V}/users/secretariat/password", headers=admin, json={"password": "short"})
    assert short.status_code == 422 and short.json()["field"] == "password"
    refused = served.client.put(f"{V}/users/secretariat/password", headers=served.as_role("auditor"),
                                json={"password": "a new long passphrase"})
    assert refused.status_code == 403
    assert here.get(f"{V}/auth/me").status_code == 200
    assert served.client.put(f"{V}/users/secretariat/password", headers=admin,
                             json={"password": "a new long passphrase"}).status_code == 200
    assert_worthless(served, captured, "ADMIN-PW-1")
    assert_worthless(served, second, "ADMIN-PW-2")


def test_a_session_unused_for_its_idle_time_ends_and_one_in_use_lives_on(served: Served):
    clock: TickingClock = served.platform.clock  # type: ignore[assignment]
    idle, used = browser(served), browser(served)
    captured, kept = sign_in(idle), sign_in(used)
    for _ in range(3):  # used every twenty minutes: an hour on, it is still live
        clock.now += timedelta(minutes=20)
        assert used.get(f"{V}/auth/me").status_code == 200
    assert_worthless(served, captured, "IDLE")
    assert used.post(f"{V}/contributions", json=pledge("IDLE-KEPT"),
                     headers={"X-CSRF-Token": kept["csrf"]}).status_code == 201
    clock.now += timedelta(minutes=31)
    ended = used.get(f"{V}/auth/me")
    assert ended.status_code == 401 and "30 minutes without use" in ended.json()["message"]


def test_a_sessions_use_is_written_at_most_once_a_minute(served: Served):
    clock: TickingClock = served.platform.clock  # type: ignore[assignment]
    client = browser(served)
    sign_in(client)
    [signed_in] = stored_sessions(served.platform, "secretariat")
    for _ in range(5):  # each reading of the test clock is a second later: all within the first minute
        assert client.get(f"{V}/auth/me").status_code == 200
    assert stored_sessions(served.platform, "secretariat")[0].last_seen_at == signed_in.last_seen_at
    clock.now += timedelta(minutes=2)
    for _ in range(5):
        assert client.get(f"{V}/auth/me").status_code == 200
    [touched] = stored_sessions(served.platform, "secretariat")
    assert touched.last_seen_at > signed_in.last_seen_at
    later = [client.get(f"{V}/auth/me") for _ in range(3)]
    assert all(a.status_code == 200 for a in later)
    assert stored_sessions(served.platform, "secretariat")[0].last_seen_at == touched.last_seen_at


def test_an_administrator_lists_and_ends_a_users_sessions(served: Served):
    here, there = browser(served), browser(served)
    captured, second = sign_in(here, "lead"), sign_in(there, "lead")
    admin = served.as_role("platform-admin")
    listed = served.client.get(f"{V}/users/lead/sessions", headers=admin)
    assert listed.status_code == 200 and listed.json()["total"] == 2
    assert {s["method"] for s in listed.json()["items"]} == {"password"}
    assert all(not s["current"] and s["ends_at"] > s["last_seen_at"] for s in listed.json()["items"])
    own = here.get(f"{V}/users/lead/sessions").json()["items"]
    assert [s["current"] for s in own] == [True, False]
    assert here.get(f"{V}/users/auditor/sessions").status_code == 403
    assert served.client.delete(f"{V}/users/lead/sessions", headers=served.as_role("auditor")).status_code == 403
    assert here.get(f"{V}/auth/me").status_code == 200
    ended = served.client.delete(f"{V}/users/lead/sessions", headers=admin)
    assert ended.status_code == 200 and ended.json() == {"username": "lead", "ended": 2}
    assert_worthless(served, captured, "ENDED-1")
    assert_worthless(served, second, "ENDED-2")
    total = served.client.get(f"{V}/audit", headers=admin, params={"limit": 1}).json()["total"]
    last = served.client.get(f"{V}/audit", headers=admin, params={"after": total - 1}).json()["items"]
    assert [(r["action"], r["object_id"], r["after"]) for r in last] == [("end_sessions", "lead",
                                                                        {"sessions_ended": 2})]


class FakeProvider:
    """An identity provider that has proved who the browser is: its subject is ``subject``."""

    def __init__(self, subject: str) -> None:
        self.subject = subject

    async def authorize_access_token(self, request: Any) -> dict[str, Any]:
        return {"userinfo": {"sub": self.subject}}


def test_signing_in_through_the_identity_provider_opens_a_stored_session(served: Served):
    admin = served.platform.operator()
    add_user(served.platform.uow(), admin, served.platform.password_hasher,
             User("sso-desk", "EE", frozenset({Grant(Role.LEAD, IT)}), oidc_subject="ee-subject-1"), None)
    served.client.app.state.oidc = FakeProvider("ee-subject-1")
    client = browser(served)
    answer = client.get(f"{V}/auth/oidc/callback", follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["location"] == "/"
    [row] = stored_sessions(served.platform, "sso-desk")
    assert row.method == "oidc" and row.token_hash == digest(client.cookies[COOKIE])
    me = client.get(f"{V}/auth/me").json()
    assert me["user"] == "sso-desk" and me["csrf_token"] == row.csrf_token
    captured = {"cookie": client.cookies[COOKIE], "csrf": me["csrf_token"]}
    assert client.post(f"{V}/auth/logout", headers={"X-CSRF-Token": me["csrf_token"]}).status_code == 204
    assert_worthless(served, captured, "OIDC-AFTER")
    served.client.app.state.oidc = FakeProvider("nobody-registered")
    assert browser(served).get(f"{V}/auth/oidc/callback", follow_redirects=False).status_code == 401


def test_production_keeps_the_session_cookie_secure(tmp_path):
    platform = Platform(Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", data_dir=tmp_path,
                                 env=Environment.PRODUCTION, secret_key="a secret of this installation, long enough"),
                        TickingClock())
    platform.init_database()
    add_user(platform.uow(), platform.operator(), platform.password_hasher, User("ee-desk"), PASSWORD)
    client = TestClient(create_app(platform), base_url="https://testserver")
    answer = client.post(f"{V}/auth/login", json={"username": "ee-desk", "password": PASSWORD})
    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 200 and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get(f"{V}/auth/me").json()["user"] == "ee-desk"
    platform.engine.dispose()


@pytest.mark.parametrize("path", [f"{V}/auth/me", f"{V}/coalitions"])
def test_a_cookie_naming_no_session_is_refused_not_taken_for_the_public(world: Served, path: str):
    forged = browser(world, "not-a-session-token")
    answer = forged.get(path)
    assert answer.status_code == 401 and answer.json()["field"] == "session"
