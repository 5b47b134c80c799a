"""The public's money: totals per donor and per year, like the UN Financial Tracking Service, summed from the
public (and declassified) records only, the same for every viewer (ADR 0035).

Members see more on the other pages; these totals never count a record the public may not see, so they say
"from public records" wherever they are shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from coalition.domain import ledger
from coalition.domain.access import PUBLIC_ACTOR, can, can_see_record
from coalition.domain.contributions import Contribution, ContributionKind
from coalition.domain.money import Money
from coalition.services.audit import require
from coalition.services.ports import UnitOfWork
from coalition.services.registry import load_coalition

KINDS = (ContributionKind.PLEDGE, ContributionKind.COMMITMENT, ContributionKind.RECEIPT, ContributionKind.IN_KIND)


@dataclass(frozen=True, slots=True)
class PublicRow:
    """One donor's or one year's public money, per kind of record, in the reporting currency."""

    key: str
    amounts: dict[ContributionKind, Money]


@dataclass(frozen=True, slots=True)
class PublicTotals:
    coalition: str
    currency: str
    by_donor: list[PublicRow]
    by_year: list[PublicRow]
    total: dict[ContributionKind, Money]
    records: int  # the public records counted


def tally(contributions: Iterable[Contribution], net: Mapping[int, tuple[int, int]],
          currency: str) -> tuple[list[PublicRow], list[PublicRow], dict[ContributionKind, Money]]:
    """Per donor (largest first), per year of value date (oldest first) and in all: what each kind of record still
    carries (recorded minus reversed, ``net`` per contribution id) in the reporting currency's minor units."""
    donors: dict[str, dict[ContributionKind, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    years: dict[str, dict[ContributionKind, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    total = dict.fromkeys(KINDS, 0)
    for c in contributions:
        if c.id is None or c.kind not in KINDS:
            continue
        reporting = net.get(c.id, (0, 0))[1]
        for bucket in (donors[c.donor], years[str(c.value_date.year)], total):
            bucket[c.kind] += reporting

    def money(found: dict[ContributionKind, int]) -> dict[ContributionKind, Money]:
        return {kind: Money.from_minor_units(found[kind], currency) for kind in KINDS}

    by_donor = sorted(donors.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return ([PublicRow(d, money(v)) for d, v in by_donor if any(v.values())],
            [PublicRow(y, money(v)) for y, v in sorted(years.items()) if any(v.values())], money(total))


def public_totals(uow: UnitOfWork, coalition: str) -> PublicTotals:
    """The coalition's public money per donor and per year: only the records the public may see today (public, or
    declassified by today), whoever asks."""
    require(can(PUBLIC_ACTOR, "read_contributions", coalition))
    with uow:
        found = load_coalition(uow, coalition)
        today = uow.clock().date()
        shown = [c for c in uow.ledger.contributions(coalition=coalition)
                 if c.id is not None and c.kind in KINDS
                 and can_see_record(PUBLIC_ACTOR, c.coalition, c.donor, c.confidentiality, today).allowed]
        net = ledger.net_amounts(uow.ledger.entries(contributions=[c.id for c in shown if c.id is not None]))
    by_donor, by_year, total = tally(shown, net, found.reporting_currency)
    return PublicTotals(coalition, found.reporting_currency, by_donor, by_year, total, len(shown))
