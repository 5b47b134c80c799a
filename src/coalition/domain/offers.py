"""Danish-model offers: the recipient proposes to a donor that it finance the recipient's own defence industry
directly.

The "Danish model" (Denmark financing Ukrainian production since 2024) is direct industry financing
offered by the recipient's ministry: an offer names the donor, the amount, the producer in the recipient's
own country and what it would produce, and the requirements of a coalition it would answer. The donor's
answers are dated acts, appended:

    open -> open (still under consideration, a later dated answer) -> accepted | declined

An accepted offer becomes a procurement case on the direct-industry route, opened through the ordinary
procurement service, so the same rules hold (the requirements must be funded, with money reserved); an offer
naming no requirement cannot be accepted. Accepted and declined are final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from coalition.domain.common import check_code, check_move
from coalition.domain.contributions import FundingRoute
from coalition.domain.errors import InvalidInput, InvariantViolated, refusal
from coalition.domain.limits import NOTE, TITLE, check_text
from coalition.domain.money import Money
from coalition.domain.procurement import ProcurementCase


class OfferAnswer(StrEnum):
    OPEN = "open"  # no answer yet, or the donor is still considering it
    ACCEPTED = "accepted"
    DECLINED = "declined"


A = OfferAnswer
ANSWER_TRANSITIONS: dict[OfferAnswer, frozenset[OfferAnswer]] = {
    A.OPEN: frozenset({A.OPEN, A.ACCEPTED, A.DECLINED}),
    A.ACCEPTED: frozenset(),
    A.DECLINED: frozenset(),
}

AMOUNT_POSITIVE = "an offer's amount is positive, not {amount}"
SAME_PARTY = "the donor of an offer is another party than the recipient who offers it ({party})"
TWICE = "requirement {requirement} is named twice"
IN_FUTURE = "an answer of {day} is in the future: it is dated {today} at the latest"
BEFORE = "an answer of {day} cannot precede {what} ({last})"
NOTHING_TO_FINANCE = ("offer {offer} names no requirement: an accepted offer becomes a direct-industry case for "
                      "the requirements it finances; record them on the offer first")
PRODUCER_ABROAD = ("the Danish model finances the recipient's own industry: {producer} is in {country}, not "
                   "{recipient}")
OFFERED_IN_FUTURE = "an offer of {day} is in the future: it is dated {today} at the latest"
TEXTS = (AMOUNT_POSITIVE, SAME_PARTY, TWICE, IN_FUTURE, BEFORE, NOTHING_TO_FINANCE, PRODUCER_ABROAD,
         OFFERED_IN_FUTURE)


@dataclass(frozen=True, slots=True)
class Offer:
    """The recipient's proposal that ``donor`` finance ``producer`` for ``purpose``, in ``coalition``."""

    code: str
    coalition: str
    recipient: str  # the ministry that offers (and later orders from the producer)
    donor: str
    producer: str
    purpose: str
    amount: Money
    offered_on: date
    requirements: tuple[str, ...] = ()
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        for role in ("coalition", "recipient", "donor", "producer"):
            check_code(getattr(self, role), role)
        check_text(self.purpose, "purpose", TITLE)
        if self.donor == self.recipient:
            raise refusal(InvalidInput, SAME_PARTY, field="donor", party=self.recipient)
        if self.amount.amount <= 0:
            raise refusal(InvalidInput, AMOUNT_POSITIVE, field="amount", amount=self.amount)
        seen: set[str] = set()
        for requirement in self.requirements:
            check_code(requirement, "requirements")
            if requirement in seen:
                raise refusal(InvalidInput, TWICE, field="requirements", requirement=requirement)
            seen.add(requirement)


@dataclass(frozen=True, slots=True)
class OfferReply:
    """A dated answer to an offer; an acceptance names the direct-industry case it opened."""

    offer: str
    answer: OfferAnswer
    on: date
    note: str = ""
    case: str | None = None
    recorded_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        check_text(self.note, "note", NOTE, required=False)


@dataclass(frozen=True, slots=True)
class OfferRecord:
    """An offer with its answers, oldest first; it stands as its last answer says (open if none)."""

    offer: Offer
    replies: tuple[OfferReply, ...] = ()

    @property
    def answer(self) -> OfferAnswer:
        return self.replies[-1].answer if self.replies else OfferAnswer.OPEN

    @property
    def case(self) -> str | None:
        return next((r.case for r in reversed(self.replies) if r.case), None)


def check_offered(offer: Offer, today: date) -> None:
    """An offer is recorded after it was made, never ahead of it."""
    if offer.offered_on > today:
        raise refusal(InvariantViolated, OFFERED_IN_FUTURE, field="offered_on", day=offer.offered_on, today=today)


def check_producer(offer: Offer, producer_country: str | None, recipient_country: str) -> None:
    """The producer is in the recipient's own country: the offer finances the recipient's industry."""
    if producer_country != recipient_country:
        raise refusal(InvalidInput, PRODUCER_ABROAD, field="producer", producer=offer.producer,
                      country=producer_country or "no country", recipient=recipient_country)


def reply(record: OfferRecord, answer: OfferAnswer, on: date, today: date, note: str = "") -> OfferReply:
    """The next answer: one the offer's state allows, dated no later than today and not before the offer or its
    last answer; an acceptance needs requirements to finance."""
    offer = record.offer
    check_move(ANSWER_TRANSITIONS, f"offer {offer.code}", record.answer, answer, "answer")
    if on > today:
        raise refusal(InvariantViolated, IN_FUTURE, field="on", day=on, today=today)
    last, what = ((record.replies[-1].on, "the last answer") if record.replies
                  else (offer.offered_on, "the offer"))
    if on < last:
        raise refusal(InvariantViolated, BEFORE, field="on", day=on, what=what, last=last)
    if answer is OfferAnswer.ACCEPTED and not offer.requirements:
        raise refusal(InvariantViolated, NOTHING_TO_FINANCE, field="requirements", offer=offer.code)
    return OfferReply(offer.code, answer, on, note)


def direct_industry_case(offer: Offer, code: str, on: date) -> ProcurementCase:
    """The case an accepted offer becomes: the recipient ministry buys the offer's requirements from its own
    industry, on the direct-industry route, opened on the day of the acceptance."""
    return ProcurementCase(code, offer.coalition, FundingRoute.DIRECT_INDUSTRY, offer.purpose, offer.requirements,
                           offer.recipient, on, illustrative=offer.illustrative)
