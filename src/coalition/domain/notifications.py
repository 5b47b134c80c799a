"""Events someone must hear about, the notifications they become, and signed webhook deliveries.

An event is written to the outbox in the transaction of the change it tells of (services, ``uow.outbox``); a
worker fans it out to the users it concerns (by email and in the pages, as each chose) and to the webhook
subscriptions of the parties' systems, and delivers each. Everything here is pure: the signature of a webhook
body (HMAC-SHA256 over the timestamp and the body, as Stripe and GitHub sign theirs) and its verification with a
tolerance against replays, the backoff between tries, and the texts of the messages.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from coalition.domain.errors import InvalidInput


class EventType(StrEnum):
    PROPOSAL_OPENED = "proposal-opened"
    SILENCE_CLOSING = "silence-closing"
    DECISION_TAKEN = "decision-taken"
    SHIPMENT_ARRIVED = "shipment-arrived"
    PAYMENT_DISBURSED = "payment-disbursed"
    IMPORT_FINISHED = "import-finished"
    EXPERT_ASSIGNED = "expert-assigned"


SIGNATURE_HEADER = "Coalition-Signature"
EVENT_ID_HEADER = "Coalition-Event-Id"
EVENT_TYPE_HEADER = "Coalition-Event-Type"
TOLERANCE = timedelta(minutes=5)  # a receiver refuses a signature older than this (a replay)
FIRST_RETRY = timedelta(minutes=1)  # the wait after the first failed try, doubled after each
LONGEST_WAIT = timedelta(hours=2)
GIVE_UP_AFTER = timedelta(days=1)  # a delivery not made within a day of its event is failed
DISABLE_AFTER = 20  # consecutive failed tries that disable a webhook subscription
SILENCE_WARNING = timedelta(hours=48)  # a silence procedure closing within this is announced, once


@dataclass(frozen=True, slots=True)
class Event:
    """A change someone must hear about: its type, the record it tells of and that record's public facts (ids and
    what anyone may read; details are fetched through the API with the reader's own rights), and who it concerns:
    the users of ``parties``, and ``users`` by name."""

    type: EventType
    occurred_at: datetime
    coalition: str | None
    facts: Mapping[str, object]
    parties: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    id: str = ""

    def body(self) -> dict[str, object]:
        """What a webhook receives (and what the worker renders messages from)."""
        return {"id": self.id, "type": self.type.value, "occurred_at": self.occurred_at.isoformat(),
                "coalition": self.coalition, "data": dict(self.facts)}


def parse_event_types(text: str, field_name: str = "events") -> frozenset[EventType]:
    """Comma-separated event types ('all' for every one); an unknown name is refused, naming the known ones."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    if names == {"all"}:
        return frozenset(EventType)
    known = {e.value for e in EventType}
    unknown = sorted(names - known)
    if unknown or not names:
        raise InvalidInput(f"unknown event type(s) {', '.join(unknown) or '(none given)'}; known: "
                           f"{', '.join(sorted(known))} or all", field=field_name)
    return frozenset(EventType(name) for name in names)


def event_types_text(types: Collection[EventType]) -> str:
    return ",".join(sorted(t.value for t in types))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


_PART = re.compile(r"^(t|v1)=([0-9a-f]+)$")


def verify(secret: str, header: str, body: bytes, now: int, tolerance: timedelta = TOLERANCE) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within ``tolerance`` of ``now`` (unix seconds):
    a signature too old is a replay and refused even if it is right."""
    parts: dict[str, list[str]] = {}
    for piece in header.split(","):
        found = _PART.match(piece.strip())
        if found:
            parts.setdefault(found.group(1), []).append(found.group(2))
    if len(parts.get("t", [])) != 1 or not parts.get("v1"):
        return False
    timestamp = int(parts["t"][0])
    if abs(now - timestamp) > tolerance.total_seconds():
        return False
    expected = sign(secret, timestamp, body).partition(",v1=")[2]
    return any(hmac.compare_digest(expected, given) for given in parts["v1"])


def next_try(attempts: int, created_at: datetime, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed tries (1 minute, doubling, at most 2 hours apart); None once a
    day has passed since the event: the delivery has failed."""
    wait = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)
    later = now + wait
    return None if later > created_at + GIVE_UP_AFTER else later


