"""Funding shares and plan lines drawing on a contribution the viewer may not see lose its id, donor and earmark."""

from __future__ import annotations

from decimal import Decimal

from coalition.domain.money import Money
from coalition.domain.planning import PlanLine
from coalition.domain.procurement import FundingShare
from coalition.services.confidentiality import HIDDEN_CONTRIBUTION, RESTRICTED, masked


def test_a_share_of_a_hidden_contribution_keeps_its_amount_but_not_who_gave_it():
    shares = [FundingShare(1, 7, "LV", "fund", "areas:cybersecurity", 40_000, "EUR", 40_000),
              FundingShare(1, 8, "EE", "fund", "none", 60_000, "EUR", 60_000)]
    shown = masked(shares, {7})
    assert (shown[0].contribution, shown[0].donor, shown[0].earmark, shown[0].units) == (
        HIDDEN_CONTRIBUTION, RESTRICTED, RESTRICTED, 40_000)
    assert shown[1] == shares[1]
    assert sum(s.units for s in shown) == sum(s.units for s in shares)


def test_a_plan_line_of_a_hidden_contribution_loses_the_contribution():
    eur = Money(Decimal("100.00"), "EUR")
    lines = [PlanLine(7, "R-1", eur, eur), PlanLine(8, "R-1", eur, eur)]
    assert [line.contribution for line in masked(lines, {7})] == [HIDDEN_CONTRIBUTION, 8]
    assert masked(lines, set()) == lines
