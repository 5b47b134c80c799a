"""Procurement: cases by route, tenders with lots, bids and their evaluation, awards, contracts and payments.

A procurement case buys one or more funded requirements by one route: the agency route (a support
and procurement agency tenders and contracts), direct industry financing (a contract with a
manufacturer in the recipient's country, ordered by the recipient), a prioritized package (bought from
a supplier state's stock or industry, paid jointly by several donors), or a donation from stock (in
kind, no money moves). A case moves through stages declared as data (CASE_TRANSITIONS); what each
route allows and what each step on it requires is data too (ROUTE_RULES).

On the agency route a tender with lots precedes the contract. Bids are evaluated by lowest price
technically acceptable or by best value (weighted scores, price scored against the lowest price);
the award goes to the first-ranked bid with a recorded justification and opens a standstill period
before the contract may be signed.

A contract has lines (requirement, quantity, unit price), milestones and payments, all in the
contract's currency. An amendment is a new version; earlier versions stay readable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from coalition.domain.common import check_code, check_move
from coalition.domain.contributions import FundingRoute
from coalition.domain.errors import InvalidInput, InvariantViolated
from coalition.domain.limits import (
    JUSTIFICATION,
    MAX_DELIVERY_DAYS,
    MAX_NUMBER,
    MAX_QUANTITY,
    MAX_STANDSTILL_DAYS,
    NOTE,
    REASON,
    REFERENCE,
    TITLE,
    check_text,
    check_whole,
)
from coalition.domain.money import Money
from coalition.domain.requirements import RequirementStatus


class CaseStage(StrEnum):
    PROPOSED = "proposed"  # the route is proposed, not yet approved
    APPROVED = "approved"  # the route is approved (by the steering group where the rules require it)
    TENDERING = "tendering"  # agency route: a tender is open
    AWARDED = "awarded"  # agency route: the tender's lots are awarded
    CONTRACTED = "contracted"
    DELIVERED = "delivered"  # every requirement of the case fully delivered
    CLOSED = "closed"
    CANCELLED = "cancelled"


C = CaseStage
CASE_TRANSITIONS: dict[CaseStage, frozenset[CaseStage]] = {
    C.PROPOSED: frozenset({C.APPROVED, C.CANCELLED}),
    C.APPROVED: frozenset({C.TENDERING, C.CONTRACTED, C.CANCELLED}),
    C.TENDERING: frozenset({C.AWARDED, C.APPROVED, C.CANCELLED}),  # back to approved when a tender is cancelled
    C.AWARDED: frozenset({C.CONTRACTED, C.APPROVED, C.CANCELLED}),
    C.CONTRACTED: frozenset({C.DELIVERED}),
    C.DELIVERED: frozenset({C.CLOSED}),
    C.CLOSED: frozenset(),
    C.CANCELLED: frozenset(),
}
STAGE_ORDER = tuple(CaseStage)
TENDER_STAGES = frozenset({C.TENDERING, C.AWARDED})  # while a tender stands; cancelling it returns to approved


@dataclass(frozen=True, slots=True)
class RouteRules:
    """What a procurement route allows and what each step on it requires.

    ``paid``: money moves (a contract draws on the reservations, payments disburse it); otherwise the
    route transfers an in-kind contribution, is neither paid for nor amended. ``tenders``: a tender with
    lots precedes the contract, which covers awarded lots at the winning bids' prices. ``buys``: the
    statuses of the requirements a case on the route may buy (a paid route needs money reserved for each
    too); ``unfit`` says why one is refused, from its code and status. ``signs_in``: the stages in which
    a contract may be signed; ``signing_needs`` says what a case in another stage lacks.
    """

    paid: bool
    tenders: bool
    buys: frozenset[RequirementStatus]
    unfit: str
    signs_in: frozenset[CaseStage]
    signing_needs: str

    def refuses(self, status: RequirementStatus, reserved: int) -> bool:
        """Whether a requirement in ``status`` with ``reserved`` money is refused by a case on this route."""
        return status not in self.buys or (self.paid and not reserved)


R = RequirementStatus
_FUNDED = frozenset({R.PARTLY_FUNDED, R.FULLY_FUNDED})
# A requirement met in part (say, from a donor's stock) has the rest bought in a case of its own, with the cash
# reserved for that rest: a paid route buys it partly delivered too.
_BOUGHT = RouteRules(
    paid=True, tenders=False, buys=_FUNDED | {R.PARTLY_DELIVERED},
    unfit="{code} is not funded ({status}, nothing reserved): only funded requirements are procured",
    signs_in=frozenset({C.APPROVED, C.CONTRACTED}), signing_needs="a contract needs the route approved first")
ROUTE_RULES: dict[FundingRoute, RouteRules] = {
    FundingRoute.AGENCY: replace(_BOUGHT, tenders=True, signs_in=frozenset({C.AWARDED, C.CONTRACTED}),
                                 signing_needs="the agency contracts awarded lots"),
    FundingRoute.DIRECT_INDUSTRY: _BOUGHT,
    FundingRoute.PRIORITIZED_PACKAGE: _BOUGHT,
    FundingRoute.DONATION_FROM_STOCK: RouteRules(
        paid=False, tenders=False, buys=_FUNDED | {R.PRIORITISED},
        unfit="{code} is {status}; a donation from stock answers a prioritised requirement",
        signs_in=frozenset({C.APPROVED, C.CONTRACTED}), signing_needs="a contract needs the route approved first"),
}


@dataclass(frozen=True, slots=True)
class ProcurementCase:
    """The purchase of one or more requirements by one route.

    ``buyer`` places the contract: the agency on the agency route, the recipient ministry for direct
    industry financing, the secretariat or lead nation for a package; for a donation from stock, the
    donating party.
    """

    code: str
    coalition: str
    route: FundingRoute
    title: str
    requirements: tuple[str, ...]
    buyer: str
    opened_on: date
    stage: CaseStage = CaseStage.PROPOSED
    route_decision: int | None = None
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        check_text(self.title, "title", TITLE)
        if not self.requirements:
            raise InvalidInput("a procurement case buys at least one requirement", field="requirements")
        if len(set(self.requirements)) != len(self.requirements):
            raise InvalidInput("a requirement is named twice", field="requirements")

    def moved(self, to: CaseStage) -> ProcurementCase:
        check_move(CASE_TRANSITIONS, f"case {self.code}", self.stage, to, "stage")
        return replace(self, stage=to)


# --- tenders ---------------------------------------------------------------------------------------


class TenderProcedure(StrEnum):
    OPEN = "open"  # any supplier may bid
    INVITED = "invited"  # only the invited suppliers may bid


class EvaluationMethod(StrEnum):
    LOWEST_PRICE = "lowest-price"  # lowest price technically acceptable
    BEST_VALUE = "best-value"  # weighted scores, price scored against the lowest price


class TenderState(StrEnum):
    OPEN = "open"
    AWARDED = "awarded"
    CANCELLED = "cancelled"


PRICE = "price"


@dataclass(frozen=True, slots=True)
class Lot:
    """A part of a tender that is bid for and awarded on its own: a quantity of one requirement."""

    number: int
    title: str
    requirement: str
    quantity: int

    def __post_init__(self) -> None:
        check_whole(self.number, "lots.number", high=MAX_NUMBER, what="a lot number")
        check_text(self.title, "lots.title", TITLE)
        check_code(self.requirement, "lots.requirement")
        if self.quantity <= 0:
            raise InvalidInput(f"lot {self.number}: {self.quantity} is not a positive quantity", field="lots.quantity")
        check_whole(self.quantity, "lots.quantity", high=MAX_QUANTITY, what="a quantity")


@dataclass(frozen=True, slots=True)
class Award:
    lot: int
    bid: int
    justification: str
    awarded_on: date
    standstill_until: date
    decision: int | None = None


@dataclass(frozen=True, slots=True)
class Tender:
    """A call for bids on the agency route. ``weights`` (best value) give each criterion's weight out of 100."""

    code: str
    case: str
    title: str
    procedure: TenderProcedure
    method: EvaluationMethod
    lots: tuple[Lot, ...]
    published_on: date
    closes_on: date
    invited: tuple[str, ...] = ()
    weights: Mapping[str, int] = field(default_factory=dict)
    standstill_days: int = 10
    state: TenderState = TenderState.OPEN
    awards: tuple[Award, ...] = ()
    cancel_reason: str = ""
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        check_text(self.title, "title", TITLE)
        if not self.lots:
            raise InvalidInput("a tender has at least one lot", field="lots")
        numbers = [lot.number for lot in self.lots]
        if numbers != list(range(1, len(numbers) + 1)):
            raise InvalidInput("lots are numbered 1, 2, 3, ... in order", field="lots")
        if self.closes_on < self.published_on:
            raise InvalidInput(f"the tender closes ({self.closes_on}) before it is published ({self.published_on})",
                               field="closes_on")
        if (self.procedure is TenderProcedure.INVITED) != bool(self.invited):
            raise InvalidInput("an invited tender names the suppliers it invites, and only it does", field="invited")
        if self.standstill_days < 0:
            raise InvalidInput("the standstill period is not negative", field="standstill_days")
        check_whole(self.standstill_days, "standstill_days", low=0, high=MAX_STANDSTILL_DAYS, what="a number of days")
        check_text(self.cancel_reason, "reason", REASON, required=False)
        if self.method is EvaluationMethod.BEST_VALUE:
            if PRICE not in self.weights:
                raise InvalidInput("best value weighs the price too: give a weight for 'price'", field="weights")
            if any(w <= 0 for w in self.weights.values()) or sum(self.weights.values()) != 100:
                raise InvalidInput(f"criterion weights are positive and add up to 100, not "
                                   f"{sum(self.weights.values())}", field="weights")
        elif self.weights:
            raise InvalidInput("only a best-value evaluation weighs criteria", field="weights")

    def lot(self, number: int) -> Lot:
        for lot in self.lots:
            if lot.number == number:
                return lot
        raise InvalidInput(f"tender {self.code} has no lot {number} (lots 1 to {len(self.lots)})", field="lot")

    def award_of(self, lot: int) -> Award | None:
        return next((a for a in self.awards if a.lot == lot), None)

    @property
    def criteria(self) -> list[str]:
        return sorted(c for c in self.weights if c != PRICE)


