"""The demo world's money: a capability-area taxonomy, exchange rates and contributions.

All amounts and rates here are illustrative (the real figures are not public) and are marked
so in the records. Running it again adds nothing: contributions are found by external reference.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from coalition.domain.access import Actor
from coalition.domain.contributions import (
    Confidentiality,
    Contribution,
    ContributionKind,
    Earmark,
    Valuation,
    ValuationRule,
    Visibility,
)
from coalition.domain.fx import FxRate
from coalition.domain.money import Money
from coalition.domain.taxonomy import CapabilityArea
from coalition.services import funding
from coalition.services.ports import UnitOfWork

DEMO_RATES_SOURCE = "Illustrative demo rates (not published data)"

AREAS = (
    CapabilityArea("c2", "Command and control", "Управління військами"),
    CapabilityArea("command-posts", "Command posts", "Пункти управління", "c2"),
    CapabilityArea("communications", "Communications", "Зв'язок"),
    CapabilityArea("cloud", "Cloud", "Хмарні технології"),
    CapabilityArea("cybersecurity", "Cybersecurity", "Кібербезпека"),
    CapabilityArea("software", "Software", "Програмне забезпечення"),
    CapabilityArea("uav", "Unmanned aerial vehicles", "Безпілотні літальні апарати"),
    CapabilityArea("electronic-warfare", "Electronic warfare", "Радіоелектронна боротьба"),
    CapabilityArea("air-defence", "Air defence", "Протиповітряна оборона"),
)

# Illustrative units of each currency per euro, one rate a week (about the level of 2024-2025).
_PER_EURO = {"DKK": Decimal("7.4580"), "GBP": Decimal("0.8512"), "ISK": Decimal("149.70"), "UAH": Decimal("44.85")}


def demo_rates() -> list[FxRate]:
    rates = []
    day, week = date(2023, 9, 1), 0
    while day <= date(2026, 12, 31):
        drift = Decimal(week % 13 - 6) / Decimal(1000)  # a gentle, repeatable wobble
        for currency, per_euro in _PER_EURO.items():
            rates.append(FxRate(day, "EUR", currency, (per_euro * (1 + drift)).quantize(per_euro), DEMO_RATES_SOURCE))
        day, week = day + timedelta(days=7), week + 1
    return rates


IT, FUND = "it-coalition", "it-coalition-fund"
CYBER_AND_COMMS = Earmark.parse("areas:cybersecurity,communications")
COMMAND_POSTS = Earmark.parse("areas:command-posts")
CYBER = Earmark.parse("areas:cybersecurity")
NL_ONLY = Confidentiality(Visibility.RESTRICTED, ("NL",), date(2027, 1, 1))

# (ref, kind, donor, amount, currency, value date, earmark, fulfils ref, confidentiality)
_CONTRIBUTIONS: tuple[tuple[str, ContributionKind, str, str, str, date, Earmark, str | None, Confidentiality], ...] = (
    ("EE-P1", ContributionKind.PLEDGE, "EE", "10000000.00", "EUR", date(2024, 1, 18), COMMAND_POSTS, None,
     Confidentiality()),
    ("EE-C1", ContributionKind.COMMITMENT, "EE", "10000000.00", "EUR", date(2024, 2, 20), COMMAND_POSTS, "EE-P1",
     Confidentiality()),
    ("EE-R1", ContributionKind.RECEIPT, "EE", "6000000.00", "EUR", date(2024, 3, 15), COMMAND_POSTS, "EE-C1",
     Confidentiality()),
    ("LU-P1", ContributionKind.PLEDGE, "LU", "8000000.00", "EUR", date(2024, 1, 18), Earmark(), None,
     Confidentiality()),
    ("LU-R1", ContributionKind.RECEIPT, "LU", "8000000.00", "EUR", date(2024, 2, 28), Earmark(), "LU-P1",
     Confidentiality()),
    ("DK-P1", ContributionKind.PLEDGE, "DK", "30000000.00", "DKK", date(2024, 2, 2), CYBER_AND_COMMS, None,
     Confidentiality()),
    ("DK-R1", ContributionKind.RECEIPT, "DK", "15000000.00", "DKK", date(2024, 4, 10), CYBER_AND_COMMS, "DK-P1",
     Confidentiality()),
    ("NL-P1", ContributionKind.PLEDGE, "NL", "5000000.00", "EUR", date(2024, 2, 14), CYBER, None, NL_ONLY),
    ("NL-R1", ContributionKind.RECEIPT, "NL", "5000000.00", "EUR", date(2024, 5, 2), CYBER, "NL-P1", NL_ONLY),
    ("GB-P1", ContributionKind.PLEDGE, "GB", "2000000.00", "GBP", date(2024, 2, 14), Earmark.parse("areas:cloud"),
     None, Confidentiality(Visibility.COALITION)),
    ("IS-P1", ContributionKind.PLEDGE, "IS", "75000000", "ISK", date(2024, 1, 18), Earmark(), None,
     Confidentiality()),
    ("IS-R1", ContributionKind.RECEIPT, "IS", "75000000", "ISK", date(2024, 3, 1), Earmark(), "IS-P1",
     Confidentiality()),
    ("BE-P1", ContributionKind.PLEDGE, "BE", "3000000.00", "EUR", date(2024, 1, 18), Earmark(), None,
     Confidentiality()),
    ("LV-P1", ContributionKind.PLEDGE, "LV", "1500000.00", "EUR", date(2024, 1, 18), CYBER_AND_COMMS, None,
     Confidentiality()),
    ("LV-R1", ContributionKind.RECEIPT, "LV", "750000.00", "EUR", date(2024, 6, 3), CYBER_AND_COMMS, "LV-P1",
     Confidentiality()),
)


def build_demo_funding(work: UnitOfWork, actor: Actor, created: list[str]) -> int:
    """Create whatever of the demo's money is missing; return how many records were already present."""
    present = 0
    known = {a.code for a in funding.list_capability_areas(work, actor)}
    for area in AREAS:
        if area.code in known:
            present += 1
        else:
            funding.add_capability_area(work, actor, area)
            created.append(f"capability area {area.code}")
    rates = demo_rates()
    if funding.import_fx_rates(work, actor, source="demo rates", digest="demo", rates=rates):
        created.append(f"{len(rates)} illustrative exchange rates")
    else:
        present += 1
    ids: dict[str, int] = {}
    for ref, kind, donor, amount, currency, day, earmark, fulfils, secrecy in _CONTRIBUTIONS:
        found = funding.find_contribution(work, actor, IT, ref)
        if found is None:
            found = funding.record_contribution(work, actor, Contribution(
                kind, IT, FUND, donor, Money.parse(amount, currency), day, earmark, secrecy, ref,
                ids[fulfils] if fulfils else None, illustrative=True))
            created.append(f"{kind} {ref}")
        else:
            present += 1
        assert found.id is not None
        ids[ref] = found.id
    if funding.find_contribution(work, actor, IT, "LT-K1") is None:
        funding.record_contribution(work, actor, Contribution(
            ContributionKind.IN_KIND, IT, FUND, "LT", Money.parse("420000.00", "EUR"), date(2024, 7, 1),
            Earmark.parse("areas:communications"), Confidentiality(), "LT-K1",
            description="40 tactical radios from stock",
            valuation=Valuation(ValuationRule.BOOK_VALUE, "Lithuanian armed forces asset register (illustrative)"),
            illustrative=True))
        created.append("in-kind LT-K1")
    else:
        present += 1
    if funding.find_contribution(work, actor, "drone-coalition", "LU-D1") is None:
        funding.record_contribution(work, actor, Contribution(
            ContributionKind.RECEIPT, "drone-coalition", "drone-coalition-fund", "LU", Money.parse("4000000.00", "EUR"),
            date(2025, 3, 3), Earmark.parse("areas:uav"), Confidentiality(), "LU-D1", illustrative=True))
        created.append("receipt LU-D1")
    else:
        present += 1
    return present
