"""The bounds every input meets, whichever way it comes in: the API, the command line, a web form or an
import file, on SQLite and on PostgreSQL alike.

- An id is a whole number from 1 to 2**63 - 1, what a signed 64-bit column holds on both databases
  (see docs/adr/0020-one-range-for-ids-and-one-rule-per-text-field.md).
- An amount typed by a user has at most 13 digits before its decimal point, so its minor units (at most 4
  decimal places) fit the 64-bit integers the ledger stores.
- Free text has one rule per field (``TextRule``): how long it may be, and whether it may run over several
  lines. No text holds a control character (U+0000 to U+001F), except tab, line feed and carriage return in
  text that may run over several lines. The column sizes in coalition.adapters.tables and the limits of the
  API's fields are taken from the rules here; a test compares them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from coalition.domain.errors import InvalidInput

MAX_ID = 2**63 - 1  # the largest signed 64-bit integer
MAX_MINOR_UNITS = 2**63 - 1  # what a 64-bit column of minor units holds
AMOUNT_DIGITS = 13  # digits before the decimal point of an amount typed by a user (below ten trillion)
MAX_QUANTITY = 10_000_000  # items of a requirement, lot, contract line, shipment or receipt
MAX_NUMBER = 10_000  # the number of a lot, contract line or milestone
MAX_VERSION = 1_000_000  # versions of a priority list
MAX_DELIVERY_DAYS = 3650  # a bid's delivery time
MAX_STANDSTILL_DAYS = 90  # a tender's standstill period after an award


_STORED: ContextVar[bool] = ContextVar("coalition_stored_values", default=False)


@contextmanager
def stored_values() -> Iterator[None]:
    """Within this block, values are rebuilt from what storage kept, and their text is not checked again.

    Text is checked when it comes in; a rule added since (a control character refused, a limit that
    was not enforced everywhere) must not make a record already kept unreadable. The adapters rebuild
    every stored value inside this block (or between ``rebuilding()`` and ``rebuilt()``, which cost less).
    """
    token = rebuilding()
    try:
        yield
    finally:
        rebuilt(token)


def rebuilding() -> Token[bool]:
    """Start rebuilding stored values (see ``stored_values``); hand the token to ``rebuilt``."""
    return _STORED.set(True)


def rebuilt(token: Token[bool]) -> None:
    _STORED.reset(token)


def checking_input() -> bool:
    """Whether values are being checked as input (not rebuilt from storage; see ``stored_values``)."""
    return not _STORED.get()


def check_id(value: int, field: str) -> int:
    """An id: a whole number from 1 to MAX_ID."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise InvalidInput(f"'{value}' is not an id (a whole number from 1 to {MAX_ID})", field=field)
    return value


def check_whole(value: int, field: str, *, high: int, low: int = 1, what: str = "a whole number") -> int:
    """A whole number from ``low`` to ``high`` (counts, numbers, versions: 32-bit columns hold them)."""
    if _STORED.get():
        return value
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"'{value}' is not {what} from {low} to {high}", field=field)
    return value