@dataclass(frozen=True, slots=True)
class Bid:
    tender: str
    lot: int
    supplier: str
    unit_price: Money
    delivery_days: int
    compliant: bool
    submitted_on: date
    scores: Mapping[str, int] = field(default_factory=dict)
    note: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        if self.unit_price.amount <= 0:
            raise InvalidInput("a bid's unit price is more than zero", field="unit_price")
        check_whole(self.lot, "lot", high=MAX_NUMBER, what="a lot number")
        if self.delivery_days <= 0:
            raise InvalidInput("delivery time is a positive number of days", field="delivery_days")
        check_whole(self.delivery_days, "delivery_days", high=MAX_DELIVERY_DAYS, what="a number of days")
        check_text(self.note, "note", NOTE, required=False)
        for criterion, score in self.scores.items():
            if not 0 <= score <= 100:
                raise InvalidInput(f"score for '{criterion}' is {score}; scores run from 0 to 100", field="scores")


def check_bid(tender: Tender, bid: Bid, existing: Sequence[Bid]) -> None:
    """A bid fits the tender: open, on time, by an invited supplier where invited, scored where best value."""
    if tender.state is not TenderState.OPEN:
        raise InvariantViolated(f"tender {tender.code} is {tender.state.value}; it takes no bids", field="tender")
    tender.lot(bid.lot)
    if not tender.published_on <= bid.submitted_on <= tender.closes_on:
        raise InvariantViolated(f"a bid on {bid.submitted_on} is outside the tender's period "
                                f"({tender.published_on} to {tender.closes_on})", field="submitted_on")
    if tender.procedure is TenderProcedure.INVITED and bid.supplier not in tender.invited:
        raise InvariantViolated(f"{bid.supplier} was not invited to tender {tender.code} "
                                f"(invited: {', '.join(tender.invited)})", field="supplier")
    if any(b.supplier == bid.supplier and b.lot == bid.lot for b in existing):
        raise InvariantViolated(f"{bid.supplier} has already bid for lot {bid.lot} of {tender.code}", field="supplier")
    if tender.method is EvaluationMethod.BEST_VALUE:
        missing = sorted(set(tender.criteria) - set(bid.scores))
        if missing:
            raise InvalidInput(f"best value needs a score for {', '.join(missing)}", field="scores")
        extra = sorted(set(bid.scores) - set(tender.criteria))
        if extra:
            raise InvalidInput(f"tender {tender.code} has no criterion {', '.join(extra)}", field="scores")
    elif bid.scores:
        raise InvalidInput("scores apply only to a best-value evaluation", field="scores")


