"""One rulebook for a new contribution, whatever path brings it: one request, a group posted at once, a file.

A contribution to check is its fields as text, named (``Cells``): a file's row as read, or a request written out
by ``Cells.of``. ``VALIDATIONS`` is the list of small named checks; each reads the cells and what the checks before
it made of them (a ``Candidate``) against a ``Snapshot`` of what the store knows (coalitions, funds, parties,
areas, stored references, rates), memoising every look-up and parse, and returns every ``RowError`` it finds, so a
report names every bad cell of a row. A check whose input another check refused stays silent.

Built for files of a million rows: the cells stay text until a check needs them typed, and whatever repeats
(dates, earmarks, confidentiality, currencies, rates) is parsed once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import partial
from typing import Any, NamedTuple, Protocol

from coalition.domain.contributions import (
    PARENT_KINDS,
    Confidentiality,
    ContributionKind,
    Earmark,
    EarmarkKind,
    Visibility,
)
from coalition.domain.errors import CoalitionError, Conflict, InvalidInput, InvariantViolated, NotFound
from coalition.domain.limits import AMOUNT_DIGITS, DESCRIPTION, EXTERNAL_REF, MAX_MINOR_UNITS
from coalition.domain.money import Money, minor_digits

_AMOUNT = re.compile(r"(\d+)(?:\.(\d*))?")
_SHOWN = 60  # characters of a cell a report repeats
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def shown(value: str) -> str:
    """A cell as a report repeats it: its first characters, control characters written as escapes."""
    cut = value if len(value) <= _SHOWN else value[:_SHOWN] + "…"
    return _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape", "backslashreplace").decode(), cut)


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad cell: its row, its column, what it held and the rule it breaks; ``error`` is the kind of refusal a
    single request gets for it (a file's report lists them all)."""

    row: int
    column: str
    value: str
    rule: str
    error: type[CoalitionError] = InvalidInput

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", shown(self.value))

    def describe(self) -> str:
        return f"row {self.row}, column {self.column}: '{self.value}' {self.rule}"

    def refusal(self) -> CoalitionError:
        """The error a single request is refused with: the rule, naming the value and the field."""
        return self.error(f"'{self.value}' {self.rule}", field=self.column)


class Cells(NamedTuple):
    """A contribution's fields as text (empty where not given); ``parent`` names the pledge or commitment it
    fulfils by external reference (a file) or as ``#id`` (a request)."""

    kind: str
    external_ref: str
    coalition: str
    fund: str
    donor: str
    amount: str
    currency: str
    value_date: str
    earmark: str = ""
    visibility: str = ""
    restricted_to: str = ""
    declassify_on: str = ""
    parent: str = ""
    description: str = ""

    @classmethod
    def of(cls, kind: ContributionKind, coalition: str, fund: str, donor: str, amount: Money, value_date: date, *,
           earmark: Earmark | None = None, confidentiality: Confidentiality | None = None,
           external_ref: str | None = None, parent: int | None = None, description: str = "") -> Cells:
        """A request's typed fields written as the cells the rules read."""
        secrecy = confidentiality or Confidentiality()
        return cls(kind.value, external_ref or "", coalition, fund, donor, format(amount.amount, "f"),
                   amount.currency, value_date.isoformat(), (earmark or Earmark()).label, secrecy.visibility.value,
                   ";".join(secrecy.parties), secrecy.declassify_on.isoformat() if secrecy.declassify_on else "",
                   "" if parent is None else f"#{parent}", description)


@dataclass(frozen=True, slots=True)
class Stored:
    """A contribution already stored: what a reference or a parent resolves to."""

    id: int
    kind: str
    coalition: str
    donor: str
    fund: str
    amount_minor: int
    currency: str
    value_date: date


class Store(Protocol):
    """What the rules read of the store; a ``Snapshot`` asks each question once."""

    def reporting_currency(self, coalition: str) -> str | None: ...
    def fund_coalition(self, fund: str) -> str | None: ...
    def is_party(self, code: str) -> bool: ...
    def is_area(self, code: str) -> bool: ...
    def by_reference(self, coalition: str, reference: str) -> Stored | None: ...
    def by_id(self, id: int) -> Stored | None: ...
    def rate(self, base: str, quote: str, on: date) -> tuple[Decimal, date, str]:
        """Units of ``quote`` per ``base`` on ``on``: (rate, its day, its source); raises a CoalitionError if none."""
        ...


