"""National defence-innovation programmes on both databases: Kazakhstan's defence-tech park is Kazakhstan's own
programme, not a coalition's; its calls run through its own stages under its own gate rules; its projects get no
coalition grant; and every refusal names the rule and the numbers and writes nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from coalition.bootstrap import Platform
from coalition.demo.world import build_demo_world
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, PermissionDenied
from coalition.domain.innovation import (
    Call,
    CallKind,
    Criterion,
    Evidence,
    EvidenceKind,
    GateRules,
    Milestone,
    Programme,
    Project,
    ProjectDomain,
    ProjectGrant,
    ProjectStage,
    Rubric,
    ScoringMethod,
)
from coalition.domain.money import Money
from coalition.domain.party import Party, PartyKind
from coalition.services import audit, innovation, programmes, registry
from tests.demo_copies import give_demo_world
from tests.integration.helpers import assert_refused, dump, run

PARK = "kz-park"
CALL = "kz-hackathon"
STAGES = (ProjectStage.IDEA, ProjectStage.PROTOTYPE, ProjectStage.PILOT_DEPLOYMENT)
RUBRIC = Rubric((Criterion("need", "Need of the armed forces", Decimal("0.5")),
                 Criterion("feasibility", "Feasibility", Decimal("0.5"))))


def expert(name: str) -> Actor:
    return Actor(name, None, frozenset({Grant(Role.EXPERT_REVIEWER, PARK)}))


@pytest.fixture
def park(platform: Platform) -> Platform:
    """Kazakhstan's park: two independent reviews before a gate, a shortlist first, evidence of its own."""
    admin = platform.operator()
    build_demo_world(platform.uow(), admin, procurement=False)
    for party in (Party.state("KZ"), Party("KZ-MOD", PartyKind.MINISTRY, "Ministry of Defence of Kazakhstan"),
                  Party("KZ-TEAM-A", PartyKind.INNOVATION_TEAM, "Team A", country="KZ"),
                  Party("KZ-TEAM-B", PartyKind.INNOVATION_TEAM, "Team B", country="KZ")):
        registry.register_party(platform.uow(), admin, party)
    programmes.create_programme(platform.uow(), admin, Programme(
        PARK, "Defense Tech IT Park", "KZ", (ProjectDomain.VIDEO_SURVEILLANCE, ProjectDomain.DATA_ANALYTICS), STAGES,
        GateRules(min_reviews=2, shortlist_first=True, own_evidence=True), run_by="KZ-MOD", place="Almaty",
        since=2022))
    innovation.open_call(platform.uow(), admin, Call(CALL, None, CallKind.HACKATHON, "Hub hackathon",
                                                     date(2026, 3, 1), date(2026, 3, 3), RUBRIC, programme=PARK))
    for code, team in (("KZ-P1", "KZ-TEAM-A"), ("KZ-P2", "KZ-TEAM-B")):
        innovation.register_project(platform.uow(), admin, Project(code, CALL, f"Project {code}", team,
                                                                   ProjectDomain.VIDEO_SURVEILLANCE, 3))
    return platform


def review(platform: Platform, who: str, project: str, need: int, feasibility: int, *,
           conflicted: bool = False) -> None:
    innovation.declare_conflict(platform.uow(), expert(who), project, conflicted=False)
    innovation.submit_review(platform.uow(), expert(who), project, {"need": need, "feasibility": feasibility})
    if conflicted:  # a conflict declared after reviewing withdraws the review
        innovation.declare_conflict(platform.uow(), expert(who), project, conflicted=True, note="joined the team",
                                    withdraw=True)


def evidence(platform: Platform, project: str, title: str, day: date) -> int:
    stored = innovation.add_evidence(platform.uow(), platform.operator(), Evidence(
        project, EvidenceKind.TEST_REPORT, title, f"doc://{project}/{title}", day))
    return stored.id or 0


def test_a_programme_owns_its_calls_and_shows_its_stages_and_rules(park: Platform) -> None:
    admin = park.operator()
    view = programmes.programme_view(park.uow(), Actor("anyone"), PARK)
    assert view.programme.owner == "KZ" and view.programme.stages == STAGES
    assert view.programme.gate_rules == GateRules(2, True, True)
    assert [c.code for c in view.calls] == [CALL] and view.calls[0].coalition is None
    assert [p.code for p in view.at(ProjectStage.IDEA)] == ["KZ-P1", "KZ-P2"]
    assert [c.code for c in innovation.list_calls(park.uow(), admin, programme=PARK)] == [CALL]
    assert CALL not in [c.code for c in innovation.list_calls(park.uow(), admin, "it-coalition")]
    with pytest.raises(InvalidInput, match="owned by a state, and KZ-MOD is a ministry"):
        programmes.create_programme(park.uow(), admin, Programme("kz-other", "Other", "KZ-MOD",
                                                                 (ProjectDomain.UAV,)))
    with pytest.raises(Conflict, match="names a coalition"):
        programmes.create_programme(park.uow(), admin, Programme("it-coalition", "IT", "KZ", (ProjectDomain.UAV,)))
    with pytest.raises(PermissionDenied):
        programmes.create_programme(park.uow(), Actor("nobody"), Programme("kz-x", "X", "KZ", (ProjectDomain.UAV,)))