@dataclass(frozen=True, slots=True)
class RankedBid:
    bid: Bid
    price: int  # the lot's total price in the reporting currency, minor units
    rank: int | None  # None: not technically compliant, so not ranked
    score: Fraction | None = None  # best value: the weighted score out of 100

    @property
    def shown_score(self) -> str:
        return "" if self.score is None else f"{Decimal(self.score.numerator) / Decimal(self.score.denominator):.2f}"


def evaluate(tender: Tender, lot: int, bids: Sequence[Bid], prices: Mapping[int, int]) -> list[RankedBid]:
    """Rank the bids for one lot; ``prices`` is each bid's total price in the reporting currency.

    Lowest price technically acceptable: compliant bids by price, then delivery time, then the earlier bid.
    Best value: the price scores 100 x lowest price / price; the total is the weighted mean of price and
    criterion scores; highest first, then lower price, then the earlier bid. Non-compliant bids are listed
    unranked.
    """
    own = [b for b in bids if b.lot == lot]
    compliant = [b for b in own if b.compliant]
    ranked: list[RankedBid] = []
    if tender.method is EvaluationMethod.LOWEST_PRICE:
        order = sorted(compliant, key=lambda b: (prices[_id(b)], b.delivery_days, _id(b)))
        ranked = [RankedBid(b, prices[_id(b)], i) for i, b in enumerate(order, start=1)]
    elif compliant:
        lowest = min(prices[_id(b)] for b in compliant)
        scored = []
        for b in compliant:
            total = Fraction(tender.weights[PRICE] * 100 * lowest, prices[_id(b)])
            total += sum((Fraction(tender.weights[c] * b.scores[c]) for c in tender.criteria), Fraction(0))
            scored.append((total / 100, b))
        best = sorted(scored, key=lambda s: (-s[0], prices[_id(s[1])], _id(s[1])))
        ranked = [RankedBid(b, prices[_id(b)], i, score) for i, (score, b) in enumerate(best, start=1)]
    ranked += [RankedBid(b, prices[_id(b)], None) for b in sorted(own, key=_id) if not b.compliant]
    return ranked


