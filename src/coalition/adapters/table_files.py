"""Writing tables as CSV or XLSX files, a page of rows at a time, in bounded memory.

A cell is None (empty), a bool, a number (int or Decimal) or text. Text a spreadsheet would run as a formula
(starting with = + - @, a tab or a carriage return) gets a leading apostrophe, as OWASP recommends against
formula injection; numbers are never touched, so a negative amount stays a number (in XLSX a numeric cell, in
CSV its plain digits). In XLSX a number a spreadsheet's double cannot hold exactly (more than 15 or so
significant digits) is written as its exact digits, as text, rather than rounded. A CSV file is written and
yielded page by page; an XLSX file is written row by row by openpyxl's write-only mode into a temporary file,
which is then read out in chunks.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TABLE_FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "json": "application/json"}
CHUNK = 64 * 1024
Row = Sequence[Any]


def neutralised(value: Any) -> Any:
    """A text a spreadsheet would run as a formula, made plain text by a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell_text(value: Any) -> str:
    """A cell as CSV text: empty for None, true/false for a flag, the exact digits of a number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralised(value)  # type: ignore[no-any-return]
    return str(value)


def xlsx_cell(value: Any) -> Any:
    """A cell as XLSX holds it: a number where a spreadsheet's number (a double) holds it exactly, else its exact
    digits as text (a rate of 28 digits); text neutralised."""
    if isinstance(value, Decimal) and value.is_finite() and Decimal(repr(float(value))) != value:
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return str(value)
    return neutralised(value)


def csv_chunks(header: Row, pages: Iterable[Iterable[Row]]) -> Iterator[bytes]:
    """The CSV file (UTF-8, CRLF line ends), one chunk per page."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell_text(h) for h in header])
    yield out.getvalue().encode("utf-8")
    for page in pages:
        out.seek(0)
        out.truncate()
        writer.writerows([cell_text(value) for value in row] for row in page)
        yield out.getvalue().encode("utf-8")


def xlsx_chunks(header: Row, pages: Iterable[Iterable[Row]], sheet: str = "table") -> Iterator[bytes]:
    """The XLSX file: rows written to disk as they come (write-only mode), then the finished file in chunks."""
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(title=sheet[:31] or "table")
    worksheet.append([neutralised(h) for h in header])
    for page in pages:
        for row in page:
            worksheet.append([xlsx_cell(value) for value in row])
    with tempfile.TemporaryFile() as spool:
        book.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def table_chunks(format: str, header: Row, pages: Iterable[Iterable[Row]], sheet: str = "table"
                 ) -> Iterator[bytes]:
    """The table as a file of ``format`` (csv or xlsx), streamed."""
    if format == "xlsx":
        return xlsx_chunks(header, pages, sheet)
    return csv_chunks(header, pages)
