"""The transactional outbox and its deliveries (ADR 0041).

``SqlOutboxRepository`` works on the unit of work's connection: a service writes an event in the transaction of
the change it tells of, so an event exists if and only if its change committed. ``OutboxStore`` is the worker's
side, each step a short transaction of its own: ``fan_out`` turns new events into deliveries (one per webhook
subscription and per user's email) and notifications in the pages, idempotently (unique keys); ``claim`` takes
due deliveries for one worker; ``finish`` records a try's result. A delivery is marked delivered only after the
receiver answered, so a worker killed between the two leaves it claimed by a worker that no longer lives; the next
claim takes it again (its process is gone on this machine, or its claim is older than the lease) and sends it
with the same event id: at least once, and a receiver that keeps the ids sees it once.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.database_errors import database_errors_translated
from coalition.adapters.processes import _gone
from coalition.domain.notifications import (
    DISABLE_AFTER,
    Choices,
    DeliveryRecord,
    Event,
    EventType,
    Notice,
    Subscription,
    event_types_text,
    next_try,
    parse_event_types,
)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
WEBHOOK, EMAIL = "webhook", "email"


def _aware(moment: datetime | None) -> datetime | None:
    """A time read back from the database as an aware UTC time (SQLite drops the zone)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _types(text: str | None) -> frozenset[EventType] | None:
    return None if text is None else frozenset(EventType(n) for n in text.split(",") if n)


def _subscription(row: Any) -> Subscription:
    return Subscription(row.party, row.url, parse_event_types(row.types), id=row.id, active=row.active,
                        failures=row.failures, created_at=_aware(row.created_at), note=row.disabled_reason)


def _delivery(row: Any) -> DeliveryRecord:
    return DeliveryRecord(row.id, row.event_id, row.type or "", row.channel, row.target, row.status, row.attempts,
                          _aware(row.created_at) or row.created_at, _aware(row.next_attempt_at), row.status_code,
                          row.last_error, _aware(row.delivered_at))


_DELIVERY_COLUMNS = [*t.deliveries.c, t.outbox.c.type]
_DELIVERY_FROM = t.deliveries.outerjoin(t.outbox, t.outbox.c.event_id == t.deliveries.c.event_id)