def _id(bid: Bid) -> int:
    if bid.id is None:
        raise InvariantViolated("only a recorded bid is evaluated", field="bid")
    return bid.id


def award(tender: Tender, lot: int, ranking: Sequence[RankedBid], bid: int, justification: str, on: date,
          decision: int | None) -> Tender:
    """The tender with ``lot`` awarded to ``bid``, which must be the first-ranked compliant bid."""
    if tender.state is not TenderState.OPEN:
        raise InvariantViolated(f"tender {tender.code} is {tender.state.value}", field="tender")
    tender.lot(lot)
    if tender.award_of(lot) is not None:
        raise InvariantViolated(f"lot {lot} of {tender.code} is already awarded", field="lot")
    if on <= tender.closes_on:
        raise InvariantViolated(f"tender {tender.code} closes on {tender.closes_on}; the award comes after, "
                                f"not on {on}", field="on")
    check_text(justification, "justification", JUSTIFICATION)
    chosen = next((r for r in ranking if r.bid.id == bid), None)
    if chosen is None:
        raise InvalidInput(f"bid {bid} is not a bid for lot {lot} of {tender.code}", field="bid")
    if chosen.rank is None:
        raise InvariantViolated(f"bid {bid} is not technically compliant and cannot be awarded", field="bid")
    if chosen.rank != 1:
        first = next(r for r in ranking if r.rank == 1)
        raise InvariantViolated(f"bid {bid} ranks {chosen.rank} by {tender.method.value}; the award goes to the "
                                f"first-ranked bid ({first.bid.id})", field="bid")
    awarded = Award(lot, bid, justification.strip(), on, on + timedelta(days=tender.standstill_days), decision)
    awards = (*tender.awards, awarded)
    state = TenderState.AWARDED if len(awards) == len(tender.lots) else TenderState.OPEN
    return replace(tender, awards=awards, state=state)


