"""News intake, reading: an article's text, its language and the registry changes it states, as events.

``read_article`` checks the file (not empty, not binary, under the size limit), has the reader take the
article's own text out of its page and tell its language (uk, ru or en; any other is refused), and reads the
events against what the registry holds: its parties with their names and identifiers, its coalitions with their
recipients and members' roles. It writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from coalition.domain.access import Actor, can
from coalition.domain.errors import InvalidInput, refusal
from coalition.domain.intake import (
    ArticleFormat,
    Event,
    KnownCoalition,
    KnownNames,
    KnownParty,
    Language,
    Reading,
    decode_article,
)
from coalition.domain.membership import roster_on
from coalition.domain.party import PartyKind
from coalition.services.audit import require
from coalition.services.ports import UnitOfWork


class ArticleReader(Protocol):
    """The language tools: the article's own text, its language, and the events it states."""

    def extract(self, text: str, form: ArticleFormat) -> str: ...

    def language(self, text: str) -> Language | None: ...

    def events(self, text: str, language: Language, published_on: date | None,
               known: KnownNames) -> tuple[Event, ...]: ...


def known_names(uow: UnitOfWork, actor: Actor, today: date) -> KnownNames:
    """The registry's parties (names, codes, identifiers) and coalitions (recipient, members' roles today)."""
    require(can(actor, "read_registry"))
    with uow:
        parties = uow.parties.all()
        identifiers: dict[str, list[str]] = {}
        for identifier in uow.parties.identifiers():
            identifiers.setdefault(identifier.party, []).append(identifier.value)
        known_parties = tuple(
            KnownParty(p.code, tuple(n for n in (p.name, p.name_uk, *identifiers.get(p.code, ())) if n),
                       p.kind is PartyKind.STATE, p.kind.value)
            for p in parties)
        coalitions = []
        for coalition in uow.coalitions.all():
            roster = roster_on(uow.memberships.changes(coalition.code), today)
            roles = {spell.party: spell.role.value for spell in roster}
            coalitions.append(KnownCoalition(coalition.code, coalition.name, coalition.recipient, roles))
    return KnownNames(known_parties, tuple(coalitions))


def read_article(uow: UnitOfWork, actor: Actor, raw: bytes, *, form: ArticleFormat, reader: ArticleReader,
                 today: date, published_on: date | None = None, source: str | None = None) -> Reading:
    """What the article states, read against the registry; nothing is written."""
    text = reader.extract(decode_article(raw), form)
    if not text.strip():
        raise refusal(InvalidInput, "the article has no text of its own once the page around it is left out",
                      field="path")
    language = reader.language(text)
    if language is None:
        raise refusal(InvalidInput, "the article's language is not Ukrainian, Russian or English", field="path")
    known = known_names(uow, actor, today)
    events = reader.events(text, language, published_on, known)
    return Reading(language, published_on, text, events, source)
