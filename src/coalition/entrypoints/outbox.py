"""Delivering the outbox (ADR 0041): each turn of a job worker's loop fans new events out, announces silence
procedures closing within 48 hours (once each), and sends the due deliveries: webhook requests signed with the
subscription's secret, and emails in each user's language. A delivery is marked delivered only once the receiver
answered 2xx (or the SMTP server took the message); a worker killed in between leaves it to the next worker, which
sends it again with the same event id."""

from __future__ import annotations

import json
import smtplib
import time
from dataclasses import dataclass

import structlog

from coalition.bootstrap import Claimed, Platform
from coalition.domain.errors import CoalitionError
from coalition.domain.notifications import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    MESSAGES,
    SIGNATURE_HEADER,
    SILENCE_WARNING,
    Event,
    fill,
    sign,
)
from coalition.services import notifications
from coalition.services.steering import voting_parties

log = structlog.get_logger("coalition.outbox")


def webhook_body(event: Event) -> bytes:
    """The exact bytes a receiver gets (and the signature covers)."""
    return json.dumps(event.body(), sort_keys=True, separators=(",", ":"), default=str).encode()


def message_text(event: Event, language: str) -> tuple[str, str]:
    """The subject and body of the email telling of ``event``, in ``language`` (English when none is known)."""
    from coalition.entrypoints.web.i18n import translations  # the pages' catalog (the web package imports jobs)

    subject, body = MESSAGES[event.type]
    gettext = translations(language).gettext
    facts = {**event.facts, "coalition": event.coalition or ""}
    return fill(gettext(subject), facts), fill(gettext(body), facts)


@dataclass
class Turn:
    """What one turn of delivery did."""

    fanned_out: int = 0
    announced: int = 0
    sent: int = 0
    failed: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.fanned_out or self.announced or self.sent or self.failed)


class Deliverer:
    """One worker's delivery of the outbox (see the module's text)."""

    def __init__(self, platform: Platform, worker: str) -> None:
        self.platform = platform
        self.worker = worker

    def turn(self) -> Turn:
        """Fan out, announce and send what is due, once."""
        outbox = self.platform.outbox
        done = Turn()
        done.announced = self._announce_silence()
        done.fanned_out = outbox.fan_out(emails=self.platform.mailer is not None)
        for claimed in outbox.claim(self.worker):
            ok, status, error = self._send(claimed)
            outbox.finish(claimed, self.worker, ok=ok, status_code=status, error=error)
            if ok:
                done.sent += 1
            else:
                done.failed += 1
                log.warning("delivery failed", delivery=claimed.id, channel=claimed.channel, status=status,
                            error=error)
        return done

    def drain(self) -> Turn:
        """Turns until nothing more is due now (``coalition worker --once``)."""
        total = Turn()
        while (turn := self.turn()).busy:
            total.fanned_out += turn.fanned_out
            total.announced += turn.announced
            total.sent += turn.sent
            total.failed += turn.failed
            if turn.failed and not turn.sent and not turn.fanned_out:
                break  # what failed is due again later, not now
        return total

    def _announce_silence(self) -> int:
        platform = self.platform
        announced = 0
        for proposal, coalition, title, deadline in platform.outbox.silence_closing(platform.clock(),
                                                                                  SILENCE_WARNING):
            uow = platform.uow(read_only=True)
            with uow:
                parties = voting_parties(uow, coalition, platform.clock().date())
            if notifications.announce_silence_closing(platform.uow(), proposal, coalition, title, deadline, parties):
                announced += 1
        return announced

    def _send(self, claimed: Claimed) -> tuple[bool, int | None, str]:
        if claimed.channel == "webhook":
            body = webhook_body(claimed.event)
            stamp = int(time.time())  # the receiver's clock judges it: the wall clock, not the record's
            headers = {SIGNATURE_HEADER: sign(claimed.secret, stamp, body), EVENT_ID_HEADER: claimed.event.id,
                       EVENT_TYPE_HEADER: claimed.event.type.value}
            status, error = self.platform.webhook_poster.post(claimed.url, body, headers)
            return status is not None and 200 <= status < 300, status, error
        mailer = self.platform.mailer
        if mailer is None or not claimed.email:
            return False, None, "no SMTP server or no address: COALITION_SMTP_HOST and the user's email"
        language = claimed.language or "en"
        subject, text = message_text(claimed.event, language)
        try:
            mailer.send(claimed.email, subject, text, language=language, event_id=claimed.event.id)
        except (OSError, smtplib.SMTPException) as error:
            return False, None, f"{type(error).__name__}: {error}"[:500]
        return True, 250, ""


def deliver_safely(deliverer: Deliverer) -> Turn:
    """A turn that a database out of reach does not end: the worker tries again at its next turn."""
    try:
        return deliverer.turn()
    except CoalitionError as error:
        log.warning("outbox not delivered this turn", error=str(error))
        return Turn()
