"""SQL reads of ``coalition check history``: each rule of time (``coalition.domain.history``) as one query over the
whole database, returning the records that break it with their dates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.ledger_store import moves
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.delivery import ShipmentState
from coalition.domain.history import Anachronism, HistoryRule, money_before_it_came
from coalition.domain.ledger import AccountKey, AccountType
from coalition.domain.membership import ChangeKind


@rebuilds_stored_values
class SqlHistoryChecks:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def anachronisms(self) -> list[Anachronism]:
        found = list(self._money())
        for rule, query, describe in _DATED_RULES:
            found += [Anachronism(rule, *describe(row)) for row in self._c.execute(query())]
        return found

    def _money(self) -> Iterator[Anachronism]:
        """Each account's net moves per value day, in order, walked by ``money_before_it_came``."""
        a = t.ledger_accounts
        moved = moves()
        days = (sa.select(moved.c.account, moved.c.day, sa.func.sum(moved.c.units), sa.func.sum(moved.c.reporting))
                .group_by(moved.c.account, moved.c.day).order_by(moved.c.account, moved.c.day))
        keys = {r.id: AccountKey(AccountType(r.type), r.coalition, r.fund, r.donor, r.currency, r.earmark,
                                 r.requirement) for r in self._c.execute(sa.select(a))}
        return money_before_it_came((keys[int(r[0])], r[1], int(r[2]), int(r[3])) for r in self._c.execute(days))


def _payments_before_contracts() -> sa.Select[Any]:
    p, k = t.payments, t.contracts
    return (sa.select(p.c.id, p.c.paid_on, k.c.code, k.c.signed_on).join(k, k.c.code == p.c.contract)
            .where(p.c.paid_on < k.c.signed_on).order_by(p.c.id))


def _contracts_before_cases() -> sa.Select[Any]:
    k, c = t.contracts, t.procurement_cases
    return (sa.select(k.c.code, k.c.signed_on, c.c.code.label("case"), c.c.opened_on)
            .join(c, c.c.code == k.c.case_code).where(k.c.signed_on < c.c.opened_on).order_by(k.c.code))


def _shipments_out_of_order() -> sa.Select[Any]:
    e, before = t.shipment_events, t.shipment_events.alias("before")
    return (sa.select(e.c.shipment, e.c.state, e.c.on_date, before.c.state.label("earlier_state"),
                      before.c.on_date.label("earlier_on"))
            .join(before, sa.and_(before.c.shipment == e.c.shipment, before.c.id < e.c.id))
            .where(before.c.on_date > e.c.on_date).order_by(e.c.shipment, e.c.id))


def _receipts_before_arrival() -> sa.Select[Any]:
    r, e = t.unit_receipts, t.shipment_events
    arrived = (sa.select(e.c.shipment, sa.func.min(e.c.on_date).label("arrived_on"))
               .where(e.c.state == ShipmentState.ARRIVED.value).group_by(e.c.shipment).subquery())
    return (sa.select(r.c.id, r.c.shipment, r.c.received_on, arrived.c.arrived_on)
            .outerjoin(arrived, arrived.c.shipment == r.c.shipment)
            .where(sa.or_(arrived.c.arrived_on.is_(None), r.c.received_on < arrived.c.arrived_on)).order_by(r.c.id))


def _lists_approved_before_submitted() -> sa.Select[Any]:
    p = t.priority_lists
    return (sa.select(p.c.coalition, p.c.version, p.c.submitted_on, p.c.approved_on)
            .where(p.c.approved_on < p.c.submitted_on).order_by(p.c.coalition, p.c.version))


def _plans_before_lists() -> sa.Select[Any]:
    a, p = t.allocation_plans, t.priority_lists
    return (sa.select(a.c.id, a.c.run_on, a.c.coalition, a.c.priority_version, p.c.approved_on)
            .join(p, sa.and_(p.c.coalition == a.c.coalition, p.c.version == a.c.priority_version))
            .where(sa.or_(p.c.approved_on.is_(None), a.c.run_on < p.c.approved_on)).order_by(a.c.id))


