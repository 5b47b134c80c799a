"""The planning side's write ports (capability areas, exchange rates, requirements, priority lists, allocation
plans), the same on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

from coalition.domain.allocation import Policy
from coalition.domain.contributions import ContributionKind
from coalition.domain.fx import FxRate
from coalition.domain.planning import AllocationPlan, PlanLine, PlanRequirement, PlanState
from coalition.domain.requirements import ListState, Package, PriorityList, Requirement, RequirementStatus
from coalition.domain.taxonomy import CapabilityArea
from tests.contract.conftest import C, Units, written
from tests.contract.test_ledger_port import contribution, eur, record

AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
AREA = CapabilityArea("communications", "Communications")


def requirement(code: str, status: RequirementStatus = RequirementStatus.SUBMITTED) -> Requirement:
    return Requirement(code, C, "UA-MOD", "Radios", AREA.code, 10, "piece", eur("100"), ("UNIT-1",), status=status)


def with_requirements(units: Units, *codes: str) -> None:
    with units() as uow:
        uow.areas.add(AREA)
        for code in codes:
            uow.requirements.add(requirement(code), AT)
        written(uow, "requirements")


def test_capability_areas_read_back_in_order_of_code(units: Units):
    child = CapabilityArea("radios", "Radios", "Радіо", "communications")
    with units() as uow:
        uow.areas.add(AREA)
        uow.areas.add(child)
        written(uow, "areas")
    with units() as uow:
        assert uow.areas.get("radios") == child and uow.areas.get("drones") is None
        assert uow.areas.all() == [AREA, child]


def test_an_exchange_rate_is_stored_once_and_summarised_per_pair_and_source(units: Units):
    rates = [FxRate(date(2024, 3, day), "EUR", "USD", Decimal("1.08"), "ECB") for day in (1, 4)]
    with units() as uow:
        assert uow.fx_rates.add_many(rates) == 2
        assert uow.fx_rates.add_many([*rates, FxRate(date(2024, 3, 1), "EUR", "UAH", Decimal("41.5"), "ECB")]) == 1
        written(uow, "rates")
    with units() as uow:
        assert uow.fx_rates.for_currencies({"EUR", "USD"}) == rates
        assert len(uow.fx_rates.for_currencies(None)) == 3
        assert uow.fx_rates.summary() == [("EUR", "UAH", "ECB", date(2024, 3, 1), date(2024, 3, 1), 1),
                                          ("EUR", "USD", "ECB", date(2024, 3, 1), date(2024, 3, 4), 2)]


def test_a_requirement_keeps_its_status_history_and_pages_by_code(units: Units):
    with_requirements(units, "R-2", "R-1", "R-3")
    with units() as uow:
        uow.requirements.set_status("R-1", RequirementStatus.SUBMITTED, RequirementStatus.VALIDATED, AT, "checked")
        uow.requirements.add_package(Package("PKG-1", C, "Radios", eur("5000")))
        written(uow, "status")
    with units() as uow:
        assert uow.requirements.get("R-1") == requirement("R-1", RequirementStatus.VALIDATED)
        assert [r.code for r in uow.requirements.for_coalition(C)] == ["R-1", "R-2", "R-3"]
        assert [r.code for r in uow.requirements.for_coalition(C, offset=1, limit=1)] == ["R-2"]
        assert uow.requirements.count(C, status=RequirementStatus.SUBMITTED) == 2
        assert set(uow.requirements.get_many(["R-1", "R-3", "R-9"])) == {"R-1", "R-3"}
        assert uow.requirements.history("R-1") == [(None, "submitted", AT.isoformat(), "recorded"),
                                                   ("submitted", "validated", AT.isoformat(), "checked")]
        assert uow.requirements.get_package("PKG-1") == Package("PKG-1", C, "Radios", eur("5000"))
        assert uow.requirements.packages(C) == [Package("PKG-1", C, "Radios", eur("5000"))]


def test_priority_lists_are_versions_and_the_latest_in_a_state_is_found(units: Units):
    with_requirements(units, "R-1", "R-2")
    first = PriorityList(C, 1, ("R-1", "R-2"), "UA-MOD", date(2024, 2, 1))
    second = PriorityList(C, 2, ("R-2", "R-1"), "UA-MOD", date(2024, 2, 5))
    with units() as uow:
        uow.priorities.add(first)
        uow.priorities.add(second)
        uow.priorities.set_state(C, 1, ListState.APPROVED, "secretariat", date(2024, 2, 2))
        written(uow, "lists")
    with units() as uow:
        approved = dataclasses.replace(first, state=ListState.APPROVED, approved_by="secretariat",
                                       approved_on=date(2024, 2, 2))
        assert uow.priorities.versions(C) == [approved, second]
        assert uow.priorities.get(C, 2) == second and uow.priorities.get(C, 3) is None
        assert uow.priorities.latest(C, ListState.APPROVED) == approved
        assert uow.priorities.latest(C, ListState.SUBMITTED) == second


def test_an_allocation_plan_reads_back_with_its_lines_and_headings_newest_first(units: Units):
    with_requirements(units, "R-1")
    (receipt,) = record(units, contribution(ContributionKind.RECEIPT, "EE", "1000"))
    plan = AllocationPlan(C, 1, 1, Policy.PARTIAL, "EUR", date(2024, 3, 2),
                          (PlanRequirement("R-1", 1, eur("1000"), eur("0"), eur("600"), eur("400")),),
                          (PlanLine(receipt.id or 0, "R-1", eur("600"), eur("600")),))
    with units() as uow:
        first = uow.plans.add(plan)
        second = uow.plans.add(dataclasses.replace(plan, lines=()))
        uow.plans.set_state(first.id or 0, PlanState.APPROVED, date(2024, 3, 5), datetime(2026, 12, 1, tzinfo=UTC))
        written(uow, "plans")
    with units() as uow:
        assert first.id is not None and second.id is not None and first == dataclasses.replace(plan, id=first.id)
        assert uow.plans.get(first.id) == dataclasses.replace(first, state=PlanState.APPROVED,
                                                              decided_on=date(2024, 3, 5))
        assert [(h.id, h.decided_on) for h in uow.plans.headings(C)] == [(second.id, None),
                                                                          (first.id, date(2024, 3, 5))]
        assert uow.plans.proposed(C) == [second.id]
        assert uow.plans.get(second.id + first.id) is None
