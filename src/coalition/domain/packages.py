"""PURL packages: packages of a supplier state's equipment, drawn from a prioritised requirements list that an
outside authority validates, and paid for jointly by several allies.

NATO's Prioritized Ukraine Requirements List (PURL) is the model: NATO and the United States validate
packages of United States equipment that meet Ukraine's prioritised requirements, and allies pay for
them. Such a package belongs to no capability coalition: it is a record of the mechanism, whose
``owner`` is the party that runs it (NATO), validated by ``validator``, supplied by ``supplier`` for
``recipient``. It has its own lifecycle, each step a dated act:

    proposed -> validated -> funded -> delivered

Allies' shares are recorded while the package is proposed or validated, in the package's currency; they
never add up to more than its amount, and the package is funded only when they add up to all of it.
Every act is dated: never in the future, never before the act it follows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from coalition.domain.common import check_code, check_move
from coalition.domain.errors import InvalidInput, InvariantViolated, refusal
from coalition.domain.limits import NOTE, TITLE, check_text
from coalition.domain.money import Money


class PackageState(StrEnum):
    PROPOSED = "proposed"  # drawn from the list, not yet validated by the outside authority
    VALIDATED = "validated"  # the authority confirmed it meets the prioritised requirements
    FUNDED = "funded"  # the allies' shares cover its whole amount
    DELIVERED = "delivered"  # the supplier delivered the equipment to the recipient


P = PackageState
PACKAGE_TRANSITIONS: dict[PackageState, frozenset[PackageState]] = {
    P.PROPOSED: frozenset({P.VALIDATED}),
    P.VALIDATED: frozenset({P.FUNDED}),
    P.FUNDED: frozenset({P.DELIVERED}),
    P.DELIVERED: frozenset(),
}
TAKES_SHARES = frozenset({P.PROPOSED, P.VALIDATED})

# The texts of the refusals below, as the message catalog holds them (their values put in where they are raised).
AMOUNT_POSITIVE = "a package's amount is positive, not {amount}"
SHARE_POSITIVE = "a share is positive, not {amount}"
SHARE_CURRENCY = "package {package} is paid in {currency}; a share of {amount} is in another currency"
SHARE_STATE = "package {package} is {state}: shares are recorded only while it is proposed or validated"
SHARE_EXCEEDS = ("package {package} of {amount} has {covered} in shares; a share of {share} would take it "
                 "beyond its amount")
NOT_COVERED = ("package {package} is funded only when the shares cover its amount: {covered} of {amount}; "
               "record the missing {missing}")
IN_FUTURE = "an act of {day} is in the future: it is dated {today} at the latest"
BEFORE = "an act of {day} cannot precede the package's last act ({state}, {last})"
ROLES_DIFFER = "the {role} of a package is another party than its recipient ({party})"
TEXTS = (AMOUNT_POSITIVE, SHARE_POSITIVE, SHARE_CURRENCY, SHARE_STATE, SHARE_EXCEEDS, NOT_COVERED, IN_FUTURE, BEFORE,
         ROLES_DIFFER)


@dataclass(frozen=True, slots=True)
class PurlPackage:
    """A package as proposed: what it is, who runs, validates, supplies and receives it, and what it costs."""

    code: str
    title: str
    owner: str  # the party running the mechanism (NATO)
    validator: str  # the outside authority that validates the package
    supplier: str  # the state whose stock or industry supplies the equipment
    recipient: str
    amount: Money
    proposed_on: date
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        check_text(self.title, "title", TITLE)
        for role in ("owner", "validator", "supplier", "recipient"):
            check_code(getattr(self, role), role)
        for role in ("owner", "validator", "supplier"):
            if getattr(self, role) == self.recipient:
                raise refusal(InvalidInput, ROLES_DIFFER, field=role, role=role, party=self.recipient)
        if self.amount.amount <= 0:
            raise refusal(InvalidInput, AMOUNT_POSITIVE, field="amount", amount=self.amount)


@dataclass(frozen=True, slots=True)
class PackageShare:
    """What one ally pays towards a package; an ally may pay in several shares."""

    package: str
    donor: str
    amount: Money
    on: date
    recorded_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        check_code(self.donor, "donor")
        if self.amount.amount <= 0:
            raise refusal(InvalidInput, SHARE_POSITIVE, field="amount", amount=self.amount)


@dataclass(frozen=True, slots=True)
class PackageAct:
    """One step of a package's lifecycle: the state it reached, the day it happened, when the record learned it."""

    package: str
    state: PackageState
    on: date
    recorded_at: datetime | None = None
    note: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        check_text(self.note, "note", NOTE, required=False)