class SqlOutboxRepository:
    """The outbox and the settings of who hears of what, on the unit of work's connection."""

    def __init__(self, connection: sa.Connection) -> None:
        self.c = connection

    def add(self, event: Event) -> str:
        event_id = event.id or secrets.token_hex(16)
        body = {"facts": dict(event.facts), "parties": list(event.parties), "users": list(event.users)}
        self.c.execute(t.outbox.insert().values(event_id=event_id, type=event.type.value, coalition=event.coalition,
                                                occurred_at=event.occurred_at, body=json.dumps(body, default=str)))
        return event_id

    def announced(self, event_id: str) -> bool:
        return self.c.execute(sa.select(t.outbox.c.id).where(t.outbox.c.event_id == event_id)).first() is not None

    def subscriptions(self, party: str | None = None) -> list[Subscription]:
        query = sa.select(t.webhook_subscriptions).order_by(t.webhook_subscriptions.c.id)
        if party is not None:
            query = query.where(t.webhook_subscriptions.c.party == party)
        return [_subscription(row) for row in self.c.execute(query)]

    def subscription(self, subscription_id: int) -> Subscription | None:
        row = self.c.execute(sa.select(t.webhook_subscriptions)
                             .where(t.webhook_subscriptions.c.id == subscription_id)).first()
        return None if row is None else _subscription(row)

    def add_subscription(self, subscription: Subscription, secret: str) -> Subscription:
        new_id = self.c.execute(t.webhook_subscriptions.insert().values(
            party=subscription.party, url=subscription.url, types=event_types_text(subscription.types),
            secret=secret, active=True, failures=0, created_at=subscription.created_at,
            disabled_reason="")).inserted_primary_key
        assert new_id is not None
        stored = self.subscription(int(new_id[0]))
        assert stored is not None
        return stored

    def set_active(self, subscription_id: int, active: bool, note: str) -> None:
        self.c.execute(t.webhook_subscriptions.update().where(t.webhook_subscriptions.c.id == subscription_id)
                       .values(active=active, disabled_reason=note, failures=0))

    def deliveries(self, subscription: int | None = None, limit: int = 100) -> list[DeliveryRecord]:
        query = sa.select(*_DELIVERY_COLUMNS).select_from(_DELIVERY_FROM).order_by(t.deliveries.c.id.desc())
        if subscription is not None:
            query = query.where(t.deliveries.c.channel == WEBHOOK, t.deliveries.c.target == str(subscription))
        return [_delivery(row) for row in self.c.execute(query.limit(limit))]

    def delivery(self, delivery_id: int) -> DeliveryRecord | None:
        row = self.c.execute(sa.select(*_DELIVERY_COLUMNS).select_from(_DELIVERY_FROM)
                             .where(t.deliveries.c.id == delivery_id)).first()
        return None if row is None else _delivery(row)

    def resend(self, delivery_id: int, at: datetime) -> None:
        self.c.execute(t.deliveries.update().where(t.deliveries.c.id == delivery_id).values(
            status=PENDING, next_attempt_at=at, worker=None, claimed_at=None))

    def contact(self, username: str) -> tuple[str | None, Choices]:
        row = self.c.execute(sa.select(t.notification_settings)
                             .where(t.notification_settings.c.username == username)).first()
        if row is None:
            return None, Choices()
        return row.email, Choices(_types(row.email_events), _types(row.page_events))

    def set_contact(self, username: str, email: str | None, choices: Choices) -> None:
        settings = t.notification_settings
        self.c.execute(settings.delete().where(settings.c.username == username))
        self.c.execute(settings.insert().values(
            username=username, email=email,
            email_events=None if choices.email is None else event_types_text(choices.email),
            page_events=None if choices.page is None else event_types_text(choices.page)))

    def notices(self, username: str, limit: int = 100) -> list[Notice]:
        rows = self.c.execute(sa.select(t.notifications).where(t.notifications.c.username == username)
                              .order_by(t.notifications.c.id.desc()).limit(limit))
        return [Notice(row.id, row.event_id, EventType(row.type), json.loads(row.body),
                       _aware(row.created_at) or row.created_at, _aware(row.read_at)) for row in rows]

    def unread(self, username: str) -> int:
        n = t.notifications
        return int(self.c.execute(sa.select(sa.func.count()).select_from(n)
                                  .where(n.c.username == username, n.c.read_at.is_(None))).scalar_one())

    def mark_read(self, username: str, ids: Collection[int] | None, at: datetime) -> int:
        n = t.notifications
        query = n.update().where(n.c.username == username, n.c.read_at.is_(None))
        if ids is not None:
            query = query.where(n.c.id.in_(list(ids)))
        return int(self.c.execute(query.values(read_at=at)).rowcount)


@dataclass(frozen=True)
class Claimed:
    """A delivery claimed by a worker: what to send and where."""

    id: int
    event: Event
    channel: str
    target: str
    attempts: int
    created_at: datetime
    url: str = ""
    secret: str = ""
    email: str = ""
    language: str | None = None


def _event(row: Any) -> Event:
    body = json.loads(row.body)
    return Event(EventType(row.type), _aware(row.occurred_at) or row.occurred_at, row.coalition, body["facts"],
                 tuple(body["parties"]), tuple(body["users"]), id=row.event_id)