# Characters that never belong in stored text: every C0 control character, or every one but tab, line
# feed and carriage return; and lone surrogates, which are not characters at all (no encoding carries them).
_CONTROL = re.compile("[\x00-\x1f\ud800-\udfff]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# The same rules as JSON Schema patterns (ECMA-262 and Rust regex alike), for the API's documents.
ONE_LINE_PATTERN = r"^[^\x00-\x1f]*$"
LINES_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"


def control_character(text: str, lines: bool = False) -> str | None:
    """The first character ``text`` may not hold (written as U+XXXX), or None."""
    found = (_CONTROL_BUT_LINES if lines else _CONTROL).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def control_rule(lines: bool) -> str:
    """What the character rule says, for a message."""
    return ("must not hold control characters other than tab and line breaks" if lines
            else "must not hold control characters, tab and line breaks included")


@dataclass(frozen=True, slots=True)
class TextRule:
    """A free-text field's rule: at most ``max_length`` characters, over several lines if ``lines``."""

    max_length: int
    lines: bool = False

    @property
    def pattern(self) -> str:
        """The characters allowed, as a regular expression (for the API's schema)."""
        return LINES_PATTERN if self.lines else ONE_LINE_PATTERN

    def problem(self, value: str) -> str | None:
        """What is wrong with ``value`` (blank or not), or None; for checks that report instead of raising."""
        if len(value) > self.max_length:
            return f"must be at most {self.max_length} characters"
        bad = control_character(value, self.lines)
        if bad is not None:
            return f"{control_rule(self.lines)} (it holds {bad})"
        return None

    def check(self, value: str | None, field: str, *, required: bool = True) -> str:
        """The text without its surrounding blanks; refused naming ``field`` and the rule it breaks. The text is
        measured and checked as given (as it is kept), surrounding blanks and line breaks included."""
        if _STORED.get():
            return value.strip() if isinstance(value, str) else ""
        if not isinstance(value, str):
            if required or value is not None:
                raise InvalidInput("must be text", field=field)
            return ""
        problem = self.problem(value)
        if problem is not None:
            raise InvalidInput(problem, field=field)
        cleaned = value.strip()
        if required and not cleaned:
            raise InvalidInput("must not be empty", field=field)
        return cleaned


def check_text(value: str | None, field: str, rule: TextRule, *, required: bool = True) -> str:
    """Free text of a field with ``rule``; blank is refused unless not ``required``."""
    return rule.check(value, field, required=required)


# --- the rules, one per kind of field --------------------------------------------------------------------------

NAME = TextRule(200)
"""A name: of a party, coalition, fund or capability area (and their Ukrainian names), a coalition's
capability area, framework and place of founding, a meeting's place, a criterion of a rubric, a member of a
project's team; and who signed or decided (a person or a panel)."""

TITLE = TextRule(300)
"""A title: of an instrument, requirement, package, case, tender, lot, milestone, call, project, evidence,
meeting, agenda item or proposal."""

NOTE = TextRule(1000, lines=True)
"""A note: on a membership change, a status move, a priority list, a case's or shipment's move, a bid, an
end-use check, a declaration, a shortlist or a gate; and a receipt's discrepancy."""

REASON = TextRule(500, lines=True)
"""Why something was reversed, cancelled, amended or released (kept on the ledger entry, payment, contract
version or tender it changed)."""

JUSTIFICATION = TextRule(2000, lines=True)
"""Why a lot was awarded to a bid."""

COMMENT = TextRule(2000, lines=True)
"""A reviewer's comment on a project; a project's summary."""

MINUTES = TextRule(100_000, lines=True)
"""A meeting's minutes."""

DESCRIPTION = TextRule(500, lines=True)
"""What an in-kind contribution gave (optional on the others)."""

VALUATION_SOURCE = TextRule(300)
"""Where an in-kind contribution's value comes from."""

EXTERNAL_REF = TextRule(100)
"""A contribution's reference in the donor's or fund's own records (unique in the coalition)."""

REFERENCE = TextRule(100)
"""A payment's or a shipment's reference (an invoice, a waybill)."""

GRANT_REFERENCE = TextRule(200)
"""The reference of a grant's tranche."""

EVIDENCE_REFERENCE = TextRule(500)
"""Where a project's evidence is found (a document number, an address)."""

UNIT = TextRule(40)
"""The unit a requirement is counted in (set, piece, kit)."""

STOCK_NUMBER = TextRule(40)
"""A requirement's stock number (a NATO stock number, say)."""

TOKEN_NAME = TextRule(100)
"""What an API token is for."""

SUBJECT = TextRule(255)
"""A user's subject at the identity provider."""

RATE_SOURCE = TextRule(100)
"""Who published an exchange rate."""

EARMARK = TextRule(300)
"""An earmark as text (``areas:A,B``, ``requirement:R``...)."""

RESTRICTED_TO = TextRule(500)
"""The parties that may see a restricted record, as kept: their codes quoted and separated."""

LABEL = TextRule(100)
"""An id or a category in the allocation engine's machine format (nothing stored)."""

ARTICLE_SOURCE = TextRule(500)
"""Where a news article was read: its address or its publication's name and date."""

ARTICLE_TEXT = TextRule(100_000, lines=True)
"""The text of a news article kept in the review queue (its news page's clutter left out)."""

EVIDENCE = TextRule(2000, lines=True)
"""The sentence of an article that states a proposed fact."""
