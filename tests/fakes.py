"""In-memory implementations of the service ports, for fast tests of the real services."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Self

from coalition.domain import ledger
from coalition.domain.access import Grant, RecordScope
from coalition.domain.audit import GENESIS_HASH, AuditQuery, AuditRecord, Checkpoint, ProofPart
from coalition.domain.coalition import Coalition, DecisionRules, Fund
from coalition.domain.contribution_import import ValidRows
from coalition.domain.contribution_rules import Stored
from coalition.domain.contributions import (
    EVERY_CONTRIBUTION,
    Confidentiality,
    Contribution,
    ContributionFilter,
    ContributionKind,
    ContributionOrder,
    Earmark,
    ReportingValue,
    Visibility,
)
from coalition.domain.delivery import EndUseCheck, Shipment, ShipmentEvent, UnitReceipt
from coalition.domain.documents import Document, Listed, RecordType
from coalition.domain.fx import FxRate
from coalition.domain.identifiers import IdScheme, PartyIdentifier
from coalition.domain.identity import ApiToken, Session, User
from coalition.domain.innovation import (
    Call,
    ConflictDeclaration,
    Evidence,
    GateDecision,
    GateRules,
    GrantPayment,
    Programme,
    Project,
    ProjectGrant,
    ProjectStage,
    Review,
    Shortlist,
)
from coalition.domain.instrument import Instrument, Signature
from coalition.domain.ledger import AccountKey, AccountType, Balance, Entry
from coalition.domain.membership import MembershipChange
from coalition.domain.money import Money
from coalition.domain.notifications import Choices, DeliveryRecord, Event, Notice, Subscription
from coalition.domain.offers import Offer, OfferRecord, OfferReply
from coalition.domain.packages import PackageAct, PackageRecord, PackageShare, PurlPackage
from coalition.domain.party import Party, PartyKind
from coalition.domain.planning import AllocationPlan, AvailableMoney, PlanHeading, PlanState
from coalition.domain.procurement import (
    Bid,
    CaseStage,
    Contract,
    ContractVersion,
    FundingShare,
    Payment,
    ProcurementCase,
    Tender,
)
from coalition.domain.requirements import ListState, Package, PriorityList, Requirement, RequirementStatus
from coalition.domain.steering import CastVote, Meeting, Proposal
from coalition.domain.taxonomy import CapabilityArea
from coalition.services.ports import (
    AuditLog,
    CapabilityAreaRepository,
    CoalitionRepository,
    DocumentRepository,
    FxRateRepository,
    InnovationRepository,
    InstrumentRepository,
    LedgerRepository,
    MembershipRepository,
    OfferRepository,
    OutboxRepository,
    PackageRepository,
    PartyRepository,
    PlanRepository,
    PriorityListRepository,
    ProcurementRepository,
    RequirementRepository,
    SessionRepository,
    SteeringRepository,
    UserRepository,
)


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
        self.party_identifiers: dict[tuple[str, IdScheme], PartyIdentifier] = {}
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
        self.money = _Money()
        self.planning = _Planning()
        self.steering = _Steering()
        self.innovation = _Innovation()
        self.packages: dict[str, PackageRecord] = {}
        self.offers: dict[str, OfferRecord] = {}
        self.documents: list[Document] = []
        self.next_ids: dict[str, int] = defaultdict(int)
        self.outbox = _Outbox()


class _Outbox:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.subscriptions: dict[int, tuple[Subscription, str]] = {}
        self.contacts: dict[str, tuple[str | None, Choices]] = {}
        self.notices: dict[str, list[Notice]] = defaultdict(list)


class FakeOutbox:
    """The outbox in memory: events and settings; deliveries are the worker's (tested on the real database)."""

    def __init__(self, state: _State) -> None:
        self._s = state

    def add(self, event: Event) -> str:
        stored = replace(event, id=event.id or f"event-{len(self._s.outbox.events) + 1}")
        self._s.outbox.events.append(stored)
        return stored.id

    def announced(self, event_id: str) -> bool:
        return any(e.id == event_id for e in self._s.outbox.events)

    def subscriptions(self, party: str | None = None) -> list[Subscription]:
        return [s for s, _ in self._s.outbox.subscriptions.values() if party is None or s.party == party]

    def subscription(self, subscription_id: int) -> Subscription | None:
        found = self._s.outbox.subscriptions.get(subscription_id)
        return None if found is None else found[0]

    def add_subscription(self, subscription: Subscription, secret: str) -> Subscription:
        stored = replace(subscription, id=len(self._s.outbox.subscriptions) + 1)
        self._s.outbox.subscriptions[stored.id or 0] = (stored, secret)
        return stored

    def set_active(self, subscription_id: int, active: bool, note: str) -> None:
        found, secret = self._s.outbox.subscriptions[subscription_id]
        self._s.outbox.subscriptions[subscription_id] = (replace(found, active=active, note=note,
                                                                             failures=0), secret)

    def deliveries(self, subscription: int | None = None, limit: int = 100) -> list[DeliveryRecord]:
        return []

    def delivery(self, delivery_id: int) -> DeliveryRecord | None:
        return None

    def resend(self, delivery_id: int, at: datetime) -> None:
        raise AssertionError("no delivery is kept in memory")

    def contact(self, username: str) -> tuple[str | None, Choices]:
        return self._s.outbox.contacts.get(username, (None, Choices()))

    def set_contact(self, username: str, email: str | None, choices: Choices) -> None:
        self._s.outbox.contacts[username] = (email, choices)

    def notices(self, username: str, limit: int = 100) -> list[Notice]:
        return list(reversed(self._s.outbox.notices[username]))[:limit]

    def unread(self, username: str) -> int:
        return sum(1 for n in self._s.outbox.notices[username] if n.read_at is None)

    def mark_read(self, username: str, ids: Collection[int] | None, at: datetime) -> int:
        mine = self._s.outbox.notices[username]
        marked = [i for i, n in enumerate(mine) if n.read_at is None and (ids is None or n.id in ids)]
        for i in marked:
            mine[i] = replace(mine[i], read_at=at)
        return len(marked)


