"""SQL repositories: translate between domain values and rows, with SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from coalition.adapters import row_proofs, search_index
from coalition.adapters import tables as t
from coalition.adapters.statements import insert_row, row_by
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.audit import GENESIS_HASH, AuditQuery, AuditRecord, Checkpoint, ProofPart
from coalition.domain.coalition import Coalition, DecisionRules, Fund, MembershipRole
from coalition.domain.identifiers import IdScheme, PartyIdentifier
from coalition.domain.instrument import Instrument, InstrumentKind, Signature
from coalition.domain.membership import ChangeKind, MembershipChange
from coalition.domain.party import Party, PartyKind


@rebuilds_stored_values
class SqlPartyRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    @staticmethod
    def _party(row: Any) -> Party:
        return Party(row.code, PartyKind(row.kind), row.name, row.name_uk, row.country, row.illustrative)

    def get(self, code: str) -> Party | None:
        row = self._c.execute(row_by(t.parties, "code"), {"key": code}).first()
        return None if row is None else self._party(row)

    def add(self, party: Party) -> None:
        insert_row(self._c, t.parties, dict(
            code=party.code, kind=party.kind.value, name=party.name, name_uk=party.name_uk,
            country=party.country, illustrative=party.illustrative))

    def all(self, kind: PartyKind | None = None) -> list[Party]:
        query = sa.select(t.parties).order_by(t.parties.c.kind, t.parties.c.name)
        if kind is not None:
            query = query.where(t.parties.c.kind == kind.value)
        return [self._party(row) for row in self._c.execute(query)]

    def identifiers(self, parties: Collection[str] | None = None) -> list[PartyIdentifier]:
        ids = t.party_identifiers
        query = sa.select(ids).order_by(ids.c.party, ids.c.scheme)
        if parties is not None:
            query = query.where(ids.c.party.in_(list(parties)))
        return [PartyIdentifier(row.party, IdScheme(row.scheme), row.value) for row in self._c.execute(query)]

    def holder(self, scheme: IdScheme, value: str) -> str | None:
        ids = t.party_identifiers
        return self._c.execute(sa.select(ids.c.party).where(ids.c.scheme == scheme.value,
                                                            ids.c.value == value)).scalar_one_or_none()

    def set_identifier(self, identifier: PartyIdentifier) -> None:
        ids = t.party_identifiers
        done = self._c.execute(ids.update().where(ids.c.party == identifier.party,
                                                  ids.c.scheme == identifier.scheme.value)
                               .values(value=identifier.value))
        if not done.rowcount:
            insert_row(self._c, ids, dict(party=identifier.party, scheme=identifier.scheme.value,
                                          value=identifier.value))


@rebuilds_stored_values
class SqlCoalitionRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    @staticmethod
    def _coalition(row: Any) -> Coalition:
        return Coalition(row.code, row.name, row.capability_area, row.framework, row.recipient, row.founded_on,
                         row.founded_at, row.reporting_currency, DecisionRules.from_data(row.rules),
                         row.illustrative)

    @staticmethod
    def _fund(row: Any) -> Fund:
        return Fund(row.code, row.coalition, row.name, row.custodian, row.currency, row.illustrative)

    def get(self, code: str) -> Coalition | None:
        row = self._c.execute(row_by(t.coalitions, "code"), {"key": code}).first()
        return None if row is None else self._coalition(row)

    def add(self, coalition: Coalition) -> None:
        insert_row(self._c, t.coalitions, dict(
            code=coalition.code, name=coalition.name, capability_area=coalition.capability_area,
            framework=coalition.framework, recipient=coalition.recipient, founded_on=coalition.founded_on,
            founded_at=coalition.founded_at, reporting_currency=coalition.reporting_currency,
            rules=coalition.rules.to_data(), illustrative=coalition.illustrative))

    def set_rules(self, code: str, rules: DecisionRules) -> None:
        self._c.execute(t.coalitions.update().where(t.coalitions.c.code == code).values(rules=rules.to_data()))

    def all(self) -> list[Coalition]:
        query = sa.select(t.coalitions).order_by(t.coalitions.c.founded_on, t.coalitions.c.code)
        return [self._coalition(row) for row in self._c.execute(query)]

    def get_fund(self, code: str) -> Fund | None:
        row = self._c.execute(row_by(t.funds, "code"), {"key": code}).first()
        return None if row is None else self._fund(row)

    def add_fund(self, fund: Fund) -> None:
        insert_row(self._c, t.funds, dict(
            code=fund.code, coalition=fund.coalition, name=fund.name, custodian=fund.custodian,
            currency=fund.currency, illustrative=fund.illustrative))

    def funds(self, coalition: str) -> list[Fund]:
        query = sa.select(t.funds).where(t.funds.c.coalition == coalition).order_by(t.funds.c.code)
        return [self._fund(row) for row in self._c.execute(query)]


@rebuilds_stored_values
class SqlMembershipRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def changes(self, coalition: str, party: str | None = None) -> list[MembershipChange]:
        m = t.membership_changes
        query = sa.select(m).where(m.c.coalition == coalition).order_by(m.c.effective_on, m.c.id)
        if party is not None:
            query = query.where(m.c.party == party)
        return [MembershipChange(row.coalition, row.party, ChangeKind(row.kind), row.effective_on,
                                 None if row.role is None else MembershipRole(row.role), row.instrument, row.note,
                                 row.illustrative, row.id)
                for row in self._c.execute(query)]

    def add(self, change: MembershipChange) -> MembershipChange:
        result = insert_row(self._c, t.membership_changes, dict(
            coalition=change.coalition, party=change.party, kind=change.kind.value,
            role=None if change.role is None else change.role.value, instrument=change.instrument,
            effective_on=change.effective_on, note=change.note, illustrative=change.illustrative))
        new_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
        return MembershipChange(change.coalition, change.party, change.kind, change.effective_on, change.role,
                                change.instrument, change.note, change.illustrative, new_id)


@rebuilds_stored_values
class SqlInstrumentRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    @staticmethod
    def _instrument(row: Any) -> Instrument:
        return Instrument(row.code, row.coalition, InstrumentKind(row.kind), row.title, row.term_start, row.term_end,
                          row.illustrative)

    def get(self, code: str) -> Instrument | None:
        row = self._c.execute(row_by(t.instruments, "code"), {"key": code}).first()
        return None if row is None else self._instrument(row)

    def add(self, instrument: Instrument) -> None:
        insert_row(self._c, t.instruments, dict(
            code=instrument.code, coalition=instrument.coalition, kind=instrument.kind.value, title=instrument.title,
            term_start=instrument.term_start, term_end=instrument.term_end, illustrative=instrument.illustrative))

    def for_coalition(self, coalition: str) -> list[Instrument]:
        query = sa.select(t.instruments).where(t.instruments.c.coalition == coalition)
        return [self._instrument(row) for row in self._c.execute(query)]

    def signatures(self, instrument: str) -> list[Signature]:
        s = t.signatures
        query = sa.select(s).where(s.c.instrument == instrument).order_by(s.c.signed_on, s.c.id)
        return [Signature(row.instrument, row.party, row.signed_on, row.illustrative) for row in self._c.execute(query)]

    def add_signature(self, signature: Signature) -> None:
        insert_row(self._c, t.signatures, dict(
            instrument=signature.instrument, party=signature.party, signed_on=signature.signed_on,
            illustrative=signature.illustrative))


_HEAD = sa.select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1)
_HEAD_FOR_UPDATE = _HEAD.with_for_update()
_MOVE_HEAD = t.audit_head.update().where(t.audit_head.c.id == 1).values(seq=sa.bindparam("head_seq"),
                                                                         hash=sa.bindparam("head_hash"))
# On PostgreSQL the record and the head's move go in one statement: appends are serialised until commit, and
# each round trip saved there shortens the queue of writers.
_APPEND_AND_MOVE_HEAD = t.audit_records.insert().add_cte(_MOVE_HEAD.cte("moved_head"))


class SqlAuditLog:
    """The audit chain in two tables: the records, and a one-row head that serialises appends; beside them each
    record's proof (``row_proofs``) and the signed checkpoints. The search index follows each proof appended."""

    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection
        self._head: tuple[int, str] | None = None  # once read (and so locked) in this transaction, kept here

    def head(self) -> tuple[int, str]:
        if self._head is None:
            query = _HEAD_FOR_UPDATE if self._c.dialect.name == "postgresql" else _HEAD
            row = self._c.execute(query).one()  # the first migration seeds the head row
            self._head = int(row.seq), str(row.hash)
        return self._head

    def stored_head(self) -> tuple[int, str]:
        row = self._c.execute(sa.select(t.audit_head.c.seq, t.audit_head.c.hash)).first()
        return (0, GENESIS_HASH) if row is None else (int(row.seq), str(row.hash))

    def prove_pending(self) -> list[ProofPart]:
        return row_proofs.prove_pending(self._c)

    def unproved_writes(self) -> int:
        return row_proofs.pending_count(self._c)

    def note_rows(self, table: str, keys: Collection[str]) -> None:
        row_proofs.note(self._c, table, keys)

    def append(self, record: AuditRecord, proof: Sequence[ProofPart] = ()) -> None:
        row = dict(seq=record.seq, occurred_at=record.occurred_at.isoformat(), actor=record.actor,
                   action=record.action, object_type=record.object_type, object_id=record.object_id,
                   before=record.before, after=record.after, prev_hash=record.prev_hash, hash=record.hash,
                   rows=record.rows)
        head = {"head_seq": record.seq, "head_hash": record.hash}
        if self._c.dialect.name == "postgresql":
            self._c.execute(_APPEND_AND_MOVE_HEAD, row | head)
        else:
            insert_row(self._c, t.audit_records, row)
            self._c.execute(_MOVE_HEAD, head)
        if proof:
            self._c.execute(t.audit_proofs.insert(), [
                dict(seq=record.seq, table_name=part.table, part=part.part, keys=list(part.keys),
                     digests=part.digests) for part in proof])
            search_index.follow(self._c, proof)  # the search index follows the rows the change wrote
        self._head = record.seq, record.hash

    def records(self, *, after_seq: int = 0, limit: int | None = None) -> Iterator[AuditRecord]:
        a = t.audit_records
        query = sa.select(a).where(a.c.seq > after_seq).order_by(a.c.seq)
        if limit is not None:
            query = query.limit(limit)
        for row in self._c.execute(query.execution_options(yield_per=1000)):
            yield self._record(row)

    def search(self, query: AuditQuery, limit: int) -> tuple[list[AuditRecord], int]:
        a = t.audit_records
        where: list[sa.ColumnElement[bool]] = []
        if query.actor is not None:
            where.append(a.c.actor["user"].as_string() == query.actor)
        for column, value in ((a.c.action, query.action), (a.c.object_type, query.object_type),
                              (a.c.object_id, query.object_id)):
            if value is not None:
                where.append(column == value)
        # Times are kept as ISO 8601 text in UTC, so a day's records sort between its first moment and the next day's.
        if query.since is not None:
            where.append(a.c.occurred_at >= query.since.isoformat())
        if query.until is not None:
            where.append(a.c.occurred_at < (query.until + timedelta(days=1)).isoformat())
        total = int(self._c.execute(sa.select(sa.func.count()).select_from(a).where(*where)).scalar_one())
        if query.newest_first:
            page = sa.select(a).where(*where, *([a.c.seq < query.before] if query.before is not None else []))
            page = page.order_by(a.c.seq.desc())
        else:
            page = sa.select(a).where(*where, a.c.seq > query.after).order_by(a.c.seq)
        return [self._record(row) for row in self._c.execute(page.limit(limit))], total

    def vocabulary(self) -> tuple[list[str], list[str]]:
        a = t.audit_records
        actions = self._c.execute(sa.select(a.c.action).distinct().order_by(a.c.action)).scalars()
        kinds = self._c.execute(sa.select(a.c.object_type).distinct().order_by(a.c.object_type)).scalars()
        return list(actions), list(kinds)

    @staticmethod
    def _record(row: Any) -> AuditRecord:
        return AuditRecord(int(row.seq), datetime.fromisoformat(row.occurred_at), row.actor, row.action,
                           row.object_type, row.object_id, row.before, row.after, row.prev_hash, row.hash, row.rows)

    def record(self, seq: int) -> AuditRecord | None:
        row = self._c.execute(sa.select(t.audit_records).where(t.audit_records.c.seq == seq)).first()
        return None if row is None else self._record(row)

    def proofs(self) -> Iterator[tuple[int, ProofPart]]:
        p = t.audit_proofs
        query = sa.select(p).order_by(p.c.seq, p.c.table_name, p.c.part).execution_options(yield_per=200)
        for row in self._c.execute(query):
            yield int(row.seq), ProofPart(row.table_name, int(row.part), tuple(row.keys), bytes(row.digests))

    def proved_tables(self) -> list[str]:
        return sorted(row_proofs.BY_NAME)

    def current_rows(self, table: str) -> Iterator[tuple[str, bytes]]:
        return row_proofs.current_digests(self._c, row_proofs.BY_NAME[table])

    def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        insert_row(self._c, t.audit_checkpoints, dict(
            seq=checkpoint.seq, hash=checkpoint.hash, signed_at=checkpoint.signed_at.isoformat(),
            key_id=checkpoint.key_id, signature=checkpoint.signature, public_key=checkpoint.public_key))

    def latest_checkpoint(self) -> Checkpoint | None:
        c = t.audit_checkpoints
        row = self._c.execute(sa.select(c).order_by(c.c.id.desc()).limit(1)).first()
        return None if row is None else Checkpoint(int(row.seq), row.hash, datetime.fromisoformat(row.signed_at),
                                                   row.key_id, row.signature, row.public_key)
