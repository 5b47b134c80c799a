"""Bulk contribution files: the header, every row checked by the one rulebook (``contribution_rules``), the links
between rows of one file, and the valid rows ready to store, as named tuples.

Built for files of a million rows: the rulebook parses whatever repeats once, and the valid rows are plain named
tuples the store writes set-based (ADR 0008).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import NamedTuple

from coalition.domain.coalition import ExcessPolicy
from coalition.domain.contribution_rules import (
    Candidate,
    Cells,
    RowError,
    Snapshot,
    Stored,
    check,
    parent_problem,
)
from coalition.domain.contributions import ContributionKind, Fulfilment
from coalition.domain.errors import InvalidInput, InvariantViolated

COLUMNS = ("kind", "external_ref", "coalition", "fund", "donor", "amount", "currency", "value_date", "earmark",
           "visibility", "restricted_to", "declassify_on", "parent_ref", "description")
REQUIRED = ("kind", "external_ref", "coalition", "fund", "donor", "amount", "currency", "value_date")
MAX_REPORTED_ERRORS = 1000

Link = tuple[str, int]  # a row's parent: ("file", index among the valid rows) or ("stored", id)


class ImportRejected(InvalidInput):
    """A file with errors: nothing was written; every error is listed."""

    code = "import_rejected"

    def __init__(self, errors: Sequence[RowError], total: int) -> None:
        listed = "; ".join(e.describe() for e in errors[:3])
        more = f" (and {total - 3} more)" if total > 3 else ""
        super().__init__(f"{total} invalid cell(s), nothing imported: {listed}{more}", field="file")
        self.errors = list(errors)
        self.total = total


class ImportRow(NamedTuple):
    """A valid row, ready to store."""

    kind: str
    external_ref: str
    coalition: str
    fund: str
    donor: str
    amount_minor: int
    currency: str
    value_date: date
    earmark: str
    visibility: str
    restricted_to: tuple[str, ...]
    declassify_on: date | None
    parent: Link | None
    description: str
    reporting_minor: int
    rate: str
    rate_date: date
    rate_source: str


@dataclass(slots=True)
class ValidRows:
    rows: list[ImportRow] = field(default_factory=list)
    unchanged: int = 0
    numbers: list[int] = field(default_factory=list)  # each valid row's number in the file


def _header(header: Sequence[str], first_row: int) -> Callable[[list[str]], tuple[str, ...]]:
    """What picks the columns, in ``COLUMNS`` order, out of a row (with a padding cell appended)."""
    positions = {name.strip().lower(): index for index, name in enumerate(header)}
    missing = [c for c in REQUIRED if c not in positions]
    unknown = [h for h in header if h.strip().lower() not in COLUMNS]
    if missing or unknown:
        rule = (f"the header lacks the required column(s) {', '.join(missing)}" if missing
                else f"the header has unknown column(s) {', '.join(unknown)}; allowed: {', '.join(COLUMNS)}")
        raise ImportRejected([RowError(first_row - 1, "header", ",".join(header), rule)], 1)
    return itemgetter(*(positions.get(c, len(header)) for c in COLUMNS))


@dataclass(slots=True)
class _Report:
    errors: list[RowError] = field(default_factory=list)
    count: int = 0

    def add(self, found: Iterable[RowError]) -> None:
        for error in found:
            self.count += 1
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(error)


def validate(rows: Iterable[Sequence[str]], header: Sequence[str], snapshot: Snapshot,
             progress: Callable[[int], None] | None = None,
             first_row: int = 2) -> tuple[ValidRows, list[RowError], int]:
    """Check every row; return the valid rows, the first errors (at most MAX_REPORTED_ERRORS) and the error count.

    ``first_row`` is the number users see for the first data row (2 in a file with a header line).
    """
    pick, width, report = _header(header, first_row), len(header), _Report()
    result = ValidRows()
    seen: dict[tuple[str, str], int] = {}  # (coalition, ref) -> row number
    placed: dict[tuple[str, str], int] = {}  # (coalition, ref) -> index among the valid rows
    in_file: list[tuple[int, int, str]] = []  # (valid row's index, row number, parent's reference) in the file
    for number, cells in enumerate(rows, start=first_row):
        if progress is not None and number % 10_000 == 0:
            progress(number - first_row + 1)
        if len(cells) != width:
            if any(c.strip() for c in cells):
                report.add([RowError(number, "row", ",".join(cells), f"has {len(cells)} cells; the header has "
                                                                      f"{width}")])
            continue
        candidate = check(number, Cells(*map(str.strip, pick([*cells, ""]))), snapshot)
        if candidate.errors:
            report.add(candidate.errors)
            continue
        key = (candidate.cells.coalition, candidate.cells.external_ref)
        if key in seen:
            report.add([RowError(number, "external_ref", key[1], f"appears twice in the file (first on row "
                                                                 f"{seen[key]})")])
            continue
        seen[key] = number
        if candidate.unchanged:
            result.unchanged += 1
            continue
        if candidate.cells.parent and candidate.parent is None:
            in_file.append((len(result.rows), number, candidate.cells.parent))
        placed[key] = len(result.rows)
        result.numbers.append(number)
        result.rows.append(_ready(candidate))
    report.add(_link_in_file(result.rows, in_file, placed))
    if progress is not None:
        progress(-1)
    return result, report.errors, report.count


def _ready(c: Candidate) -> ImportRow:
    assert c.kind is not None and c.units is not None and c.value_date is not None and c.earmark is not None
    assert c.confidentiality is not None and c.rate is not None and c.reporting_units is not None
    cells, (rate, rate_date, source) = c.cells, c.rate
    return ImportRow(c.kind.value, cells.external_ref, cells.coalition, cells.fund, cells.donor, c.units,
                     cells.currency, c.value_date, c.earmark, c.confidentiality.visibility.value,
                     c.confidentiality.parties, c.confidentiality.declassify_on,
                     None if c.parent is None else ("stored", c.parent.id), cells.description, c.reporting_units,
                     str(rate), rate_date, source)


def _link_in_file(rows: list[ImportRow], pending: list[tuple[int, int, str]],
                  placed: Mapping[tuple[str, str], int]) -> list[RowError]:
    """Link each row whose parent is no stored contribution to the row of the file it names."""
    errors = []
    for index, number, reference in pending:
        row = rows[index]
        found = placed.get((row.coalition, reference))
        if found is None:
            errors.append(RowError(number, "parent_ref", reference, f"is not a contribution of {row.coalition}"))
            continue
        parent = rows[found]
        problem = parent_problem(row.kind, row.donor, row.coalition, row.currency, Stored(
            found, parent.kind, parent.coalition, parent.donor, parent.fund, parent.amount_minor, parent.currency,
            parent.value_date), name=reference)
        if problem is not None:
            errors.append(RowError(number, "parent_ref", reference, problem.rule))
            continue
        rows[index] = row._replace(parent=("file", found))
    return errors




def promise_errors(valid: ValidRows, stored: Mapping[int, tuple[Fulfilment, int | None]],
                   policy: Callable[[str], ExcessPolicy]) -> list[RowError]:
    """The rows that would take a pledge or commitment beyond what it promised, where the coalition refuses that.

    ``stored`` holds, for each stored promise the file fulfils, what came in against it before the file and its own
    parent. A row counts towards its parent, and a receipt under a commitment towards the commitment's pledge.
    Running totals are kept as plain numbers (a million rows pass here); a ``Fulfilment`` is built to refuse."""
    promises = _Promises(valid.rows, stored)
    refuses = {coalition: policy(coalition) is ExcessPolicy.REFUSE for coalition in {r.coalition for r in valid.rows}}
    errors = []
    for index, row in enumerate(valid.rows):
        if row.parent is None or not refuses[row.coalition]:
            continue
        refused = promises.take(row)
        if refused is not None:
            errors.append(RowError(valid.numbers[index], "amount", str(row.amount_minor), refused))
    return errors


class _Promises:
    """What came in against each promise a file fulfils, as the file's rows are taken in order."""

    def __init__(self, rows: list[ImportRow], stored: Mapping[int, tuple[Fulfilment, int | None]]) -> None:
        self.rows, self.stored = rows, stored
        self.base: dict[Link, Fulfilment] = {}
        self.came: dict[Link, list[int]] = {}  # link -> [committed, received] since ``base``
        self.above: dict[Link, Link | None] = {}

    def promise(self, link: Link) -> Fulfilment:
        found = self.base.get(link)
        if found is None:
            if link[0] == "stored":
                found, parent = self.stored[link[1]]
                self.above[link] = None if parent is None else ("stored", parent)
            else:
                row = self.rows[link[1]]
                found = Fulfilment(row.external_ref, ContributionKind(row.kind), row.currency, row.amount_minor)
                self.above[link] = row.parent
            self.base[link], self.came[link] = found, [0, 0]
        return found

    def take(self, row: ImportRow) -> str | None:
        """Count ``row`` towards its promises, or the rule it breaks (then it counts for none)."""
        assert row.parent is not None
        slot = 0 if row.kind == ContributionKind.COMMITMENT.value else 1
        chain = [row.parent]
        if self.promise(row.parent).kind is ContributionKind.COMMITMENT and \
                (pledge := self.above[row.parent]) is not None:
            chain.append(pledge)
        for link in chain:
            found, so_far = self.promise(link), self.came[link]
            before = (found.committed, found.received)[slot] + so_far[slot]
            if before + row.amount_minor - found.promised > max(0, before - found.promised):
                now = found.adding(ContributionKind.COMMITMENT, so_far[0]).adding(ContributionKind.RECEIPT, so_far[1])
                try:
                    now.refuse_excess(ContributionKind(row.kind), row.amount_minor)
                except InvariantViolated as refused:
                    return refused.message
        for link in chain:
            self.came[link][slot] += row.amount_minor
        return None
