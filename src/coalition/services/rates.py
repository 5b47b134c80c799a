"""The exchange rates an act needs: only those between the currencies it converts, read once per act."""

from __future__ import annotations

from collections.abc import Collection

from coalition.domain.fx import RateBook
from coalition.services.ports import UnitOfWork


def rate_book(uow: UnitOfWork, currencies: Collection[str]) -> RateBook:
    """The rates that convert between ``currencies``, in the caller's open unit of work. Cross rates may go through
    EUR, so its rates come too; one currency alone needs no rate at all. (The full history holds tens of thousands
    of rates: an act reads only its own currencies'.)"""
    wanted = set(currencies)
    if len(wanted) <= 1:
        return RateBook([])
    return RateBook(uow.fx_rates.for_currencies(wanted | {"EUR"}))
