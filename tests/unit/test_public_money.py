"""Public totals per donor and per year, summed from the records given (the service gives only public ones)."""

from datetime import date
from decimal import Decimal

from coalition.domain.contributions import Contribution, ContributionKind
from coalition.domain.money import Money
from coalition.services.views.public_money import tally

K = ContributionKind


def _c(id: int, kind: ContributionKind, donor: str, day: date) -> Contribution:
    return Contribution(kind, "it-coalition", "it-coalition-fund", donor, Money(Decimal("1"), "USD"), day, id=id)


def test_each_record_counts_once_per_donor_per_year_and_in_the_total_in_the_reporting_currency() -> None:
    records = [_c(1, K.PLEDGE, "EE", date(2023, 9, 19)), _c(2, K.RECEIPT, "EE", date(2024, 2, 1)),
               _c(3, K.RECEIPT, "LU", date(2024, 3, 1)), _c(4, K.RECEIPT, "LU", date(2024, 4, 1))]
    net = {1: (100, 90_000), 2: (100, 50_000), 3: (100, 70_000), 4: (100, 0)}  # 4 was reversed
    by_donor, by_year, total = tally(records, net, "EUR")
    assert [r.key for r in by_donor] == ["EE", "LU"]  # largest first
    assert by_donor[0].amounts[K.PLEDGE] == Money(Decimal("900.00"), "EUR")
    assert by_donor[1].amounts[K.RECEIPT] == Money(Decimal("700.00"), "EUR")
    assert [r.key for r in by_year] == ["2023", "2024"]
    assert by_year[1].amounts[K.RECEIPT] == Money(Decimal("1200.00"), "EUR")
    assert total[K.RECEIPT] == Money(Decimal("1200.00"), "EUR") and total[K.IN_KIND].is_zero()


def test_a_donor_or_year_with_nothing_left_is_not_listed() -> None:
    by_donor, by_year, total = tally([_c(1, K.RECEIPT, "EE", date(2024, 1, 1))], {1: (0, 0)}, "EUR")
    assert by_donor == [] and by_year == [] and all(m.is_zero() for m in total.values())
