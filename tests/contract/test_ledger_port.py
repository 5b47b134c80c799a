"""The ledger's write port (``LedgerRepository``), the same on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

from coalition.domain import ledger
from coalition.domain.access import RecordScope
from coalition.domain.contribution_import import ImportRow, ValidRows
from coalition.domain.contributions import (
    Confidentiality,
    Contribution,
    ContributionFilter,
    ContributionKind,
    ContributionOrder,
    Earmark,
    EarmarkKind,
    ReportingValue,
    Visibility,
)
from coalition.domain.ledger import AccountType, Entry, EntryKind
from coalition.domain.money import Money
from tests.contract.conftest import FUND, C, Units, written

AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def contribution(kind: ContributionKind, donor: str, amount: str, *, ref: str | None = None,
                 parent: int | None = None, kept: Confidentiality | None = None) -> Contribution:
    return Contribution(kind, C, FUND, donor, eur(amount), date(2024, 3, 1), Earmark(), kept or Confidentiality(),
                        ref, parent, reporting=ReportingValue(eur(amount), Decimal(1), date(2024, 3, 1), "same"))


def record(units: Units, *found: Contribution) -> list[Contribution]:
    """Store contributions as the funding service does: accounts first, then the lock, then each with its entry."""
    with units() as uow:
        uow.ledger.open_accounts({ledger.account(type, c) for c in found
                                  for type in ledger.CONTRIBUTION_ACCOUNTS[c.kind]})
        uow.ledger.lock()
        stored = [uow.ledger.add_contribution(c, ledger.contribution_entry(c, eur(str(c.amount.amount))), AT)[0]
                  for c in found]
        written(uow, "contributions")
    return stored


def test_a_contribution_reads_back_as_given_with_its_entry_and_balances(units: Units):
    given = contribution(ContributionKind.RECEIPT, "EE", "1000.00", ref="EE-1")
    (stored,) = record(units, given)
    with units() as uow:
        assert stored.id is not None and stored == dataclasses.replace(given, id=stored.id)
        assert uow.ledger.get_contribution(stored.id) == stored
        assert uow.ledger.contribution_by_ref(C, "EE-1") == stored
        assert uow.ledger.contribution_by_ref(C, "EE-2") is None
        (entry,) = uow.ledger.entries(contributions=[stored.id])
        assert (entry.kind, entry.amount, entry.contribution) == (EntryKind.RECEIPT, eur("1000.00"), stored.id)
        assert uow.ledger.get_entry(entry.id or 0) == entry
        assert uow.ledger.position() == entry.id
        balances = {key.type: balance for key, balance in uow.ledger.balances(coalition=C)}
        assert balances == {AccountType.FUND_AVAILABLE: (100000, 100000), AccountType.RECEIVED: (-100000, -100000)}
        assert uow.ledger.balances(donor="LV") == []


def test_contributions_are_listed_oldest_first_filtered_paged_counted_and_by_parent(units: Units):
    pledge, receipt, other = record(units, contribution(ContributionKind.PLEDGE, "EE", "500"),
                                    contribution(ContributionKind.RECEIPT, "EE", "200"),
                                    contribution(ContributionKind.RECEIPT, "LV", "300"))
    (child,) = record(units, contribution(ContributionKind.RECEIPT, "EE", "100", parent=pledge.id))
    with units() as uow:
        assert uow.ledger.contributions(coalition=C) == [pledge, receipt, other, child]
        assert uow.ledger.contributions(donor="EE", kind=ContributionKind.RECEIPT) == [receipt, child]
        assert uow.ledger.contributions(coalition=C, after=receipt.id) == [other, child]
        assert uow.ledger.contributions(coalition=C, offset=1, limit=2) == [receipt, other]
        assert uow.ledger.count_contributions(coalition=C) == 4
        assert uow.ledger.count_contributions(coalition=C, kind=ContributionKind.RECEIPT) == 3
        assert uow.ledger.count_contributions(donor="LV") == 1
        assert uow.ledger.children_of([pledge.id or 0]) == [child]
        refs = uow.ledger.existing_refs([C])
        assert refs == {}


def test_contributions_are_narrowed_by_currency_earmark_and_value_dates_and_ordered_with_ties_by_id(units: Units):
    def given(donor: str, amount: str, day: date, *, currency: str = "EUR", earmark: str = "none") -> Contribution:
        money = Money.parse(amount, currency)
        return Contribution(ContributionKind.RECEIPT, C, FUND, donor, money, day, Earmark.parse(earmark),
                            Confidentiality(), reporting=ReportingValue(eur(amount), Decimal(1), day, "same"))

    a, b, c, d = record(units, given("LV", "300", date(2024, 5, 1)),
                        given("EE", "100", date(2024, 3, 1), currency="DKK", earmark="areas:cyber"),
                        given("EE", "300", date(2024, 4, 1), earmark="requirement:R-1"),
                        given("UA", "200", date(2024, 3, 1), currency="DKK"))
    with units() as uow:
        def listed(**kw: object) -> list[Contribution]:
            return uow.ledger.contributions(coalition=C, filter=ContributionFilter(**kw))  # type: ignore[arg-type]

        assert listed(currency="dkk") == [b, d]
        assert listed(earmark=EarmarkKind.NONE) == [a, d]
        assert listed(earmark=EarmarkKind.AREAS) == [b]
        assert listed(value_from=date(2024, 3, 2), value_to=date(2024, 4, 30)) == [c]
        assert listed(value_to=date(2024, 3, 1)) == [b, d]
        assert listed(order=ContributionOrder.VALUE_DATE) == [b, d, c, a]
        assert listed(order=ContributionOrder.AMOUNT, descending=True) == [c, a, d, b], "ties by id, reversed too"
        assert listed(order=ContributionOrder.DONOR) == [b, c, a, d]
        assert listed(descending=True) == [d, c, b, a]
        assert uow.ledger.contributions(coalition=C, offset=1, limit=2, filter=ContributionFilter(
            order=ContributionOrder.AMOUNT)) == [d, a]
        assert uow.ledger.count_contributions(coalition=C, filter=ContributionFilter(currency="DKK")) == 2
        assert uow.ledger.count_contributions(coalition=C, filter=ContributionFilter(
            order=ContributionOrder.AMOUNT)) == 4


def test_a_scope_lists_only_the_records_its_viewer_may_see_in_full(units: Units):
    restricted = Confidentiality(Visibility.RESTRICTED, ("UA",), None)
    shown, hidden = record(units, contribution(ContributionKind.RECEIPT, "EE", "10"),
                           contribution(ContributionKind.RECEIPT, "LV", "20", kept=restricted))
    today = date(2026, 11, 22)
    with units() as uow:
        outsider = RecordScope("EE", frozenset(), frozenset(), today)
        assert uow.ledger.contributions(donor="LV", scope=outsider) == []
        assert uow.ledger.count_contributions(coalition=C, scope=outsider) == 1
        for party in ("LV", "UA"):
            assert uow.ledger.contributions(coalition=C, scope=RecordScope(party, frozenset(), frozenset(), today)) \
                == [shown, hidden]
        assert uow.ledger.contributions(scope=RecordScope(None, frozenset(), frozenset({C}), today)) == [shown, hidden]


def test_reserving_moves_money_from_available_to_the_requirement_and_a_reversal_names_its_entry(units: Units):
    (receipt,) = record(units, contribution(ContributionKind.RECEIPT, "EE", "1000"))
    available = ledger.account(AccountType.FUND_AVAILABLE, receipt)
    reserved = dataclasses.replace(available, type=AccountType.RESERVED, requirement="R-1")
    with units() as uow:
        uow.ledger.open_accounts({reserved})
        uow.ledger.lock()
        entry = uow.ledger.add_entry(Entry(EntryKind.RESERVATION, date(2024, 3, 2), reserved, available, eur("300"),
                                           eur("300"), receipt.id), AT)
        written(uow, "reservation")
    with units() as uow:
        assert uow.ledger.reserved(C) == {"R-1": 30000} and uow.ledger.contracted(C) == {}
        assert uow.ledger.holdings(C, "R-1") == [(receipt.id, reserved, 30000, 30000)]
        assert uow.ledger.holdings(C, "R-1", AccountType.CONTRACTED) == []
        (money,) = uow.ledger.available_money(C)
        assert (money.contribution, money.donor, money.units, money.reporting_units) == (receipt.id, "EE", 70000, 70000)
        assert uow.ledger.reversal_of(entry.id or 0) is None
        uow.ledger.lock()
        back = uow.ledger.add_entry(Entry(EntryKind.REVERSAL, date(2024, 3, 3), available, reserved, eur("300"),
                                          eur("300"), receipt.id, reverses=entry.id, reason="wrong line"), AT)
        written(uow, "reversal")
    with units() as uow:
        assert uow.ledger.reversal_of(entry.id or 0) == back
        assert uow.ledger.reserved(C) == {} and uow.ledger.holdings(C, "R-1") == []
        assert [m.units for m in uow.ledger.available_money(C)] == [100000]


def test_a_unit_of_work_left_without_commit_writes_nothing(units: Units):
    given = contribution(ContributionKind.RECEIPT, "EE", "1")
    with units() as uow:
        uow.ledger.open_accounts({ledger.account(t, given) for t in ledger.CONTRIBUTION_ACCOUNTS[given.kind]})
        uow.ledger.lock()
        uow.ledger.add_contribution(given, ledger.contribution_entry(given, eur("1")), AT)
    with units() as uow:
        assert uow.ledger.contributions(coalition=C) == [] and uow.ledger.position() == 0


def test_a_bulk_record_stores_each_row_with_its_entry_and_links_a_row_to_its_parent_in_the_file(units: Units):
    def row(kind: str, ref: str, amount: int, parent: tuple[str, int] | None = None) -> ImportRow:
        return ImportRow(kind, ref, C, FUND, "EE", amount, "EUR", date(2024, 3, 1), "", Visibility.PUBLIC.value, (),
                         None, parent, "", amount, "1", date(2024, 3, 1), "same")

    with units() as uow:
        uow.ledger.open_accounts({ledger.account(t, contribution(kind, "EE", "1")) for kind in
                                  (ContributionKind.PLEDGE, ContributionKind.RECEIPT)
                                  for t in ledger.CONTRIBUTION_ACCOUNTS[kind]})
        uow.ledger.lock()
        first, last = uow.ledger.bulk_record(ValidRows([row("pledge", "P-1", 50000),
                                                        row("receipt", "R-1", 20000, ("file", 0))]), AT)
        written(uow, "import")
    with units() as uow:
        pledge, receipt = uow.ledger.contributions(coalition=C)
        assert (first, last) == (pledge.id, receipt.id) and receipt.parent == pledge.id
        assert (pledge.external_ref, receipt.amount) == ("P-1", eur("200"))
        assert set(uow.ledger.existing_refs([C])) == {(C, "P-1"), (C, "R-1")}
        assert len(uow.ledger.entries()) == 2
        assert uow.ledger.count_contributions(coalition=C) == 2
