"""Who hears of what: events written to the outbox with the change they tell of, webhook subscriptions, each
user's email address and choices, and the notifications shown in the pages (ADR 0041).

``emit`` is called by a service inside its unit of work, before its commit: the event is written if and only if
the change commits. The worker (entrypoints/outbox.py) delivers it.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from coalition.domain.access import Actor, can, can_manage_webhooks
from coalition.domain.audit import AuditEvent
from coalition.domain.errors import NotFound, PermissionDenied
from coalition.domain.notifications import (
    SILENCE_WARNING,
    Choices,
    DeliveryRecord,
    Event,
    EventType,
    Notice,
    Subscription,
    check_email,
    event_types_text,
)
from coalition.services.audit import record_change, require
from coalition.services.ports import UnitOfWork
from coalition.services.registry import load_party


def emit(uow: UnitOfWork, type: EventType, *, coalition: str | None, facts: Mapping[str, object],
         parties: Sequence[str] = (), users: Sequence[str] = (), event_id: str = "") -> str:
    """Write an event to the outbox in the caller's transaction (call it inside ``with uow:``, before commit)."""
    return uow.outbox.add(Event(type, uow.clock(), coalition, dict(facts), tuple(sorted(set(parties))),
                                tuple(sorted(set(users))), id=event_id))


