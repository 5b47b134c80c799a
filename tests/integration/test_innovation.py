"""The innovation pipeline on both databases: a call reviewed by experts (a conflicted one refused),
scores shortlisted, and a project taken through every stage gate to adoption, each refusal writing nothing."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from coalition.bootstrap import Platform
from coalition.demo.world import build_demo_world
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.contributions import Contribution, ContributionKind, Earmark, FundingRoute
from coalition.domain.delivery import Condition, ShipmentState, UnitReceipt
from coalition.domain.errors import Conflict, InvariantViolated, NotFound, PermissionDenied
from coalition.domain.innovation import (
    Call,
    CallKind,
    Criterion,
    Evidence,
    EvidenceKind,
    Milestone,
    Project,
    ProjectDomain,
    ProjectGrant,
    ProjectStage,
    Rubric,
    ScoringMethod,
    grant_payload,
)
from coalition.domain.ledger import AccountType
from coalition.domain.money import Money
from coalition.domain.party import Party, PartyKind
from coalition.domain.procurement import ContractLine, ProcurementCase
from coalition.domain.steering import Procedure, ProposalKind, Vote
from coalition.services import audit, delivery, funding, innovation, registry, steering
from coalition.services.procurement import cases, contracts
from coalition.services.views import ledger as ledger_views
from tests.integration.helpers import allow_secretariat_approval, dump

IT = "it-coalition"
RUBRIC = Rubric((Criterion("impact", "Operational impact", Decimal("0.6")),
                 Criterion("feasibility", "Feasibility", Decimal("0.4"))))


def expert(name: str) -> Actor:
    return Actor(name, None, frozenset({Grant(Role.EXPERT_REVIEWER, IT)}))


@pytest.fixture
def pipeline(platform: Platform) -> Platform:
    admin = platform.operator()
    build_demo_world(platform.uow(), admin, procurement=False)
    for code in ("TEAM-A", "TEAM-B", "TEAM-C"):
        registry.register_party(platform.uow(), admin, Party(code, PartyKind.INNOVATION_TEAM, f"Team {code}",
                                                             country="UA"))
    innovation.open_call(platform.uow(), admin, Call("park-2026", IT, CallKind.HACKATHON, "Defence-tech hackathon",
                                                     date(2026, 3, 1), date(2026, 3, 3), RUBRIC,
                                                     areas=("communications",)))
    for code, team in (("P1", "TEAM-A"), ("P2", "TEAM-B"), ("P3", "TEAM-C")):
        innovation.register_project(platform.uow(), admin, Project(code, "park-2026", f"Project {code}", team,
                                                                   ProjectDomain.TELECOMMUNICATIONS, 3))
    return platform


def review(platform: Platform, who: str, project: str, impact: int, feasibility: int) -> None:
    innovation.declare_conflict(platform.uow(), expert(who), project, conflicted=False)
    innovation.submit_review(platform.uow(), expert(who), project, {"impact": impact, "feasibility": feasibility})


def test_a_conflicted_reviewer_is_refused_and_nothing_is_written(pipeline: Platform) -> None:
    innovation.declare_conflict(pipeline.uow(), expert("a"), "P1", conflicted=True, note="mentored TEAM-A")
    before = dump(pipeline.engine)
    with pytest.raises(InvariantViolated, match="conflict of interest with P1") as refused:
        innovation.submit_review(pipeline.uow(), expert("a"), "P1", {"impact": 5, "feasibility": 5})
    assert refused.value.field == "reviewer"
    with pytest.raises(PermissionDenied):
        innovation.submit_review(pipeline.uow(), Actor("nobody"), "P1", {"impact": 5, "feasibility": 5})
    assert dump(pipeline.engine) == before


def test_scores_are_ranked_normalised_and_shortlisted(pipeline: Platform) -> None:
    for who, project, impact, feasibility in (("a", "P1", 4, 6), ("a", "P2", 2, 2), ("b", "P1", 9, 9),
                                              ("b", "P2", 8, 7), ("b", "P3", 10, 10), ("c", "P3", 6, 6)):
        review(pipeline, who, project, impact, feasibility)
    admin = pipeline.operator()
    normalised = innovation.call_scores(pipeline.uow(), admin, "park-2026", ScoringMethod.NORMALISED)
    assert [(s.project, s.normalised) for s in normalised] == [("P3", Decimal("0.5757")), ("P1", Decimal("0.5677")),
                                                               ("P2", Decimal("-1.1434"))]
    shortlist = innovation.decide_shortlist(pipeline.uow(), admin, "park-2026", method=ScoringMethod.NORMALISED,
                                            decided_by="selection panel", on=date(2026, 3, 10), top=2)
    assert shortlist.shortlisted == ("P3", "P1") and shortlist.ranking[2] == ("P2", Decimal("-1.1434"))
    with pytest.raises(PermissionDenied):
        innovation.call_scores(pipeline.uow(), Actor("anyone"), "park-2026")


def test_a_late_conflict_withdraws_a_review_only_when_confirmed_and_never_after_a_shortlist(
        pipeline: Platform) -> None:
    for who, project, impact, feasibility in (("a", "P1", 9, 9), ("a", "P2", 2, 2), ("b", "P1", 5, 5),
                                              ("b", "P2", 8, 7)):
        review(pipeline, who, project, impact, feasibility)
    admin = pipeline.operator()
    before = dump(pipeline.engine)
    with pytest.raises(Conflict, match="withdraws your review") as unconfirmed:
        innovation.declare_conflict(pipeline.uow(), expert("a"), "P1", conflicted=True, note="joined TEAM-A")
    assert unconfirmed.value.field == "withdraw" and dump(pipeline.engine) == before
    scores = innovation.call_scores(pipeline.uow(), admin, "park-2026", ScoringMethod.NORMALISED)
    innovation.declare_conflict(pipeline.uow(), expert("a"), "P1", conflicted=True, note="joined TEAM-A",
                                withdraw=True)
    record = audit.audit_log(pipeline.uow(), admin, limit=100_000).records[-1]
    assert record.action == "declare_conflict" and record.after["withdrawn_review"]["reviewer"] == "a"
    mine = innovation.own_review(pipeline.uow(), expert("a"), "P1")
    assert mine.review is not None and not mine.counts and mine.declaration is not None
    assert innovation.call_scores(pipeline.uow(), admin, "park-2026", ScoringMethod.NORMALISED) != scores
    with pytest.raises(InvariantViolated, match="not restored"):
        innovation.declare_conflict(pipeline.uow(), expert("a"), "P1", conflicted=False)
    innovation.decide_shortlist(pipeline.uow(), admin, "park-2026", method=ScoringMethod.NORMALISED,
                                decided_by="selection panel", on=date(2026, 3, 10), top=1)
    fixed = dump(pipeline.engine)
    with pytest.raises(InvariantViolated, match="fixed by the shortlist decided on 2026-03-10"):
        innovation.declare_conflict(pipeline.uow(), expert("b"), "P2", conflicted=True, note="late", withdraw=True)
    assert dump(pipeline.engine) == fixed
    assert innovation.own_review(pipeline.uow(), expert("b"), "P2").fixed_since == date(2026, 3, 10)


def evidence_for(platform: Platform, project: str, stage: ProjectStage) -> int:
    stored = innovation.add_evidence(platform.uow(), platform.operator(), Evidence(
        project, EvidenceKind.TEST_REPORT, f"Test report for {stage.value}", f"doc://tests/{project}/{stage.value}",
        date(2026, 4, 1)))
    return stored.id or 0


def test_a_project_passes_every_gate_in_turn_to_adoption(pipeline: Platform) -> None:
    admin = pipeline.operator()
    report = innovation.add_evidence(pipeline.uow(), admin, Evidence(
        "P1", EvidenceKind.TEST_REPORT, "Bench test of the relay", "doc://tests/relay-1", date(2026, 4, 1)))
    assert report.id is not None
    with pytest.raises(InvariantViolated, match=r"P1 has 0 independent review\(s\); passing a gate needs at "
                                                r"least 1"):
        innovation.decide_gate(pipeline.uow(), admin, "P1", to=ProjectStage.PROTOTYPE, decided_by="panel",
                               on=date(2026, 4, 2), evidence=[report.id])
    review(pipeline, "a", "P1", 7, 8)
    before = dump(pipeline.engine)
    with pytest.raises(InvariantViolated, match="would skip prototype, field-test") as refused:
        innovation.decide_gate(pipeline.uow(), admin, "P1", to=ProjectStage.PILOT_DEPLOYMENT, decided_by="panel",
                               on=date(2026, 4, 2), evidence=[report.id])
    assert refused.value.field == "stage"
    with pytest.raises(NotFound, match="P1 has no evidence 999"):
        innovation.decide_gate(pipeline.uow(), admin, "P1", to=ProjectStage.PROTOTYPE, decided_by="panel",
                               on=date(2026, 4, 2), evidence=[999])
    assert dump(pipeline.engine) == before
    innovation.decide_gate(pipeline.uow(), admin, "P1", to=ProjectStage.PROTOTYPE, decided_by="innovation panel",
                           on=date(2026, 4, 2), evidence=[report.id], trl=4)
    with pytest.raises(InvariantViolated, match=r"evidence \d+ was cited at an earlier gate of P1"):
        innovation.decide_gate(pipeline.uow(), admin, "P1", to=ProjectStage.FIELD_TEST, decided_by="panel",
                               on=date(2026, 4, 3), evidence=[report.id])
    with pytest.raises(InvariantViolated, match="cannot precede the day P1's previous stage move, 2026-04-02"):
        innovation.decide_gate(pipeline.uow(), admin, "P1", to=ProjectStage.FIELD_TEST, decided_by="panel",
                               on=date(2026, 4, 1), evidence=[evidence_for(pipeline, "P1", ProjectStage.FIELD_TEST)])
    for stage, trl, day in ((ProjectStage.FIELD_TEST, 6, date(2026, 4, 3)),
                            (ProjectStage.PILOT_DEPLOYMENT, 7, date(2026, 5, 4)),
                            (ProjectStage.ADOPTED, 9, date(2026, 6, 5))):
        innovation.decide_gate(pipeline.uow(), admin, "P1", to=stage, decided_by="innovation panel",
                               on=day, evidence=[evidence_for(pipeline, "P1", stage)], trl=trl)
    history = innovation.project_history(pipeline.uow(), admin, "P1")
    assert history.project.stage is ProjectStage.ADOPTED and history.project.trl == 9
    assert [(g.from_stage, g.to_stage) for g in history.gates] == [
        (ProjectStage.IDEA, ProjectStage.PROTOTYPE), (ProjectStage.PROTOTYPE, ProjectStage.FIELD_TEST),
        (ProjectStage.FIELD_TEST, ProjectStage.PILOT_DEPLOYMENT), (ProjectStage.PILOT_DEPLOYMENT, ProjectStage.ADOPTED)]
    assert history.call.code == "park-2026" and history.evidence[0] == report
    assert [g.decided_on for g in history.gates] == [date(2026, 4, 2), date(2026, 4, 3), date(2026, 5, 4),
                                                     date(2026, 6, 5)]
    assert all(g.recorded_at is not None and g.recorded_at.date() >= g.decided_on for g in history.gates)
    assert audit.verify_audit(pipeline.uow(), admin).broken_seq is None


def test_grant_tranches_never_exceed_the_award_and_name_their_donors(pipeline: Platform) -> None:
    admin = pipeline.operator()
    funding.record_contribution(pipeline.uow(), admin, Contribution(
        ContributionKind.RECEIPT, IT, "it-coalition-fund", "EE", Money.parse("300000.00", "EUR"),
        date(2026, 3, 1)))
    grant = ProjectGrant("G-P1", "P1", "it-coalition-fund", Money.parse("200000.00", "EUR"), (
        Milestone(1, "Prototype delivered", Money.parse("50000.00", "EUR")),
        Milestone(2, "Field test passed", Money.parse("150000.00", "EUR"))), date(2026, 3, 15), "innovation panel")
    with pytest.raises(InvariantViolated, match="awarding a grant is a steering-group decision") as refused:
        innovation.award_grant(pipeline.uow(), admin, grant)
    assert refused.value.field == "decision"
    allow_secretariat_approval(pipeline, IT)
    innovation.award_grant(pipeline.uow(), admin, grant)
    with pytest.raises(InvariantViolated, match="may fund park-2026's projects; the grant needs"):
        innovation.award_grant(pipeline.uow(), admin, dataclasses.replace(
            grant, code="G-BIG", amount=Money.parse("90000000.00", "EUR"),
            milestones=(Milestone(1, "All", Money.parse("90000000.00", "EUR")),)))
    innovation.pay_grant(pipeline.uow(), admin, "G-P1", milestone=1, amount=Money.parse("50000.00", "EUR"),
                         paid_on=date(2026, 4, 1))
    before = dump(pipeline.engine)
    with pytest.raises(InvariantViolated, match="milestone 1 \\(Prototype delivered\\) is worth"):
        innovation.pay_grant(pipeline.uow(), admin, "G-P1", milestone=1, amount=Money.parse("0.01", "EUR"),
                             paid_on=date(2026, 4, 2))
    with pytest.raises(InvariantViolated, match="would pay beyond the award") as refused:
        innovation.pay_grant(pipeline.uow(), admin, "G-P1", milestone=2, amount=Money.parse("150000.01", "EUR"),
                             paid_on=date(2026, 4, 2))
    assert refused.value.field == "amount"
    assert dump(pipeline.engine) == before
    innovation.pay_grant(pipeline.uow(), admin, "G-P1", milestone=2, amount=Money.parse("100000.00", "EUR"),
                         paid_on=date(2026, 6, 1))
    released = innovation.release_grant(pipeline.uow(), admin, "G-P1", reason="project withdrawn",
                                        on=date(2026, 6, 2))
    assert released == Money.parse("50000.00", "EUR")  # the unpaid rest returns to the fund
    with pytest.raises(InvariantViolated, match=r"holds 0\.00 EUR in reserve"):
        innovation.pay_grant(pipeline.uow(), admin, "G-P1", milestone=2, amount=Money.parse("1.00", "EUR"),
                             paid_on=date(2026, 6, 3))
    with pipeline.uow() as uow:
        held = uow.ledger.holdings(IT, innovation.grant_account("G-P1"), AccountType.DISBURSED)
    assert sum(units for _, _, units, _ in held) == 15_000_000  # every cent paid, each naming its contribution
    assert all(contribution for contribution, _, _, _ in held)
    assert ledger_views.check_ledger(pipeline.uow(), admin).ok


def let_the_secretariat_decide_procurement(platform: Platform) -> None:
    """The coalition changes its rules, by a decision, so procurement routes need no steering-group vote."""
    actor = platform.operator()
    found = next(c for c in registry.list_coalitions(platform.uow(), actor) if c.code == IT)
    rules = dataclasses.replace(found.rules, steering_decides_procurement=False)
    proposal = steering.open_proposal(platform.uow(), actor, coalition=IT, kind=ProposalKind.CHANGE_RULES,
                                      title="Procurement routes without a vote", payload={"rules": rules.to_data()},
                                      procedure=Procedure.WRITTEN)
    for member in registry.members_on(platform.uow(), actor, IT, platform.clock().date()):
        if member.votes:
            steering.cast_vote(platform.uow(), actor, proposal.id or 0, member.party.code, Vote.FOR)
    steering.close_proposal(platform.uow(), actor, proposal.id or 0)


def test_the_bridge_keeps_the_link_from_the_call_to_the_units_that_received_the_equipment(pipeline: Platform) -> None:
    admin = pipeline.operator()
    report = innovation.add_evidence(pipeline.uow(), admin, Evidence(
        "P1", EvidenceKind.FIELD_TEST_RESULT, "Relay field test", "doc://field/relay", date(2026, 4, 1)))
    with pytest.raises(InvariantViolated, match="only an adopted project is procured"):
        innovation.bridge_to_procurement(pipeline.uow(), admin, "P1", "CASE-P1", on=date(2026, 5, 2))
    review(pipeline, "a", "P1", 8, 8)
    for stage in (ProjectStage.PROTOTYPE, ProjectStage.FIELD_TEST, ProjectStage.PILOT_DEPLOYMENT,
                  ProjectStage.ADOPTED):
        cited = report.id if stage is ProjectStage.PROTOTYPE else evidence_for(pipeline, "P1", stage)
        innovation.decide_gate(pipeline.uow(), admin, "P1", to=stage, decided_by="panel", on=date(2026, 4, 2),
                               evidence=[cited or 0])
    let_the_secretariat_decide_procurement(pipeline)
    cases.open_case(pipeline.uow(), admin, ProcurementCase(
        "CASE-P1", IT, FundingRoute.DIRECT_INDUSTRY, "Radio relays from the hackathon's team", ("CP-RADIO-02",),
        "UA-MOD", date(2026, 5, 1)))
    cases.approve_route(pipeline.uow(), admin, "CASE-P1", on=date(2026, 5, 1))
    innovation.bridge_to_procurement(pipeline.uow(), admin, "P1", "CASE-P1", on=date(2026, 5, 2))
    line = ContractLine(1, "CP-RADIO-02", 100, Money.parse("6500.00", "EUR"))
    with pytest.raises(InvariantViolated, match="its supplier is the project's team TEAM-A, not TEAM-B"):
        contracts.sign_contract(pipeline.uow(), admin, code="K-P1", case="CASE-P1", supplier="TEAM-B",
                                signed_on=date(2026, 5, 3), lines=(line,))
    contracts.sign_contract(pipeline.uow(), admin, code="K-P1", case="CASE-P1", supplier="TEAM-A",
                            signed_on=date(2026, 5, 3), lines=(line,))
    shipment = delivery.ship(pipeline.uow(), admin, contract="K-P1", line=1, quantity=100, on=date(2026, 6, 1))
    for state in (ShipmentState.IN_TRANSIT, ShipmentState.ARRIVED):
        delivery.advance_shipment(pipeline.uow(), admin, shipment.id or 0, state, on=date(2026, 6, 3))
    delivery.confirm_receipt(pipeline.uow(), admin, UnitReceipt(shipment.id or 0, "UA-TU-1", 100, Condition.NEW,
                                                                True, date(2026, 6, 4), "Maj. Koval"))

    trail = innovation.project_trail(pipeline.uow(), admin, "P1")
    assert trail.history.call.code == "park-2026" and trail.history.project.stage is ProjectStage.ADOPTED
    assert [c.code for c in trail.cases] == ["CASE-P1"] and [k.supplier for k in trail.contracts] == ["TEAM-A"]
    radios = next(d for d in trail.deliveries if d.requirement == "CP-RADIO-02")
    assert radios.accepted == 100


def test_the_steering_groups_decision_awards_a_grant_and_only_money_for_every_area_of_the_call_funds_it(
        pipeline: Platform) -> None:
    admin = pipeline.operator()
    funding.record_contribution(pipeline.uow(), admin, Contribution(  # for one area of a call with one area
        ContributionKind.RECEIPT, IT, "it-coalition-fund", "EE", Money.parse("90000.00", "EUR"), date(2026, 3, 1),
        Earmark.parse("areas:cybersecurity")))
    grant = ProjectGrant("G-P2", "P2", "it-coalition-fund", Money.parse("80000.00", "EUR"),
                         (Milestone(1, "Prototype", Money.parse("80000.00", "EUR")),), date(2026, 3, 20), "panel")
    with pipeline.uow() as uow:
        before = sum(m.units for m in uow.ledger.available_money(IT) if m.earmark == "areas:cybersecurity")
    proposal = steering.open_proposal(pipeline.uow(), admin, coalition=IT, kind=ProposalKind.AWARD_GRANT,
                                      title="Grant to P2", payload=grant_payload(grant),
                                      procedure=Procedure.WRITTEN)
    for member in registry.members_on(pipeline.uow(), admin, IT, pipeline.clock().date()):
        if member.votes:
            steering.cast_vote(pipeline.uow(), admin, proposal.id or 0, member.party.code, Vote.FOR)
    decided = steering.close_proposal(pipeline.uow(), admin, proposal.id or 0)
    assert decided.effects == ("grant G-P2 of 80000.00 EUR awarded to P2",)
    with pipeline.uow() as uow:  # the call is for communications: money earmarked to cybersecurity stayed put
        after = sum(m.units for m in uow.ledger.available_money(IT) if m.earmark == "areas:cybersecurity")
        assert uow.innovation.get_grant("G-P2") is not None
    assert after == before
