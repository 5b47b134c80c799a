"""SQL storage of Danish-model offers: the offer row written once, the donor's dated answers appended."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.statements import insert_row
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.money import Money
from coalition.domain.offers import Offer, OfferAnswer, OfferRecord, OfferReply


def _offer(row: Any) -> Offer:
    return Offer(row.code, row.coalition, row.recipient, row.donor, row.producer, row.purpose,
                 Money.from_minor_units(row.amount_minor, row.currency), row.offered_on, tuple(row.requirements),
                 row.illustrative)


def _reply(row: Any) -> OfferReply:
    return OfferReply(row.offer, OfferAnswer(row.answer), row.answered_on, row.note, row.case_code,
                      datetime.fromisoformat(row.recorded_at), row.id)


@rebuilds_stored_values
class SqlOfferRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def add(self, offer: Offer) -> None:
        insert_row(self._c, t.offers, dict(
            code=offer.code, coalition=offer.coalition, recipient=offer.recipient, donor=offer.donor,
            producer=offer.producer, purpose=offer.purpose, amount_minor=offer.amount.to_minor_units(),
            currency=offer.amount.currency, offered_on=offer.offered_on, requirements=list(offer.requirements),
            illustrative=offer.illustrative))

    def get(self, code: str) -> OfferRecord | None:
        found = self._records(t.offers.c.code == code)
        return found[0] if found else None

    def every(self, coalition: str | None = None) -> list[OfferRecord]:
        return self._records(None if coalition is None else t.offers.c.coalition == coalition)

    def _records(self, where: sa.ColumnElement[bool] | None) -> list[OfferRecord]:
        """The offers ``where`` says, with their answers: two queries whatever their number."""
        o, a = t.offers, t.offer_answers
        query = sa.select(o).order_by(o.c.offered_on, o.c.code)
        offers = [_offer(row) for row in self._c.execute(query if where is None else query.where(where))]
        if not offers:
            return []
        replies: dict[str, list[OfferReply]] = defaultdict(list)
        for row in self._c.execute(sa.select(a).where(a.c.offer.in_([x.code for x in offers])).order_by(a.c.id)):
            replies[row.offer].append(_reply(row))
        return [OfferRecord(offer, tuple(replies[offer.code])) for offer in offers]

    def add_reply(self, reply: OfferReply, recorded_at: datetime) -> None:
        insert_row(self._c, t.offer_answers, dict(
            offer=reply.offer, answer=reply.answer.value, answered_on=reply.on, recorded_at=recorded_at.isoformat(),
            note=reply.note, case_code=reply.case))
