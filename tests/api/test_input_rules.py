"""What the API takes, on SQLite and PostgreSQL alike: ids from 1 to 2**63 - 1, free text by its field's rule
(its length, and no control characters but tab and line breaks in multi-line text), and JSON values exactly
of the schema's types. Whatever is refused is a 422 naming the field, never a 500, and writes nothing.

The tests share one demo world per database (each writes records of its own).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from coalition.adapters.tables import proposals
from coalition.domain.limits import DESCRIPTION, MAX_ID, NOTE
from tests.api.conftest import IT, Served
from tests.integration.helpers import dump

V = "/api/v1"
ON = "2026-11-20"
ABOVE_INT4 = 6874341783  # above 2**31 - 1, the largest int4


@pytest.fixture
def served(world_on_each_database: Served) -> Served:
    return world_on_each_database


def _pledge(ref: str, **extra: object) -> dict[str, object]:
    return {"kind": "pledge", "coalition": IT, "fund": "it-coalition-fund", "donor": "LV",
            "amount": {"amount": "2500.00", "currency": "EUR"}, "value_date": ON, "external_ref": ref, **extra}


def _state(served: Served, code: str) -> str:
    """A state of the test's own, registered for it."""
    answer = served.client.post(f"{V}/parties", headers=served.as_role("platform-admin"),
                                json={"code": code, "kind": "state", "name": f"State {code}", "country": code})
    assert answer.status_code == 201, answer.text
    return code


def _refused(served: Served, method: str, path: str, field: str, headers: dict[str, str] | None = None,
             **kwargs: Any) -> dict[str, Any]:
    """The request is a 422 naming ``field`` and writes nothing."""
    before = dump(served.platform.engine)
    answer = served.client.request(method, f"{V}{path}", headers=headers or served.as_role("secretariat"), **kwargs)
    assert answer.status_code == 422, answer.text
    body: dict[str, Any] = answer.json()
    assert body["field"] == field, body
    assert dump(served.platform.engine) == before
    return body


# --- ids ------------------------------------------------------------------------------------------------------


def test_an_id_above_32_bits_is_looked_up_and_one_beyond_64_bits_is_refused_naming_it(served: Served):
    client = served.client
    for headers in ({}, served.as_role("secretariat")):  # the public, and a signed-in user
        answer = client.get(f"{V}/proposals/{ABOVE_INT4}", headers=headers)
        assert answer.status_code in (401, 404), answer.text
    assert client.get(f"{V}/proposals/{ABOVE_INT4}", headers=served.as_role("secretariat")).status_code == 404
    for path, field in ((f"/proposals/{MAX_ID + 1}", "proposal_id"), ("/proposals/0", "proposal_id"),
                        (f"/contributions/{MAX_ID + 1}/entries", "contribution_id"),
                        (f"/allocation-plans/{2**64}", "plan_id")):
        _refused(served, "GET", path, field)
    _refused(served, "GET", "/contributions", "after", params={"after": str(MAX_ID + 1)})
    _refused(served, "GET", "/audit", "after", params={"after": str(10**30)})
    _refused(served, "POST", "/contributions", "fulfils", json=_pledge("ID-1", kind="receipt", fulfils=MAX_ID + 1))
    _refused(served, "POST", f"/coalitions/{IT}/priority-lists/{MAX_ID}/approval", "version",
             json={"approved_by": "UA-MOD", "on": ON})


