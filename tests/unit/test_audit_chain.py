"""The audit chain names the first record that was altered, removed or moved."""

import dataclasses
from datetime import UTC, datetime, timedelta

from coalition.domain.audit import GENESIS_HASH, AuditEvent, AuditRecord, seal, snapshot, verify_chain


def chain(length: int) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    prev = GENESIS_HASH
    start = datetime(2024, 2, 2, 9, 0, tzinfo=UTC)
    for seq in range(1, length + 1):
        event = AuditEvent("admit_member", "membership", f"it/P{seq}", None, {"party": f"P{seq}", "role": "member"})
        record = seal(event, seq=seq, occurred_at=start + timedelta(minutes=seq),
                      actor={"user": "secretariat", "party": None, "roles": []}, prev_hash=prev)
        records.append(record)
        prev = record.hash
    return records


def head(records: list[AuditRecord]) -> tuple[int, str]:
    return (records[-1].seq, records[-1].hash) if records else (0, GENESIS_HASH)


def test_an_intact_chain_verifies():
    records = chain(5)
    report = verify_chain(records, head=head(records))
    assert report.ok
    assert report.checked == 5


def test_an_empty_chain_verifies():
    assert verify_chain([], head=(0, GENESIS_HASH)).ok


def test_an_altered_record_is_named():
    records = chain(5)
    records[2] = dataclasses.replace(records[2], after={"party": "P3", "role": "lead"})
    report = verify_chain(records, head=head(chain(5)))
    assert (report.ok, report.broken_seq, report.checked) == (False, 3, 2)
    assert "altered" in report.reason


def test_an_altered_actor_or_time_is_caught():
    records = chain(3)
    records[0] = dataclasses.replace(records[0], actor={"user": "someone else", "party": None, "roles": []})
    assert verify_chain(records).broken_seq == 1
    records = chain(3)
    records[1] = dataclasses.replace(records[1], occurred_at=records[1].occurred_at + timedelta(seconds=1))
    assert verify_chain(records).broken_seq == 2


def test_a_removed_record_is_named():
    records = chain(5)
    del records[1]
    report = verify_chain(records, head=head(chain(5)))
    assert report.broken_seq == 2
    assert "missing" in report.reason


def test_records_cut_from_the_end_are_caught_by_the_head():
    full = chain(5)
    report = verify_chain(full[:3], head=head(full))
    assert report.broken_seq == 4
    assert "missing" in report.reason


def test_a_recomputed_forgery_still_breaks_the_link():
    records = chain(4)
    forged_event = AuditEvent("admit_member", "membership", "it/P2", None, {"party": "P2", "role": "lead"})
    records[1] = seal(forged_event, seq=2, occurred_at=records[1].occurred_at, actor=records[1].actor,
                      prev_hash=records[0].hash)
    report = verify_chain(records)
    assert report.broken_seq == 3
    assert "link" in report.reason


def test_snapshots_are_plain_json():
    from datetime import date
    from decimal import Decimal

    from coalition.domain.coalition import MembershipRole

    @dataclasses.dataclass(frozen=True)
    class Sample:
        day: date
        amount: Decimal
        role: MembershipRole
        tags: frozenset[str]

    assert snapshot(Sample(date(2024, 2, 2), Decimal("1.50"), MembershipRole.LEAD, frozenset({"b", "a"}))) == {
        "day": "2024-02-02", "amount": "1.50", "role": "lead", "tags": ["a", "b"]}


def test_a_record_says_the_day_its_act_happened_beside_the_time_it_was_recorded():
    from datetime import UTC, date, datetime

    from coalition.domain.audit import AuditRecord, act_day

    def record(after: object) -> AuditRecord:
        return AuditRecord(1, datetime(2026, 12, 7, tzinfo=UTC), {}, "act", "thing", "1", None, after, "", "")

    assert act_day(record({"on": "2024-06-14", "value_date": "2024-01-01"})) == date(2024, 6, 14)
    assert act_day(record({"state": "decided", "tally": {"decided_on": "2024-07-30"}})) == date(2024, 7, 30)
    assert act_day(record({"cast_at": "2024-06-12T10:00:00+00:00"})) == date(2024, 6, 12)
    assert act_day(record({"code": "x"})) is None and act_day(record(None)) is None
    assert act_day(record({"on": "not a day"})) is None
