"""The innovation pipeline's write port (``InnovationRepository``), the same on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

from coalition.domain.contributions import FundingRoute
from coalition.domain.innovation import (
    Call,
    CallKind,
    ConflictDeclaration,
    Criterion,
    Evidence,
    EvidenceKind,
    GateAuthority,
    GateDecision,
    GateRules,
    GrantPayment,
    Milestone,
    Programme,
    Project,
    ProjectDomain,
    ProjectGrant,
    ProjectStage,
    Review,
    Rubric,
    ScoringMethod,
    Shortlist,
)
from coalition.domain.procurement import ProcurementCase
from tests.contract.conftest import FUND, C, Units, written
from tests.contract.test_ledger_port import eur

AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
CALL = Call("CALL-1", C, CallKind.CALL, "Radios", date(2024, 1, 1), date(2024, 2, 1),
            Rubric((Criterion("impact", "Impact", Decimal(1)),)))


def project(code: str) -> Project:
    return Project(code, "CALL-1", "Mesh radio", "SUP-A", ProjectDomain.DIGITAL_TECHNOLOGIES, 3)


def with_projects(units: Units) -> None:
    with units() as uow:
        uow.innovation.add_call(CALL)
        uow.innovation.add_project(project("P-2"))
        uow.innovation.add_project(project("P-1"))
        written(uow, "projects")


def test_calls_and_projects_read_back_and_a_stage_moves_only_from_where_it_stands(units: Units):
    with_projects(units)
    with units() as uow:
        assert uow.innovation.get_call("CALL-1") == CALL and uow.innovation.calls(C) == [CALL]
        assert uow.innovation.calls("other") == [] and uow.innovation.get_call("CALL-9") is None
        assert [p.code for p in uow.innovation.projects("CALL-1")] == ["P-1", "P-2"]
        assert uow.innovation.set_stage("P-1", ProjectStage.IDEA, ProjectStage.PROTOTYPE, 4)
        assert not uow.innovation.set_stage("P-2", ProjectStage.PROTOTYPE, ProjectStage.FIELD_TEST, 6)
        written(uow, "stage")
    with units() as uow:
        assert uow.innovation.get_project("P-1") == dataclasses.replace(project("P-1"), stage=ProjectStage.PROTOTYPE,
                                                                        trl=4)
        assert [p.code for p in uow.innovation.projects(stage=ProjectStage.IDEA)] == ["P-2"]


def test_evidence_declarations_reviews_shortlists_and_gates_keep_their_order(units: Units):
    with_projects(units)
    with units() as uow:
        evidence = uow.innovation.add_evidence(Evidence("P-1", EvidenceKind.TEST_REPORT, "Lab test", "LT-1",
                                                        date(2024, 3, 1)))
        declared = ConflictDeclaration("P-1", "reviewer-1", False, "", AT)
        uow.innovation.declare(declared)
        review = uow.innovation.add_review(Review("P-1", "reviewer-1", {"impact": 7}, "sound", AT))
        shortlist = uow.innovation.add_shortlist(Shortlist("CALL-1", ScoringMethod.MEAN, (("P-1", Decimal("7")),),
                                                           ("P-1",), "panel", date(2024, 3, 2)))
        gate = uow.innovation.add_gate(GateDecision("P-1", ProjectStage.IDEA, ProjectStage.PROTOTYPE,
                                                    GateAuthority.PANEL, "panel", date(2024, 3, 3),
                                                    (evidence.id or 0,)))
        written(uow, "pipeline")
    with units() as uow:
        assert evidence.id is not None and uow.innovation.evidence("P-1") == [evidence]
        assert uow.innovation.get_evidence(evidence.id) == evidence
        assert uow.innovation.get_evidence(evidence.id + 99) is None
        assert uow.innovation.declarations(["P-1", "P-2"]) == [declared]
        assert review.id is not None and uow.innovation.reviews(["P-1"]) == [review]
        assert uow.innovation.reviews(["P-2"]) == []
        assert shortlist.id is not None and uow.innovation.shortlists("CALL-1") == [shortlist]
        assert gate.id is not None and uow.innovation.gates("P-1") == [gate]


def test_a_grant_keeps_its_payments_and_a_project_its_cases(units: Units):
    with_projects(units)
    grant = ProjectGrant("G-1", "P-1", FUND, eur("1000"), (Milestone(1, "Prototype", eur("1000")),),
                         date(2024, 4, 1), "panel")
    with units() as uow:
        uow.innovation.add_grant(grant, C)
        paid = uow.innovation.add_grant_payment(GrantPayment("G-1", 1, eur("400"), date(2024, 4, 2), "TR-1"))
        for code in ("CASE-B", "CASE-A"):
            uow.procurement.add_case(ProcurementCase(code, C, FundingRoute.DIRECT_INDUSTRY, "Radios", ("R-1",),
                                                     "UA-MOD", date(2024, 4, 1)))
            uow.innovation.link_case("P-1", code, date(2024, 4, 3))
        written(uow, "grant")
    with units() as uow:
        assert uow.innovation.get_grant("G-1") == grant and uow.innovation.grants("P-1") == [grant]
        assert paid.id is not None and uow.innovation.grant_payments("G-1") == [paid]
        assert uow.innovation.cases_of("P-1") == ["CASE-A", "CASE-B"]
        assert uow.innovation.projects_of_case("CASE-A") == ["P-1"]


def test_a_programme_owns_its_calls_and_every_owner_keeps_its_gate_rules(units: Units):
    rules = GateRules(min_reviews=2, shortlist_first=True, own_evidence=True)
    park = Programme("park", "Defense-tech park", "UA", (ProjectDomain.DATA_ANALYTICS, ProjectDomain.UAV),
                     (ProjectStage.IDEA, ProjectStage.PROTOTYPE, ProjectStage.PILOT_DEPLOYMENT), rules,
                     run_by="UA-MOD", place="Kyiv", since=2022)
    hackathon = Call("HACK-1", None, CallKind.HACKATHON, "Hackathon", date(2024, 5, 1), date(2024, 5, 2),
                     Rubric((Criterion("impact", "Impact", Decimal(1)),)), programme="park")
    with units() as uow:
        uow.innovation.add_call(CALL)
        uow.innovation.add_programme(park)
        uow.innovation.add_call(hackathon)
        uow.innovation.set_gate_rules("coalition", C, GateRules(3))
        written(uow, "programme")
    with units() as uow:
        assert uow.innovation.get_programme("park") == park and uow.innovation.programmes() == [park]
        assert uow.innovation.get_programme("other") is None
        assert uow.innovation.get_call("HACK-1") == hackathon
        assert uow.innovation.calls(programme="park") == [hackathon] and uow.innovation.calls(C) == [CALL]
        assert uow.innovation.gate_rules("programme", "park") == rules
        assert uow.innovation.gate_rules("coalition", C) == GateRules(3)
        assert uow.innovation.gate_rules("coalition", "other") is None
        uow.innovation.set_gate_rules("programme", "park", GateRules(1))
        written(uow, "rules")
    with units() as uow:
        assert uow.innovation.get_programme("park") == dataclasses.replace(park, gate_rules=GateRules(1))


def test_a_gate_keeps_the_time_it_was_recorded(units: Units):
    with_projects(units)
    with units() as uow:
        gate = uow.innovation.add_gate(GateDecision("P-1", ProjectStage.IDEA, ProjectStage.PROTOTYPE,
                                                    GateAuthority.PANEL, "panel", date(2024, 3, 3), (),
                                                    recorded_at=AT))
        written(uow, "gate")
    with units() as uow:
        assert uow.innovation.gates("P-1") == [gate] and gate.recorded_at == AT
