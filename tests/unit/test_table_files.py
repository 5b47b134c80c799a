"""The one writer of table files: text that would run as a formula is neutralised in CSV and XLSX, numbers (a
negative amount too) stay numbers, a number a double cannot hold exactly keeps its digits, and pages stream."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from coalition.adapters.table_files import csv_chunks, neutralised, table_chunks, xlsx_chunks

HEADER = ["=name", "amount", "count", "flag", "note"]
ROWS = [["=1+1", Decimal("-250000.00"), -3, True, "+call"], ["@SUM(A1)", Decimal("12.50"), 7, False, "-2+3"],
        ["\tTAB", Decimal("0.1336826907651997219400032084"), 2**60, None, "\rCR"], ["plain", Decimal(0), 0, False, ""]]


def test_text_cells_are_neutralised_and_numbers_are_not_in_csv() -> None:
    chunks = list(csv_chunks(HEADER, [ROWS[:2], ROWS[2:]]))
    assert len(chunks) == 3  # the header, then one chunk per page
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert rows[0] == ["'=name", "amount", "count", "flag", "note"]
    assert rows[1] == ["'=1+1", "-250000.00", "-3", "true", "'+call"]
    assert rows[2] == ["'@SUM(A1)", "12.50", "7", "false", "'-2+3"]
    assert rows[3] == ["'\tTAB", "0.1336826907651997219400032084", str(2**60), "", "'\rCR"]
    assert rows[4] == ["plain", "0", "0", "false", ""]


def test_text_cells_are_neutralised_and_numbers_stay_numbers_in_xlsx() -> None:
    book = load_workbook(io.BytesIO(b"".join(xlsx_chunks(HEADER, [ROWS], "sheet"))))
    sheet = book.worksheets[0]
    assert sheet.title == "sheet"
    cells = [list(row) for row in sheet.iter_rows()]
    assert [c.value for c in cells[0]] == ["'=name", "amount", "count", "flag", "note"]
    first = cells[1]
    assert first[0].value == "'=1+1" and first[0].data_type == "s"
    assert first[1].data_type == "n" and Decimal(str(first[1].value)) == Decimal("-250000.00")
    assert first[2].value == -3 and first[3].value is True and first[4].value == "'+call"
    third = cells[3]
    assert third[1].value == "0.1336826907651997219400032084" and third[1].data_type == "s"  # exact, not rounded
    assert third[2].value == str(2**60)
    assert not any(c.data_type == "f" for row in cells for c in row)


def test_the_neutraliser_touches_only_text() -> None:
    assert neutralised("=x") == "'=x" and neutralised("x=") == "x=" and neutralised(-5) == -5
    assert neutralised(Decimal("-1.00")) == Decimal("-1.00") and neutralised(None) is None


def test_a_table_streams_in_the_format_named() -> None:
    assert b"".join(table_chunks("csv", ["a"], [[["b"]]])) == b"a\r\nb\r\n"
    assert b"".join(table_chunks("xlsx", ["a"], [[["b"]]])).startswith(b"PK")
