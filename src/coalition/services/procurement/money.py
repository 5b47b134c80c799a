"""How procurement moves money on the ledger: reserved to contracted when a contract is signed or grows,
contracted back to reserved when it shrinks or is settled, each entry naming its contribution."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date

from coalition.domain.attribution import Pot, draw
from coalition.domain.errors import InvariantViolated
from coalition.domain.ledger import AccountKey, AccountType, Entry, EntryKind
from coalition.domain.money import Money
from coalition.domain.procurement import Contract, ContractLine, FundingShare
from coalition.services.ports import UnitOfWork
from coalition.services.rates import rate_book
from coalition.services.registry import load_coalition


def in_reporting(uow: UnitOfWork, coalition: str, money: Money, on: date) -> int:
    """``money`` in the coalition's reporting currency on ``on`` (or the last earlier rate), in minor units."""
    currency = load_coalition(uow, coalition).reporting_currency
    return rate_book(uow, {money.currency, currency}).convert(money, currency, on).converted.to_minor_units()


def _reservation_pots(uow: UnitOfWork, coalition: str, requirement: str, line: int
                      ) -> list[Pot[tuple[int, AccountKey, int]]]:
    """What is still reserved for ``requirement``, per contribution (entries made earlier in the same
    transaction are already counted)."""
    pots = []
    for contribution, account, units, reporting in uow.ledger.holdings(coalition, requirement):
        if reporting > 0 and units > 0:
            pots.append(Pot((contribution, account, line), units, reporting))
    return pots


def _reserved_by(uow: UnitOfWork, pots: list[Pot[tuple[int, AccountKey, int]]], requirement: str, on: date
                 ) -> list[Pot[tuple[int, AccountKey, int]]]:
    """The pots as far as their money was reserved for ``requirement`` by entries dated on or before ``on``: a
    contract of ``on`` draws only on money reserved by then."""
    by_then: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for entry in uow.ledger.entries(contributions=sorted({p.key[0] for p in pots})):
        if entry.value_date > on or entry.contribution is None:
            continue
        sign = 1 if _reserved_for(entry.debit, requirement) else -1 if _reserved_for(entry.credit, requirement) else 0
        by_then[entry.contribution][0] += sign * entry.amount.to_minor_units()
        by_then[entry.contribution][1] += sign * entry.reporting_amount.to_minor_units()
    capped = []
    for pot in pots:
        units, reporting = by_then[pot.key[0]]
        if units > 0 and reporting > 0:
            capped.append(Pot(pot.key, min(pot.units, units), min(pot.reporting, reporting)))
    return capped


def _reserved_for(account: AccountKey, requirement: str) -> bool:
    return account.type is AccountType.RESERVED and account.requirement == requirement


def encumber(uow: UnitOfWork, contract: str, coalition: str, line: ContractLine, reporting: int, on: date
              ) -> list[FundingShare]:
    """Move ``reporting`` minor units of money reserved for the line's requirement, by ``on``, to contracted
    money."""
    now_held = _reservation_pots(uow, coalition, line.requirement, line.number)
    pots = _reserved_by(uow, now_held, line.requirement, on)
    currency = load_coalition(uow, coalition).reporting_currency
    held = sum(p.reporting for p in pots)
    if held < reporting and sum(p.reporting for p in now_held) >= reporting:
        raise InvariantViolated(
            f"line {line.number} is worth {Money.from_minor_units(reporting, currency)}; on {on}, the contract's "
            f"date, only {Money.from_minor_units(held, currency)} was reserved for {line.requirement}: a contract "
            "draws only on money reserved by its date", field="lines")
    if held == 0:
        raise InvariantViolated(f"line {line.number}: no contract for an unfunded requirement: nothing is reserved "
                                f"for {line.requirement} that is not already contracted", field="lines")
    if reporting > held:
        raise InvariantViolated(
            f"line {line.number} is worth {Money.from_minor_units(reporting, currency)}; only "
            f"{Money.from_minor_units(held, currency)} is reserved for {line.requirement} and not yet contracted",
            field="lines")
    shares = []
    now = uow.clock()
    for share in draw(pots, reporting, what=f"line {line.number}"):
        contribution, account, number = share.key
        contracted = dataclasses.replace(account, type=AccountType.CONTRACTED)
        entry = uow.ledger.add_entry(Entry(EntryKind.CONTRACT, on, contracted, account,
                                           Money.from_minor_units(share.units, account.currency),
                                           Money.from_minor_units(share.reporting, currency), contribution,
                                           reason=f"contract {contract} line {number}"), now)
        funded = FundingShare(number, contribution, account.donor, account.fund, account.earmark, share.units,
                              account.currency, share.reporting)
        uow.procurement.add_funding(contract, funded, entry.id)
        shares.append(funded)
    return shares


def account_of(coalition: str, share: FundingShare, requirement: str, type: AccountType) -> AccountKey:
    """The account of ``type`` holding a share's money for ``requirement``."""
    return AccountKey(type, coalition, share.fund, share.donor, share.currency, share.earmark, requirement)


def release(uow: UnitOfWork, contract: Contract, coalition: str, line: ContractLine, reporting: int, on: date,
             reason: str) -> None:
    """Return ``reporting`` minor units contracted for a line (and not paid) to the requirement's reservations."""
    currency = load_coalition(uow, coalition).reporting_currency
    pots = [Pot(share, share.units, share.reporting) for share in unpaid_shares(uow, contract.code)
            if share.line == line.number and share.reporting > 0]
    now = uow.clock()
    for part in draw(pots, reporting, what=f"the release from line {line.number}"):
        share = part.key
        contracted = account_of(coalition, share, line.requirement, AccountType.CONTRACTED)
        reserved = dataclasses.replace(contracted, type=AccountType.RESERVED)
        entry = uow.ledger.add_entry(Entry(EntryKind.RELEASE, on, reserved, contracted,
                                           Money.from_minor_units(part.units, share.currency),
                                           Money.from_minor_units(part.reporting, currency), share.contribution,
                                           reason=reason), now)
        uow.procurement.add_funding(contract.code, dataclasses.replace(share, units=-part.units,
                                                                       reporting=-part.reporting), entry.id)


def unpaid_shares(uow: UnitOfWork, contract: str) -> list[FundingShare]:
    """Per line and contribution, the contracted money not yet paid out."""
    paid: dict[tuple[int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for _, share in uow.procurement.payment_shares([contract]):
        units, reporting = paid[(share.line, share.contribution)]
        paid[(share.line, share.contribution)] = (units + share.units, reporting + share.reporting)
    left = []
    for _, share in uow.procurement.funding([contract]):
        units, reporting = paid.get((share.line, share.contribution), (0, 0))
        left.append(dataclasses.replace(share, units=share.units - units, reporting=share.reporting - reporting))
    return left
