"""Reading tabular files (CSV, XLSX) as a header and rows of text, streaming, for bulk imports."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from coalition.domain.errors import InvalidInput


@dataclass
class Table:
    """A file opened for import: its header, an iterator over its rows, a row count and its SHA-256."""

    name: str
    header: list[str]
    rows: Iterator[list[str]]
    row_count: int
    sha256: str


def _digest_and_lines(path: Path) -> tuple[str, int]:
    digest, lines = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    return digest.hexdigest(), lines


def _cell(value: object) -> str:
    """The text of a spreadsheet cell: dates as YYYY-MM-DD, numbers without float noise."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Spreadsheets store numbers as binary floats; repr gives the shortest text that round-trips.
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text else (text[:-2] if text.endswith(".0") else text)
    return str(value)


def read_table(path: Path) -> Table:
    if not path.is_file():
        raise InvalidInput(f"'{path}' is not a readable file", field="file")
    digest, lines = _digest_and_lines(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = [_cell(v).strip() for v in next(values, ())]
        rows = ([_cell(v) for v in row] for row in values)
        total = max((sheet.max_row or 1) - 1, 0)
        return Table(path.name, header, rows, total, digest)
    if suffix not in (".csv", ".txt"):
        raise InvalidInput(f"'{path.name}' is neither a CSV (.csv) nor an Excel (.xlsx) file", field="file")
    handle = path.open(newline="", encoding="utf-8-sig")
    reader = csv.reader(handle)
    header = [h.strip() for h in next(reader, [])]

    def stream() -> Iterator[list[str]]:
        try:
            yield from reader
        finally:
            handle.close()

    return Table(path.name, header, stream(), max(lines - 1, 0), digest)
