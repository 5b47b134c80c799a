"""Every route reads its input through the shared types of coalition.entrypoints.api.core, and the text limits
of the API and the columns come from the domain's rules (coalition.domain.limits).

The checks are by behaviour, over every route of the API and the web pages and every body model: a route
added later that reads a number, a boolean, a date or free text another way fails here.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from typing import Any, Union

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from coalition.adapters import tables
from coalition.domain import limits
from coalition.entrypoints.api import (
    auth,
    documents,
    exports,
    funding,
    innovation,
    planning,
    procurement,
    registry,
    steering,
)
from coalition.entrypoints.web import pages

ROUTERS = (auth.router, registry.router, funding.router, planning.router, steering.router, procurement.router,
           innovation.router, exports.router, documents.router, pages.router)
RULES = {name: rule for name, rule in vars(limits).items() if isinstance(rule, limits.TextRule)}

# What a lax reader would take and the strict types refuse: in a path or query (text), and in a JSON body.
LAX_TEXT: dict[type, tuple[str, ...]] = {int: ("+5", "5.0", " 5", "5_0", "0x5"), bool: ("1", "yes", "True", "on"),
                                         date: ("0", "1700000000", "2024-01-01T00:00:00", "20240101")}
LAX_JSON: dict[type, tuple[Any, ...]] = {int: ("1", 1.0, True), bool: (0, 1, "true"),
                                         date: (0, "0", "2024-01-01T00:00:00"), datetime: (0, "1700000000")}
SECRETS = {"password", "current_password", "new_password"}  # hashed, never kept as text


def _routes() -> list[APIRoute]:
    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]


def _members(annotation: Any) -> list[Any]:
    """The types an annotation may hold (unions opened, Annotated unwrapped, None dropped)."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [] if annotation is type(None) else [annotation]


def _scalar(annotation: Any) -> type | None:
    for member in _members(annotation):
        for kind in (bool, int, datetime, date):  # bool before int, datetime before date: subclasses
            if member is kind:
                return kind
    return None


def test_every_parameter_is_read_strictly_from_its_text():
    checked = 0
    for route in _routes():
        for param in route.dependant.path_params + route.dependant.query_params:
            kind = _scalar(param.field_info.annotation)
            if kind is None:
                continue
            for text in LAX_TEXT[kind]:
                _, errors = param.validate(text, {}, loc=("query", param.name))
                assert errors, f"{route.path}: {param.name} takes {text!r}"
            checked += 1
    assert checked > 40


def _models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for route in _routes():
        for param in route.dependant.body_params:
            found |= {m for m in _members(param.field_info.annotation)
                      if isinstance(m, type) and issubclass(m, BaseModel)}
    return found


