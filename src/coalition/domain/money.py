"""Money: an exact Decimal amount in one ISO 4217 currency, never a float.

Amounts are held at the currency's minor unit (cents for EUR, none for JPY, fils for BHD),
as Babel's CLDR data gives it; storage uses the integer count of minor units.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache, lru_cache

from babel.numbers import get_currency_precision, list_currencies

from coalition.domain.errors import InvalidInput, InvariantViolated
from coalition.domain.limits import AMOUNT_DIGITS


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(code: str, field: str = "currency") -> str:
    """Return the upper-cased ISO 4217 code or raise naming the field."""
    known = _checked(code)
    if known is None:
        raise InvalidInput(f"'{code}' is not an ISO 4217 currency code", field=field)
    return known


@lru_cache(maxsize=1024)
def _checked(code: str) -> str | None:
    normalised = code.strip().upper()
    return normalised if len(normalised) == 3 and normalised in _known_currencies() else None


@cache
def minor_digits(currency: str) -> int:
    """Number of decimal places of the currency's minor unit (2 for EUR, 0 for JPY, 3 for BHD)."""
    return int(get_currency_precision(check_currency(currency)))


@cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_digits(currency))


@cache
def _zero(currency: str) -> Money:
    return Money(Decimal(0).quantize(_quantum(currency)), currency)


class CurrencyMismatch(InvariantViolated):
    """Two amounts in different currencies were combined."""

    code = "currency_mismatch"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount and its currency. Construction refuses floats and more precision than the minor unit."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money amount must be a Decimal, not {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise InvalidInput(f"amount {self.amount} is not a finite number", field="amount")
        currency = check_currency(self.currency)
        quantised = self.amount.quantize(_quantum(currency))
        if quantised != self.amount:
            raise InvalidInput(
                f"{self.amount} has more decimal places than {currency} allows ({minor_digits(currency)})",
                field="amount",
            )
        object.__setattr__(self, "currency", currency)
        object.__setattr__(self, "amount", quantised)

    @classmethod
    def parse(cls, text: str, currency: str, field: str = "amount") -> Money:
        """Read a decimal string as typed by a user or sent by a machine (at most AMOUNT_DIGITS digits before
        the decimal point, so its minor units fit the ledger)."""
        try:
            value = Decimal(text.strip())
        except (InvalidOperation, AttributeError):
            raise InvalidInput(f"'{text}' is not a decimal number", field=field) from None
        if value.is_finite() and value != 0 and value.adjusted() >= AMOUNT_DIGITS:
            raise InvalidInput(f"'{text.strip()}' has more than {AMOUNT_DIGITS} digits before the decimal point "
                               "(amounts are below ten trillion)", field=field)
        try:
            return cls(value, currency)
        except InvalidInput as error:
            raise InvalidInput(error.message, field=field if error.field == "amount" else error.field) from None

    @classmethod
    def rounded(cls, amount: Decimal | int, currency: str) -> Money:
        """Round a computed amount to the minor unit, half to even (banker's rounding)."""
        if isinstance(amount, float):
            raise TypeError("Money never takes a float")
        code = check_currency(currency)
        return cls(Decimal(amount).quantize(_quantum(code), rounding=ROUND_HALF_EVEN), code)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0).quantize(_quantum(check_currency(currency))), currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        """Exact by construction (whole minor units), so it skips the checks of a typed amount: reports make
        many of these."""
        code = check_currency(currency)
        if units == 0:
            return _zero(code)
        money = object.__new__(cls)
        object.__setattr__(money, "amount", Decimal(units).scaleb(-minor_digits(code)))
        object.__setattr__(money, "currency", code)
        return money

    def to_minor_units(self) -> int:
        return int(self.amount.scaleb(minor_digits(self.currency)))

    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}", field="currency")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float) or not isinstance(factor, Decimal | int):
            raise TypeError("Money is multiplied by a Decimal or an int, never a float")
        return Money.rounded(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
