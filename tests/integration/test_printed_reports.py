"""The printed reports on SQLite and PostgreSQL: the funding report and the donor statement as PDF hold their
totals, the audit head they were read from and page numbers, in English and in Ukrainian; their charts are drawn
as SVG, a bar per figure, and reach the PDF as vector shapes; a restricted contribution's donor and amount are in
no PDF of a viewer who may not see it; a bad language is refused naming the option."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from babel.numbers import format_currency

from coalition.bootstrap import Platform
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Earmark, Visibility
from coalition.domain.ledger import FLOW, Measure
from coalition.domain.money import Money
from coalition.entrypoints.web import printed
from coalition.entrypoints.web.charts import PALETTE
from coalition.services import audit, funding
from coalition.services.views import reports
from coalition.services.views.reports import donor_document, funding_document
from tests.demo_copies import give_demo_world
from tests.integration.helpers import assert_refused, run

IT, FUND = "it-coalition", "it-coalition-fund"
SECRET = Contribution(ContributionKind.RECEIPT, IT, FUND, "LT", Money(Decimal("777777.77"), "EUR"), date(2024, 3, 20),
                      earmark=Earmark.parse("areas:cybersecurity"),
                      confidentiality=Confidentiality(Visibility.RESTRICTED, ("LT",)), external_ref="LT-SECRET-1")
LATVIA = Actor(user="lv-desk", party="LV", grants=frozenset({Grant(Role.MEMBER_REPRESENTATIVE, IT)}))
# The secret amount on its own (not as the tail of a larger sum), in either language's digits.
SECRET_AMOUNT = re.compile(r"(?<![\d\s\u00a0\u202f,.])777[,\s\u00a0\u202f]777[.,]77")


@pytest.fixture
def demo(platform: Platform) -> Platform:
    give_demo_world(platform)
    funding.record_contribution(platform.uow(), platform.operator(), SECRET)
    return platform


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _filled_rectangles(pdf: bytes, colour: str) -> int:
    """Rectangles filled with ``colour`` (#rrggbb) in the PDF's page content: the charts' bars as vector shapes."""
    rgb = " ".join(f"{int(colour[i:i + 2], 16) / 255:.6f}".rstrip("0").rstrip(".") for i in (1, 3, 5))
    found = 0
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for resource in [page.get_contents(), *_forms(page)]:
            stream = resource.get_data().decode("latin-1") if resource is not None else ""
            found += len(re.findall(re.escape(rgb) + r" rg\n(?:[^\n]*\n){0,6}?[-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ re\nf",
                                    stream))
    return found


def _forms(page: pypdf.PageObject) -> list[pypdf.generic.StreamObject]:
    """The form XObjects a page draws (WeasyPrint may put an SVG in one)."""
    objects = page.get("/Resources", {}).get("/XObject", {})
    return [o.get_object() for o in objects.values() if o.get_object().get("/Subtype") == "/Form"]


def _head(platform: Platform) -> tuple[int, str]:
    with platform.uow(read_only=True) as uow:
        return uow.audit.stored_head()


def test_the_funding_report_prints_its_totals_head_and_page_numbers_in_english_and_ukrainian(demo: Platform):
    seq, digest = _head(demo)
    assert audit.verify_audit(demo.uow(), demo.operator()).checked == seq
    report = funding_document(demo.uow(read_only=True), demo.operator(), IT).report
    received = report.totals[Measure.RECEIVED]
    english = _text(printed.funding_pdf(demo, demo.operator(), IT, None, "en"))
    assert "Funding report: IT Coalition" in english
    assert format_currency(received.amount, "EUR", locale="en") in english
    assert f"audit record {seq}, hash {digest[:16]}" in english
    assert re.search(r"Page 1 of \d", english) and "Lithuania" in english  # the custodian sees every donor
    ukrainian = _text(printed.funding_pdf(demo, demo.operator(), IT, None, "uk"))
    assert "Звіт про фінансування: IT Coalition" in ukrainian
    assert format_currency(received.amount, "EUR", locale="uk") in ukrainian
    assert f"записом аудиту {seq}, геш {digest[:16]}" in ukrainian
    assert re.search(r"Сторінка 1 з \d", ukrainian) and "Литва" in ukrainian
    assert "Page 1" not in ukrainian


def test_a_report_as_of_a_day_says_the_day_and_holds_only_what_was_dated_by_then(demo: Platform):
    day = date(2024, 3, 6)
    report = funding_document(demo.uow(read_only=True), demo.operator(), IT, day).report
    text = _text(printed.funding_pdf(demo, demo.operator(), IT, day, "en"))
    assert "As of the end of Mar 6, 2024" in text
    assert format_currency(report.totals[Measure.RECEIVED].amount, "EUR", locale="en") in text
    assert not SECRET_AMOUNT.search(text)  # valued on 20 March: after the day


def test_the_charts_are_svg_with_a_bar_per_figure_and_reach_the_pdf_as_vector_shapes(demo: Platform):
    document = funding_document(demo.uow(read_only=True), demo.operator(), IT)
    html = printed.funding_html(document, "en")
    charts = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(charts) == 3 and document.coverage is not None
    donors = {line.donor for line in document.report.lines}
    assert charts[0].count('class="bar"') == len(FLOW)  # how much reached each stage, from received to disbursed
    assert "Money that reached each stage" in html and "Where the money is now" in html
    assert charts[1].count('class="bar"') == 2 * len(donors)  # pledged and received per donor
    assert charts[2].count('class="bar"') == 2 * len(document.coverage.ranks)  # secured and missing per rank
    first = document.coverage.ranks[0]
    assert f"{first.rank}. {first.requirement.code}" in charts[2]
    drawn = [m for m in document.report.reached.values() if m.amount > 0]
    pdf = demo.pdf(html)
    assert _filled_rectangles(pdf, PALETTE[0]) >= len(drawn)
    statement = donor_document(demo.uow(read_only=True), demo.operator(), "EE")
    donor_html = printed.donor_html(statement, "uk")
    bars = len(statement.statement.coalitions) * len(FLOW) + 3 * len(statement.statement.procurement)
    assert statement.statement.procurement  # the demo's Estonian money bought command-post kits
    assert donor_html.count('class="bar"') == bars and "it-coalition: кошти, що дійшли до кожного етапу" in donor_html


def test_a_restricted_contribution_is_in_no_pdf_of_a_viewer_who_may_not_see_it(demo: Platform):
    for language in ("en", "uk"):
        report = _text(printed.funding_pdf(demo, LATVIA, IT, None, language))
        statement = _text(printed.donor_pdf(demo, LATVIA, "LT", None, language))
        for text in (report, statement):
            assert not SECRET_AMOUNT.search(text), language
            assert "LT-SECRET-1" not in text
        assert "Lithuania" not in report and "Литва" not in report
        assert "(restricted)" in report or "(обмежено)" in report
    html = printed.funding_html(funding_document(demo.uow(read_only=True), LATVIA, IT), "en")
    assert "Lithuania" not in html and "777777.77" not in html
    shown = _text(printed.donor_pdf(demo, demo.operator(), "LT", None, "en"))
    assert SECRET_AMOUNT.search(shown) and "Donor statement: Lithuania" in shown


def test_the_command_line_writes_the_pdf_and_refuses_a_bad_language(demo: Platform, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]):
    target = tmp_path / "it.pdf"
    code, out, err = run(demo, capsys, "report", "funding", IT, "--pdf", str(target), "--lang", "uk", "--on",
                         "2024-03-06")
    assert code == 0, err
    assert "Wrote" in out and "Станом на кінець" in _text(target.read_bytes())
    code, out, err = run(demo, capsys, "report", "donor", "EE", "--pdf", str(tmp_path / "ee.pdf"))
    assert code == 0, err
    assert "Donor statement: Estonia" in _text((tmp_path / "ee.pdf").read_bytes())
    assert_refused(demo, capsys, ["report", "funding", IT, "--pdf", str(tmp_path / "x.pdf"), "--lang", "de"], 2,
                   "--lang")
    assert not (tmp_path / "x.pdf").exists()


def test_a_change_committed_while_a_report_is_read_never_mixes_with_the_head_it_names(demo: Platform):
    later = Contribution(ContributionKind.RECEIPT, IT, FUND, "LV", Money(Decimal("1000.00"), "EUR"),
                         date(2024, 3, 21), confidentiality=Confidentiality())
    uow = demo.uow(read_only=True)
    reads: list[tuple[int, str]] = []

    def read() -> tuple[int, str]:
        if not reads:  # another writer commits while the first read is under way
            funding.record_contribution(demo.uow(), demo.operator(), later)
        reads.append(uow.audit.stored_head())
        return reads[-1]

    with uow:
        seen, head = reports._at_one_head(uow, read)
    assert seen == (head.seq, head.hash)  # the report and the head it names are of one state of the record
    # PostgreSQL (read committed) reads again after the change; SQLite's snapshot never sees it.
    assert len(reads) == (2 if demo.engine.dialect.name == "postgresql" else 1)
