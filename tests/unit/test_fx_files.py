"""Reading the rate files the ECB and the National Bank of Ukraine publish, and refusing broken ones by line."""

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from coalition.adapters.fx_files import ECB_SOURCE, NBU_SOURCE, read_rates
from coalition.domain.errors import InvalidInput
from coalition.domain.fx import FxRate, RateBook
from coalition.domain.money import Money

SAMPLES = Path(__file__).parent.parent / "data" / "fx"


def zipped(tmp_path: Path, sample: str) -> Path:
    archive = tmp_path / (Path(sample).stem + ".zip")
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        handle.write(SAMPLES / sample, arcname=sample)
    return archive


def written(tmp_path: Path, text: str, name: str = "rates.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(InvalidInput) as caught:
        read_rates(path)
    assert caught.value.field == "file"
    return caught.value.message


def by_quote(rates: list[FxRate]) -> dict[str, FxRate]:
    return {rate.quote: rate for rate in rates}


def test_the_ecb_daily_file_gives_one_euro_rate_per_currency():
    rates = read_rates(SAMPLES / "eurofxref.csv")
    assert len(rates) == 30
    usd = by_quote(rates)["USD"]
    assert usd == FxRate(date(2026, 11, 20), "EUR", "USD", Decimal("1.0512"), ECB_SOURCE)
    # As published, trailing zero and all: never through a float.
    assert str(by_quote(rates)["GBP"].rate) == "0.85120"
    assert by_quote(rates)["IDR"].rate == Decimal("16890.12")
    assert {rate.base for rate in rates} == {"EUR"}


def test_the_ecb_history_skips_days_without_a_rate_and_keeps_replaced_currencies():
    rates = read_rates(SAMPLES / "eurofxref-hist.csv")
    days = {(rate.quote, rate.day) for rate in rates}
    # The Cypriot pound has ECB rates until it was replaced by the euro on 1 January 2008, then N/A.
    assert ("CYP", date(2007, 12, 31)) in days
    assert ("CYP", date(2008, 1, 2)) not in days
    assert not any(rate.quote == "SIT" for rate in rates)  # N/A on every line
    assert ("PLN", date(2007, 12, 28)) not in days  # an empty cell
    assert len(rates) == 5 + 6 + 5
    assert FxRate(date(2008, 1, 2), "EUR", "GBP", Decimal("0.74370"), ECB_SOURCE) in rates


def test_the_zip_files_the_ecb_publishes_read_as_their_csv(tmp_path: Path):
    assert read_rates(zipped(tmp_path, "eurofxref.csv")) == read_rates(SAMPLES / "eurofxref.csv")
    assert read_rates(zipped(tmp_path, "eurofxref-hist.csv")) == read_rates(SAMPLES / "eurofxref-hist.csv")


def test_a_zip_must_hold_exactly_one_file(tmp_path: Path):
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("a.csv", "Date,USD,\n2026-11-20,1.0512,\n")
        handle.writestr("b.csv", "Date,USD,\n2026-11-19,1.0498,\n")
    assert refusal(archive) == "zip: expected one file inside (as the ECB publishes), found 2"


def test_the_nbu_json_gives_hryvnias_per_unit_and_leaves_out_gold():
    rates = read_rates(SAMPLES / "nbu.json")
    by_base = {rate.base: rate for rate in rates}
    assert sorted(by_base) == ["AUD", "EUR", "JPY", "USD", "XDR"]
    assert by_base["USD"] == FxRate(date(2026, 11, 20), "USD", "UAH", Decimal("41.4927"), NBU_SOURCE)
    assert str(by_base["JPY"].rate) == "0.26812"


def test_the_nbu_xml_gives_the_same_rates_and_leaves_out_metals():
    rates = read_rates(SAMPLES / "nbu.xml")
    assert [(rate.base, rate.quote, str(rate.rate)) for rate in rates] == [
        ("USD", "UAH", "41.4927"), ("EUR", "UAH", "43.6178"), ("PLN", "UAH", "10.2064")]
    assert {rate.day for rate in rates} == {date(2026, 11, 20)}
    assert {rate.source for rate in rates} == {NBU_SOURCE}


def test_nbu_and_ecb_rates_together_convert_dollars_to_hryvnias_and_back():
    book = RateBook(read_rates(SAMPLES / "eurofxref.csv") + read_rates(SAMPLES / "nbu.json"))
    friday = date(2026, 11, 20)
    assert book.convert(Money(Decimal("1000.00"), "USD"), "UAH", friday).converted.amount == Decimal("41492.70")
    # 1000 UAH / 43.6178 UAH per EUR * 0.8512 GBP per EUR = 19.5149...: through the euro, one rate from each.
    to_pounds = book.convert(Money(Decimal("1000.00"), "UAH"), "GBP", friday)
    assert to_pounds.converted.amount == Decimal("19.51")
    assert to_pounds.source == f"{NBU_SOURCE} and {ECB_SOURCE}, crossed through EUR"


def test_a_column_or_entry_that_is_no_currency_is_skipped(tmp_path: Path):
    rates = read_rates(written(tmp_path, "Date,USD,ZZZ,\n2026-11-20,1.0512,3.5,\n"))
    assert [rate.quote for rate in rates] == ["USD"]
    entries = ('[{"cc":"ZZZ","rate":1.5,"exchangedate":"20.11.2026"},'
               '{"cc":"XPT","rate":39000.1,"exchangedate":"20.11.2026"}]')
    assert read_rates(written(tmp_path, entries, "nbu.json")) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Date, USD, JPY, \n20 November 2026, 1.0512, abc, \n",
         "line 2, column JPY: 'abc' is not a decimal number"),
        ("Date,USD,JPY,\n2026-11-20,1.0512,162.34,\n2026-11-19,1.0498,0,\n",
         "line 3, column JPY: rate 0 must be greater than zero"),
        ("Date,USD,JPY,\n2026-11-20,1.0512,162.34,\n2026-11-31,1.0498,161.20,\n",
         "line 3, column Date: '2026-11-31' is not a date like '2026-11-21'"),
        ("Date, USD, \n20 Novembre 2026, 1.0512, \n",
         "line 2, column Date: '20 Novembre 2026' is not a date like '21 November 2026'"),
        ("Date,USD,\n20/11/2026,1.0512,\n",
         "line 2, column Date: '20/11/2026' is neither a date like '21 November 2026' (ECB daily file) "
         "nor like '2026-11-21' (ECB history file)"),
        ("Date,USD,JPY,\n2026-11-20,1.0512,162.34,\n2026-11-19,1.0498\n",
         "line 3: 2 values but the header names 3 columns"),
        ("Date,USD,JPY,\n2026-11-20,1.0512,162.34,1.9558,\n",
         "line 2: 4 values but the header names 3 columns"),
        ("Currency,USD,\n2026-11-20,1.0512,\n",
         "line 1: an ECB file starts with a header line 'Date, USD, JPY, ...'"),
        ("Date,USD,\n",
         "line 2: the file has a header but no rates"),
        ("", "line 1: the file is empty"),
    ],
)
def test_a_broken_ecb_file_is_refused_naming_the_line_and_the_rule(tmp_path: Path, content: str, message: str):
    assert refusal(written(tmp_path, content)) == message


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ('[{"cc":"USD","rate":41.4927,"exchangedate":"20.11.2026"},\n{"cc":"EUR","rate":"n/a","exchangedate":"20.11.2026"}]',
         "nbu.json", "entry 2 (EUR): 'n/a' is not a decimal number"),
        ('[{"cc":"USD","rate":41.4927,"exchangedate":"2026-11-20"}]',
         "nbu.json", "entry 1 (USD): exchangedate '2026-11-20' is not a date like '21.11.2026'"),
        ('[{"cc":"USD","rate":41.4927}]',
         "nbu.json", "entry 1: each rate is an object with cc, rate and exchangedate"),
        ('[{"cc":"USD",\n"rate":41.4927,,}]',
         "nbu.json", "line 2, column 16: not valid JSON (Expecting property name enclosed in double quotes)"),
        ("<exchange><currency><cc>USD</cc><rate>-1</rate><exchangedate>20.11.2026</exchangedate></currency>"
         "</exchange>",
         "nbu.xml", "<currency> element 1 (USD): rate -1 must be greater than zero"),
        ("<exchange><currency><cc>USD</cc><rate>41.4927</rate><exchangedate>20.11.2026</exchangedate></currency>"
         "<currency><cc>EUR</cc><exchangedate>20.11.2026</exchangedate></currency></exchange>",
         "nbu.xml", "<currency> element 2: <rate> is missing or empty"),
        ("<exchange>\n<currency><cc>USD</cc></rate>\n</exchange>",
         "nbu.xml", "line 2, column 25: not well-formed XML (mismatched tag)"),
        ('<!DOCTYPE exchange [<!ENTITY a "aaaa">]><exchange>&a;</exchange>',
         "nbu.xml", "line 1: an NBU XML file has no document type or entity declarations"),
    ],
)
def test_a_broken_nbu_file_is_refused_naming_the_entry_and_the_rule(tmp_path: Path, content: str, name: str,
                                                                      message: str):
    assert refusal(written(tmp_path, content, name)) == message
