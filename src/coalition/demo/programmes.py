"""The demo's national programme: Kazakhstan's Defense Tech IT Park in Almaty, a programme of Kazakhstan's
Ministry of Defence (its Defense Tech initiative, running since 2022), which takes projects from idea to prototype
to pilot deployment in the armed forces in five areas, through hackathons and acceleration programmes at its
Defense Tech Hub. It is a state's own programme, not a coalition of donors, and unrelated to Ukraine's coalitions:
it has no coalition fund, so its projects get no coalition grant.

Public: the park, its place, owner, initiative, areas and stages. Illustrative: its gate rules, the hackathon,
the teams, their projects, reviews, shortlist and gates. It runs again without adding anything.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coalition.domain.access import Actor, Grant, Role
from coalition.domain.errors import NotFound
from coalition.domain.innovation import (
    Call,
    CallKind,
    Criterion,
    Evidence,
    EvidenceKind,
    GateRules,
    Programme,
    Project,
    ProjectDomain,
    ProjectStage,
    Rubric,
    ScoringMethod,
)
from coalition.domain.party import Party, PartyKind
from coalition.services import innovation, programmes, registry
from coalition.services.ports import UnitOfWork

PARK = "kz-defense-tech-park"
CALL = "kz-hub-hackathon-2025"
PILOT = "KZ-VIDEO-PERIMETER"
STAGES = (ProjectStage.IDEA, ProjectStage.PROTOTYPE, ProjectStage.PILOT_DEPLOYMENT)
RULES = GateRules(min_reviews=2, shortlist_first=True, own_evidence=True)
RUBRIC = Rubric((Criterion("need", "Answers a need of the armed forces", Decimal("0.5")),
                 Criterion("feasibility", "Technical feasibility", Decimal("0.3")),
                 Criterion("team", "Team and delivery capacity", Decimal("0.2"))))
EXPERTS = ("kz-expert-1", "kz-expert-2")
# project, team, title, domain, readiness level, scores by expert 1 and 2 (need, feasibility, team)
PROJECTS = (
    (PILOT, "KZ-TEAM-KOZ", "Video analytics for perimeter surveillance", ProjectDomain.VIDEO_SURVEILLANCE, 3,
     ((9, 8, 8), (8, 8, 9))),
    ("KZ-SAT-TERMINAL", "KZ-TEAM-ORBIT", "Portable satellite terminal for field units",
     ProjectDomain.SATELLITE_SOLUTIONS, 2, ((7, 6, 7), (8, 6, 6))),
    ("KZ-DATA-LOGISTICS", "KZ-TEAM-MILDEP", "Data analytics for unit logistics (military department students)",
     ProjectDomain.DATA_ANALYTICS, 2, ((6, 7, 5), (6, 6, 6))),
)


def park() -> Programme:
    return Programme(PARK, "Defense Tech IT Park", "KZ", (
        ProjectDomain.DIGITAL_TECHNOLOGIES, ProjectDomain.VIDEO_SURVEILLANCE, ProjectDomain.DATA_ANALYTICS,
        ProjectDomain.TELECOMMUNICATIONS, ProjectDomain.SATELLITE_SOLUTIONS), STAGES, RULES, run_by="KZ-MOD",
        place="Almaty", since=2022)


def expert(name: str) -> Actor:
    return Actor(name, None, frozenset({Grant(Role.EXPERT_REVIEWER, PARK)}))


def _ensure_party(work: UnitOfWork, actor: Actor, party: Party) -> None:
    try:
        registry.get_party(work, actor, party.code)
    except NotFound:
        registry.register_party(work, actor, party)


def build_demo_programme(work: UnitOfWork, actor: Actor, created: list[str]) -> int:
    """Create Kazakhstan's park and its hackathon, unless it exists; return 1 if it was already there."""
    if any(p.code == PARK for p in programmes.list_programmes(work, actor)):
        return 1
    _ensure_party(work, actor, Party.state("KZ"))
    _ensure_party(work, actor, Party("KZ-MOD", PartyKind.MINISTRY, "Ministry of Defence of the Republic of Kazakhstan",
                                     "Міністерство оборони Республіки Казахстан", "KZ"))
    for _, team, title, _, _, _ in PROJECTS:
        _ensure_party(work, actor, Party(team, PartyKind.INNOVATION_TEAM, f"Team of '{title}'", country="KZ",
                                         illustrative=True))
    programmes.create_programme(work, actor, park())
    innovation.open_call(work, actor, Call(
        CALL, None, CallKind.HACKATHON, "Defense Tech Hub hackathon: video surveillance, satellite solutions, data",
        date(2025, 4, 10), date(2025, 4, 12), RUBRIC, illustrative=True, programme=PARK))
    for code, team, title, domain, trl, scores in PROJECTS:
        innovation.register_project(work, actor, Project(code, CALL, title, team, domain, trl, illustrative=True))
        for name, (need, feasibility, team_score) in zip(EXPERTS, scores, strict=True):
            innovation.declare_conflict(work, expert(name), code, conflicted=False)
            innovation.submit_review(work, expert(name), code, {"need": need, "feasibility": feasibility,
                                                                "team": team_score})
    innovation.decide_shortlist(work, actor, CALL, method=ScoringMethod.MEAN, top=2,
                                decided_by="Defense Tech IT Park selection panel", on=date(2025, 4, 20))
    for stage, trl, day, kind, title in (
            (ProjectStage.PROTOTYPE, 5, date(2025, 7, 15), EvidenceKind.TEST_REPORT, "Prototype test report"),
            (ProjectStage.PILOT_DEPLOYMENT, 7, date(2025, 11, 5), EvidenceKind.FIELD_TEST_RESULT,
             "Pilot deployment at a garrison perimeter")):
        evidence = innovation.add_evidence(work, actor, Evidence(PILOT, kind, title, f"kz-park://{PILOT}/{stage.value}",
                                                                 day))
        innovation.decide_gate(work, actor, PILOT, to=stage, decided_by="Defense Tech IT Park panel", on=day,
                               evidence=[evidence.id or 0], trl=trl)
    created.append("Kazakhstan's Defense Tech IT Park, its hackathon, and a project taken to pilot deployment")
    return 0
