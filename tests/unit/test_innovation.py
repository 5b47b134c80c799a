"""The innovation pipeline's rules: rubric scores, conflicts of interest, normalised scoring worked by hand,
stage gates that refuse a skipped stage with the rule named, a national programme's own stage list, and each
owner's gate rules (independent reviews, a shortlist first, evidence of its own) refusing with the numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from coalition.domain.contributions import Earmark
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated
from coalition.domain.innovation import (
    Call,
    CallKind,
    ConflictDeclaration,
    Criterion,
    GateAuthority,
    GateFacts,
    GateRules,
    Programme,
    Project,
    ProjectDomain,
    ProjectStage,
    Review,
    Rubric,
    ScoringMethod,
    Shortlist,
    aggregate,
    check_gate,
    check_reviewer,
    counted_reviews,
    withdrawn_by,
)

AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
RUBRIC = Rubric((Criterion("impact", "Operational impact", Decimal("0.6")),
                 Criterion("feasibility", "Feasibility", Decimal("0.4"))))


def review(project: str, reviewer: str, impact: int, feasibility: int) -> Review:
    return Review(project, reviewer, {"impact": impact, "feasibility": feasibility}, "", AT)


def test_a_review_scores_every_criterion_on_its_scale() -> None:
    assert RUBRIC.weighted({"impact": 4, "feasibility": 6}) == Decimal("4.8")
    with pytest.raises(InvalidInput, match="criterion feasibility is not scored"):
        RUBRIC.weighted({"impact": 4})
    with pytest.raises(InvalidInput, match="11 is not a whole score from 1 to 10") as refused:
        RUBRIC.weighted({"impact": 11, "feasibility": 6})
    assert refused.value.field == "scores.impact"
    with pytest.raises(InvalidInput, match="no criterion speed"):
        RUBRIC.weighted({"impact": 4, "feasibility": 6, "speed": 3})


def test_normalised_scores_match_the_worked_example() -> None:
    # Weighted means (0.6 impact + 0.4 feasibility):
    #   harsh reviewer A:   P1 4.8, P2 2.0            -> mean 3.4, deviation 1.4   -> z  +1, -1
    #   lenient reviewer B: P1 9.0, P2 7.6, P3 10.0   -> mean 8.8667, deviation 0.98432
    #                                                 -> z +0.135457, -1.286842, +1.151385
    #   reviewer C:         P3 6.0 (one review: no spread) -> z 0
    # Mean:       P1 (4.8 + 9.0) / 2 = 6.9,  P2 (2.0 + 7.6) / 2 = 4.8,  P3 (10.0 + 6.0) / 2 = 8.0
    # Normalised: P1 (1 + 0.135457) / 2 = 0.5677,  P2 (-1 - 1.286842) / 2 = -1.1434,  P3 (1.151385 + 0) / 2 = 0.5757
    reviews = [review("P1", "a", 4, 6), review("P2", "a", 2, 2), review("P1", "b", 9, 9), review("P2", "b", 8, 7),
               review("P3", "b", 10, 10), review("P3", "c", 6, 6)]
    by_mean = aggregate(RUBRIC, reviews, ScoringMethod.MEAN)
    assert [(s.project, s.mean) for s in by_mean] == [("P3", Decimal("8.0000")), ("P1", Decimal("6.9000")),
                                                      ("P2", Decimal("4.8000"))]
    by_z = {s.project: s.normalised for s in aggregate(RUBRIC, reviews, ScoringMethod.NORMALISED)}
    assert by_z == {"P1": Decimal("0.5677"), "P2": Decimal("-1.1434"), "P3": Decimal("0.5757")}


def test_normalising_corrects_a_harsh_and_a_lenient_reviewer() -> None:
    one = Rubric((Criterion("merit", "Merit", Decimal(1)),))
    reviews = [Review("X", "harsh", {"merit": 5}, "", AT), Review("Y", "harsh", {"merit": 3}, "", AT),
               Review("Y", "lenient", {"merit": 10}, "", AT), Review("Z", "lenient", {"merit": 8}, "", AT)]
    assert [s.project for s in aggregate(one, reviews, ScoringMethod.MEAN)] == ["Z", "Y", "X"]
    assert [s.project for s in aggregate(one, reviews, ScoringMethod.NORMALISED)] == ["X", "Y", "Z"]


def test_a_conflicted_reviewer_is_refused_and_every_reviewer_declares_first() -> None:
    declared = [ConflictDeclaration("P1", "expert-1", True, "advised the team in 2025", AT),
                ConflictDeclaration("P1", "expert-2", False, "", AT)]
    with pytest.raises(InvariantViolated, match="declared a conflict of interest with P1") as refused:
        check_reviewer("P1", "expert-1", declared, [])
    assert refused.value.field == "reviewer"
    with pytest.raises(InvariantViolated, match="has not declared"):
        check_reviewer("P1", "expert-3", declared, [])
    check_reviewer("P1", "expert-2", declared, [])
    with pytest.raises(InvariantViolated, match="already reviewed"):
        check_reviewer("P1", "expert-2", declared, [review("P1", "expert-2", 5, 5)])
    later = [*declared, ConflictDeclaration("P1", "expert-2", True, "joined the team", AT.replace(day=2))]
    with pytest.raises(InvariantViolated, match="joined the team"):
        check_reviewer("P1", "expert-2", later, [])


def project(stage: ProjectStage) -> Project:
    return Project("DRN-7", "call-1", "Mesh radio relay", "TEAM-7", ProjectDomain.TELECOMMUNICATIONS, 4,
                   stage=stage)


REVIEWED = GateFacts(reviews=2, shortlisted=True, first_gate=False)
PARK_STAGES = (ProjectStage.IDEA, ProjectStage.PROTOTYPE, ProjectStage.PILOT_DEPLOYMENT)


def test_a_stage_skip_is_refused_with_the_rule_named() -> None:
    with pytest.raises(InvariantViolated, match="would skip field-test: a project passes every stage gate in turn"):
        check_gate(project(ProjectStage.PROTOTYPE), ProjectStage.PILOT_DEPLOYMENT, GateAuthority.PANEL, [1], None,
                   facts=REVIEWED)
    with pytest.raises(InvariantViolated, match="needs its evidence"):
        check_gate(project(ProjectStage.PROTOTYPE), ProjectStage.FIELD_TEST, GateAuthority.PANEL, [], None,
                   facts=REVIEWED)
    with pytest.raises(InvariantViolated, match="decided by the steering group"):
        check_gate(project(ProjectStage.PROTOTYPE), ProjectStage.FIELD_TEST, GateAuthority.STEERING_GROUP, [1], None,
                   facts=REVIEWED)
    with pytest.raises(InvariantViolated, match="can move to archived, not prototype"):
        check_gate(project(ProjectStage.REJECTED), ProjectStage.PROTOTYPE, GateAuthority.PANEL, [1], None,
                   facts=REVIEWED)
    check_gate(project(ProjectStage.PROTOTYPE), ProjectStage.FIELD_TEST, GateAuthority.PANEL, [1], None,
               facts=REVIEWED)
    check_gate(project(ProjectStage.FIELD_TEST), ProjectStage.REJECTED, GateAuthority.PANEL, [], None)


def test_a_programme_runs_its_own_stage_list_and_skips_none_of_it() -> None:
    park = Programme("kz-park", "Defense Tech IT Park", "KZ", (ProjectDomain.DATA_ANALYTICS,), PARK_STAGES)
    assert park.stages == PARK_STAGES
    check_gate(project(ProjectStage.PROTOTYPE), ProjectStage.PILOT_DEPLOYMENT, GateAuthority.PANEL, [1], None,
               stages=park.stages, facts=REVIEWED)  # the park has no field test: the next stage is the pilot
    with pytest.raises(InvariantViolated, match="moving to pilot-deployment would skip prototype"):
        check_gate(project(ProjectStage.IDEA), ProjectStage.PILOT_DEPLOYMENT, GateAuthority.PANEL, [1], None,
                   stages=park.stages, facts=REVIEWED)
    with pytest.raises(InvariantViolated, match="field-test is not a stage of this owner's pipeline") as refused:
        check_gate(project(ProjectStage.PROTOTYPE), ProjectStage.FIELD_TEST, GateAuthority.PANEL, [1], None,
                   stages=park.stages, facts=REVIEWED)
    assert refused.value.field == "stage"
    with pytest.raises(InvalidInput, match="follows the order idea, prototype") as wrong:
        Programme("kz-park", "Park", "KZ", (ProjectDomain.DATA_ANALYTICS,),
                  (ProjectStage.IDEA, ProjectStage.PILOT_DEPLOYMENT, ProjectStage.PROTOTYPE))
    assert wrong.value.field == "stages"
    with pytest.raises(InvalidInput, match="starts with idea"):
        Programme("kz-park", "Park", "KZ", (ProjectDomain.DATA_ANALYTICS,), (ProjectStage.PROTOTYPE,))
    with pytest.raises(InvalidInput, match="at least one area"):
        Programme("kz-park", "Park", "KZ", (), PARK_STAGES)


def test_a_call_belongs_to_a_coalition_or_to_a_programme_and_a_programme_has_no_steering_group() -> None:
    call = Call("kz-hack", None, CallKind.HACKATHON, "Hackathon", date(2026, 1, 1), date(2026, 1, 2), RUBRIC,
                programme="kz-park")
    assert call.owner == "kz-park" and call.coalition is None
    with pytest.raises(InvalidInput, match="exactly one of them"):
        Call("x", "it", CallKind.CALL, "Call", date(2026, 1, 1), date(2026, 1, 2), RUBRIC, programme="kz-park")
    with pytest.raises(InvalidInput, match="exactly one of them"):
        Call("x", None, CallKind.CALL, "Call", date(2026, 1, 1), date(2026, 1, 2), RUBRIC)
    with pytest.raises(InvalidInput, match="a programme has no steering group") as refused:
        Call("x", None, CallKind.CALL, "Call", date(2026, 1, 1), date(2026, 1, 2), RUBRIC,
             gate_authority=GateAuthority.STEERING_GROUP, programme="kz-park")
    assert refused.value.field == "gate_authority"


def test_a_project_with_no_reviews_passes_no_gate_and_the_refusal_gives_the_numbers() -> None:
    rules = GateRules(min_reviews=2)
    with pytest.raises(InvariantViolated, match=r"DRN-7 has 0 independent review\(s\); passing a gate needs at "
                                                r"least 2") as refused:
        check_gate(project(ProjectStage.IDEA), ProjectStage.PROTOTYPE, GateAuthority.PANEL, [1], None, rules=rules,
                   facts=GateFacts(0, True, True))
    assert refused.value.field == "reviews"
    with pytest.raises(InvariantViolated, match=r"has 1 independent review\(s\); passing a gate needs at least 2"):
        check_gate(project(ProjectStage.IDEA), ProjectStage.PROTOTYPE, GateAuthority.PANEL, [1], None, rules=rules,
                   facts=GateFacts(1, True, True))
    with pytest.raises(InvariantViolated, match="passing a gate needs at least 1"):  # even with no rules set
        check_gate(project(ProjectStage.IDEA), ProjectStage.PROTOTYPE, GateAuthority.PANEL, [1], None)
    with pytest.raises(InvalidInput, match="from 1 to 50 independent reviews") as invalid:
        GateRules(min_reviews=0)
    assert invalid.value.field == "min_reviews"


def test_a_shortlist_comes_before_the_first_gate_and_each_gate_cites_evidence_of_its_own() -> None:
    rules = GateRules(min_reviews=1, shortlist_first=True, own_evidence=True)
    with pytest.raises(InvariantViolated, match="DRN-7 is not on a shortlist of its call; the first gate needs one"):
        check_gate(project(ProjectStage.IDEA), ProjectStage.PROTOTYPE, GateAuthority.PANEL, [1], None, rules=rules,
                   facts=GateFacts(1, False, True))
    check_gate(project(ProjectStage.IDEA), ProjectStage.PROTOTYPE, GateAuthority.PANEL, [1], None, rules=rules,
               facts=GateFacts(1, True, True))
    with pytest.raises(InvariantViolated, match="evidence 1 was cited at an earlier gate of DRN-7") as reused:
        check_gate(project(ProjectStage.PROTOTYPE), ProjectStage.FIELD_TEST, GateAuthority.PANEL, [1, 2], None,
                   rules=rules, facts=GateFacts(1, True, False, frozenset({1})))
    assert reused.value.field == "evidence"
    check_gate(project(ProjectStage.PROTOTYPE), ProjectStage.FIELD_TEST, GateAuthority.PANEL, [1], None,
               rules=GateRules(own_evidence=False), facts=GateFacts(1, True, False, frozenset({1})))


def test_a_project_has_a_readiness_level_from_one_to_nine_and_a_shortlist_names_reviewed_projects() -> None:
    with pytest.raises(InvalidInput, match="10 is not a technology readiness level") as refused:
        Project("P", "call-1", "T", "TEAM", ProjectDomain.UAV, 10)
    assert refused.value.field == "trl"
    with pytest.raises(InvariantViolated, match="P9 was not reviewed"):
        Shortlist("call-1", ScoringMethod.MEAN, (("P1", Decimal("7.0")),), ("P9",), "panel", date(2026, 11, 2))


def test_a_reviewer_of_the_projects_own_team_is_conflicted_and_a_later_conflict_withdraws_a_review() -> None:
    declared = [ConflictDeclaration("P1", "expert-1", False, "", AT)]
    with pytest.raises(InvariantViolated, match="acts for TEAM-A, the team of P1"):
        check_reviewer("P1", "expert-1", declared, [], team="TEAM-A", reviewer_party="TEAM-A")
    reviews = [review("P1", "expert-1", 9, 9), review("P1", "expert-2", 5, 5)]
    later = [*declared, ConflictDeclaration("P1", "expert-1", True, "joined the team", AT)]  # same moment, later
    assert [r.reviewer for r in counted_reviews(reviews, later)] == ["expert-2"]
    assert [r.reviewer for r in counted_reviews(reviews, declared)] == ["expert-1", "expert-2"]


def test_a_conflict_declared_after_reviewing_withdraws_the_review_only_when_confirmed_and_before_a_shortlist() -> None:
    call = Call("call-1", "it", CallKind.CALL, "Call", date(2026, 1, 1), date(2026, 1, 31), RUBRIC)
    none = [ConflictDeclaration("P1", "expert-1", False, "", AT)]
    reviews = [review("P1", "expert-1", 9, 9), review("P1", "expert-2", 5, 5)]
    conflict = ConflictDeclaration("P1", "expert-1", True, "joined the team", AT)
    shortlist = Shortlist("call-1", ScoringMethod.MEAN, (("P1", Decimal("7.0")),), ("P1",), "panel", date(2026, 3, 2))

    def declare(declaration: ConflictDeclaration, *, shortlists: tuple[Shortlist, ...] = (),
                declared: list[ConflictDeclaration] = none, withdraw: bool = False) -> Review | None:
        return withdrawn_by(declaration, call, reviews=reviews, declarations=declared, shortlists=shortlists,
                            withdraw=withdraw)

    with pytest.raises(Conflict, match="withdraws your review of it and changes the normalised score") as asked:
        declare(conflict)
    assert asked.value.field == "withdraw"
    assert declare(conflict, withdraw=True) == reviews[0]  # after the call closed too: reviews come after it
    with pytest.raises(InvariantViolated, match="fixed by the shortlist decided on 2026-03-02") as fixed:
        declare(conflict, shortlists=(shortlist,), withdraw=True)
    assert fixed.value.field == "conflicted"
    with pytest.raises(InvariantViolated, match="a withdrawn review is not restored"):
        declare(ConflictDeclaration("P1", "expert-1", False, "", AT), declared=[*none, conflict])
    # what changes no review that counts is recorded, shortlist or not: no review yet, or the same answer again
    assert declare(ConflictDeclaration("P1", "expert-3", True, "mentor", AT), shortlists=(shortlist,)) is None
    assert declare(ConflictDeclaration("P1", "expert-1", False, "", AT), shortlists=(shortlist,)) is None
    assert declare(conflict, declared=[*none, conflict], shortlists=(shortlist,)) is None


def test_money_for_a_grant_is_unearmarked_or_covers_every_area_of_the_call() -> None:
    call = Call("c", "it", CallKind.CALL, "Call", date(2026, 1, 1), date(2026, 1, 2), RUBRIC,
                areas=("communications", "cloud"))
    below = {"c2": {"c2", "communications", "cloud"}, "communications": {"communications"}, "cloud": {"cloud"}}
    assert call.may_be_funded_by(Earmark.parse("none"), below)
    assert call.may_be_funded_by(Earmark.parse("areas:communications,cloud"), below)
    assert call.may_be_funded_by(Earmark.parse("areas:c2"), below)  # a parent area covers those below it
    assert not call.may_be_funded_by(Earmark.parse("areas:communications"), below)
    assert not call.may_be_funded_by(Earmark.parse("route:agency"), below)
