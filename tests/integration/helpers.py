"""Helpers for integration tests: a full dump of the database to prove nothing changed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from coalition.adapters.tables import metadata


def dump(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, so two dumps compare equal exactly when nothing changed."""
    with engine.connect() as connection:
        return {table.name: sorted((tuple(row) for row in connection.execute(sa.select(table))), key=repr)
                for table in metadata.sorted_tables}
