"""`coalition backup` and `coalition restore`: the demo world backed up once, restored into fresh SQLite and
PostgreSQL databases (across engines too) with the same rows, audit head and totals; tampered files, edited
chains and occupied databases refused; a backup taken while a writer runs restores to a state it produced."""

from __future__ import annotations

import hashlib
import json
import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.backups import seal
from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Earmark
from coalition.domain.money import Money
from coalition.services import funding
from tests.conftest import fresh_database
from tests.demo_copies import give_demo_world
from tests.fakes import TickingClock
from tests.integration.helpers import dump, run

IT, FUND = "it-coalition", "it-coalition-fund"
KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The demo world on SQLite, built once for the module."""
    folder = tmp_path_factory.mktemp("source")
    wired = Platform(Settings(database_url=f"sqlite:///{folder / 'coalition.db'}", data_dir=folder,
                              operator="tester"))
    wired.init_database()
    give_demo_world(wired)
    yield wired
    wired.engine.dispose()


@pytest.fixture(scope="module")
def backup_file(source: Platform, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backup") / "coalition.backup"
    source.backup(path)
    return path


@pytest.fixture(params=KINDS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Platform]:
    """A platform on a brand-new database of each engine (not even migrated)."""
    with fresh_database(request.param, tmp_path) as url:
        clock = TickingClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
        wired = Platform(Settings(database_url=url, data_dir=tmp_path, operator="tester"), clock)
        yield wired
        wired.engine.dispose()


def manifest_of(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))  # type: ignore[no-any-return]


def rewritten(path: Path, out: Path, edit: Any) -> Path:
    """A copy of the backup whose data lines ``edit`` rewrites, with the manifest's checksum fixed up to match."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        lines = archive.read("data.jsonl").decode().splitlines(keepends=True)
    data = "".join(edit(lines)).encode()
    manifest["sha256"] = hashlib.sha256(data).hexdigest()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("data.jsonl", data)
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.comment = b"0" * 64
    seal(out)
    return out


def edit_row(table: str, column: str, change: Any) -> Any:
    """An edit of the first row of ``table``: ``column`` set to ``change(old value)``."""
    def edit(lines: list[str]) -> list[str]:
        for number, line in enumerate(lines):
            if line.startswith("{") and json.loads(line)["table"] == table:
                columns = json.loads(line)["columns"]
                row = json.loads(lines[number + 1])
                index = columns.index(column)
                row[index] = change(row[index])
                lines[number + 1] = json.dumps(row, separators=(",", ":")) + "\n"
                return lines
        raise AssertionError(f"no table {table} in the backup")
    return edit


def sql_nulls(engine: sa.Engine) -> dict[str, int]:
    """Per JSON column, how many of its cells are SQL NULL (a JSON null reads as None too)."""
    found = {}
    with engine.connect() as connection:
        for table in t.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, sa.JSON):
                    found[f"{table.name}.{column.name}"] = connection.execute(
                        sa.select(sa.func.count()).select_from(table).where(column.is_(None))).scalar_one()
        connection.rollback()
    return found


def funding_totals(platform: Platform, capsys: pytest.CaptureFixture[str]) -> Any:
    code, out, err = run(platform, capsys, "report", "funding", IT, "--json")
    assert code == 0, err
    return json.loads(out)


