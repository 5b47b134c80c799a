"""Every table of the pages as a CSV or XLSX file, in the viewer's language.

Each table a page renders is followed by "Download CSV" and "Download XLSX" links; nothing in a template has to
remember them. A table that shows one page of a longer list names the API list it pages through in a
``data-download`` attribute (the ledger's contributions, the audit log): its links fetch that whole list as a file
from the API (``?format=csv``), streamed page by page through the same service call, with the viewer's browser
session. Any other table's links ask the page again with ``?download=csv&table=N``: the page is computed for the
same viewer by the same services and the N-th table's cells (its column headers in the viewer's language, its
cells as shown) are written as the file. The files' text cells are neutralised against formula injection by the
one table writer (``Platform.table_file``).
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from coalition.bootstrap import Platform
from coalition.domain.errors import InvalidInput
from coalition.entrypoints.web.i18n import N_

FORMATS = ("csv", "xlsx")
TEXTS = {"label": N_("Download the table:"), "csv": N_("Download CSV"), "xlsx": N_("Download XLSX")}
_TABLE = re.compile(r"<table\b([^>]*)>")
_CLOSE = "</table></div>"
_DATA_DOWNLOAD = re.compile(r'data-download="([^"]*)"')
_SKIPPED = frozenset({"button", "select", "script", "style", "template", "textarea"})


class _Tables(HTMLParser):
    """The tables of a page: per table, its header (the head row's cells) and its other rows, as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._depth = 0
        self._skip = 0
        self._in_head = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append(([], []))
        elif self._depth != 1:
            return
        elif tag in _SKIPPED:
            self._skip += 1
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._depth -= 1
        elif self._depth != 1:
            return
        elif tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row += [" ".join("".join(self._cell).split())] + [""] * (self._span - 1)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            header, rows = self.tables[-1]
            if self._in_head and not header:
                header.extend(self._row)
            elif not self._in_head:
                rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._depth == 1 and self._cell is not None and not self._skip:
            self._cell.append(data)


def tables_of(html: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each table of a page, in order: its column headers and its rows of text, as the viewer sees them."""
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser.tables


def _links(csv_href: str, xlsx_href: str, texts: dict[str, str]) -> str:
    return (f'<p class="downloads muted">{escape(texts["label"])} '
            f'<a href="{escape(csv_href)}" download>{escape(texts["csv"])}</a> · '
            f'<a href="{escape(xlsx_href)}" download>{escape(texts["xlsx"])}</a></p>')


def _with(url: str, **params: str) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def with_download_links(html: str, request: Request, texts: dict[str, str]) -> str:
    """The page with "Download CSV" and "Download XLSX" links after each of its tables."""
    if _CLOSE not in html:
        return html
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("download", "table")]
    here = request.url.path + ("?" + urlencode(query) if query else "")
    starts = [m.group(1) for m in _TABLE.finditer(html)]
    pieces = html.split(_CLOSE)
    out = [pieces[0]]
    for index, rest in enumerate(pieces[1:]):
        opened = starts[index] if index < len(starts) else ""
        whole = _DATA_DOWNLOAD.search(opened)
        if whole is not None:
            url = whole.group(1).replace("&amp;", "&")
            links = _links(_with(url, format="csv"), _with(url, format="xlsx"), texts)
        else:
            links = _links(_with(here, download="csv", table=str(index)),
                           _with(here, download="xlsx", table=str(index)), texts)
        out.append(_CLOSE + links + rest)
    return "".join(out)


def table_file(platform: Platform, html: str, request: Request, name: str) -> Response:
    """The N-th table of a rendered page (``?download=csv|xlsx&table=N``) as a file."""
    format, number = request.query_params.get("download", ""), request.query_params.get("table", "")
    if format not in FORMATS:
        raise InvalidInput(f"'{format}' is not a download format ({', '.join(FORMATS)})", field="download")
    tables = tables_of(html)
    if not number.isdigit() or int(number) >= len(tables):
        raise InvalidInput(f"the page has {len(tables)} tables, numbered from 0", field="table")
    header, rows = tables[int(number)]
    body, media_type = platform.table_file(format, header, [rows], name)
    file_name = f"{re.sub(r'[^A-Za-z0-9._-]+', '-', name).strip('-') or 'table'}-{number}.{format}"
    return StreamingResponse(body, media_type=media_type,
                             headers={"Content-Disposition": f'attachment; filename="{file_name}"'})


def wants_file(request: Request) -> bool:
    return request.method == "GET" and "download" in request.query_params


def page_name(request: Request) -> str:
    return request.url.path.strip("/").replace("/", "-") or "home"
