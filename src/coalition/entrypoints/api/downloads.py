"""Lists as files: the columns of a list's item type and its rows, for CSV and XLSX downloads.

Every ``Page[T]`` route answers ``?format=csv`` or ``?format=xlsx`` (see ``Routes`` in
``coalition.entrypoints.api.core``): the file holds the whole list, walked page by page through the same
service call as the JSON list, so it holds exactly what the caller may see. Its columns come from the item
type's fields: nested objects are flattened with dotted names (a Money field ``amount`` gives ``amount.amount``,
an exact decimal, and ``amount.currency``); a list or a free-form value is one cell of compact JSON. Each value
is the one the JSON list gives, so the files and the JSON agree; numbers stay numbers.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, TypeAdapter

from coalition.bootstrap import Platform

ListFormat = Annotated[Literal["json", "csv", "xlsx"], Query(
    description="json (a page), or csv or xlsx: the whole list from the given offset or cursor on, as a file "
                "streamed page by page (limit is ignored); text cells that would run as spreadsheet formulas "
                "start with an apostrophe")]
DOWNLOAD_PAGE = 500
FILE_CONTENT: dict[str, Any] = {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string",
                                                                                     "format": "binary"}}}

Kind = Literal["text", "number", "flag", "json"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a list's file: its dotted name, the path to its value in the item's JSON, and its kind."""

    name: str
    path: tuple[str, ...]
    kind: Kind


def _fields(kind: Any) -> list[tuple[str, Any]] | None:
    """The serialised fields of a dataclass or pydantic model, with their types; None for anything else."""
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return [(f.name, hints[f.name]) for f in dataclasses.fields(kind)]
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return [(name, info.annotation) for name, info in kind.model_fields.items()]
    return None


def _columns(kind: Any, path: tuple[str, ...], depth: int) -> list[Column]:
    origin = typing.get_origin(kind)
    if origin is Annotated:
        return _columns(typing.get_args(kind)[0], path, depth)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(members) == 1:
            return _columns(members[0], path, depth)
        return [Column(".".join(path), path, "json")]
    fields = _fields(kind) if depth < 4 else None
    if fields is not None:
        return [column for name, hint in fields for column in _columns(hint, (*path, name), depth + 1)]
    return [Column(".".join(path), path, _kind_of_cell(kind))]


def _kind_of_cell(kind: Any) -> Kind:
    """How a value of a leaf type is written in a cell: a flag, a number, text, or compact JSON."""
    enum = isinstance(kind, type) and issubclass(kind, Enum)
    if kind is bool:
        return "flag"
    if kind in (int, Decimal) or (isinstance(kind, type) and issubclass(kind, int) and not enum):
        return "number"
    if kind is str or kind in (date, datetime) or enum:
        return "text"
    return "json"


@cache
def columns_of(kind: Any) -> tuple[Column, ...]:
    """The columns of a file of ``kind`` items, in the order of its fields."""
    return tuple(_columns(kind, (), 0)) or (Column("value", (), "json"),)


@cache
def _list_adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(list[kind])


def _cell(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind == "number":
        return Decimal(value) if isinstance(value, str) else value
    if kind == "flag" or (kind == "text" and isinstance(value, str)):
        return value
    if kind == "json" and isinstance(value, str | bool | int):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _flat(item: dict[str, Any], names: frozenset[str], prefix: str, out: dict[str, Any]) -> dict[str, Any]:
    """The item's values by dotted name (an object whose name is a column stays one value)."""
    for key, value in item.items():
        name = prefix + key
        if isinstance(value, dict) and name not in names:
            _flat(value, names, name + ".", out)
        else:
            out[name] = value
    return out


@cache
def _plan(kind: Any) -> tuple[frozenset[str], tuple[tuple[str, Kind], ...]]:
    columns = columns_of(kind)
    return frozenset(c.name for c in columns), tuple((c.name, c.kind) for c in columns)


def rows_of(kind: Any, items: Sequence[Any]) -> list[list[Any]]:
    """The rows of ``items``: each value as the JSON list gives it, numbers as numbers (exact decimals)."""
    names, plan = _plan(kind)
    rows = []
    for item in _list_adapter(kind).dump_python(list(items), mode="json"):
        values = _flat(item, names, "", {}) if isinstance(item, dict) else {"value": item}
        rows.append([_cell(values.get(name), column) for name, column in plan])
    return rows


def walk(list_page: Callable[..., Any], arguments: dict[str, Any], parameters: Iterable[str],
         cursor: str | None) -> Iterator[Sequence[Any]]:
    """The items of a list, a page at a time, through the route's own function (so its service call and its
    masking): by the keyset ``cursor`` (an attribute of the items, passed back as ``after``, or as ``before`` to a
    list asked newest first) where the route has one, else (or for a list asked in another ``order``) by offset."""
    names = set(parameters)
    args = {**arguments, "limit": DOWNLOAD_PAGE}
    offset = args.get("offset", 0)
    while True:
        page = list_page(**args)
        yield page.items
        if len(page.items) < DOWNLOAD_PAGE:
            return
        if cursor is not None and "after" in names and not args.get("order") and not args.get("descending"):
            # a list newest first pages backwards, before its last item; any other forwards, after it
            backwards = bool(args.get("newest_first")) and "before" in names
            args["before" if backwards else "after"] = getattr(page.items[-1], cursor)
            if "offset" in names:
                args["offset"] = 0
        else:
            offset += len(page.items)
            if offset >= page.total:
                return
            args["offset"] = offset


def file_name(template: str, arguments: dict[str, Any], format: str) -> str:
    """The download's file name: the list's path with its parameters filled in, such as coalitions-it-funds.csv."""
    parts = [str(arguments.get(p[1:-1], "")) if p.startswith("{") else p for p in template.split("/") if p]
    name = "-".join(p for p in parts if p not in ("api", "v1")) or "list"
    return f"{re.sub(r'[^A-Za-z0-9._-]+', '_', name)}.{format}"


def download(platform: Platform, kind: Any, format: str, pages: Iterator[Sequence[Any]], name: str,
             headers: Sequence[str] | None = None) -> StreamingResponse:
    """A list as a file: the first page read now (so a refusal is an error response, not a broken file), the
    rest while the file streams."""
    first = next(pages, [])

    def all_pages() -> Iterator[Sequence[Any]]:
        yield first
        yield from pages

    header = list(headers) if headers is not None else [c.name for c in columns_of(kind)]
    body, media_type = platform.table_file(format, header, (rows_of(kind, page) for page in all_pages()),
                                           name.rsplit(".", 1)[0])
    return StreamingResponse(body, media_type=media_type,
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
