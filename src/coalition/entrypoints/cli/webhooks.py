"""`coalition webhooks`: a party's systems subscribed to events, signed deliveries, their log, sending again;
and `coalition users set-email|notifications`: who hears of what by email and in the pages."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from coalition.domain.notifications import (
    Choices,
    DeliveryRecord,
    EventType,
    Subscription,
    event_types_text,
    parse_event_types,
)
from coalition.entrypoints.cli.output import console, emit_json, table
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import notifications as svc

webhooks = typer.Typer(help="Webhooks: a party's systems told of events, each request signed (HMAC-SHA256).",
                       no_args_is_help=True)


def subscription_data(s: Subscription) -> dict[str, Any]:
    return {"id": s.id, "party": s.party, "url": s.url, "events": sorted(e.value for e in s.types),
            "active": s.active, "failures": s.failures, "disabled_reason": s.note,
            "created_at": s.created_at.isoformat() if s.created_at else None}


def delivery_data(d: DeliveryRecord) -> dict[str, Any]:
    return {"id": d.id, "event_id": d.event_id, "type": d.type, "channel": d.channel, "target": d.target,
            "status": d.status, "attempts": d.attempts, "status_code": d.status_code, "last_error": d.last_error,
            "created_at": d.created_at.isoformat(),
            "next_attempt_at": d.next_attempt_at.isoformat() if d.next_attempt_at else None,
            "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None}


@webhooks.command("add")
def add(ctx: typer.Context, party: Annotated[str, typer.Argument(help="The party whose system subscribes.")],
        url: Annotated[str, typer.Argument(help="Where the events are posted (http or https).")],
        events: Annotated[str, typer.Option(help="Event types, separated by commas, or all.")] = "all",
        as_json: JsonFlag = False) -> None:
    """Subscribe a party's system to events; prints the signing secret, this once only."""
    platform = ready(ctx)
    added = svc.add_subscription(platform.uow(), platform.operator(), party=party, url=url,
                                 types=parse_event_types(events))
    if as_json:
        emit_json({**subscription_data(added.subscription), "secret": added.secret})
        return
    console.print(f"Webhook subscription {added.subscription.id} of {party} to "
                  f"{event_types_text(added.subscription.types)} at {url}", highlight=False)
    console.print(f"Secret (shown this once; verify each request's Coalition-Signature with it): {added.secret}",
                  highlight=False, soft_wrap=True)


@webhooks.command("list")
def list_subscriptions(ctx: typer.Context, party: Annotated[str | None, typer.Option(
        help="Only this party's subscriptions.")] = None, as_json: JsonFlag = False) -> None:
    """The webhook subscriptions, with their state and failures in a row."""
    platform = ready(ctx)
    found = svc.subscriptions(platform.uow(read_only=True), platform.operator(), party)
    if as_json:
        emit_json([subscription_data(s) for s in found])
        return
    table("Webhook subscriptions", ["Id", "Party", "URL", "Events", "State", "Failures"],
          [(s.id, s.party, s.url, event_types_text(s.types), "active" if s.active else f"disabled: {s.note}",
            s.failures) for s in found])


@webhooks.command("deliveries")
def list_deliveries(ctx: typer.Context, subscription: Annotated[int | None, typer.Option(
        help="Only this subscription's deliveries (all, emails included, if not given).")] = None,
                    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100, as_json: JsonFlag = False) -> None:
    """The delivery log, newest first: each try's status code and error."""
    platform = ready(ctx)
    found = svc.deliveries(platform.uow(read_only=True), platform.operator(), subscription, limit)
    if as_json:
        emit_json([delivery_data(d) for d in found])
        return
    table("Deliveries", ["Id", "Event", "Type", "To", "Status", "Tries", "Code", "Error"],
          [(d.id, d.event_id, d.type, f"{d.channel} {d.target}", d.status, d.attempts, d.status_code or "",
            d.last_error[:60]) for d in found])


@webhooks.command("resend")
def resend(ctx: typer.Context, delivery: Annotated[int, typer.Argument(help="The delivery's id.")]) -> None:
    """Send a delivery again (the same event id) at the worker's next turn."""
    platform = ready(ctx)
    again = svc.resend(platform.uow(), platform.operator(), delivery)
    console.print(f"Delivery {again.id} of event {again.event_id} will be sent again", highlight=False)


@webhooks.command("disable")
def disable(ctx: typer.Context, subscription: Annotated[int, typer.Argument(help="The subscription's id.")]) -> None:
    """Stop sending to a subscription."""
    platform = ready(ctx)
    svc.set_subscription_active(platform.uow(), platform.operator(), subscription, False)
    console.print(f"Webhook subscription {subscription} disabled", highlight=False)


@webhooks.command("enable")
def enable(ctx: typer.Context, subscription: Annotated[int, typer.Argument(help="The subscription's id.")]) -> None:
    """Send to a disabled subscription again (its failures counted afresh)."""
    platform = ready(ctx)
    svc.set_subscription_active(platform.uow(), platform.operator(), subscription, True)
    console.print(f"Webhook subscription {subscription} enabled", highlight=False)


def set_email(ctx: typer.Context, username: str,
              address: Annotated[str, typer.Argument(help="The address; an empty one removes it.")]) -> None:
    """Set the address a user's notifications are emailed to."""
    platform = ready(ctx)
    svc.set_contact(platform.uow(), platform.operator(), username, email=address)
    console.print(f"Email of {username}: {address or 'none'}", highlight=False)


def choose(ctx: typer.Context, username: str,
           email: Annotated[str | None, typer.Option(help="Event types sent by email (commas), all, or none.")] = None,
           page: Annotated[str | None, typer.Option(help="Event types shown in the pages (commas), all, or none.")
                           ] = None, as_json: JsonFlag = False) -> None:
    """Show, or choose, which events a user hears of by email and in the pages."""
    platform = ready(ctx)
    current = svc.contact(platform.uow(read_only=True), platform.operator(), username)
    if email is not None or page is not None:
        choices = Choices(current.choices.email if email is None else _chosen(email, "email"),
                              current.choices.page if page is None else _chosen(page, "page"))
        current = svc.set_contact(platform.uow(), platform.operator(), username, choices=choices)
    data = svc.choices_data(current)
    if as_json:
        emit_json(data)
        return
    console.print(f"{username}: email {data['email'] or 'none'}; by email: {data['email_events']}; in the pages: "
                  f"{data['page_events']}", highlight=False)


def _chosen(text: str, field: str) -> frozenset[EventType] | None:
    if text.strip() == "all":
        return None
    if text.strip() == "none":
        return frozenset()
    return parse_event_types(text, field)