class FakeParties:
    def __init__(self, state: _State) -> None:
        self._s = state

    def get(self, code: str) -> Party | None:
        return self._s.parties.get(code)

    def add(self, party: Party) -> None:
        self._s.parties[party.code] = party

    def all(self, kind: PartyKind | None = None) -> list[Party]:
        return sorted((p for p in self._s.parties.values() if kind is None or p.kind is kind),
                      key=lambda p: (p.kind.value, p.name))

    def identifiers(self, parties: Collection[str] | None = None) -> list[PartyIdentifier]:
        return sorted((i for i in self._s.party_identifiers.values() if parties is None or i.party in parties),
                      key=lambda i: (i.party, i.scheme.value))

    def holder(self, scheme: IdScheme, value: str) -> str | None:
        return next((i.party for i in self._s.party_identifiers.values() if i.scheme is scheme and i.value == value),
                    None)

    def set_identifier(self, identifier: PartyIdentifier) -> None:
        self._s.party_identifiers[(identifier.party, identifier.scheme)] = identifier


class FakeCoalitions:
    def __init__(self, state: _State) -> None:
        self._s = state

    def get(self, code: str) -> Coalition | None:
        return self._s.coalitions.get(code)

    def add(self, coalition: Coalition) -> None:
        self._s.coalitions[coalition.code] = coalition

    def all(self) -> list[Coalition]:
        return sorted(self._s.coalitions.values(), key=lambda c: (c.founded_on, c.code))

    def set_rules(self, code: str, rules: DecisionRules) -> None:
        self._s.coalitions[code] = replace(self._s.coalitions[code], rules=rules)

    def get_fund(self, code: str) -> Fund | None:
        return self._s.funds.get(code)

    def add_fund(self, fund: Fund) -> None:
        self._s.funds[fund.code] = fund

    def funds(self, coalition: str) -> list[Fund]:
        return [f for _, f in sorted(self._s.funds.items()) if f.coalition == coalition]


class FakeMemberships:
    def __init__(self, state: _State) -> None:
        self._s = state

    def changes(self, coalition: str, party: str | None = None) -> list[MembershipChange]:
        return sorted((c for c in self._s.changes if c.coalition == coalition and (party is None or c.party == party)),
                      key=lambda c: (c.effective_on, c.id or 0))

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
        return sorted((s for s in self._s.signatures if s.instrument == instrument), key=lambda s: s.signed_on)

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

    def search(self, query: AuditQuery, limit: int) -> tuple[list[AuditRecord], int]:
        listed = [r for r in self._s.audit if replace(query, newest_first=False, after=0).matches(r)]
        page = [r for r in (reversed(listed) if query.newest_first else listed) if query.matches(r)]
        return page[:limit], len(listed)

    def vocabulary(self) -> tuple[list[str], list[str]]:
        return sorted({r.action for r in self._s.audit}), sorted({r.object_type for r in self._s.audit})


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


# --- money and procurement ---------------------------------------------------------------------------


class _Money:
    """The ledger's and procurement's records, kept as the SQL stores keep them."""

    def __init__(self) -> None:
        self.contributions: dict[int, Contribution] = {}
        self.entries: dict[int, Entry] = {}
        self.accounts: dict[AccountKey, list[int]] = {}  # in order of creation: [units, reporting]
        self.cases: dict[str, ProcurementCase] = {}
        self.case_events: list[tuple[str, str | None, str, date, str]] = []
        self.tenders: dict[str, Tender] = {}
        self.bids: list[Bid] = []
        self.contracts: dict[str, Contract] = {}
        self.funding: list[tuple[str, FundingShare, int | None]] = []
        self.payments: dict[int, Payment] = {}
        self.payment_shares: list[tuple[int, FundingShare, int]] = []
        self.shipments: dict[int, Shipment] = {}
        self.receipts: dict[int, UnitReceipt] = {}
        self.checks: dict[int, EndUseCheck] = {}


def _visible(contribution: Contribution, scope: RecordScope) -> bool:
    """The rule the SQL store applies for a scope (that of domain.access.can_see_record)."""
    c, kept = contribution, contribution.confidentiality
    return (scope.everything or kept.visibility is Visibility.PUBLIC
            or (kept.declassify_on is not None and kept.declassify_on <= scope.today)
            or c.coalition in scope.custodian_of
            or (kept.visibility is Visibility.COALITION and c.coalition in scope.member_of)
            or (kept.visibility is Visibility.RESTRICTED and scope.party is not None
                and (c.donor == scope.party or scope.party in kept.parties)))


def _passes(c: Contribution, filter: ContributionFilter) -> bool:
    """The filter's narrowing, as the SQL repository applies it."""
    return ((filter.currency is None or c.amount.currency == filter.currency)
            and (filter.earmark is None or c.earmark.kind is filter.earmark)
            and (filter.value_from is None or c.value_date >= filter.value_from)
            and (filter.value_to is None or c.value_date <= filter.value_to))