@dataclass(frozen=True, slots=True)
class Path:
    """How a path brings contributions: the kinds it takes, whether a reference is required, and whether a stored
    reference with the same values is left alone (a file imported again) or refused (a request)."""

    kinds: frozenset[str]
    reference_required: bool
    reimport: bool


FILE = Path(frozenset(k.value for k in (ContributionKind.PLEDGE, ContributionKind.COMMITMENT,
                                        ContributionKind.RECEIPT)), reference_required=True, reimport=True)
REQUEST = Path(frozenset(k.value for k in ContributionKind), reference_required=False, reimport=False)


class Snapshot:
    """The store as the rules see it for one write, every answer kept: a file of a million rows asks about a
    few hundred coalitions, parties, dates and rates."""

    def __init__(self, store: Store, path: Path) -> None:
        self.store, self.path = store, path
        self._memo: dict[tuple[Any, ...], Any] = {}

    def once(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        try:
            return self._memo[key]
        except KeyError:
            found = self._memo[key] = compute()
            return found


@dataclass(slots=True)
class Candidate:
    """What the checks made of one row so far: typed values where a check accepted them, None where not."""

    number: int
    cells: Cells
    kind: ContributionKind | None = None
    reference: str | None = None
    reporting_currency: str | None = None
    digits: int | None = None
    units: int | None = None
    value_date: date | None = None
    earmark: str | None = None
    confidentiality: Confidentiality | None = None
    rate: tuple[Decimal, date, str] | None = None
    reporting_units: int | None = None
    parent: Stored | None = None
    unchanged: bool = False  # the same contribution is stored under its reference: nothing to write
    errors: list[RowError] = field(default_factory=list)


Check = Callable[[Candidate, Snapshot], Iterable[RowError]]


def _error(candidate: Candidate, column: str, rule: str, error: type[CoalitionError] = InvalidInput) -> RowError:
    return RowError(candidate.number, column, str(getattr(candidate.cells, column)), rule, error)


def check_kind(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    text = c.cells.kind.lower()
    if text not in s.path.kinds:
        return [_error(c, "kind", f"is not one of {', '.join(sorted(s.path.kinds))}")]
    c.kind = ContributionKind(text)
    return []


def check_reference(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    reference = c.cells.external_ref
    if not reference:
        return [_error(c, "external_ref", "is required so that re-imports are idempotent")] \
            if s.path.reference_required else []
    problem = EXTERNAL_REF.problem(reference)
    if problem is not None:
        return [_error(c, "external_ref", problem)]
    c.reference = reference
    return []


def check_description(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    description = c.cells.description
    if not description:
        return [_error(c, "description", "is required for an in-kind contribution")] \
            if c.kind is ContributionKind.IN_KIND else []
    problem = DESCRIPTION.problem(description)
    return [] if problem is None else [_error(c, "description", problem)]


def check_coalition_and_fund(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    coalition, fund = c.cells.coalition, c.cells.fund
    currency = s.once(("coalition", coalition), lambda: s.store.reporting_currency(coalition))
    owner = s.once(("fund", fund), lambda: s.store.fund_coalition(fund))
    found = [] if currency is not None else [_error(c, "coalition", "is not a known coalition", NotFound)]
    if owner is None:
        found.append(_error(c, "fund", "is not a known fund", NotFound))
    elif currency is not None and owner != coalition:
        found.append(_error(c, "fund", f"is a fund of {owner}, not of {coalition}", NotFound))
    if not found:
        c.reporting_currency = currency
    return found


def check_donor(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    donor = c.cells.donor
    known = s.once(("party", donor), lambda: s.store.is_party(donor))
    return [] if known else [_error(c, "donor", "is not a registered party", NotFound)]


def _digits(currency: str) -> int | None:
    try:
        return minor_digits(currency) if currency == currency.upper() else None
    except CoalitionError:
        return None


def _units(text: str, digits: int) -> int | str:
    """Minor units of a decimal string, or the rule it breaks."""
    match = _AMOUNT.fullmatch(text)
    if match is None:
        return "is not a positive decimal number such as 1250.00"
    whole, fraction = match.group(1), match.group(2) or ""
    if len(whole.lstrip("0")) > AMOUNT_DIGITS:
        return f"has more than {AMOUNT_DIGITS} digits before the decimal point (amounts are below ten trillion)"
    if len(fraction) > digits:
        return f"has more decimal places than the currency allows ({digits})"
    units = int(whole + fraction.ljust(digits, "0")) if digits else int(whole)
    return "must be more than zero" if units <= 0 else units


def check_currency(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    currency = c.cells.currency
    c.digits = s.once(("digits", currency), lambda: _digits(currency))
    return [] if c.digits is not None else [_error(c, "currency", "is not an ISO 4217 currency code")]


def check_amount(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    if c.digits is None:  # the amount is still read, so a report names it too if it is no number at all
        return [] if _AMOUNT.fullmatch(c.cells.amount) is not None else [
            _error(c, "amount", "is not a positive decimal number such as 1250.00")]
    units = _units(c.cells.amount, c.digits)
    if isinstance(units, str):
        return [_error(c, "amount", units)]
    c.units = units
    return []


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def check_value_date(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    text = c.cells.value_date
    c.value_date = s.once(("day", text), lambda: _day(text))
    return [] if c.value_date is not None else [_error(c, "value_date", "is not a date in the form YYYY-MM-DD")]


def _earmark(text: str, s: Snapshot) -> tuple[str | None, str, type[CoalitionError]]:
    try:
        earmark = Earmark.parse(text)
    except CoalitionError as error:
        return None, error.message, InvalidInput
    unknown = [a for a in earmark.targets if not s.once(("area", a), partial(s.store.is_area, a))] \
        if earmark.kind is EarmarkKind.AREAS else []
    if unknown:
        return None, f"names unknown capability area(s) {', '.join(unknown)}", NotFound
    return earmark.label, "", InvalidInput


def check_earmark(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    text = c.cells.earmark
    label, rule, error = s.once(("earmark", text), lambda: _earmark(text, s))
    c.earmark = label
    return [] if label is not None else [_error(c, "earmark", rule, error)]


def _confidentiality(cells: Cells, s: Snapshot) -> Confidentiality | RowError:
    parties = tuple(p.strip() for p in cells.restricted_to.split(";") if p.strip())
    unknown = [p for p in parties if not s.once(("party", p), partial(s.store.is_party, p))]
    if unknown:
        return RowError(0, "restricted_to", cells.restricted_to, f"names unknown part(ies) {', '.join(unknown)}",
                        NotFound)
    declassify = None
    if cells.declassify_on:
        declassify = _day(cells.declassify_on)
        if declassify is None:
            return RowError(0, "declassify_on", cells.declassify_on, "is not a date in the form YYYY-MM-DD")
    try:
        return Confidentiality(Visibility(cells.visibility.lower() or "public"), parties, declassify)
    except ValueError:
        return RowError(0, "visibility", cells.visibility, "is not one of public, coalition, restricted")
    except CoalitionError as error:
        return RowError(0, error.field or "visibility", cells.visibility, error.message)


def check_confidentiality(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    cells = c.cells
    found = s.once(("secrecy", cells.visibility, cells.restricted_to, cells.declassify_on),
                   lambda: _confidentiality(cells, s))
    if isinstance(found, RowError):
        return [RowError(c.number, found.column, found.value, found.rule, found.error)]
    c.confidentiality = found
    return []


def check_reference_unused(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    """A reference names one contribution of a coalition: a request may not reuse it; a file may repeat a row
    already stored with the same values (it is left alone), never with others."""
    if c.reference is None or c.reporting_currency is None:
        return []
    stored = s.store.by_reference(c.cells.coalition, c.reference)
    if stored is None:
        return []
    if not s.path.reimport:
        return [_error(c, "external_ref", f"is already recorded in {c.cells.coalition}", Conflict)]
    same = (stored.kind, stored.donor, stored.fund, stored.amount_minor, stored.currency, stored.value_date) == \
        (c.cells.kind.lower(), c.cells.donor, c.cells.fund, c.units, c.cells.currency, c.value_date)
    if same:
        c.unchanged = True
        return []
    return [_error(c, "external_ref", f"is already recorded (contribution {stored.id}) with other values", Conflict)]


def _rate(s: Snapshot, base: str, quote: str, on: date) -> tuple[Decimal, date, str] | CoalitionError:
    try:
        return s.store.rate(base, quote, on)
    except CoalitionError as error:
        return error


def check_conversion(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    """The amount in the coalition's reporting currency, at the rate of the value date or the last earlier one."""
    if c.unchanged or c.units is None or c.digits is None or c.value_date is None or c.reporting_currency is None:
        return []
    currency, reporting, day = c.cells.currency, c.reporting_currency, c.value_date
    found = s.once(("rate", currency, reporting, day), lambda: _rate(s, currency, reporting, day))
    if isinstance(found, CoalitionError):
        return [_error(c, "currency", f"cannot be converted: {found.message}", type(found))]
    rate = found[0]
    digits = s.once(("digits", reporting), lambda: minor_digits(reporting))
    units = c.units if rate == 1 and digits == c.digits else int(
        (Decimal(c.units) * rate).scaleb(digits - c.digits).to_integral_value(ROUND_HALF_EVEN))
    if units > MAX_MINOR_UNITS:
        return [_error(c, "amount", f"is {units} minor units of {reporting} at {rate}, beyond what the ledger holds "
                                    f"({MAX_MINOR_UNITS})")]
    c.rate, c.reporting_units = found, units
    return []


def parent_problem(kind: str, donor: str, coalition: str, currency: str, parent: Stored, *,
                   name: str | None = None) -> RowError | None:
    """Why a contribution cannot fulfil ``parent`` (an earlier one of the same donor, coalition and currency, of a
    kind it fulfils), or None; ``name`` is how the row names its parent (its id by default). The row number is the
    caller's to fill in."""
    named = name or str(parent.id)
    allowed = {k.value for k in PARENT_KINDS[ContributionKind(kind)]}
    if parent.kind not in allowed:
        return RowError(0, "parent", named, f"is a {parent.kind}; a {kind} fulfils a "
                        f"{' or '.join(sorted(allowed)) or 'nothing'}", InvariantViolated)
    if parent.donor != donor or parent.coalition != coalition:
        return RowError(0, "parent", named, f"belongs to {parent.donor} in {parent.coalition}", InvariantViolated)
    if parent.currency != currency:
        return RowError(0, "parent", named, f"is in {parent.currency}, not {currency}", InvariantViolated)
    return None


def check_stored_parent(c: Candidate, s: Snapshot) -> Iterable[RowError]:
    """A parent named as ``#id`` (a request) or by a stored reference (a file; one in the file itself is linked
    once every row is read)."""
    text = c.cells.parent
    if not text or c.kind is None:
        return []
    if text.startswith("#"):
        number = text[1:]
        found = s.store.by_id(int(number)) if number.isdigit() else None
        if found is None:
            return [RowError(c.number, "parent", number, "is not a stored contribution", NotFound)]
    else:
        found = s.store.by_reference(c.cells.coalition, text)
        if found is None:
            return []  # perhaps a row of the same file
    problem = parent_problem(c.kind.value, c.cells.donor, c.cells.coalition, c.cells.currency, found,
                             name=text if not text.startswith("#") else None)
    if problem is not None:
        column = "parent" if text.startswith("#") else "parent_ref"
        return [RowError(c.number, column, problem.value, problem.rule, problem.error)]
    c.parent = found
    return []


# The rules of a valid contribution, in the order their results build on each other. Those of the profile read
# only the cells that repeat from row to row (what kind of contribution, by whom, to which fund, in which currency,
# earmarked and classified how): a file of a million rows has a few hundred profiles, each checked once.
PROFILE_CHECKS: tuple[Check, ...] = (
    check_kind, check_coalition_and_fund, check_donor, check_currency, check_earmark, check_confidentiality,
)
ROW_CHECKS: tuple[Check, ...] = (
    check_reference, check_description, check_amount, check_value_date, check_reference_unused, check_conversion,
    check_stored_parent,
)
VALIDATIONS: tuple[Check, ...] = PROFILE_CHECKS + ROW_CHECKS


def check(number: int, cells: Cells, snapshot: Snapshot) -> Candidate:
    """Run every check on one row; the candidate holds what they made of it and every error they found."""
    candidate = Candidate(number, cells)
    key = ("profile", cells.kind, cells.coalition, cells.fund, cells.donor, cells.currency, cells.earmark,
           cells.visibility, cells.restricted_to, cells.declassify_on)
    values, errors = snapshot.once(key, lambda: _profile(cells, snapshot))
    (candidate.kind, candidate.reporting_currency, candidate.digits, candidate.earmark,
     candidate.confidentiality) = values
    if errors:
        candidate.errors.extend(RowError(number, e.column, e.value, e.rule, e.error) for e in errors)
    for validation in ROW_CHECKS:
        found = validation(candidate, snapshot)
        if found:
            candidate.errors.extend(found)
    return candidate


def _profile(cells: Cells, snapshot: Snapshot) -> tuple[tuple[Any, ...], list[RowError]]:
    """What the checks of the profile make of a row's repeating cells, and the errors they find (row 0)."""
    candidate = Candidate(0, cells)
    for validation in PROFILE_CHECKS:
        candidate.errors.extend(validation(candidate, snapshot))
    return (candidate.kind, candidate.reporting_currency, candidate.digits, candidate.earmark,
            candidate.confidentiality), candidate.errors
