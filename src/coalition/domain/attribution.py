"""Donor attribution: splitting an amount over the money that paid for it, exactly, to the minor unit.

The rounding rule is the largest-remainder (Hamilton) method: each share starts as the whole part
of its exact proportional share; the minor units left over go one each to the shares with the
largest fractional remainders, ties to the earlier share. The shares always sum to the amount,
no share is negative, a zero weight gets nothing, and each share is within one minor unit of its
exact proportion.

A *pot* is money held for one purpose on behalf of one contribution (so one donor): its amount in
the contribution's own currency and in the coalition's reporting currency. Drawing from pots splits
a reporting-currency amount over them by largest remainder and turns each share back into the
contribution's currency so that what stays in the pot keeps the pot's ratio; a pot drawn in full gives up
exactly what it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Generic, TypeVar

from coalition.domain.errors import InvalidInput, InvariantViolated


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights`` (non-negative integers) by largest remainder."""
    if total < 0:
        raise InvariantViolated(f"cannot split a negative amount ({total})", field="amount")
    if any(w < 0 for w in weights):
        raise InvariantViolated("weights are not negative", field="weights")
    whole = sum(weights)
    if whole == 0:
        if total == 0:
            return [0] * len(weights)
        raise InvariantViolated(f"cannot split {total} over nothing", field="weights")
    shares = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return shares


K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Pot(Generic[K]):
    """Money held for ``key`` (e.g. a contribution and a contract line): units in its currency, and reporting."""

    key: K
    units: int
    reporting: int


@dataclass(frozen=True, slots=True)
class Share(Generic[K]):
    key: K
    units: int
    reporting: int


def draw(pots: Sequence[Pot[K]], reporting: int, *, what: str) -> list[Share[K]]:
    """Take ``reporting`` minor units from ``pots`` in proportion to what each holds (largest remainder).

    Refuses, naming ``what``, when the pots hold less than asked. Pots that give nothing are left out.
    """
    held = sum(p.reporting for p in pots)
    if reporting > held:
        raise InvariantViolated(f"{what} needs {reporting} minor units but only {held} are held for it",
                                field="amount")
    if reporting <= 0:
        raise InvalidInput(f"{what} must be more than zero", field="amount")
    split = largest_remainder(reporting, [p.reporting for p in pots])
    shares = []
    for pot, part in zip(pots, split, strict=True):
        if part == 0:
            continue
        if part == pot.reporting:
            units = pot.units
        else:  # what stays in the pot keeps the pot's ratio, so repeated draws never run out of units early
            stays = int((Decimal(pot.reporting - part) * pot.units / pot.reporting).to_integral_value(ROUND_HALF_EVEN))
            units = min(pot.units, max(pot.units - stays, 1))
        shares.append(Share(pot.key, units, part))
    return shares
