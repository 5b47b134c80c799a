"""Statements built once and reused: inserting rows, reading one row by its key, the next id, upserts,
the month of a date.

Building a SQLAlchemy statement (coercing each value into a bound parameter, then computing the key
of the compiled-statement cache) costs more Python than running the statement on SQLite: a receipt
posted over HTTP spent most of its time there. A statement object built once, with its values bound
at execution as ``:name`` parameters, has its cache key computed once and is compiled once per
engine and set of parameter names. Each builder here is cached per table (and per dialect where the
SQL differs), so every repository shares the same objects. Repositories insert with
``insert_row(connection, table, row)`` and read a row by its key with
``execute(row_by(table, column), {"key": value})``.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles


@functools.cache
def row_by(table: sa.Table, column: str) -> sa.Select[Any]:
    """The row of ``table`` whose ``column`` equals the parameter ``key``."""
    return sa.select(table).where(table.c[column] == sa.bindparam("key"))


@functools.cache
def _insert_into(table: sa.Table) -> sa.Insert:
    """INSERT into ``table``; the parameters name the columns."""
    return table.insert()


@functools.cache
def _columns(table: sa.Table) -> frozenset[str]:
    return frozenset(table.c.keys())


def insert_row(connection: sa.Connection, table: sa.Table, row: dict[str, Any]) -> sa.CursorResult[Any]:
    """INSERT one row. A key that names no column is refused: SQLAlchemy would drop it silently."""
    unknown = row.keys() - _columns(table)
    if unknown:
        raise KeyError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    return connection.execute(_insert_into(table), row)


@functools.cache
def highest_id(table: sa.Table) -> sa.Select[Any]:
    """The highest id in ``table``, 0 when it is empty."""
    return sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))


@functools.cache
def _insert_or_ignore(dialect: str, table: sa.Table, key: tuple[str, ...]) -> Any:
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table).on_conflict_do_nothing(
        index_elements=list(key))


def insert_or_ignore(connection: sa.Connection, table: sa.Table, key: tuple[str, ...]) -> Any:
    """INSERT into ``table``, skipping rows whose ``key`` columns match a stored row."""
    return _insert_or_ignore(connection.dialect.name, table, key)


@functools.cache
def _insert_or_add(dialect: str, table: sa.Table, key: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return statement.on_conflict_do_update(
        index_elements=list(key), set_={column: table.c[column] + statement.excluded[column] for column in columns})


def insert_or_add(connection: sa.Connection, table: sa.Table, key: tuple[str, ...], *columns: str) -> Any:
    """INSERT into ``table``; where a row with the same ``key`` exists, add each new ``columns`` to its own."""
    return _insert_or_add(connection.dialect.name, table, key, columns)


class month_of(sa.sql.functions.GenericFunction[int]):
    """The month of a date as the integer YYYYMM, in SQL (``ledger_months``)."""

    type = sa.Integer()
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_on_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%Y%m', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(month_of, "postgresql")
def _month_on_postgresql(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(to_char({compiler.process(element.clauses, **kw)}, 'YYYYMM') AS INTEGER)"