def _plans_decided_before_run() -> sa.Select[Any]:
    a, d = t.allocation_plans, t.plan_decisions
    return (sa.select(a.c.id, a.c.run_on, d.c.state, d.c.decided_on).join(d, d.c.plan == a.c.id)
            .where(d.c.decided_on < a.c.run_on).order_by(a.c.id, d.c.id))


def _members_without_signature() -> sa.Select[Any]:
    m, s = t.membership_changes, t.signatures
    return (sa.select(m.c.coalition, m.c.party, m.c.effective_on, m.c.instrument, s.c.signed_on)
            .outerjoin(s, sa.and_(s.c.instrument == m.c.instrument, s.c.party == m.c.party))
            .where(m.c.instrument.is_not(None), m.c.kind != ChangeKind.LEFT.value,
                   sa.or_(s.c.signed_on.is_(None), s.c.signed_on > m.c.effective_on))
            .order_by(m.c.id))


def _members_outside_term() -> sa.Select[Any]:
    m, i = t.membership_changes, t.instruments
    return (sa.select(m.c.coalition, m.c.party, m.c.effective_on, i.c.code, i.c.term_start, i.c.term_end)
            .join(i, i.c.code == m.c.instrument)
            .where(m.c.kind != ChangeKind.LEFT.value, sa.or_(m.c.effective_on < i.c.term_start,
                          sa.and_(i.c.term_end.is_not(None), m.c.effective_on > i.c.term_end)))
            .order_by(m.c.id))


Describe = Callable[[Any], tuple[str, str]]
_DATED_RULES: list[tuple[HistoryRule, Callable[[], sa.Select[Any]], Describe]] = [
    (HistoryRule.PAYMENT_BEFORE_CONTRACT, _payments_before_contracts,
     lambda r: (f"payment {r.id}", f"paid on {r.paid_on}, before contract {r.code} was signed on {r.signed_on}")),
    (HistoryRule.CONTRACT_BEFORE_CASE, _contracts_before_cases,
     lambda r: (f"contract {r.code}", f"signed on {r.signed_on}, before case {r.case} opened on {r.opened_on}")),
    (HistoryRule.SHIPMENT_OUT_OF_ORDER, _shipments_out_of_order,
     lambda r: (f"shipment {r.shipment}", f"{r.state} on {r.on_date}, before it was {r.earlier_state} on "
                                          f"{r.earlier_on}")),
    (HistoryRule.RECEIPT_BEFORE_ARRIVAL, _receipts_before_arrival,
     lambda r: (f"receipt {r.id}", f"signed for on {r.received_on}, " + (
         f"before shipment {r.shipment} arrived on {r.arrived_on}" if r.arrived_on
         else f"but shipment {r.shipment} never arrived"))),
    (HistoryRule.LIST_APPROVED_BEFORE_SUBMITTED, _lists_approved_before_submitted,
     lambda r: (f"{r.coalition} priority list version {r.version}",
                f"approved on {r.approved_on}, before it was submitted on {r.submitted_on}")),
    (HistoryRule.PLAN_BEFORE_LIST, _plans_before_lists,
     lambda r: (f"allocation plan {r.id}", f"ran on {r.run_on}, " + (
         f"before {r.coalition} priority list version {r.priority_version} was approved on {r.approved_on}"
         if r.approved_on else f"on {r.coalition} priority list version {r.priority_version}, never approved"))),
    (HistoryRule.PLAN_DECIDED_BEFORE_RUN, _plans_decided_before_run,
     lambda r: (f"allocation plan {r.id}", f"{r.state} on {r.decided_on}, before it ran on {r.run_on}")),
    (HistoryRule.MEMBER_WITHOUT_SIGNATURE, _members_without_signature,
     lambda r: (f"{r.party} in {r.coalition}", f"a member from {r.effective_on} under {r.instrument}, " + (
         f"signed only on {r.signed_on}" if r.signed_on else "which it never signed"))),
    (HistoryRule.MEMBER_OUTSIDE_TERM, _members_outside_term,
     lambda r: (f"{r.party} in {r.coalition}", f"a member from {r.effective_on} under {r.code}, in force from "
                                              f"{r.term_start}" + (f" to {r.term_end}" if r.term_end else ""))),
]
