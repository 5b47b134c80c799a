"""National programmes over HTTP, on both databases: a programme shows its stages, gate rules and calls; a call
opened under it follows its rules (no gate without the independent reviews it needs); its projects get no
coalition grant; bad input names the field and the rule."""

from __future__ import annotations

from tests.api.conftest import Served

V = "/api/v1"
PARK = "kz-defense-tech-park"
ADMIN = "platform-admin"


def test_a_programme_shows_its_stages_rules_and_calls_to_anyone(world_on_each_database: Served) -> None:
    client = world_on_each_database.client
    listed = client.get(f"{V}/programmes")
    assert listed.status_code == 200 and [p["code"] for p in listed.json()] == [PARK]
    shown = client.get(f"{V}/programmes/{PARK}").json()
    assert shown["programme"]["owner"] == "KZ" and shown["programme"]["stages"] == [
        "idea", "prototype", "pilot-deployment"]
    assert shown["programme"]["gate_rules"] == {"min_reviews": 2, "shortlist_first": True, "own_evidence": True}
    assert [c["code"] for c in shown["calls"]] == ["kz-hub-hackathon-2025"]
    assert all(c["coalition"] is None and c["programme"] == PARK for c in shown["calls"])
    rules = client.get(f"{V}/coalitions/it-coalition/gate-rules").json()
    assert rules == {"min_reviews": 2, "shortlist_first": True, "own_evidence": True}
    assert client.get(f"{V}/programmes/no-such-programme").status_code == 404


def test_a_programme_call_follows_the_programme_rules_and_gets_no_coalition_grant(
        world_on_each_database: Served) -> None:
    served = world_on_each_database
    admin = served.as_role(ADMIN)
    call = {"code": "kz-api-call", "programme": PARK, "kind": "hackathon", "title": "API hackathon",
            "opens_on": "2026-01-10", "closes_on": "2026-01-12", "rubric": [{"code": "merit", "title": "Merit",
                                                                             "weight": "1"}]}
    opened = served.client.post(f"{V}/innovation/calls", json=call, headers=admin)
    assert opened.status_code == 201, opened.text
    assert opened.json()["programme"] == PARK and opened.json()["coalition"] is None
    project = {"code": "KZ-API-P1", "call": "kz-api-call", "title": "API project", "team": "KZ-TEAM-KOZ",
               "domain": "video-surveillance", "trl": 2}
    assert served.client.post(f"{V}/innovation/projects", json=project, headers=admin).status_code == 201
    evidence = served.client.post(f"{V}/innovation/projects/KZ-API-P1/evidence", headers=admin, json={
        "kind": "document", "title": "Concept", "reference": "doc://concept", "recorded_on": "2026-02-01"}).json()
    refused = served.client.post(f"{V}/innovation/projects/KZ-API-P1/gates", headers=admin, json={
        "to": "prototype", "decided_by": "park panel", "on": "2026-02-02", "evidence": [evidence["id"]]})
    assert refused.status_code == 409
    assert refused.json()["field"] == "reviews"
    assert "KZ-API-P1 has 0 independent review(s); passing a gate needs at least 2" in refused.json()["message"]
    grant = served.client.post(f"{V}/innovation/grants", headers=admin, json={
        "code": "KZ-API-G", "project": "KZ-API-P1", "fund": "it-coalition-fund",
        "amount": {"amount": "100.00", "currency": "EUR"},
        "milestones": [{"title": "All", "amount": {"amount": "100.00", "currency": "EUR"}}],
        "awarded_on": "2026-02-02", "decided_by": "panel"})
    assert grant.status_code == 409 and "which has no coalition fund" in grant.json()["message"]


def test_bad_programme_input_names_the_field_and_the_rule(world_on_each_database: Served) -> None:
    served = world_on_each_database
    admin = served.as_role(ADMIN)
    skipped = served.client.post(f"{V}/programmes", headers=admin, json={
        "code": "kz-bad", "name": "Bad", "owner": "KZ", "areas": ["uav"], "stages": ["idea", "adopted", "prototype"]})
    assert skipped.status_code == 422 and skipped.json()["field"] == "stages"
    assert "follows the order idea, prototype" in skipped.json()["message"]
    ministry = served.client.post(f"{V}/programmes", headers=admin, json={
        "code": "kz-bad", "name": "Bad", "owner": "KZ-MOD", "areas": ["uav"]})
    assert ministry.status_code == 422 and ministry.json()["field"] == "owner"
    both = served.client.post(f"{V}/innovation/calls", headers=admin, json={
        "code": "both-owners", "coalition": "it-coalition", "programme": PARK, "title": "Both",
        "opens_on": "2026-01-10", "closes_on": "2026-01-12", "rubric": [{"code": "m", "title": "M", "weight": "1"}]})
    assert both.status_code == 422 and "exactly one of them" in both.json()["message"]
    zero = served.client.post(f"{V}/programmes/{PARK}/gate-rules", headers=admin, json={"min_reviews": 0})
    assert zero.status_code == 422
    assert served.client.get(f"{V}/programmes/{PARK}").json()["programme"]["gate_rules"]["min_reviews"] == 2
