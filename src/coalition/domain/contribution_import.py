"""Validation of bulk contribution files, row by row, reporting every error at once.

Built for files of a million rows: it works on the raw text of each cell, caches what repeats
(dates, earmarks, rates) and produces plain tuples ready to store, without building an object
per row. The rules are the same as for single contributions (coalition.domain.contributions).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from operator import itemgetter

from coalition.domain.coalition import ExcessPolicy
from coalition.domain.contributions import (
    PARENT_KINDS,
    Confidentiality,
    ContributionKind,
    Earmark,
    EarmarkKind,
    Fulfilment,
    Visibility,
)
from coalition.domain.errors import CoalitionError, InvalidInput, InvariantViolated
from coalition.domain.limits import AMOUNT_DIGITS, DESCRIPTION, EXTERNAL_REF, MAX_MINOR_UNITS
from coalition.domain.money import minor_digits

COLUMNS = ("kind", "external_ref", "coalition", "fund", "donor", "amount", "currency", "value_date", "earmark",
           "visibility", "restricted_to", "declassify_on", "parent_ref", "description")
REQUIRED = ("kind", "external_ref", "coalition", "fund", "donor", "amount", "currency", "value_date")
IMPORTABLE = {k.value: k.value for k in (ContributionKind.PLEDGE, ContributionKind.COMMITMENT,
                                          ContributionKind.RECEIPT)}
_AMOUNT = re.compile(r"(\d+)(?:\.(\d*))?")
MAX_REPORTED_ERRORS = 1000

# Rate lookup: (from currency, to currency, value date) -> (rate, rate date, source); raises if none.
RateLookup = Callable[[str, str, date], tuple[Decimal, date, str]]


_SHOWN = 60  # characters of a cell a report repeats
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def shown(value: str) -> str:
    """A cell as a report repeats it: its first characters, control characters written as escapes."""
    cut = value if len(value) <= _SHOWN else value[:_SHOWN] + "…"
    return _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape", "backslashreplace").decode(), cut)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    value: str
    rule: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", shown(self.value))

    def describe(self) -> str:
        return f"row {self.row}, column {self.column}: '{self.value}' {self.rule}"


class ImportRejected(InvalidInput):
    """A file with errors: nothing was written; every error is listed."""

    code = "import_rejected"

    def __init__(self, errors: Sequence[RowError], total: int) -> None:
        shown = "; ".join(e.describe() for e in errors[:3])
        more = f" (and {total - 3} more)" if total > 3 else ""
        super().__init__(f"{total} invalid cell(s), nothing imported: {shown}{more}", field="file")
        self.errors = list(errors)
        self.total = total


@dataclass(frozen=True, slots=True)
class Existing:
    """A contribution already stored under an external reference."""

    id: int
    kind: str
    donor: str
    fund: str
    amount_minor: int
    currency: str
    value_date: date


@dataclass(frozen=True, slots=True)
class ImportContext:
    coalitions: Mapping[str, str]  # code -> reporting currency
    funds: Mapping[str, str]  # fund -> coalition
    parties: frozenset[str]
    areas: frozenset[str]
    existing: Mapping[tuple[str, str], Existing]
    rate: RateLookup


# A validated row, ready to store; ``parent`` is ("file", row index) or ("stored", id) or None.
@dataclass(slots=True)
class ValidRows:
    rows: list[tuple[object, ...]] = field(default_factory=list)
    unchanged: int = 0
    numbers: list[int] = field(default_factory=list)  # each valid row's number in the file

    KIND, REF, COALITION, FUND, DONOR, MINOR, CURRENCY, VALUE_DATE, EARMARK, VISIBILITY, RESTRICTED, DECLASSIFY, \
        PARENT, DESCRIPTION, REPORTING_MINOR, RATE, RATE_DATE, RATE_SOURCE = range(18)


def _parse_amount(text: str, digits: int) -> int | str:
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
    if units <= 0:
        return "must be more than zero"
    return units


def validate(rows: Iterable[Sequence[str]], header: Sequence[str], context: ImportContext,
             progress: Callable[[int], None] | None = None,
             first_row: int = 2) -> tuple[ValidRows, list[RowError], int]:
    """Check every row; return the valid rows, the first errors (at most MAX_REPORTED_ERRORS) and the error count.

    ``first_row`` is the number users see for the first data row (2 in a file with a header line).
    """
    errors: list[RowError] = []
    error_count = 0

    def fail(row: int, column: str, value: str, rule: str) -> None:
        nonlocal error_count
        error_count += 1
        if len(errors) < MAX_REPORTED_ERRORS:
            errors.append(RowError(row, column, value, rule))

    positions = {name.strip().lower(): index for index, name in enumerate(header)}
    missing = [c for c in REQUIRED if c not in positions]
    unknown = [h for h in header if h.strip().lower() not in COLUMNS]
    if missing or unknown:
        rule = (f"the header lacks the required column(s) {', '.join(missing)}" if missing
                else f"the header has unknown column(s) {', '.join(unknown)}; allowed: {', '.join(COLUMNS)}")
        raise ImportRejected([RowError(first_row - 1, "header", ",".join(header), rule)], 1)
    width = len(header)
    # Absent optional columns read as "" from a padding cell appended to each row.
    pick = itemgetter(*(positions.get(c, width) for c in COLUMNS))

    result = ValidRows()
    out = result.rows
    seen_refs: dict[tuple[str, str], int] = {}  # (coalition, ref) -> row number
    placed: dict[tuple[str, str], int] = {}  # (coalition, ref) -> index among the valid rows
    dates: dict[str, date | None] = {}
    earmarks: dict[str, str | None] = {}
    confidentialities: dict[tuple[str, str, str], tuple[str, tuple[str, ...], date | None] | str] = {}
    rates: dict[tuple[str, str, date], tuple[Decimal, date, str] | str] = {}
    digits_of: dict[str, int | None] = {}
    pending_parents: list[tuple[int, int, str, str]] = []  # (output index, row number, coalition, parent ref)

    def day_of(text: str) -> date | None:
        found = dates.get(text, ...)
        if found is ...:
            try:
                found = date.fromisoformat(text)
            except ValueError:
                found = None
            dates[text] = found
        return found

    def earmark_of(text: str) -> str | None:
        found = earmarks.get(text, ...)
        if found is ...:
            try:
                earmark = Earmark.parse(text)
                unknown_areas = [a for a in earmark.targets if a not in context.areas] \
                    if earmark.kind is EarmarkKind.AREAS else []
                found = f"!unknown capability area(s) {', '.join(unknown_areas)}" if unknown_areas else earmark.label
            except CoalitionError as error:
                found = "!" + error.message
            earmarks[text] = found
        return found

    for number, cells in enumerate(rows, start=first_row):
        if progress is not None and number % 10_000 == 0:
            progress(number - first_row + 1)
        if len(cells) != width:
            if not any(c.strip() for c in cells):
                continue
            fail(number, "row", ",".join(cells)[:60], f"has {len(cells)} cells; the header has {width}")
            continue
        kind_text, ref, coalition, fund, donor, amount_text, currency, day_text, earmark_text, visibility_text, \
            restricted_text, declassify_text, parent_ref, description = map(str.strip, pick([*cells, ""]))
        bad = False
        kind = IMPORTABLE.get(kind_text.lower())
        if kind is None:
            fail(number, "kind", kind_text, "is not one of pledge, commitment, receipt")
            bad = True
        if not ref:
            fail(number, "external_ref", ref, "is required so that re-imports are idempotent")
            bad = True
        elif (problem := EXTERNAL_REF.problem(ref)) is not None:
            fail(number, "external_ref", ref, problem)
            bad = True
        if description and (problem := DESCRIPTION.problem(description)) is not None:
            fail(number, "description", description, problem)
            bad = True
        reporting_currency = context.coalitions.get(coalition)
        if reporting_currency is None:
            fail(number, "coalition", coalition, "is not a known coalition")
            bad = True
        fund_coalition = context.funds.get(fund)
        if fund_coalition is None:
            fail(number, "fund", fund, "is not a known fund")
            bad = True
        elif reporting_currency is not None and fund_coalition != coalition:
            fail(number, "fund", fund, f"belongs to {fund_coalition}, not {coalition}")
            bad = True
        if donor not in context.parties:
            fail(number, "donor", donor, "is not a registered party")
            bad = True
        digits = digits_of.get(currency, -1)
        if digits == -1:
            try:
                digits = minor_digits(currency) if currency == currency.upper() else None
            except CoalitionError:
                digits = None
            digits_of[currency] = digits
        units: int | str = 0
        if digits is None:
            fail(number, "currency", currency, "is not an ISO 4217 currency code")
            bad = True
        else:
            units = _parse_amount(amount_text, digits)
            if isinstance(units, str):
                fail(number, "amount", amount_text, units)
                bad = True
        value_date = day_of(day_text)
        if value_date is None:
            fail(number, "value_date", day_text, "is not a date in the form YYYY-MM-DD")
            bad = True
        earmark = earmark_of(earmark_text)
        if earmark is not None and earmark.startswith("!"):
            fail(number, "earmark", earmark_text, earmark[1:])
            bad = True
        secrecy_key = (visibility_text, restricted_text, declassify_text)
        secrecy = confidentialities.get(secrecy_key)
        if secrecy is None:
            try:
                parties = tuple(p.strip() for p in restricted_text.split(";") if p.strip())
                unknown_parties = [p for p in parties if p not in context.parties]
                if unknown_parties:
                    raise InvalidInput(f"names unknown part(ies) {', '.join(unknown_parties)}", field="restricted_to")
                declassify = None
                if declassify_text:
                    declassify = day_of(declassify_text)
                    if declassify is None:
                        raise InvalidInput("is not a date in the form YYYY-MM-DD", field="declassify_on")
                try:
                    visibility = Visibility(visibility_text.lower() or "public")
                except ValueError:
                    raise InvalidInput("is not one of public, coalition, restricted", field="visibility") from None
                checked = Confidentiality(visibility, parties, declassify)
                secrecy = (checked.visibility.value, checked.parties,
                           checked.declassify_on)
            except InvalidInput as error:
                secrecy = f"{error.field}\x00{error.message}"
            confidentialities[secrecy_key] = secrecy
        if isinstance(secrecy, str):
            column, rule = secrecy.split("\x00", 1)
            fail(number, column, {"visibility": visibility_text, "restricted_to": restricted_text,
                                  "declassify_on": declassify_text}.get(column, ""), rule)
            bad = True
        if bad:
            continue
        assert isinstance(units, int) and value_date is not None and reporting_currency is not None
        assert isinstance(secrecy, tuple) and digits is not None and earmark is not None and kind is not None
        key = (coalition, ref)
        if key in seen_refs:
            fail(number, "external_ref", ref, f"appears twice in the file (first on row {seen_refs[key]})")
            continue
        seen_refs[key] = number
        stored = context.existing.get(key)
        if stored is not None:
            if (stored.kind, stored.donor, stored.fund, stored.amount_minor, stored.currency, stored.value_date) == \
                    (kind, donor, fund, units, currency, value_date):
                result.unchanged += 1
            else:
                fail(number, "external_ref", ref, f"is already recorded (contribution {stored.id}) with other values")
            continue
        rate_key = (currency, reporting_currency, value_date)
        conversion = rates.get(rate_key)
        if conversion is None:
            try:
                conversion = context.rate(currency, reporting_currency, value_date)
            except CoalitionError as error:
                conversion = error.message
            rates[rate_key] = conversion
        if isinstance(conversion, str):
            fail(number, "currency", currency, f"cannot be converted: {conversion}")
            continue
        rate, rate_date, source = conversion
        reporting_digits = minor_digits(reporting_currency)
        if rate == 1 and digits == reporting_digits:
            reporting_units = units
        else:
            reporting_units = int((Decimal(units) * rate).scaleb(reporting_digits - digits)
                                  .to_integral_value(ROUND_HALF_EVEN))
            if reporting_units > MAX_MINOR_UNITS:
                fail(number, "amount", amount_text, f"is {reporting_units} minor units of {reporting_currency} at "
                     f"{rate}, beyond what the ledger holds ({MAX_MINOR_UNITS})")
                continue
        parent: tuple[str, int] | None = None
        if parent_ref:
            pending_parents.append((len(out), number, coalition, parent_ref))
        placed[key] = len(out)
        result.numbers.append(number)
        out.append((kind, ref, coalition, fund, donor, units, currency, value_date, earmark, secrecy[0], secrecy[1],
                    secrecy[2], parent, description, reporting_units, str(rate), rate_date, source))

    if pending_parents:
        _resolve_parents(out, pending_parents, placed, context, fail)
    if progress is not None:
        progress(-1)
    return result, errors, error_count


def _resolve_parents(out: list[tuple[object, ...]], pending: list[tuple[int, int, str, str]],
                     placed: Mapping[tuple[str, str], int], context: ImportContext,
                     fail: Callable[[int, str, str, str], None]) -> None:
    """Link each row to the pledge or commitment it fulfils, in the file or already stored."""
    allowed_for = {kind.value: {k.value for k in parents} for kind, parents in PARENT_KINDS.items()}
    for index, number, coalition, parent_ref in pending:
        row = out[index]
        kind, donor, currency = str(row[0]), row[4], row[6]
        allowed = allowed_for[kind]
        position = placed.get((coalition, parent_ref))
        if position is not None:
            parent = out[position]
            facts = (str(parent[0]), parent[4], parent[6])
            link: tuple[str, int] = ("file", position)
        elif (stored := context.existing.get((coalition, parent_ref))) is not None:
            facts = (stored.kind, stored.donor, stored.currency)
            link = ("stored", stored.id)
        else:
            fail(number, "parent_ref", parent_ref, f"is not a contribution of {coalition}")
            continue
        if facts[0] not in allowed:
            fail(number, "parent_ref", parent_ref,
                 f"is a {facts[0]}; a {kind} fulfils a {' or '.join(sorted(allowed)) or 'nothing'}")
        elif facts[1] != donor:
            fail(number, "parent_ref", parent_ref, f"belongs to donor {facts[1]}, not {donor}")
        elif facts[2] != currency:
            fail(number, "parent_ref", parent_ref, f"is in {facts[2]}, not {currency}")
        else:
            out[index] = (*row[:ValidRows.PARENT], link, *row[ValidRows.PARENT + 1:])


Link = tuple[str, int]  # a row's parent: ("file", index among the valid rows) or ("stored", id)


def promise_errors(valid: ValidRows, stored: Mapping[int, tuple[Fulfilment, int | None]],
                   policy: Callable[[str], ExcessPolicy]) -> list[RowError]:
    """The rows that would take a pledge or commitment beyond what it promised, where the coalition refuses that.

    ``stored`` holds, for each stored promise the file fulfils, what came in against it before the file and its own
    parent. A row counts towards its parent, and a receipt under a commitment towards the commitment's pledge.
    Running totals are kept as plain numbers (a million rows pass here); a ``Fulfilment`` is built to refuse."""
    rows = valid.rows
    base: dict[Link, Fulfilment] = {}
    came: dict[Link, list[int]] = {}  # link -> [committed, received] since ``base``
    above: dict[Link, Link | None] = {}

    def promise(link: Link) -> Fulfilment:
        found = base.get(link)
        if found is None:
            if link[0] == "stored":
                found, parent = stored[link[1]]
                above[link] = None if parent is None else ("stored", parent)
            else:
                row = rows[link[1]]
                found = Fulfilment(str(row[ValidRows.REF]), ContributionKind(str(row[ValidRows.KIND])),
                                   str(row[ValidRows.CURRENCY]), _units(row))
                above[link] = row[ValidRows.PARENT]  # type: ignore[assignment]
            base[link], came[link] = found, [0, 0]
        return found

    errors = []
    refuses = {coalition: policy(coalition) is ExcessPolicy.REFUSE for coalition in
                     {str(row[ValidRows.COALITION]) for row in rows}}
    for index, row in enumerate(rows):
        link: Link | None = row[ValidRows.PARENT]  # type: ignore[assignment]
        if link is None or not refuses[str(row[ValidRows.COALITION])]:
            continue
        commitment = row[ValidRows.KIND] == ContributionKind.COMMITMENT.value
        units, slot = _units(row), 0 if commitment else 1
        chain = [link]
        if promise(link).kind is ContributionKind.COMMITMENT and (pledge := above[link]) is not None:
            chain.append(pledge)
        over = None
        for each in chain:
            found, so_far = promise(each), came[each]
            before = (found.committed, found.received)[slot] + so_far[slot]
            if before + units > found.promised and before + units - found.promised > max(0, before - found.promised):
                over = found.adding(ContributionKind.COMMITMENT, so_far[0]).adding(ContributionKind.RECEIPT, so_far[1])
                break
        if over is not None:
            try:
                over.refuse_excess(ContributionKind(str(row[ValidRows.KIND])), units)
            except InvariantViolated as refused:
                errors.append(RowError(valid.numbers[index], "amount", str(row[ValidRows.MINOR]), refused.message))
            continue
        for each in chain:
            came[each][slot] += units
    return errors


def _units(row: tuple[object, ...]) -> int:
    units = row[ValidRows.MINOR]
    assert isinstance(units, int)
    return units
