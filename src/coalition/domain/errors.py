"""Typed, coded errors raised by the domain and the services.

Each entrypoint maps these once: an HTTP status, a CLI exit code, a flash message.
A message names the field and the rule it broke, so a user can act on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar


class CoalitionError(Exception):
    """Base of every expected error; carries a stable code and, where known, the field at fault."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, template: str | None = None,
                 values: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # The English text before its values were put in, where the message has words in the catalog, so a
        # page can show it in the reader's language (``refusal`` builds both).
        self.template = template
        self.values: dict[str, object] = dict(values or {})

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(CoalitionError):
    """A value breaks a rule of its field (format, range, vocabulary)."""

    code = "invalid_input"


class NotFound(CoalitionError):
    """The named object does not exist."""

    code = "not_found"


class PermissionDenied(CoalitionError):
    """The actor may not do this; the message says why."""

    code = "permission_denied"


class Conflict(CoalitionError):
    """The change clashes with what is already recorded (a duplicate, a stale state)."""

    code = "conflict"


class InvariantViolated(CoalitionError):
    """The change would break a rule that must always hold (currencies mixed, dates out of order)."""

    code = "invariant_violated"


class Busy(CoalitionError):
    """Other writers held the records for longer than a change may wait; the same change may succeed later."""

    code = "busy"


class StorageFailed(Exception):
    """The database refused the work for a reason no user can act on (unreachable, broken, out of space).

    Not a CoalitionError: its text is the driver's, so the API and the pages treat it as unexpected (a
    logged 500 naming the request id); the command line, run by an operator, prints it on one line.
    """


class DocumentStoreFailed(StorageFailed):
    """The document store (a folder, or an S3-compatible bucket) refused to keep or give back a file: unreachable,
    out of space, a permission or a credential wrong."""


E = TypeVar("E", bound=CoalitionError)


def refusal(kind: type[E], template: str, /, *, field: str | None = None, **values: object) -> E:
    """An error of ``kind`` whose message is ``template`` with ``values`` put in, keeping both, so an entrypoint
    can show the message translated (``template`` is a text of the message catalog)."""
    return kind(template.format(**values), field=field, template=template, values=values)