def _order_key(c: Contribution, order: ContributionOrder) -> Any:
    if order is ContributionOrder.VALUE_DATE:
        return c.value_date
    if order is ContributionOrder.AMOUNT:
        return c.reporting.amount.amount if c.reporting else Decimal(0)
    return c.donor if order is ContributionOrder.DONOR else 0


class FakeLedger:
    def __init__(self, state: _State) -> None:
        self._m = state.money
        self._coalitions = state.coalitions

    def lock(self) -> None:
        pass  # one writer at a time already: the fake unit of work works on its own copy

    def get_contribution(self, id: int) -> Contribution | None:
        return self._m.contributions.get(id)

    def contribution_by_ref(self, coalition: str, external_ref: str) -> Contribution | None:
        return next((c for c in self._m.contributions.values()
                     if c.coalition == coalition and c.external_ref == external_ref), None)

    def open_accounts(self, keys: Collection[AccountKey]) -> None:
        for key in sorted(keys, key=lambda k: k.name):
            self._m.accounts.setdefault(key, [0, 0])

    def _book(self, entry: Entry) -> Entry:
        stored = replace(entry, id=max(self._m.entries, default=0) + 1)
        self._m.entries[stored.id or 0] = stored
        for key, sign in ((entry.debit, 1), (entry.credit, -1)):
            balance = self._m.accounts.setdefault(key, [0, 0])
            balance[0] += sign * entry.amount.to_minor_units()
            balance[1] += sign * entry.reporting_amount.to_minor_units()
        return stored

    def add_contribution(self, contribution: Contribution, entry: Entry, recorded_at: datetime
                         ) -> tuple[Contribution, Entry]:
        assert contribution.reporting is not None, "contributions are stored with their reporting value"
        stored = replace(contribution, id=max(self._m.contributions, default=0) + 1)
        self._m.contributions[stored.id or 0] = stored
        return stored, self._book(replace(entry, contribution=stored.id))

    def _filtered(self, coalition: str | None, donor: str | None, kind: ContributionKind | None,
                  scope: RecordScope | None, filter: ContributionFilter = EVERY_CONTRIBUTION) -> list[Contribution]:
        return [c for _, c in sorted(self._m.contributions.items())
                if (coalition is None or c.coalition == coalition) and (donor is None or c.donor == donor)
                and (kind is None or c.kind is kind) and (scope is None or _visible(c, scope))
                and _passes(c, filter)]

    def contributions(self, *, coalition: str | None = None, donor: str | None = None,
                      kind: ContributionKind | None = None, offset: int = 0, limit: int | None = None,
                      scope: RecordScope | None = None, after: int | None = None,
                      filter: ContributionFilter = EVERY_CONTRIBUTION) -> list[Contribution]:
        found = [c for c in self._filtered(coalition, donor, kind, scope, filter)
                 if after is None or (c.id or 0) > after]
        found.sort(key=lambda c: (_order_key(c, filter.order), c.id or 0), reverse=filter.descending)
        return found[offset:] if limit is None else found[offset:offset + limit]

    def children_of(self, parents: Collection[int]) -> list[Contribution]:
        return [c for _, c in sorted(self._m.contributions.items()) if c.parent in set(parents)]

    def count_contributions(self, *, coalition: str | None = None, donor: str | None = None,
                            kind: ContributionKind | None = None, scope: RecordScope | None = None,
                            filter: ContributionFilter = EVERY_CONTRIBUTION) -> int:
        return len(self._filtered(coalition, donor, kind, scope, filter))

    def add_entry(self, entry: Entry, recorded_at: datetime) -> Entry:
        return self._book(entry)

    def get_entry(self, id: int) -> Entry | None:
        return self._m.entries.get(id)

    def reversal_of(self, entry_id: int) -> Entry | None:
        return next((e for e in self._m.entries.values() if e.reverses == entry_id), None)

    def entries(self, *, contributions: Collection[int] | None = None) -> list[Entry]:
        return [e for _, e in sorted(self._m.entries.items())
                if contributions is None or e.contribution in set(contributions)]

    def balances(self, *, coalition: str | None = None,
                 donor: str | None = None) -> list[tuple[AccountKey, Balance]]:
        return [(key, (units, reporting)) for key, (units, reporting) in self._m.accounts.items()
                if (coalition is None or key.coalition == coalition) and (donor is None or key.donor == donor)]

    def existing_refs(self, coalitions: Collection[str]) -> dict[tuple[str, str], Stored]:
        return {(c.coalition, c.external_ref): Stored(c.id or 0, c.kind.value, c.coalition, c.donor, c.fund,
                                                      c.amount.to_minor_units(), c.amount.currency, c.value_date)
                for c in self._m.contributions.values() if c.coalition in coalitions and c.external_ref}

    def position(self) -> int:
        return max(self._m.entries, default=0)

    def available_money(self, coalition: str) -> list[AvailableMoney]:
        moved: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for entry in self._m.entries.values():
            for key, sign in ((entry.debit, 1), (entry.credit, -1)):
                if (key.type is AccountType.FUND_AVAILABLE and entry.debit.coalition == coalition
                        and entry.contribution is not None):
                    moved[entry.contribution][0] += sign * entry.amount.to_minor_units()
                    moved[entry.contribution][1] += sign * entry.reporting_amount.to_minor_units()
        found = []
        for id, (units, reporting) in sorted(moved.items()):
            c = self._m.contributions[id]
            if units > 0:
                found.append(AvailableMoney(id, c.donor, c.fund, c.earmark.label, units, c.amount.currency, reporting))
        return found

    def _per_requirement(self, coalition: str, types: Collection[AccountType]) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for key, (_, reporting) in self._m.accounts.items():
            if key.coalition == coalition and key.type in types and key.requirement:
                found[key.requirement] += reporting
        return {code: total for code, total in found.items() if total}

    def reserved(self, coalition: str) -> dict[str, int]:
        return self._per_requirement(coalition, {AccountType.RESERVED})

    def contracted(self, coalition: str) -> dict[str, int]:
        return self._per_requirement(coalition, {AccountType.CONTRACTED, AccountType.DISBURSED})

    def holdings(self, coalition: str, requirement: str, type: AccountType = AccountType.RESERVED
                 ) -> list[tuple[int, AccountKey, int, int]]:
        held: dict[tuple[int, AccountKey], list[int]] = defaultdict(lambda: [0, 0])
        for entry in self._m.entries.values():
            for key, sign in ((entry.debit, 1), (entry.credit, -1)):
                if key.coalition == coalition and key.type is type and key.requirement == requirement:
                    held[(entry.contribution or 0, key)][0] += sign * entry.amount.to_minor_units()
                    held[(entry.contribution or 0, key)][1] += sign * entry.reporting_amount.to_minor_units()
                    break  # an entry between two such accounts counts on its debit side, as the SQL store does
        return [(contribution, key, units, reporting)
                for (contribution, key), (units, reporting) in sorted(held.items(), key=lambda h: h[0][0]) if units]

    def bulk_record(self, valid: ValidRows, recorded_at: datetime,
                    progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        ids: list[int] = []
        for row in valid.rows:
            parent = None if row.parent is None else ids[row.parent[1]] if row.parent[0] == "file" else row.parent[1]
            contribution = Contribution(
                ContributionKind(row.kind), row.coalition, row.fund, row.donor,
                Money.from_minor_units(row.amount_minor, row.currency), row.value_date, Earmark.parse(row.earmark),
                Confidentiality(Visibility(row.visibility), row.restricted_to, row.declassify_on),
                row.external_ref or None, parent, row.description,
                reporting=ReportingValue(Money.from_minor_units(row.reporting_minor,
                                                                self._coalitions[row.coalition].reporting_currency),
                                         Decimal(row.rate), row.rate_date, row.rate_source))
            assert contribution.reporting is not None
            stored, _ = self.add_contribution(contribution, ledger.contribution_entry(
                contribution, contribution.reporting.amount), recorded_at)
            ids.append(stored.id or 0)
        if progress is not None:
            progress(len(valid.rows))
        return (ids[0], ids[-1]) if ids else (0, 0)


class FakeProcurement:
    def __init__(self, state: _State) -> None:
        self._m = state.money

    def add_case(self, case: ProcurementCase) -> None:
        self._m.cases[case.code] = case
        self._m.case_events.append((case.code, None, case.stage.value, case.opened_on, "opened"))

    def get_case(self, code: str) -> ProcurementCase | None:
        return self._m.cases.get(code)

    def cases(self, coalition: str) -> list[ProcurementCase]:
        return sorted((c for c in self._m.cases.values() if c.coalition == coalition),
                      key=lambda c: (c.opened_on, c.code))

    def set_stage(self, code: str, old: CaseStage | None, new: CaseStage, on: date, note: str,
                  route_decision: int | None = None) -> None:
        case = self._m.cases[code]
        self._m.cases[code] = replace(case, stage=new, route_decision=case.route_decision
                                      if route_decision is None else route_decision)
        self._m.case_events.append((code, None if old is None else old.value, new.value, on, note))

    def case_history(self, code: str) -> list[tuple[str | None, str, date, str]]:
        return [(old, new, on, note) for case, old, new, on, note in self._m.case_events if case == code]

    def add_tender(self, tender: Tender) -> None:
        self._m.tenders[tender.code] = tender

    def get_tender(self, code: str) -> Tender | None:
        return self._m.tenders.get(code)

    def tenders(self, case: str) -> list[Tender]:
        return sorted((t for t in self._m.tenders.values() if t.case == case), key=lambda t: t.published_on)

    def update_tender(self, tender: Tender) -> None:
        kept = self._m.tenders[tender.code]
        self._m.tenders[tender.code] = replace(kept, state=tender.state, awards=tender.awards,
                                               cancel_reason=tender.cancel_reason)

    def add_bid(self, bid: Bid) -> Bid:
        stored = replace(bid, id=len(self._m.bids) + 1)
        self._m.bids.append(stored)
        return stored

    def bids(self, tender: str) -> list[Bid]:
        return [b for b in self._m.bids if b.tender == tender]

    def get_bid(self, id: int) -> Bid | None:
        return next((b for b in self._m.bids if b.id == id), None)

    def add_contract(self, contract: Contract) -> None:
        self._m.contracts[contract.code] = contract

    def add_version(self, contract: str, version: ContractVersion) -> None:
        kept = self._m.contracts[contract]
        self._m.contracts[contract] = replace(kept, versions=tuple(sorted(
            (*kept.versions, version), key=lambda v: v.version)))

    def get_contract(self, code: str) -> Contract | None:
        return self._m.contracts.get(code)

    def contracts(self, cases: Collection[str]) -> list[Contract]:
        return sorted((c for c in self._m.contracts.values() if c.case in set(cases)),
                      key=lambda c: (c.signed_on, c.code))

    def add_funding(self, contract: str, share: FundingShare, entry: int | None) -> None:
        self._m.funding.append((contract, share, entry))

    def funding(self, contracts: Collection[str]) -> list[tuple[str, FundingShare]]:
        net: dict[tuple[str, int, int, str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
        for contract, s, _ in self._m.funding:
            if contract in set(contracts):
                kept = net[(contract, s.line, s.contribution, s.donor, s.fund, s.earmark, s.currency)]
                kept[0] += s.units
                kept[1] += s.reporting
        return [(key[0], FundingShare(key[1], key[2], key[3], key[4], key[5], units, key[6], reporting))
                for key, (units, reporting) in sorted(net.items(), key=lambda n: n[0][:3]) if units or reporting]

    def in_kind_used(self, contribution: int) -> int:
        return sum(s.units for _, s, entry in self._m.funding if s.contribution == contribution and entry is None)

    def add_payment(self, payment: Payment, shares: Sequence[tuple[FundingShare, int]]) -> Payment:
        stored = replace(payment, id=len(self._m.payments) + 1)
        self._m.payments[stored.id or 0] = stored
        self._m.payment_shares += [(stored.id or 0, share, entry) for share, entry in shares]
        return stored

    def payments(self, contracts: Collection[str]) -> list[Payment]:
        return sorted((p for p in self._m.payments.values() if p.contract in set(contracts)),
                      key=lambda p: (p.paid_on, p.id or 0))

    def payment_shares(self, contracts: Collection[str]) -> list[tuple[int, FundingShare]]:
        return [(payment, share) for payment, share, _ in self._m.payment_shares
                if self._m.payments[payment].contract in set(contracts)]

    def payment_entries(self, contract: str) -> list[tuple[int, FundingShare, int]]:
        return [found for found in self._m.payment_shares if self._m.payments[found[0]].contract == contract]

    def contract_of_payment(self, payment: int) -> str | None:
        found = self._m.payments.get(payment)
        return None if found is None else found.contract

    def add_shipment(self, shipment: Shipment) -> Shipment:
        stored = replace(shipment, id=len(self._m.shipments) + 1)
        self._m.shipments[stored.id or 0] = stored
        return stored

    def get_shipment(self, id: int) -> Shipment | None:
        return self._m.shipments.get(id)

    def add_shipment_event(self, shipment: int, event: ShipmentEvent) -> None:
        kept = self._m.shipments[shipment]
        self._m.shipments[shipment] = replace(kept, events=(*kept.events, event))

    def shipments(self, contracts: Collection[str]) -> list[Shipment]:
        return [s for _, s in sorted(self._m.shipments.items()) if s.contract in set(contracts)]

    def add_receipt(self, receipt: UnitReceipt) -> UnitReceipt:
        stored = replace(receipt, id=len(self._m.receipts) + 1)
        self._m.receipts[stored.id or 0] = stored
        return stored

    def get_receipt(self, id: int) -> UnitReceipt | None:
        return self._m.receipts.get(id)

    def receipts(self, shipments: Collection[int]) -> list[UnitReceipt]:
        return [r for _, r in sorted(self._m.receipts.items()) if r.shipment in set(shipments)]

    def add_check(self, check: EndUseCheck) -> EndUseCheck:
        stored = replace(check, id=len(self._m.checks) + 1)
        self._m.checks[stored.id or 0] = stored
        return stored

    def get_check(self, id: int) -> EndUseCheck | None:
        return self._m.checks.get(id)


# --- the taxonomy, exchange rates and planning ---------------------------------------------------------


class _Planning:
    def __init__(self) -> None:
        self.areas: dict[str, CapabilityArea] = {}
        self.rates: list[FxRate] = []
        self.requirements: dict[str, Requirement] = {}
        self.requirement_events: list[tuple[str, str | None, str, str, str]] = []
        self.packages: dict[str, Package] = {}
        self.lists: dict[tuple[str, int], PriorityList] = {}
        self.plans: dict[int, AllocationPlan] = {}


class FakeCapabilityAreas:
    def __init__(self, state: _State) -> None:
        self._p = state.planning

    def get(self, code: str) -> CapabilityArea | None:
        return self._p.areas.get(code)

    def add(self, area: CapabilityArea) -> None:
        self._p.areas[area.code] = area

    def all(self) -> list[CapabilityArea]:
        return [a for _, a in sorted(self._p.areas.items())]


class FakeFxRates:
    def __init__(self, state: _State) -> None:
        self._p = state.planning

    def add_many(self, rates: Sequence[FxRate]) -> int:
        known = {(r.base, r.quote, r.day, r.source) for r in self._p.rates}
        added = 0
        for rate in rates:
            if (rate.base, rate.quote, rate.day, rate.source) not in known:
                known.add((rate.base, rate.quote, rate.day, rate.source))
                self._p.rates.append(rate)
                added += 1
        return added

    def for_currencies(self, currencies: Collection[str] | None) -> list[FxRate]:
        return [r for r in self._p.rates if currencies is None or (r.base in currencies and r.quote in currencies)]

    def summary(self) -> list[tuple[str, str, str, date, date, int]]:
        pairs: dict[tuple[str, str, str], list[date]] = defaultdict(list)
        for rate in self._p.rates:
            pairs[(rate.base, rate.quote, rate.source)].append(rate.day)
        return [(base, quote, source, min(days), max(days), len(days))
                for (base, quote, source), days in sorted(pairs.items())]


class FakeRequirements:
    def __init__(self, state: _State) -> None:
        self._p = state.planning

    def get(self, code: str) -> Requirement | None:
        return self._p.requirements.get(code)

    def add(self, requirement: Requirement, at: datetime) -> None:
        self._p.requirements[requirement.code] = requirement
        self._p.requirement_events.append((requirement.code, None, requirement.status.value, at.isoformat(),
                                           "recorded"))

    def set_status(self, code: str, old: RequirementStatus | None, new: RequirementStatus, at: datetime,
                   note: str) -> None:
        self._p.requirements[code] = replace(self._p.requirements[code], status=new)
        self._p.requirement_events.append((code, None if old is None else old.value, new.value, at.isoformat(),
                                           note))

    def for_coalition(self, coalition: str, *, status: RequirementStatus | None = None, offset: int = 0,
                      limit: int | None = None) -> list[Requirement]:
        found = [r for _, r in sorted(self._p.requirements.items())
                 if r.coalition == coalition and (status is None or r.status is status)]
        return found[offset:] if limit is None else found[offset:offset + limit]

    def count(self, coalition: str, *, status: RequirementStatus | None = None) -> int:
        return len(self.for_coalition(coalition, status=status))

    def get_many(self, codes: Collection[str]) -> dict[str, Requirement]:
        return {code: self._p.requirements[code] for code in set(codes) if code in self._p.requirements}

    def history(self, code: str) -> list[tuple[str | None, str, str, str]]:
        return [(old, new, at, note) for found, old, new, at, note in self._p.requirement_events if found == code]

    def add_package(self, package: Package) -> None:
        self._p.packages[package.code] = package

    def get_package(self, code: str) -> Package | None:
        return self._p.packages.get(code)

    def packages(self, coalition: str) -> list[Package]:
        return [p for _, p in sorted(self._p.packages.items()) if p.coalition == coalition]


class FakePriorityLists:
    def __init__(self, state: _State) -> None:
        self._p = state.planning

    def add(self, version: PriorityList) -> None:
        self._p.lists[(version.coalition, version.version)] = version

    def get(self, coalition: str, version: int) -> PriorityList | None:
        return self._p.lists.get((coalition, version))

    def latest(self, coalition: str, state: ListState) -> PriorityList | None:
        return next((v for v in reversed(self.versions(coalition)) if v.state is state), None)

    def versions(self, coalition: str) -> list[PriorityList]:
        return [v for (found, _), v in sorted(self._p.lists.items()) if found == coalition]

    def set_state(self, coalition: str, version: int, state: ListState, by: str | None, on: date | None) -> None:
        kept = self._p.lists[(coalition, version)]
        self._p.lists[(coalition, version)] = replace(kept, state=state, approved_by=by, approved_on=on)


class FakePlans:
    def __init__(self, state: _State) -> None:
        self._p = state.planning

    def add(self, plan: AllocationPlan) -> AllocationPlan:
        stored = replace(plan, id=max(self._p.plans, default=0) + 1)
        self._p.plans[stored.id or 0] = stored
        return stored

    def get(self, id: int) -> AllocationPlan | None:
        return self._p.plans.get(id)

    def set_state(self, id: int, state: PlanState, on: date, recorded_at: datetime) -> None:
        self._p.plans[id] = replace(self._p.plans[id], state=state, decided_on=on)

    def headings(self, coalition: str) -> list[PlanHeading]:
        return [PlanHeading(p.id or 0, p.run_on, p.policy, p.priority_version, p.state, p.decided_on)
                for _, p in sorted(self._p.plans.items(), reverse=True) if p.coalition == coalition]

    def proposed(self, coalition: str) -> list[int]:
        return [id for id, p in sorted(self._p.plans.items())
                if p.coalition == coalition and p.state is PlanState.PROPOSED]


# --- the steering group ------------------------------------------------------------------------------------


class _Steering:
    def __init__(self) -> None:
        self.meetings: dict[int, Meeting] = {}
        self.attendance: list[tuple[int, str]] = []
        self.proposals: dict[int, Proposal] = {}
        self.votes: list[CastVote] = []


class FakeSteering:
    def __init__(self, state: _State) -> None:
        self._s = state.steering

    def add_meeting(self, meeting: Meeting) -> Meeting:
        stored = replace(meeting, id=len(self._s.meetings) + 1)
        self._s.meetings[stored.id or 0] = stored
        return stored

    def get_meeting(self, id: int) -> Meeting | None:
        return self._s.meetings.get(id)

    def meetings(self, coalition: str) -> list[Meeting]:
        return sorted((m for m in self._s.meetings.values() if m.coalition == coalition),
                      key=lambda m: (m.held_on, m.id or 0))

    def set_minutes(self, meeting: int, minutes: str) -> None:
        self._s.meetings[meeting] = replace(self._s.meetings[meeting], minutes=minutes)

    def attend(self, meeting: int, party: str) -> None:
        self._s.attendance.append((meeting, party))

    def attendance(self, meeting: int) -> list[str]:
        return sorted(party for found, party in self._s.attendance if found == meeting)

    def add_proposal(self, proposal: Proposal) -> Proposal:
        assert proposal.opened_at is not None
        # as the SQL store: a new proposal is stored undecided, whatever decision fields it came with
        stored = replace(proposal, outcome=None, reason="", tally=None, effects=(), rules=None, decided_at=None,
                         id=len(self._s.proposals) + 1)
        self._s.proposals[stored.id or 0] = stored
        return stored

    def get_proposal(self, id: int) -> Proposal | None:
        return self._s.proposals.get(id)

    def proposals(self, coalition: str, *, meeting: int | None = None) -> list[Proposal]:
        return [p for _, p in sorted(self._s.proposals.items())
                if p.coalition == coalition and (meeting is None or p.meeting == meeting)]

    def record_decision(self, proposal: Proposal) -> None:
        assert proposal.id is not None and proposal.outcome is not None and proposal.decided_at is not None
        kept = self._s.proposals[proposal.id]
        self._s.proposals[proposal.id] = replace(
            kept, state=proposal.state, outcome=proposal.outcome, reason=proposal.reason,
            tally=dict(proposal.tally or {}), effects=tuple(proposal.effects), rules=dict(proposal.rules or {}),
            decided_at=proposal.decided_at)

    def add_vote(self, vote: CastVote) -> None:
        self._s.votes.append(vote)

    def votes(self, proposal: int) -> list[CastVote]:
        return [v for v in self._s.votes if v.proposal == proposal]


# --- the innovation pipeline -----------------------------------------------------------------------------


class _Innovation:
    def __init__(self) -> None:
        self.calls: dict[str, Call] = {}
        self.programmes: dict[str, Programme] = {}
        self.gate_rules: dict[tuple[str, str], GateRules] = {}
        self.projects: dict[str, Project] = {}
        self.evidence: list[Evidence] = []
        self.declarations: list[ConflictDeclaration] = []
        self.reviews: list[Review] = []
        self.shortlists: list[Shortlist] = []
        self.gates: list[GateDecision] = []
        self.grants: dict[str, ProjectGrant] = {}
        self.grant_payments: list[GrantPayment] = []
        self.project_cases: list[tuple[str, str, date]] = []


class FakePackages:
    """PURL packages, their shares and acts: each record is replaced by one with the new row appended."""

    def __init__(self, state: _State) -> None:
        self._s = state

    def _id(self, kind: str) -> int:
        self._s.next_ids[kind] += 1
        return self._s.next_ids[kind]

    def add(self, package: PurlPackage) -> None:
        self._s.packages[package.code] = PackageRecord(package)

    def get(self, code: str) -> PackageRecord | None:
        return self._s.packages.get(code)

    def every(self, owner: str | None = None) -> list[PackageRecord]:
        return sorted((r for r in self._s.packages.values() if owner is None or r.package.owner == owner),
                      key=lambda r: (r.package.proposed_on, r.package.code))

    def add_share(self, share: PackageShare, recorded_at: datetime) -> None:
        record = self._s.packages[share.package]
        kept = replace(share, recorded_at=recorded_at, id=self._id("shares"))
        self._s.packages[share.package] = replace(record, shares=(*record.shares, kept))

    def add_act(self, act: PackageAct, recorded_at: datetime) -> None:
        record = self._s.packages[act.package]
        kept = replace(act, recorded_at=recorded_at, id=self._id("acts"))
        self._s.packages[act.package] = replace(record, acts=(*record.acts, kept))


class FakeOffers:
    """Danish-model offers and their answers."""

    def __init__(self, state: _State) -> None:
        self._s = state

    def add(self, offer: Offer) -> None:
        self._s.offers[offer.code] = OfferRecord(offer)

    def get(self, code: str) -> OfferRecord | None:
        return self._s.offers.get(code)

    def every(self, coalition: str | None = None) -> list[OfferRecord]:
        return sorted((r for r in self._s.offers.values() if coalition is None or r.offer.coalition == coalition),
                      key=lambda r: (r.offer.offered_on, r.offer.code))

    def add_reply(self, reply: OfferReply, recorded_at: datetime) -> None:
        record = self._s.offers[reply.offer]
        self._s.next_ids["answers"] += 1
        kept = replace(reply, recorded_at=recorded_at, id=self._s.next_ids["answers"])
        self._s.offers[reply.offer] = replace(record, replies=(*record.replies, kept))


class FakeInnovation:
    def __init__(self, state: _State) -> None:
        self._i = state.innovation

    def add_call(self, call: Call) -> None:
        self._i.calls[call.code] = call

    def get_call(self, code: str) -> Call | None:
        return self._i.calls.get(code)

    def calls(self, coalition: str | None = None, programme: str | None = None) -> list[Call]:
        return sorted((c for c in self._i.calls.values() if (coalition is None or c.coalition == coalition)
                       and (programme is None or c.programme == programme)), key=lambda c: (c.opens_on, c.code))

    def add_programme(self, programme: Programme) -> None:
        self._i.programmes[programme.code] = programme
        self.set_gate_rules("programme", programme.code, programme.gate_rules)

    def _programme(self, programme: Programme) -> Programme:
        return replace(programme, gate_rules=self._i.gate_rules.get(("programme", programme.code), GateRules()))

    def get_programme(self, code: str) -> Programme | None:
        found = self._i.programmes.get(code)
        return None if found is None else self._programme(found)

    def programmes(self) -> list[Programme]:
        return [self._programme(p) for _, p in sorted(self._i.programmes.items())]

    def gate_rules(self, owner_kind: str, owner: str) -> GateRules | None:
        return self._i.gate_rules.get((owner_kind, owner))

    def set_gate_rules(self, owner_kind: str, owner: str, rules: GateRules) -> None:
        self._i.gate_rules[(owner_kind, owner)] = rules

    def add_project(self, project: Project) -> None:
        self._i.projects[project.code] = project

    def get_project(self, code: str) -> Project | None:
        return self._i.projects.get(code)

    def projects(self, call: str | None = None, stage: ProjectStage | None = None) -> list[Project]:
        return [p for _, p in sorted(self._i.projects.items())
                if (call is None or p.call == call) and (stage is None or p.stage is stage)]

    def set_stage(self, code: str, current: ProjectStage, stage: ProjectStage, trl: int) -> bool:
        kept = self._i.projects.get(code)
        if kept is None or kept.stage is not current:
            return False
        self._i.projects[code] = replace(kept, stage=stage, trl=trl)
        return True

    def add_evidence(self, evidence: Evidence) -> Evidence:
        stored = replace(evidence, id=len(self._i.evidence) + 1)
        self._i.evidence.append(stored)
        return stored

    def evidence(self, project: str) -> list[Evidence]:
        return [e for e in self._i.evidence if e.project == project]

    def get_evidence(self, id: int) -> Evidence | None:
        return next((e for e in self._i.evidence if e.id == id), None)

    def declare(self, declaration: ConflictDeclaration) -> None:
        self._i.declarations.append(declaration)

    def declarations(self, projects: list[str]) -> list[ConflictDeclaration]:
        return [d for d in self._i.declarations if d.project in projects]

    def add_review(self, review: Review) -> Review:
        stored = replace(review, id=len(self._i.reviews) + 1)
        self._i.reviews.append(stored)
        return stored

    def reviews(self, projects: list[str]) -> list[Review]:
        return [r for r in self._i.reviews if r.project in projects]

    def add_shortlist(self, shortlist: Shortlist) -> Shortlist:
        stored = replace(shortlist, id=len(self._i.shortlists) + 1)
        self._i.shortlists.append(stored)
        return stored

    def shortlists(self, call: str) -> list[Shortlist]:
        return [s for s in self._i.shortlists if s.call == call]

    def add_gate(self, gate: GateDecision) -> GateDecision:
        stored = replace(gate, id=len(self._i.gates) + 1)
        self._i.gates.append(stored)
        return stored

    def gates(self, project: str) -> list[GateDecision]:
        return [g for g in self._i.gates if g.project == project]

    def add_grant(self, grant: ProjectGrant, coalition: str) -> None:
        self._i.grants[grant.code] = grant

    def get_grant(self, code: str) -> ProjectGrant | None:
        return self._i.grants.get(code)

    def grants(self, project: str) -> list[ProjectGrant]:
        return [g for _, g in sorted(self._i.grants.items()) if g.project == project]

    def add_grant_payment(self, payment: GrantPayment) -> GrantPayment:
        stored = replace(payment, id=len(self._i.grant_payments) + 1)
        self._i.grant_payments.append(stored)
        return stored

    def grant_payments(self, grant: str) -> list[GrantPayment]:
        return [p for p in self._i.grant_payments if p.grant == grant]

    def link_case(self, project: str, case: str, on: date) -> None:
        self._i.project_cases.append((project, case, on))

    def cases_of(self, project: str) -> list[str]:
        return [case for _, case, _ in sorted(((p, c, on) for p, c, on in self._i.project_cases if p == project),
                                               key=lambda link: (link[2], link[1]))]

    def projects_of_case(self, case: str) -> list[str]:
        return sorted(p for p, c, _ in self._i.project_cases if c == case)


class FakeDocuments:
    def __init__(self, state: _State) -> None:
        self._s = state

    def add(self, document: Document) -> Document:
        stored = replace(document, id=len(self._s.documents) + 1)
        self._s.documents.append(stored)
        return stored

    def _listed(self, document: Document) -> Listed:
        later = next((d.id for d in self._s.documents if d.supersedes == document.id), None)
        return Listed(document, later)

    def get(self, id: int) -> Listed | None:
        found = next((d for d in self._s.documents if d.id == id), None)
        return None if found is None else self._listed(found)

    def of_record(self, record_type: RecordType, record_id: str) -> list[Listed]:
        return [self._listed(d) for d in self._s.documents if (d.record_type, d.record_id) == (record_type, record_id)]

    def every(self) -> list[Document]:
        return list(self._s.documents)


class FakeHasher:
    """Hashes a password by naming it (tests only); rehashes what an older 'v0:' scheme hashed."""

    def hash(self, password: str) -> str:
        return f"v1:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash.split(":", 1)[1] == password

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith("v1:")


class FakeUnitOfWork:
    """Works on a copy of the committed state; commit publishes the copy, anything else discards it.

    Each fake is declared as the port it stands for, so the type check holds it to the port's methods."""

    parties: PartyRepository
    coalitions: CoalitionRepository
    memberships: MembershipRepository
    instruments: InstrumentRepository
    users: UserRepository
    sessions: SessionRepository
    audit: AuditLog
    ledger: LedgerRepository
    procurement: ProcurementRepository
    areas: CapabilityAreaRepository
    fx_rates: FxRateRepository
    requirements: RequirementRepository
    priorities: PriorityListRepository
    plans: PlanRepository
    steering: SteeringRepository
    innovation: InnovationRepository
    packages: PackageRepository
    offers: OfferRepository
    documents: DocumentRepository
    outbox: OutboxRepository

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
            self.ledger = FakeLedger(self._working)
            self.procurement = FakeProcurement(self._working)
            self.areas = FakeCapabilityAreas(self._working)
            self.fx_rates = FakeFxRates(self._working)
            self.requirements = FakeRequirements(self._working)
            self.priorities = FakePriorityLists(self._working)
            self.plans = FakePlans(self._working)
            self.steering = FakeSteering(self._working)
            self.innovation = FakeInnovation(self._working)
            self.packages = FakePackages(self._working)
            self.offers = FakeOffers(self._working)
            self.documents = FakeDocuments(self._working)
            self.outbox = FakeOutbox(self._working)
        self._depth += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1

    def commit(self) -> None:
        if self._depth == 1:
            self.committed = copy.deepcopy(self._working)
            self.commits += 1