@dataclass(frozen=True, slots=True)
class PackageRecord:
    """A package with its shares and its acts, oldest first; its state is that of its last act."""

    package: PurlPackage
    shares: tuple[PackageShare, ...] = ()
    acts: tuple[PackageAct, ...] = ()

    @property
    def state(self) -> PackageState:
        return self.acts[-1].state if self.acts else PackageState.PROPOSED

    @property
    def last_day(self) -> date:
        return self.acts[-1].on if self.acts else self.package.proposed_on

    @property
    def covered(self) -> Money:
        total = Money.zero(self.package.amount.currency)
        for share in self.shares:
            total = total + share.amount
        return total

    def by_donor(self) -> list[tuple[str, Money]]:
        """Each ally's total, largest first (then by code)."""
        totals: dict[str, Money] = {}
        for share in self.shares:
            totals[share.donor] = totals[share.donor] + share.amount if share.donor in totals else share.amount
        return sorted(totals.items(), key=lambda item: (-item[1].amount, item[0]))


def _dated(record: PackageRecord, on: date, today: date) -> date:
    if on > today:
        raise refusal(InvariantViolated, IN_FUTURE, field="on", day=on, today=today)
    if on < record.last_day:
        raise refusal(InvariantViolated, BEFORE, field="on", day=on, state=record.state.value, last=record.last_day)
    return on


def proposal(package: PurlPackage, today: date) -> PackageAct:
    """The first act of a package: proposed on the day it was drawn from the list, never in the future."""
    if package.proposed_on > today:
        raise refusal(InvariantViolated, IN_FUTURE, field="proposed_on", day=package.proposed_on, today=today)
    return PackageAct(package.code, PackageState.PROPOSED, package.proposed_on, note="proposed")


def check_share(record: PackageRecord, share: PackageShare, today: date) -> None:
    """A share is taken while the package is proposed or validated, in its currency, dated, within its amount."""
    package = record.package
    if record.state not in TAKES_SHARES:
        raise refusal(InvariantViolated, SHARE_STATE, field="package", package=package.code, state=record.state.value)
    if share.amount.currency != package.amount.currency:
        raise refusal(InvalidInput, SHARE_CURRENCY, field="currency", package=package.code,
                      currency=package.amount.currency, amount=share.amount)
    _dated(record, share.on, today)
    covered = record.covered
    if covered + share.amount > package.amount:
        raise refusal(InvariantViolated, SHARE_EXCEEDS, field="amount", package=package.code, amount=package.amount,
                      covered=covered, share=share.amount)


def next_act(record: PackageRecord, to: PackageState, on: date, today: date, note: str = "") -> PackageAct:
    """The act moving a package to ``to`` on ``on``: a move the lifecycle allows, dated, and funded only when the
    shares cover the whole amount."""
    check_move(PACKAGE_TRANSITIONS, f"package {record.package.code}", record.state, to, "state")
    _dated(record, on, today)
    if to is PackageState.FUNDED and record.covered < record.package.amount:
        package = record.package
        raise refusal(InvariantViolated, NOT_COVERED, field="shares", package=package.code, covered=record.covered,
                      amount=package.amount, missing=package.amount - record.covered)
    return PackageAct(record.package.code, to, on, note=note)


def with_share(record: PackageRecord, share: PackageShare) -> PackageRecord:
    """The record as it stands once ``share`` is added (shares are checked one after another in one change)."""
    return PackageRecord(record.package, (*record.shares, share), record.acts)


def mobilised(records: Iterable[PackageRecord]) -> list[Money]:
    """What the allies' shares of funded (or delivered) packages add up to, one total per currency."""
    totals: dict[str, Money] = {}
    for record in records:
        if record.state in (PackageState.FUNDED, PackageState.DELIVERED):
            currency = record.covered.currency
            totals[currency] = totals[currency] + record.covered if currency in totals else record.covered
    return [totals[currency] for currency in sorted(totals)]
