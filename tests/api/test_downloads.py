"""Lists as files, on both databases: every list's CSV and XLSX download holds what its JSON pages hold (all of
them, walked by cursor or offset), a restricted contribution is in no file of a caller who may not see it, text
cells that would run as spreadsheet formulas are neutralised, and a bad format is refused naming the field."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from coalition.entrypoints.api import downloads
from tests.api.conftest import Served

V = "/api/v1"
IT = "it-coalition"
ON = "2024-03-01"

# (path, parameters, role, key of the JSON pages' cursor or None to page by offset)
LISTS = [
    (f"{V}/contributions", {"coalition": IT}, "secretariat", "id"),
    (f"{V}/contributions", {"coalition": IT}, "public", "id"),
    (f"{V}/audit", {}, "auditor", "seq"),
    (f"{V}/parties", {}, "public", None),
    (f"{V}/coalitions/{IT}/members", {}, "lead", None),
    (f"{V}/coalitions/{IT}/requirements", {}, "secretariat", None),
    (f"{V}/coalitions/{IT}/deliveries", {}, "lead", None),  # a cached read
]


def _json_items(served: Served, path: str, params: dict[str, Any], role: str, cursor: str | None
                ) -> list[dict[str, Any]]:
    """Every item of a list, through its JSON pages."""
    items: list[dict[str, Any]] = []
    while True:
        paging = {"after": items[-1][cursor]} if cursor and items else {"offset": len(items)}
        answer = served.client.get(path, headers=served.as_role(role), params={**params, **paging, "limit": 50})
        assert answer.status_code == 200, answer.text
        page = answer.json()["items"]
        items += page
        if len(page) < 50:
            return items


def _value(item: Any, column: str) -> Any:
    for key in column.split("."):
        item = item.get(key) if isinstance(item, dict) else None
    return item


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = str(value)
    return "'" + text if isinstance(value, str) and text[:1] in ("=", "+", "-", "@") else text


def _same_cell(cell: Any, value: Any) -> bool:
    """An XLSX cell holds the JSON value: numbers as numbers (amounts exact to the cent), text as text."""
    if value is None or value == "":
        return cell is None  # an empty cell
    if isinstance(value, bool):
        return cell is value
    if isinstance(cell, int | float) and isinstance(value, str | int):
        return Decimal(str(cell)) == Decimal(value)
    return bool(cell == _as_text(value))


@pytest.mark.parametrize(("path", "params", "role", "cursor"), LISTS)
def test_csv_and_xlsx_downloads_hold_every_json_page(world_on_each_database: Served, monkeypatch: pytest.MonkeyPatch,
                                                     path: str, params: dict[str, Any], role: str,
                                                     cursor: str | None) -> None:
    served = world_on_each_database
    monkeypatch.setattr(downloads, "DOWNLOAD_PAGE", 2)  # many pages, however small the demo's lists
    expected = _json_items(served, path, params, role, cursor)
    assert len(expected) > 2, path
    answer = served.client.get(path, headers=served.as_role(role), params={**params, "format": "csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith("attachment; filename=") and ".csv" in \
        answer.headers["content-disposition"]
    header, *rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows == [[_as_text(_value(item, column)) for column in header] for item in expected]

    book = served.client.get(path, headers=served.as_role(role), params={**params, "format": "xlsx"})
    assert book.status_code == 200 and book.headers["content-type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(book.content), read_only=True).worksheets[0]
    head, *cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert head == header and len(cells) == len(expected)
    for row, item in zip(cells, expected, strict=True):
        for column, cell in zip(header, row, strict=True):
            assert _same_cell(cell, _value(item, column)), (column, cell, _value(item, column))


@pytest.mark.parametrize(("path", "role"), [(f"{V}/programmes", "public"), (f"{V}/parties/EE/identifiers", "public"),
                                           (f"{V}/coalitions/{IT}/pipeline", "secretariat")])
def test_a_list_that_is_not_paged_downloads_whole(world_on_each_database: Served, path: str, role: str) -> None:
    served = world_on_each_database
    expected = served.client.get(path, headers=served.as_role(role)).json()
    assert expected, path
    answer = served.client.get(path, headers=served.as_role(role), params={"format": "csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows == [[_as_text(_value(item, column)) for column in header] for item in expected]
    book = served.client.get(path, headers=served.as_role(role), params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows())) == len(expected) + 1


def test_amounts_are_exact_decimal_columns_and_numbers_in_xlsx(world_on_each_database: Served) -> None:
    served = world_on_each_database
    answer = served.client.get(f"{V}/contributions", headers=served.as_role("secretariat"),
                               params={"coalition": IT, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {"amount.amount", "amount.currency"} <= set(rows[0])
    assert all(Decimal(r["amount.amount"]) == Decimal(r["amount.amount"]).quantize(Decimal("0.01")) for r in rows
               if r["amount.currency"] == "EUR")
    book = served.client.get(f"{V}/contributions", headers=served.as_role("secretariat"),
                             params={"coalition": IT, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content)).worksheets[0]
    column = [c.value for c in sheet[1]].index("amount.amount") + 1
    assert all(sheet.cell(row, column).data_type == "n" for row in range(2, sheet.max_row + 1))


def test_a_bad_format_is_refused_naming_the_field(world_on_each_database: Served) -> None:
    answer = world_on_each_database.client.get(f"{V}/parties", params={"format": "pdf"})
    assert answer.status_code == 422 and answer.json()["field"] == "format"


def test_the_openapi_document_names_the_formats_and_the_file_types(world_on_each_database: Served) -> None:
    schema = world_on_each_database.client.get(f"{V}/openapi.json").json()
    listing = schema["paths"][f"{V}/contributions"]["get"]
    assert next(p for p in listing["parameters"] if p["name"] == "format")["schema"]["enum"] == ["json", "csv",
                                                                                                   "xlsx"]
    assert {"application/json", "text/csv"} <= set(listing["responses"]["200"]["content"])


def _pledge(ref: str, **extra: object) -> dict[str, object]:
    return {"kind": "pledge", "coalition": IT, "fund": "it-coalition-fund", "donor": "LV",
            "amount": {"amount": "987654.32", "currency": "EUR"}, "value_date": ON, "external_ref": ref, **extra}


def _downloads(served: Served, role: str, params: dict[str, str]) -> list[str]:
    texts = []
    for format in ("csv", "xlsx"):
        answer = served.client.get(f"{V}/contributions", headers=served.as_role(role),
                                   params={**params, "format": format})
        assert answer.status_code == 200, answer.text
        if format == "csv":
            texts.append(answer.text)
        else:
            sheet = load_workbook(io.BytesIO(answer.content), read_only=True).worksheets[0]
            texts.append("\n".join(",".join("" if v is None else str(v) for v in row)
                                   for row in sheet.iter_rows(values_only=True)))
    return texts


def test_a_restricted_contribution_is_in_no_file_of_a_caller_who_may_not_see_it(served: Served) -> None:
    recorded = served.client.post(f"{V}/contributions", headers=served.as_role("secretariat"), json=_pledge(
        "LV-SECRET-FILE", visibility="restricted", restricted_to=["LU"], description="a secret purpose"))
    assert recorded.status_code == 201, recorded.text
    pledge = recorded.json()["id"]
    for role in ("public", "lead", "observer-representative"):
        for params in ({"coalition": IT}, {}):
            for text in _downloads(served, role, params):
                assert "LV-SECRET-FILE" not in text and "987654" not in text and "secret purpose" not in text
        masked = next(r for r in csv.DictReader(io.StringIO(_downloads(served, role, {"coalition": IT})[0]))
                      if r["id"] == str(pledge))
        assert masked["masked"] == "true" and masked["donor"] == "" and masked["amount.amount"] == ""
        for text in _downloads(served, role, {"donor": "LV"}):  # listed under its donor, it would say who gave
            assert not any(line.startswith(f"{pledge},") for line in text.splitlines())
    for text in _downloads(served, "member-representative", {"coalition": IT}):  # LV's own desk sees it
        assert "LV-SECRET-FILE" in text and "987654.32" in text


def test_text_that_would_run_as_a_formula_is_neutralised_in_both_formats(served: Served) -> None:
    formulas = {"=HYPERLINK(\"http://example.org\",\"x\")": "FORMULA-1", "+1+1": "FORMULA-2", "-2+3": "FORMULA-3",
                "@SUM(A1)": "FORMULA-4"}
    for description, ref in formulas.items():
        answer = served.client.post(f"{V}/contributions", headers=served.as_role("secretariat"),
                                    json=_pledge(ref, description=description))
        assert answer.status_code == 201, answer.text
    answer = served.client.post(f"{V}/contributions", headers=served.as_role("secretariat"),
                                json=_pledge("=cmd|' /C calc'!A0"))
    assert answer.status_code == 201, answer.text
    params = {"coalition": IT, "format": "csv"}
    rows = list(csv.DictReader(io.StringIO(served.client.get(
        f"{V}/contributions", headers=served.as_role("secretariat"), params=params).text)))
    described = {r["external_ref"]: r["description"] for r in rows}
    for description, ref in formulas.items():
        assert described[ref] == "'" + description
    assert "'=cmd|' /C calc'!A0" in described
    book = served.client.get(f"{V}/contributions", headers=served.as_role("secretariat"),
                             params={**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = [{h: c for h, c in zip(header, row, strict=True)} for row in sheet.iter_rows(min_row=2)]
    by_ref = {str(r["external_ref"].value): r for r in cells}
    for description, ref in formulas.items():
        assert by_ref[ref]["description"].value == "'" + description
        assert by_ref[ref]["description"].data_type == "s"
        assert by_ref[ref]["amount.amount"].data_type == "n"
        assert Decimal(str(by_ref[ref]["amount.amount"].value)) == Decimal("987654.32")
    assert not any(c.data_type == "f" for row in cells for c in row.values())