def test_ids_above_32_bits_are_stored_and_read_back(served: Served):
    """Every id column is 64-bit: a proposal numbered above 2**31 - 1 is kept and served on both databases."""
    stored = ABOVE_INT4 + 1
    with served.platform.engine.begin() as connection:
        connection.execute(proposals.insert(), {
            "id": stored, "coalition": IT, "kind": "approve-priority-list", "title": "Approve version 9",
            "payload": {"version": 9}, "procedure": "written", "state": "open", "reason": "", "effects": [],
            "opened_at": datetime(2026, 11, 20, tzinfo=UTC).isoformat(),
            "deadline": datetime(2026, 12, 20, tzinfo=UTC).isoformat()})
    answer = served.client.get(f"{V}/proposals/{stored}", headers=served.as_role("secretariat"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["proposal"]["id"] == stored
    with served.platform.engine.connect() as connection:
        assert connection.execute(sa.select(proposals.c.id).where(proposals.c.id == stored)).scalar() == stored


# --- free text --------------------------------------------------------------------------------------------------


def test_a_nul_or_another_control_character_in_free_text_is_refused_naming_the_field(served: Served):
    body = _refused(served, "POST", "/contributions", "description", json=_pledge("NUL-1", description="a\u0000b"))
    assert "control characters" in body["message"]
    _refused(served, "POST", "/contributions", "external_ref", json=_pledge("NUL\u0001-2"))
    _refused(served, "POST", "/coalitions/it-coalition/members", "note",
             json={"party": "EE", "role": "observer", "on": ON, "note": "first\u0000second"})
    _refused(served, "POST", "/parties", "name",
             json={"code": "NSPA2", "kind": "agency", "name": "NATO Support\nand Procurement"})
    _refused(served, "POST", "/auth/tokens", "name", json={"name": "tab\there", "scopes": ["read"]})


def test_multi_line_text_keeps_its_line_breaks_and_tabs(served: Served):
    party = _state(served, "PL")
    note = "Admitted at the meeting of 20 November.\r\n\tUnanimous."
    answer = served.client.post(f"{V}/coalitions/{IT}/members", headers=served.as_role("secretariat"),
                                json={"party": party, "role": "observer", "on": ON, "note": note})
    assert answer.status_code == 201, answer.text
    assert answer.json()["note"] == note.strip()


@pytest.mark.parametrize("letter", ["ї", "x"])
def test_each_text_field_holds_exactly_its_rule_on_both_databases(served: Served, letter: str):
    """A field takes as many characters as its rule says (multi-byte ones too, which PostgreSQL counts as
    characters), wherever the column was narrower before; one more is refused naming the field."""
    client, headers = served.client, served.as_role("secretariat")
    party = _state(served, {"ї": "PT", "x": "GR"}[letter])
    description = letter * DESCRIPTION.max_length
    stored = client.post(f"{V}/contributions", headers=headers,
                         json=_pledge(f"LONG-{letter}", description=description))
    assert stored.status_code == 201, stored.text
    assert stored.json()["description"] == description
    _refused(served, "POST", "/contributions", "description",
             json=_pledge(f"LONGER-{letter}", description=description + letter))
    note = letter * NOTE.max_length
    admitted = client.post(f"{V}/coalitions/{IT}/members", headers=headers,
                           json={"party": party, "role": "observer", "on": ON, "note": note})
    assert admitted.status_code == 201, admitted.text
    left = client.post(f"{V}/coalitions/{IT}/members/{party}/departure", headers=headers,
                       json={"on": "2026-11-21", "note": note + letter})
    assert left.status_code == 422 and left.json()["field"] == "note"
    added = client.post(f"{V}/coalitions/{IT}/requirements", headers=headers, json={
        "code": f"LONG-{ord(letter)}", "owner": "UA-MOD", "title": letter * 300, "area": "command-posts",
        "quantity": 1, "unit": letter * 40, "unit_cost": {"amount": "10.00", "currency": "EUR"}})
    assert added.status_code == 201, added.text
    moved = client.post(f"{V}/requirements/LONG-{ord(letter)}/status", headers=headers,
                        json={"status": "submitted", "note": note})
    assert moved.status_code == 200, moved.text
    history = client.get(f"{V}/requirements/LONG-{ord(letter)}", headers=headers).json()["history"]
    assert history[-1]["note"] == note


# --- strict types -----------------------------------------------------------------------------------------------


def test_dates_booleans_and_numbers_are_taken_only_as_the_schema_writes_them(served: Served):
    admin = served.as_role("platform-admin")
    _refused(served, "POST", "/contributions", "value_date", json=_pledge("DAY-1", value_date=0))
    _refused(served, "POST", "/contributions", "value_date", json=_pledge("DAY-2", value_date="1700000000"))
    _refused(served, "POST", "/contributions", "value_date", json=_pledge("DAY-3", value_date="2026-11-20T00:00:00"))
    _refused(served, "POST", "/contributions", "illustrative", json=_pledge("FLAG-1", illustrative=0))
    _refused(served, "POST", "/contributions", "illustrative", json=_pledge("FLAG-2", illustrative="true"))
    _refused(served, "POST", "/contributions", "fulfils", json=_pledge("INT-1", kind="receipt", fulfils="1"))
    _refused(served, "POST", "/contributions", "fulfils", json=_pledge("INT-2", kind="receipt", fulfils=1.0))
    _refused(served, "POST", "/contributions", "fulfils", json=_pledge("INT-3", kind="receipt", fulfils=True))
    _refused(served, "GET", f"/coalitions/{IT}", "on", params={"on": "0"})
    _refused(served, "GET", f"/coalitions/{IT}/members", "on", params={"on": "20261120"})
    _refused(served, "GET", "/contributions", "limit", params={"limit": "5.0"})
    _refused(served, "GET", "/contributions", "offset", params={"offset": "+5"})
    _refused(served, "PUT", "/users/ee-desk/active", "active", headers=admin, json={"active": 0})
    _refused(served, "PUT", "/users/ee-desk/active", "active", headers=admin, json={"active": "false"})
    _refused(served, "POST", f"{'/coalitions/'}{IT}/proposals", "deadline",
             json={"kind": "approve-priority-list", "title": "Approve v1", "payload": {"version": 1},
                   "procedure": "silence", "deadline": 0})
    answer = served.client.get(f"{V}/coalitions/{IT}", params={"on": "2024-03-06"})
    assert answer.status_code == 200


def test_the_schema_says_what_the_server_takes(served: Served):
    document = served.client.get(f"{V}/openapi.json").json()
    schemas = document["components"]["schemas"]
    contribution = schemas["NewContribution"]["properties"]
    assert contribution["value_date"]["format"] == "date"
    assert contribution["description"]["maxLength"] == DESCRIPTION.max_length
    assert contribution["description"]["pattern"] == DESCRIPTION.pattern
    fulfils = next(s for s in contribution["fulfils"]["anyOf"] if s.get("type") == "integer")
    assert (fulfils["minimum"], fulfils["maximum"]) == (1, MAX_ID)
    parameters = document["paths"]["/api/v1/proposals/{proposal_id}"]["get"]["parameters"]
    assert parameters[0]["schema"]["maximum"] == MAX_ID
