"""`coalition check history`: the demo keeps every rule of time; anachronisms planted in the database by hand (as
data imported before a rule existed would be) are each found and named with their dates. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.bootstrap import Platform
from coalition.domain.history import RULES, HistoryRule
from coalition.domain.ledger import AccountType
from coalition.services.views import history as history_views
from tests.demo_copies import give_demo_world
from tests.integration.helpers import run


@pytest.fixture
def demo(platform: Platform) -> Platform:
    give_demo_world(platform)
    return platform


def tamper(platform: Platform, *statements: sa.Executable) -> None:
    """Edit the database on a connection of its own, past the services."""
    engine = sa.create_engine(platform.engine.url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(statement)
    engine.dispose()


def found(platform: Platform) -> dict[HistoryRule, list[str]]:
    result = history_views.check_history(platform.uow(), platform.operator())
    named: dict[HistoryRule, list[str]] = {}
    for anachronism in result.anachronisms:
        named.setdefault(anachronism.rule, []).append(f"{anachronism.subject}: {anachronism.detail}")
    return named


def test_the_demo_keeps_every_rule_of_time(demo: Platform, capsys: pytest.CaptureFixture[str]):
    assert found(demo) == {}
    code, out, err = run(demo, capsys, "check", "history")
    assert code == 0, err
    assert f"none of the {len(RULES)}" in out or f"any of the {len(RULES)} rules" in out


def test_planted_anachronisms_are_each_found_with_their_dates(demo: Platform, capsys: pytest.CaptureFixture[str]):
    p, r, lists, m = t.payments, t.unit_receipts, t.priority_lists, t.membership_changes
    with demo.engine.connect() as connection:
        payment, contract = connection.execute(sa.select(p.c.id, p.c.contract).order_by(p.c.id).limit(1)).one()
        receipt = connection.execute(sa.select(r.c.id).order_by(r.c.id).limit(1)).scalar_one()
        member = connection.execute(sa.select(m.c.id, m.c.party).where(m.c.instrument.is_not(None))
                                    .order_by(m.c.id).limit(1)).one()
    tamper(demo,
           p.update().where(p.c.id == payment).values(paid_on=date(2020, 1, 2)),
           r.update().where(r.c.id == receipt).values(received_on=date(2020, 1, 3)),
           lists.update().where(lists.c.coalition == "it-coalition", lists.c.version == 1)
           .values(approved_on=date(2020, 1, 4)),
           t.signatures.delete().where(t.signatures.c.party == member.party,
                                       t.signatures.c.instrument == sa.select(m.c.instrument)
                                       .where(m.c.id == member.id).scalar_subquery()))
    named = found(demo)
    assert any(f"payment {payment}: paid on 2020-01-02, before contract {contract}" in s
               for s in named[HistoryRule.PAYMENT_BEFORE_CONTRACT])
    assert any(f"receipt {receipt}: signed for on 2020-01-03" in s for s in named[HistoryRule.RECEIPT_BEFORE_ARRIVAL])
    assert any("priority list version 1: approved on 2020-01-04, before it was submitted" in s
               for s in named[HistoryRule.LIST_APPROVED_BEFORE_SUBMITTED])
    assert any(f"{member.party} in" in s and "which it never signed" in s
               for s in named[HistoryRule.MEMBER_WITHOUT_SIGNATURE])
    code, out, err = run(demo, capsys, "check", "history")
    assert code == 6 and "history check failed" in err and "payment-before-contract" in out


def test_a_contract_drawing_on_money_reserved_only_later_is_found(demo: Platform):
    """A reservation's value date moved after the contract that drew on it: every sum still agrees, but as of the
    contract's day its requirement's reserve stood below zero."""
    e, a = t.ledger_entries, t.ledger_accounts
    debit = a.alias("debit_account")
    with demo.engine.connect() as connection:
        reservation = connection.execute(
            sa.select(e.c.id, e.c.value_date, debit.c.requirement).join(debit, debit.c.id == e.c.debit)
            .where(debit.c.type == AccountType.RESERVED.value, debit.c.requirement == "CP-KIT-01")
            .order_by(e.c.id).limit(1)).one()
    tamper(demo, e.update().where(e.c.id == reservation.id).values(value_date=date(2026, 1, 1)))
    money = found(demo)[HistoryRule.MONEY_BEFORE_IT_CAME]
    assert any(s.startswith("Reserved:it-coalition") and "CP-KIT-01" in s and "would hold -" in s for s in money)
