"""Converting money at published rates: the rate of the value date, or else the last earlier one, saying which."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coalition.domain.errors import InvalidInput, NotFound
from coalition.domain.fx import FxRate, MissingRate, RateBook
from coalition.domain.money import Money

ECB = "ECB euro foreign exchange reference rates"
NBU = "National Bank of Ukraine"

THURSDAY, FRIDAY, SATURDAY, SUNDAY = date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)


def eur(text: str) -> Money:
    return Money(Decimal(text), "EUR")


def money(text: str, currency: str) -> Money:
    return Money(Decimal(text), currency)


@pytest.fixture
def book() -> RateBook:
    """The ECB publishes on working days; the NBU also sets a rate for Saturday."""
    return RateBook([
        FxRate(THURSDAY, "EUR", "USD", Decimal("1.0498"), ECB),
        FxRate(FRIDAY, "EUR", "USD", Decimal("1.0512"), ECB),
        FxRate(FRIDAY, "EUR", "GBP", Decimal("0.8512"), ECB),
        FxRate(FRIDAY, "EUR", "JPY", Decimal("162.50"), ECB),
        FxRate(FRIDAY, "EUR", "UAH", Decimal("48.1234"), NBU),
        FxRate(SATURDAY, "EUR", "UAH", Decimal("48.2001"), NBU),
    ])


def test_the_rate_of_the_value_date_is_used(book: RateBook):
    conversion = book.convert(eur("1000.00"), "USD", FRIDAY)
    assert conversion.converted == money("1051.20", "USD")
    assert (conversion.rate, conversion.rate_date, conversion.source) == (Decimal("1.0512"), FRIDAY, ECB)
    assert conversion.exact_date
    assert conversion.describe() == f"1000.00 EUR = 1051.20 USD at 1.0512 USD per EUR ({ECB}, rate of 2026-11-20)."
    assert book.convert(eur("1000.00"), "USD", THURSDAY).converted == money("1049.80", "USD")


def test_a_weekend_uses_the_last_earlier_rate_and_says_so(book: RateBook):
    conversion = book.convert(eur("1000.00"), "USD", SUNDAY)
    assert conversion.converted == money("1051.20", "USD")
    assert conversion.rate_date == FRIDAY
    assert conversion.requested_date == SUNDAY
    assert not conversion.exact_date
    assert "rate of 2026-11-20" in conversion.describe()
    assert "no rate was published on 2026-11-22, so the last earlier published rate was used" in conversion.describe()


def test_a_date_before_the_first_rate_is_refused_naming_pair_and_date(book: RateBook):
    with pytest.raises(MissingRate) as caught:
        book.convert(eur("10.00"), "USD", date(2026, 11, 2))
    assert caught.value.message == ("no exchange rate from EUR to USD on or before 2026-11-02 "
                                    "(rates start on 2026-11-19)")
    assert caught.value.field == "currency"
    assert caught.value.code == "missing_rate"
    assert isinstance(caught.value, NotFound)


def test_a_currency_no_rate_reaches_is_refused(book: RateBook):
    with pytest.raises(MissingRate, match=r"from EUR to PLN on or before 2026-11-20 \(no published rate links"):
        book.convert(eur("10.00"), "PLN", FRIDAY)


def test_the_same_currency_needs_no_rate():
    conversion = RateBook([]).convert(eur("12.34"), "eur", FRIDAY)
    assert conversion.converted == eur("12.34")
    assert (conversion.rate, conversion.rate_date) == (Decimal(1), FRIDAY)
    assert conversion.describe() == "12.34 EUR needs no conversion: it is already in EUR."


def test_the_inverse_of_a_published_rate(book: RateBook):
    # 100 / 1.0512 = 95.129375...
    assert book.convert(money("100.00", "USD"), "EUR", FRIDAY).converted == eur("95.13")
    # 10,000 hryvnias at 48.1234 UAH per EUR (the NBU's EUR rate): 10000 / 48.1234 = 207.7991...
    conversion = book.convert(money("10000.00", "UAH"), "EUR", FRIDAY)
    assert conversion.converted == eur("207.80")
    assert conversion.source == NBU
    assert "0.02077991164 EUR per UAH" in conversion.describe()


def test_a_cross_rate_through_the_euro(book: RateBook):
    # USD -> EUR -> UAH: 1000 / 1.0512 * 48.1234 = 45779.490106...
    conversion = book.convert(money("1000.00", "USD"), "UAH", FRIDAY)
    assert conversion.converted == money("45779.49", "UAH")
    assert conversion.source == f"{ECB} and {NBU}, crossed through EUR"
    # GBP -> EUR -> USD, both legs from the ECB: 250 / 0.8512 * 1.0512 = 308.7406...
    assert book.convert(money("250.00", "GBP"), "USD", FRIDAY).converted == money("308.74", "USD")


def test_a_cross_rate_is_dated_by_its_older_leg(book: RateBook):
    # On Saturday the NBU has a rate of its own but the ECB's latest is Friday's: 1000 / 1.0512 * 48.2001.
    conversion = book.convert(money("1000.00", "USD"), "UAH", SATURDAY)
    assert conversion.converted == money("45852.45", "UAH")
    assert conversion.rate_date == FRIDAY
    assert not conversion.exact_date


def test_a_published_pair_is_preferred_to_a_cross_rate():
    book = RateBook([
        FxRate(FRIDAY, "EUR", "USD", Decimal("1.0512"), ECB),
        FxRate(FRIDAY, "EUR", "UAH", Decimal("48.1234"), NBU),
        FxRate(FRIDAY, "USD", "UAH", Decimal("41.4927"), NBU),
    ])
    conversion = book.convert(money("1000.00", "USD"), "UAH", FRIDAY)
    assert conversion.converted == money("41492.70", "UAH")
    assert conversion.source == NBU


def test_amounts_are_rounded_half_to_even_at_the_minor_unit(book: RateBook):
    # The yen has no minor unit: 1 EUR = 162.5 JPY rounds to the even 162, 3 EUR = 487.5 to 488.
    assert book.convert(eur("1.00"), "JPY", FRIDAY).converted == money("162", "JPY")
    assert book.convert(eur("3.00"), "JPY", FRIDAY).converted == money("488", "JPY")
    # 1000 / 162.50 = 6.1538...
    assert book.convert(money("1000", "JPY"), "EUR", FRIDAY).converted == eur("6.15")


def test_when_two_sources_publish_the_same_day_the_one_added_last_wins():
    book = RateBook([
        FxRate(FRIDAY, "EUR", "USD", Decimal("1.0512"), ECB),
        FxRate(FRIDAY, "EUR", "USD", Decimal("1.0600"), "Another publisher"),
    ])
    assert book.rate_on("EUR", "USD", FRIDAY) == (Decimal("1.0600"), FRIDAY, "Another publisher")


def test_a_rate_must_be_a_positive_decimal_between_two_currencies():
    for bad in ("0", "-1.05", "NaN"):
        with pytest.raises(InvalidInput) as caught:
            FxRate(FRIDAY, "EUR", "USD", Decimal(bad), ECB)
        assert caught.value.field == "rate"
    with pytest.raises(TypeError):
        FxRate(FRIDAY, "EUR", "USD", 1.05, ECB)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as caught:
        FxRate(FRIDAY, "EUR", "XYZ", Decimal("1.05"), ECB)
    assert caught.value.field == "quote"
    with pytest.raises(InvalidInput, match="two different currencies"):
        FxRate(FRIDAY, "EUR", "eur", Decimal(1), ECB)
    assert FxRate(FRIDAY, "eur", "usd", Decimal("1.05"), ECB).quote == "USD"


# --- round trips --------------------------------------------------------------------------------------

# Realistic ranges, in units per euro, at the ECB's four or five significant digits.
PER_EURO = {
    "USD": st.decimals(min_value=Decimal("0.95"), max_value=Decimal("1.25"), places=4),
    "GBP": st.decimals(min_value=Decimal("0.82"), max_value=Decimal("0.92"), places=4),
    "PLN": st.decimals(min_value=Decimal("4.10"), max_value=Decimal("4.70"), places=4),
    "UAH": st.decimals(min_value=Decimal("38.00"), max_value=Decimal("48.00"), places=4),
}


@st.composite
def books_and_pairs(draw: st.DrawFn) -> tuple[RateBook, str, str]:
    per_euro = {code: draw(strategy) for code, strategy in PER_EURO.items()}
    book = RateBook(FxRate(FRIDAY, "EUR", code, rate, ECB) for code, rate in per_euro.items())
    first, second = draw(st.lists(st.sampled_from(["EUR", *PER_EURO]), min_size=2, max_size=2, unique=True))
    per_euro["EUR"] = Decimal(1)
    # A round trip can only stay within one minor unit when it starts in the currency whose minor unit
    # is worth more. Rounding the first leg moves the amount by up to half a minor unit of the target;
    # the way back multiplies that by the inverse rate. From UAH to EUR, half a euro cent is about
    # 22 kopiyky, so 1.00 UAH -> 0.02 EUR -> 0.96 UAH, and no bound of one kopiyka can hold. All five
    # currencies have two decimals, so the stronger currency is the one with fewer units per euro.
    stronger, weaker = sorted((first, second), key=lambda code: per_euro[code])
    return book, stronger, weaker


@given(case=books_and_pairs(), units=st.integers(min_value=-(10**11), max_value=10**11))
def test_there_and_back_on_the_same_day_stays_within_one_minor_unit(case: tuple[RateBook, str, str], units: int):
    book, origin, target = case
    original = Money.from_minor_units(units, origin)
    there = book.convert(original, target, FRIDAY).converted
    back = book.convert(there, origin, FRIDAY).converted
    assert abs(back.to_minor_units() - units) <= 1


def test_small_amounts_lose_precision_from_the_weaker_currency_and_back(book: RateBook):
    # Why the property above starts from the stronger currency: a euro cent is worth 48 kopiyky.
    there = book.convert(money("1.00", "UAH"), "EUR", FRIDAY).converted
    assert there == eur("0.02")
    assert book.convert(there, "UAH", FRIDAY).converted == money("0.96", "UAH")
