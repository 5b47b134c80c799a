"""The audit chain: every change recorded with who, when, what, before and after, hash-linked.

Each record's hash covers its own content and the previous record's hash, so altering,
removing or reordering any stored record breaks the chain at that record. A record also carries
the digest of its proof: the SHA-256 of every row its change wrote, as stored, so that a row
edited, moved or added outside the platform no longer matches the last record that wrote it
(``compare_rows``). A checkpoint (the head, signed outside the database) anchors the chain, so
that cutting or rewriting it is provable by anyone who kept an earlier checkpoint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from types import UnionType
from typing import Any

from coalition.domain.errors import InvalidInput, refusal

GENESIS_HASH = "0" * 64

JsonValue = Any


def snapshot(value: object) -> JsonValue:
    """A JSON-ready picture of a domain value, for the before and after of an audit record."""
    if value is None or isinstance(value, bool | int | str):
        return value
    for kinds, picture in _SCALARS:
        if isinstance(value, kinds):
            return picture(value)
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


_SCALARS: tuple[tuple[type | UnionType, Callable[[Any], JsonValue]], ...] = (
    (Enum, lambda value: value.value),
    (Decimal | Fraction, str),
    (datetime | date, lambda value: value.isoformat()),
)


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
    rows: JsonValue = None  # the summary of its proof, {"count": rows, "sha256": hex}; None for no rows


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which records of the audit log to list: each field given narrows the list (by who acted, the action, the
    kind and id of the record changed, the days it was recorded, UTC); ``newest_first`` lists backwards from
    ``before`` (a sequence number), otherwise forwards from ``after``."""

    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: date | None = None
    until: date | None = None
    newest_first: bool = False
    after: int = 0
    before: int | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise refusal(InvalidInput, "the first day {since} is after the last day {until}", field="since",
                          since=self.since.isoformat(), until=self.until.isoformat())
        for name in ("actor", "action", "object_type", "object_id"):
            value = getattr(self, name)
            if value is not None and (not value.strip() or len(value) > 200):
                raise refusal(InvalidInput, "{name} is empty or longer than 200 characters", field=name, name=name)

    def matches(self, record: AuditRecord) -> bool:
        """Whether ``record`` is one this query lists (the rule the stores apply in their queries)."""
        user = record.actor.get("user") if isinstance(record.actor, dict) else record.actor
        day = record.occurred_at.date()
        return ((self.actor is None or user == self.actor) and (self.action is None or record.action == self.action)
                and (self.object_type is None or record.object_type == self.object_type)
                and (self.object_id is None or record.object_id == self.object_id)
                and (self.since is None or day >= self.since) and (self.until is None or day <= self.until)
                and (record.seq < self.before if self.newest_first and self.before is not None
                     else self.newest_first or record.seq > self.after))


# Where an act's own day stands in what its record holds, in the order looked for: the record is bitemporal, the
# day the act happened beside the time it was recorded (``occurred_at``).
ACT_DAY_KEYS = ("on", "decided_on", "effective_on", "value_date", "signed_on", "paid_on", "received_on",
                "approved_on", "submitted_on", "opened_on", "run_on", "occurred_on", "held_on", "checked_on",
                "awarded_on", "offered_on", "proposed_on")


def act_day(record: AuditRecord) -> date | None:
    """The day the recorded act happened, where its record says (a decision's tally holds the day it was decided;
    a vote, the moment it was cast); None: the act is of the day it was recorded."""
    found = record.after if isinstance(record.after, dict) else {}
    tally = found.get("tally")
    places = [found, tally] if isinstance(tally, dict) else [found]
    for key in (*ACT_DAY_KEYS, "cast_at"):
        for place in places:
            value = place.get(key)
            if isinstance(value, str) and len(value) >= 10:
                try:
                    return date.fromisoformat(value[:10])
                except ValueError:
                    continue
    return None


def _canonical(seq: int, occurred_at: datetime, actor: JsonValue, event: AuditEvent, prev_hash: str,
               rows: JsonValue = None) -> bytes:
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
    if rows is not None:  # records written before proofs were kept hash as they always did
        body["rows"] = rows
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal(event: AuditEvent, *, seq: int, occurred_at: datetime, actor: JsonValue, prev_hash: str,
         rows: JsonValue = None) -> AuditRecord:
    """Fix an event into the chain after the record whose hash is ``prev_hash``, with its proof's summary."""
    digest = hashlib.sha256(_canonical(seq, occurred_at, actor, event, prev_hash, rows)).hexdigest()
    return AuditRecord(seq, occurred_at, actor, event.action, event.object_type, event.object_id,
                       event.before, event.after, prev_hash, digest, rows)


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
                          prev_hash=record.prev_hash, rows=record.rows).hash
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


# --- proofs of the rows a record wrote ------------------------------------------------------------------------

