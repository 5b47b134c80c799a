"""Every stored fact is provable: each audit record carries the digests of the rows its change wrote, `audit verify
--deep` names any row edited, moved, added or removed outside the platform, and a signed checkpoint proves a chain
cut or rewritten below it. Each tampering is done on the demo world as an attacker with the database would, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.row_proofs import EXEMPT, PROVED
from coalition.bootstrap import Platform
from coalition.domain.audit import AuditQuery, RowProblem
from coalition.domain.taxonomy import CapabilityArea
from coalition.services import audit, funding
from coalition.services.views import ledger as ledger_views
from tests.demo_copies import give_demo_world
from tests.integration.helpers import run


@pytest.fixture
def demo(platform: Platform) -> Platform:
    give_demo_world(platform)
    return platform


def deep(platform: Platform) -> audit.DeepReport:
    return audit.verify_audit_deep(platform.uow(), platform.operator())


def tamper(platform: Platform, *statements: str) -> None:
    """Edit the database by hand, in one transaction, on a connection of its own."""
    engine = sa.create_engine(platform.engine.url)
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


def named(report: audit.DeepReport) -> set[tuple[str, str, RowProblem]]:
    return {(f.table, f.key, f.problem) for f in report.findings}


def test_the_demo_world_is_proved_row_by_row(demo: Platform):
    report = deep(demo)
    assert report.ok, [f.describe() for f in report.findings]
    assert report.rows_checked > 500 and report.rows_proved >= report.rows_checked


def receipt_of(platform: Platform, donor: str, kind: str = "receipt") -> tuple[int, int]:
    """(contribution id, entry id) of a contribution of ``donor`` of ``kind``."""
    with platform.engine.connect() as connection:
        c, e = t.contributions, t.ledger_entries
        row = connection.execute(sa.select(c.c.id, e.c.id).join(e, e.c.contribution == c.c.id)
                                 .where(c.c.donor == donor, c.c.kind == kind, e.c.kind == kind)
                                 .order_by(c.c.id).limit(1)).one()
    return int(row[0]), int(row[1])


TAMPERINGS: dict[str, Callable[[int, int], list[str]]] = {
    "a contribution's amount changed": lambda c, e: [
        f"UPDATE contributions SET amount_minor = amount_minor + 100000 WHERE id = {c}"],
    "its donor changed": lambda c, e: [f"UPDATE contributions SET donor = 'LV' WHERE id = {c}"],
    "an entry's amount changed together with both balances": lambda c, e: [
        f"UPDATE ledger_accounts SET balance_minor = balance_minor + 100 * (CASE WHEN id = (SELECT debit FROM "
        f"ledger_entries WHERE id = {e}) THEN 1 ELSE -1 END) WHERE id IN (SELECT debit FROM ledger_entries WHERE "
        f"id = {e} UNION SELECT credit FROM ledger_entries WHERE id = {e})",
        f"UPDATE ledger_entries SET amount_minor = amount_minor + 100 WHERE id = {e}"],
}


@pytest.mark.parametrize("what", sorted(TAMPERINGS))
def test_tampering_with_a_stored_fact_is_named(demo: Platform, what: str):
    contribution, entry = receipt_of(demo, "EE")
    tamper(demo, *TAMPERINGS[what](contribution, entry))
    assert audit.verify_audit(demo.uow(), demo.operator()).ok  # the chain itself is untouched
    found = named(deep(demo))
    wanted = ("ledger_entries", str(entry)) if "entry" in what else ("contributions", str(contribution))
    assert (*wanted, RowProblem.ALTERED) in found, found


def test_an_entry_moved_to_another_donors_account_is_named(demo: Platform):
    _, entry = receipt_of(demo, "EE", "pledge")
    with demo.engine.connect() as connection:
        e, a = t.ledger_entries, t.ledger_accounts
        debit = connection.execute(sa.select(e.c.debit, e.c.amount_minor, e.c.reporting_minor, e.c.value_date)
                                   .where(e.c.id == entry)).one()
        key = connection.execute(sa.select(a).where(a.c.id == debit.debit)).one()
        other = connection.execute(sa.select(a.c.id).where(
            a.c.type == key.type, a.c.coalition == key.coalition, a.c.currency == key.currency,
            a.c.donor != key.donor)).scalars().first()
    assert other is not None
    month = debit.value_date.year * 100 + debit.value_date.month
    tamper(demo,
           f"UPDATE ledger_accounts SET balance_minor = balance_minor - {debit.amount_minor}, reporting_minor = "
           f"reporting_minor - {debit.reporting_minor} WHERE id = {debit.debit}",
           f"UPDATE ledger_accounts SET balance_minor = balance_minor + {debit.amount_minor}, reporting_minor = "
           f"reporting_minor + {debit.reporting_minor} WHERE id = {other}",
           f"UPDATE ledger_entries SET debit = {other} WHERE id = {entry}",
           f"INSERT INTO ledger_months SELECT {other}, {month}, 0, 0 WHERE NOT EXISTS "
           f"(SELECT 1 FROM ledger_months WHERE account = {other} AND month = {month})",
           *(f"UPDATE ledger_months SET balance_minor = balance_minor {sign} {debit.amount_minor}, reporting_minor = "
             f"reporting_minor {sign} {debit.reporting_minor} WHERE account = {account} AND month = {month}"
             for sign, account in (("-", debit.debit), ("+", other))))
    assert ledger_views.check_ledger(demo.uow(), demo.operator()).ok  # every sum still agrees
    assert ("ledger_entries", str(entry), RowProblem.ALTERED) in named(deep(demo))


def test_the_last_record_cut_with_its_head_moved_back_is_found_and_a_checkpoint_proves_it(demo: Platform,
                                                                                            tmp_path: Path,
                                                                                            capsys):
    code, _, err = run(demo, capsys, "audit", "checkpoint", "--output", str(tmp_path / "kept.json"))
    assert code == 0, err
    total = audit.audit_log(demo.uow(), demo.operator(), limit=1).total
    before, last = audit.audit_log(demo.uow(), demo.operator(), AuditQuery(after=total - 2)).records
    tamper(demo, f"DELETE FROM audit_proofs WHERE seq = {last.seq}",
           f"DELETE FROM audit_records WHERE seq = {last.seq}",
           f"UPDATE audit_head SET seq = {before.seq}, hash = '{before.hash}' WHERE id = 1")
    assert audit.verify_audit(demo.uow(), demo.operator()).ok  # the chain alone cannot tell
    report = deep(demo)
    assert not report.ok and report.findings, "the rows the cut record wrote are accounted for by nothing"
    code, _, err = run(demo, capsys, "audit", "verify", "--checkpoint", str(tmp_path / "kept.json"))
    assert code == 6
    assert f"covers {last.seq} records; the chain now holds only {before.seq}: records were cut" in err


def test_a_checkpoint_proves_a_rewritten_chain_and_its_own_forgery(demo: Platform, tmp_path: Path, capsys):
    kept = tmp_path / "kept.json"
    assert run(demo, capsys, "audit", "checkpoint", "--output", str(kept))[0] == 0
    assert run(demo, capsys, "audit", "verify", "--checkpoint", str(kept))[0] == 0
    funding_report = run(demo, capsys, "report", "funding", "it-coalition", "--json")
    assert funding_report[0] == 0
    assert run(demo, capsys, "audit", "verify", "--checkpoint", str(kept))[0] == 0  # the chain grew: it holds
    forged = json.loads(kept.read_text())
    forged["records"] -= 1
    kept.write_text(json.dumps(forged))
    code, _, err = run(demo, capsys, "audit", "verify", "--checkpoint", str(kept))
    assert code == 2 and "signature does not hold" in err


def test_rows_added_or_removed_by_hand_and_an_altered_proof_are_named(demo: Platform):
    tamper(demo, "INSERT INTO capability_areas (code, name) VALUES ('forged', 'Forged area')")
    with demo.engine.connect() as connection:
        gone = connection.execute(sa.select(sa.func.max(t.requirement_events.c.id))).scalar_one()
        proved = connection.execute(sa.select(sa.func.min(t.audit_proofs.c.seq))).scalar_one()
    tamper(demo, f"DELETE FROM requirement_events WHERE id = {gone}")
    found = named(deep(demo))
    assert ("capability_areas", "forged", RowProblem.UNACCOUNTED) in found
    assert ("requirement_events", str(gone), RowProblem.MISSING) in found
    tamper(demo, f"UPDATE audit_proofs SET part = part + 100 WHERE seq = {proved}")
    report = deep(demo)
    assert any(f.problem is RowProblem.PROOF_ALTERED and f.seq == proved for f in report.findings)


def test_every_table_is_proved_or_named_exempt_and_has_its_triggers_on_postgresql(platform: Platform):
    names = {table.name for table in t.metadata.sorted_tables}
    assert names == {p.name for p in PROVED} | (EXEMPT & names)
    if platform.engine.dialect.name != "postgresql":
        return
    with platform.engine.connect() as connection:
        found = {(r[0], r[1]) for r in connection.exec_driver_sql(
            "SELECT c.relname, g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
            "WHERE g.tgname LIKE 'audit_note_%%' AND c.relnamespace = to_regnamespace(current_schema())")}
    for proved in PROVED:
        for event in proved.events:
            assert (proved.name, f"audit_note_{event.lower()}") in found


def test_a_write_without_an_audit_record_is_refused(platform: Platform):
    with platform.uow() as uow:
        uow.areas.add(CapabilityArea("silent", "Written without a record"))
        with pytest.raises(RuntimeError, match="wrote rows after its last audit record"):
            uow.commit()
    assert all(area.code != "silent" for area in funding.list_capability_areas(platform.uow(), platform.operator()))


def test_rows_no_record_accounts_for_are_adopted_by_an_audited_act_unless_a_row_was_altered(demo: Platform,
                                                                                             capsys):
    tamper(demo, "INSERT INTO capability_areas (code, name) VALUES ('older', 'Stored before proofs were kept')")
    code, out, err = run(demo, capsys, "audit", "adopt", "--reason", "stored before row proofs were kept")
    assert code == 0, err
    assert "now proves 1 rows: capability_areas 1" in out
    assert deep(demo).ok
    assert "Every stored row is already proved" in run(demo, capsys, "audit", "adopt", "--reason", "again")[1]
    contribution, _ = receipt_of(demo, "EE")
    tamper(demo, "INSERT INTO capability_areas (code, name) VALUES ('newer', 'Added by hand')",
           f"UPDATE contributions SET amount_minor = amount_minor + 1 WHERE id = {contribution}")
    code, _, err = run(demo, capsys, "audit", "adopt", "--reason", "cover it up")
    assert code == 6 and f"contributions {contribution} differs" in err and "would cover it" in err


def test_the_database_writes_a_rows_canonical_form_as_the_domain_does(platform: Platform):
    """Plain rows are digested from the canonical JSON the database writes; it must be the domain's exactly, for
    every character a text can hold, for booleans, nulls, dates and the largest integers."""
    from coalition.adapters.row_proofs import BY_NAME, _digests
    from coalition.domain.audit import row_digest

    texts = [chr(code) for code in range(1, 0x80)] + ["é", "Ї", "\u2028", "😀", 'a"b\\c', "\ufeff", "line\nbreak"]
    parties = t.parties
    with platform.engine.begin() as connection:
        connection.execute(parties.insert(), [
            {"code": f"Q{n:03d}", "kind": "company", "name": f"x{text}y", "name_uk": None if n % 2 else text,
             "country": None, "illustrative": bool(n % 3)} for n, text in enumerate(texts)])
        connection.execute(t.fx_rates.insert(), [{"id": 2_000_000_000, "day": date(2024, 2, 29), "base": "EUR",
                                                   "quote": "USD", "rate": "1.0512", "source": "ECB"}])
        rate = connection.execute(sa.select(t.fx_rates).where(t.fx_rates.c.id == 2_000_000_000)).one()
        assert dict(_digests(connection, BY_NAME["fx_rates"], t.fx_rates.c.id == 2_000_000_000)) == {
            "2000000000": row_digest("fx_rates", tuple(rate))}
        stored = {row.code: row for row in connection.execute(sa.select(parties).where(parties.c.code.like("Q%")))}
        proved = BY_NAME["parties"]
        by_database = dict(_digests(connection, proved, parties.c.code.like("Q%")))
    assert len(by_database) == len(texts)
    for code, row in stored.items():
        assert by_database[code] == row_digest("parties", tuple(row)), (code, row.name)
