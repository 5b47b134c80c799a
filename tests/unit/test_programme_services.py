"""National programmes' use cases on in-memory fakes: a state's own programme owns its calls, its projects pass
its gates by its rules as dated acts, get no coalition grant, and a coalition's secretariat has no say in it."""

from datetime import date
from decimal import Decimal

import pytest

from coalition.domain.access import Actor, Grant, Role
from coalition.domain.coalition import Coalition
from coalition.domain.errors import InvalidInput, InvariantViolated, NotFound, PermissionDenied
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
from coalition.services import innovation, programmes, registry
from tests.fakes import FakeUnitOfWork

ADMIN = Actor("admin", grants=frozenset({Grant(Role.PLATFORM_ADMIN)}))
IT_SECRETARIAT = Actor("it-secretariat", grants=frozenset({Grant(Role.SECRETARIAT, "it")}))
STAGES = (ProjectStage.IDEA, ProjectStage.PROTOTYPE, ProjectStage.PILOT_DEPLOYMENT)
RUBRIC = Rubric((Criterion("need", "Need", Decimal(1)),))


def expert(name: str) -> Actor:
    return Actor(name, grants=frozenset({Grant(Role.EXPERT_REVIEWER, "kz-park")}))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    for party in (Party.state("KZ"), Party.state("UA"), Party("KZ-TEAM", PartyKind.INNOVATION_TEAM, "Team")):
        registry.register_party(uow, ADMIN, party)
    registry.create_coalition(uow, ADMIN, Coalition("it", "IT Coalition", "IT", "UDCG", "UA", date(2023, 9, 19),
                                                    "Ramstein", "EUR"))
    programmes.create_programme(uow, ADMIN, Programme("kz-park", "Defense Tech IT Park", "KZ",
                                                      (ProjectDomain.VIDEO_SURVEILLANCE,), STAGES, GateRules(1)))
    innovation.open_call(uow, ADMIN, Call("kz-call", None, CallKind.HACKATHON, "Hackathon", date(2026, 3, 1),
                                          date(2026, 3, 3), RUBRIC, programme="kz-park"))
    innovation.register_project(uow, ADMIN, Project("KZ-1", "kz-call", "Perimeter video", "KZ-TEAM",
                                                    ProjectDomain.VIDEO_SURVEILLANCE, 3))
    return uow


def test_a_coalitions_secretariat_manages_nothing_of_a_states_programme(uow: FakeUnitOfWork) -> None:
    with pytest.raises(PermissionDenied, match="in kz-park needs the role"):
        innovation.open_call(uow, IT_SECRETARIAT, Call("kz-2", None, CallKind.CALL, "Call", date(2026, 3, 1),
                                                       date(2026, 3, 3), RUBRIC, programme="kz-park"))
    with pytest.raises(PermissionDenied):
        programmes.set_gate_rules(uow, IT_SECRETARIAT, GateRules(3), programme="kz-park")
    with pytest.raises(NotFound, match="no programme with code 'kz-none'"):
        innovation.open_call(uow, ADMIN, Call("kz-3", None, CallKind.CALL, "Call", date(2026, 3, 1),
                                              date(2026, 3, 3), RUBRIC, programme="kz-none"))
    with pytest.raises(InvalidInput, match="a programme's call cannot answer one"):
        innovation.open_call(uow, ADMIN, Call("kz-4", None, CallKind.CALL, "Call", date(2026, 3, 1),
                                              date(2026, 3, 3), RUBRIC, requirement="R-1", programme="kz-park"))


def test_a_programme_project_passes_its_gates_by_its_rules_and_gets_no_grant(uow: FakeUnitOfWork) -> None:
    innovation.declare_conflict(uow, expert("e1"), "KZ-1", conflicted=False)
    innovation.submit_review(uow, expert("e1"), "KZ-1", {"need": 8})
    innovation.decide_shortlist(uow, ADMIN, "kz-call", method=ScoringMethod.MEAN, top=1, decided_by="panel",
                                on=date(2026, 3, 5))
    bench = innovation.add_evidence(uow, ADMIN, Evidence("KZ-1", EvidenceKind.TEST_REPORT, "Bench", "doc://b",
                                                         date(2026, 3, 6)))
    gate = innovation.decide_gate(uow, ADMIN, "KZ-1", to=ProjectStage.PROTOTYPE, decided_by="panel", on=None,
                                  evidence=[bench.id or 0])
    assert gate.decided_on == uow.clock().date() and gate.recorded_at is not None  # today, unless said otherwise
    with pytest.raises(InvariantViolated, match="has no coalition fund") as refused:
        innovation.award_grant(uow, ADMIN, ProjectGrant("G", "KZ-1", "it-fund", Money.parse("10.00", "EUR"), (
            Milestone(1, "All", Money.parse("10.00", "EUR")),), date(2026, 4, 1), "panel"))
    assert refused.value.field == "project"
    pilot = innovation.add_evidence(uow, ADMIN, Evidence("KZ-1", EvidenceKind.DOCUMENT, "Pilot plan", "doc://p",
                                                         date(2026, 3, 7)))
    with pytest.raises(InvalidInput, match="a programme has no steering group"):
        innovation.decide_gate(uow, ADMIN, "KZ-1", to=ProjectStage.PILOT_DEPLOYMENT, decided_by="panel",
                               on=None, evidence=[pilot.id or 0], decision=1)
