"""The review queue of the news intake: articles kept once, the facts they state as proposals, and how each
proposal stands against the registry.

An ``Article`` is kept once per SHA-256 of what was read. Each event an article states becomes a ``Proposal``
keyed by its fact (``Event.fact_key``): the same fact read in a second article is the same proposal with a second
``Source``. A proposal is decided once (``Decision``): accepted (applied through the registry's services) or
rejected with a reason.

``compare`` says how a proposal stands against what the registry holds (``RegistryFacts``): already ``recorded``
(and where), ``new``, ``contradicts`` it (the registry says a party joined on another day than the article), or
``not-applicable`` (a kind the registry keeps no record of). Dates are compared at the precision the article gives:
a month matches any day of that month.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from coalition.domain.coalition import Coalition, MembershipRole
from coalition.domain.errors import InvalidInput, refusal
from coalition.domain.instrument import Instrument, Signature
from coalition.domain.intake import DatePrecision, Event, EventKind, Language, PartialDate, Reading, event_from_json
from coalition.domain.limits import (
    AMOUNT_DIGITS,
    ARTICLE_SOURCE,
    ARTICLE_TEXT,
    EVIDENCE,
    NAME,
    NOTE,
    REASON,
    check_text,
)
from coalition.domain.membership import ChangeKind, MembershipChange, roster_on
from coalition.domain.steering import Meeting

MAX_ARTICLE_BYTES = 400_000  # a file read for the queue: four bytes a character at most, for the text's limit
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")


class ProposalStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Standing(StrEnum):
    RECORDED = "recorded"
    NEW = "new"
    CONTRADICTS = "contradicts"
    NOT_APPLICABLE = "not-applicable"


# How a proposal stands, as templates (the pages show them in the reader's language).
NO_COALITION = "the registry has no coalition {name}"
FOUNDED_SAME = "{coalition} founded on {day} at {place}"
FOUNDED_OTHER = "the registry records {coalition} founded on {day}; the article says {said}"
JOINED_SAME = "membership of {party} in {coalition} since {day}"
JOINED_OTHER = "the registry records {party} joining {coalition} on {day}; the article says {said}"
NOT_MEMBER = "the registry has no membership of {party} in {coalition}"
UNKNOWN_PARTY = "the registry has no party {name}"
SIGNED_SAME = "instrument {instrument} signed by {party} on {day}"
SIGNED_OTHER = "the registry records {party} signing {instrument} on {day}; the article says {said}"
NOT_SIGNED = "the registry has no {kind} of {coalition} signed by {parties}"
MET_SAME = "meeting {meeting} of {coalition} on {day}"
NOT_MET = "the registry has no meeting of {coalition} on {said}"
COUNT_SAME = "{count} members of {coalition} on {day}"
COUNT_OTHER = "the registry counts {count} members of {coalition} on {day}; the article says {said}"
NOT_KEPT = "the registry keeps no record of this kind; accepting notes it in the audit record"
COMPARISONS = (NO_COALITION, FOUNDED_SAME, FOUNDED_OTHER, JOINED_SAME, JOINED_OTHER, NOT_MEMBER, UNKNOWN_PARTY,
               SIGNED_SAME, SIGNED_OTHER, NOT_SIGNED, MET_SAME, NOT_MET, COUNT_SAME, COUNT_OTHER, NOT_KEPT)

BAD_DIGEST = "must be a SHA-256 digest: 64 lowercase hexadecimal digits"
TEXTS = (BAD_DIGEST,)


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Article:
    """An article as the queue keeps it: what was read (its SHA-256), from where, when it was published."""

    sha256: str
    source: str
    published_on: date | None
    language: Language
    text: str
    added_by: str = ""
    added_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if not _SHA256.match(self.sha256):
            raise refusal(InvalidInput, BAD_DIGEST, field="sha256")
        object.__setattr__(self, "source", check_text(self.source, "source", ARTICLE_SOURCE))
        check_text(self.text, "text", ARTICLE_TEXT)

    def cited(self) -> str:
        """How the audit record and a membership's note name the article."""
        return f"intake article {self.sha256[:12]} ({self.source})"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a proposal was read: an article, its sentence and the sentence's place in the article's text."""

    article: int
    evidence: str
    span: tuple[int, int]
    confidence: float
    sha256: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        check_text(self.evidence, "evidence", EVIDENCE)


@dataclass(frozen=True, slots=True)
class Decision:
    status: ProposalStatus
    decided_by: str
    decided_at: datetime
    reason: str = ""
    result: str = ""

    def __post_init__(self) -> None:
        if self.status is ProposalStatus.PENDING:
            raise InvalidInput("a decision accepts or rejects", field="status")
        check_text(self.reason, "reason", REASON, required=self.status is ProposalStatus.REJECTED)


@dataclass(frozen=True, slots=True)
class Proposal:
    """One fact, as the articles that state it say it, waiting for (or with) its decision."""

    fact_key: str
    event: Event
    sources: tuple[Source, ...] = ()
    decision: Decision | None = None
    id: int | None = None

    @property
    def status(self) -> ProposalStatus:
        return ProposalStatus.PENDING if self.decision is None else self.decision.status

    @property
    def fact_digest(self) -> str:
        return fact_digest(self.fact_key)


def fact_digest(fact_key: str) -> str:
    return digest_of(fact_key.encode("utf-8"))


def spans_within(event: Event, text: str) -> tuple[int, int]:
    """The event's span if it lies within ``text``, else the evidence sentence's first place in it (or 0, 0)."""
    start, end = event.span
    if 0 <= start < end <= len(text):
        return start, end
    found = text.find(event.evidence)
    return (found, found + len(event.evidence)) if found >= 0 else (0, 0)


# --- comparison with the registry ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    standing: Standing
    template: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def detail(self) -> str:
        return self.template.format(**self.values)


@dataclass(frozen=True, slots=True)
class RegistryFacts:
    """What the registry holds about the coalition an event names (None: no such coalition)."""

    coalition: Coalition | None
    parties: frozenset[str] = frozenset()
    changes: tuple[MembershipChange, ...] = ()
    instruments: tuple[tuple[Instrument, tuple[Signature, ...]], ...] = ()
    meetings: tuple[Meeting, ...] = ()


def matches(said: PartialDate, day: date) -> bool:
    """Whether ``day`` is a day the date may mean, at its precision."""
    if said.precision is DatePrecision.DAY:
        return said.earliest() == day
    if said.precision is DatePrecision.MONTH:
        return (said.year, said.month) == (day.year, day.month)
    return said.year == day.year


def latest(said: PartialDate) -> date:
    """The last day the date may mean."""
    if said.precision is DatePrecision.DAY:
        return said.earliest()
    if said.precision is DatePrecision.MONTH and said.month != 12:
        return date.fromordinal(date(said.year, (said.month or 1) + 1, 1).toordinal() - 1)
    return date(said.year, 12, 31)


def _coded(event: Event) -> list[str]:
    return [p.code for p in event.parties if p.code]


def _unknown(event: Event, facts: RegistryFacts) -> Comparison | None:
    for party in event.parties:
        if not party.code or party.code not in facts.parties:
            return Comparison(Standing.NEW, UNKNOWN_PARTY, {"name": party.code or party.name})
    return None


def _founded(event: Event, coalition: Coalition) -> Comparison:
    day = coalition.founded_on.isoformat()
    if event.date is not None and not matches(event.date, coalition.founded_on):
        return Comparison(Standing.CONTRADICTS, FOUNDED_OTHER,
                          {"coalition": coalition.code, "day": day, "said": event.date.iso()})
    return Comparison(Standing.RECORDED, FOUNDED_SAME,
                      {"coalition": coalition.code, "day": day, "place": coalition.founded_at})


def _joined(event: Event, facts: RegistryFacts, coalition: Coalition) -> Comparison:
    unknown = _unknown(event, facts)
    if unknown is not None:
        return unknown
    found: list[Comparison] = []
    for party in _coded(event):
        joins = [c.effective_on for c in facts.changes if c.party == party and c.kind is ChangeKind.JOINED]
        values = {"party": party, "coalition": coalition.code}
        if not joins:
            found.append(Comparison(Standing.NEW, NOT_MEMBER, values))
        elif event.date is None or any(matches(event.date, day) for day in joins):
            same = next((d for d in joins if event.date is None or matches(event.date, d)), joins[0])
            found.append(Comparison(Standing.RECORDED, JOINED_SAME, {**values, "day": same.isoformat()}))
        else:
            found.append(Comparison(Standing.CONTRADICTS, JOINED_OTHER,
                                    {**values, "day": joins[0].isoformat(), "said": event.date.iso()}))
    return _worst(found)


def _worst(found: Sequence[Comparison]) -> Comparison:
    for standing in (Standing.CONTRADICTS, Standing.NEW, Standing.RECORDED):
        for comparison in found:
            if comparison.standing is standing:
                return comparison
    return Comparison(Standing.NOT_APPLICABLE, NOT_KEPT)


def _signatures(event: Event, facts: RegistryFacts, kind: str, parties: Sequence[str]) -> list[Comparison]:
    found: list[Comparison] = []
    for instrument, signatures in facts.instruments:
        if kind and instrument.kind.value != kind:
            continue
        for signature in (s for s in signatures if s.party in parties):
            values = {"instrument": instrument.code, "party": signature.party,
                      "day": signature.signed_on.isoformat()}
            if event.date is None or matches(event.date, signature.signed_on):
                found.append(Comparison(Standing.RECORDED, SIGNED_SAME, values))
            else:
                found.append(Comparison(Standing.CONTRADICTS, SIGNED_OTHER, {**values, "said": event.date.iso()}))
    return found


def _signed(event: Event, facts: RegistryFacts, coalition: Coalition) -> Comparison:
    unknown = _unknown(event, facts)
    if unknown is not None:
        return unknown
    kind = str(event.attributes.get("instrument") or "")
    parties = _coded(event)
    found = _signatures(event, facts, kind, parties)
    recorded = [c for c in found if c.standing is Standing.RECORDED]
    if recorded or found:
        return (recorded or found)[0]
    return Comparison(Standing.NEW, NOT_SIGNED, {"kind": kind or "instrument", "coalition": coalition.code,
                                                 "parties": ", ".join(parties) or "-"})


def _met(event: Event, facts: RegistryFacts, coalition: Coalition) -> Comparison:
    said = event.date.iso() if event.date else "-"
    for meeting in facts.meetings:
        if event.date is not None and matches(event.date, meeting.held_on):
            return Comparison(Standing.RECORDED, MET_SAME, {"meeting": str(meeting.id), "coalition": coalition.code,
                                                            "day": meeting.held_on.isoformat()})
    return Comparison(Standing.NEW, NOT_MET, {"coalition": coalition.code, "said": said})


def _counted(event: Event, facts: RegistryFacts, coalition: Coalition) -> Comparison:
    count = event.attributes.get("count")
    if event.date is None or not isinstance(count, int) or isinstance(count, bool):
        return Comparison(Standing.NOT_APPLICABLE, NOT_KEPT)
    day = latest(event.date)
    held = len({spell.party for spell in roster_on(facts.changes, day)
                if spell.role is not MembershipRole.OBSERVER})
    values = {"count": str(held), "coalition": coalition.code, "day": day.isoformat()}
    if held == count:
        return Comparison(Standing.RECORDED, COUNT_SAME, values)
    return Comparison(Standing.CONTRADICTS, COUNT_OTHER, {**values, "said": str(count)})


def compare(event: Event, facts: RegistryFacts) -> Comparison:
    """How ``event`` stands against what the registry holds about its coalition."""
    coalition = facts.coalition
    needs_coalition = {EventKind.COALITION_FOUNDED, EventKind.MEMBER_JOINED, EventKind.INSTRUMENT_SIGNED,
                       EventKind.MEETING_HELD, EventKind.MEMBERSHIP_COUNT}
    if event.kind not in needs_coalition:
        return Comparison(Standing.NOT_APPLICABLE, NOT_KEPT)
    if coalition is None:
        name = event.coalition.name if event.coalition else "-"
        if event.kind is EventKind.MEMBERSHIP_COUNT:
            return Comparison(Standing.NOT_APPLICABLE, NOT_KEPT)
        return Comparison(Standing.NEW, NO_COALITION, {"name": name})
    if event.kind is EventKind.COALITION_FOUNDED:
        return _founded(event, coalition)
    if event.kind is EventKind.MEMBER_JOINED:
        return _joined(event, facts, coalition)
    if event.kind is EventKind.INSTRUMENT_SIGNED:
        return _signed(event, facts, coalition)
    if event.kind is EventKind.MEETING_HELD:
        return _met(event, facts, coalition)
    return _counted(event, facts, coalition)


# --- what comes in ------------------------------------------------------------------------------------------------

EMPTY_FILE = "the file is empty"
TOO_LARGE = "the file holds {size} bytes; the limit is {limit}"
BINARY_FILE = "the file is not text (it holds {what}); give the article's text as UTF-8"
UNKNOWN_LANGUAGE = "unknown language '{language}': an article is read in {known}"
BAD_EVENT = "event {number} cannot be read: {problem}"
NOT_A_READING = "a reading is a JSON object with language, text and events"
INTAKE_TEXTS = (EMPTY_FILE, TOO_LARGE, BINARY_FILE, UNKNOWN_LANGUAGE, BAD_EVENT, NOT_A_READING)


def _amount_problem(event: Event) -> str | None:
    if event.amount is None:
        return None
    if not (event.amount.amount.is_finite() and 0 <= event.amount.amount < Decimal(10) ** AMOUNT_DIGITS):
        return f"its amount must be a number from 0 to below 10^{AMOUNT_DIGITS}"
    if not re.fullmatch(r"[A-Z]{3}", event.amount.currency):
        return "its currency must be an ISO 4217 code"
    return None


def _event_problem(event: Event) -> str | None:
    """What makes an event unfit to keep, or None."""
    if not (math.isfinite(event.confidence) and 0 <= event.confidence <= 1):
        return "its confidence must be a number from 0 to 1"
    amount = _amount_problem(event)
    if amount is not None:
        return amount
    names = [p.name for p in event.parties] + ([event.coalition.name] if event.coalition else [])
    for text in [*names, event.place or "", *(p.code or "" for p in event.parties)]:
        problem = NAME.problem(text)
        if problem is not None:
            return f"a name or place {problem}"
    if len(event.fact_key()) > NOTE.max_length:
        return f"what it states must be at most {NOTE.max_length} characters as a fact key"
    return EVIDENCE.problem(event.evidence) if event.evidence.strip() else "its sentence is empty"


def check_event(event: Event, number: int) -> None:
    """Refuse an event that cannot be kept as read, naming it by its number in the reading."""
    problem = _event_problem(event)
    if problem is not None:
        raise refusal(InvalidInput, BAD_EVENT, field="events", number=number, problem=problem)


def checked_bytes(raw: bytes, field: str = "file") -> str:
    """The text of a file given to the queue: refused if empty, over the size limit, or not UTF-8 text."""
    if not raw.strip():
        raise refusal(InvalidInput, EMPTY_FILE, field=field)
    if len(raw) > MAX_ARTICLE_BYTES:
        raise refusal(InvalidInput, TOO_LARGE, field=field, size=len(raw), limit=MAX_ARTICLE_BYTES)
    if b"\x00" in raw:
        raise refusal(InvalidInput, BINARY_FILE, field=field, what="NUL bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        what = "a byte that is not UTF-8 at offset " + str(problem.start)
        raise refusal(InvalidInput, BINARY_FILE, field=field, what=what) from None


def language_of(value: object) -> Language:
    try:
        return Language(str(value))
    except ValueError:
        raise refusal(InvalidInput, UNKNOWN_LANGUAGE, field="language", language=value,
                      known=", ".join(v.value for v in Language)) from None


def reading_from_data(data: object) -> Reading:
    """A ``Reading`` from the JSON the reader prints (``reading_json``) with the article's ``text`` beside it;
    refused naming what cannot be read."""
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) \
            or not isinstance(data.get("events", []), list):
        raise refusal(InvalidInput, NOT_A_READING, field="reading")
    language = language_of(data.get("language"))
    check_text(data["text"], "text", ARTICLE_TEXT)
    published = data.get("published_on")
    try:
        published_on = date.fromisoformat(published) if isinstance(published, str) else None
    except ValueError:
        raise InvalidInput("must be a date YYYY-MM-DD", field="published_on") from None
    events = []
    for number, item in enumerate(data.get("events", []), start=1):
        try:
            events.append(event_from_json(item))
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as problem:
            said = type(problem).__name__ + " " + str(problem)
            raise refusal(InvalidInput, BAD_EVENT, field="events", number=number, problem=said) from None
        check_event(events[-1], number)
    return Reading(language, published_on, data["text"], tuple(events))
