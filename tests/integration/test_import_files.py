"""Import files that are not what they claim, or hold what no column takes: each is refused with one line naming
the row, the column or the encoding and the rule (exit code 2 on the command line, 422 from the API and the
web page), and nothing is written, on SQLite and PostgreSQL alike. UTF-8 with or without a byte order mark and
UTF-16 with one are read."""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from coalition.bootstrap import Platform
from coalition.demo.users import DEMO_PASSWORD, build_demo_users
from coalition.entrypoints.api.app import create_app
from coalition.entrypoints.jobs import JobRunner
from coalition.services import funding
from tests.demo_copies import give_demo_world
from tests.integration.helpers import dump, run

HEADER = "kind,external_ref,coalition,fund,donor,amount,currency,value_date,description\n"


def _row(ref: str, amount: str = "10.00", description: str = "") -> str:
    return f"pledge,{ref},it-coalition,it-coalition-fund,EE,{amount},EUR,2025-01-06,{description}\n"


def _workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _damaged_sheet() -> bytes:
    whole = zipfile.ZipFile(BytesIO(_workbook(["pledge", "X1", "it-coalition", "it-coalition-fund", "EE", "10.00",
                                               "EUR", "2025-01-06", ""])))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for item in whole.infolist():
            content = whole.read(item.filename)
            damaged.writestr(item, content[:len(content) // 2] if item.filename.endswith("sheet1.xml") else content)
    return out.getvalue()


def _no_workbook() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return out.getvalue()


# name -> (file content, what the one line says)
BAD: dict[str, tuple[Callable[[], bytes], str]] = {
    "overflow.csv": (lambda: (HEADER + _row("O-1", "99999999999999999999999999.00")).encode(),
                     "row 2, column amount: '99999999999999999999999999.00' has more than 13 digits"),
    "latin1.csv": (lambda: (HEADER + _row("L-1", description="café")).encode("latin-1"),
                   "'latin1.csv' is not UTF-8 text: line 2 holds the byte(s) e9"),
    "utf16-no-bom.csv": (lambda: (HEADER + _row("U-1")).encode("utf-16-le"),
                         "looks like UTF-16 text without a byte order mark"),
    "utf32.csv": (lambda: (HEADER + _row("U-2")).encode("utf-32"), "is UTF-32 text"),
    "nul.csv": (lambda: (HEADER + _row("N-1", description="a\x00b")).encode(),
                "row 2, column description: 'a\\x00b' must not hold control characters"),
    "long.csv": (lambda: (HEADER + _row("D-1", description="y" * 100_000)).encode(),
                 "row 2, column description"),
    "huge-cell.csv": (lambda: (HEADER + _row("H-1", description="y" * 200_000)).encode(),
                      "row 2, column row: '' cannot be read as CSV"),
    "not-a-zip.xlsx": (lambda: b"kind,external_ref\npledge,X\n", "'not-a-zip.xlsx' is not an Excel workbook"),
    "truncated.xlsx": (lambda: _workbook()[:300], "'truncated.xlsx' is not an Excel workbook"),
    "no-workbook.xlsx": (_no_workbook, "'no-workbook.xlsx' is not an Excel workbook that can be read"),
    "damaged-sheet.xlsx": (_damaged_sheet, "of its first sheet cannot be read (ParseError"),
    "odd-cells.xlsx": (lambda: _workbook(
        ["pledge", "X-1", "it-coalition", "it-coalition-fund", "EE", 1e20, "EUR",
         datetime.datetime(2025, 1, 6), True],  # noqa: DTZ001 - a spreadsheet's cells have no time zone
        ["pledge", "X-2", "it-coalition", "it-coalition-fund", "EE", 10, "EUR", datetime.time(12, 0),
         datetime.timedelta(days=1)],
        [True, 3, "it-coalition", "it-coalition-fund", "EE", "10.00", "EUR", 45000, None]),
        "row 2, column amount: '100000000000000000000' has more than 13 digits"),
}


@pytest.fixture
def demo(platform: Platform) -> Platform:
    give_demo_world(platform, procurement=False)
    return platform


def test_the_command_line_refuses_each_file_in_one_line_and_writes_nothing(
        demo: Platform, capsys: pytest.CaptureFixture[str], tmp_path: Path):
    before = dump(demo.engine)
    for name, (content, says) in sorted(BAD.items()):
        path = tmp_path / name
        path.write_bytes(content())
        code, _, err = run(demo, capsys, "import", str(path))
        assert code == 2, (name, err)
        assert "Traceback" not in err
        last = err.strip().splitlines()[-1]
        assert last.startswith("error: file: ") and says in last, (name, err)
    assert dump(demo.engine) == before


def test_the_api_refuses_each_file_with_422_and_writes_nothing(demo: Platform):
    client = TestClient(create_app(demo))
    build_demo_users(demo.uow(), demo.operator(), demo.password_hasher)
    answer = client.post("/api/v1/auth/login", json={"username": "secretariat", "password": DEMO_PASSWORD})
    headers = {"X-CSRF-Token": answer.json()["csrf_token"]}
    before = dump(demo.engine)
    for name, (content, says) in sorted(BAD.items()):
        refused = client.post("/api/v1/imports", params={"filename": name}, content=content(), headers=headers)
        assert refused.status_code == 422, (name, refused.text)
        assert refused.json()["field"] == "file" and says in refused.json()["message"], name
    assert dump(demo.engine) == before


def test_the_web_page_shows_the_refusal_with_422(demo: Platform):
    build_demo_users(demo.uow(), demo.operator(), demo.password_hasher)
    client = TestClient(create_app(demo))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    client.post("/login", data={"csrf_token": token.group(1), "username": "secretariat",
                                "password": DEMO_PASSWORD}, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert token is not None
    before = dump(demo.engine)
    for name, says in (("latin1.csv", "is not UTF-8 text: line 2"), ("not-a-zip.xlsx", "is not an Excel workbook"),
                       ("overflow.csv", "<td>amount</td><td>99999999999999999999999999.00</td><td>has more than 13")):
        content, _ = BAD[name]
        started = client.post("/imports", data={"csrf_token": token.group(1)}, headers={"HX-Request": "true"},
                              files={"file": (name, content(), "application/octet-stream")})
        job = re.search(r'hx-get="/imports/([^"]+)"', started.text)
        answer = started
        if not demo.jobs_in_process:  # PostgreSQL: `coalition worker` runs the queued import
            assert JobRunner(demo).run_one() is not None
        for _ in range(400):
            if job is None:
                break
            answer = client.get(f"/imports/{job.group(1)}")
            job = re.search(r'hx-get="/imports/([^"]+)"', answer.text)
        assert answer.status_code == 422, answer.text
        assert says in answer.text, answer.text
    assert _record(dump(demo.engine)) == _record(before)


def _record(tables: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    """Every table of the record, without the queue of jobs that ran the imports and the events that tell their
    owner how each ended."""
    return {name: rows for name, rows in tables.items() if name not in ("jobs", "job_workers", "outbox")}


def test_utf8_with_or_without_a_byte_order_mark_and_utf16_with_one_are_read(
        demo: Platform, capsys: pytest.CaptureFixture[str], tmp_path: Path):
    for encoding in ("utf-8", "utf-8-sig", "utf-16"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes((HEADER + _row(f"ENC-{encoding}", description="Кава для штабу")).encode(encoding))
        code, out, err = run(demo, capsys, "import", str(path))
        assert code == 0, (encoding, err)
        assert "Imported 1 contributions" in out
    found = funding.list_contributions(demo.uow(), demo.operator(), coalition="it-coalition", limit=500).items
    assert {c.external_ref: c.description for c in found if (c.external_ref or "").startswith("ENC-")} == {
        "ENC-utf-8": "Кава для штабу", "ENC-utf-8-sig": "Кава для штабу", "ENC-utf-16": "Кава для штабу"}
