"""Danish-model offers: record the recipient's offer to a donor, record the donor's dated answers, list and read.

An acceptance opens the direct-industry case through ``procurement.cases.open_case`` in the same transaction,
so the case obeys every rule of a case opened by hand (its requirements funded, money reserved for them),
and the offer, its answer and the case are committed together or not at all.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from coalition.domain.access import Actor, can
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.errors import Conflict, InvalidInput, NotFound, refusal
from coalition.domain.offers import (
    Offer,
    OfferAnswer,
    OfferRecord,
    OfferReply,
    check_offered,
    check_producer,
    direct_industry_case,
    reply,
)
from coalition.services.audit import record_change, require
from coalition.services.planning import load_requirement
from coalition.services.ports import UnitOfWork
from coalition.services.procurement.cases import open_case
from coalition.services.registry import load_coalition, load_party

NO_OFFER = "no offer '{code}'"
ALREADY = "an offer with code '{code}' already exists"
OTHER_COALITION = "requirement {requirement} belongs to {owner}, not {coalition}"
TEXTS = (NO_OFFER, ALREADY, OTHER_COALITION)


def load_offer(uow: UnitOfWork, code: str) -> OfferRecord:
    """The offer with ``code`` and its answers, or NotFound naming the field."""
    found = uow.offers.get(code)
    if found is None:
        raise refusal(NotFound, NO_OFFER, field="offer", code=code)
    return found


def record_offer(uow: UnitOfWork, actor: Actor, offer: Offer) -> OfferRecord:
    """Record the recipient's offer: its parties exist, its producer is in the recipient's country, its
    requirements are the coalition's, and it was made no later than today."""
    require(can(actor, "manage_offers", offer.coalition))
    with uow:
        coalition = load_coalition(uow, offer.coalition)
        load_party(uow, offer.recipient, "recipient")
        load_party(uow, offer.donor, "donor")
        check_producer(offer, load_party(uow, offer.producer, "producer").country, coalition.recipient)
        for code in offer.requirements:
            owner = load_requirement(uow, code, "requirements").coalition
            if owner != offer.coalition:
                raise refusal(InvalidInput, OTHER_COALITION, field="requirements", requirement=code, owner=owner,
                              coalition=offer.coalition)
        check_offered(offer, uow.clock().date())
        if uow.offers.get(offer.code) is not None:
            raise refusal(Conflict, ALREADY, field="code", code=offer.code)
        uow.offers.add(offer)
        record_change(uow, actor, AuditEvent("record_offer", "offer", offer.code, None, snapshot(offer)))
        uow.commit()
    return OfferRecord(offer)


def answer_offer(uow: UnitOfWork, actor: Actor, code: str, answer: OfferAnswer, *, on: date, note: str = "",
                 case: str | None = None) -> OfferRecord:
    """Record the donor's answer of ``on``. Accepted: the offer becomes the direct-industry case ``case`` (the
    offer's code unless named), opened that day by the ordinary procurement service."""
    with uow:
        record = load_offer(uow, code)
        require(can(actor, "answer_offers", record.offer.coalition))
        answered = reply(record, answer, on, uow.clock().date(), note)
        if answer is OfferAnswer.ACCEPTED:
            opened = open_case(uow, actor, direct_industry_case(record.offer, case or code, on))
            answered = dataclasses.replace(answered, case=opened.code)
        uow.offers.add_reply(answered, uow.clock())
        record_change(uow, actor, AuditEvent("answer_offer", "offer", code, {"answer": record.answer.value},
                                             snapshot(answered)))
        uow.commit()
    return OfferRecord(record.offer, (*record.replies, answered))


def list_offers(uow: UnitOfWork, actor: Actor, coalition: str) -> list[OfferRecord]:
    """The coalition's offers, oldest first."""
    require(can(actor, "read_offers", coalition))
    with uow:
        load_coalition(uow, coalition)
        return uow.offers.every(coalition)


def get_offer(uow: UnitOfWork, actor: Actor, code: str) -> OfferRecord:
    """One offer with its answers."""
    with uow:
        record = load_offer(uow, code)
        require(can(actor, "read_offers", record.offer.coalition))
        return record


@dataclasses.dataclass(frozen=True, slots=True)
class OfferView:
    """An offer as the API and the pages show it: where it stands beside its dated answers."""

    offer: Offer
    answer: OfferAnswer
    case: str | None
    answers: list[OfferReply]


def view(record: OfferRecord) -> OfferView:
    return OfferView(record.offer, record.answer, record.case, list(record.replies))
