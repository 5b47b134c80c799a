"""Contributions: what donors promise (pledge), sign (commitment), pay (receipt) or give in kind.

Each contribution keeps its original amount and currency, its value date, an earmark saying
what the money may fund, and a confidentiality saying who may see it. Its status is never a
field: it derives from the ledger entries (see coalition.domain.ledger).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from coalition.domain.common import check_code
from coalition.domain.errors import InvalidInput, InvariantViolated, refusal
from coalition.domain.limits import (
    DESCRIPTION,
    EARMARK,
    EXTERNAL_REF,
    RESTRICTED_TO,
    VALUATION_SOURCE,
    check_id,
    check_text,
    checking_input,
)
from coalition.domain.money import Money, check_currency


class ContributionKind(StrEnum):
    PLEDGE = "pledge"
    COMMITMENT = "commitment"
    RECEIPT = "receipt"
    IN_KIND = "in-kind"


# What a contribution may fulfil: a commitment fulfils a pledge; a receipt a commitment or a pledge.
PARENT_KINDS: dict[ContributionKind, frozenset[ContributionKind]] = {
    ContributionKind.PLEDGE: frozenset(),
    ContributionKind.COMMITMENT: frozenset({ContributionKind.PLEDGE}),
    ContributionKind.RECEIPT: frozenset({ContributionKind.PLEDGE, ContributionKind.COMMITMENT}),
    ContributionKind.IN_KIND: frozenset({ContributionKind.PLEDGE, ContributionKind.COMMITMENT}),
}


class FundingRoute(StrEnum):
    AGENCY = "agency"
    DIRECT_INDUSTRY = "direct-industry"
    PRIORITIZED_PACKAGE = "prioritized-package"
    DONATION_FROM_STOCK = "donation-from-stock"


class EarmarkKind(StrEnum):
    NONE = "none"
    AREAS = "areas"
    REQUIREMENT = "requirement"
    PACKAGE = "package"
    ROUTE = "route"


@dataclass(frozen=True, slots=True)
class Earmark:
    """What money may fund: anything, capability areas, one requirement, one package, or one route.

    Written as text: ``none``, ``areas:cybersecurity,communications``, ``requirement:R-1``,
    ``package:P-3`` or ``route:agency``.
    """

    kind: EarmarkKind = EarmarkKind.NONE
    targets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind is EarmarkKind.NONE:
            if self.targets:
                raise InvalidInput("an earmark of 'none' names no targets", field="earmark")
            return
        if not self.targets:
            raise InvalidInput(f"an earmark of '{self.kind}' names at least one target", field="earmark")
        if self.kind is not EarmarkKind.AREAS and len(self.targets) != 1:
            raise InvalidInput(f"an earmark of '{self.kind}' names exactly one target", field="earmark")
        for target in self.targets:
            check_code(target, "earmark")
        if self.kind is EarmarkKind.ROUTE and self.targets[0] not in {r.value for r in FundingRoute}:
            routes = ", ".join(r.value for r in FundingRoute)
            raise InvalidInput(f"'{self.targets[0]}' is not a funding route ({routes})", field="earmark")
        object.__setattr__(self, "targets", tuple(sorted(set(self.targets))))
        check_text(self.label, "earmark", EARMARK)

    @property
    def label(self) -> str:
        return "none" if self.kind is EarmarkKind.NONE else f"{self.kind.value}:{','.join(self.targets)}"

    @classmethod
    def parse(cls, text: str | None) -> Earmark:
        cleaned = (text or "").strip()
        if cleaned in ("", "none"):
            return cls()
        kind_text, separator, rest = cleaned.partition(":")
        try:
            kind = EarmarkKind(kind_text.strip().lower())
        except ValueError:
            raise InvalidInput(f"'{cleaned}' is not an earmark (none, areas:A,B, requirement:R, package:P or "
                               "route:ROUTE)", field="earmark") from None
        if not separator:
            raise InvalidInput(f"'{cleaned}' names no target after '{kind_text}:'", field="earmark")
        return cls(kind, tuple(t.strip() for t in rest.split(",") if t.strip()))

    def __str__(self) -> str:
        return self.label



class ContributionOrder(StrEnum):
    """The orders a list of contributions can be read in: as recorded (by id), by value date, by amount in the
    coalition's reporting currency, by donor."""

    RECORDED = "recorded"
    VALUE_DATE = "value-date"
    AMOUNT = "amount"
    DONOR = "donor"


