"""The demo world's Danish-model offers: Ukraine's ministry proposes that a donor finance Ukraine's own defence
industry directly.

- Denmark has financed Ukrainian production directly since 2024 (the "Danish model", public). Here Denmark's
  money, received into the Drone Coalition's fund earmarked to direct industry financing, reserved by an
  approved plan, answers an offer to finance interceptor drones from a Ukrainian manufacturer; Denmark accepts,
  and the offer becomes a direct-industry case. Amounts, days, the producer and the requirement are
  illustrative.
- On 20 Mar 2025, meeting Luxembourg's defence minister in Kyiv, Ukraine's defence minister proposed that
  Luxembourg finance Ukraine's defence industry by the Danish model (public). No answer is on the public
  record, so the offer stays open; its amount is illustrative.

Built once; running the demo again adds nothing.
"""

from __future__ import annotations

from datetime import date

from coalition.demo.procurement import decided_at_meeting
from coalition.domain.access import Actor
from coalition.domain.contributions import Contribution, ContributionKind, Earmark, FundingRoute
from coalition.domain.money import Money
from coalition.domain.offers import Offer, OfferAnswer
from coalition.domain.requirements import Requirement, RequirementStatus
from coalition.domain.steering import ProposalKind
from coalition.services import funding, offers, planning
from coalition.services.ports import UnitOfWork

DRONE = "drone-coalition"
PRODUCER = "UA-UAS-MFR"  # the demo's Ukrainian drone manufacturer (illustrative), registered with procurement


def build_demo_offers(work: UnitOfWork, actor: Actor, created: list[str]) -> int:
    """Record the two offers and their answers; 1 if already present."""
    if offers.list_offers(work, actor, DRONE):
        return 1
    offers.record_offer(work, actor, Offer(
        "UA-LU-DM-2025", DRONE, "UA-MOD", "LU", PRODUCER, "Financing of Ukraine's defence industry (Danish model)",
        Money.parse("10000000", "EUR"), date(2025, 3, 20), illustrative=True))
    build_demo_danish_money(work, actor)
    offers.record_offer(work, actor, Offer(
        "UA-DK-DM-2025", DRONE, "UA-MOD", "DK", PRODUCER, "Interceptor drones from Ukrainian industry",
        Money.parse("3000000", "EUR"), date(2025, 5, 5), ("UAV-DK-03",), illustrative=True))
    offers.answer_offer(work, actor, "UA-DK-DM-2025", OfferAnswer.OPEN, on=date(2025, 5, 12),
                        note="Denmark's ministry is considering the offer")
    offers.answer_offer(work, actor, "UA-DK-DM-2025", OfferAnswer.ACCEPTED, on=date(2025, 5, 26),
                        note="Denmark finances the production directly")
    created.append("Danish-model offers")
    return 0


def build_demo_danish_money(work: UnitOfWork, actor: Actor) -> None:
    """Denmark's receipt earmarked to direct industry financing, the requirement it answers ranked and funded."""
    planning.add_requirement(work, actor, Requirement(
        "UAV-DK-03", DRONE, "UA-MOD", "Interceptor drones from Ukrainian industry", "uav", 1000, "piece",
        Money.parse("3000", "EUR"), ("UA-UAS-BN",), route=FundingRoute.DIRECT_INDUSTRY,
        status=RequirementStatus.SUBMITTED, illustrative=True))
    planning.change_requirement_status(work, actor, "UAV-DK-03", RequirementStatus.VALIDATED,
                                       "validated (illustrative)")
    funding.record_contribution(work, actor, Contribution(
        ContributionKind.RECEIPT, DRONE, "drone-coalition-fund", "DK", Money.parse("3000000", "EUR"),
        date(2025, 4, 28), Earmark.parse("route:direct-industry"), external_ref="DK-DM-1", illustrative=True))
    listed = planning.submit_priority_list(work, actor, coalition=DRONE, ranks=("UAV-01", "EW-DRN-02", "UAV-DK-03"),
                                           submitted_by="UA-MOD", on=date(2025, 4, 29))
    decided_at_meeting(work, actor, DRONE, date(2025, 4, 30), "Drone Coalition steering group (illustrative)", [
        (ProposalKind.APPROVE_PRIORITY_LIST, "Rank interceptor drones financed by Denmark",
         {"version": listed.version})])
    plan = planning.run_allocation(work, actor, DRONE, on=date(2025, 5, 1))
    decided_at_meeting(work, actor, DRONE, date(2025, 5, 2), "Drone Coalition steering group (illustrative)", [
        (ProposalKind.APPROVE_PLAN, "Reserve Denmark's money for interceptor drones", {"plan": plan.id})])
