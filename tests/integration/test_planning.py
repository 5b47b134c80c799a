"""From requirements to reserved money: lifecycle, priority lists, plans, reservations, releases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from coalition.adapters.planning_store import ranks_digest
from coalition.bootstrap import Platform
from coalition.domain.allocation import Policy
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Earmark
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, NotFound
from coalition.domain.ledger import EntryKind, Measure
from coalition.domain.money import Money
from coalition.domain.requirements import Requirement, RequirementStatus
from coalition.domain.taxonomy import CapabilityArea
from coalition.services import funding, planning
from coalition.services.views import funding as funding_views
from coalition.services.views import ledger as ledger_views
from coalition.services.views import priorities as priority_views
from tests.demo_copies import give_demo_world
from tests.integration.helpers import allow_secretariat_approval

IT, FUND = "it-coalition", "it-coalition-fund"


@pytest.fixture
def world(platform: Platform) -> Platform:
    give_demo_world(platform, procurement=False)
    allow_secretariat_approval(platform, IT)
    return platform


def receive(platform: Platform, donor: str, amount: str, earmark: str = "none") -> Contribution:
    return funding.record_contribution(platform.uow(), platform.operator(), Contribution(
        ContributionKind.RECEIPT, IT, FUND, donor, Money.parse(amount, "EUR"), date(2024, 7, 1),
        Earmark.parse(earmark), Confidentiality()))


def reserved(platform: Platform) -> dict[str, Money]:
    found = priority_views.coverage(platform.uow(), platform.operator(), IT)
    return {r.requirement.code: r.reserved for r in found.ranks}


def test_the_lifecycle_allows_only_declared_moves(world: Platform):
    planning.add_requirement(world.uow(), world.operator(), Requirement(
        "EW-07", IT, "UA-MOD", "Jammers", "electronic-warfare", 10, "piece", Money.parse("1000.00", "EUR")))
    with pytest.raises(InvariantViolated, match="EW-07 is draft; it can move to cancelled, submitted, not validated"):
        planning.change_requirement_status(world.uow(), world.operator(), "EW-07", RequirementStatus.VALIDATED)
    planning.change_requirement_status(world.uow(), world.operator(), "EW-07", RequirementStatus.SUBMITTED)
    _, history = planning.requirement_history(world.uow(), world.operator(), "EW-07")
    assert [(f, t) for f, t, _, _ in history] == [(None, "draft"), ("draft", "submitted")]


def test_a_priority_list_ranks_only_known_ready_requirements(world: Platform):
    with pytest.raises(InvalidInput, match="rank 2: no requirement 'NOPE'"):
        planning.submit_priority_list(world.uow(), world.operator(), coalition=IT, ranks=["CP-KIT-01", "NOPE"],
                                      submitted_by="UA-MOD", on=date(2024, 7, 1))
    planning.add_requirement(world.uow(), world.operator(), Requirement(
        "EW-07", IT, "UA-MOD", "Jammers", "electronic-warfare", 10, "piece", Money.parse("1000.00", "EUR")))
    with pytest.raises(InvariantViolated, match="EW-07 is draft and cannot be ranked"):
        planning.submit_priority_list(world.uow(), world.operator(), coalition=IT, ranks=["EW-07"],
                                      submitted_by="UA-MOD", on=date(2024, 7, 1))
    with pytest.raises(InvalidInput, match="ranked twice"):
        planning.submit_priority_list(world.uow(), world.operator(), coalition=IT, ranks=["SW-06", "SW-06"],
                                      submitted_by="UA-MOD", on=date(2024, 7, 1))


def test_versions_stay_readable_and_only_approval_activates(world: Platform):
    versions = priority_views.priority_lists(world.uow(), world.operator(), IT)
    assert [(v.version, v.state.value) for v in versions] == [(1, "approved"), (2, "submitted")]
    assert priority_views.coverage(world.uow(), world.operator(), IT).version == 1
    moves = {m.requirement: m.change for m in priority_views.priority_diff(world.uow(), world.operator(), IT, 1, 2)}
    assert moves["CYBER-SOC-03"] == "up 1" and moves["CP-RADIO-02"] == "down 1"
    planning.approve_priority_list(world.uow(), world.operator(), coalition=IT, version=2,
                                   approved_by="steering-group", on=date(2024, 6, 20))
    assert priority_views.coverage(world.uow(), world.operator(), IT).version == 2
    with pytest.raises(Conflict, match="already approved"):
        planning.approve_priority_list(world.uow(), world.operator(), coalition=IT, version=2,
                                       approved_by="steering-group", on=date(2024, 6, 21))


def test_a_version_is_read_again_by_the_digest_of_its_ranks_and_a_digest_that_does_not_match_is_named(
        world: Platform):
    """Readers know a version they built before by its row and the stored digest of its ranks, without reading
    the ranks again; the digest is checked against the ranks whenever they are read."""
    first = priority_views.priority_lists(world.uow(), world.operator(), IT)
    assert priority_views.priority_lists(world.uow(), world.operator(), IT) == first
    with world.engine.begin() as connection:
        stored = connection.execute(sa.text("select version, ranks_sha256 from priority_lists where coalition = :c "
                                            "order by version"), {"c": IT}).all()
        assert [digest for _, digest in stored] == [ranks_digest(v.ranks) for v in first]
        connection.execute(sa.text("update priority_lists set ranks_sha256 = :d where coalition = :c and version = 2"),
                           {"d": "0" * 64, "c": IT})
    with pytest.raises(InvariantViolated, match=f"priority list {IT} v2 do not match their stored digest"):
        priority_views.priority_lists(world.uow(), world.operator(), IT)


def test_every_page_of_the_coverage_names_the_same_next_short_requirement(world: Platform):
    def check_every_page() -> int:
        whole = priority_views.coverage(world.uow(), world.operator(), IT)
        first_short = next(r for r in whole.ranks if not r.missing.is_zero())
        assert whole.next_short is not None and whole.next_short.requirement.code == first_short.requirement.code
        for offset in range(whole.total_ranks):
            for limit in range(1, whole.total_ranks + 1):
                page = priority_views.coverage(world.uow(), world.operator(), IT, offset=offset, limit=limit)
                assert [r.rank for r in page.ranks] == [r.rank for r in whole.ranks[offset:offset + limit]]
                assert page.next_short == whole.next_short, (offset, limit)
        return first_short.rank

    assert check_every_page() == 5  # the demo plan funds the first four ranks
    ranks = [r.requirement.code for r in priority_views.coverage(world.uow(), world.operator(), IT).ranks]
    planning.submit_priority_list(world.uow(), world.operator(), coalition=IT,
                                  ranks=[ranks[0], *ranks[4:], *ranks[1:4]], submitted_by="UA-MOD",
                                  on=date(2024, 7, 2))
    planning.approve_priority_list(world.uow(), world.operator(), coalition=IT, version=3,
                                   approved_by="steering-group", on=date(2024, 7, 3))
    assert check_every_page() == 2  # a funded rank, then short ones, then funded ones again


def test_the_demo_plan_reserved_money_naming_each_donors_contribution(world: Platform):
    plan = planning.get_plan(world.uow(), world.operator(), 1)
    assert plan.state.value == "approved" and plan.priority_version == 1 and plan.ledger_position > 0
    for row in plan.requirements:
        lines = [line for line in plan.lines if line.requirement == row.requirement]
        assert sum((line.reporting for line in lines), Money.zero("EUR")) == row.funded
    for line in plan.lines:
        contribution, entries = funding.contribution_entries(world.uow(), world.operator(), line.contribution)
        assert contribution.kind is ContributionKind.RECEIPT
        assert any(e.kind is EntryKind.RESERVATION and e.debit.requirement == line.requirement
                   and e.amount == line.amount for e in entries)
    report = funding_views.funding_report(world.uow(), world.operator(), IT)
    assert report.totals[Measure.RESERVED] == sum((r.funded for r in plan.requirements), Money.zero("EUR"))
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok


def test_a_new_run_uses_only_new_money_and_never_moves_reservations(world: Platform):
    before = reserved(world)
    receive(world, "LU", "995967.74", "areas:c2")  # c2 covers its child, command posts
    plan = planning.run_allocation(world.uow(), world.operator(), IT, on=date(2024, 7, 2))
    assert {line.requirement for line in plan.lines} == {"CP-KIT-05"}
    assert plan.next_requirement is not None and plan.next_requirement.requirement == "SW-06"
    planning.approve_plan(world.uow(), world.operator(), plan.id or 0)
    after = reserved(world)
    assert after["CP-KIT-05"] == Money(Decimal("6800000.00"), "EUR")
    assert {k: v for k, v in after.items() if k != "CP-KIT-05"} == {k: v for k, v in before.items()
                                                                      if k != "CP-KIT-05"}
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok


def test_a_stale_plan_cannot_be_approved(world: Platform):
    receive(world, "LU", "500000.00")
    first = planning.run_allocation(world.uow(), world.operator(), IT)
    second = planning.run_allocation(world.uow(), world.operator(), IT)
    with pytest.raises(Conflict, match="only a proposed plan"):
        planning.approve_plan(world.uow(), world.operator(), first.id or 0)
    planning.approve_plan(world.uow(), world.operator(), second.id or 0)
    receive(world, "LU", "1.00")
    third = planning.run_allocation(world.uow(), world.operator(), IT)
    planning.release_reservation(world.uow(), world.operator(), coalition=IT, requirement="CP-KIT-05",
                                 reason="scope under review")
    with pytest.raises(Conflict, match="stale"):
        planning.approve_plan(world.uow(), world.operator(), third.id or 0)


def test_releasing_a_reservation_is_explicit_and_restores_the_money(world: Platform):
    available_before = funding_views.funding_report(world.uow(), world.operator(), IT).totals[Measure.AVAILABLE]
    count = planning.release_reservation(world.uow(), world.operator(), coalition=IT, requirement="CP-KIT-01",
                                         reason="requirement re-scoped")
    assert count >= 1
    assert reserved(world)["CP-KIT-01"].is_zero()
    available_after = funding_views.funding_report(world.uow(), world.operator(), IT).totals[Measure.AVAILABLE]
    assert available_after - available_before == Money(Decimal("5100000.00"), "EUR")
    found, history = planning.requirement_history(world.uow(), world.operator(), "CP-KIT-01")
    assert found.status is RequirementStatus.PRIORITISED and "re-scoped" in history[-1][3]
    with pytest.raises(InvariantViolated, match="nothing is reserved"):
        planning.release_reservation(world.uow(), world.operator(), coalition=IT, requirement="CP-KIT-01",
                                     reason="again")
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok


def test_strict_stops_at_the_first_requirement_it_cannot_fund_whole(world: Platform):
    receive(world, "LU", "100.00")
    plan = planning.run_allocation(world.uow(), world.operator(), IT, policy=Policy.STRICT)
    assert all(r.funded.is_zero() for r in plan.requirements)  # rank 5 cannot be completed, so nothing moves
    plan = planning.run_allocation(world.uow(), world.operator(), IT, policy=Policy.PARTIAL)
    assert [r.requirement for r in plan.requirements if not r.funded.is_zero()] == ["CP-KIT-05"]


def test_a_validating_authority_named_in_the_rules_must_approve(platform: Platform):
    from coalition.domain.coalition import Coalition, DecisionRules, Fund
    from coalition.domain.party import Party, PartyKind
    from coalition.services import registry

    actor = platform.operator()
    registry.register_party(platform.uow(), actor, Party.state("UA"))
    registry.register_party(platform.uow(), actor, Party("EUCOM", PartyKind.INTERNATIONAL_ORGANISATION,
                                                         "Validating authority"))
    registry.create_coalition(platform.uow(), actor, Coalition(
        "pkg", "Package coalition", "Air defence", "UDCG", "UA", date(2024, 1, 1), "x", "EUR",
        DecisionRules(validating_authority="EUCOM")))  # the authority's approval is the decision
    registry.add_fund(platform.uow(), actor, Fund("pkg-fund", "pkg", "Fund", "EUCOM", "EUR"))
    funding.add_capability_area(platform.uow(), actor, CapabilityArea("air-defence", "Air defence"))
    planning.add_requirement(platform.uow(), actor, Requirement(
        "AD-1", "pkg", "UA", "Interceptors", "air-defence", 2, "piece", Money.parse("1.00", "EUR"),
        status=RequirementStatus.SUBMITTED))
    planning.change_requirement_status(platform.uow(), actor, "AD-1", RequirementStatus.VALIDATED)
    planning.submit_priority_list(platform.uow(), actor, coalition="pkg", ranks=["AD-1"], submitted_by="UA",
                                  on=date(2024, 2, 1))
    with pytest.raises(InvariantViolated, match="rules name EUCOM as the validating authority"):
        planning.approve_priority_list(platform.uow(), actor, coalition="pkg", version=1,
                                       approved_by="steering-group", on=date(2024, 2, 2))
    planning.approve_priority_list(platform.uow(), actor, coalition="pkg", version=1, approved_by="EUCOM",
                                   on=date(2024, 2, 2))
    with pytest.raises(NotFound):
        priority_views.priority_diff(platform.uow(), actor, "pkg", 1, 9)


def test_a_forecast_counts_commitments_but_cannot_reserve_them(world: Platform):
    plan = planning.run_allocation(world.uow(), world.operator(), IT, include_commitments=True)
    assert plan.state.value == "forecast"
    commitment = funding.find_contribution(world.uow(), world.operator(), IT, "EE-C1")
    assert commitment is not None
    # EE committed 10,000,000 for command posts and paid 6,000,000: the other 4,000,000 goes to CP-KIT-05.
    from_commitment = [line for line in plan.lines if line.contribution == commitment.id]
    assert {line.requirement for line in from_commitment} == {"CP-KIT-05"}
    assert sum((line.amount for line in from_commitment), Money.zero("EUR")) == Money(Decimal("995967.74"), "EUR")
    with pytest.raises(Conflict, match="is a forecast"):
        planning.approve_plan(world.uow(), world.operator(), plan.id or 0)
    assert planning.run_allocation(world.uow(), world.operator(), IT).state.value == "proposed"


def test_without_a_decision_or_the_rules_allowing_it_the_secretariat_cannot_approve(platform: Platform):
    give_demo_world(platform, procurement=False)
    receive(platform, "LU", "1000.00")
    plan = planning.run_allocation(platform.uow(), platform.operator(), IT)
    with pytest.raises(InvariantViolated, match="approving an allocation plan needs a steering-group decision"):
        planning.approve_plan(platform.uow(), platform.operator(), plan.id or 0)
    with pytest.raises(InvariantViolated, match="approving a priority list needs a steering-group decision"):
        planning.approve_priority_list(platform.uow(), platform.operator(), coalition=IT, version=2,
                                       approved_by="secretariat", on=date(2024, 7, 1))


def test_the_priorities_page_of_a_coalition_whose_only_list_is_submitted_shows_that_list(world: Platform):
    actor, drone = world.operator(), "drone-coalition"
    planning.add_requirement(world.uow(), actor, Requirement(
        "UAS-01", drone, "UA-MOD", "Reconnaissance drones", "uav", 10, "piece",
        Money.parse("1000.00", "EUR"), status=RequirementStatus.SUBMITTED))
    planning.change_requirement_status(world.uow(), actor, "UAS-01", RequirementStatus.VALIDATED)
    planning.submit_priority_list(world.uow(), actor, coalition=drone, ranks=["UAS-01"], submitted_by="UA-MOD",
                                  on=date(2025, 3, 1))
    page = priority_views.priorities_page(world.uow(), actor, drone)
    assert page.shown == 1 and page.coverage is not None and page.coverage.version == 1
    assert [(v.version, v.state.value) for v in page.versions] == [(1, "submitted")]


def test_a_priority_list_is_approved_between_its_submission_and_today(world: Platform):
    with pytest.raises(InvariantViolated, match="approval on 2024-06-01 precedes submission on 2024-06-03"):
        planning.approve_priority_list(world.uow(), world.operator(), coalition=IT, version=2,
                                       approved_by="secretariat", on=date(2024, 6, 1))
    with pytest.raises(InvariantViolated, match="an act of 2999-01-01 is in the future"):
        planning.approve_priority_list(world.uow(), world.operator(), coalition=IT, version=2,
                                       approved_by="secretariat", on=date(2999, 1, 1))
