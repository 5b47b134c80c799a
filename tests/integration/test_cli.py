"""The command line as a user meets it: readable output, --json for machines, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from coalition.bootstrap import Platform
from tests.demo_copies import give_demo_world
from tests.integration.helpers import assert_refused, run


@pytest.fixture
def demo(platform: Platform, capsys: pytest.CaptureFixture[str]) -> Platform:
    give_demo_world(platform, procurement=False)  # the command is tested on its own
    return platform


def test_demo_shows_the_it_coalition_and_the_drone_coalition(platform: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, err = run(platform, capsys, "demo")
    assert code == 0, err
    assert "IT Coalition" in out
    assert "Drone Coalition" in out
    for name in ("Estonia", "Luxembourg", "Belgium", "Denmark", "Iceland", "Italy", "Latvia", "Lithuania",
                 "Netherlands", "Ukraine", "United Kingdom"):
        assert name in out
    assert "lead nation" in out
    assert "declaration-of-intent signatory" in out
    assert "recipient" in out
    assert "2030-01-18" in out  # the six-year term of the cooperation agreement
    assert "As of 6 March 2024" in out and "coverage per rank, as of 2024-03-06" in out
    assert "the first 2 rank(s) would be complete" in out  # enough was pooled for the first procurements
    code, out, _ = run(platform, capsys, "demo")
    assert code == 0
    assert "0 records created" in out


def test_members_list_on_the_founding_date_and_today(demo: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(demo, capsys, "members", "list", "it-coalition", "--on", "2023-09-19", "--json")
    assert code == 0
    founding = {m["party"] for m in json.loads(out)["members"]}
    assert founding == {"EE", "LU", "UA"}
    code, out, _ = run(demo, capsys, "members", "list", "it-coalition", "--json")
    today = {m["party"]: m for m in json.loads(out)["members"]}
    assert "NL" in today
    assert today["NL"]["role"] == "member"
    assert today["NL"]["votes"] is True
    assert today["GB"]["role"] == "doi-signatory"
    assert today["GB"]["votes"] is False
    code, out, _ = run(demo, capsys, "members", "list", "it-coalition", "--on", "2023-09-19")
    assert code == 0
    assert "Estonia" in out
    assert "Netherlands" not in out


def test_every_read_command_speaks_json(demo: Platform, capsys: pytest.CaptureFixture[str]):
    for argv in (["parties", "list"], ["parties", "show", "UA"], ["coalitions", "list"],
                 ["coalitions", "show", "it-coalition"], ["members", "history", "it-coalition"],
                 ["instruments", "list", "it-coalition"], ["instruments", "show", "it-coalition-ca"],
                 ["audit", "verify"], ["audit", "log", "--limit", "3"]):
        code, out, err = run(demo, capsys, *argv, "--json")
        assert code == 0, (argv, err)
        json.loads(out)
    _, out, _ = run(demo, capsys, "parties", "show", "UA", "--json")
    assert json.loads(out)["name_uk"] == "Україна"


def test_writes_through_the_command_line(demo: Platform, capsys: pytest.CaptureFixture[str]):
    assert run(demo, capsys, "parties", "add-state", "PL")[0] == 0
    assert run(demo, capsys, "members", "add", "it-coalition", "PL", "--role", "observer",
               "--on", "2025-01-01")[0] == 0
    assert run(demo, capsys, "members", "change-role", "it-coalition", "PL", "--role", "member",
               "--on", "2025-06-01")[0] == 0
    assert run(demo, capsys, "members", "leave", "it-coalition", "PL", "--on", "2026-01-01")[0] == 0
    _, out, _ = run(demo, capsys, "members", "history", "it-coalition", "--party", "PL", "--json")
    assert [c["kind"] for c in json.loads(out)] == ["joined", "role-changed", "left"]
    assert run(demo, capsys, "instruments", "add", "it-coalition", "mou-pl", "--kind", "memorandum",
               "--title", "Memorandum", "--start", "2025-01-01", "--years", "6")[0] == 0
    assert run(demo, capsys, "instruments", "sign", "mou-pl", "PL", "--on", "2025-01-01")[0] == 0
    _code, out, _ = run(demo, capsys, "instruments", "show", "mou-pl", "--json")
    assert json.loads(out)["instrument"]["term_end"] == "2031-01-01"
    assert run(demo, capsys, "audit", "verify")[0] == 0


@pytest.mark.parametrize(("argv", "exit_code", "message"), [
    (["parties", "add-state", "XX"], 2, "country: 'XX' is not an ISO 3166-1 alpha-2 country code"),
    (["members", "leave", "it-coalition", "NL", "--on", "2024-01-01"], 6, "membership ending before it starts"),
    (["members", "add", "it-coalition", "EE", "--role", "member", "--on", "2024-05-01"], 5, "duplicate membership"),
    (["members", "list", "no-such-coalition"], 3, "coalition: no coalition with code 'no-such-coalition'"),
    (["members", "add", "no-such-coalition", "EE", "--role", "member", "--on", "2024-05-01"], 3, "no coalition"),
    (["members", "add", "it-coalition", "PL", "--role", "chair", "--on", "2024-05-01"], 2,
     "--role: 'chair' is not one of"),
    (["members", "list", "it-coalition", "--on", "19/09/2023"], 2, "--on: '19/09/2023' is not a date"),
    (["members", "add", "it-coalition"], 2, "Missing argument"),
    (["instruments", "add", "it-coalition", "x", "--kind", "memorandum", "--title", "T", "--start", "2025-01-01",
      "--end", "2024-01-01"], 6, "term_end: the term ends"),
    (["coalitions", "create", "new", "--name", "N", "--capability-area", "A", "--framework", "F", "--recipient",
      "UA", "--founded-on", "2025-01-01", "--founded-at", "P", "--currency", "EURO"], 2, "reporting_currency"),
])
def test_bad_input_gets_one_line_a_non_zero_exit_and_changes_nothing(
        demo: Platform, capsys: pytest.CaptureFixture[str], argv: list[str], exit_code: int, message: str):
    assert_refused(demo, capsys, argv, exit_code, message)


def test_verify_fails_naming_the_altered_record(demo: Platform, capsys: pytest.CaptureFixture[str]):
    with demo.engine.begin() as connection:
        connection.execute(sa.text("update audit_records set action = 'nothing' where seq = 5"))
    code, _, err = run(demo, capsys, "audit", "verify")
    assert code == 6
    assert "audit chain broken at record 5" in err


def test_an_uninitialised_database_asks_for_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from coalition.config import Settings

    fresh = Platform(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    code, _, err = run(fresh, capsys, "coalitions", "list")
    assert code != 0
    assert "run 'coalition init'" in err
    assert run(fresh, capsys, "init")[0] == 0
    assert run(fresh, capsys, "coalitions", "list")[0] == 0


def test_a_database_that_cannot_be_opened_is_one_line_naming_the_database(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]):
    from coalition.config import Settings

    (tmp_path / "a-folder.db").mkdir()  # a path SQLite cannot open as a database file
    unusable = Platform(Settings(database_url=f"sqlite:///{tmp_path / 'a-folder.db'}"))
    code, out, err = run(unusable, capsys, "init")
    assert code == 1 and out == ""
    assert err.startswith("error: database: cannot use the database (") and err.count("\n") == 1


def test_the_installed_command_runs_the_demo(tmp_path: Path):
    environment = {**os.environ, "COALITION_DATA_DIR": str(tmp_path / "data")}
    environment.pop("COALITION_DATABASE_URL", None)
    command = [sys.executable, "-m", "coalition", "demo"]
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 0, finished.stderr
    assert "IT Coalition" in finished.stdout
    assert (tmp_path / "data" / "coalition.db").exists()


def test_production_refuses_a_default_secret(tmp_path: Path):
    environment = {**os.environ, "COALITION_ENV": "production", "COALITION_DATA_DIR": str(tmp_path)}
    environment.pop("COALITION_SECRET_KEY", None)
    finished = subprocess.run([sys.executable, "-m", "coalition", "coalitions", "list"], env=environment,
                              capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 2
    assert "COALITION_SECRET_KEY is missing, empty or a known default" in finished.stderr
