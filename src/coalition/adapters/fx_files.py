"""Reading published exchange-rate files: ECB reference rates (CSV or ZIP) and the National Bank of Ukraine (JSON, XML).

Rates go from the file's text straight into Decimal; no float ever holds one. A file that breaks
its format is refused whole, with the line (or entry) and the rule it broke.

What is skipped rather than refused:
- "N/A" or an empty cell in an ECB file: the ECB published no rate for that currency that day.
- A column or entry whose code check_currency rejects (not a currency Babel's CLDR data knows).
  Babel still knows the currencies the euro replaced (CYP, SIT, MTL, EEK, ...) and the ones
  redenominated since (ROL, TRL), so their historical ECB rates are kept for the days the ECB
  published them; after that the ECB writes N/A and nothing is read.
- Precious metals (XAU, XAG, XPT, XPD) in NBU files: they carry ISO 4217 codes but are prices per
  troy ounce, not money a donor pledges. XDR (the IMF's special drawing right) is kept.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree import ElementTree

from coalition.domain.errors import InvalidInput
from coalition.domain.fx import FxRate
from coalition.domain.money import check_currency

ECB_SOURCE = "ECB euro foreign exchange reference rates"
NBU_SOURCE = "National Bank of Ukraine"
NOT_MONEY = frozenset({"XAU", "XAG", "XPT", "XPD"})

_ZIP_MAGIC = b"PK\x03\x04"
_MONTHS = {name: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"), start=1)}
_DAILY_DATE = re.compile(r"(\d{1,2}) ([A-Za-z]+) (\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NBU_DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")
_NO_RATE = frozenset({"", "N/A"})


def _refuse(where: str, rule: str) -> InvalidInput:
    return InvalidInput(f"{where}: {rule}", field="file")


def _currency(code: str) -> str | None:
    """The ISO code, or None for what is not a currency (see the module's docstring)."""
    try:
        normalised = check_currency(code)
    except InvalidInput:
        return None
    return None if normalised in NOT_MONEY else normalised


def _decimal(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise _refuse(where, f"'{text}' is not a decimal number") from None
    if not value.is_finite():
        raise _refuse(where, f"'{text}' is not a decimal number")
    if value <= 0:
        raise _refuse(where, f"rate {text} must be greater than zero")
    return value


def _calendar_date(year: int, month: int, day: int, text: str, where: str, form: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _refuse(where, f"'{text}' is not a date like '{form}'") from None


def _daily_date(text: str, where: str) -> date:
    """'21 November 2026', with English month names whatever the machine's locale (so not strptime)."""
    match = _DAILY_DATE.fullmatch(text)
    month = _MONTHS.get(match.group(2).lower()) if match else None
    if match is None or month is None:
        raise _refuse(where, f"'{text}' is not a date like '21 November 2026'")
    return _calendar_date(int(match.group(3)), month, int(match.group(1)), text, where, "21 November 2026")


def _iso_date(text: str, where: str) -> date:
    if not _ISO_DATE.fullmatch(text):
        raise _refuse(where, f"'{text}' is not a date like '2026-11-21'")
    year, month, day = (int(part) for part in text.split("-"))
    return _calendar_date(year, month, day, text, where, "2026-11-21")


# --- ECB ------------------------------------------------------------------------------------------------


def _without_trailing_blanks(fields: list[str]) -> list[str]:
    # Every ECB line ends with a comma, which csv reads as one more, empty, field.
    while fields and not fields[-1]:
        fields.pop()
    return fields


def _ecb_csv(text: str) -> list[FxRate]:
    lines = csv.reader(io.StringIO(text), skipinitialspace=True)
    header, columns = _ecb_header(next(lines, []))
    read_date = None
    rates: list[FxRate] = []
    for raw in lines:
        number = lines.line_num
        cells = _ecb_cells(raw, len(header), number)
        if cells is None:
            continue
        if read_date is None:  # the first data line tells the daily file (one line) from the full history
            read_date = _ecb_date_reader(cells[0], number)
        day = read_date(cells[0], f"line {number}, column Date")
        for name, code, cell in zip(header[1:], columns, cells[1:], strict=True):
            if code is not None and cell not in _NO_RATE:
                rates.append(FxRate(day, "EUR", code, _decimal(cell, f"line {number}, column {name}"), ECB_SOURCE))
    if read_date is None:
        raise _refuse("line 2", "the file has a header but no rates")
    return rates


def _ecb_header(raw: list[str]) -> tuple[list[str], list[str | None]]:
    """The header's names and, for each column after the date, its currency (None for a column we do not know)."""
    header = _without_trailing_blanks([name.strip() for name in raw])
    if not header or header[0].lower() != "date":
        raise _refuse("line 1", "an ECB file starts with a header line 'Date, USD, JPY, ...'")
    columns: list[str | None] = []
    for name in header[1:]:
        code = _currency(name)
        if code is not None and code in columns:
            raise _refuse("line 1", f"column {code} appears twice")
        columns.append(code)
    return header, columns


def _ecb_cells(raw: list[str], width: int, number: int) -> list[str] | None:
    """A data line's cells, one per column of the header (None for a blank line). Trailing commas add empty fields;
    anything else must match the header, cell for cell."""
    cells = [cell.strip() for cell in raw]
    if not any(cells):
        return None
    if len(cells) < width or any(cells[width:]):
        raise _refuse(f"line {number}", f"{len(_without_trailing_blanks(cells))} values but the header names "
                      f"{width} columns")
    return cells[:width]


def _ecb_date_reader(first: str, number: int) -> Callable[[str, str], date]:
    if _DAILY_DATE.fullmatch(first):
        return _daily_date
    if _ISO_DATE.fullmatch(first):
        return _iso_date
    raise _refuse(f"line {number}, column Date", f"'{first}' is neither a date like "
                  "'21 November 2026' (ECB daily file) nor like '2026-11-21' (ECB history file)")


# --- National Bank of Ukraine ----------------------------------------------------------------------------


def _nbu_rate(where: str, code: str, rate: object, when: str) -> FxRate | None:
    if not code:
        raise _refuse(where, "the currency code (cc) is missing")
    currency = _currency(code)
    if currency is None:
        return None
    if isinstance(rate, bool) or not isinstance(rate, Decimal | int | str):
        raise _refuse(where, f"rate {rate!r} is not a decimal number")
    value = _decimal(str(rate), where)
    match = _NBU_DATE.fullmatch(when.strip())
    if match is None:
        raise _refuse(where, f"exchangedate '{when}' is not a date like '21.11.2026'")
    day = _calendar_date(int(match.group(3)), int(match.group(2)), int(match.group(1)), when, where, "21.11.2026")
    # The NBU publishes hryvnias per one unit of each currency.
    return FxRate(day, currency, "UAH", value, NBU_SOURCE)


def _nbu_json(text: str) -> list[FxRate]:
    try:
        loaded = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise _refuse(f"line {error.lineno}, column {error.colno}", f"not valid JSON ({error.msg})") from None
    entries = [loaded] if isinstance(loaded, dict) else loaded
    if not isinstance(entries, list):
        raise _refuse("line 1", "an NBU JSON file is a list of rates")
    rates = []
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number}"
        if not isinstance(entry, Mapping):
            raise _refuse(where, "each rate is an object with cc, rate and exchangedate")
        code, rate, when = entry.get("cc"), entry.get("rate"), entry.get("exchangedate")
        if not isinstance(code, str) or not isinstance(when, str) or rate is None:
            raise _refuse(where, "each rate is an object with cc, rate and exchangedate")
        if (found := _nbu_rate(f"{where} ({code})", code.strip(), rate, when)) is not None:
            rates.append(found)
    return rates


def _nbu_xml(data: bytes) -> list[FxRate]:
    # The standard library's parser would expand entities a hostile file declares; the NBU never
    # declares any, so a file that does is refused instead.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _refuse("line 1", "an NBU XML file has no document type or entity declarations")
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - declarations refused above
    except ElementTree.ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        # expat counts columns from 0; people and the other messages here count from 1.
        raise _refuse(f"line {line}, column {column + 1}", f"not well-formed XML ({reason})") from None
    if root.tag != "exchange":
        raise _refuse(f"element <{root.tag}>", "an NBU XML file is an <exchange> of <currency> elements")
    rates = []
    for number, element in enumerate(root, start=1):
        where = f"<currency> element {number}"
        if element.tag != "currency":
            raise _refuse(f"element {number} <{element.tag}>", "an <exchange> holds only <currency> elements")
        fields = {child.tag: (child.text or "").strip() for child in element}
        missing = [name for name in ("cc", "rate", "exchangedate") if not fields.get(name)]
        if missing:
            raise _refuse(where, f"<{missing[0]}> is missing or empty")
        if (found := _nbu_rate(f"{where} ({fields['cc']})", fields["cc"], fields["rate"],
                               fields["exchangedate"])) is not None:
            rates.append(found)
    return rates


# --- detection --------------------------------------------------------------------------------------------


def _single_csv(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if len(members) != 1:
                raise _refuse("zip", f"expected one file inside (as the ECB publishes), found {len(members)}")
            return archive.read(members[0])
    except zipfile.BadZipFile as error:
        raise _refuse("zip", f"not a readable zip file ({error})") from None


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _refuse(f"line {line}", "the file is not UTF-8 text") from None


def parse_rates(data: bytes) -> list[FxRate]:
    """The rates in a file's content, whichever of the supported formats it is."""
    if data.startswith(_ZIP_MAGIC):
        data = _single_csv(data)
        if data.startswith(_ZIP_MAGIC):
            raise _refuse("zip", "a zip inside the zip is not a rates file")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise _refuse("line 1", "the file is empty")
    if stripped[:1] in (b"[", b"{"):
        return _nbu_json(_text(data))
    if stripped[:1] == b"<":
        return _nbu_xml(data)
    return _ecb_csv(_text(data))


def read_rates(path: Path) -> list[FxRate]:
    """Rates from an ECB daily or history file (CSV or the ZIP the ECB publishes) or an NBU JSON or XML file."""
    return parse_rates(path.read_bytes())
