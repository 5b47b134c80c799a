"""Payments to suppliers: a disbursement from the money contracted for a contract's lines, and its reversal."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from coalition.domain import ledger
from coalition.domain.access import Actor, can
from coalition.domain.attribution import Pot, Share, draw
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, NotFound
from coalition.domain.ledger import AccountType, Entry, EntryKind
from coalition.domain.money import Money
from coalition.domain.notifications import EventType
from coalition.domain.procurement import ROUTE_RULES, Contract, FundingShare, Payment, ProcurementCase, paid_total
from coalition.services.audit import record_change, require
from coalition.services.notifications import emit
from coalition.services.ports import UnitOfWork
from coalition.services.procurement.cases import load_case
from coalition.services.procurement.contracts import load_contract
from coalition.services.procurement.money import account_of, release, unpaid_shares
from coalition.services.rates import rate_book
from coalition.services.registry import load_coalition


def record_payment(uow: UnitOfWork, actor: Actor, code: str, *, amount: Money, paid_on: date,
                   milestone: int | None = None, reference: str = "") -> Payment:
    """Pay the supplier: a disbursement from the money contracted (then reserved) for the contract's lines.

    The amount is converted to the reporting currency at the rate of ``paid_on`` (recorded with the
    payment); it is split over the lines and contributions holding money for the contract in proportion
    to what each still holds, largest remainder, so the donor shares sum exactly to the amount paid.
    """
    with uow:
        uow.ledger.lock()
        contract = load_contract(uow, code)
        case = load_case(uow, contract.case)
        require(can(actor, "record_payment", case.coalition))
        if not ROUTE_RULES[case.route].paid:
            raise InvariantViolated("a donation from stock is not paid for", field="contract")
        version = contract.current
        if amount.currency != version.currency:
            raise InvalidInput(f"contract {code} is paid in {version.currency}, not {amount.currency}",
                               field="currency")
        if paid_on < contract.signed_on:
            raise InvariantViolated(f"a payment on {paid_on} precedes the contract signed on {contract.signed_on}",
                                    field="paid_on")
        earlier = uow.procurement.payments([code])
        paid = paid_total(earlier, version.currency)
        if paid + amount > version.value:
            raise InvariantViolated(f"contract {code} is worth {version.value}; {paid} is paid, so {amount} more "
                                    "would pay beyond the contract", field="amount")
        if milestone is not None:
            due = version.milestone(milestone)
            paid_on_milestone = paid_total(earlier, version.currency, milestone)
            if paid_on_milestone + amount > due.amount:
                raise InvariantViolated(f"milestone {milestone} ({due.title}) is worth {due.amount}; "
                                        f"{paid_on_milestone} is paid on it", field="amount")
        currency = load_coalition(uow, case.coalition).reporting_currency
        conversion = rate_book(uow, {amount.currency, currency}).convert(amount, currency, paid_on)
        shares = _disburse(uow, contract, case, conversion.converted.to_minor_units(), paid_on, amount)
        stored = uow.procurement.add_payment(Payment(code, paid_on, amount, conversion.converted, conversion.rate,
                                                     conversion.rate_date, conversion.source, milestone,
                                                     reference.strip()), shares)
        if paid + amount == version.value:
            _settle(uow, contract, case.coalition, paid_on)
        record_change(uow, actor, AuditEvent("record_payment", "payment", str(stored.id), None, {
            **snapshot(stored), "donor_shares": {d: str(Money.from_minor_units(u, currency))
                                                 for d, u in sorted(_by_donor(s for s, _ in shares).items())}}))
        # the donors whose money it disbursed; their shares stay behind the API's masking
        emit(uow, EventType.PAYMENT_DISBURSED, coalition=case.coalition, parties=list(_by_donor(s for s, _ in shares)),
             facts={"payment": stored.id, "contract": code, "paid_on": paid_on.isoformat()})
        uow.commit()
    return stored


def reverse_payment(uow: UnitOfWork, actor: Actor, payment_id: int, *, reason: str, on: date) -> Payment:
    """Undo a payment recorded in error: each disbursement entry is reversed (the money returns to where it
    was drawn from, contracted or reserved), and a reversing payment with negative shares is recorded."""
    if not reason.strip():
        raise InvalidInput("a reversal of a payment needs a reason", field="reason")
    with uow:
        uow.ledger.lock()
        found = {p.id: p for p in _payments_of(uow, payment_id)}
        original = found.get(payment_id)
        if original is None:
            raise NotFound(f"no payment {payment_id}", field="payment")
        contract = load_contract(uow, original.contract)
        case = load_case(uow, contract.case)
        require(can(actor, "record_payment", case.coalition))
        if original.reverses is not None:
            raise InvariantViolated(f"payment {payment_id} is itself a reversal; record a new payment instead",
                                    field="payment")
        if any(p.reverses == payment_id for p in found.values()):
            raise Conflict(f"payment {payment_id} has already been reversed", field="payment")
        if on < original.paid_on:
            raise InvariantViolated(f"a reversal on {on} cannot precede the payment of {original.paid_on}", field="on")
        now = uow.clock()
        shares = []
        for paid_id, held, entry_id in uow.procurement.payment_entries(contract.code):
            if paid_id != payment_id:
                continue
            entry = uow.ledger.get_entry(entry_id)
            assert entry is not None
            why = f"payment {payment_id} reversed: {reason.strip()}"
            history = uow.ledger.entries(contributions=[entry.contribution]) if entry.contribution else []
            undo = uow.ledger.add_entry(ledger.reversal(entry, reason=why, on=on, today=now.date(),
                                                        already_reversed=False, history=history), now)
            assert undo.id is not None
            back = dataclasses.replace(held, units=-held.units, reporting=-held.reporting)
            if entry.credit.type is AccountType.RESERVED:  # drawn from the reservations: it returns there
                uow.procurement.add_funding(contract.code, back, undo.id)
            shares.append((back, undo.id))
        stored = uow.procurement.add_payment(dataclasses.replace(
            original, paid_on=on, reverses=payment_id, reason=reason.strip(), id=None), shares)
        record_change(uow, actor, AuditEvent("reverse_payment", "payment", str(payment_id), snapshot(original),
                                             snapshot(stored)))
        uow.commit()
    return stored


def _payments_of(uow: UnitOfWork, payment_id: int) -> list[Payment]:
    """Every payment under the contract of ``payment_id``."""
    contract = uow.procurement.contract_of_payment(payment_id)
    return [] if contract is None else uow.procurement.payments([contract])


def _by_donor(shares: Iterable[FundingShare]) -> dict[str, int]:
    """The reporting-currency minor units per donor."""
    totals: dict[str, int] = defaultdict(int)
    for share in shares:
        totals[share.donor] += share.reporting
    return dict(totals)


def _disburse(uow: UnitOfWork, contract: Contract, case: ProcurementCase, reporting: int, on: date,
              amount: Money) -> list[tuple[FundingShare, int]]:
    """Post the disbursement entries of a payment worth ``reporting`` minor units; the shares and their entries."""
    currency = load_coalition(uow, case.coalition).reporting_currency
    requirement_of = {line.number: line.requirement for line in contract.current.lines}
    now = uow.clock()
    stored = []
    for part, source_type in _drawn(uow, contract, case, reporting, amount, currency):
        held = part.key
        source = account_of(case.coalition, held, requirement_of[held.line], source_type)
        disbursed = dataclasses.replace(source, type=AccountType.DISBURSED)
        entry = uow.ledger.add_entry(Entry(EntryKind.DISBURSEMENT, on, disbursed, source,
                                           Money.from_minor_units(part.units, held.currency),
                                           Money.from_minor_units(part.reporting, currency), held.contribution,
                                           reason=f"payment under contract {contract.code}"), now)
        assert entry.id is not None
        share = dataclasses.replace(held, units=part.units, reporting=part.reporting)
        if source_type is AccountType.RESERVED:  # counted as contracted and paid, so the contract's books agree
            uow.procurement.add_funding(contract.code, share, entry.id)
        stored.append((share, entry.id))
    return stored


def _drawn(uow: UnitOfWork, contract: Contract, case: ProcurementCase, reporting: int, amount: Money,
           currency: str) -> list[tuple[Share[FundingShare], AccountType]]:
    """Where a payment's money comes from: the contract's unpaid contracted money and, when the rate moved so
    the payment is worth more, the difference from what is still reserved for its requirements."""
    unpaid = [Pot(s, s.units, s.reporting) for s in unpaid_shares(uow, contract.code) if s.reporting > 0]
    contracted = sum(p.reporting for p in unpaid)
    if reporting <= contracted:
        return [(share, AccountType.CONTRACTED) for share in draw(unpaid, reporting, what="the payment")]
    reserved = _reserved_for(uow, contract, case.coalition)
    available = sum(p.reporting for p in reserved)
    if reporting - contracted > available:
        raise InvariantViolated(
            f"a payment of {amount} is worth {Money.from_minor_units(reporting, currency)}; contract "
            f"{contract.code} holds {Money.from_minor_units(contracted, currency)} and its requirements "
            f"{Money.from_minor_units(available, currency)} more in reservations: no payment beyond the money "
            "reserved", field="amount")
    parts = [(share, AccountType.CONTRACTED) for share in draw(unpaid, contracted, what="the payment")
             ] if contracted else []
    return parts + [(share, AccountType.RESERVED) for share in draw(reserved, reporting - contracted,
                                                                    what="the exchange-rate difference")]


def _reserved_for(uow: UnitOfWork, contract: Contract, coalition: str) -> list[Pot[FundingShare]]:
    """What is still reserved for the contract's requirements, per contribution, as shares of the first line
    buying each requirement."""
    first_line: dict[str, int] = {}
    for line in contract.current.lines:
        first_line.setdefault(line.requirement, line.number)
    reserved = []
    for requirement, number in first_line.items():
        for contribution, account, units, kept in uow.ledger.holdings(coalition, requirement):
            share = FundingShare(number, contribution, account.donor, account.fund, account.earmark, units,
                                 account.currency, kept)
            reserved.append(Pot(share, units, kept))
    return reserved


def _settle(uow: UnitOfWork, contract: Contract, coalition: str, on: date) -> None:
    """A contract paid in full returns what is left of its contracted money (a rate gain) to the reservations."""
    left: dict[int, int] = defaultdict(int)
    for share in unpaid_shares(uow, contract.code):
        left[share.line] += share.reporting
    for line in contract.current.lines:
        if left.get(line.number, 0) > 0:
            release(uow, contract, coalition, line, left[line.number], on,
                     f"contract {contract.code} paid in full: the rest returns to the reservations")
