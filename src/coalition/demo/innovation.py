"""The demo's innovation pipeline of the IT Coalition: its own innovation challenge (the coalition's area of
innovative solutions) with Ukrainian teams, reviewed by three experts (one declares a conflict), shortlisted,
one project taken through every stage gate to adoption under the coalition's gate rules with a grant from the
coalition's fund paid in tranches, then financed directly for the security operations centre. Kazakhstan's
defence-tech park is not the coalition's: it is a national programme of its own (``demo/programmes.py``).
Everything about the challenge is illustrative; it runs again without adding anything.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coalition.demo.procurement import decided_at_meeting
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.contributions import Contribution, ContributionKind, Earmark, FundingRoute
from coalition.domain.delivery import Condition, ShipmentState, UnitReceipt
from coalition.domain.errors import NotFound
from coalition.domain.innovation import (
    Call,
    CallKind,
    Criterion,
    Evidence,
    EvidenceKind,
    GateRules,
    Milestone,
    Project,
    ProjectDomain,
    ProjectGrant,
    ProjectStage,
    Rubric,
    ScoringMethod,
    grant_payload,
)
from coalition.domain.money import Money
from coalition.domain.party import Party, PartyKind
from coalition.domain.procurement import ContractLine, ProcurementCase
from coalition.domain.steering import ProposalKind
from coalition.services import delivery, funding, innovation, programmes, registry
from coalition.services.ports import UnitOfWork
from coalition.services.procurement import cases, contracts

IT = "it-coalition"
CALL = "it-innovation-challenge-2025"
EARLIER_CALL = "it-park-hackathon-2025"  # the same challenge, as databases built before programmes named it
WINNER = "ITC-SOC-ANALYTICS"
RULES = GateRules(min_reviews=2, shortlist_first=True, own_evidence=True)
EXPERTS = ("expert-1", "expert-2", "expert-3")
RUBRIC = Rubric((Criterion("impact", "Operational impact", Decimal("0.5")),
                 Criterion("feasibility", "Technical feasibility", Decimal("0.3")),
                 Criterion("team", "Team and delivery capacity", Decimal("0.2"))))
# project, team, title, domain, readiness level, scores by expert 1, 2, 3 (impact, feasibility, team)
PROJECTS = (
    ("ITC-MESH-RELAY", "UA-TEAM-MESHLINK", "Mesh radio relay for command posts", ProjectDomain.TELECOMMUNICATIONS,
     4, ((6, 6, 5), (9, 8, 8), None)),
    (WINNER, "UA-TEAM-SIGNALSENSE", "Security analytics for the operations centre", ProjectDomain.DATA_ANALYTICS,
     5, ((7, 7, 7), (10, 9, 9), (8, 8, 8))),
    ("ITC-VIDEO-EDGE", "UA-TEAM-OKO", "Edge video analytics for perimeter surveillance",
     ProjectDomain.VIDEO_SURVEILLANCE, 3, ((5, 6, 6), (8, 8, 7), (7, 6, 7))),
    ("ITC-SAT-LINK", "UA-TEAM-ORBITA", "Satellite backhaul for deployable cloud nodes",
     ProjectDomain.SATELLITE_SOLUTIONS, 3, ((4, 5, 6), None, (6, 5, 6))),
    ("ITC-DIGITAL-TWIN", "UA-UNI-KPI-LAB", "Digital twin of a command post network (student team)",
     ProjectDomain.DIGITAL_TECHNOLOGIES, 2, ((5, 4, 4), (7, 7, 6), (5, 5, 5))),
)
CONFLICTED = ("expert-2", "ITC-SAT-LINK", "advised the ORBITA team in 2024")


def showcase(work: UnitOfWork, actor: Actor) -> tuple[str, str]:
    """The challenge's call and its adopted project, as this database names them (before programmes, they were
    recorded as the park's hackathon and its PARK- projects, and the record keeps them so)."""
    codes = {c.code for c in innovation.list_calls(work, actor, IT)}
    return (CALL, WINNER) if CALL in codes or EARLIER_CALL not in codes else (EARLIER_CALL, "PARK-SOC-ANALYTICS")


def expert(name: str) -> Actor:
    return Actor(name, None, frozenset({Grant(Role.EXPERT_REVIEWER, IT)}))


def build_demo_innovation(work: UnitOfWork, actor: Actor, created: list[str]) -> int:
    """Create the coalition's innovation challenge and what followed, unless it exists; return 1 if it was there."""
    if any(c.code in (CALL, EARLIER_CALL) for c in innovation.list_calls(work, actor, IT)):
        return 1
    for _, team, title, _, _, _ in PROJECTS:
        try:
            registry.get_party(work, actor, team)
        except NotFound:
            registry.register_party(work, actor, Party(team, PartyKind.INNOVATION_TEAM, f"Team of '{title}'",
                                                       country="UA", illustrative=True))
    programmes.set_gate_rules(work, actor, RULES, coalition=IT)
    innovation.open_call(work, actor, Call(
        CALL, IT, CallKind.HACKATHON, "IT Coalition innovation challenge: communications, cloud and cybersecurity",
        date(2025, 3, 1), date(2025, 3, 3), RUBRIC, areas=("communications", "cloud", "cybersecurity"),
        illustrative=True))
    for code, team, title, domain, trl, _ in PROJECTS:
        innovation.register_project(work, actor, Project(code, CALL, title, team, domain, trl, illustrative=True))
    who, conflicted_with, why = CONFLICTED
    innovation.declare_conflict(work, expert(who), conflicted_with, conflicted=True, note=why)
    for code, _, _, _, _, scores in PROJECTS:
        for name, given in zip(EXPERTS, scores, strict=True):
            if given is None:
                continue
            innovation.declare_conflict(work, expert(name), code, conflicted=False)
            impact, feasibility, team_score = given
            innovation.submit_review(work, expert(name), code, {"impact": impact, "feasibility": feasibility,
                                                                "team": team_score})
    innovation.decide_shortlist(work, actor, CALL, method=ScoringMethod.NORMALISED, top=2,
                                decided_by="IT Coalition selection panel", on=date(2025, 3, 10),
                                note="Scores normalised per reviewer")
    _take_to_adoption(work, actor)
    created.append("the IT Coalition's innovation challenge, its reviews, a project adopted and financed")
    return 0


