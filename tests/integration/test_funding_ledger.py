"""The funding ledger on a real database: contributions, status from postings, reversals, reports, checks."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Collection
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalition.adapters.ledger_store import SqlLedgerRepository
from coalition.bootstrap import Platform
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Earmark, Visibility
from coalition.domain.errors import Conflict, InvariantViolated, NotFound
from coalition.domain.fx import FxRate, MissingRate
from coalition.domain.ledger import AccountKey, Measure, PledgeStatus
from coalition.domain.money import Money
from coalition.services import funding
from coalition.services.views import funding as funding_views
from coalition.services.views import ledger as ledger_views
from tests.demo_copies import give_demo_world
from tests.integration.helpers import dump, race_coalition

IT, FUND = "it-coalition", "it-coalition-fund"
ECB = "ECB euro foreign exchange reference rates"


@pytest.fixture
def world(platform: Platform) -> Platform:
    give_demo_world(platform, procurement=False)
    funding.import_fx_rates(platform.uow(), platform.operator(), source="test", digest="t", rates=[
        FxRate(date(2025, 1, 2), "EUR", "USD", Decimal("1.0321"), ECB),
        FxRate(date(2025, 1, 3), "EUR", "USD", Decimal("1.0299"), ECB),
        FxRate(date(2025, 1, 3), "EUR", "NOK", Decimal("11.7450"), ECB),
    ])
    return platform


def record(platform: Platform, kind: ContributionKind, donor: str, amount: str, currency: str, day: date,
           parent: int | None = None, ref: str | None = None, earmark: str = "none") -> Contribution:
    return funding.record_contribution(platform.uow(), platform.operator(), Contribution(
        kind, IT, FUND, donor, Money.parse(amount, currency), day, Earmark.parse(earmark), Confidentiality(), ref,
        parent))


def donor_totals(platform: Platform, donor: str) -> dict[Measure, Money]:
    statement = funding_views.donor_statement(platform.uow(), platform.operator(), donor)
    return statement.coalitions[IT].totals


def pledge_status(platform: Platform, pledge: Contribution) -> PledgeStatus:
    statement = funding_views.donor_statement(platform.uow(), platform.operator(), pledge.donor)
    return next(c.progress.status for c in statement.contributions if c.id == pledge.id and c.progress)


def test_a_pledge_moves_through_its_statuses_as_money_arrives(world: Platform):
    pledge = record(world, ContributionKind.PLEDGE, "IT", "1000000.00", "EUR", date(2025, 1, 3))
    assert pledge_status(world, pledge) is PledgeStatus.PLEDGED
    commitment = record(world, ContributionKind.COMMITMENT, "IT", "1000000.00", "EUR", date(2025, 2, 1),
                        parent=pledge.id)
    assert pledge_status(world, pledge) is PledgeStatus.COMMITTED
    record(world, ContributionKind.RECEIPT, "IT", "400000.00", "EUR", date(2025, 3, 1), parent=commitment.id)
    assert pledge_status(world, pledge) is PledgeStatus.PARTLY_RECEIVED
    record(world, ContributionKind.RECEIPT, "IT", "600000.00", "EUR", date(2025, 4, 1), parent=pledge.id)
    assert pledge_status(world, pledge) is PledgeStatus.RECEIVED
    totals = donor_totals(world, "IT")
    assert totals[Measure.PLEDGED] == Money(Decimal("1000000.00"), "EUR")
    assert totals[Measure.RECEIVED] == totals[Measure.AVAILABLE] == Money(Decimal("1000000.00"), "EUR")


def test_a_contribution_keeps_its_original_amount_and_its_converted_one(world: Platform):
    stored = record(world, ContributionKind.RECEIPT, "IT", "1000.00", "USD", date(2025, 1, 4))
    assert stored.amount == Money(Decimal("1000.00"), "USD")
    assert stored.reporting is not None
    assert stored.reporting.rate_date == date(2025, 1, 3)  # a Saturday: the last earlier published rate
    assert stored.reporting.source == ECB
    assert stored.reporting.amount == Money(Decimal("970.97"), "EUR")  # 1000 / 1.0299 = 970.968...
    report = funding_views.funding_report(world.uow(), world.operator(), IT)
    line = next(li for li in report.lines if li.donor == "IT" and li.currency == "USD")
    assert line.original[Measure.RECEIVED] == Money(Decimal("1000.00"), "USD")
    assert line.reporting[Measure.RECEIVED] == Money(Decimal("970.97"), "EUR")
    assert ("USD", ECB) in report.conversion_sources


def test_a_missing_rate_names_the_currency_and_the_date_and_writes_nothing(world: Platform):
    before = dump(world.engine)
    with pytest.raises(MissingRate) as caught:
        record(world, ContributionKind.PLEDGE, "IT", "5000.00", "USD", date(2024, 12, 31))
    assert "USD" in caught.value.message and "2024-12-31" in caught.value.message
    with pytest.raises(MissingRate, match="CHF"):
        record(world, ContributionKind.PLEDGE, "IT", "5000.00", "CHF", date(2025, 6, 1))
    assert dump(world.engine) == before


def test_a_reversal_restores_every_balance_and_keeps_both_entries(world: Platform):
    before = funding_views.funding_report(world.uow(), world.operator(), IT)
    stored = record(world, ContributionKind.RECEIPT, "NL", "250000.00", "EUR", date(2025, 2, 3))
    after = funding_views.funding_report(world.uow(), world.operator(), IT)
    assert after.totals[Measure.RECEIVED] != before.totals[Measure.RECEIVED]
    _, entries = funding.contribution_entries(world.uow(), world.operator(), stored.id or 0)
    reversal = funding.reverse_entry(world.uow(), world.operator(), entries[0].id or 0, reason="paid twice by error")
    assert reversal.reverses == entries[0].id and reversal.reason == "paid twice by error"
    restored = funding_views.funding_report(world.uow(), world.operator(), IT)
    assert restored.totals == before.totals
    _, entries = funding.contribution_entries(world.uow(), world.operator(), stored.id or 0)
    assert [e.kind.value for e in entries] == ["receipt", "reversal"]
    with pytest.raises(Conflict, match="already been reversed"):
        funding.reverse_entry(world.uow(), world.operator(), entries[0].id or 0, reason="again")
    with pytest.raises(InvariantViolated, match="itself a reversal"):
        funding.reverse_entry(world.uow(), world.operator(), entries[1].id or 0, reason="undo the undo")
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok


def test_a_reversal_needs_a_reason_and_an_existing_entry(world: Platform):
    with pytest.raises(NotFound):
        funding.reverse_entry(world.uow(), world.operator(), 999_999, reason="x")
    stored = record(world, ContributionKind.PLEDGE, "BE", "10.00", "EUR", date(2025, 2, 3))
    _, entries = funding.contribution_entries(world.uow(), world.operator(), stored.id or 0)
    with pytest.raises(Exception, match="reason"):
        funding.reverse_entry(world.uow(), world.operator(), entries[0].id or 0, reason="  ")


def test_a_contribution_fulfils_only_its_own_donors_pledge_in_its_currency(world: Platform):
    pledge = record(world, ContributionKind.PLEDGE, "BE", "100.00", "EUR", date(2025, 2, 3))
    with pytest.raises(InvariantViolated, match="belongs to BE"):
        record(world, ContributionKind.RECEIPT, "DK", "100.00", "EUR", date(2025, 2, 4), parent=pledge.id)
    with pytest.raises(InvariantViolated, match="is in EUR"):
        record(world, ContributionKind.RECEIPT, "BE", "100.00", "USD", date(2025, 2, 4), parent=pledge.id)
    receipt = record(world, ContributionKind.RECEIPT, "BE", "100.00", "EUR", date(2025, 2, 4), parent=pledge.id)
    with pytest.raises(InvariantViolated, match="is a receipt; a receipt fulfils a commitment or pledge"):
        record(world, ContributionKind.RECEIPT, "BE", "1.00", "EUR", date(2025, 2, 5), parent=receipt.id)


def test_an_external_reference_is_recorded_once(world: Platform):
    record(world, ContributionKind.PLEDGE, "BE", "100.00", "EUR", date(2025, 2, 3), ref="BE-2025-01")
    with pytest.raises(Conflict, match="already recorded"):
        record(world, ContributionKind.PLEDGE, "BE", "100.00", "EUR", date(2025, 2, 3), ref="BE-2025-01")


def test_earmarks_name_known_capability_areas(world: Platform):
    with pytest.raises(NotFound, match=r"names unknown capability area\(s\) space"):
        record(world, ContributionKind.PLEDGE, "BE", "100.00", "EUR", date(2025, 2, 3), earmark="areas:space")


def test_restricted_contributions_keep_their_confidentiality(world: Platform):
    stored = funding.record_contribution(world.uow(), world.operator(), Contribution(
        ContributionKind.PLEDGE, IT, FUND, "NL", Money.parse("1.00", "EUR"), date(2025, 2, 3), Earmark(),
        Confidentiality(Visibility.RESTRICTED, ("NL", "EE"), date(2030, 1, 1))))
    again = funding.contribution_entries(world.uow(), world.operator(), stored.id or 0)[0]
    assert again.confidentiality == Confidentiality(Visibility.RESTRICTED, ("EE", "NL"), date(2030, 1, 1))
    assert again.confidentiality.effective_on(date(2030, 1, 1)) is Visibility.PUBLIC


def test_ledger_check_passes_after_the_demo_and_names_a_tampered_balance(world: Platform):
    result = ledger_views.check_ledger(world.uow(), world.operator())
    assert result.ok, result
    with world.engine.begin() as connection:
        connection.execute(sa.text("update ledger_accounts set balance_minor = balance_minor + 1 "
                                   "where id = (select min(id) from ledger_accounts)"))
    result = ledger_views.check_ledger(world.uow(), world.operator())
    assert not result.ok and len(result.discrepancies) == 1


def test_the_number_of_contributions_is_kept_and_ledger_check_names_a_tampered_count(world: Platform):
    with world.uow() as uow:
        for kind in (None, *ContributionKind):
            kept = uow.ledger.count_contributions(coalition=IT, kind=kind)
            counted = len(uow.ledger.contributions(coalition=IT, kind=kind))
            assert kept == counted, kind
    with world.engine.begin() as connection:
        connection.execute(sa.text("update contribution_counts set count = count + 2 where kind = 'receipt'"))
    result = ledger_views.check_ledger(world.uow(), world.operator())
    assert not result.ok and any("receipt record(s) but counts" in p for p in result.problems)


def test_ids_follow_the_kept_next_ids_and_ledger_check_names_a_rewound_one(world: Platform):
    """Every contribution and entry takes the next ids kept in one row, which moves on with them."""
    actor = world.operator()
    with world.engine.connect() as connection:
        before = connection.execute(sa.text("select contribution, entry from ledger_next_ids")).one()
    stored = funding.record_contribution(world.uow(), actor, Contribution(
        ContributionKind.RECEIPT, IT, FUND, "NL", Money.parse("3.00", "EUR"), date(2025, 2, 3), Earmark(),
        Confidentiality()))
    entry = funding.contribution_entries(world.uow(), actor, stored.id or 0)[1][0]
    assert (stored.id, entry.id) == tuple(before)
    reversal = funding.reverse_entry(world.uow(), actor, entry.id or 0, reason="keyed twice")
    assert reversal.id == before[1] + 1
    with world.engine.begin() as connection:
        assert tuple(connection.execute(sa.text("select contribution, entry from ledger_next_ids")).one()) == (
            before[0] + 1, before[1] + 2)
        connection.execute(sa.text("update ledger_next_ids set entry = entry - 1"))
    result = ledger_views.check_ledger(world.uow(), actor)
    assert result.problems == [f"the next entry id is {before[1] + 1}, but entry {before[1] + 1} is stored"]


def receipt(ref: str | None, amount: str = "10.00", fund: str = FUND) -> Contribution:
    return Contribution(ContributionKind.RECEIPT, IT, fund, "NL", Money.parse(amount, "EUR"), date(2025, 2, 3),
                        Earmark(), Confidentiality(), ref)


def audited(platform: Platform) -> int:
    with platform.uow() as uow:
        return uow.audit.stored_head()[0]


def test_contributions_written_together_each_get_their_own_outcome_and_audit_record(world: Platform):
    """A group commit: one refused (an unknown fund, a reference taken earlier in the group) leaves the rest."""
    actor, before = world.operator(), audited(world)
    outcomes = funding.record_contributions(world.uow(), [
        (actor, receipt("G-1")), (actor, receipt("G-2", fund="no-such-fund")), (actor, receipt("G-3", "30.00")),
        (actor, receipt("G-3", "31.00"))])
    first, unknown, third, repeated = outcomes
    assert isinstance(first, Contribution) and isinstance(third, Contribution)
    assert (first.external_ref, third.external_ref, third.amount) == ("G-1", "G-3", Money.parse("30.00", "EUR"))
    assert third.id == (first.id or 0) + 1
    assert isinstance(unknown, NotFound) and unknown.field == "fund"
    assert isinstance(repeated, Conflict) and repeated.field == "external_ref"
    assert audited(world) == before + 2
    with world.uow() as uow:
        actions = [r.object_id for r in uow.audit.records(after_seq=before)]
    assert actions == [str(first.id), str(third.id)]
    assert ledger_views.check_ledger(world.uow(), actor).ok


def test_contributions_whose_writing_together_fails_are_written_one_by_one(world: Platform,
                                                                          monkeypatch: pytest.MonkeyPatch):
    """Another process stores a reference between a group's checks and its writing: the group's transaction fails
    on the unique reference, nothing of it is kept, and each is written again alone, where the check refuses the
    one whose reference is now taken."""
    actor = world.operator()
    record(world, ContributionKind.RECEIPT, "NL", "5.00", "EUR", date(2025, 2, 3), ref="TAKEN")
    before, misses = dump(world.engine), [2]
    checked = SqlLedgerRepository.contribution_by_ref

    def missed_at_first(self: SqlLedgerRepository, coalition: str, external_ref: str) -> Contribution | None:
        if external_ref == "TAKEN" and misses[0] > 0:  # the group's checks ran before the other process stored it
            misses[0] -= 1
            return None
        return checked(self, coalition, external_ref)

    monkeypatch.setattr(SqlLedgerRepository, "contribution_by_ref", missed_at_first)
    with pytest.raises(Conflict, match="created by another request"):  # the same miss, alone: the database refuses it
        funding.record_contribution(world.uow(), actor, receipt("TAKEN"))
    assert dump(world.engine) == before
    ok, taken, also = funding.record_contributions(world.uow(), [
        (actor, receipt("H-1")), (actor, receipt("TAKEN")), (actor, receipt("H-2"))])
    assert isinstance(ok, Contribution) and isinstance(also, Contribution)
    assert isinstance(taken, Conflict) and taken.field == "external_ref"
    assert ledger_views.check_ledger(world.uow(), actor).ok
    with world.uow() as uow:
        assert {c.external_ref for c in uow.ledger.contributions(coalition=IT)} >= {"TAKEN", "H-1", "H-2"}


def test_a_check_that_fails_otherwise_than_by_a_rule_has_each_contribution_recorded_alone(
        world: Platform, monkeypatch: pytest.MonkeyPatch):
    actor = world.operator()
    checked = SqlLedgerRepository.contribution_by_ref

    def broken_for_one(self: SqlLedgerRepository, coalition: str, external_ref: str) -> Contribution | None:
        if external_ref == "BROKEN":
            raise RuntimeError("the store could not answer")
        return checked(self, coalition, external_ref)

    monkeypatch.setattr(SqlLedgerRepository, "contribution_by_ref", broken_for_one)
    ok, broken, also = funding.record_contributions(world.uow(), [
        (actor, receipt("K-1")), (actor, receipt("BROKEN")), (actor, receipt("K-2"))])
    assert isinstance(ok, Contribution) and isinstance(also, Contribution)
    assert isinstance(broken, RuntimeError)
    assert ledger_views.check_ledger(world.uow(), actor).ok


def test_a_group_whose_commit_fails_is_not_recorded_again(world: Platform):
    """Whether a failed commit stored the group is unknown: every request gets the error, none is written twice."""
    actor, failures = world.operator(), [RuntimeError("the connection dropped at commit")]

    def after_commit() -> None:
        if failures:
            raise failures.pop()

    with world.uow() as uow:
        before = uow.ledger.count_contributions(coalition=IT)
    world.on_commit(after_commit)
    with pytest.raises(RuntimeError, match="dropped at commit"):
        funding.record_contributions(world.uow(), [(actor, receipt(None)), (actor, receipt("ONCE"))])
    with world.uow() as uow:
        assert uow.ledger.count_contributions(coalition=IT) == before + 2


def test_a_group_and_a_receipt_opening_the_same_new_accounts_at_once_are_both_stored(
        world: Platform, monkeypatch: pytest.MonkeyPatch):
    """A group finds or creates every account it books on before the ledger lock. Here a receipt creates a new
    donor's accounts and is held before the lock while a group, whose second contribution needs those accounts,
    goes ahead: had the group created them under the lock, each would wait for the other."""
    actor = race_coalition(world)
    record(world, ContributionKind.RECEIPT, "NL", "1.00", "EUR", date(2025, 1, 6))  # the group's first: no new account
    opened, group_locked = threading.Event(), threading.Event()
    find, lock = SqlLedgerRepository._account_ids, SqlLedgerRepository.lock

    def accounts_then_hold(self: SqlLedgerRepository, keys: Collection[AccountKey]) -> dict[AccountKey, int]:
        if threading.current_thread().name == "group" and not opened.is_set():
            opened.wait(timeout=1)  # the receipt has created the new accounts (uncommitted)
        found = find(self, keys)
        if threading.current_thread().name == "receipt":
            opened.set()
        return found

    def lock_in_turn(self: SqlLedgerRepository) -> None:
        if threading.current_thread().name == "receipt" and not self._next:
            group_locked.wait(timeout=1)  # the receipt waits for the lock until the group holds it
        lock(self)
        if threading.current_thread().name == "group":
            group_locked.set()

    monkeypatch.setattr(SqlLedgerRepository, "_account_ids", accounts_then_hold)
    monkeypatch.setattr(SqlLedgerRepository, "lock", lock_in_turn)
    outcomes: dict[str, object] = {}

    def run(name: str, work: Callable[[], object]) -> None:
        try:
            outcomes[name] = work()
        except Exception as error:  # collected, then reported by the assertion below
            outcomes[name] = error

    race = Contribution(ContributionKind.RECEIPT, "race", "race-fund", "BE", Money.parse("3.00", "EUR"),
                        date(2025, 1, 6), Earmark(), Confidentiality())
    threads = [threading.Thread(name="group", target=run, args=("group", lambda: funding.record_contributions(
                   world.uow(), [(actor, receipt(None, "2.00")), (actor, race)]))),
               threading.Thread(name="receipt", target=run, args=("receipt", lambda: funding.record_contribution(
                   world.uow(), actor, dataclasses.replace(race, amount=Money.parse("5.00", "EUR")))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert isinstance(outcomes["receipt"], Contribution), outcomes["receipt"]
    assert all(isinstance(o, Contribution) for o in outcomes["group"]), outcomes["group"]  # type: ignore[attr-defined]
    report = funding_views.funding_report(world.uow(), actor, "race")
    assert report.totals[Measure.RECEIVED] == Money.parse("8.00", "EUR")


def test_ledger_check_names_a_tampered_entry(world: Platform):
    with world.engine.begin() as connection:
        connection.execute(sa.text("update ledger_entries set amount_minor = -amount_minor "
                                   "where id = (select min(id) from ledger_entries)"))
    result = ledger_views.check_ledger(world.uow(), world.operator())
    assert any("non-positive" in p for p in result.problems)
    assert len(result.discrepancies) == 2


def nonzero(by_currency: dict[str, dict[Measure, Money]]) -> dict[str, dict[Measure, Money]]:
    return {c: v for c, v in by_currency.items() if any(not m.is_zero() for m in v.values())}


operations = st.lists(st.tuples(
    st.sampled_from([ContributionKind.PLEDGE, ContributionKind.COMMITMENT, ContributionKind.RECEIPT]),
    st.sampled_from(["EE", "LU", "DK", "NL"]),
    st.integers(min_value=1, max_value=10**12),
    st.sampled_from(["EUR", "USD", "NOK"]),
    st.booleans()), min_size=1, max_size=6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_any_sequence_keeps_balances_equal_to_their_entries_and_reversals_restore_them(world: Platform, steps):
    for kind, donor, units, currency, reverse in steps:
        before = funding_views.funding_report(world.uow(), world.operator(), IT)
        stored = record(world, kind, donor, str(Money.from_minor_units(units, currency).amount), currency,
                        date(2025, 1, 6))
        if reverse:
            _, entries = funding.contribution_entries(world.uow(), world.operator(), stored.id or 0)
            funding.reverse_entry(world.uow(), world.operator(), entries[0].id or 0, reason="property test")
            after = funding_views.funding_report(world.uow(), world.operator(), IT)
            assert after.totals == before.totals
            assert nonzero(after.by_currency) == nonzero(before.by_currency)
    assert ledger_views.check_ledger(world.uow(), world.operator()).ok
