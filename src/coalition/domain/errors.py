"""Typed, coded errors raised by the domain and the services.

Each entrypoint maps these once: an HTTP status, a CLI exit code, a flash message.
A message names the field and the rule it broke, so a user can act on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Self


class CoalitionError(Exception):
    """Base of every expected error; carries a stable code and, where known, the field at fault."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, template: str | None = None,
                 params: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.template = template  # the message before its values, as the catalogs translate it
        self.params = dict(params or {})

    @classmethod
    def said(cls, template: str, *, field: str | None = None, **params: object) -> Self:
        """An error whose message is ``template`` (``%(name)s`` placeholders) with ``params``, so a page can show it
        in the viewer's language from the catalog."""
        return cls(template % params, field=field, template=template, params=params)

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message in the language of ``gettext`` where its template is in the catalog, else as said."""
        if self.template is None:
            return str(self)
        message = gettext(self.template) % self.params
        return f"{self.field}: {message}" if self.field else message

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
