"""The audit chain: every change recorded with who, when, what, before and after, hash-linked.

Each record's hash covers its own content and the previous record's hash, so altering,
removing or reordering any stored record breaks the chain at that record.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

GENESIS_HASH = "0" * 64

JsonValue = Any


def snapshot(value: object) -> JsonValue:
    """A JSON-ready picture of a domain value, for the before and after of an audit record."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | Fraction):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        to_data = getattr(value, "to_data", None)
        if callable(to_data):
            return snapshot(to_data())
        return {f.name: snapshot(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): snapshot(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(snapshot(v) for v in value)
    if isinstance(value, list | tuple):
        return [snapshot(v) for v in value]
    raise TypeError(f"cannot record {type(value).__name__} in the audit log")


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What a service reports about one change, before it is sealed into the chain."""

    action: str
    object_type: str
    object_id: str
    before: JsonValue
    after: JsonValue


@dataclass(frozen=True, slots=True)
class AuditRecord:
    seq: int
    occurred_at: datetime
    actor: JsonValue
    action: str
    object_type: str
    object_id: str
    before: JsonValue
    after: JsonValue
    prev_hash: str
    hash: str


def _canonical(seq: int, occurred_at: datetime, actor: JsonValue, event: AuditEvent, prev_hash: str) -> bytes:
    body = {
        "seq": seq,
        "occurred_at": occurred_at.isoformat(),
        "actor": actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal(event: AuditEvent, *, seq: int, occurred_at: datetime, actor: JsonValue, prev_hash: str) -> AuditRecord:
    """Fix an event into the chain after the record whose hash is ``prev_hash``."""
    digest = hashlib.sha256(_canonical(seq, occurred_at, actor, event, prev_hash)).hexdigest()
    return AuditRecord(seq, occurred_at, actor, event.action, event.object_type, event.object_id,
                       event.before, event.after, prev_hash, digest)


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of verifying the chain: how many records held, and the first that did not."""

    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(records: Iterable[AuditRecord], *, head: tuple[int, str] | None = None) -> ChainReport:
    """Recompute every hash in order; name the first record that was altered, removed or moved.

    ``head`` is the (seq, hash) of the last record as separately kept by the store, which
    catches records cut from the end of the chain.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for record in records:
        if record.seq != expected_seq:
            return ChainReport(checked, expected_seq,
                               f"record {expected_seq} is missing (found {record.seq} in its place)")
        if record.prev_hash != expected_prev:
            return ChainReport(checked, record.seq, "its link to the previous record does not match")
        event = AuditEvent(record.action, record.object_type, record.object_id, record.before, record.after)
        recomputed = seal(event, seq=record.seq, occurred_at=record.occurred_at, actor=record.actor,
                          prev_hash=record.prev_hash).hash
        if recomputed != record.hash:
            return ChainReport(checked, record.seq, "its content does not match its hash (altered)")
        expected_prev = record.hash
        expected_seq += 1
        checked += 1
    if head is not None and head != (checked, expected_prev if checked else GENESIS_HASH):
        head_seq, _ = head
        if head_seq > checked:
            return ChainReport(checked, checked + 1, f"records {checked + 1} to {head_seq} are missing")
        return ChainReport(checked, head_seq or None, "the chain's head does not match its last record")
    return ChainReport(checked)
