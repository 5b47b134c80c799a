"""The audit log's reading port: records listed by who acted, the action, the record and the days recorded, oldest
first after a sequence number or newest first before one, with the count of all that match; the same on the fake,
SQLite and PostgreSQL (and the same as the query's own rule, ``AuditQuery.matches``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coalition.domain.access import Actor
from coalition.domain.audit import AuditEvent, AuditQuery
from coalition.domain.errors import InvalidInput
from coalition.services.audit import record_change
from tests.contract.conftest import Store

ACTS = [("alice", "record_pledge", "contribution", "1"), ("bob", "record_pledge", "contribution", "2"),
        ("alice", "cast_vote", "proposal", "7"), ("carol", "record_receipt", "contribution", "3"),
        ("alice", "record_pledge", "contribution", "4"), ("bob", "cast_vote", "proposal", "7")]


def _write(units: Store) -> None:
    """Each act on a day of its own, two days apart, from 22 November 2026 on."""
    for n, (user, action, kind, key) in enumerate(ACTS):
        if n:
            units.clock.now += timedelta(days=2)
        with units() as uow:
            record_change(uow, Actor(user), AuditEvent(action, kind, key, None, {"n": n}))
            uow.commit()


QUERIES = [
    AuditQuery(), AuditQuery(actor="alice"), AuditQuery(action="record_pledge"), AuditQuery(object_type="proposal"),
    AuditQuery(object_type="proposal", object_id="7", actor="bob"), AuditQuery(since=date(2026, 11, 26)),
    AuditQuery(until=date(2026, 11, 26)), AuditQuery(since=date(2026, 11, 24), until=date(2026, 11, 28)),
    AuditQuery(actor="nobody"), AuditQuery(newest_first=True), AuditQuery(actor="alice", newest_first=True),
]


def test_a_search_lists_what_the_query_matches_in_its_order_with_the_count(units: Store):
    _write(units)
    with units() as uow:
        everything = list(uow.audit.records())
        found = {query: uow.audit.search(query, 100) for query in QUERIES}
    for query, (page, total) in found.items():
        expected = [r for r in everything if query.matches(r)]
        expected = expected[::-1] if query.newest_first else expected
        assert [r.seq for r in page] == [r.seq for r in expected], query
        assert total == len(expected), query
    alice, _ = found[AuditQuery(actor="alice")]
    assert [r.object_id for r in alice] == ["1", "7", "4"]
    assert len(found[AuditQuery(since=date(2026, 11, 24), until=date(2026, 11, 28))][0]) == 3


def test_newest_first_pages_backwards_from_a_sequence_number_and_forwards_after_one(units: Store):
    _write(units)
    with units() as uow:
        pledges = [r.seq for r in uow.audit.records() if r.action == "record_pledge"]
        first, total = uow.audit.search(AuditQuery(action="record_pledge", newest_first=True), 2)
        rest, _ = uow.audit.search(AuditQuery(action="record_pledge", newest_first=True, before=first[-1].seq), 2)
        after, _ = uow.audit.search(AuditQuery(action="record_pledge", after=pledges[0]), 10)
        actions, kinds = uow.audit.vocabulary()
    assert [r.seq for r in first + rest] == pledges[::-1] and total == 3
    assert [r.seq for r in after] == pledges[1:]
    assert {"record_pledge", "cast_vote", "record_receipt"} <= set(actions) and actions == sorted(actions)
    assert {"contribution", "proposal"} <= set(kinds) and kinds == sorted(kinds)


def test_a_query_with_its_days_the_wrong_way_round_or_an_empty_field_is_refused():
    with pytest.raises(InvalidInput) as backwards:
        AuditQuery(since=date(2026, 12, 2), until=date(2026, 12, 1))
    assert backwards.value.field == "since"
    with pytest.raises(InvalidInput) as empty:
        AuditQuery(actor="  ")
    assert empty.value.field == "actor"
