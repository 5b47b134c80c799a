"""Search over the record: what may be found (requirements, procurement cases, contracts, parties, proposals and
documents), what a hit names, and the rule a query keeps.

The words of a query are matched as the beginnings of words in the indexed text, each word required; a
Ukrainian or Russian word also matches its dictionary form, so "дронів" finds "дрони", and English words are
matched by their stems, so "drones" finds "drone". What a viewer is shown of the hits is decided by the same
permissions as the records' own pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from coalition.domain.errors import InvalidInput, refusal

MAX_QUERY = 200  # characters of a query
MAX_WORDS = 8  # words of a query that count; the rest are ignored
SHOWN = 50  # hits shown at most

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class SearchKind(StrEnum):
    REQUIREMENT = "requirement"
    CASE = "case"
    CONTRACT = "contract"
    PARTY = "party"
    PROPOSAL = "proposal"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A record the query found: its kind and key, the coalition it stands in (none for parties and documents),
    its title and, where the record holds one, its Ukrainian title; and for a document the record it is
    attached to (record type and key)."""

    kind: SearchKind
    key: str
    coalition: str | None
    title: str
    title_uk: str | None = None
    attached_to: tuple[str, str] | None = None

    def title_in(self, language: str) -> str:
        """The title in ``language`` where the record holds one, else as recorded."""
        return self.title_uk if language == "uk" and self.title_uk else self.title


def query_words(text: str) -> list[str]:
    """The words a query searches for, lower-cased, at most MAX_WORDS; a query too long or without a word is
    refused naming the field ``q``."""
    if len(text) > MAX_QUERY:
        raise refusal(InvalidInput, "a search is at most {limit} characters", field="q", limit=MAX_QUERY)
    words = [word.casefold() for word in _WORD.findall(text)]
    if not words:
        raise refusal(InvalidInput, "a search needs at least one word (letters or digits)", field="q")
    return list(dict.fromkeys(words))[:MAX_WORDS]
