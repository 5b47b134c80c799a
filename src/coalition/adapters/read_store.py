"""SQL implementations of the read ports (``services.views.ports``): what the reports read, in set-based
queries whose number does not grow with the rows (a contract file for a hundred contracts is the same
seven queries as for one, in chunks of a thousand keys)."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.ledger_store import account_balances, balances_on
from coalition.adapters.procurement_store import SqlProcurementRepository, case_from_row, chunks
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.contributions import Confidentiality, Visibility
from coalition.domain.delivery import EndUseCheck, Finding, Shipment, UnitReceipt
from coalition.domain.ledger import AccountKey, AccountType, Balance
from coalition.domain.procurement import CaseStage, Contract, FundingShare, Payment, ProcurementCase
from coalition.services.views.ports import ContractFile

T = TypeVar("T")


def _signed_by(query: sa.Select[Any], on: date | None) -> sa.Select[Any]:
    """The contracts ``query`` selects, only those signed by the end of ``on`` where a day is given."""
    return query if on is None else query.where(t.contracts.c.signed_on <= on)


def _by(on: date | None) -> Callable[[date], bool]:
    """Whether a day falls by the end of ``on`` (every day does, for None: now)."""
    return (lambda day: True) if on is None else (lambda day: day <= on)


def _shipments_on(shipments: Iterable[Shipment], on: date | None) -> list[Shipment]:
    """The shipments as they stood at the end of ``on``: their events until then, none prepared later."""
    if on is None:
        return list(shipments)
    return [dataclasses.replace(s, events=tuple(e for e in s.events if e.on <= on)) for s in shipments
            if s.events[0].on <= on]


def _grouped(pairs: Iterable[tuple[str, T]]) -> defaultdict[str, list[T]]:
    """The values per contract, in the order read."""
    found: defaultdict[str, list[T]] = defaultdict(list)
    for contract, value in pairs:
        found[contract].append(value)
    return found


_CONTRACTED = (AccountType.CONTRACTED.value, AccountType.DISBURSED.value)


@rebuilds_stored_values
class SqlFundingReads:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def balances(self, *, coalition: str | None = None, donor: str | None = None,
                 on: date | None = None) -> list[tuple[AccountKey, Balance]]:
        return account_balances(self._c, coalition=coalition, donor=donor, on=on)

    def confidential(self, coalition: str) -> list[tuple[str, Confidentiality]]:
        c = t.contributions
        query = (sa.select(c.c.donor, c.c.visibility, c.c.restricted_to, c.c.declassify_on).distinct()
                 .where(c.c.coalition == coalition, c.c.visibility != Visibility.PUBLIC.value))
        return [(row.donor, Confidentiality(Visibility(row.visibility),
                                            tuple(json.loads(row.restricted_to)) if row.restricted_to else (),
                                            row.declassify_on))
                for row in self._c.execute(query)]

    def conversion_sources(self, coalition: str) -> list[tuple[str, str]]:
        s = t.conversion_sources
        query = sa.select(s.c.currency, s.c.source).where(s.c.coalition == coalition).order_by(s.c.currency, s.c.source)
        return [(row.currency, row.source) for row in self._c.execute(query)]

    def reporting_total(self, coalition: str, type: AccountType, on: date | None = None) -> int:
        a, held = _held(on)
        query = sa.select(sa.func.coalesce(sa.func.sum(held.c.reporting_minor), 0)).select_from(a).where(
            a.c.type == type.value, a.c.coalition == coalition)
        return int(self._c.execute(_joined(query, a, held)).scalar_one())

    def monthly(self, coalition: str) -> list[tuple[int, AccountType, int]]:
        a, m = t.ledger_accounts, t.ledger_months
        query = (sa.select(m.c.month, a.c.type, sa.func.sum(m.c.reporting_minor)).join(a, a.c.id == m.c.account)
                 .where(a.c.coalition == coalition).group_by(m.c.month, a.c.type).order_by(m.c.month, a.c.type))
        return [(int(month), AccountType(type), int(total)) for month, type, total in self._c.execute(query)]

    def requirement_money(self, coalition: str, on: date | None = None) -> dict[str, tuple[int, int]]:
        a, held = _held(on)
        reserved = sa.func.sum(sa.case((a.c.type == AccountType.RESERVED.value, held.c.reporting_minor), else_=0))
        contracted = sa.func.sum(sa.case((a.c.type.in_(_CONTRACTED), held.c.reporting_minor), else_=0))
        query = (sa.select(a.c.requirement, reserved, contracted).select_from(a)
                 .where(a.c.coalition == coalition, a.c.requirement != "",
                        a.c.type.in_((AccountType.RESERVED.value, *_CONTRACTED)))
                 .group_by(a.c.requirement))
        return {r[0]: (int(r[1]), int(r[2])) for r in self._c.execute(_joined(query, a, held))
                if int(r[1]) or int(r[2])}

    def in_kind_money(self, coalition: str, on: date | None = None) -> dict[str, int]:
        f, k, c = t.contract_funding, t.contracts, t.procurement_cases
        query = (sa.select(f.c.contract, f.c.line, sa.func.sum(f.c.reporting_minor))
                 .join(k, k.c.code == f.c.contract).join(c, c.c.code == k.c.case_code)
                 .where(c.c.coalition == coalition, f.c.entry.is_(None))
                 .group_by(f.c.contract, f.c.line))
        rows = self._c.execute(_signed_by(query, on)).all()
        if not rows:
            return {}
        store = SqlProcurementRepository(self._c)
        contracts = {k.code: k for k in store.contracts_of(sa.select(t.contracts).where(
            t.contracts.c.code.in_(sorted({r[0] for r in rows}))))}
        found: dict[str, int] = defaultdict(int)
        for contract, line, reporting in rows:
            found[contracts[contract].current.line(line).requirement] += int(reporting)
        return dict(found)


def _held(on: date | None) -> tuple[sa.Table, sa.Table | sa.Subquery]:
    """The accounts, and where their balances are read: the maintained ones, or those as of ``on``."""
    return t.ledger_accounts, (t.ledger_accounts if on is None else balances_on(on))


def _joined(query: sa.Select[Any], accounts: sa.Table, held: sa.Table | sa.Subquery) -> sa.Select[Any]:
    """``query`` over the accounts joined with their balances as of a day, where those are read elsewhere."""
    return query if held is accounts else query.join(held, held.c.account == accounts.c.id)


@rebuilds_stored_values
class SqlDeliveryReads:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection
        self._store = SqlProcurementRepository(connection)

    def cases(self, coalition: str, on: date | None = None) -> list[ProcurementCase]:
        found = self._store.cases(coalition)
        if on is None:
            return found
        e = t.case_events
        stages: dict[str, str] = {}
        for row in self._c.execute(sa.select(e.c.case_code, e.c.to_stage)
                                   .join(t.procurement_cases, t.procurement_cases.c.code == e.c.case_code)
                                   .where(t.procurement_cases.c.coalition == coalition, e.c.occurred_on <= on)
                                   .order_by(e.c.id)):
            stages[row.case_code] = row.to_stage
        return [dataclasses.replace(case, stage=CaseStage(stages[case.code])) for case in found
                if case.opened_on <= on and case.code in stages]

    def coalition_files(self, coalition: str, on: date | None = None) -> list[ContractFile]:
        k, c = t.contracts, t.procurement_cases
        query = (sa.select(k).join(c, c.c.code == k.c.case_code).where(c.c.coalition == coalition)
                 .order_by(k.c.signed_on, k.c.code))
        return self._files(self._store.contracts_of(_signed_by(query, on)), on)

    def donor_files(self, donor: str, on: date | None = None) -> list[ContractFile]:
        k, f = t.contracts, t.contract_funding
        funded = sa.select(f.c.contract).where(f.c.donor == donor)
        query = sa.select(k).where(k.c.code.in_(funded)).order_by(k.c.code)
        return self._files(self._store.contracts_of(_signed_by(query, on)), on)

    def contract_file(self, code: str) -> ContractFile | None:
        found = self._files(self._store.contracts_of(sa.select(t.contracts).where(t.contracts.c.code == code)))
        return found[0] if found else None

    def checks(self, receipts: Collection[int]) -> list[EndUseCheck]:
        c = t.end_use_checks
        found = []
        for chunk in chunks(receipts):
            found += [EndUseCheck(r.receipt, r.checked_on, r.checked_by, r.quantity, Finding(r.finding), r.note, r.id)
                      for r in self._c.execute(sa.select(c).where(c.c.receipt.in_(chunk)).order_by(c.c.id))]
        return found

    def _files(self, contracts: Sequence[Contract], on: date | None = None) -> list[ContractFile]:
        """The files of the contracts; as of ``on``, as they stood at the end of that day: the versions agreed,
        the money moved, the payments made, the shipments' states and the receipts signed by then."""
        if not contracts:
            return []
        by = _by(on)
        contracts = [dataclasses.replace(k, versions=tuple(v for v in k.versions if by(v.on)) or k.versions[:1])
                     for k in contracts]
        codes = [k.code for k in contracts]
        cases = self._cases({k.case for k in contracts})
        funding = _grouped(self._store.funding(codes, on))
        payments, shares = self._payments(codes, by)
        shipments = _grouped((s.contract, s) for s in _shipments_on(self._store.shipments(codes), on))
        receipts = self._receipts([s for found in shipments.values() for s in found], by)
        return [ContractFile(k, cases[k.case], tuple(funding[k.code]), tuple(payments[k.code]),
                             tuple(shares[k.code]), tuple(shipments[k.code]), tuple(receipts[k.code]))
                for k in contracts]

    def _payments(self, codes: Sequence[str], by: Callable[[date], bool]
                  ) -> tuple[defaultdict[str, list[Payment]], defaultdict[str, list[tuple[int, FundingShare]]]]:
        """The payments made (by a day) per contract, and who paid each."""
        payments = _grouped((p.contract, p) for p in self._store.payments(codes) if by(p.paid_on))
        contract_of = {p.id: p.contract for found in payments.values() for p in found}
        shares = _grouped((contract_of[id], (id, share)) for id, share in self._store.payment_shares(codes)
                          if id in contract_of)
        return payments, shares

    def _receipts(self, shipments: Sequence[Shipment], by: Callable[[date], bool]
                  ) -> defaultdict[str, list[UnitReceipt]]:
        contract_of = {s.id: s.contract for s in shipments}
        return _grouped((contract_of[r.shipment], r)
                        for r in self._store.receipts([s.id for s in shipments if s.id is not None])
                        if by(r.received_on))

    def _cases(self, codes: set[str]) -> dict[str, ProcurementCase]:
        c = t.procurement_cases
        found = {}
        for chunk in chunks(codes):
            found.update({row.code: case_from_row(row)
                          for row in self._c.execute(sa.select(c).where(c.c.code.in_(chunk)))})
        return found
