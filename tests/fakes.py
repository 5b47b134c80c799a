"""In-memory implementations of the service ports, for fast tests of the real services."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Self

from coalition.domain.access import Grant
from coalition.domain.audit import GENESIS_HASH, AuditRecord, Checkpoint, ProofPart
from coalition.domain.coalition import Coalition, Fund
from coalition.domain.identity import ApiToken, Session, User
from coalition.domain.instrument import Instrument, Signature
from coalition.domain.membership import MembershipChange
from coalition.domain.party import Party, PartyKind


class TickingClock:
    """A controllable clock: each reading is one second after the last."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class _State:
    def __init__(self) -> None:
        self.parties: dict[str, Party] = {}
        self.coalitions: dict[str, Coalition] = {}
        self.funds: dict[str, Fund] = {}
        self.changes: list[MembershipChange] = []
        self.instruments: dict[str, Instrument] = {}
        self.signatures: list[Signature] = []
        self.audit: list[AuditRecord] = []
        self.checkpoints: list[Checkpoint] = []
        self.users: dict[str, User] = {}
        self.password_hashes: dict[str, str | None] = {}
        self.tokens: dict[str, ApiToken] = {}
        self.sessions: dict[str, Session] = {}


class FakeParties:
    def __init__(self, state: _State) -> None:
        self._s = state

    def get(self, code: str) -> Party | None:
        return self._s.parties.get(code)

    def add(self, party: Party) -> None:
        self._s.parties[party.code] = party

    def all(self, kind: PartyKind | None = None) -> list[Party]:
        return [p for p in self._s.parties.values() if kind is None or p.kind is kind]


class FakeCoalitions:
    def __init__(self, state: _State) -> None:
        self._s = state

    def get(self, code: str) -> Coalition | None:
        return self._s.coalitions.get(code)

    def add(self, coalition: Coalition) -> None:
        self._s.coalitions[coalition.code] = coalition

    def all(self) -> list[Coalition]:
        return list(self._s.coalitions.values())

    def set_rules(self, code: str, rules: object) -> None:
        self._s.coalitions[code] = replace(self._s.coalitions[code], rules=rules)

    def get_fund(self, code: str) -> Fund | None:
        return self._s.funds.get(code)

    def add_fund(self, fund: Fund) -> None:
        self._s.funds[fund.code] = fund

    def funds(self, coalition: str) -> list[Fund]:
        return [f for f in self._s.funds.values() if f.coalition == coalition]


class FakeMemberships:
    def __init__(self, state: _State) -> None:
        self._s = state

    def changes(self, coalition: str, party: str | None = None) -> list[MembershipChange]:
        return [c for c in self._s.changes if c.coalition == coalition and (party is None or c.party == party)]

    def add(self, change: MembershipChange) -> MembershipChange:
        stored = MembershipChange(change.coalition, change.party, change.kind, change.effective_on, change.role,
                                  change.instrument, change.note, change.illustrative, len(self._s.changes) + 1)
        self._s.changes.append(stored)
        return stored


class FakeInstruments:
    def __init__(self, state: _State) -> None:
        self._s = state

    def get(self, code: str) -> Instrument | None:
        return self._s.instruments.get(code)

    def add(self, instrument: Instrument) -> None:
        self._s.instruments[instrument.code] = instrument

    def for_coalition(self, coalition: str) -> list[Instrument]:
        return [i for i in self._s.instruments.values() if i.coalition == coalition]

    def signatures(self, instrument: str) -> list[Signature]:
        return [s for s in self._s.signatures if s.instrument == instrument]

    def add_signature(self, signature: Signature) -> None:
        self._s.signatures.append(signature)


class FakeAudit:
    def __init__(self, state: _State) -> None:
        self._s = state

    def head(self) -> tuple[int, str]:
        return self.stored_head()

    def stored_head(self) -> tuple[int, str]:
        last = self._s.audit[-1] if self._s.audit else None
        return (0, GENESIS_HASH) if last is None else (last.seq, last.hash)

    def prove_pending(self) -> list[ProofPart]:
        return []  # the fakes keep no rows to prove

    def unproved_writes(self) -> int:
        return 0

    def note_rows(self, table: str, keys: Collection[str]) -> None:
        return None

    def append(self, record: AuditRecord, proof: Sequence[ProofPart] = ()) -> None:
        self._s.audit.append(record)

    def record(self, seq: int) -> AuditRecord | None:
        return next((r for r in self._s.audit if r.seq == seq), None)

    def proofs(self) -> Iterator[tuple[int, ProofPart]]:
        return iter([])

    def proved_tables(self) -> list[str]:
        return []

    def current_rows(self, table: str) -> Iterator[tuple[str, bytes]]:
        return iter([])

    def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        self._s.checkpoints.append(checkpoint)

    def latest_checkpoint(self) -> Checkpoint | None:
        return self._s.checkpoints[-1] if self._s.checkpoints else None

    def records(self, *, after_seq: int = 0, limit: int | None = None) -> Iterator[AuditRecord]:
        chosen = [r for r in self._s.audit if r.seq > after_seq]
        return iter(chosen if limit is None else chosen[:limit])