def test_a_project_without_enough_independent_reviews_passes_no_gate_and_nothing_is_written(park: Platform) -> None:
    admin = park.operator()
    report = evidence(park, "KZ-P1", "bench", date(2026, 4, 1))
    before = dump(park.engine)
    with pytest.raises(InvariantViolated, match=r"KZ-P1 has 0 independent review\(s\); passing a gate needs at "
                                                r"least 2") as refused:
        innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.PROTOTYPE, decided_by="park panel",
                               on=date(2026, 4, 2), evidence=[report])
    assert refused.value.field == "reviews"
    assert dump(park.engine) == before
    review(park, "e1", "KZ-P1", 9, 8)
    review(park, "e2", "KZ-P1", 9, 9, conflicted=True)  # withdrawn: it does not count
    with pytest.raises(InvariantViolated, match=r"KZ-P1 has 1 independent review\(s\); passing a gate needs at "
                                                r"least 2 \(conflicted reviews do not count\)"):
        innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.PROTOTYPE, decided_by="park panel",
                               on=date(2026, 4, 2), evidence=[report])
    review(park, "e3", "KZ-P1", 8, 8)
    with pytest.raises(InvariantViolated, match="KZ-P1 is not on a shortlist of its call; the first gate needs one"):
        innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.PROTOTYPE, decided_by="park panel",
                               on=date(2026, 4, 2), evidence=[report])


def test_a_programme_project_goes_from_idea_to_prototype_to_pilot_as_dated_acts(park: Platform) -> None:
    admin = park.operator()
    for who, project, need in (("e1", "KZ-P1", 9), ("e2", "KZ-P1", 8), ("e1", "KZ-P2", 5), ("e2", "KZ-P2", 4)):
        review(park, who, project, need, 7)
    innovation.decide_shortlist(park.uow(), admin, CALL, method=ScoringMethod.MEAN, top=1, decided_by="park panel",
                                on=date(2026, 3, 10))
    bench = evidence(park, "KZ-P1", "bench", date(2026, 4, 1))
    with pytest.raises(InvariantViolated, match="moving to pilot-deployment would skip prototype"):
        innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.PILOT_DEPLOYMENT, decided_by="panel",
                               on=date(2026, 4, 2), evidence=[bench])
    with pytest.raises(InvariantViolated, match="an act of 2026-11-23 is in the future"):
        innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.PROTOTYPE, decided_by="panel",
                               on=date(2026, 11, 23), evidence=[bench])
    with pytest.raises(InvariantViolated, match="cannot precede the day kz-hackathon opened, 2026-03-01"):
        innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.PROTOTYPE, decided_by="panel",
                               on=date(2026, 2, 1), evidence=[bench])
    innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.PROTOTYPE, decided_by="park panel",
                           on=date(2026, 4, 2), evidence=[bench], trl=5)
    with pytest.raises(InvariantViolated, match="field-test is not a stage of this owner's pipeline"):
        innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.FIELD_TEST, decided_by="panel",
                               on=date(2026, 5, 2), evidence=[bench])
    with pytest.raises(InvariantViolated, match=f"evidence {bench} was cited at an earlier gate of KZ-P1"):
        innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.PILOT_DEPLOYMENT, decided_by="panel",
                               on=date(2026, 5, 2), evidence=[bench])
    pilot = evidence(park, "KZ-P1", "pilot", date(2026, 5, 1))
    with pytest.raises(InvariantViolated, match="cannot precede the day KZ-P1's previous stage move, 2026-04-02"):
        innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.PILOT_DEPLOYMENT, decided_by="panel",
                               on=date(2026, 4, 1), evidence=[pilot])
    innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.PILOT_DEPLOYMENT, decided_by="park panel",
                           on=date(2026, 5, 2), evidence=[pilot], trl=7)
    history = innovation.project_history(park.uow(), admin, "KZ-P1")
    assert history.project.stage is ProjectStage.PILOT_DEPLOYMENT
    assert [(g.to_stage, g.decided_on) for g in history.gates] == [(ProjectStage.PROTOTYPE, date(2026, 4, 2)),
                                                                   (ProjectStage.PILOT_DEPLOYMENT, date(2026, 5, 2))]
    assert all(g.recorded_at is not None for g in history.gates)
    with pytest.raises(InvariantViolated, match=r"adopted is not a stage of this owner's pipeline"):
        innovation.decide_gate(park.uow(), admin, "KZ-P1", to=ProjectStage.ADOPTED, decided_by="panel",
                               on=date(2026, 6, 2), evidence=[evidence(park, "KZ-P1", "report", date(2026, 6, 1))])
    assert audit.verify_audit(park.uow(), admin).broken_seq is None


