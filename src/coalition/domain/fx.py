"""Exchange rates as central banks publish them, and conversion of Money at the rate of a value date.

A rate is looked up for a pair of currencies on a day: the rate published that day or, on a
weekend or holiday, the last earlier one, and the conversion says which it used. Rates are exact
Decimals from the published text; derived rates (inverse, cross) are computed to 28 significant
digits, which keeps them short enough to store as text and far finer than any minor unit.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal
from functools import lru_cache

from coalition.domain.errors import InvalidInput, NotFound
from coalition.domain.limits import RATE_SOURCE, check_text
from coalition.domain.money import Money, check_currency

PIVOT = "EUR"
SAME_CURRENCY = "same currency, no conversion"

# Derived rates get 28 significant digits; a product of amount and rate is computed exactly enough
# (60 digits) that the only rounding of an amount is Money.rounded's, half to even.
_RATES = Context(prec=28)
_AMOUNTS = Context(prec=60)
_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class FxRate:
    """One published rate: on ``day``, 1 unit of ``base`` was worth ``rate`` units of ``quote``."""

    day: date
    base: str
    quote: str
    rate: Decimal
    source: str

    def __post_init__(self) -> None:
        if not isinstance(self.day, date) or isinstance(self.day, datetime):
            raise TypeError(f"an exchange rate's day must be a date, not {type(self.day).__name__}")
        if not isinstance(self.rate, Decimal):
            raise TypeError(f"an exchange rate must be a Decimal, not {type(self.rate).__name__}")
        if not self.rate.is_finite() or self.rate <= 0:
            raise InvalidInput(f"rate must be a number greater than zero, got {self.rate}", field="rate")
        base, quote = check_currency(self.base, "base"), check_currency(self.quote, "quote")
        if base == quote:
            raise InvalidInput(f"a rate needs two different currencies, got {base} to {quote}", field="quote")
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "quote", quote)
        # 100 characters: the length the rate store keeps.
        object.__setattr__(self, "source", check_text(self.source, "source", RATE_SOURCE))


class MissingRate(NotFound):
    """No rate links two currencies on or before the date asked for."""

    code = "missing_rate"


def shown_rate(rate: Decimal) -> str:
    """A rate for people: as published, or cut to 10 significant digits if derived; never in exponent notation."""
    if len(rate.as_tuple().digits) > 10:
        rate = rate.quantize(Decimal(1).scaleb(rate.adjusted() - 9), context=_AMOUNTS).normalize(_AMOUNTS)
    return f"{rate:f}"


@dataclass(frozen=True, slots=True)
class Conversion:
    """An amount converted into another currency, with the rate used, its date and who published it."""

    original: Money
    converted: Money
    rate: Decimal
    rate_date: date
    requested_date: date
    source: str

    @property
    def exact_date(self) -> bool:
        """True when a rate of the value date itself was used, not an earlier one."""
        return self.rate_date == self.requested_date

    def describe(self) -> str:
        """One sentence saying what was converted at which rate of which day, and why that day."""
        if self.original.currency == self.converted.currency:
            return f"{self.original} needs no conversion: it is already in {self.original.currency}."
        sentence = (f"{self.original} = {self.converted} at {shown_rate(self.rate)} {self.converted.currency} "
                    f"per {self.original.currency} ({self.source}, rate of {self.rate_date.isoformat()}")
        if self.exact_date:
            return sentence + ")."
        return (sentence + f"; no rate was published on {self.requested_date.isoformat()}, "
                "so the last earlier published rate was used).")


class _Series:
    """The rates of one directed pair, in day order, as parallel arrays so a lookup is one bisect."""

    __slots__ = ("days", "rates", "sources")

    def __init__(self, by_day: dict[int, tuple[Decimal, str]]) -> None:
        self.days = sorted(by_day)
        self.rates = [by_day[day][0] for day in self.days]
        self.sources = [by_day[day][1] for day in self.days]

    def on_or_before(self, day: int) -> int | None:
        index = bisect_right(self.days, day) - 1
        return index if index >= 0 else None


# (rate, day as an ordinal, source)
_Found = tuple[Decimal, int, str]


class RateBook:
    """Every rate known, by currency pair, answering "what was X worth in Y on day D".

    Lookup order for a pair: the pair as published (base to quote), else the inverse of the
    pair published the other way round, else a cross rate through a pivot currency (EUR first,
    then, alphabetically, any currency with rates to both), each leg using its own last rate on
    or before the day; a cross rate is dated by its older leg. Only one pivot is tried at a time:
    no chains through two other currencies.

    When several sources publish the same pair for the same day, the rate added last wins, so a
    caller can order its rates by preference (or by the time they were imported).
    """

    def __init__(self, rates: Iterable[FxRate]) -> None:
        by_pair: dict[tuple[str, str], dict[int, tuple[Decimal, str]]] = {}
        for rate in rates:
            by_pair.setdefault((rate.base, rate.quote), {})[rate.day.toordinal()] = (rate.rate, rate.source)
        self._series = {pair: _Series(by_day) for pair, by_day in by_pair.items()}
        self._links: dict[str, set[str]] = {}
        for base, quote in self._series:
            self._links.setdefault(base, set()).add(quote)
            self._links.setdefault(quote, set()).add(base)
        # The book never changes after construction, so answers can be remembered; bulk imports
        # and reports ask for the same few pairs and days again and again.
        self._cached = lru_cache(maxsize=1 << 16)(self._rate_on)

    def __len__(self) -> int:
        return sum(len(series.days) for series in self._series.values())

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(self._links)

    def convert(self, money: Money, to: str, on: date) -> Conversion:
        """Convert ``money`` into ``to`` at the rate of ``on`` (or the last earlier published one)."""
        target = check_currency(to)
        rate, rate_date, source = self._cached(money.currency, target, on)
        converted = Money.rounded(_AMOUNTS.multiply(money.amount, rate), target)
        return Conversion(money, converted, rate, rate_date, on, source)

    def rate_on(self, base: str, quote: str, on: date) -> tuple[Decimal, date, str]:
        """Units of ``quote`` per unit of ``base`` on ``on``: (rate, the day it was published, its source)."""
        return self._cached(base, quote, on)

    def _rate_on(self, base: str, quote: str, on: date) -> tuple[Decimal, date, str]:
        base, quote = check_currency(base, "base"), check_currency(quote, "quote")
        if base == quote:
            return _ONE, on, SAME_CURRENCY
        day = on.toordinal()
        found = self._pair(base, quote, day)
        if found is None:
            found = self._cross(base, quote, day)
        if found is None:
            raise self._missing(base, quote, on)
        rate, published, source = found
        return rate, date.fromordinal(published), source

    def _pair(self, base: str, quote: str, day: int) -> _Found | None:
        """The published pair, else its inverse."""
        series = self._series.get((base, quote))
        if series is not None and (index := series.on_or_before(day)) is not None:
            return series.rates[index], series.days[index], series.sources[index]
        series = self._series.get((quote, base))
        if series is not None and (index := series.on_or_before(day)) is not None:
            return _RATES.divide(_ONE, series.rates[index]), series.days[index], series.sources[index]
        return None

    def _pivots(self, base: str, quote: str) -> list[str]:
        shared = self._links.get(base, set()) & self._links.get(quote, set())
        return sorted(shared, key=lambda currency: (currency != PIVOT, currency))

    def _cross(self, base: str, quote: str, day: int) -> _Found | None:
        for pivot in self._pivots(base, quote):
            first = self._pair(base, pivot, day)
            second = self._pair(pivot, quote, day) if first is not None else None
            if first is None or second is None:
                continue
            sources = first[2] if first[2] == second[2] else f"{first[2]} and {second[2]}"
            return (_RATES.multiply(first[0], second[0]), min(first[1], second[1]),
                    f"{sources}, crossed through {pivot}")
        return None

    def _first_day(self, base: str, quote: str) -> int | None:
        """The first day a direct or inverse rate exists for the pair, if ever."""
        days = [series.days[0] for pair in ((base, quote), (quote, base)) if (series := self._series.get(pair))]
        return min(days, default=None)

    def _missing(self, base: str, quote: str, on: date) -> MissingRate:
        starts = []
        if (direct := self._first_day(base, quote)) is not None:
            starts.append(direct)
        for pivot in self._pivots(base, quote):
            legs = (self._first_day(base, pivot), self._first_day(pivot, quote))
            if legs[0] is not None and legs[1] is not None:
                starts.append(max(legs[0], legs[1]))
        if starts:
            why = f"rates start on {date.fromordinal(min(starts)).isoformat()}"
        else:
            why = f"no published rate links {base} and {quote}, directly or through another currency"
        return MissingRate(f"no exchange rate from {base} to {quote} on or before {on.isoformat()} ({why})",
                           field="currency")