def _take_to_adoption(work: UnitOfWork, actor: Actor) -> None:
    eur = "EUR"
    funding.record_contribution(work, actor, Contribution(
        ContributionKind.RECEIPT, IT, "it-coalition-fund", "EE", Money.parse("250000.00", eur), date(2025, 3, 20),
        Earmark.parse("areas:communications,cloud,cybersecurity"), external_ref="EE-ITC-2025", illustrative=True))
    grant = ProjectGrant(
        "ITC-GRANT-1", WINNER, "it-coalition-fund", Money.parse("200000.00", eur), (
            Milestone(1, "Working prototype", Money.parse("60000.00", eur)),
            Milestone(2, "Field test passed", Money.parse("80000.00", eur)),
            Milestone(3, "Pilot deployment", Money.parse("60000.00", eur))), date(2025, 3, 25), "steering group")
    decided_at_meeting(work, actor, IT, date(2025, 3, 25), "Steering-group meeting on the innovation challenge "
                       "(illustrative)", [(ProposalKind.AWARD_GRANT, "Grant to the shortlisted security analytics",
                                          grant_payload(grant))])
    steps = (
        (ProjectStage.PROTOTYPE, 6, date(2025, 5, 20), EvidenceKind.TEST_REPORT, "Laboratory test report", 1),
        (ProjectStage.FIELD_TEST, 7, date(2025, 8, 12), EvidenceKind.FIELD_TEST_RESULT,
         "Field test with a tactical unit's network", 2),
        (ProjectStage.PILOT_DEPLOYMENT, 8, date(2025, 10, 1), EvidenceKind.DOCUMENT, "Pilot deployment plan", 3),
    )
    for stage, trl, day, kind, title, milestone in steps:
        evidence = innovation.add_evidence(work, actor, Evidence(WINNER, kind, title, f"itc://{WINNER}/{stage.value}",
                                                                 day))
        innovation.decide_gate(work, actor, WINNER, to=stage, decided_by="IT Coalition innovation panel", on=day,
                               evidence=[evidence.id or 0], trl=trl)
        innovation.pay_grant(work, actor, grant.code, milestone=milestone, amount=grant.milestone(milestone).amount,
                             paid_on=day)
    report = innovation.add_evidence(work, actor, Evidence(
        WINNER, EvidenceKind.DOCUMENT, "Pilot report: the operations centre's analysts adopt the tool",
        f"itc://{WINNER}/pilot-report", date(2025, 12, 15)))
    innovation.decide_gate(work, actor, WINNER, to=ProjectStage.ADOPTED, decided_by="IT Coalition innovation panel",
                           on=date(2025, 12, 18), evidence=[report.id or 0], trl=9)
    cases.open_case(work, actor, ProcurementCase(
        "IT-SOC-DIRECT", IT, FundingRoute.DIRECT_INDUSTRY,
        "Security operations centre tooling from the challenge's team",
        ("CYBER-SOC-03",), "UA-MOD", date(2026, 1, 12), illustrative=True))
    innovation.bridge_to_procurement(work, actor, WINNER, "IT-SOC-DIRECT", on=date(2026, 1, 12))
    decided_at_meeting(work, actor, IT, date(2026, 1, 20),
                       "Steering-group meeting on the challenge's results (illustrative)",
                       [(ProposalKind.APPROVE_ROUTE, "Finance the adopted security analytics directly",
                         {"case": "IT-SOC-DIRECT"})])
    contracts.sign_contract(work, actor, code="UA-MOD-SOC-0001", case="IT-SOC-DIRECT",
                            supplier="UA-TEAM-SIGNALSENSE", signed_on=date(2026, 2, 2), lines=(
                                ContractLine(1, "CYBER-SOC-03", 1, Money.parse("3200000.00", eur)),),
                            illustrative=True)
    shipment = delivery.ship(work, actor, contract="UA-MOD-SOC-0001", line=1, quantity=1, on=date(2026, 4, 1))
    for state, day in ((ShipmentState.IN_TRANSIT, date(2026, 4, 2)), (ShipmentState.ARRIVED, date(2026, 4, 6))):
        delivery.advance_shipment(work, actor, shipment.id or 0, state, on=day)
    delivery.confirm_receipt(work, actor, UnitReceipt(shipment.id or 0, "UA-TU-1", 1, Condition.NEW, True,
                                                      date(2026, 4, 8), "Col. Hrytsenko (illustrative)"))
