"""The shared parameter types of the commands: ids and versions read in the same range as the API's, and the
day a report is asked as of.

An id is a whole number from 1 to 2**63 - 1 (coalition.domain.limits.MAX_ID); out of range, the command
stops before doing anything with one line naming the argument and the range, and exit code 2.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from coalition.domain.common import parse_date
from coalition.domain.limits import MAX_ID, MAX_VERSION

AsOf = Annotated[str | None, typer.Option("--on", help="As of the end of this day (YYYY-MM-DD); now if not given.")]


def as_of_day(text: str | None) -> date | None:
    """The day of an ``--on`` option, or None for now."""
    return None if text is None else parse_date(text, "--on")


def id_argument(help: str) -> Any:
    """An argument holding an id."""
    return typer.Argument(help=help, min=1, max=MAX_ID)


def id_option(help: str, *names: str, hidden: bool = False) -> Any:
    """An option holding an id."""
    return typer.Option(*names, help=help, min=1, max=MAX_ID, hidden=hidden)


def version_argument(help: str) -> Any:
    """An argument holding a priority list's version."""
    return typer.Argument(help=help, min=1, max=MAX_VERSION)


def version_option(help: str) -> Any:
    """An option holding a version."""
    return typer.Option(help=help, min=1, max=MAX_VERSION)


def cursor_option(help: str) -> Any:
    """An option holding a cursor: an id or sequence number to list after (0: from the start)."""
    return typer.Option(help=help, min=0, max=MAX_ID)
