"""Money is exact: Decimal in one currency, at its minor unit, never float, never mixed."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coalition.domain.errors import InvalidInput
from coalition.domain.limits import AMOUNT_DIGITS
from coalition.domain.money import CurrencyMismatch, Money, minor_digits


def test_minor_units_follow_the_currency():
    assert minor_digits("EUR") == 2
    assert minor_digits("JPY") == 0
    assert minor_digits("BHD") == 3
    assert Money(Decimal("12.5"), "eur") == Money(Decimal("12.50"), "EUR")
    assert Money(Decimal("1234.56"), "EUR").to_minor_units() == 123456
    assert Money.from_minor_units(1234, "BHD") == Money(Decimal("1.234"), "BHD")
    assert Money.from_minor_units(700, "JPY").amount == Decimal("700")


def test_more_precision_than_the_currency_allows_is_refused():
    with pytest.raises(InvalidInput, match=r"more decimal places than EUR allows \(2\)"):
        Money(Decimal("1.005"), "EUR")
    with pytest.raises(InvalidInput, match="JPY"):
        Money(Decimal("1.5"), "JPY")


def test_floats_are_refused_everywhere():
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(Decimal(1), "EUR") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money.rounded(1.5, "EUR")  # type: ignore[arg-type]


def test_unknown_currency_names_the_field():
    with pytest.raises(InvalidInput) as caught:
        Money(Decimal(1), "XYZ")
    assert caught.value.field == "currency"
    assert "ISO 4217" in caught.value.message


def test_currencies_never_mix():
    with pytest.raises(CurrencyMismatch, match="EUR with USD"):
        Money(Decimal(1), "EUR") + Money(Decimal(1), "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money(Decimal(1), "EUR") < Money(Decimal(2), "GBP")


def test_parse_reads_user_text_and_names_the_field():
    assert Money.parse(" 1000.10 ", "EUR") == Money(Decimal("1000.10"), "EUR")
    with pytest.raises(InvalidInput) as caught:
        Money.parse("ten", "EUR", field="amount")
    assert caught.value.field == "amount"
    with pytest.raises(InvalidInput, match="finite"):
        Money.parse("NaN", "EUR")


def test_multiplication_rounds_half_to_even():
    assert Money(Decimal("0.05"), "EUR") * Decimal("0.5") == Money(Decimal("0.02"), "EUR")
    assert Money(Decimal("0.15"), "EUR") * Decimal("0.5") == Money(Decimal("0.08"), "EUR")


amounts = st.integers(min_value=-(10**15), max_value=10**15)
currencies = st.sampled_from(["EUR", "USD", "GBP", "UAH", "JPY", "BHD", "ISK"])


@given(units=amounts, currency=currencies)
def test_minor_units_round_trip_exactly(units: int, currency: str):
    money = Money.from_minor_units(units, currency)
    assert money.to_minor_units() == units
    if abs(money.amount) < 10**AMOUNT_DIGITS:
        assert Money.parse(str(money.amount), currency) == money
    else:  # typed amounts stay below ten trillion, so their minor units fit the ledger's 64-bit integers
        with pytest.raises(InvalidInput, match="digits before the decimal point"):
            Money.parse(str(money.amount), currency)


def test_a_typed_amount_has_at_most_13_digits_before_its_decimal_point():
    assert Money.parse("9999999999999.99", "EUR").to_minor_units() == 999_999_999_999_999
    for text in ("10000000000000", "99999999999999999999999999.00", "1e30"):
        with pytest.raises(InvalidInput, match="13 digits") as refused:
            Money.parse(text, "EUR")
        assert refused.value.field == "amount"


@given(a=amounts, b=amounts, c=amounts, currency=currencies)
def test_addition_is_exact(a: int, b: int, c: int, currency: str):
    x, y, z = (Money.from_minor_units(v, currency) for v in (a, b, c))
    assert (x + y) + z == x + (y + z)
    assert (x + y - y) == x
    assert (x + y).to_minor_units() == a + b
    negated = -x
    assert -negated == x
    assert negated.to_minor_units() == -a
