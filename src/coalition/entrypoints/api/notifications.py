"""Webhooks and notifications over HTTP: a party's subscriptions (the secret answered once, at creation), their
delivery log and sending again; the signed-in user's notifications and each user's address and choices.

A webhook's body carries the event's id, type, time, coalition and the record's ids and public facts only; a
subscriber reads anything more through this API with its own token, under its own rights (ADR 0041).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from coalition.domain.notifications import Choices, DeliveryRecord, EventType, Notice, Subscription
from coalition.entrypoints.api.core import Body, CallerDep, Code, Id, IdInPath, Limit, Routes
from coalition.services import notifications as svc

api = Routes("webhooks and notifications")
router = api.router

Events = Annotated[list[EventType], Field(min_length=1, max_length=len(EventType))]


class NewSubscription(Body):
    party: Code
    url: Annotated[str, Field(min_length=1, max_length=500, description="Where the events are posted (http or https)")]
    events: Events


@dataclass(frozen=True, slots=True)
class CreatedSubscription:
    subscription: Subscription
    secret: str


class NotificationChoices(Body):
    email: Annotated[str | None, Field(max_length=254, description="The address; empty to remove it; absent "
                                                                   "to keep it")] = None
    email_events: Annotated[list[EventType] | None, Field(description="Sent by email; null: every type")] = None
    page_events: Annotated[list[EventType] | None, Field(description="Shown in the pages; null: every type")] = None


class ReadNotices(Body):
    ids: Annotated[list[Id] | None, Field(max_length=1000, description="The notifications read; null: all")] = None


@dataclass(frozen=True, slots=True)
class Marked:
    marked: int


@dataclass(frozen=True, slots=True)
class Notices:
    unread: int
    notifications: list[Notice]


@api.get("/webhooks", list[Subscription], summary="Webhook subscriptions: of a party, or every one for an "
                                                   "administrator")
def list_subscriptions(who: CallerDep, party: str | None = None) -> object:
    return svc.subscriptions(who.read(), who.actor, party)


@api.post("/webhooks", CreatedSubscription, summary="Subscribe a party's system to events; the signing secret is "
                                                    "answered this once")
def add_subscription(body: NewSubscription, who: CallerDep) -> object:
    added = svc.add_subscription(who.write(), who.actor, party=body.party, url=body.url, types=set(body.events))
    return CreatedSubscription(added.subscription, added.secret)


@api.get("/webhooks/{subscription}/deliveries", list[DeliveryRecord], summary="A subscription's delivery log, "
                                                                                "newest first")
def list_deliveries(who: CallerDep, subscription: IdInPath, limit: Limit = 100) -> object:
    return svc.deliveries(who.read(), who.actor, subscription, limit)


@api.post("/webhooks/{subscription}/disabling", Subscription, status=200, summary="Stop sending to a subscription")
def disable(who: CallerDep, subscription: IdInPath) -> object:
    return svc.set_subscription_active(who.write(), who.actor, subscription, False)


@api.post("/deliveries/{delivery}/resending", DeliveryRecord, status=200,
          summary="Send a delivery again, with the same event id")
def resend(who: CallerDep, delivery: IdInPath) -> object:
    return svc.resend(who.write(), who.signed_in(), delivery)


@api.get("/notifications", Notices, summary="Your notifications, newest first, and how many are unread")
def notices(who: CallerDep, limit: Limit = 100) -> object:
    actor = who.signed_in()
    return Notices(svc.unread(who.read(), actor), svc.notices(who.read(), actor, limit))


@api.post("/notifications/read", Marked, status=200, summary="Mark your notifications read (all, or those named)")
def mark_read(body: ReadNotices, who: CallerDep) -> object:
    return Marked(svc.mark_read(who.write(), who.signed_in(), body.ids))


@api.put("/users/{username}/notifications", dict[str, object],
         summary="A user's email address and which events it hears of (the user itself, or an administrator)")
def set_choices(body: NotificationChoices, who: CallerDep, username: str) -> object:
    actor = who.signed_in()
    choices = Choices(None if body.email_events is None else frozenset(body.email_events),
                      None if body.page_events is None else frozenset(body.page_events))
    if body.email is None:
        found = svc.set_contact(who.write(), actor, username, choices=choices)
    else:
        found = svc.set_contact(who.write(), actor, username, email=body.email, choices=choices)
    return svc.choices_data(found)
