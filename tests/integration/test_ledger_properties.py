"""Random sequences of legal acts never break the ledger's invariants: receipts, pledges and receipts against them,
allocations, contracts, payments, and every kind of correction (reversals of entries and payments, releases whole
or of the excess alone), in any order, some refused. After every step `ledger check` finds nothing: no balance on
its wrong side, per account or per contribution, no requirement contracted beyond its reservation, every sum
agreeing. On SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from coalition.bootstrap import Platform
from coalition.domain.coalition import Coalition, DecisionRules, Fund, MembershipRole
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Earmark, FundingRoute
from coalition.domain.errors import CoalitionError
from coalition.domain.money import Money
from coalition.domain.party import Party, PartyKind
from coalition.domain.procurement import ContractLine, ProcurementCase
from coalition.domain.requirements import Requirement, RequirementStatus
from coalition.domain.taxonomy import CapabilityArea
from coalition.services import funding, planning, registry
from coalition.services.procurement import cases, contracts, payments
from coalition.services.views import delivery as delivery_views
from coalition.services.views import ledger as ledger_views
from coalition.services.views import priorities as priority_views

DONORS = ("EE", "LV")
_worlds = itertools.count(1)


def eur(units: int) -> Money:
    return Money.from_minor_units(units, "EUR")


def _parties(platform: Platform) -> None:
    actor = platform.operator()
    if registry.list_parties(platform.uow(), actor):
        return
    for code in (*DONORS, "UA"):
        registry.register_party(platform.uow(), actor, Party.state(code))
    for code, kind in (("UA-MOD", PartyKind.MINISTRY), ("NSPA", PartyKind.AGENCY), ("SUP-A", PartyKind.COMPANY),
                       ("UNIT-1", PartyKind.MILITARY_UNIT)):
        registry.register_party(platform.uow(), actor, Party(code, kind, code))
    funding.add_capability_area(platform.uow(), actor, CapabilityArea("communications", "Communications"))


def _coalition(platform: Platform, code: str) -> tuple[str, ...]:
    """A coalition whose secretariat may approve, with two prioritised requirements; their codes."""
    actor = platform.operator()
    registry.create_coalition(platform.uow(), actor, Coalition(
        code, f"Coalition {code}", "Communications", "UDCG", "UA", date(2024, 1, 1), "Ramstein", "EUR",
        DecisionRules(secretariat_may_approve=True)))
    registry.add_fund(platform.uow(), actor, Fund(f"{code}-fund", code, "Fund", "NSPA", "EUR"))
    for donor in DONORS:
        registry.admit_member(platform.uow(), actor, coalition=code, party=donor, role=MembershipRole.LEAD,
                              on=date(2024, 1, 1))
    requirements = tuple(f"{code}-R{n}" for n in (1, 2))
    for requirement in requirements:
        planning.add_requirement(platform.uow(), actor, Requirement(
            requirement, code, "UA-MOD", "Radios", "communications", 10, "piece", eur(100_000), ("UNIT-1",),
            status=RequirementStatus.SUBMITTED))
        planning.change_requirement_status(platform.uow(), actor, requirement, RequirementStatus.VALIDATED)
    planning.submit_priority_list(platform.uow(), actor, coalition=code, ranks=list(requirements),
                                  submitted_by="UA-MOD", on=date(2024, 2, 1))
    planning.approve_priority_list(platform.uow(), actor, coalition=code, version=1, approved_by="secretariat",
                                   on=date(2024, 2, 2))
    return requirements


def machine_for(platform: Platform) -> type[RuleBasedStateMachine]:
    actor = platform.operator()

    class Acts(RuleBasedStateMachine):
        """One coalition per example, in the same database: the invariants hold over the whole ledger."""

        @initialize()
        def found(self) -> None:
            _parties(platform)
            self.code = f"prop-{next(_worlds)}"
            self.requirements = _coalition(platform, self.code)
            self.day = date(2024, 3, 1)
            self.pledges: list[int] = []
            self.contracts: list[str] = []
            self.cases: dict[str, str] = {}
            self.payments: list[int] = []

        def next_day(self) -> date:
            self.day += timedelta(days=1)
            return self.day

        def attempt(self, act: object, *args: object, **kwargs: object) -> object:
            try:
                return act(*args, **kwargs)  # type: ignore[operator]
            except CoalitionError:
                return None  # a refused act writes nothing; the invariants must hold all the same

        def contribution(self, kind: ContributionKind, donor: str, units: int, parent: int | None = None) -> object:
            return self.attempt(funding.record_contribution, platform.uow(), actor, Contribution(
                kind, self.code, f"{self.code}-fund", donor, eur(units), self.next_day(), Earmark(),
                Confidentiality(), parent=parent))

        @rule(donor=st.sampled_from(DONORS), units=st.integers(1, 8_000_000))
        def receive(self, donor: str, units: int) -> None:
            self.contribution(ContributionKind.RECEIPT, donor, units)

        @rule(donor=st.sampled_from(DONORS), units=st.integers(1, 8_000_000))
        def pledge(self, donor: str, units: int) -> None:
            made = self.contribution(ContributionKind.PLEDGE, donor, units)
            if isinstance(made, Contribution) and made.id is not None:
                self.pledges.append(made.id)

        @rule(which=st.integers(0, 10), units=st.integers(1, 8_000_000))
        def receive_against_a_pledge(self, which: int, units: int) -> None:
            if self.pledges:
                pledge = self.pledges[which % len(self.pledges)]
                donor = funding.contribution_entries(platform.uow(), actor, pledge)[0].donor
                self.contribution(ContributionKind.RECEIPT, donor, units, pledge)

        @rule()
        def allocate(self) -> None:
            plan = self.attempt(planning.run_allocation, platform.uow(), actor, self.code, on=self.next_day())
            if plan is not None:
                self.attempt(planning.approve_plan, platform.uow(), actor, plan.id)  # type: ignore[attr-defined]

        @rule(which=st.sampled_from((0, 1)), share=st.integers(1, 100))
        def sign(self, which: int, share: int) -> None:
            requirement = self.requirements[which]
            if requirement not in self.cases:
                case = f"{requirement}-case"
                opened = self.attempt(cases.open_case, platform.uow(), actor, ProcurementCase(
                    case, self.code, FundingRoute.DIRECT_INDUSTRY, "Radios", (requirement,), "UA-MOD",
                    self.next_day()))
                if opened is None or self.attempt(cases.approve_route, platform.uow(), actor, case,
                                                  on=self.next_day()) is None:
                    return
                self.cases[requirement] = case
            reserved = priority_views.coverage(platform.uow(), actor, self.code).ranks[which].reserved.to_minor_units()
            value = max(1, reserved * share // 100)
            code = f"{requirement}-K{len(self.contracts) + 1}"
            signed = self.attempt(contracts.sign_contract, platform.uow(), actor, code=code,
                                  case=self.cases[requirement], supplier="SUP-A", signed_on=self.next_day(),
                                  lines=(ContractLine(1, requirement, 1, eur(value)),))
            if signed is not None:
                self.contracts.append(code)

        @rule(which=st.integers(0, 10), share=st.integers(1, 100))
        def pay(self, which: int, share: int) -> None:
            if self.contracts:
                code = self.contracts[which % len(self.contracts)]
                value = delivery_views.get_contract(platform.uow(), actor, code).contract.current.value.to_minor_units()
                paid = self.attempt(payments.record_payment, platform.uow(), actor, code,
                                    amount=eur(max(1, value * share // 100)), paid_on=self.next_day())
                if paid is not None:
                    self.payments.append(paid.id)  # type: ignore[attr-defined]

        @rule(which=st.integers(0, 10))
        def reverse_a_payment(self, which: int) -> None:
            if self.payments:
                self.attempt(payments.reverse_payment, platform.uow(), actor,
                             self.payments[which % len(self.payments)], reason="paid in error", on=self.next_day())

        @rule(which=st.integers(0, 10_000))
        def reverse_an_entry(self, which: int) -> None:
            with platform.uow(read_only=True) as uow:
                entries = [e for e in uow.ledger.entries() if e.debit.coalition == self.code]
            if entries:
                target = entries[which % len(entries)]
                self.attempt(funding.reverse_entry, platform.uow(), actor, target.id, reason="an error",
                             on=max(self.next_day(), target.value_date))

        @rule(which=st.sampled_from((0, 1)))
        def release(self, which: int) -> None:
            self.attempt(planning.release_reservation, platform.uow(), actor, coalition=self.code,
                         requirement=self.requirements[which], reason="priorities changed")

        @rule(which=st.sampled_from((0, 1)))
        def release_excess(self, which: int) -> None:
            """Only what is reserved beyond what the requirement still needs, after its contracts."""
            self.attempt(planning.release_reservation, platform.uow(), actor, coalition=self.code,
                         requirement=self.requirements[which], reason="covered otherwise", excess_only=True)

        @invariant()
        def the_ledger_holds(self) -> None:
            if hasattr(self, "code"):
                report = ledger_views.check_ledger(platform.uow(), actor)
                assert report.ok, (report.problems, [d.describe() for d in report.discrepancies])

    return Acts


def test_random_acts_never_break_an_invariant(platform: Platform):
    run_state_machine_as_test(machine_for(platform), settings=settings(
        max_examples=12, stateful_step_count=14, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))