class OutboxStore:
    """The worker's side of the outbox (see the module's text)."""

    def __init__(self, engine: sa.Engine, clock: Callable[[], datetime], *, lease: timedelta,
                 writer_lock: threading.RLock | None) -> None:
        self.engine = engine
        self.clock = clock
        self.lease = lease
        self.shared = engine.dialect.name == "postgresql"
        self._writer_lock = writer_lock

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        if self._writer_lock is not None:
            self._writer_lock.acquire()
        try:
            with database_errors_translated(), self.engine.begin() as connection:
                yield connection
        finally:
            if self._writer_lock is not None:
                self._writer_lock.release()

    def _any(self, query: sa.Select[Any]) -> bool:
        """Whether ``query`` finds a row, read without taking the writers' turn (an idle worker writes nothing)."""
        with database_errors_translated(), self.engine.connect() as c:
            c.info["sqlite_begin"] = "BEGIN"
            try:
                return c.execute(query).first() is not None
            finally:
                c.rollback()
                c.info.pop("sqlite_begin", None)

    def fan_out(self, *, emails: bool, limit: int = 100) -> int:
        """Turn events not yet fanned out into deliveries and notifications (by email only where ``emails``: an
        SMTP server is configured); how many events were."""
        if not self._any(sa.select(t.outbox.c.id).where(t.outbox.c.fanned_out_at.is_(None)).limit(1)):
            return 0
        with self._write() as c:
            query = sa.select(t.outbox).where(t.outbox.c.fanned_out_at.is_(None)).order_by(t.outbox.c.id).limit(limit)
            if self.shared:
                query = query.with_for_update(skip_locked=True)
            rows = c.execute(query).all()
            now = self.clock()
            for row in rows:
                self._fan_out_one(c, _event(row), now, emails)
                c.execute(t.outbox.update().where(t.outbox.c.id == row.id).values(fanned_out_at=now))
            return len(rows)

    def _fan_out_one(self, c: sa.Connection, event: Event, now: datetime, emails: bool) -> None:
        subscriptions = c.execute(sa.select(t.webhook_subscriptions).where(
            t.webhook_subscriptions.c.active.is_(True))).all()
        for row in subscriptions:
            subscribed_before = (_aware(row.created_at) or now) <= event.occurred_at  # no events from before it
            if event.type in parse_event_types(row.types) and row.party in event.parties and subscribed_before:
                self._deliver(c, event.id, WEBHOOK, str(row.id), now)
        users = t.users
        settings = t.notification_settings
        query = sa.select(users.c.username, settings.c.email, settings.c.email_events, settings.c.page_events) \
            .select_from(users.outerjoin(settings, settings.c.username == users.c.username)) \
            .where(users.c.active.is_(True), sa.or_(users.c.party.in_(list(event.parties)),
                                                    users.c.username.in_(list(event.users))))
        for user in c.execute(query):
            choices = Choices(_types(user.email_events), _types(user.page_events))
            if emails and user.email and choices.wants(EMAIL, event.type):
                self._deliver(c, event.id, EMAIL, user.username, now)
            if choices.wants("page", event.type):
                exists = c.execute(sa.select(t.notifications.c.id).where(
                    t.notifications.c.username == user.username, t.notifications.c.event_id == event.id)).first()
                if exists is None:
                    c.execute(t.notifications.insert().values(
                        username=user.username, event_id=event.id, type=event.type.value,
                        body=json.dumps(dict(event.facts), default=str), created_at=now))

    @staticmethod
    def _deliver(c: sa.Connection, event_id: str, channel: str, target: str, now: datetime) -> None:
        d = t.deliveries
        exists = c.execute(sa.select(d.c.id).where(d.c.event_id == event_id, d.c.channel == channel,
                                                   d.c.target == target)).first()
        if exists is None:
            c.execute(d.insert().values(event_id=event_id, channel=channel, target=target, status=PENDING,
                                        attempts=0, created_at=now, next_attempt_at=now, last_error=""))

    def claim(self, worker: str, limit: int = 20) -> list[Claimed]:
        """Take up to ``limit`` due deliveries for ``worker``: pending and due, or claimed by a worker that is gone
        (its process no longer exists on this machine, or its claim is older than the lease)."""
        d = t.deliveries
        now = self.clock()
        if not self._any(sa.select(d.c.id).where(d.c.status == PENDING, d.c.next_attempt_at <= now).limit(1)):
            return []
        with self._write() as c:
            query = sa.select(d.c.id, d.c.worker, d.c.claimed_at).where(
                d.c.status == PENDING, d.c.next_attempt_at <= now).order_by(d.c.next_attempt_at, d.c.id).limit(limit)
            if self.shared:
                query = query.with_for_update(skip_locked=True)
            taken = [row.id for row in c.execute(query).all() if self._free(row.worker, row.claimed_at, now)]
            if not taken:
                return []
            c.execute(d.update().where(d.c.id.in_(taken)).values(worker=worker, claimed_at=now,
                                                                   attempts=d.c.attempts + 1))
            return [self._claimed(c, delivery_id) for delivery_id in taken]

    def _free(self, worker: str | None, claimed_at: datetime | None, now: datetime) -> bool:
        if worker is None:
            return True
        stale = claimed_at is None or (_aware(claimed_at) or now) < now - self.lease
        return stale or _gone(worker)

    def _claimed(self, c: sa.Connection, delivery_id: int) -> Claimed:
        d = t.deliveries
        row = c.execute(sa.select(d, t.outbox.c.type, t.outbox.c.coalition, t.outbox.c.occurred_at, t.outbox.c.body)
                        .select_from(d.join(t.outbox, t.outbox.c.event_id == d.c.event_id))
                        .where(d.c.id == delivery_id)).one()
        event = _event(row)
        created = _aware(row.created_at) or row.created_at
        claimed = Claimed(row.id, event, row.channel, row.target, row.attempts, created)
        if row.channel == WEBHOOK:
            sub = c.execute(sa.select(t.webhook_subscriptions).where(
                t.webhook_subscriptions.c.id == int(row.target))).one()
            return replace(claimed, url=sub.url, secret=sub.secret)
        user = c.execute(sa.select(t.users.c.language, t.notification_settings.c.email).select_from(
            t.users.outerjoin(t.notification_settings, t.notification_settings.c.username == t.users.c.username))
            .where(t.users.c.username == row.target)).one()
        return replace(claimed, email=user.email or "", language=user.language)

    def finish(self, claimed: Claimed, worker: str, *, ok: bool, status_code: int | None, error: str) -> bool:
        """Record a try: delivered, or due again after the backoff, or failed after a day; a webhook subscription
        whose tries keep failing is disabled. False if another worker had taken the delivery meanwhile."""
        d = t.deliveries
        now = self.clock()
        with self._write() as c:
            values: dict[str, Any] = {"status_code": status_code, "last_error": error[:500], "worker": None,
                                      "claimed_at": None}
            if ok:
                values |= {"status": DELIVERED, "delivered_at": now, "next_attempt_at": None}
            else:
                later = next_try(claimed.attempts, claimed.created_at, now)
                values |= {"status": FAILED, "next_attempt_at": None} if later is None else {"next_attempt_at": later}
            done = c.execute(d.update().where(d.c.id == claimed.id, d.c.worker == worker).values(**values)).rowcount
            if done and claimed.channel == WEBHOOK:
                self._count(c, int(claimed.target), ok)
            return bool(done)

    @staticmethod
    def _count(c: sa.Connection, subscription_id: int, ok: bool) -> None:
        subs = t.webhook_subscriptions
        if ok:
            c.execute(subs.update().where(subs.c.id == subscription_id).values(failures=0))
            return
        c.execute(subs.update().where(subs.c.id == subscription_id).values(failures=subs.c.failures + 1))
        c.execute(subs.update().where(subs.c.id == subscription_id, subs.c.active.is_(True),
                                      subs.c.failures >= DISABLE_AFTER).values(
            active=False, disabled_reason=f"disabled after {DISABLE_AFTER} failed deliveries in a row"))

    def silence_closing(self, now: datetime, within: timedelta) -> list[tuple[int, str, str, datetime]]:
        """Open silence procedures whose deadline falls within ``within`` of ``now``: (proposal, coalition, title,
        deadline)."""
        p = t.proposals
        with database_errors_translated(), self.engine.connect() as c:
            rows = c.execute(sa.select(p.c.id, p.c.coalition, p.c.title, p.c.deadline).where(
                p.c.procedure == "silence", p.c.state == "open", p.c.deadline.is_not(None))).all()
        found = [(row.id, row.coalition, row.title, datetime.fromisoformat(row.deadline)) for row in rows]
        return [(i, c, title, when) for i, c, title, when in found if now < when <= now + within]
