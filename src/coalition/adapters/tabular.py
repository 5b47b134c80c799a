"""Reading tabular files (CSV, XLSX) as a header and rows of text, streaming, for bulk imports.

Whatever a file holds, reading it either gives rows of text or refuses the file with an InvalidInput that
names the file, the row (or line) or the encoding, and the rule: never another exception. A CSV file is
UTF-8, with or without a byte order mark, or UTF-16 with one; its whole text is checked before the first
row is read, so a file in another encoding is refused naming the line of the first byte it cannot hold.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from coalition.domain.contribution_import import ImportRejected
from coalition.domain.contribution_rules import RowError
from coalition.domain.errors import InvalidInput

ENCODINGS = "UTF-8 (with or without a byte order mark) or UTF-16 with a byte order mark"


@dataclass
class Table:
    """A file opened for import: its header, an iterator over its rows, a row count and its SHA-256."""

    name: str
    header: list[str]
    rows: Iterator[list[str]]
    row_count: int
    sha256: str


def _encoding(name: str, head: bytes) -> tuple[str, str]:
    """The codec to read a CSV file with, and the encoding's name, from its first bytes (its byte order mark)."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InvalidInput(f"'{name}' is UTF-32 text (its byte order mark says so); a CSV file is {ENCODINGS}",
                           field="file")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16"
    if len(head) >= 4 and (head[1] == head[3] == 0 or head[0] == head[2] == 0):
        # Two letters of a header, each followed (or preceded) by a zero byte: UTF-16 without its byte order mark.
        raise InvalidInput(f"'{name}' looks like UTF-16 text without a byte order mark; a CSV file is {ENCODINGS}",
                           field="file")
    return "utf-8", "UTF-8"


def _scan(path: Path, codec: str | None, label: str) -> tuple[str, int]:
    """The file's SHA-256 and its number of lines; with a ``codec``, its text is checked to decode."""
    digest, lines = hashlib.sha256(), 0
    decoder = None if codec is None else codecs.getincrementaldecoder(codec)()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            if decoder is None:
                lines += chunk.count(b"\n")
                continue
            try:
                lines += decoder.decode(chunk).count("\n")
            except UnicodeDecodeError as error:
                _not_text(path.name, label, codec or "", error, lines)
        if decoder is not None:
            try:
                lines += decoder.decode(b"", final=True).count("\n")
            except UnicodeDecodeError as error:
                _not_text(path.name, label, codec or "", error, lines)
    return digest.hexdigest(), lines


def _not_text(name: str, label: str, codec: str, error: UnicodeDecodeError, lines_before: int) -> None:
    before = bytes(error.object[:error.start]).decode(codec, errors="replace").count("\n")
    bad = bytes(error.object[error.start:error.end]).hex(" ")
    raise InvalidInput(f"'{name}' is not {label} text: line {lines_before + before + 1} holds the byte(s) {bad}, "
                       f"which {label} does not allow; save the file as {ENCODINGS}", field="file") from None


def _cell(value: object) -> str:
    """The text of a spreadsheet cell: dates as YYYY-MM-DD, numbers without float noise, anything else as text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Spreadsheets store numbers as binary floats; repr gives the shortest text that round-trips.
        text = repr(value)
        if "e" in text:
            return format(Decimal(text), "f")
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def read_table(path: Path) -> Table:
    if not path.is_file():
        raise InvalidInput(f"'{path}' is not a readable file", field="file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        digest, _ = _scan(path, None, "")
        return _workbook(path, digest)
    if suffix not in (".csv", ".txt"):
        raise InvalidInput(f"'{path.name}' is neither a CSV (.csv) nor an Excel (.xlsx) file", field="file")
    with path.open("rb") as raw:
        codec, label = _encoding(path.name, raw.read(4))
    digest, lines = _scan(path, codec, label)
    handle = path.open(newline="", encoding=codec)
    reader = csv.reader(handle)

    def read() -> Iterator[list[str]]:
        try:
            yield from reader
        except csv.Error as error:
            # Python's csv module refuses a cell longer than its field limit (128 KiB), far beyond any column.
            raise ImportRejected([RowError(reader.line_num, "row", "", f"cannot be read as CSV ({error})")],
                                 1) from None
        finally:
            handle.close()

    rows = read()
    header = [h.strip() for h in next(rows, [])]
    return Table(path.name, header, rows, max(lines - 1, 0), digest)


def _workbook(path: Path, digest: str) -> Table:
    """The first sheet of an Excel workbook, streamed; a file that is not one is refused naming why."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise InvalidInput(f"'{path.name}' is not an Excel workbook: an .xlsx file is a ZIP archive and this file "
                           "is not one (save it again as .xlsx, or as CSV)", field="file") from None
    except Exception as error:  # openpyxl's errors for a damaged archive or its XML are of many kinds
        raise InvalidInput(f"'{path.name}' is not an Excel workbook that can be read ({_reason(error)}); save it "
                           "again as .xlsx, or as CSV", field="file") from None
    number = 1
    try:
        if not workbook.worksheets:
            raise InvalidInput(f"'{path.name}' holds no worksheet", field="file")
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = [_cell(v).strip() for v in next(values, ())]
        total = max((sheet.max_row or 1) - 1, 0)
    except InvalidInput:
        workbook.close()
        raise
    except Exception as error:
        workbook.close()
        raise InvalidInput(f"'{path.name}': row {number} of its first sheet cannot be read ({_reason(error)})",
                           field="file") from None

    def read() -> Iterator[list[str]]:
        nonlocal number
        try:
            for number, row in enumerate(values, start=2):  # noqa: B007 - the row reached, for the message
                yield [_cell(v) for v in row]
        except Exception as error:
            raise InvalidInput(f"'{path.name}': row {number + 1} of its first sheet cannot be read "
                               f"({_reason(error)})", field="file") from None
        finally:
            workbook.close()

    return Table(path.name, header, read(), total, digest)


def _reason(error: Any) -> str:
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