@dataclass(frozen=True, slots=True)
class ContributionFilter:
    """What a list of contributions is narrowed to beyond its coalition, donor and kind (a currency, a kind of
    earmark, value dates from and to, both days included) and the order it is read in (ties by id)."""

    currency: str | None = None
    earmark: EarmarkKind | None = None
    value_from: date | None = None
    value_to: date | None = None
    order: ContributionOrder = ContributionOrder.RECORDED
    descending: bool = False

    def __post_init__(self) -> None:
        if self.currency is not None:
            object.__setattr__(self, "currency", check_currency(self.currency))
        if self.value_from is not None and self.value_to is not None and self.value_to < self.value_from:
            raise refusal(InvalidInput, "the last value date ({last}) is before the first ({first})",
                          field="value_to", last=self.value_to.isoformat(), first=self.value_from.isoformat())

    @property
    def narrows(self) -> bool:
        """Whether it leaves some contributions out."""
        return (self.currency, self.earmark, self.value_from, self.value_to) != (None, None, None, None)

    @property
    def reads_details(self) -> bool:
        """Whether it reads what a masked record hides (currency, earmark, value date, amount, donor): a list so
        narrowed or ordered holds only the records its viewer may see in full, or it would tell of the others."""
        return self.narrows or self.order is not ContributionOrder.RECORDED

    @property
    def by_cursor(self) -> bool:
        """Whether the list can be paged by its last id (oldest first, as recorded); else by offset."""
        return self.order is ContributionOrder.RECORDED and not self.descending


EVERY_CONTRIBUTION = ContributionFilter()

class Visibility(StrEnum):
    PUBLIC = "public"
    COALITION = "coalition"
    RESTRICTED = "restricted"


@dataclass(frozen=True, slots=True)
class Confidentiality:
    """Who may see a record: everyone, the coalition's members, or only named parties until a date."""

    visibility: Visibility = Visibility.PUBLIC
    parties: tuple[str, ...] = ()
    declassify_on: date | None = None

    def __post_init__(self) -> None:
        if self.visibility is Visibility.RESTRICTED and not self.parties:
            raise InvalidInput("a restricted record names the parties that may see it", field="restricted_to")
        if self.visibility is not Visibility.RESTRICTED and self.parties:
            raise InvalidInput("only a restricted record names parties", field="restricted_to")
        if self.visibility is Visibility.PUBLIC and self.declassify_on is not None:
            raise InvalidInput("a public record has no declassification date", field="declassify_on")
        object.__setattr__(self, "parties", tuple(sorted(set(self.parties))))
        if checking_input():
            for party in self.parties:
                check_code(party, "restricted_to")
            # As kept: each code quoted, separated by a comma and a blank, in brackets.
            if sum(len(party) + 4 for party in self.parties) > RESTRICTED_TO.max_length:
                raise InvalidInput(f"names {len(self.parties)} parties, more than the {RESTRICTED_TO.max_length} "
                                   "characters a record keeps for them hold", field="restricted_to")

    def effective_on(self, day: date) -> Visibility:
        """The visibility that holds on ``day``: a declassified record is public."""
        if self.declassify_on is not None and day >= self.declassify_on:
            return Visibility.PUBLIC
        return self.visibility


class ValuationRule(StrEnum):
    MARKET_PRICE = "market-price"
    REPLACEMENT_COST = "replacement-cost"
    BOOK_VALUE = "book-value"


@dataclass(frozen=True, slots=True)
class Valuation:
    """How an in-kind contribution was valued, and where the value comes from."""

    rule: ValuationRule
    source: str

    def __post_init__(self) -> None:
        check_text(self.source, "valuation_source", VALUATION_SOURCE)


@dataclass(frozen=True, slots=True)
class ReportingValue:
    """The amount in the coalition's reporting currency, with the rate used and where it came from."""

    amount: Money
    rate: Decimal
    rate_date: date
    source: str


