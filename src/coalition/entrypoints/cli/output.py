"""Rendering and the one mapping from typed errors to exit codes and one-line messages."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any, NoReturn, TypeVar

from rich.console import Console
from rich.table import Table

from coalition.domain.audit import snapshot
from coalition.domain.errors import (
    Busy,
    CoalitionError,
    Conflict,
    InvalidInput,
    InvariantViolated,
    NotFound,
    PermissionDenied,
)

console = Console(width=None if sys.stdout.isatty() else 160)
error_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

EXIT_CODES: dict[type[CoalitionError], int] = {
    InvalidInput: 2,
    NotFound: 3,
    PermissionDenied: 4,
    Conflict: 5,
    InvariantViolated: 6,
    Busy: 1,  # like any failure of the database itself; the same command may succeed when retried
}


def exit_code_for(error: CoalitionError) -> int:
    for kind, code in EXIT_CODES.items():
        if isinstance(error, kind):
            return code
    return 1


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one line to standard error and leave with ``code``."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


def emit_json(value: Any) -> None:
    print(json.dumps(snapshot(value), ensure_ascii=False, indent=2))


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, err: bool = False) -> None:
    grid = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        grid.add_column(column)
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    (error_console if err else console).print(grid)


E = TypeVar("E", bound=Enum)


def choice(value: str, enum: type[E], field: str) -> E:
    """Read an enum value typed by a user, or refuse naming the field and the allowed values."""
    try:
        return enum(value.strip().lower())
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum)
        raise InvalidInput(f"'{value}' is not one of: {allowed}", field=field) from None
