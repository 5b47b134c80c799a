"""The funding ledger's use cases: contributions, reversals, bulk import, exchange rates, reports, check.

Writes follow the registry's pattern (permission, rules, write, audit, commit in one transaction);
the ledger repository keeps account balances in that same transaction, so reports are lookups.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from coalition.domain import contribution_rules as rules
from coalition.domain import ledger
from coalition.domain.access import Actor, can, can_see_record, record_scope
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.coalition import Coalition, DecisionRules, ExcessPolicy
from coalition.domain.contribution_import import (
    MAX_REPORTED_ERRORS,
    ImportRejected,
    ValidRows,
    promise_errors,
    validate,
)
from coalition.domain.contributions import (
    EVERY_CONTRIBUTION,
    Contribution,
    ContributionFilter,
    ContributionKind,
    Earmark,
    Fulfilment,
    ReportingValue,
    Valuation,
    Visibility,
)
from coalition.domain.errors import CoalitionError, Conflict, InvalidInput, NotFound, refusal
from coalition.domain.fx import FxRate, RateBook
from coalition.domain.ledger import (
    Entry,
    EntryKind,
    PledgeStatus,
)
from coalition.domain.money import Money
from coalition.domain.requirements import RequirementStatus
from coalition.domain.taxonomy import CapabilityArea
from coalition.services.audit import record_change, require
from coalition.services.planning import load_requirement, move_requirement
from coalition.services.ports import UnitOfWork
from coalition.services.rates import rate_book
from coalition.services.registry import load_coalition, load_party

# --- capability areas ---------------------------------------------------------------------------------


def add_capability_area(uow: UnitOfWork, actor: Actor, area: CapabilityArea) -> CapabilityArea:
    require(can(actor, "manage_taxonomy"))
    with uow:
        if uow.areas.get(area.code) is not None:
            raise Conflict(f"a capability area with code '{area.code}' already exists", field="code")
        if area.parent is not None and uow.areas.get(area.parent) is None:
            raise NotFound(f"no capability area with code '{area.parent}'", field="parent")
        uow.areas.add(area)
        record_change(uow, actor, AuditEvent("add_capability_area", "capability_area", area.code, None,
                                             snapshot(area)))
        uow.commit()
    return area


def list_capability_areas(uow: UnitOfWork, actor: Actor) -> list[CapabilityArea]:
    require(can(actor, "read_registry"))
    with uow:
        return uow.areas.all()


# --- contributions ------------------------------------------------------------------------------------


def record_contribution(uow: UnitOfWork, actor: Actor, contribution: Contribution) -> Contribution:
    """Record a pledge, commitment, receipt or in-kind contribution and its ledger entry."""
    (outcome,) = record_contributions(uow, [(actor, contribution)])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def record_contributions(uow: UnitOfWork, requests: Sequence[tuple[Actor, Contribution]]
                         ) -> list[Contribution | Exception]:
    """Record the contributions of several callers in one transaction (a group commit); return each one's outcome.

    Each is checked on its own, and one refused (its error is its outcome) leaves the others to be written, each
    with its own audit record. Should checking or writing them together fail otherwise (another process stored
    the same external reference between the checks and the writing, say), nothing is kept and each is recorded
    again in a transaction of its own, so such a failure is the outcome of the request that caused it alone. An
    error from the commit itself is raised to all: whether the group was stored is then unknown, and recording
    it again could store it twice. Called with no unit of work open, as every service is.
    """
    outcomes: list[Contribution | Exception | None] = [None] * len(requests)
    with uow:
        try:
            store = _StoreOfUnit(uow)
            ready = _checked_group(requests, rules.Snapshot(store, rules.REQUEST), outcomes)
            # Every account the group books on is found or created first, in key order and before the ledger lock,
            # as for a single contribution: none is created while the lock is held, so no writer holding a new
            # account waits for the lock while this group, holding the lock, waits for that account.
            uow.ledger.open_accounts({ledger.account(type, checked) for _, _, checked in ready
                                      for type in ledger.CONTRIBUTION_ACCOUNTS[checked.kind]})
            ready = _within_promises(uow, ready, outcomes, store)
            for index, actor, checked in ready:
                outcomes[index] = _write_contribution(uow, actor, checked)
        except Exception:
            if len(requests) == 1:
                raise
            together = False
        else:
            if ready:  # with every request refused, nothing is kept, not even the accounts opened for them
                uow.commit()
            together = True
    if not together:  # each alone, refusals included: one may have been refused for another's reference
        return [_alone(uow, actor, contribution) for actor, contribution in requests]
    done = [outcome for outcome in outcomes if outcome is not None]
    if len(done) != len(requests):
        raise RuntimeError("a contribution of the group has no outcome")
    return done


def _checked_group(requests: Sequence[tuple[Actor, Contribution]], known: rules.Snapshot,
                   outcomes: list[Contribution | Exception | None]) -> list[tuple[int, Actor, Contribution]]:
    """The requests of a group that meet the rulebook (each with its reporting value) and name an external reference
    no earlier request of the group named; the others get their refusal as their outcome."""
    taken: set[tuple[str, str]] = set()  # (coalition, external reference) of those checked so far
    ready: list[tuple[int, Actor, Contribution]] = []
    for index, (actor, contribution) in enumerate(requests):
        try:
            checked = _checked(actor, contribution, known)
            if checked.external_ref is not None:
                if (checked.coalition, checked.external_ref) in taken:
                    raise Conflict(f"'{checked.external_ref}' is already recorded in {checked.coalition}",
                                   field="external_ref")
                taken.add((checked.coalition, checked.external_ref))
        except CoalitionError as error:
            outcomes[index] = error
        else:
            ready.append((index, actor, checked))
    return ready


def _write_contribution(uow: UnitOfWork, actor: Actor, checked: Contribution) -> Contribution:
    """Store a checked contribution with the entry the ledger derives from it, and its audit record."""
    assert checked.reporting is not None
    stored, entry = uow.ledger.add_contribution(checked, ledger.contribution_entry(checked, checked.reporting.amount),
                                                uow.clock())
    record_change(uow, actor, AuditEvent(f"record_{stored.kind.value.replace('-', '_')}", "contribution",
                                         str(stored.id), None, {"contribution": snapshot(stored),
                                                                "entry": snapshot(entry)}))
    return stored


def _with_pledges_above(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, Contribution]:
    """The stored promises of ``ids`` and, above each commitment that fulfils a pledge, that pledge: every promise
    a new contribution fulfilling one of them also counts against."""
    promises = [c for c in (uow.ledger.get_contribution(id) for id in sorted(set(ids))) if c is not None]
    above = [c.parent for c in promises if c.kind is ContributionKind.COMMITMENT and c.parent is not None]
    pledges = [c for c in (uow.ledger.get_contribution(id) for id in above) if c is not None]
    return {c.id: c for c in promises + pledges if c.id is not None}


def _within_promises(uow: UnitOfWork, ready: list[tuple[int, Actor, Contribution]],
                     outcomes: list[Contribution | Exception | None], store: _StoreOfUnit
                     ) -> list[tuple[int, Actor, Contribution]]:
    """Those of ``ready`` that take no pledge or commitment beyond its promise where their coalition refuses that;
    the others get their refusal as their outcome. Read under the ledger lock, so two writers cannot both pass."""
    if not any(c.parent is not None for _, _, c in ready):
        return ready
    uow.ledger.lock()
    promises = _with_pledges_above(uow, (c.parent for _, _, c in ready if c.parent is not None))
    state = _fulfilments(uow, list(promises.values()))
    kept = []
    for index, actor, checked in ready:
        parent = promises.get(checked.parent) if checked.parent is not None else None
        if parent is not None and store.decision_rules(checked.coalition).excess is ExcessPolicy.REFUSE:
            chain = [id for id in (parent.id, parent.parent) if id in promises]
            try:
                _take(state, chain, checked)
            except CoalitionError as refused:
                outcomes[index] = refused
                continue
        kept.append((index, actor, checked))
    return kept


def _take(state: dict[int, Fulfilment], chain: Sequence[int | None], checked: Contribution) -> None:
    """Count ``checked`` against each promise of ``chain``, or refuse it, changing nothing, if one would be exceeded."""
    units = checked.amount.to_minor_units()
    for promise in chain:
        state[promise or 0].refuse_excess(checked.kind, units)
    for promise in chain:
        state[promise or 0] = state[promise or 0].adding(checked.kind, units)


def _alone(uow: UnitOfWork, actor: Actor, contribution: Contribution) -> Contribution | Exception:
    try:
        return record_contribution(uow, actor, contribution)
    except Exception as error:  # the request's own outcome, for its caller to raise
        return error


class _StoreOfUnit:
    """The store as the rulebook reads it for one write of a few contributions: each question asked of the unit of
    work when first needed."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._coalitions: dict[str, Coalition | None] = {}
        self._books: dict[frozenset[str], RateBook] = {}

    def coalition(self, code: str) -> Coalition | None:
        if code not in self._coalitions:
            self._coalitions[code] = self.uow.coalitions.get(code)
        return self._coalitions[code]

    def decision_rules(self, coalition: str) -> DecisionRules:
        found = self.coalition(coalition)
        assert found is not None
        return found.rules

    def reporting_currency(self, coalition: str) -> str | None:
        found = self.coalition(coalition)
        return None if found is None else found.reporting_currency

    def fund_coalition(self, fund: str) -> str | None:
        found = self.uow.coalitions.get_fund(fund)
        return None if found is None else found.coalition

    def is_party(self, code: str) -> bool:
        return self.uow.parties.get(code) is not None

    def is_area(self, code: str) -> bool:
        return self.uow.areas.get(code) is not None

    def by_reference(self, coalition: str, reference: str) -> rules.Stored | None:
        return _stored(self.uow.ledger.contribution_by_ref(coalition, reference))

    def by_id(self, id: int) -> rules.Stored | None:
        return _stored(self.uow.ledger.get_contribution(id))

    def rate(self, base: str, quote: str, on: date) -> tuple[Decimal, date, str]:
        pair = frozenset({base, quote})
        if pair not in self._books:
            self._books[pair] = rate_book(self.uow, pair)
        return self._books[pair].rate_on(base, quote, on)