@dataclass(frozen=True, slots=True)
class Contribution:
    kind: ContributionKind
    coalition: str
    fund: str
    donor: str
    amount: Money
    value_date: date
    earmark: Earmark = field(default_factory=Earmark)
    confidentiality: Confidentiality = field(default_factory=Confidentiality)
    external_ref: str | None = None
    parent: int | None = None
    description: str = ""
    valuation: Valuation | None = None
    reporting: ReportingValue | None = None
    illustrative: bool = False
    id: int | None = None
    # When the record learned of it (its value date is when it happened): kept, not part of what it is.
    recorded_at: datetime | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        check_code(self.coalition, "coalition")
        check_code(self.fund, "fund")
        check_code(self.donor, "donor")
        if self.amount.amount <= 0:
            raise InvalidInput(f"{self.amount} must be more than zero", field="amount")
        if (self.kind is ContributionKind.IN_KIND) != (self.valuation is not None):
            raise InvalidInput("an in-kind contribution, and only it, is valued by a named rule with its source",
                               field="valuation")
        check_text(self.description, "description", DESCRIPTION, required=self.kind is ContributionKind.IN_KIND)
        if self.external_ref is not None:
            check_text(self.external_ref, "external_ref", EXTERNAL_REF)
        if self.parent is not None:
            check_id(self.parent, "parent")


def check_parent(child_kind: ContributionKind, child_donor: str, child_coalition: str, child_currency: str,
                 parent: Contribution) -> None:
    """A contribution may fulfil an earlier one of the same donor, coalition and currency."""
    if parent.kind not in PARENT_KINDS[child_kind]:
        allowed = " or ".join(sorted(k.value for k in PARENT_KINDS[child_kind])) or "nothing"
        raise InvariantViolated(f"a {child_kind} fulfils a {allowed}, not a {parent.kind}", field="parent")
    if parent.donor != child_donor or parent.coalition != child_coalition:
        raise InvariantViolated(f"{parent.kind} {parent.id} belongs to {parent.donor} in {parent.coalition}",
                                field="parent")
    if parent.amount.currency != child_currency:
        raise InvariantViolated(f"{parent.kind} {parent.id} is in {parent.amount.currency}, not {child_currency}",
                                field="currency")


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """A pledge or commitment and what came in against it, in minor units of its currency: ``promised`` is what
    its own entries still carry (reversals deducted); ``committed`` the commitments under it; ``received`` the
    receipts and in-kind contributions under it, a pledge counting those under its commitments too."""

    name: str  # its external reference, or its id
    kind: ContributionKind
    currency: str
    promised: int
    committed: int = 0
    received: int = 0

    def adding(self, kind: ContributionKind, units: int) -> Fulfilment:
        """As it would stand with one more contribution of ``kind`` under it."""
        if kind is ContributionKind.COMMITMENT:
            return Fulfilment(self.name, self.kind, self.currency, self.promised, self.committed + units,
                              self.received)
        return Fulfilment(self.name, self.kind, self.currency, self.promised, self.committed, self.received + units)

    def excess(self, kind: ContributionKind) -> int:
        """How far the contributions of ``kind`` under it go beyond what it promised (0 when within)."""
        came = self.committed if kind is ContributionKind.COMMITMENT else self.received
        return max(0, came - self.promised)

    def refuse_excess(self, kind: ContributionKind, units: int) -> None:
        """Refuse a contribution of ``kind`` worth ``units`` under it that would go beyond its promise."""
        after = self.adding(kind, units)
        over = after.excess(kind)
        if over > self.excess(kind):
            so_far = self.committed if kind is ContributionKind.COMMITMENT else self.received
            done = "committed" if kind is ContributionKind.COMMITMENT else "received"
            raise InvariantViolated(
                f"{self.kind} {self.name} promised {Money.from_minor_units(self.promised, self.currency)}; "
                f"{Money.from_minor_units(so_far, self.currency)} is already {done} under it, so "
                f"{Money.from_minor_units(units, self.currency)} more would exceed it by "
                f"{Money.from_minor_units(over, self.currency)} (the coalition refuses money beyond a promise)",
                field="amount")