def test_a_programme_project_gets_no_coalition_grant(park: Platform) -> None:
    admin = park.operator()
    grant = ProjectGrant("KZ-G1", "KZ-P1", "it-coalition-fund", Money.parse("1000.00", "EUR"),
                         (Milestone(1, "Prototype", Money.parse("1000.00", "EUR")),), date(2026, 4, 1), "panel")
    before = dump(park.engine)
    with pytest.raises(InvariantViolated, match="KZ-P1 answers kz-hackathon of the programme kz-park, which has no "
                                                "coalition fund: a grant that draws on a coalition fund cannot be "
                                                "made for it") as refused:
        innovation.award_grant(park.uow(), admin, grant)
    assert refused.value.field == "project"
    assert dump(park.engine) == before


def test_a_coalitions_gate_rules_are_data_it_sets(park: Platform) -> None:
    admin = park.operator()
    assert programmes.gate_rules_of(park.uow(), Actor("anyone"), "it-coalition") == GateRules()
    programmes.set_gate_rules(park.uow(), admin, GateRules(3, True, False), coalition="it-coalition")
    assert programmes.gate_rules_of(park.uow(), admin, "it-coalition") == GateRules(3, True, False)
    with pytest.raises(PermissionDenied):
        programmes.set_gate_rules(park.uow(), Actor("nobody"), GateRules(1), coalition="it-coalition")


def test_the_demo_runs_the_park_as_kazakhstans_programme_not_the_it_coalitions(platform: Platform) -> None:
    admin = platform.operator()
    give_demo_world(platform)
    assert [c.code for c in innovation.list_calls(platform.uow(), admin, "it-coalition")] == [
        "it-innovation-challenge-2025"]
    view = programmes.programme_view(platform.uow(), admin, "kz-defense-tech-park")
    assert view.programme.owner == "KZ" and view.programme.run_by == "KZ-MOD" and view.programme.place == "Almaty"
    assert [c.code for c in view.calls] == ["kz-hub-hackathon-2025"]
    assert [p.code for p in view.at(ProjectStage.PILOT_DEPLOYMENT)] == ["KZ-VIDEO-PERIMETER"]
    assert registry.get_party(platform.uow(), admin, "KZ-MOD").kind is PartyKind.MINISTRY
    assert build_demo_world(platform.uow(), admin).created == []  # it runs again without adding anything


def test_programmes_at_the_command_line(park: Platform, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(park, capsys, "programmes", "list", "--json")
    assert code == 0, err
    assert [p["code"] for p in json.loads(out)] == [PARK]
    code, out, _ = run(park, capsys, "programmes", "show", PARK)
    assert code == 0 and "idea -> prototype -> pilot-deployment" in out and "at least 2 independent review" in out
    code, out, err = run(park, capsys, "programmes", "create", "ua-brave1", "--name", "Brave1", "--owner", "UA",
                         "--area", "uav", "--area", "electronic-warfare", "--stage", "idea", "--stage", "prototype",
                         "--stage", "field-test", "--min-reviews", "3", "--since", "2023")
    assert code == 0, err
    assert "ua-brave1 of UA: idea -> prototype -> field-test" in out
    code, out, err = run(park, capsys, "innovation", "calls", "add", "brave1-call", "--programme", "ua-brave1",
                         "--title", "Brave1 call", "--opens", "2026-01-10", "--closes", "2026-02-10",
                         "--criterion", "impact:1:Impact")
    assert code == 0 and "of ua-brave1" in out, err
    assert_refused(park, capsys, ["programmes", "create", "ua-x", "--name", "X", "--owner", "UA", "--area", "uav",
                                  "--stage", "prototype", "--stage", "idea"], 2,
                   "stages: a stage list starts with idea")
    assert_refused(park, capsys, ["innovation", "calls", "add", "c2", "--title", "T", "--opens", "2026-01-10",
                                  "--closes", "2026-02-10", "--criterion", "impact:1:Impact"], 2,
                   "--coalition: name the call's owner")
    assert_refused(park, capsys, ["innovation", "gate-rules", "--programme", PARK, "--min-reviews", "0"], 2,
                   "min_reviews: a project needs from 1 to 50 independent reviews")
