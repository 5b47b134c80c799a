"""The public's money per donor and per year (ADR 0035): summed from public and declassified records only, net of
reversals, the same whoever asks; on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coalition.bootstrap import Platform
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Visibility
from coalition.domain.money import Money
from coalition.services import funding
from coalition.services.views.public_money import PublicTotals, public_totals
from tests.demo_copies import give_demo_world

IT, FUND = "it-coalition", "it-coalition-fund"
K = ContributionKind


def _receipt(donor: str, amount: str, day: date, confidentiality: Confidentiality | None = None) -> Contribution:
    return Contribution(K.RECEIPT, IT, FUND, donor, Money(Decimal(amount), "EUR"), day,
                        confidentiality=confidentiality or Confidentiality())


def _row(rows, key: str) -> dict[ContributionKind, Decimal]:
    found = [r for r in rows if r.key == key]
    return {kind: m.amount for kind, m in found[0].amounts.items()} if found else dict.fromkeys(
        (K.PLEDGE, K.COMMITMENT, K.RECEIPT, K.IN_KIND), Decimal(0))


def _totals(platform: Platform) -> PublicTotals:
    return public_totals(platform.uow(read_only=True), IT)


@pytest.fixture
def demo(platform: Platform) -> Platform:
    give_demo_world(platform, procurement=False)
    return platform


def test_public_totals_count_public_and_declassified_records_only_net_of_reversals(demo: Platform) -> None:
    before = _totals(demo)
    assert before.currency == "EUR" and before.records > 0
    record = funding.record_contribution
    record(demo.uow(), demo.operator(), _receipt("LT", "1000.00", date(2019, 5, 2)))
    record(demo.uow(), demo.operator(), _receipt("LT", "777777.77", date(2019, 5, 3),
                                                 Confidentiality(Visibility.RESTRICTED, ("LT",))))
    record(demo.uow(), demo.operator(), _receipt("LT", "50.00", date(2019, 6, 1), Confidentiality(
        Visibility.RESTRICTED, ("LT",), declassify_on=date(2019, 7, 1))))
    reversed_one = record(demo.uow(), demo.operator(), _receipt("LT", "9.00", date(2019, 6, 2)))
    entry = demo.uow(read_only=True)
    with entry:
        first = entry.ledger.entries(contributions=[reversed_one.id])[0]
    funding.reverse_entry(demo.uow(), demo.operator(), first.id, reason="recorded twice", on=date(2019, 6, 3))

    after = _totals(demo)
    assert after.records == before.records + 3  # the restricted receipt is not counted
    assert _row(after.by_year, "2019")[K.RECEIPT] == Decimal("1050.00")
    assert _row(after.by_donor, "LT")[K.RECEIPT] - _row(before.by_donor, "LT")[K.RECEIPT] == Decimal("1050.00")
    assert after.total[K.RECEIPT].amount - before.total[K.RECEIPT].amount == Decimal("1050.00")


def test_the_rows_add_up_to_the_total_per_donor_and_per_year(demo: Platform) -> None:
    found = _totals(demo)
    for kind, total in found.total.items():
        assert sum(r.amounts[kind].amount for r in found.by_donor) == total.amount
        assert sum(r.amounts[kind].amount for r in found.by_year) == total.amount
    assert found.total[K.PLEDGE].amount > 0
    assert [r.key for r in found.by_year] == sorted(r.key for r in found.by_year)
    restricted = demo.uow(read_only=True)
    with restricted:
        hidden = [c for c in restricted.ledger.contributions(coalition=IT)
                  if c.confidentiality.visibility is not Visibility.PUBLIC and c.confidentiality.declassify_on is None]
    assert hidden  # the demo world has records the public may not see: they are left out
