"""The world of the procurement tests: a coalition, two donors and requirement R-1 funded, with the helpers that
open a case, sign its contract and read a measure. Shared by the procurement and ledger-integrity tests."""

from __future__ import annotations

from datetime import date

from coalition.bootstrap import Platform
from coalition.domain.coalition import Coalition, DecisionRules, Fund, MembershipRole
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Earmark, FundingRoute
from coalition.domain.ledger import Measure
from coalition.domain.money import Money
from coalition.domain.party import Party, PartyKind
from coalition.domain.procurement import ContractLine, ProcurementCase
from coalition.domain.requirements import Requirement, RequirementStatus
from coalition.domain.taxonomy import CapabilityArea
from coalition.services import funding, planning, registry
from coalition.services.procurement import cases, contracts
from coalition.services.views import funding as funding_views

C = "test-coalition"
FUND = "test-fund"


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def funded_world(platform: Platform) -> Platform:
    """A coalition whose secretariat may approve, two donors, and requirement R-1 (100 radios at EUR 1,000)
    funded EUR 60,000 by Estonia and EUR 40,000 by Latvia; R-2 is prioritised but unfunded."""
    actor = platform.operator()
    for code in ("EE", "LV", "UA"):
        registry.register_party(platform.uow(), actor, Party.state(code))
    for code, kind in (("UA-MOD", PartyKind.MINISTRY), ("NSPA", PartyKind.AGENCY), ("SUP-A", PartyKind.COMPANY),
                       ("SUP-B", PartyKind.COMPANY), ("UNIT-1", PartyKind.MILITARY_UNIT),
                       ("UNIT-2", PartyKind.MILITARY_UNIT)):
        registry.register_party(platform.uow(), actor, Party(code, kind, code))
    registry.create_coalition(platform.uow(), actor, Coalition(
        C, "Test coalition", "Communications", "UDCG", "UA", date(2024, 1, 1), "Ramstein", "EUR",
        DecisionRules(secretariat_may_approve=True)))
    registry.add_fund(platform.uow(), actor, Fund(FUND, C, "Fund", "NSPA", "EUR"))
    for code in ("EE", "LV"):
        registry.admit_member(platform.uow(), actor, coalition=C, party=code,
                              role=MembershipRole.LEAD, on=date(2024, 1, 1))
    funding.add_capability_area(platform.uow(), actor, CapabilityArea("communications", "Communications"))
    for code, quantity in (("R-1", 100), ("R-2", 5)):
        planning.add_requirement(platform.uow(), actor, Requirement(
            code, C, "UA-MOD", "Radios", "communications", quantity, "piece", eur("1000"), ("UNIT-1", "UNIT-2"),
            status=RequirementStatus.SUBMITTED))
        planning.change_requirement_status(platform.uow(), actor, code, RequirementStatus.VALIDATED)
    planning.submit_priority_list(platform.uow(), actor, coalition=C, ranks=["R-1", "R-2"], submitted_by="UA-MOD",
                                  on=date(2024, 2, 1))
    planning.approve_priority_list(platform.uow(), actor, coalition=C, version=1, approved_by="secretariat",
                                   on=date(2024, 2, 2))
    for donor, amount in (("EE", "60000"), ("LV", "40000")):
        funding.record_contribution(platform.uow(), actor, Contribution(
            ContributionKind.RECEIPT, C, FUND, donor, eur(amount), date(2024, 3, 1), Earmark(), Confidentiality()))
    plan = planning.run_allocation(platform.uow(), actor, C, on=date(2024, 3, 2))
    planning.approve_plan(platform.uow(), actor, plan.id or 0, on=date(2024, 3, 2))
    return platform


def open_direct(platform: Platform, code: str = "CASE-1", requirements: tuple[str, ...] = ("R-1",)) -> None:
    cases.open_case(platform.uow(), platform.operator(), ProcurementCase(
        code, C, FundingRoute.DIRECT_INDUSTRY, "Radios from industry", requirements, "UA-MOD", date(2024, 4, 1)))
    cases.approve_route(platform.uow(), platform.operator(), code, on=date(2024, 4, 2))


def sign(platform: Platform, value: str = "1000", quantity: int = 100, currency: str = "EUR",
         code: str = "K-1") -> None:
    contracts.sign_contract(platform.uow(), platform.operator(), code=code, case="CASE-1", supplier="SUP-A",
                            signed_on=date(2024, 4, 10),
                            lines=(ContractLine(1, "R-1", quantity, Money.parse(value, currency)),))


def measure(platform: Platform, which: Measure) -> Money:
    report = funding_views.funding_report(platform.uow(), platform.operator(), C)
    return report.totals[which]


