"""Who sees which contribution in full: the store's filter gives the domain rule's answers, on both engines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coalition.bootstrap import Platform
from coalition.domain.access import Actor, Grant, Role, can_see_record
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Visibility
from coalition.domain.money import Money
from coalition.services import funding
from tests.demo_copies import give_demo_world

IT = "it-coalition"
TODAY = date(2026, 11, 22)
CONFIDENTIALITIES = [
    Confidentiality(),
    Confidentiality(Visibility.COALITION),
    Confidentiality(Visibility.RESTRICTED, ("LU",)),
    Confidentiality(Visibility.RESTRICTED, ("LU", "NL")),
    Confidentiality(Visibility.RESTRICTED, ("LU",), declassify_on=date(2026, 1, 1)),
    Confidentiality(Visibility.COALITION, declassify_on=date(2030, 1, 1)),
]
VIEWERS = [
    Actor("public"),
    Actor("lv-desk", "LV", frozenset({Grant(Role.MEMBER_REPRESENTATIVE, IT)})),
    Actor("lu-desk", "LU", frozenset({Grant(Role.MEMBER_REPRESENTATIVE, IT)})),
    Actor("ee-desk", "EE", frozenset({Grant(Role.LEAD, IT)})),
    Actor("nl-no-role", "NL"),
    Actor("drone-member", "GB", frozenset({Grant(Role.MEMBER_REPRESENTATIVE, "drone-coalition")})),
    Actor("secretariat", None, frozenset({Grant(Role.SECRETARIAT, IT)})),
    Actor("auditor", None, frozenset({Grant(Role.AUDITOR, IT)})),
    Actor("admin", None, frozenset({Grant(Role.PLATFORM_ADMIN)})),
]


def test_a_donors_list_holds_exactly_the_records_each_viewer_may_see(platform: Platform):
    give_demo_world(platform, procurement=False)
    recorded = [funding.record_contribution(platform.uow(), platform.operator(), Contribution(
        ContributionKind.PLEDGE, IT, "it-coalition-fund", "LV", Money(Decimal("10.00"), "EUR"), date(2026, 5, 1),
        confidentiality=c, external_ref=f"SCOPE-{n}")) for n, c in enumerate(CONFIDENTIALITIES)]
    platform.clock.now = platform.clock.now.replace(year=TODAY.year, month=TODAY.month, day=TODAY.day)  # type: ignore[attr-defined]
    for viewer in VIEWERS:
        listed = funding.list_contributions(platform.uow(), viewer, donor="LV", limit=500)
        shown = {item.external_ref for item in listed.items}
        expected = {c.external_ref for c in recorded
                    if can_see_record(viewer, c.coalition, c.donor, c.confidentiality, TODAY)}
        assert {ref for ref in shown if ref and ref.startswith("SCOPE-")} == expected, viewer.user
        assert all(not item.masked for item in listed.items), viewer.user
        assert listed.total == len(listed.items), viewer.user