# --- contracts -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContractLine:
    number: int
    requirement: str
    quantity: int
    unit_price: Money

    def __post_init__(self) -> None:
        check_whole(self.number, "lines.number", high=MAX_NUMBER, what="a line number")
        check_code(self.requirement, "lines.requirement")
        if self.quantity <= 0:
            raise InvalidInput(f"line {self.number}: {self.quantity} is not a positive quantity",
                               field="lines.quantity")
        check_whole(self.quantity, "lines.quantity", high=MAX_QUANTITY, what="a quantity")
        if self.unit_price.amount <= 0:
            raise InvalidInput(f"line {self.number}: the unit price is more than zero", field="lines.unit_price")

    @property
    def value(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class Milestone:
    number: int
    title: str
    due_on: date
    amount: Money

    def __post_init__(self) -> None:
        check_whole(self.number, "milestones.number", high=MAX_NUMBER, what="a milestone number")
        check_text(self.title, "milestones.title", TITLE)
        if self.amount.amount <= 0:
            raise InvalidInput(f"milestone {self.number}: the amount is more than zero", field="milestones.amount")


@dataclass(frozen=True, slots=True)
class ContractVersion:
    """One version of a contract's terms: version 1 as signed, each amendment a new version."""

    version: int
    on: date
    reason: str
    lines: tuple[ContractLine, ...]
    milestones: tuple[Milestone, ...] = ()

    def __post_init__(self) -> None:
        if not self.lines:
            raise InvalidInput("a contract has at least one line", field="lines")
        for items, what in ((self.lines, "lines"), (self.milestones, "milestones")):
            numbers = [item.number for item in items]
            if numbers != list(range(1, len(numbers) + 1)):
                raise InvalidInput(f"{what} are numbered 1, 2, 3, ... in order", field=what)
        currencies = {line.unit_price.currency for line in self.lines} | {m.amount.currency for m in self.milestones}
        if len(currencies) != 1:
            raise InvalidInput(f"a contract is in one currency, not {', '.join(sorted(currencies))}",
                               field="currency")
        if self.milestones and self.scheduled > self.value:
            raise InvariantViolated(f"the milestones schedule {self.scheduled}, more than the contract's value "
                                    f"{self.value}", field="milestones")
        check_text(self.reason, "reason", REASON)

    @property
    def currency(self) -> str:
        return self.lines[0].unit_price.currency

    @property
    def value(self) -> Money:
        return sum((line.value for line in self.lines[1:]), self.lines[0].value)

    @property
    def scheduled(self) -> Money:
        return sum((m.amount for m in self.milestones), Money.zero(self.currency))

    def line(self, number: int) -> ContractLine:
        for line in self.lines:
            if line.number == number:
                return line
        raise InvalidInput(f"the contract has no line {number}", field="line")

    def milestone(self, number: int) -> Milestone:
        for milestone in self.milestones:
            if milestone.number == number:
                return milestone
        raise InvalidInput(f"the contract has no milestone {number}", field="milestone")


def check_amendment(current: ContractVersion, new: ContractVersion, shipped: Mapping[int, int],
                    paid: Money) -> None:
    """An amendment keeps each line's requirement, ships no less than already shipped, and pays no less
    than already paid."""
    if new.currency != current.currency:
        raise InvariantViolated(f"an amendment keeps the contract's currency {current.currency}", field="currency")
    before = {line.number: line for line in current.lines}
    after = {line.number: line for line in new.lines}
    for number, line in before.items():
        if number not in after:
            if shipped.get(number, 0):
                raise InvariantViolated(f"line {number} has shipments and cannot be removed", field="lines")
            continue
        if after[number].requirement != line.requirement:
            raise InvariantViolated(f"line {number} keeps its requirement {line.requirement}", field="lines")
    for number, quantity in shipped.items():
        if number in after and after[number].quantity < quantity:
            raise InvariantViolated(f"line {number}: {quantity} already shipped, more than the amended "
                                    f"{after[number].quantity}", field="lines.quantity")
    if new.value < paid:
        raise InvariantViolated(f"the amended value {new.value} is less than the {paid} already paid",
                                field="lines")


@dataclass(frozen=True, slots=True)
class Contract:
    code: str
    case: str
    supplier: str
    signed_on: date
    versions: tuple[ContractVersion, ...]
    tender: str | None = None
    lots: tuple[int, ...] = ()
    in_kind: int | None = None  # the in-kind contribution a donation from stock transfers
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        if not self.versions:
            raise InvariantViolated("a contract has at least its signed version", field="versions")

    @property
    def current(self) -> ContractVersion:
        return self.versions[-1]

    def version(self, number: int) -> ContractVersion:
        for version in self.versions:
            if version.version == number:
                return version
        raise InvalidInput(f"contract {self.code} has no version {number} (1 to {len(self.versions)})",
                           field="version")


@dataclass(frozen=True, slots=True)
class LineChange:
    """How an amendment changed one line of a contract: its quantity and unit price before and after (None before
    for a line it added, None after for a line it removed)."""

    number: int
    requirement: str
    quantity_before: int | None
    quantity_after: int | None
    price_before: Money | None
    price_after: Money | None


def version_changes(before: ContractVersion, after: ContractVersion) -> list[LineChange]:
    """The lines an amendment changed, added or removed, by line number."""
    old = {line.number: line for line in before.lines}
    new = {line.number: line for line in after.lines}
    changes = []
    for number in sorted(old.keys() | new.keys()):
        was, now = old.get(number), new.get(number)
        if was is not None and now is not None and (was.quantity, was.unit_price) == (now.quantity, now.unit_price):
            continue
        line = now or was
        assert line is not None
        changes.append(LineChange(number, line.requirement, was.quantity if was else None,
                                  now.quantity if now else None, was.unit_price if was else None,
                                  now.unit_price if now else None))
    return changes


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment to the supplier: in the contract's currency, with the rate to the reporting currency."""

    contract: str
    paid_on: date
    amount: Money
    reporting: Money
    rate: Decimal
    rate_date: date
    rate_source: str
    milestone: int | None = None
    reference: str = ""
    reverses: int | None = None  # a reversal names the payment it undoes, with a reason
    reason: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        if self.amount.amount <= 0:
            raise InvalidInput("a payment is more than zero", field="amount")
        if self.reverses is not None and not self.reason.strip():
            raise InvalidInput("a reversal of a payment needs a reason", field="reason")
        check_text(self.reason, "reason", REASON, required=False)
        check_text(self.reference, "reference", REFERENCE, required=False)
        if self.milestone is not None:
            check_whole(self.milestone, "milestone", high=MAX_NUMBER, what="a milestone number")

    @property
    def signed_amount(self) -> Money:
        """The amount as it counts towards what is paid: negative for a reversal."""
        return -self.amount if self.reverses is not None else self.amount

    @property
    def signed_reporting(self) -> Money:
        return -self.reporting if self.reverses is not None else self.reporting


def paid_total(payments: Sequence[Payment], currency: str, milestone: int | None = None) -> Money:
    """What is paid under a contract (on one milestone), reversals deducted."""
    return sum((p.signed_amount for p in payments if milestone is None or p.milestone == milestone),
               Money.zero(currency))


@dataclass(frozen=True, slots=True)
class FundingShare:
    """Money of one contribution (so one donor) behind one contract line or one payment."""

    line: int
    contribution: int
    donor: str
    fund: str
    earmark: str
    units: int
    currency: str
    reporting: int