def test_a_restore_holds_the_same_rows_audit_head_and_totals_and_verifies(
        source: Platform, backup_file: Path, target: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code, out, err = run(target, capsys, "restore", str(backup_file))
    assert code == 0, err
    assert "ledger check passed" in " ".join(out.split())  # however the console wrapped it
    assert dump(target.engine) == dump(source.engine)
    assert sql_nulls(target.engine) == sql_nulls(source.engine)  # a SQL NULL stays apart from a JSON null
    assert funding_totals(target, capsys) == funding_totals(source, capsys)
    manifest = manifest_of(backup_file)
    with target.engine.connect() as connection:
        head = connection.execute(sa.select(t.audit_head.c.seq, t.audit_head.c.hash)).one()
    assert {"seq": head.seq, "hash": head.hash} == manifest["audit_head"]
    assert manifest["rows"]["audit_records"] == head.seq > 0
    for argv in (["audit", "verify", "--deep"], ["ledger", "check"]):
        code, out, err = run(target, capsys, *argv)
        assert code == 0, err
    # Backed up again, from either engine, the record is the same data, byte for byte.
    copy = target.backup(tmp_path / "copy.backup")
    assert (copy.sha256, copy.engine) == (manifest["sha256"], target.engine.dialect.name)
    # The restored database takes new writes (PostgreSQL's id sequences run past the restored ids) ...
    added = funding.record_contribution(target.uow(), target.operator(), Contribution(
        ContributionKind.PLEDGE, IT, FUND, "EE", Money.parse("10.00", "EUR"), date(2024, 5, 1), Earmark(),
        Confidentiality(), "AFTER-RESTORE"))
    assert added.id is not None and added.id > max(row[0] for row in dump(source.engine)["contributions"])
    assert run(target, capsys, "audit", "verify", "--deep")[0] == 0
    again = target.backup(tmp_path / "again.backup")
    assert again.rows["contributions"] == manifest["rows"]["contributions"] + 1


def test_a_file_with_one_byte_changed_is_refused_before_anything_is_written(
        backup_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    where = tmp_path / "db" / "coalition.db"
    target = Platform(Settings(database_url=f"sqlite:///{where}", data_dir=tmp_path, operator="tester"))
    data = bytearray(backup_file.read_bytes())
    with zipfile.ZipFile(backup_file) as archive:
        info = archive.getinfo("data.jsonl")
    for offset in (5, info.header_offset + 30 + len(info.filename) + 100, len(data) // 2, len(data) - 90,
                   len(data) - 70, len(data) - 1):
        changed = bytearray(data)
        changed[offset] ^= 0x01
        path = tmp_path / f"tampered-{offset}.backup"
        path.write_bytes(bytes(changed))
        code, _, err = run(target, capsys, "restore", str(path))
        assert code == 2, err
        assert "error:" in err and "Traceback" not in err
        assert not where.exists()  # not even created
    target.engine.dispose()


@pytest.mark.parametrize(("table", "column", "change", "message"), [
    ("audit_records", "object_id", lambda old: old + "x", "the audit chain does not verify at record 1"),
    ("contributions", "amount_minor", lambda old: old + 100, "row(s) differ from their proofs"),
])
def test_an_edited_chain_or_row_is_refused_and_leaves_the_database_empty(
        backup_file: Path, target: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str,
        column: str, change: Any, message: str):
    edited = rewritten(backup_file, tmp_path / "edited.backup", edit_row(table, column, change))
    code, _, err = run(target, capsys, "restore", str(edited))
    assert code == 6, err
    assert "restore refused, the database is left empty" in err and message in err
    assert sum(len(rows) for name, rows in dump(target.engine).items()
               if name not in {"audit_head", "ledger_next_ids"}) == 0
    # Left as new: the true backup restores into it.
    code, _, err = run(target, capsys, "restore", str(backup_file))
    assert code == 0, err


def test_a_restore_into_a_database_that_holds_rows_is_refused(
        backup_file: Path, target: Platform, capsys: pytest.CaptureFixture[str]):
    assert run(target, capsys, "restore", str(backup_file))[0] == 0
    before = dump(target.engine)
    code, _, err = run(target, capsys, "restore", str(backup_file))
    assert code == 5
    assert "the database is not empty: table" in err
    assert dump(target.engine) == before


def test_a_backup_of_another_schema_revision_is_refused_naming_both(
        backup_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    with zipfile.ZipFile(backup_file) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        data = archive.read("data.jsonl")
    manifest["revision"] = "0001"
    path = tmp_path / "old.backup"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.jsonl", data)
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.comment = b"0" * 64
    seal(path)
    target = Platform(Settings(database_url=f"sqlite:///{tmp_path / 'new.db'}", data_dir=tmp_path))
    code, _, err = run(target, capsys, "restore", str(path))
    assert code == 5
    assert "schema revision 0001" in err and f"this installation's is {manifest_of(backup_file)['revision']}" in err
    target.engine.dispose()


def test_a_backup_never_overwrites_a_file_unless_forced(
        source: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "kept.backup"
    path.write_text("keep me")
    code, _, err = run(source, capsys, "backup", str(path))
    assert code == 5 and "--force" in err
    assert path.read_text() == "keep me"
    code, out, err = run(source, capsys, "backup", str(path), "--force", "--json")
    assert code == 0, err
    assert json.loads(out)["sha256"] == manifest_of(path)["sha256"]
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("kind", KINDS)
def test_a_backup_taken_while_a_writer_runs_restores_to_a_state_the_writer_produced(
        backup_file: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]):
    with fresh_database(kind, tmp_path) as url, fresh_database(kind, tmp_path / "restored") as restored_url:
        live = Platform(Settings(database_url=url, data_dir=tmp_path, operator="tester"))
        live.restore(backup_file)
        heads = [_head(live)]
        stop = threading.Event()
        failures: list[BaseException] = []

        def write() -> None:
            try:
                for number in range(10_000):
                    if stop.is_set():
                        return
                    funding.record_contribution(live.uow(), live.operator(), Contribution(
                        ContributionKind.PLEDGE, IT, FUND, "LV", Money.parse(f"{number + 1}.25", "EUR"),
                        date(2024, 6, 1), Earmark(), Confidentiality(), f"RUN-{number}"))
                    heads.append(_head(live))
            except BaseException as error:
                failures.append(error)

        writer = threading.Thread(target=write)
        writer.start()
        try:
            while len(heads) < 3:
                threading.Event().wait(0.05)
            taken = live.backup(tmp_path / "during.backup")
            while len(heads) < 3 + 3:  # the writer goes on after the snapshot
                threading.Event().wait(0.05)
        finally:
            stop.set()
            writer.join()
        assert not failures
        assert (taken.audit_seq, taken.audit_hash) in heads
        restored = Platform(Settings(database_url=restored_url, data_dir=tmp_path / "restored", operator="tester"))
        restored.restore(tmp_path / "during.backup")
        assert _head(restored) == (taken.audit_seq, taken.audit_hash)
        assert run(restored, capsys, "ledger", "check")[0] == 0
        assert run(restored, capsys, "audit", "verify", "--deep")[0] == 0
        live.engine.dispose()
        restored.engine.dispose()


def _head(platform: Platform) -> tuple[int, str]:
    uow = platform.uow(read_only=True)
    with uow:
        return uow.audit.stored_head()


def test_a_database_at_another_revision_is_refused_and_left_as_it_was(
        backup_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from alembic import command
    from alembic.script import ScriptDirectory

    from coalition.adapters.database import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_revision("head")
    older = str(head.down_revision)
    target = Platform(Settings(database_url=f"sqlite:///{tmp_path / 'older.db'}", data_dir=tmp_path))
    with target.engine.begin() as connection:
        command.upgrade(alembic_config(connection), older)
    code, _, err = run(target, capsys, "restore", str(backup_file))
    assert code == 5
    assert f"the database is at schema revision {older}, not {head.revision}" in " ".join(err.split())
    with target.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == older
        connection.rollback()
    target.engine.dispose()
