"""The ledger's invariants hold under every act: a reversal never returns money that moved on, nothing is dated in
the future, and `ledger check` finds money counted twice even where every sum agrees. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.bootstrap import Platform
from coalition.domain.audit import AuditEvent
from coalition.domain.coalition import ExcessPolicy
from coalition.domain.contribution_import import ImportRejected
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Earmark
from coalition.domain.errors import InvariantViolated
from coalition.domain.ledger import AccountKey, AccountType, Entry, EntryKind, Measure
from coalition.domain.requirements import RequirementStatus
from coalition.services import funding, planning, registry
from coalition.services.audit import record_change
from coalition.services.procurement import payments
from coalition.services.views import funding as funding_views
from coalition.services.views import ledger as ledger_views
from tests.integration.helpers import dump
from tests.integration.procurement_world import FUND, C, eur, funded_world, measure, open_direct, sign


@pytest.fixture
def world(platform: Platform) -> Platform:
    return funded_world(platform)


def _reservations(platform: Platform) -> list[Entry]:
    _, entries = funding.contribution_entries(platform.uow(), platform.operator(), 1)
    return [e for e in entries if e.kind is EntryKind.RESERVATION]


def test_a_reservation_whose_money_moved_on_cannot_be_reversed(world: Platform):
    open_direct(world)
    sign(world, value="990")
    payments.record_payment(world.uow(), world.operator(), "K-1", amount=eur("30000"), paid_on=date(2024, 5, 1))
    (reserved,) = _reservations(world)
    before = dump(world.engine)
    with pytest.raises(InvariantViolated, match=rf"entry {reserved.id} brought 60000.00 EUR to Reserved:.*R-1; only "
                                                r"600.00 EUR of it is still there: the rest moved on in entries \d+ "
                                                r"\(contract K-1 line 1\)"):
        funding.reverse_entry(world.uow(), world.operator(), reserved.id or 0, reason="wrong plan",
                              on=date(2024, 6, 1))
    assert dump(world.engine) == before
    assert measure(world, Measure.RESERVED) == eur("1000")
    assert measure(world, Measure.AVAILABLE) == eur("0")
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok


def test_a_reservation_still_in_place_is_reversed_and_its_requirement_is_no_longer_funded(world: Platform):
    (estonia,) = _reservations(world)  # R-1 holds EUR 60,000 of Estonia's and EUR 40,000 of Latvia's
    funding.reverse_entry(world.uow(), world.operator(), estonia.id or 0, reason="plan approved by mistake",
                          on=date(2024, 3, 3))
    found, _ = planning.requirement_history(world.uow(), world.operator(), "R-1")
    assert found.status is RequirementStatus.PARTLY_FUNDED
    assert measure(world, Measure.AVAILABLE) == eur("60000")
    assert measure(world, Measure.RESERVED) == eur("40000")
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok


def test_a_reversal_is_dated_between_its_original_and_today(world: Platform):
    receipt = funding.record_contribution(world.uow(), world.operator(), Contribution(
        ContributionKind.RECEIPT, C, FUND, "EE", eur("500"), date(2024, 3, 5), Earmark(), Confidentiality()))
    (entry,) = funding.contribution_entries(world.uow(), world.operator(), receipt.id or 0)[1]
    with pytest.raises(InvariantViolated, match="a reversal on 8513-01-01 is in the future"):
        funding.reverse_entry(world.uow(), world.operator(), entry.id or 0, reason="x", on=date(8513, 1, 1))
    with pytest.raises(InvariantViolated, match="cannot precede the entry it reverses"):
        funding.reverse_entry(world.uow(), world.operator(), entry.id or 0, reason="x", on=date(2024, 3, 4))
    funding.reverse_entry(world.uow(), world.operator(), entry.id or 0, reason="recorded twice",
                          on=world.clock().date())


def test_a_receipt_whose_money_is_reserved_cannot_be_reversed(world: Platform):
    _, entries = funding.contribution_entries(world.uow(), world.operator(), 1)
    receipt = next(e for e in entries if e.kind is EntryKind.RECEIPT)
    with pytest.raises(InvariantViolated, match=r"rest moved on in entries \d+ \(allocation plan 1\)"):
        funding.reverse_entry(world.uow(), world.operator(), receipt.id or 0, reason="wrong donor")


def test_a_pledge_with_a_receipt_fulfilling_it_cannot_be_reversed(world: Platform):
    actor = world.operator()
    pledge = funding.record_contribution(world.uow(), actor, Contribution(
        ContributionKind.PLEDGE, C, FUND, "LV", eur("1000"), date(2024, 3, 5), Earmark(), Confidentiality()))
    paid = funding.record_contribution(world.uow(), actor, Contribution(
        ContributionKind.RECEIPT, C, FUND, "LV", eur("400"), date(2024, 3, 6), Earmark(), Confidentiality(),
        parent=pledge.id))
    (entry,) = funding.contribution_entries(world.uow(), actor, pledge.id or 0)[1]
    with pytest.raises(InvariantViolated, match=rf"contribution {paid.id} \(receipt\) rest"):
        funding.reverse_entry(world.uow(), actor, entry.id or 0, reason="withdrawn")
    (own,) = funding.contribution_entries(world.uow(), actor, paid.id or 0)[1]
    funding.reverse_entry(world.uow(), actor, own.id or 0, reason="paid in error")
    funding.reverse_entry(world.uow(), actor, entry.id or 0, reason="withdrawn")  # nothing rests on it now
    assert ledger_views.check_ledger(world.uow(), actor).ok


def test_ledger_check_finds_money_drawn_twice_from_one_contribution(world: Platform):
    """Two receipts share one account: drawing one of them dry twice keeps the account positive and every sum
    agreeing, but the second draw spends money the contribution never brought."""
    actor = world.operator()
    funding.record_contribution(world.uow(), actor, Contribution(
        ContributionKind.RECEIPT, C, FUND, "EE", eur("700"), date(2024, 3, 5), Earmark(), Confidentiality()))
    second = funding.record_contribution(world.uow(), actor, Contribution(
        ContributionKind.RECEIPT, C, FUND, "EE", eur("300"), date(2024, 3, 6), Earmark(), Confidentiality()))
    available = AccountKey(AccountType.FUND_AVAILABLE, C, FUND, "EE", "EUR")
    reserved = AccountKey(AccountType.RESERVED, C, FUND, "EE", "EUR", requirement="R-2")
    with world.uow() as uow:  # a write that skips the services' rules, as a defective service would
        for _ in range(2):
            uow.ledger.add_entry(Entry(EntryKind.RESERVATION, date(2024, 3, 7), reserved, available, eur("300"),
                                       eur("300"), second.id), world.clock())
        record_change(uow, actor, AuditEvent("defective_reservation", "ledger_entry", "-", None, None))
        uow.commit()
    report = ledger_views.check_ledger(world.uow(), actor)
    assert not report.discrepancies  # every sum agrees
    assert any(f"contribution {second.id} holds -30000" in problem for problem in report.problems), report.problems


def test_the_database_refuses_a_balance_on_its_wrong_side(world: Platform):
    available = AccountKey(AccountType.FUND_AVAILABLE, C, FUND, "EE", "EUR")
    reserved = AccountKey(AccountType.RESERVED, C, FUND, "EE", "EUR", requirement="R-2")
    with pytest.raises(InvariantViolated, match="balance_side"), world.uow() as uow:
        uow.ledger.add_entry(Entry(EntryKind.RESERVATION, date(2024, 3, 7), reserved, available, eur("1"),
                                   eur("1"), 1), world.clock())
    with world.engine.connect() as connection:
        rows = connection.execute(sa.select(t.ledger_accounts.c.balance_minor)
                                  .where(t.ledger_accounts.c.type == "fund-available")).scalars().all()
    assert all(units >= 0 for units in rows)


def test_ledger_check_names_a_requirement_contracted_beyond_its_reservation(world: Platform):
    open_direct(world)
    sign(world, value="990")
    with world.engine.begin() as connection:  # an edit in the database, the constraint dropped, every sum kept
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ALTER TABLE ledger_accounts DROP CONSTRAINT ck_ledger_accounts_balance_side")
        else:
            connection.exec_driver_sql("DROP TRIGGER ledger_accounts_balance_side_update")
        e, a = t.ledger_entries, t.ledger_accounts
        connection.execute(e.update().where(e.c.kind == "contract").values(
            amount_minor=e.c.amount_minor * 2, reporting_minor=e.c.reporting_minor * 2))
        drawn = sa.select(sa.func.coalesce(sa.func.sum(e.c.amount_minor), 0) / 2)
        connection.execute(a.update().where(a.c.type == "contracted").values(
            balance_minor=a.c.balance_minor + drawn.where(e.c.debit == a.c.id).scalar_subquery(),
            reporting_minor=a.c.reporting_minor + drawn.where(e.c.debit == a.c.id).scalar_subquery()))
        connection.execute(a.update().where(a.c.type == "reserved").values(
            balance_minor=a.c.balance_minor - drawn.where(e.c.credit == a.c.id).scalar_subquery(),
            reporting_minor=a.c.reporting_minor - drawn.where(e.c.credit == a.c.id).scalar_subquery()))
    report = ledger_views.check_ledger(world.uow(), world.operator())
    assert not report.discrepancies  # every sum agrees
    assert any("R-1 in test-coalition: 19800000 minor units contracted or paid, above the 10000000" in problem
               for problem in report.problems), report.problems
    assert any("lies on the wrong side for reserved money" in problem for problem in report.problems)




# --- money beyond a promise ---------------------------------------------------------------------------------------


def _promise(world: Platform, kind: ContributionKind, amount: str, parent: int | None = None,
             ref: str | None = None) -> Contribution:
    return funding.record_contribution(world.uow(), world.operator(), Contribution(
        kind, C, FUND, "LV", eur(amount), date(2024, 3, 5), Earmark(), Confidentiality(), parent=parent,
        external_ref=ref))


def test_a_receipt_beyond_a_commitment_received_in_full_is_refused(world: Platform):
    commitment = _promise(world, ContributionKind.COMMITMENT, "10000000")
    _promise(world, ContributionKind.RECEIPT, "10000000", commitment.id)
    before = dump(world.engine)
    with pytest.raises(InvariantViolated, match=r"commitment \d+ promised 10000000.00 EUR; 10000000.00 EUR is "
                                                r"already received under it, so 5000000.00 EUR more would exceed "
                                                r"it by 5000000.00 EUR"):
        _promise(world, ContributionKind.RECEIPT, "5000000", commitment.id)
    assert dump(world.engine) == before


def test_receipts_posted_together_cannot_exceed_their_pledge_between_them(world: Platform):
    pledge = _promise(world, ContributionKind.PLEDGE, "1000", ref="LV-P")
    commitment = _promise(world, ContributionKind.COMMITMENT, "800", pledge.id)
    receipt = Contribution(ContributionKind.RECEIPT, C, FUND, "LV", eur("600"), date(2024, 3, 6), Earmark(),
                           Confidentiality(), parent=commitment.id)
    outcomes = funding.record_contributions(world.uow(), [(world.operator(), receipt)] * 2)
    assert isinstance(outcomes[0], Contribution)
    assert isinstance(outcomes[1], InvariantViolated) and "commitment" in outcomes[1].message
    direct = dataclasses.replace(receipt, amount=eur("450"), parent=pledge.id)
    with pytest.raises(InvariantViolated, match=r"pledge LV-P promised 1000\.00 EUR; 600\.00 EUR is already received"):
        funding.record_contribution(world.uow(), world.operator(), direct)


def test_a_coalition_may_accept_money_beyond_a_promise_and_the_statement_flags_it(world: Platform):
    coalition = next(c for c in registry.list_coalitions(world.uow(), world.operator()) if c.code == C)
    with world.uow() as uow:  # as a decision to change the rules would
        uow.coalitions.set_rules(C, dataclasses.replace(coalition.rules, excess=ExcessPolicy.FLAG))
        record_change(uow, world.operator(), AuditEvent("change_rules", "coalition", C, None, None))
        uow.commit()
    pledge = _promise(world, ContributionKind.PLEDGE, "1000")
    _promise(world, ContributionKind.RECEIPT, "1500", pledge.id)
    statement = funding_views.donor_statement(world.uow(), world.operator(), "LV")
    progress = next(c.progress for c in statement.contributions if c.id == pledge.id)
    assert progress is not None and progress.excess == eur("500") and progress.status.value == "received"


def test_an_import_beyond_a_promise_is_refused_whole_naming_the_row(world: Platform, tmp_path: Path):
    _promise(world, ContributionKind.COMMITMENT, "1000", ref="LV-C")
    header = ["kind", "external_ref", "coalition", "fund", "donor", "amount", "currency", "value_date", "parent_ref"]
    rows = [["receipt", "LV-R1", C, FUND, "LV", "600.00", "EUR", "2024-03-06", "LV-C"],
            ["pledge", "LV-P9", C, FUND, "LV", "100.00", "EUR", "2024-03-06", ""],
            ["receipt", "LV-R2", C, FUND, "LV", "600.00", "EUR", "2024-03-07", "LV-C"],
            ["receipt", "LV-R3", C, FUND, "LV", "100.01", "EUR", "2024-03-07", "LV-P9"]]
    before = dump(world.engine)
    with pytest.raises(ImportRejected) as refused:
        funding.import_contributions(world.uow(), world.operator(), source="beyond.csv", digest="x", header=header,
                                     rows=iter(rows))
    assert [(e.row, e.column) for e in refused.value.errors] == [(4, "amount"), (5, "amount")]
    assert "commitment LV-C promised 1000.00 EUR; 600.00 EUR is already received" in refused.value.errors[0].rule
    assert dump(world.engine) == before


def test_a_refused_receipt_that_would_open_new_accounts_leaves_nothing_behind(world: Platform):
    pledge = _promise(world, ContributionKind.PLEDGE, "100")
    before = dump(world.engine)
    with pytest.raises(InvariantViolated, match="would exceed it"):
        funding.record_contribution(world.uow(), world.operator(), Contribution(
            ContributionKind.RECEIPT, C, FUND, "LV", eur("101"), date(2024, 3, 6),
            Earmark.parse("areas:communications"), Confidentiality(), parent=pledge.id))
    assert dump(world.engine) == before
