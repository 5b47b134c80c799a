"""News intake: what an article says about a coalition, read into events of a closed vocabulary.

A ``Reading`` is what ``coalition intake read`` makes of one article: its language, its publication day, the
article's own text (the news page's clutter left out) and the events it states. Each ``Event`` names its kind,
the coalition and the parties it concerns (by registry code where they resolve), its date at the precision the
text gives, an amount where one is stated, the kind's own ``attributes``, and the sentence it comes from with its
character offsets in ``Reading.text``. The JSON shape (``reading_json`` / ``reading_from_json``) is the one the
command prints and the review queue stores.

Pure data: the readers that find events live in the adapters; the queue that compares and applies them lives in
the services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from coalition.domain.errors import InvalidInput, refusal

MAX_ARTICLE_BYTES = 1_000_000  # the largest article `intake read` accepts, in bytes of UTF-8

def plain(amount: Decimal) -> str:
    """The amount as a plain decimal string, never in exponent form ("1500000000", "2.3")."""
    text = format(amount.normalize(), "f")
    return text


class Language(StrEnum):
    UK = "uk"
    RU = "ru"
    EN = "en"


class EventKind(StrEnum):
    COALITION_FOUNDED = "coalition-founded"
    INSTRUMENT_SIGNED = "instrument-signed"
    MEMBER_JOINED = "member-joined"
    MEETING_HELD = "meeting-held"
    FUNDING_MILESTONE = "funding-milestone"
    MEMBERSHIP_COUNT = "membership-count"
    CONTRACT_PLACED = "contract-placed"
    AID_MOBILISED = "aid-mobilised"
    FINANCING_PROPOSED = "financing-proposed"
    FACILITY_OPENED = "facility-opened"


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to the day, the month or only the year."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs its month")
        date(self.year, self.month or 1, self.day or 1)  # raises on an impossible date

    @property
    def precision(self) -> DatePrecision:
        if self.day is not None:
            return DatePrecision.DAY
        return DatePrecision.MONTH if self.month is not None else DatePrecision.YEAR

    def iso(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}" if self.month is not None else f"{self.year:04d}"

    def earliest(self) -> date:
        """The first day the date may mean (for comparing with the registry's days)."""
        return date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        parts = [int(p) for p in text.split("-")]
        return cls(*parts)

    @classmethod
    def of(cls, day: date) -> PartialDate:
        return cls(day.year, day.month, day.day)


@dataclass(frozen=True, slots=True)
class CoalitionMention:
    """A coalition as the article names it; ``code`` is the registry's where it resolves (None: a new one)."""

    code: str | None
    name: str


@dataclass(frozen=True, slots=True)
class PartyMention:
    """A party as the article names it; ``code`` is the registry's (ISO 3166 alpha-2 for a state) where known."""

    code: str | None
    name: str
    role: str | None = None


@dataclass(frozen=True, slots=True)
class StatedAmount:
    """An amount as stated: exact decimal, ISO 4217 currency, and whether the text says "about"."""

    amount: Decimal
    currency: str
    approximate: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    evidence: str
    span: tuple[int, int]
    confidence: float
    coalition: CoalitionMention | None = None
    parties: tuple[PartyMention, ...] = ()
    date: PartialDate | None = None
    place: str | None = None
    amount: StatedAmount | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def fact_key(self) -> str:
        """What makes two events the same fact, whichever article or sentence states it."""
        parties = ",".join(sorted(f"{p.code or p.name.casefold()}:{p.role or ''}" for p in self.parties))
        coalition = (self.coalition.code or self.coalition.name.casefold()) if self.coalition else ""
        when = self.date.iso() if self.date else ""
        amount = f"{plain(self.amount.amount)}{self.amount.currency}" if self.amount else ""
        return "|".join((self.kind.value, coalition, parties, when, amount))


@dataclass(frozen=True, slots=True)
class Reading:
    language: Language
    published_on: date | None
    text: str
    events: tuple[Event, ...] = ()
    source: str | None = None


class ArticleFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"

    @classmethod
    def of_name(cls, name: str) -> ArticleFormat:
        """The format a file's name suggests: .html/.htm, .md/.markdown, anything else plain text."""
        suffix = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
        if suffix in ("html", "htm", "xhtml"):
            return cls.HTML
        return cls.MARKDOWN if suffix in ("md", "markdown") else cls.TEXT


def check_article_size(size: int, field: str = "path") -> None:
    """Refuse an article of ``size`` bytes if it is over the limit, naming its size."""
    if size > MAX_ARTICLE_BYTES:
        raise refusal(InvalidInput, "the article is {size} bytes, over the limit of {limit} bytes", field=field,
                      size=size, limit=MAX_ARTICLE_BYTES)


def decode_article(raw: bytes, field: str = "path") -> str:
    """The article's text, or a refusal naming what is wrong: empty, over the size limit, or not UTF-8 text."""
    check_article_size(len(raw), field)
    if b"\x00" in raw:
        raise refusal(InvalidInput, "the article is a binary file, not UTF-8 text", field=field)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise refusal(InvalidInput, "the article is not UTF-8 text (byte {position} is not): a binary file, or text "
                      "in another encoding; save it as UTF-8", field=field, position=error.start + 1) from None
    if not text.strip():
        raise refusal(InvalidInput, "the article is empty", field=field)
    return text


@dataclass(frozen=True, slots=True)
class KnownParty:
    """A registry party as the reader matches it: its code, its names and identifiers, whether it is a state."""

    code: str
    names: tuple[str, ...]
    state: bool
    kind: str | None = None  # the registry's party kind ("ministry", "agency", ...)


@dataclass(frozen=True, slots=True)
class KnownCoalition:
    """A registry coalition as the reader matches it, with its recipient and its members' current roles."""

    code: str
    name: str
    recipient: str | None = None
    roles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KnownNames:
    """What the registry holds that an article may name."""

    parties: tuple[KnownParty, ...] = ()
    coalitions: tuple[KnownCoalition, ...] = ()


# --- the JSON shape ---------------------------------------------------------------------------------------------

def event_json(event: Event) -> dict[str, Any]:
    return {
        "kind": event.kind.value,
        "coalition": ({"code": event.coalition.code, "name": event.coalition.name} if event.coalition else None),
        "parties": [{"code": p.code, "name": p.name, "role": p.role} for p in event.parties],
        "date": event.date.iso() if event.date else None,
        "date_precision": event.date.precision.value if event.date else None,
        "place": event.place,
        "amount": ({"amount": plain(event.amount.amount), "currency": event.amount.currency,
                    "approximate": event.amount.approximate} if event.amount else None),
        "attributes": dict(event.attributes),
        "evidence": event.evidence,
        "span": [event.span[0], event.span[1]],
        "confidence": round(event.confidence, 3),
    }


def reading_json(reading: Reading) -> dict[str, Any]:
    return {
        "language": reading.language.value,
        "published_on": reading.published_on.isoformat() if reading.published_on else None,
        "events": [event_json(e) for e in reading.events],
    }


def event_from_json(data: Mapping[str, Any]) -> Event:
    coalition = data.get("coalition")
    amount = data.get("amount")
    start, end = data["span"]
    return Event(
        kind=EventKind(data["kind"]),
        evidence=data["evidence"],
        span=(int(start), int(end)),
        confidence=float(data["confidence"]),
        coalition=CoalitionMention(coalition.get("code"), coalition["name"]) if coalition else None,
        parties=tuple(PartyMention(p.get("code"), p["name"], p.get("role")) for p in data.get("parties", ())),
        date=PartialDate.parse(data["date"]) if data.get("date") else None,
        place=data.get("place"),
        amount=(StatedAmount(Decimal(amount["amount"]), amount["currency"], bool(amount.get("approximate")))
                if amount else None),
        attributes=dict(data.get("attributes") or {}),
    )


def events_from_json(items: Sequence[Mapping[str, Any]]) -> tuple[Event, ...]:
    return tuple(event_from_json(item) for item in items)