DIGEST_SIZE = 32
DELETED = bytes(DIGEST_SIZE)  # the digest a proof gives a row its change deleted


def _as_text(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"a stored {type(value).__name__} has no canonical form")


# A row's canonical form is the JSON array of its values in column order: keys of objects sorted, no spaces, text
# as UTF-8, dates as ISO 8601 text. Each column holds one type, so a date and a text never share a place. The
# standard library's encoder, built once (``JSONEncoder.encode`` builds it again for every value it encodes).
_MAKE = getattr(json.encoder, "c_make_encoder", None)
_ENCODE = _MAKE(None, _as_text, json.encoder.encode_basestring, None, ":", ",", True, False, True) if _MAKE else None
_FALLBACK = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_as_text).encode


def canonical_row(values: Sequence[object]) -> str:
    listed = values if isinstance(values, list | tuple) else tuple(values)
    return "".join(_ENCODE(listed, 0)) if _ENCODE is not None else _FALLBACK(list(listed))


def row_digest(table: str, values: Sequence[object]) -> bytes:
    """The SHA-256 of a stored row: its table's name, a line break, and its values' canonical JSON array."""
    return hashlib.sha256(f"{table}\n{canonical_row(values)}".encode()).digest()


@dataclass(frozen=True, slots=True)
class ProofPart:
    """Rows of one table that one record wrote: their keys and, in the same order, their digests."""

    table: str
    part: int
    keys: tuple[str, ...]
    digests: bytes

    def __post_init__(self) -> None:
        if len(self.digests) != DIGEST_SIZE * len(self.keys):
            raise ValueError(f"a proof of {len(self.keys)} rows holds {len(self.keys)} digests")

    def digest(self) -> bytes:
        head = json.dumps([self.table, self.part, list(self.keys)], separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(head.encode() + b"\x00" + self.digests).digest()

    def rows(self) -> Iterable[tuple[str, bytes]]:
        for index, key in enumerate(self.keys):
            yield key, self.digests[index * DIGEST_SIZE:(index + 1) * DIGEST_SIZE]


PART_ROWS = 10_000  # rows per stored part: a million-row import keeps its proof in parts of a few hundred kB


def proof_parts(table: str, rows: Iterable[tuple[str, bytes]]) -> list[ProofPart]:
    """A table's proven rows, in the order given, cut into parts of ``PART_ROWS``."""
    ordered = list(rows)
    return [ProofPart(table, number, tuple(key for key, _ in ordered[start:start + PART_ROWS]),
                      b"".join(digest for _, digest in ordered[start:start + PART_ROWS]))
            for number, start in enumerate(range(0, len(ordered), PART_ROWS))]


def proof_summary(parts: Iterable[ProofPart]) -> JsonValue:
    """What the record's hash covers of its proof: how many rows, and one SHA-256 over every part in order."""
    listed = sorted(parts, key=lambda p: (p.table, p.part))
    if not listed:
        return None
    combined = hashlib.sha256(b"".join(part.digest() for part in listed)).hexdigest()
    return {"count": sum(len(part.keys) for part in listed), "sha256": combined}


class RowProblem(Enum):
    ALTERED = "altered"  # differs from what the last record that wrote it says
    UNACCOUNTED = "unaccounted"  # no record wrote it
    MISSING = "missing"  # a record wrote it and none deleted it, but it is gone
    PROOF_ALTERED = "proof-altered"  # the stored proof no longer matches its record


@dataclass(frozen=True, slots=True)
class RowFinding:
    table: str
    key: str
    problem: RowProblem
    seq: int | None  # the last record that wrote the row

    def describe(self) -> str:
        where = f"{self.table} {self.key}"
        if self.problem is RowProblem.ALTERED:
            return f"{where} differs from what audit record {self.seq}, the last that wrote it, says"
        if self.problem is RowProblem.UNACCOUNTED:
            return f"{where} was written by no audit record"
        if self.problem is RowProblem.MISSING:
            return f"{where} was written by audit record {self.seq} and is gone, though no record deleted it"
        return f"the proof of audit record {self.seq} ({where}) no longer matches the record's digest"


@dataclass(frozen=True, slots=True)
class RowComparison:
    checked: int
    findings: list[RowFinding]


def compare_rows(table: str, claimed: dict[str, tuple[int, bytes]],
                 current: Iterable[tuple[str, bytes]]) -> RowComparison:
    """Every row of ``table`` that differs from what the last record that wrote it says; ``claimed`` maps a key to
    (that record's seq, the row's digest then), and is emptied as rows are seen."""
    found = []
    checked = 0
    for key, digest in current:
        checked += 1
        last = claimed.pop(key, None)
        if last is None:
            found.append(RowFinding(table, key, RowProblem.UNACCOUNTED, None))
        elif last[1] != digest:
            found.append(RowFinding(table, key, RowProblem.ALTERED, last[0]))
    found += [RowFinding(table, key, RowProblem.MISSING, seq) for key, (seq, digest) in sorted(claimed.items())
              if digest != DELETED]
    return RowComparison(checked, found)


class ProofCheck:
    """Checks, as the chain is read in order, that each record's stored proof still hashes to the summary the
    record's own hash covers, and gathers what the proofs say of every row: its key, the last record that wrote it
    and its digest then (``claimed``, per table), for ``compare_rows``."""

    def __init__(self, proofs: Iterable[tuple[int, ProofPart]]) -> None:
        self._proofs = iter(proofs)
        self._next: tuple[int, ProofPart] | None = next(self._proofs, None)
        self.claimed: dict[str, dict[str, tuple[int, bytes]]] = {}
        self.findings: list[RowFinding] = []
        self.rows = 0

    def follow(self, records: Iterable[AuditRecord]) -> Iterable[AuditRecord]:
        """``records`` passed through, each one's proof checked on the way."""
        for record in records:
            own = []
            while self._next is not None and self._next[0] <= record.seq:
                if self._next[0] == record.seq:
                    own.append(self._next[1])
                self._next = next(self._proofs, None)
            if proof_summary(own) != record.rows:
                self.findings.append(RowFinding(own[0].table if own else "-", "", RowProblem.PROOF_ALTERED,
                                                record.seq))
                continue
            for part in own:
                rows = self.claimed.setdefault(part.table, {})
                for key, digest in part.rows():
                    rows[key] = (record.seq, digest)
                self.rows += len(part.keys)
            yield record


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed head of the chain: ``seq`` records, the last of them hashing to ``hash``, as signed at
    ``signed_at`` with the key whose public key's SHA-256 is ``key_id``."""

    seq: int
    hash: str
    signed_at: datetime
    key_id: str
    signature: str = ""
    public_key: str = ""  # base64; bound to the signature through key_id, its SHA-256

    def message(self) -> bytes:
        """What is signed: the count of records, the head's hash, the time and the key, as canonical JSON."""
        body = {"records": self.seq, "hash": self.hash, "signed_at": self.signed_at.isoformat(),
                "key_id": self.key_id}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def check_checkpoint(checkpoint: Checkpoint, chain: ChainReport, at_seq: AuditRecord | None) -> str | None:
    """Why the chain as stored now cannot have grown from the one the checkpoint signed, or None if it can.

    ``chain`` is the verification of the stored chain and ``at_seq`` its record numbered as the checkpoint's head.
    A linear hash chain extends only by appending: a chain that still verifies and holds the signed head as its
    record ``seq`` contains, unchanged, every record the checkpoint covered."""
    if checkpoint.seq == 0:
        return None
    if at_seq is None:
        return (f"the checkpoint signed on {checkpoint.signed_at.isoformat()} covers {checkpoint.seq} records; the "
                f"chain now holds only {chain.checked}: records were cut from it")
    if at_seq.hash != checkpoint.hash:
        return (f"record {checkpoint.seq} hashes to {at_seq.hash[:16]}..., not to {checkpoint.hash[:16]}... as "
                f"signed on {checkpoint.signed_at.isoformat()}: the chain was rewritten")
    if chain.broken_seq is not None and chain.broken_seq <= checkpoint.seq:
        return f"the chain is broken at record {chain.broken_seq}, within what the checkpoint covers"
    return None


def checkpoint_data(checkpoint: Checkpoint) -> dict[str, JsonValue]:
    """A checkpoint as a file or an API keeps it: what was signed, the signature, and the key that signed it."""
    return {"records": checkpoint.seq, "hash": checkpoint.hash, "signed_at": checkpoint.signed_at.isoformat(),
            "key_id": checkpoint.key_id, "signature": checkpoint.signature, "public_key": checkpoint.public_key}


def parse_checkpoint(data: JsonValue) -> Checkpoint:
    """The checkpoint a file or an API gave (``checkpoint_data``)."""
    if not isinstance(data, dict):
        raise InvalidInput("a checkpoint is a JSON object", field="checkpoint")
    try:
        seq, digest, signed_at = data["records"], data["hash"], data["signed_at"]
        found = Checkpoint(int(seq), str(digest), datetime.fromisoformat(str(signed_at)), str(data["key_id"]),
                           str(data["signature"]), str(data.get("public_key") or ""))
    except KeyError as missing:
        raise InvalidInput(f"the checkpoint has no '{missing.args[0]}'", field="checkpoint") from None
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"the checkpoint does not read: {error}", field="checkpoint") from None
    if isinstance(seq, bool) or found.seq < 0 or len(found.hash) != 64:
        raise InvalidInput("the checkpoint's records or hash are not a count and a SHA-256", field="checkpoint")
    return found