class FakeUsers:
    def __init__(self, state: _State) -> None:
        self._s = state

    def get(self, username: str) -> User | None:
        return self._s.users.get(username)

    def by_subject(self, subject: str) -> User | None:
        return next((u for u in self._s.users.values() if u.oidc_subject == subject), None)

    def lock(self, username: str) -> None:
        pass  # one unit of work at a time

    def password_hash(self, username: str) -> str | None:
        return self._s.password_hashes.get(username)

    def add(self, user: User, password_hash: str | None, created_at: datetime) -> None:
        self._s.users[user.username] = user
        self._s.password_hashes[user.username] = password_hash

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self._s.password_hashes[username] = password_hash

    def set_grants(self, username: str, grants: frozenset[Grant]) -> None:
        self._s.users[username] = replace(self._s.users[username], grants=grants)

    def set_active(self, username: str, active: bool) -> None:
        self._s.users[username] = replace(self._s.users[username], active=active)

    def set_language(self, username: str, language: str) -> None:
        self._s.users[username] = replace(self._s.users[username], language=language)

    def all(self) -> list[User]:
        return sorted(self._s.users.values(), key=lambda u: u.username)

    def add_token(self, token: ApiToken) -> None:
        self._s.tokens[token.id] = token

    def get_token(self, token_id: str) -> ApiToken | None:
        return self._s.tokens.get(token_id)

    def revoke_token(self, token_id: str, at: datetime) -> None:
        self._s.tokens[token_id] = replace(self._s.tokens[token_id], revoked_at=at)

    def tokens(self, username: str | None = None) -> list[ApiToken]:
        return sorted((t for t in self._s.tokens.values() if username is None or t.username == username),
                      key=lambda t: t.created_at)


class FakeSessions:
    def __init__(self, state: _State) -> None:
        self._s = state

    def add(self, session: Session) -> None:
        self._s.sessions[session.token_hash] = session

    def get(self, token_hash: str) -> Session | None:
        return self._s.sessions.get(token_hash)

    def of_user(self, username: str) -> list[Session]:
        return sorted((s for s in self._s.sessions.values() if s.username == username),
                      key=lambda s: (s.created_at, s.id))

    def touch(self, token_hash: str, seen_at: datetime, *, last_seen_at: datetime) -> None:
        found = self._s.sessions.get(token_hash)
        if found is not None and found.last_seen_at == last_seen_at:
            self._s.sessions[token_hash] = replace(found, last_seen_at=seen_at)

    def end(self, token_hash: str) -> bool:
        return self._s.sessions.pop(token_hash, None) is not None

    def end_all(self, username: str) -> int:
        mine = [h for h, s in self._s.sessions.items() if s.username == username]
        for token_hash in mine:
            del self._s.sessions[token_hash]
        return len(mine)

    def purge(self, *, created_before: datetime, seen_before: datetime) -> int:
        over = [h for h, s in self._s.sessions.items() if s.created_at < created_before or s.last_seen_at < seen_before]
        for token_hash in over:
            del self._s.sessions[token_hash]
        return len(over)


class FakeHasher:
    """Hashes a password by naming it (tests only); rehashes what an older 'v0:' scheme hashed."""

    def hash(self, password: str) -> str:
        return f"v1:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash.split(":", 1)[1] == password

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith("v1:")


class FakeUnitOfWork:
    """Works on a copy of the committed state; commit publishes the copy, anything else discards it."""

    def __init__(self, clock: TickingClock | None = None) -> None:
        self.committed = _State()
        self.clock = clock or TickingClock()
        self.commits = 0
        self._depth = 0

    def __enter__(self) -> Self:
        if self._depth == 0:
            self._working = copy.deepcopy(self.committed)
            self.parties = FakeParties(self._working)
            self.coalitions = FakeCoalitions(self._working)
            self.memberships = FakeMemberships(self._working)
            self.instruments = FakeInstruments(self._working)
            self.users = FakeUsers(self._working)
            self.sessions = FakeSessions(self._working)
            self.audit = FakeAudit(self._working)
        self._depth += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1

    def commit(self) -> None:
        if self._depth == 1:
            self.committed = copy.deepcopy(self._working)
            self.commits += 1