class _StoreOfFile:
    """The store as the rulebook reads it for a file of contributions: what every row may ask, read up front."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.coalitions = {c.code: c.reporting_currency for c in uow.coalitions.all()}
        self.funds = {f.code: f.coalition for code in self.coalitions for f in uow.coalitions.funds(code)}
        self.parties = frozenset(p.code for p in uow.parties.all())
        self.areas = frozenset(a.code for a in uow.areas.all())
        self.references = uow.ledger.existing_refs(self.coalitions)
        self.book = RateBook(uow.fx_rates.for_currencies(None))

    def reporting_currency(self, coalition: str) -> str | None:
        return self.coalitions.get(coalition)

    def fund_coalition(self, fund: str) -> str | None:
        return self.funds.get(fund)

    def is_party(self, code: str) -> bool:
        return code in self.parties

    def is_area(self, code: str) -> bool:
        return code in self.areas

    def by_reference(self, coalition: str, reference: str) -> rules.Stored | None:
        return self.references.get((coalition, reference))

    def by_id(self, id: int) -> rules.Stored | None:
        return None  # a file names parents by reference

    def rate(self, base: str, quote: str, on: date) -> tuple[Decimal, date, str]:
        return self.book.rate_on(base, quote, on)


def _stored(found: Contribution | None) -> rules.Stored | None:
    if found is None or found.id is None:
        return None
    return rules.Stored(found.id, found.kind.value, found.coalition, found.donor, found.fund,
                        found.amount.to_minor_units(), found.amount.currency, found.value_date)


def _checked(actor: Actor, contribution: Contribution, known: rules.Snapshot) -> Contribution:
    """Every rule a new contribution must meet (the one rulebook); it comes back with its reporting value, or the
    first rule it breaks is raised, naming the field."""
    require(can(actor, "record_contributions", contribution.coalition))
    c = contribution
    cells = rules.Cells.of(c.kind, c.coalition, c.fund, c.donor, c.amount, c.value_date, earmark=c.earmark,
                           confidentiality=c.confidentiality, external_ref=c.external_ref, parent=c.parent,
                           description=c.description)
    found = rules.check(1, cells, known)
    if found.errors:
        raise found.errors[0].refusal()
    assert found.rate is not None and found.reporting_units is not None and found.reporting_currency is not None
    rate, rate_date, source = found.rate
    return dataclasses.replace(contribution, reporting=ReportingValue(
        Money.from_minor_units(found.reporting_units, found.reporting_currency), rate, rate_date, source))


def reverse_entry(uow: UnitOfWork, actor: Actor, entry_id: int, *, reason: str, on: date | None = None) -> Entry:
    """Undo an entry by a reversal with a reason; the original stays in the ledger.

    Only an entry whose money is still where it brought it can be reversed, dated between the original's value date
    and today; a reversed reservation moves its requirement back along the funding stages."""
    with uow:
        original = uow.ledger.get_entry(entry_id)
        if original is None:
            raise NotFound(f"no ledger entry {entry_id}", field="entry")
        require(can(actor, "reverse_entry", original.debit.coalition))
        ledger.check_directly_reversible(original)
        uow.ledger.lock()  # what the entry's contribution holds is read, then written on its strength
        now = uow.clock()
        history = uow.ledger.entries(contributions=[original.contribution]) if original.contribution else []
        undo = ledger.reversal(original, reason=reason, on=on or now.date(), today=now.date(),
                               already_reversed=uow.ledger.reversal_of(entry_id) is not None, history=history,
                               resting_on=_resting_on(uow, original))
        stored = uow.ledger.add_entry(undo, now)
        if original.kind is EntryKind.RESERVATION:
            _reservation_undone(uow, original, reason.strip())
        record_change(uow, actor, AuditEvent("reverse_entry", "ledger_entry", str(entry_id), snapshot(original),
                                             snapshot(stored)))
        uow.commit()
    return stored


def _resting_on(uow: UnitOfWork, original: Entry) -> list[str]:
    """The records outside the ledger that rest on the contribution an entry records (see ``ledger.reversal``)."""
    if original.contribution is None or original.kind.value not in {kind.value for kind in ContributionKind}:
        return []
    children = uow.ledger.children_of([original.contribution])
    net = ledger.net_units(uow.ledger.entries(contributions=[c.id for c in children if c.id is not None]))
    found = [f"contribution {c.id} ({c.kind.value})" for c in children if net.get(c.id or 0, 0) > 0]
    if original.kind is EntryKind.IN_KIND and uow.procurement.in_kind_used(original.contribution):
        found.append("the contracts that transferred it from stock")
    return found


def _reservation_undone(uow: UnitOfWork, original: Entry, reason: str) -> None:
    """A requirement whose reservation was reversed is funded only as far as money still stands for it."""
    code = original.debit.requirement
    requirement = load_requirement(uow, code)
    if requirement.status not in (RequirementStatus.PARTLY_FUNDED, RequirementStatus.FULLY_FUNDED):
        return
    coalition = original.debit.coalition
    left = uow.ledger.reserved(coalition).get(code, 0) + uow.ledger.contracted(coalition).get(code, 0)
    status = RequirementStatus.PARTLY_FUNDED if left > 0 else RequirementStatus.PRIORITISED
    if status is not requirement.status:
        move_requirement(uow, requirement, status, f"reservation entry {original.id} reversed: {reason}")


@dataclass(frozen=True, slots=True)
class ImportSummary:
    source: str
    imported: int
    unchanged: int
    first_id: int | None
    last_id: int | None
    totals: dict[str, str]


def import_contributions(uow: UnitOfWork, actor: Actor, *, source: str, digest: str, header: Sequence[str],
                         rows: Iterable[Sequence[str]], progress: Callable[[str, int], None] | None = None
                         ) -> ImportSummary:
    """Import a file of pledges, commitments and receipts: all rows valid, or nothing written.

    Rows whose external reference is already stored with the same values are left alone, so
    importing the same file twice changes nothing.
    """
    require(can(actor, "record_contributions"))
    with uow:
        known = rules.Snapshot(_StoreOfFile(uow), rules.FILE)
        valid, errors, error_count = validate(rows, header, known,
                                              (lambda n: progress("validating", n)) if progress else None)
        if error_count:
            raise ImportRejected(errors, error_count)
        for coalition in sorted({row.coalition for row in valid.rows}):
            require(can(actor, "record_contributions", coalition))
        first, last = uow.ledger.bulk_record(valid, uow.clock(),
                                             (lambda n: progress("writing", n)) if progress else None)
        _refuse_broken_promises(uow, valid, first)
        totals: dict[str, int] = defaultdict(int)
        for row in valid.rows:
            totals[f"{row.kind} {row.currency}"] += row.amount_minor
        shown = {key: str(Money.from_minor_units(units, key.split()[1])) for key, units in sorted(totals.items())}
        summary = ImportSummary(source, len(valid.rows), valid.unchanged, first if valid.rows else None,
                                last if valid.rows else None, shown)
        if valid.rows:
            record_change(uow, actor, AuditEvent("import_contributions", "import", digest, None, {
                "source": source, "sha256": digest, "imported": summary.imported, "unchanged": summary.unchanged,
                "contributions": [first, last], "totals": shown}))
        uow.commit()
    return summary


def _refuse_broken_promises(uow: UnitOfWork, valid: ValidRows, first: int) -> None:
    """Refuse the whole import if a row takes a pledge or commitment beyond its promise where its coalition refuses
    that. Checked once the rows are written, under the ledger lock the write took, against what the stored promises
    held before the file (contributions of lower ids), so no other writer can slip in between."""
    linked = {row.parent[1] for row in valid.rows if row.parent is not None and row.parent[0] == "stored"}
    if not linked and not any(row.parent is not None for row in valid.rows):
        return
    everything = _with_pledges_above(uow, linked)
    before = _fulfilments(uow, list(everything.values()), before=first)
    stored = {id: (found, everything[id].parent) for id, found in before.items()}
    excess = {c.code: c.rules.excess for c in uow.coalitions.all()}
    errors = promise_errors(valid, stored, lambda coalition: excess[coalition])
    if errors:
        raise ImportRejected(errors[:MAX_REPORTED_ERRORS], len(errors))


def import_fx_rates(uow: UnitOfWork, actor: Actor, *, source: str, digest: str, rates: Sequence[FxRate]) -> int:
    """Store published exchange rates (those already stored are skipped); return how many were new."""
    require(can(actor, "import_rates"))
    if not rates:
        raise InvalidInput("the file holds no exchange rates", field="file")
    with uow:
        added = uow.fx_rates.add_many(rates)
        if added:
            days = sorted({r.day for r in rates})
            record_change(uow, actor, AuditEvent("import_fx_rates", "fx_rates", digest, None, {
                "source": source, "sha256": digest, "rates": len(rates), "new": added,
                "from": days[0].isoformat(), "to": days[-1].isoformat(),
                "publishers": sorted({r.source for r in rates})}))
        uow.commit()
    return added


def fx_summary(uow: UnitOfWork, actor: Actor) -> list[tuple[str, str, str, date, date, int]]:
    """Per currency pair and publisher: the first and last day held and how many days."""
    require(can(actor, "read_registry"))
    with uow:
        return uow.fx_rates.summary()


def last_rate_days(uow: UnitOfWork, actor: Actor) -> dict[str, date]:
    """The day of the last rate held from each publisher (none: no rate is stored yet)."""
    last: dict[str, date] = {}
    for _, _, source, _, day, _ in fx_summary(uow, actor):
        last[source] = max(day, last.get(source, day))
    return dict(sorted(last.items()))


def convert(uow: UnitOfWork, actor: Actor, amount: Money, to: str, on: date) -> ReportingValue:
    """Convert an amount at the rate of ``on`` (or the last earlier published rate)."""
    require(can(actor, "read_registry"))
    with uow:
        conversion = rate_book(uow, {amount.currency, to}).convert(amount, to, on)
        return ReportingValue(conversion.converted, conversion.rate, conversion.rate_date, conversion.source)


# --- reads ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PledgeProgress:
    pledge: Contribution
    pledged: Money
    committed: Money
    received: Money
    status: PledgeStatus
    excess: Money  # received beyond what was pledged, where the coalition accepts it (``ExcessPolicy.FLAG``)


def _fulfilments(uow: UnitOfWork, promises: Sequence[Contribution], *, before: int | None = None,
                 on: date | None = None) -> dict[int, Fulfilment]:
    """What came in against each pledge or commitment (``Fulfilment``); with ``before``, only what contributions of
    lower ids brought (the state before an import whose first id it is); with ``on``, only what was valued (and
    reversed) by the end of that day."""
    ids = _ids(promises)
    children = _children(uow, ids, before, on)
    grandchildren = _children(uow, _ids(c for c in children if c.kind is ContributionKind.COMMITMENT), before, on)
    entries = uow.ledger.entries(contributions=ids + _ids(children + grandchildren))
    net = ledger.net_units(entries if on is None else [e for e in entries if e.value_date <= on])
    found = {p.id: Fulfilment(p.external_ref or str(p.id), p.kind, p.amount.currency, net.get(p.id, 0))
             for p in promises if p.id is not None}
    parent_of = {c.id: c.parent for c in children}
    for contribution in children + grandchildren:
        assert contribution.id is not None and contribution.parent is not None
        # a receipt counts against its commitment and the pledge above it; a commitment against its pledge alone
        counted = (contribution.parent,) if contribution.kind is ContributionKind.COMMITMENT else \
            (contribution.parent, parent_of.get(contribution.parent))
        for promise in counted:
            if promise in found:
                found[promise] = found[promise].adding(contribution.kind, net.get(contribution.id, 0))
    return found


def _ids(contributions: Iterable[Contribution]) -> list[int]:
    return [c.id for c in contributions if c.id is not None]


def _children(uow: UnitOfWork, ids: Sequence[int], before: int | None, on: date | None = None
              ) -> list[Contribution]:
    """The contributions that fulfil those of ``ids``; with ``before``, only those of lower ids; with ``on``, only
    those valued by the end of that day."""
    return [c for c in uow.ledger.children_of(ids) if (before is None or (c.id or 0) < before)
            and (on is None or c.value_date <= on)]


def _progress(uow: UnitOfWork, pledges: Sequence[Contribution], on: date | None = None) -> list[PledgeProgress]:
    done = _fulfilments(uow, pledges, on=on)
    result = []
    for pledge in pledges:
        assert pledge.id is not None
        f, currency = done[pledge.id], pledge.amount.currency
        result.append(PledgeProgress(pledge, Money.from_minor_units(f.promised, currency),
                                     Money.from_minor_units(f.committed, currency),
                                     Money.from_minor_units(f.received, currency),
                                     ledger.pledge_status(f.promised, f.committed, f.received),
                                     Money.from_minor_units(f.excess(ContributionKind.RECEIPT), currency)))
    return result


@dataclass(frozen=True, slots=True)
class ContributionView:
    """A contribution as one viewer may see it: confidential details are None when ``masked``.

    What stays visible to everyone: that the record exists, its kind, coalition, fund, value date
    and confidentiality. Who gave, how much, for what and under which reference are masked
    unless the viewer may see the record (coalition.domain.access.can_see_record).
    """

    id: int
    kind: ContributionKind
    coalition: str
    fund: str
    value_date: date
    visibility: Visibility
    declassify_on: date | None
    illustrative: bool
    masked: bool
    donor: str | None = None
    amount: Money | None = None
    reporting: ReportingValue | None = None
    earmark: Earmark | None = None
    restricted_to: tuple[str, ...] | None = None
    external_ref: str | None = None
    parent: int | None = None
    description: str | None = None
    valuation: Valuation | None = None
    progress: PledgeProgress | None = None
    recorded_at: datetime | None = None  # when the record learned of it (the value date: when it happened)


MASKED_FIELDS = ("donor", "amount", "reporting", "earmark", "restricted_to", "external_ref", "parent", "description",
                 "valuation", "progress")


def view_contribution(actor: Actor, contribution: Contribution, today: date,
                      progress: PledgeProgress | None = None) -> ContributionView:
    """What ``actor`` may see of ``contribution`` on ``today`` (the one masking rule for every entrypoint)."""
    assert contribution.id is not None
    c = contribution
    shown = can_see_record(actor, c.coalition, c.donor, c.confidentiality, today).allowed
    common = ContributionView(contribution.id, c.kind, c.coalition, c.fund, c.value_date, c.confidentiality.visibility,
                              c.confidentiality.declassify_on, c.illustrative, masked=not shown,
                              recorded_at=c.recorded_at)
    if not shown:
        return common
    return dataclasses.replace(common, donor=c.donor, amount=c.amount, reporting=c.reporting, earmark=c.earmark,
                               restricted_to=c.confidentiality.parties, external_ref=c.external_ref, parent=c.parent,
                               description=c.description, valuation=c.valuation, progress=progress)


@dataclass(frozen=True, slots=True)
class ContributionPage:
    items: list[ContributionView]
    total: int


def list_contributions(uow: UnitOfWork, actor: Actor, *, coalition: str | None = None, donor: str | None = None,
                       kind: ContributionKind | None = None, offset: int = 0, limit: int = 50,
                       after: int | None = None, filter: ContributionFilter = EVERY_CONTRIBUTION
                       ) -> ContributionPage:
    """A page of contributions, oldest first or in the filter's order, narrowed by it, each masked as the viewer
    must see it; ``after`` an id, the page starts after it (``offset`` then counts from there), in the order as
    recorded only.

    Asked for one donor's, or narrowed or ordered by what a masked record hides, it holds only those the viewer
    may see in full: a masked record listed under its donor, currency or dates would tell them."""
    require(can(actor, "read_contributions", coalition))
    if after is not None and not filter.by_cursor:
        raise refusal(InvalidInput, "a page starts after an id only in the order as recorded; page by offset",
                      field="after")
    with uow:
        if coalition is not None:
            load_coalition(uow, coalition)
        today = uow.clock().date()
        scope = None
        if donor is not None:
            load_party(uow, donor, "donor")
        if donor is not None or filter.reads_details:
            scope = record_scope(actor, today)
        items = uow.ledger.contributions(coalition=coalition, donor=donor, kind=kind, offset=offset, limit=limit,
                                         scope=scope, after=after, filter=filter)
        total = uow.ledger.count_contributions(coalition=coalition, donor=donor, kind=kind, scope=scope,
                                               filter=filter)
        pledges = [c for c in items if c.kind is ContributionKind.PLEDGE
                   and can_see_record(actor, c.coalition, c.donor, c.confidentiality, today)]
        progress = {p.pledge.id: p for p in _progress(uow, pledges) if p.pledge.id is not None}
        return ContributionPage([view_contribution(actor, c, today, progress.get(c.id or 0)) for c in items], total)


def find_contribution(uow: UnitOfWork, actor: Actor, coalition: str, external_ref: str) -> Contribution | None:
    require(can(actor, "read_funding", coalition))
    with uow:
        return uow.ledger.contribution_by_ref(coalition, external_ref)


def contribution_entries(uow: UnitOfWork, actor: Actor, contribution_id: int) -> tuple[Contribution, list[Entry]]:
    """A contribution with its ledger entries, for viewers who may see its details."""
    with uow:
        found = uow.ledger.get_contribution(contribution_id)
        if found is None:
            raise NotFound(f"no contribution {contribution_id}", field="contribution")
        require(can(actor, "read_funding", found.coalition))
        require(can_see_record(actor, found.coalition, found.donor, found.confidentiality, uow.clock().date()))
        return found, uow.ledger.entries(contributions=[contribution_id])


def pledge_progress(uow: UnitOfWork, pledges: Sequence[Contribution], on: date | None = None
                    ) -> list[PledgeProgress]:
    """What was committed and received against each pledge (by the end of ``on``), read in the caller's open
    unit of work."""
    return _progress(uow, pledges, on)