def _leaves(model: type[BaseModel], path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """(path in the body, the field's annotation with its constraints, the field) for every field, nested
    models, lists and mappings opened."""
    found = []
    for name, field in model.model_fields.items():
        annotation = typing.Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        found += _opened((*path, name), annotation, field)
    return found


def _opened(path: tuple[Any, ...], annotation: Any, field: Any) -> list[tuple[tuple[Any, ...], Any, Any]]:
    found = [(path, annotation, field)]
    for member in _members(annotation):
        origin = typing.get_origin(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            found += _leaves(member, path)
        elif origin is list:
            found += _opened((*path, 0), typing.get_args(member)[0], field)
        elif origin is dict:
            found += _opened((*path, "key"), typing.get_args(member)[1], field)
    return found


def _body(path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if head == 0:
        return [_body(rest, value)]
    return {head: _body(rest, value)}


def _refuses(model: type[BaseModel], path: tuple[Any, ...], value: Any) -> bool:
    try:
        model.model_validate(_body(path, value))
    except ValidationError as error:
        return any(tuple(e["loc"][:len(path)]) == path for e in error.errors())
    return False


def test_every_body_field_takes_json_of_exactly_its_type():
    checked = 0
    for model in _models():
        for path, annotation, _ in _leaves(model):
            kind = _scalar(annotation)
            if kind is None:
                continue
            for value in LAX_JSON[kind]:
                assert _refuses(model, path, value), f"{model.__name__}.{'.'.join(map(str, path))} takes {value!r}"
            checked += 1
    assert checked > 100


def test_every_text_of_a_body_refuses_control_characters_and_has_a_bound():
    checked = 0
    for model in _models():
        for path, annotation, _ in _leaves(model):
            if str not in _members(annotation) or path[-1] in SECRETS:
                continue
            where = f"{model.__name__}.{'.'.join(map(str, path))}"
            assert _refuses(model, path, "a\u0000b"), f"{where} takes a NUL"
            assert _refuses(model, path, "x" * (limits.MINUTES.max_length + 1)), f"{where} has no bound"
            checked += 1
    assert checked > 100


def test_the_free_text_of_the_api_has_the_domains_rules():
    """A string property of a request that is not a code, a vocabulary or a decimal is free text: its limit and
    characters are those of a rule of the domain."""
    from pathlib import Path

    from coalition.bootstrap import Platform
    from coalition.config import Settings
    from coalition.entrypoints.api.app import create_app

    document = create_app(Platform(Settings(database_url="sqlite://", data_dir=Path("unused")))).openapi()
    free = []
    for name, schema in document["components"]["schemas"].items():
        for prop, found in schema.get("properties", {}).items():
            for leaf in [found, found.get("items", {}), *found.get("anyOf", [])]:
                if leaf.get("type") == "string" and leaf.get("pattern") in (limits.ONE_LINE_PATTERN,
                                                                            limits.LINES_PATTERN):
                    free.append((name, prop, leaf))
    assert len(free) > 50
    for name, prop, leaf in free:
        matching = [rule for rule in RULES.values()
                    if (rule.max_length, rule.pattern) == (leaf.get("maxLength"), leaf["pattern"])]
        assert matching, f"{name}.{prop}: {leaf} follows no rule of coalition.domain.limits"


@pytest.mark.parametrize("table", tables.metadata.sorted_tables, ids=lambda t: t.name)
def test_every_id_column_is_64_bit(table: sa.Table):
    """Integer keys, and the columns that refer to them, hold any id from 1 to 2**63 - 1 on both databases."""
    for column in table.columns:
        refers = [fk.column for fk in column.foreign_keys]
        is_key = column.primary_key and isinstance(column.type, sa.Integer) and column.name in ("id", "seq")
        refers_to_key = any(isinstance(target.type, sa.Integer) and target.primary_key for target in refers)
        if is_key or refers_to_key:
            assert isinstance(column.type, sa.BigInteger), f"{table.name}.{column.name} is {column.type}"


def test_free_text_columns_are_as_long_as_their_rules():
    """Every text column sized by a rule is exactly that long; none is shorter than what the domain lets in."""
    lengths = {rule.max_length for rule in RULES.values()}
    sized = [column for table in tables.metadata.sorted_tables for column in table.columns
             if isinstance(column.type, sa.String) and not isinstance(column.type, sa.Text)
             and column.type.length in lengths and column.type.length > 64]
    assert len(sized) > 40
    by_name = {"note": limits.NOTE, "discrepancy": limits.NOTE, "reason": limits.REASON,
               "cancel_reason": limits.REASON, "title": limits.TITLE, "description": limits.DESCRIPTION,
               "earmark": limits.EARMARK, "decided_by": limits.NAME, "signed_by": limits.NAME}
    for table in tables.metadata.sorted_tables:
        for column in table.columns:
            rule = by_name.get(column.name)
            if rule is not None:
                assert column.type.length == rule.max_length, f"{table.name}.{column.name}"


def test_the_shared_parameter_types_read_text_strictly():
    from pydantic import TypeAdapter

    from coalition.entrypoints.api.core import DayInQuery, FlagInQuery, IdInPath

    flag, day, ident = TypeAdapter(FlagInQuery), TypeAdapter(DayInQuery), TypeAdapter(IdInPath)
    assert (flag.validate_python("true"), flag.validate_python("false")) == (True, False)
    assert day.validate_python("2026-11-20") == date(2026, 11, 20)
    assert ident.validate_python(str(limits.MAX_ID)) == limits.MAX_ID
    for adapter, text in ((flag, "1"), (flag, "yes"), (day, "0"), (ident, str(limits.MAX_ID + 1)), (ident, "0")):
        with pytest.raises(ValidationError):
            adapter.validate_python(text)
