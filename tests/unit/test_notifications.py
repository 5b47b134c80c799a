"""Webhook signatures (HMAC-SHA256 over the timestamp and the body) and their verification with a five-minute
tolerance; the backoff between tries; event types and addresses refused with the field named."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from coalition.domain.errors import InvalidInput
from coalition.domain.notifications import (
    EventType,
    check_email,
    fill,
    next_try,
    parse_event_types,
    sign,
    verify,
)

SECRET = "whsec_test"
BODY = b'{"id":"e1","type":"proposal-opened"}'
NOW = 1_800_000_000


def test_the_signature_is_an_hmac_of_the_timestamp_and_the_body_as_a_receiver_computes_it():
    header = sign(SECRET, NOW, BODY)
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"
    assert verify(SECRET, header, BODY, NOW + 10)


@pytest.mark.parametrize(("header", "body", "now"), [
    (sign(SECRET, NOW, BODY), BODY + b" ", NOW),  # the body changed
    (sign("another", NOW, BODY), BODY, NOW),  # another secret
    (sign(SECRET, NOW, BODY), BODY, NOW + 301),  # a replay five minutes and a second later
    (sign(SECRET, NOW, BODY), BODY, NOW - 301),  # a timestamp from the future
    (sign(SECRET, NOW, BODY).replace("t=", "x="), BODY, NOW),  # no timestamp
    ("", BODY, NOW),
])
def test_a_receiver_refuses_a_wrong_or_replayed_signature(header: str, body: bytes, now: int):
    assert not verify(SECRET, header, body, now)


def test_a_signature_at_the_edge_of_the_tolerance_is_accepted():
    assert verify(SECRET, sign(SECRET, NOW, BODY), BODY, NOW + 300)


def test_tries_back_off_from_a_minute_doubling_to_two_hours_and_stop_after_a_day():
    created = datetime(2026, 1, 1, tzinfo=UTC)
    waits = [next_try(n, created, created) - created for n in range(1, 10)]  # type: ignore[operator]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(waits) == timedelta(hours=2)
    assert next_try(30, created, created + timedelta(hours=23)) is None


def test_event_types_and_addresses_are_refused_naming_the_field():
    assert parse_event_types("all") == frozenset(EventType)
    assert parse_event_types(" proposal-opened , decision-taken") == {EventType.PROPOSAL_OPENED,
                                                                       EventType.DECISION_TAKEN}
    with pytest.raises(InvalidInput) as refused:
        parse_event_types("proposal-opened,votes")
    assert refused.value.field == "events" and "votes" in str(refused.value)
    with pytest.raises(InvalidInput) as bad:
        check_email("desk at mod.ee")
    assert bad.value.field == "email"
    assert check_email(" desk@mod.ee ") == "desk@mod.ee"


def test_a_message_fills_the_facts_and_names_a_missing_one():
    assert fill("Proposal {proposal}: {title} ({deadline})", {"proposal": 3, "title": "T"}) == "Proposal 3: T (none)"