@dataclass(frozen=True, slots=True)
class Choices:
    """Which event types a user hears of, by email and in the pages (None: every type that concerns them)."""

    email: frozenset[EventType] | None = None
    page: frozenset[EventType] | None = None

    def wants(self, channel: str, type: EventType) -> bool:
        chosen = self.email if channel == "email" else self.page
        return chosen is None or type in chosen


# The messages of each event type, in the source language (the catalog translates them); {placeholders} come from
# the event's facts. Subjects are one line; bodies are plain text.
MESSAGES: dict[EventType, tuple[str, str]] = {
    EventType.PROPOSAL_OPENED: ("Proposal open for your vote: {title}",
                                "Proposal {proposal} of {coalition}, \"{title}\", is open for the vote of your "
                                "party ({procedure}). Deadline: {deadline}."),
    EventType.SILENCE_CLOSING: ("Silence procedure closing soon: {title}",
                                "The silence procedure of proposal {proposal} of {coalition}, \"{title}\", closes "
                                "at {deadline}. Silence counts as consent."),
    EventType.DECISION_TAKEN: ("Decision taken: {title}",
                               "The steering group of {coalition} decided proposal {proposal}, \"{title}\": "
                               "{outcome}."),
    EventType.SHIPMENT_ARRIVED: ("Shipment {shipment} arrived",
                                 "Shipment {shipment} of contract {contract} has arrived for {unit}; its receipt "
                                 "awaits your signature."),
    EventType.PAYMENT_DISBURSED: ("Payment {payment} disbursed",
                                  "Payment {payment} on contract {contract} of {coalition} disbursed money your "
                                  "party contributed."),
    EventType.IMPORT_FINISHED: ("Import {job}: {status}",
                                "Your import {job} ({filename}) ended: {status}. {message}"),
    EventType.EXPERT_ASSIGNED: ("You are an expert reviewer of {coalition}",
                                "You are assigned as an expert reviewer of {coalition}: the projects of its calls "
                                "await your declaration of interests and your review."),
}
NOT_GIVEN = "none"
# Each event type in words, for the pages where a user chooses (translated by the catalog).
WORDS: dict[EventType, str] = {
    EventType.PROPOSAL_OPENED: "A proposal is open for your party's vote",
    EventType.SILENCE_CLOSING: "A silence procedure closes within 48 hours",
    EventType.DECISION_TAKEN: "The steering group took a decision",
    EventType.SHIPMENT_ARRIVED: "A shipment arrived for your unit",
    EventType.PAYMENT_DISBURSED: "A payment disbursed your party's money",
    EventType.IMPORT_FINISHED: "Your import finished or failed",
    EventType.EXPERT_ASSIGNED: "You are assigned as an expert",
}


def fill(template: str, facts: Mapping[str, object]) -> str:
    """``template`` with the event's facts put in (a fact missing reads as 'none')."""
    return re.sub(r"\{(\w+)\}", lambda m: str(facts.get(m.group(1)) if facts.get(m.group(1)) is not None
                                              else NOT_GIVEN), template)


@dataclass(frozen=True, slots=True)
class Subscription:
    """A party's system that receives the events of ``types`` at ``url``, signed with its secret."""

    party: str
    url: str
    types: frozenset[EventType]
    id: int | None = None
    active: bool = True
    failures: int = 0  # consecutive failed tries
    created_at: datetime | None = None
    note: str = ""  # why it was disabled

    def __post_init__(self) -> None:
        check_url(self.url)


def check_url(url: str) -> None:
    if not re.match(r"^https?://[^\s/]+[^\s]*$", url) or len(url) > 500:
        raise InvalidInput(f"'{url}' is not an http or https address of at most 500 characters", field="url")


EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def check_email(address: str) -> str:
    """A plain address (local@domain.tld, at most 254 characters), refused otherwise naming the field."""
    address = address.strip()
    if not EMAIL.match(address) or len(address) > 254:
        raise InvalidInput(f"'{address}' is not an email address", field="email")
    return address


@dataclass(frozen=True, slots=True)
class Notice:
    """A notification in the pages: the event it tells of, for one user, read or not."""

    id: int
    event_id: str
    type: EventType
    facts: Mapping[str, object]
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One delivery of an event to a webhook subscription or a user's email, with its latest try."""

    id: int
    event_id: str
    type: str
    channel: str
    target: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    status_code: int | None
    last_error: str
    delivered_at: datetime | None