def announce_silence_closing(uow: UnitOfWork, proposal: int, coalition: str, title: str, deadline: datetime,
                             parties: Sequence[str]) -> bool:
    """Announce once that a silence procedure closes within 48 hours (the event's id is the proposal's, so a
    second announcement is never written); whether it was written now."""
    event_id = f"silence-closing-{proposal}"
    with uow:
        if uow.outbox.announced(event_id):
            return False
        emit(uow, EventType.SILENCE_CLOSING, coalition=coalition, parties=parties, event_id=event_id,
             facts={"proposal": proposal, "coalition": coalition, "title": title, "deadline": deadline.isoformat(),
                    "within_hours": int(SILENCE_WARNING.total_seconds() // 3600)})
        uow.commit()
    return True


@dataclass(frozen=True, slots=True)
class NewSubscription:
    """A subscription just added, with its signing secret: shown this once, never again."""

    subscription: Subscription
    secret: str


def _audited(subscription: Subscription) -> dict[str, object]:
    return {"party": subscription.party, "url": subscription.url, "events": event_types_text(subscription.types),
            "active": subscription.active}


def add_subscription(uow: UnitOfWork, actor: Actor, *, party: str, url: str,
                     types: Collection[EventType]) -> NewSubscription:
    """Subscribe a party's system at ``url`` to events of ``types``; the secret it verifies signatures with is
    returned once (it is kept only to sign)."""
    require(can_manage_webhooks(actor, party))
    wanted = Subscription(party, url.strip(), frozenset(types), created_at=uow.clock())
    secret = "whsec_" + secrets.token_urlsafe(32)
    with uow:
        load_party(uow, party, "party")
        stored = uow.outbox.add_subscription(wanted, secret)
        record_change(uow, actor, AuditEvent("add_webhook", "webhook_subscription", str(stored.id), None,
                                             _audited(stored)))
        uow.commit()
    return NewSubscription(stored, secret)


def _subscription(uow: UnitOfWork, actor: Actor, subscription_id: int) -> Subscription:
    found = uow.outbox.subscription(subscription_id)
    if found is None:
        raise NotFound(f"no webhook subscription {subscription_id}", field="subscription")
    require(can_manage_webhooks(actor, found.party))
    return found


def subscription(uow: UnitOfWork, actor: Actor, subscription_id: int) -> Subscription:
    """One subscription, to who may manage its party's."""
    with uow:
        return _subscription(uow, actor, subscription_id)


def set_subscription_active(uow: UnitOfWork, actor: Actor, subscription_id: int, active: bool) -> Subscription:
    """Disable a subscription (nothing more is sent to it) or enable it again (its failures counted afresh)."""
    with uow:
        before = _subscription(uow, actor, subscription_id)
        note = "" if active else f"disabled by {actor.user}"
        uow.outbox.set_active(subscription_id, active, note)
        after = _subscription(uow, actor, subscription_id)
        record_change(uow, actor, AuditEvent("enable_webhook" if active else "disable_webhook",
                                             "webhook_subscription", str(subscription_id), _audited(before),
                                             _audited(after)))
        uow.commit()
    return after


def subscriptions(uow: UnitOfWork, actor: Actor, party: str | None = None) -> list[Subscription]:
    """The subscriptions of ``party`` (of every party for an administrator, when None)."""
    with uow:
        if party is None:
            require(can(actor, "manage_webhooks"))
        else:
            require(can_manage_webhooks(actor, party))
        return uow.outbox.subscriptions(party)


def deliveries(uow: UnitOfWork, actor: Actor, subscription_id: int | None = None,
               limit: int = 100) -> list[DeliveryRecord]:
    """The delivery log of one subscription (of everything, emails included, for an administrator), newest first."""
    with uow:
        if subscription_id is None:
            require(can(actor, "manage_webhooks"))
        else:
            _subscription(uow, actor, subscription_id)
        return uow.outbox.deliveries(subscription_id, limit)


def resend(uow: UnitOfWork, actor: Actor, delivery_id: int) -> DeliveryRecord:
    """Send a delivery again, with the same event id, at the worker's next turn."""
    with uow:
        found = uow.outbox.delivery(delivery_id)
        if found is None:
            raise NotFound(f"no delivery {delivery_id}", field="delivery")
        if found.channel == "webhook":
            _subscription(uow, actor, int(found.target))
        else:
            require(can(actor, "manage_webhooks"))
        uow.outbox.resend(delivery_id, uow.clock())
        record_change(uow, actor, AuditEvent("resend_delivery", "delivery", str(delivery_id),
                                             {"status": found.status}, {"status": "pending"}))
        uow.commit()
        again = uow.outbox.delivery(delivery_id)
    assert again is not None
    return again


@dataclass(frozen=True, slots=True)
class Contact:
    username: str
    email: str | None
    choices: Choices


def _may_set(actor: Actor, username: str) -> None:
    if actor.user != username and not can(actor, "manage_users"):
        raise PermissionDenied(f"{actor.user} may change only its own notification settings")


def contact(uow: UnitOfWork, actor: Actor, username: str) -> Contact:
    """A user's email address and choices (the user itself, or an administrator of users)."""
    _may_set(actor, username)
    with uow:
        if uow.users.get(username) is None:
            raise NotFound(f"no user {username}", field="user")
        email, choices = uow.outbox.contact(username)
    return Contact(username, email, choices)


_KEEP: object = object()


def set_contact(uow: UnitOfWork, actor: Actor, username: str, *, email: str | object | None = _KEEP,
                choices: Choices | None = None) -> Contact:
    """Set a user's email address ("" removes it) and/or which events it hears of by email and in the pages."""
    _may_set(actor, username)
    address = email
    if isinstance(address, str):
        address = check_email(address) if address.strip() else None
    with uow:
        if uow.users.get(username) is None:
            raise NotFound(f"no user {username}", field="user")
        before_email, before = uow.outbox.contact(username)
        new_email = before_email if address is _KEEP else address
        assert new_email is None or isinstance(new_email, str)
        new = choices if choices is not None else before
        uow.outbox.set_contact(username, new_email, new)
        record_change(uow, actor, AuditEvent("set_notifications", "user", username,
                                             _choices(before_email, before), _choices(new_email, new)))
        uow.commit()
    return Contact(username, new_email, new)


def _choices(email: str | None, choices: Choices) -> dict[str, object]:
    return {"email": email,
            "email_events": "all" if choices.email is None else event_types_text(choices.email) or "none",
            "page_events": "all" if choices.page is None else event_types_text(choices.page) or "none"}


def choices_data(found: Contact) -> dict[str, object]:
    """A user's address and choices as words: 'all', 'none' or the event types."""
    return {"username": found.username, **_choices(found.email, found.choices)}


def notices(uow: UnitOfWork, actor: Actor, limit: int = 100) -> list[Notice]:
    """The signed-in user's notifications in the pages, newest first."""
    with uow:
        return uow.outbox.notices(actor.user, limit)


def unread(uow: UnitOfWork, actor: Actor) -> int:
    with uow:
        return uow.outbox.unread(actor.user)


def mark_read(uow: UnitOfWork, actor: Actor, ids: Collection[int] | None = None) -> int:
    """Mark the user's notifications read (all, or those of ``ids``); how many were unread. Operational state:
    not audited (reading is no change of the record)."""
    with uow:
        marked = uow.outbox.mark_read(actor.user, ids, uow.clock())
        uow.commit()
    return marked
