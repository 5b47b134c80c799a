"""SQL storage of the funding ledger: capability areas, exchange rates, contributions, entries, balances.

Single records go through SQLAlchemy Core. Bulk imports bypass statement building: rows go to
the driver in chunks (executemany on SQLite, COPY on PostgreSQL), and balances are updated once
per account from deltas summed in memory, all inside the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.statements import highest_id, insert_or_add, insert_or_ignore, insert_row, row_by
from coalition.domain.access import RecordScope
from coalition.domain.contribution_import import Existing, ValidRows
from coalition.domain.contributions import (
    Confidentiality,
    Contribution,
    ContributionKind,
    Earmark,
    ReportingValue,
    Valuation,
    ValuationRule,
    Visibility,
)
from coalition.domain.fx import FxRate
from coalition.domain.ledger import CONTRIBUTION_ACCOUNTS, AccountKey, AccountType, Balance, Entry, EntryKind
from coalition.domain.money import Money
from coalition.domain.planning import AvailableMoney
from coalition.domain.taxonomy import CapabilityArea

CHUNK = 50_000
LEDGER_LOCK = 72_010  # PostgreSQL advisory lock serialising id allocation for contributions and entries


class SqlCapabilityAreaRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def get(self, code: str) -> CapabilityArea | None:
        row = self._c.execute(row_by(t.capability_areas, "code"), {"key": code}).first()
        return None if row is None else CapabilityArea(row.code, row.name, row.name_uk, row.parent)

    def add(self, area: CapabilityArea) -> None:
        insert_row(self._c, t.capability_areas, dict(code=area.code, name=area.name, name_uk=area.name_uk,
                                                     parent=area.parent))

    def all(self) -> list[CapabilityArea]:
        rows = self._c.execute(sa.select(t.capability_areas).order_by(t.capability_areas.c.code))
        return [CapabilityArea(r.code, r.name, r.name_uk, r.parent) for r in rows]


class SqlFxRateRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def add_many(self, rates: Sequence[FxRate]) -> int:
        f = t.fx_rates
        before = self._c.execute(sa.select(sa.func.count()).select_from(f)).scalar_one()
        rows = [{"day": r.day, "base": r.base, "quote": r.quote, "rate": str(r.rate), "source": r.source}
                for r in rates]
        for start in range(0, len(rows), 5000):
            statement = insert_or_ignore(self._c, f, ("base", "quote", "day", "source"))
            self._c.execute(statement, rows[start:start + 5000])
        return int(self._c.execute(sa.select(sa.func.count()).select_from(f)).scalar_one() - before)

    def for_currencies(self, currencies: Collection[str] | None) -> list[FxRate]:
        f = t.fx_rates
        query = sa.select(f.c.day, f.c.base, f.c.quote, f.c.rate, f.c.source).order_by(f.c.id)
        if currencies is not None:
            query = query.where(f.c.base.in_(sorted(currencies)), f.c.quote.in_(sorted(currencies)))
        return [FxRate(r.day, r.base, r.quote, Decimal(r.rate), r.source) for r in self._c.execute(query)]

    def summary(self) -> list[tuple[str, str, str, date, date, int]]:
        f = t.fx_rates
        query = sa.select(f.c.base, f.c.quote, f.c.source, sa.func.min(f.c.day), sa.func.max(f.c.day),
                          sa.func.count()).group_by(f.c.base, f.c.quote, f.c.source).order_by(f.c.base, f.c.quote)
        return [(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in self._c.execute(query)]


_CONTRIBUTION_COLUMNS = ("id", "kind", "coalition", "fund", "donor", "amount_minor", "currency", "value_date",
                         "earmark", "visibility", "restricted_to", "declassify_on", "external_ref", "parent",
                         "description", "valuation_rule", "valuation_source", "reporting_minor", "rate", "rate_date",
                         "rate_source", "illustrative", "recorded_at")
_ENTRY_COLUMNS = ("id", "kind", "value_date", "debit", "credit", "amount_minor", "currency", "reporting_minor",
                  "contribution", "reverses", "reason", "recorded_at")
_ACCOUNT_KEY = ("type", "coalition", "fund", "donor", "currency", "earmark", "requirement")
_ACCOUNT_ID = sa.select(t.ledger_accounts.c.id).where(
    *(t.ledger_accounts.c[c] == sa.bindparam(c) for c in _ACCOUNT_KEY))
_ADD_TO_BALANCE = t.ledger_accounts.update().where(t.ledger_accounts.c.id == sa.bindparam("account")).values(
    balance_minor=t.ledger_accounts.c.balance_minor + sa.bindparam("units"),
    reporting_minor=t.ledger_accounts.c.reporting_minor + sa.bindparam("reporting"))


def _account_row(key: AccountKey) -> dict[str, Any]:
    return {"type": key.type.value, "coalition": key.coalition, "fund": key.fund, "donor": key.donor,
            "currency": key.currency, "earmark": key.earmark, "requirement": key.requirement, "balance_minor": 0,
            "reporting_minor": 0}


def _key_of(row: Any) -> AccountKey:
    return AccountKey(AccountType(row["type"]), row["coalition"], row["fund"], row["donor"], row["currency"],
                      row["earmark"], row["requirement"])


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlLedgerRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection
        self._postgres = connection.dialect.name == "postgresql"
        self._ids: dict[AccountKey, int] = {}
        self._keys: dict[int, AccountKey] = {}
        self._locked = False

    # --- ids and accounts -------------------------------------------------------------------------

    def lock(self) -> None:
        """Serialise writers of money until commit (SQLite writers are already serialised by BEGIN IMMEDIATE)."""
        if self._postgres and not self._locked:
            self._c.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK})
        self._locked = True

    def _next_id(self, table: sa.Table) -> int:
        self.lock()
        return int(self._c.execute(highest_id(table)).scalar_one()) + 1

    def _remember(self, key: AccountKey, account_id: int) -> None:
        self._ids[key] = account_id
        self._keys[account_id] = key

    def _account_ids(self, keys: Collection[AccountKey]) -> dict[AccountKey, int]:
        """Ids of the accounts, creating those that do not exist yet."""
        missing = [k for k in keys if k not in self._ids]
        if 0 < len(missing) <= 2:  # a single entry's accounts, which mostly exist: look each up, create the rest
            for key in missing:
                row = _account_row(key)
                found = self._c.execute(_ACCOUNT_ID, row).scalar()
                if found is None:  # created unless a concurrent writer just did
                    self._c.execute(insert_or_ignore(self._c, t.ledger_accounts, _ACCOUNT_KEY), row)
                    found = self._c.execute(_ACCOUNT_ID, row).scalar_one()
                self._remember(key, int(found))
        elif missing:
            a = t.ledger_accounts
            rows = [_account_row(k) for k in missing]
            statement = insert_or_ignore(self._c, a, _ACCOUNT_KEY)
            for start in range(0, len(rows), 2000):
                self._c.execute(statement, rows[start:start + 2000])
            columns = [a.c[c] for c in _ACCOUNT_KEY]
            for start in range(0, len(rows), 500):  # only the accounts asked for, not the coalition's every one
                wanted = [tuple(row[c] for c in _ACCOUNT_KEY) for row in rows[start:start + 500]]
                for found in self._c.execute(sa.select(a.c.id, *columns).where(sa.tuple_(*columns).in_(wanted))):
                    self._remember(_key_of(found._mapping), found.id)
        return {k: self._ids[k] for k in keys}

    def _keys_for(self, ids: Collection[int]) -> dict[int, AccountKey]:
        missing = sorted(set(ids) - set(self._keys))
        a = t.ledger_accounts
        for start in range(0, len(missing), 1000):
            for row in self._c.execute(sa.select(a).where(a.c.id.in_(missing[start:start + 1000]))):
                self._remember(AccountKey(AccountType(row.type), row.coalition, row.fund, row.donor, row.currency,
                                          row.earmark, row.requirement), row.id)
        return {i: self._keys[i] for i in ids}

    def _apply(self, deltas: dict[int, list[int]]) -> None:
        rows = [{"account": account, "units": units, "reporting": reporting}
                for account, (units, reporting) in sorted(deltas.items())]
        if rows:
            self._c.execute(_ADD_TO_BALANCE, rows)

    def _count(self, added: dict[tuple[str, str], int]) -> None:
        """Add to the maintained number of contributions per coalition and kind."""
        if added:
            statement = insert_or_add(self._c, t.contribution_counts, ("coalition", "kind"), "count")
            self._c.execute(statement, [{"coalition": c, "kind": k, "count": n} for (c, k), n in sorted(added.items())])

    def _note_sources(self, sources: Collection[tuple[str, str, str]]) -> None:
        if sources:
            statement = insert_or_ignore(self._c, t.conversion_sources, ("coalition", "currency", "source"))
            self._c.execute(statement, [{"coalition": c, "currency": cur, "source": s} for c, cur, s in sources])

    # --- contributions ----------------------------------------------------------------------------

    @staticmethod
    def _contribution(row: Any) -> Contribution:
        parties = tuple(json.loads(row.restricted_to)) if row.restricted_to else ()
        valuation = None if row.valuation_rule is None else Valuation(ValuationRule(row.valuation_rule),
                                                                      row.valuation_source)
        return Contribution(
            ContributionKind(row.kind), row.coalition, row.fund, row.donor,
            Money.from_minor_units(row.amount_minor, row.currency), row.value_date, Earmark.parse(row.earmark),
            Confidentiality(Visibility(row.visibility), parties, row.declassify_on), row.external_ref, row.parent,
            row.description, valuation,
            ReportingValue(Money.from_minor_units(row.reporting_minor, _reporting_currency(row)), Decimal(row.rate),
                           row.rate_date, row.rate_source),
            row.illustrative, row.id)

    def _select_contributions(self) -> sa.Select[Any]:
        c = t.contributions
        return sa.select(c, t.coalitions.c.reporting_currency).join(t.coalitions, t.coalitions.c.code == c.c.coalition)

    def get_contribution(self, id: int) -> Contribution | None:
        row = self._c.execute(self._select_contributions().where(t.contributions.c.id == id)).first()
        return None if row is None else self._contribution(row)

    def contribution_by_ref(self, coalition: str, external_ref: str) -> Contribution | None:
        c = t.contributions
        row = self._c.execute(self._select_contributions().where(c.c.coalition == coalition,
                                                                 c.c.external_ref == external_ref)).first()
        return None if row is None else self._contribution(row)

    def add_contribution(self, contribution: Contribution, recorded_at: datetime) -> Contribution:
        assert contribution.reporting is not None, "contributions are stored with their reporting value"
        new_id = self._next_id(t.contributions)
        r = contribution.reporting
        insert_row(self._c, t.contributions, dict(
            id=new_id, kind=contribution.kind.value, coalition=contribution.coalition, fund=contribution.fund,
            donor=contribution.donor, amount_minor=contribution.amount.to_minor_units(),
            currency=contribution.amount.currency, value_date=contribution.value_date,
            earmark=contribution.earmark.label, visibility=contribution.confidentiality.visibility.value,
            restricted_to=_parties_text(contribution.confidentiality.parties),
            declassify_on=contribution.confidentiality.declassify_on, external_ref=contribution.external_ref,
            parent=contribution.parent, description=contribution.description,
            valuation_rule=None if contribution.valuation is None else contribution.valuation.rule.value,
            valuation_source=None if contribution.valuation is None else contribution.valuation.source,
            reporting_minor=r.amount.to_minor_units(), rate=str(r.rate), rate_date=r.rate_date, rate_source=r.source,
            illustrative=contribution.illustrative, recorded_at=recorded_at.isoformat()))
        self._note_sources([(contribution.coalition, contribution.amount.currency, r.source)])
        self._count({(contribution.coalition, contribution.kind.value): 1})
        return dataclasses.replace(contribution, id=new_id)  # every stored value reads back exactly as given

    @staticmethod
    def _visible(scope: RecordScope) -> sa.ColumnElement[bool]:
        """The rule of domain.access.can_see_record, as SQL (a test holds the two to the same answers)."""
        c = t.contributions
        allowed = [c.c.visibility == Visibility.PUBLIC.value, c.c.declassify_on <= scope.today]
        if scope.custodian_of:
            allowed.append(c.c.coalition.in_(sorted(scope.custodian_of)))
        if scope.member_of:
            allowed.append(sa.and_(c.c.visibility == Visibility.COALITION.value,
                                   c.c.coalition.in_(sorted(scope.member_of))))
        if scope.party is not None:
            allowed.append(sa.and_(c.c.visibility == Visibility.RESTRICTED.value, sa.or_(
                c.c.donor == scope.party, c.c.restricted_to.like(f"%{_like_literal(json.dumps(scope.party))}%",
                                                                 escape="\\"))))
        return sa.or_(*allowed)

    def _filtered(self, query: sa.Select[Any], coalition: str | None, donor: str | None,
                  kind: ContributionKind | None, scope: RecordScope | None = None) -> sa.Select[Any]:
        c = t.contributions
        if scope is not None and not scope.everything:
            query = query.where(self._visible(scope))
        if coalition is not None:
            query = query.where(c.c.coalition == coalition)
        if donor is not None:
            query = query.where(c.c.donor == donor)
        if kind is not None:
            query = query.where(c.c.kind == kind.value)
        return query

    def contributions(self, *, coalition: str | None = None, donor: str | None = None,
                      kind: ContributionKind | None = None, offset: int = 0, limit: int | None = None,
                      scope: RecordScope | None = None, after: int | None = None) -> list[Contribution]:
        query = self._filtered(self._select_contributions(), coalition, donor, kind, scope).order_by(
            t.contributions.c.id)
        if after is not None:
            query = query.where(t.contributions.c.id > after)
        query = query.offset(offset).limit(limit)
        return [self._contribution(row) for row in self._c.execute(query)]

    def count_contributions(self, *, coalition: str | None = None, donor: str | None = None,
                            kind: ContributionKind | None = None, scope: RecordScope | None = None) -> int:
        if coalition is not None and donor is None and (scope is None or scope.everything):
            n = t.contribution_counts
            maintained = sa.select(sa.func.coalesce(sa.func.sum(n.c.count), 0)).where(n.c.coalition == coalition)
            if kind is not None:
                maintained = maintained.where(n.c.kind == kind.value)
            return int(self._c.execute(maintained).scalar_one())
        query = self._filtered(sa.select(sa.func.count()).select_from(t.contributions), coalition, donor, kind,
                               scope)
        return int(self._c.execute(query).scalar_one())

    def children_of(self, parents: Collection[int]) -> list[Contribution]:
        found: list[Contribution] = []
        ordered = sorted(parents)
        for start in range(0, len(ordered), 1000):
            query = self._select_contributions().where(t.contributions.c.parent.in_(ordered[start:start + 1000]))
            found.extend(self._contribution(row) for row in self._c.execute(query.order_by(t.contributions.c.id)))
        return found

    def confidential(self, coalition: str) -> list[tuple[str, Confidentiality]]:
        c = t.contributions
        query = (sa.select(c.c.donor, c.c.visibility, c.c.restricted_to, c.c.declassify_on).distinct()
                 .where(c.c.coalition == coalition, c.c.visibility != Visibility.PUBLIC.value))
        return [(row.donor, Confidentiality(Visibility(row.visibility),
                                            tuple(json.loads(row.restricted_to)) if row.restricted_to else (),
                                            row.declassify_on))
                for row in self._c.execute(query)]

    def conversion_sources(self, coalition: str) -> list[tuple[str, str]]:
        s = t.conversion_sources
        query = sa.select(s.c.currency, s.c.source).where(s.c.coalition == coalition).order_by(s.c.currency, s.c.source)
        return [(row.currency, row.source) for row in self._c.execute(query)]

    def existing_refs(self, coalitions: Collection[str]) -> dict[tuple[str, str], Existing]:
        c = t.contributions
        query = sa.select(c.c.coalition, c.c.external_ref, c.c.id, c.c.kind, c.c.donor, c.c.fund, c.c.amount_minor,
                          c.c.currency, c.c.value_date).where(c.c.coalition.in_(sorted(coalitions)),
                                                              c.c.external_ref.is_not(None))
        return {(r.coalition, r.external_ref): Existing(r.id, r.kind, r.donor, r.fund, r.amount_minor, r.currency,
                                                        r.value_date)
                for r in self._c.execute(query.execution_options(yield_per=50_000))}

    # --- what planning needs ----------------------------------------------------------------------

    def position(self) -> int:
        return int(self._c.execute(highest_id(t.ledger_entries)).scalar_one())

    def available_money(self, coalition: str) -> list[AvailableMoney]:
        e, a, c = t.ledger_entries, t.ledger_accounts, t.contributions
        debit, credit = a.alias("debit_account"), a.alias("credit_account")
        available = AccountType.FUND_AVAILABLE.value
        sign = sa.case((debit.c.type == available, 1), else_=-1)
        moves = (sa.select(e.c.contribution, sa.func.sum(sign * e.c.amount_minor).label("units"),
                           sa.func.sum(sign * e.c.reporting_minor).label("reporting"))
                 .join(debit, debit.c.id == e.c.debit).join(credit, credit.c.id == e.c.credit)
                 .where(debit.c.coalition == coalition, e.c.contribution.is_not(None),
                        sa.or_(debit.c.type == available, credit.c.type == available))
                 .group_by(e.c.contribution).subquery())
        query = (sa.select(moves.c.contribution, moves.c.units, moves.c.reporting, c.c.donor, c.c.fund, c.c.earmark,
                           c.c.currency).join(c, c.c.id == moves.c.contribution)
                 .where(moves.c.units > 0).order_by(moves.c.contribution))
        return [AvailableMoney(int(r.contribution), r.donor, r.fund, r.earmark, int(r.units), r.currency,
                               int(r.reporting)) for r in self._c.execute(query)]

    def reporting_total(self, coalition: str, type: AccountType) -> int:
        a = t.ledger_accounts
        query = sa.select(sa.func.coalesce(sa.func.sum(a.c.reporting_minor), 0)).where(
            a.c.type == type.value, a.c.coalition == coalition)
        return int(self._c.execute(query).scalar_one())

    def reserved(self, coalition: str) -> dict[str, int]:
        a = t.ledger_accounts
        query = (sa.select(a.c.requirement, sa.func.sum(a.c.reporting_minor))
                 .where(a.c.coalition == coalition, a.c.type == AccountType.RESERVED.value)
                 .group_by(a.c.requirement))
        return {r[0]: int(r[1]) for r in self._c.execute(query) if int(r[1])}

    def holdings(self, coalition: str, requirement: str, type: AccountType = AccountType.RESERVED
                 ) -> list[tuple[int, AccountKey, int, int]]:
        e, a = t.ledger_entries, t.ledger_accounts
        reserved = (sa.select(a.c.id).where(a.c.coalition == coalition, a.c.type == type.value,
                                            a.c.requirement == requirement))
        ids = [int(r[0]) for r in self._c.execute(reserved)]
        if not ids:
            return []
        account = sa.case((e.c.debit.in_(ids), e.c.debit), else_=e.c.credit)
        sign = sa.case((e.c.debit.in_(ids), 1), else_=-1)
        query = (sa.select(e.c.contribution, account.label("account"), sa.func.sum(sign * e.c.amount_minor),
                           sa.func.sum(sign * e.c.reporting_minor))
                 .where(sa.or_(e.c.debit.in_(ids), e.c.credit.in_(ids)))
                 .group_by(e.c.contribution, account).order_by(e.c.contribution))
        rows = self._c.execute(query).all()
        keys = self._keys_for({int(r[1]) for r in rows})
        return [(int(r[0]), keys[int(r[1])], int(r[2]), int(r[3])) for r in rows if int(r[2])]

    # --- entries and balances ---------------------------------------------------------------------

    def _entries(self, query: sa.Select[Any]) -> list[Entry]:
        rows = self._c.execute(query).all()
        keys = self._keys_for({r.debit for r in rows} | {r.credit for r in rows})
        reporting = {k.coalition: None for k in keys.values()}
        currencies = dict(self._c.execute(sa.select(t.coalitions.c.code, t.coalitions.c.reporting_currency)
                                          .where(t.coalitions.c.code.in_(sorted(reporting)))).all())
        return [Entry(EntryKind(r.kind), r.value_date, keys[r.debit], keys[r.credit],
                      Money.from_minor_units(r.amount_minor, r.currency),
                      Money.from_minor_units(r.reporting_minor, currencies[keys[r.debit].coalition]),
                      r.contribution, r.reverses, r.reason, r.id) for r in rows]

    def add_entry(self, entry: Entry, recorded_at: datetime) -> Entry:
        ids = self._account_ids([entry.debit, entry.credit])
        new_id = self._next_id(t.ledger_entries)
        units, reporting = entry.amount.to_minor_units(), entry.reporting_amount.to_minor_units()
        insert_row(self._c, t.ledger_entries, dict(
            id=new_id, kind=entry.kind.value, value_date=entry.value_date, debit=ids[entry.debit],
            credit=ids[entry.credit], amount_minor=units, currency=entry.amount.currency, reporting_minor=reporting,
            contribution=entry.contribution, reverses=entry.reverses, reason=entry.reason,
            recorded_at=recorded_at.isoformat()))
        self._apply({ids[entry.debit]: [units, reporting], ids[entry.credit]: [-units, -reporting]})
        return dataclasses.replace(entry, id=new_id)

    def get_entry(self, id: int) -> Entry | None:
        found = self._entries(sa.select(t.ledger_entries).where(t.ledger_entries.c.id == id))
        return found[0] if found else None

    def reversal_of(self, entry_id: int) -> Entry | None:
        found = self._entries(sa.select(t.ledger_entries).where(t.ledger_entries.c.reverses == entry_id))
        return found[0] if found else None

    def entries(self, *, contributions: Collection[int] | None = None) -> list[Entry]:
        e = t.ledger_entries
        if contributions is None:
            return self._entries(sa.select(e).order_by(e.c.id))
        ordered, found = sorted(contributions), []
        for start in range(0, len(ordered), 1000):
            found.extend(self._entries(sa.select(e).where(e.c.contribution.in_(ordered[start:start + 1000]))
                                       .order_by(e.c.id)))
        return found

    def balances(self, *, coalition: str | None = None, donor: str | None = None) -> list[tuple[AccountKey, Balance]]:
        a = t.ledger_accounts
        query = sa.select(a)
        if coalition is not None:
            query = query.where(a.c.coalition == coalition)
        if donor is not None:
            query = query.where(a.c.donor == donor)
        return [(AccountKey(AccountType(r.type), r.coalition, r.fund, r.donor, r.currency, r.earmark, r.requirement),
                 (int(r.balance_minor), int(r.reporting_minor))) for r in self._c.execute(query.order_by(a.c.id))]

    def maintained_balances(self) -> dict[str, Balance]:
        return {key.name: balance for key, balance in self.balances()}

    def recomputed_balances(self) -> dict[str, Balance]:
        e, a = t.ledger_entries, t.ledger_accounts
        debits = sa.select(e.c.debit.label("account"), e.c.amount_minor.label("units"),
                           e.c.reporting_minor.label("reporting"))
        credits = sa.select(e.c.credit.label("account"), (-e.c.amount_minor).label("units"),
                            (-e.c.reporting_minor).label("reporting"))
        moves = sa.union_all(debits, credits).subquery()
        query = sa.select(moves.c.account, sa.func.sum(moves.c.units), sa.func.sum(moves.c.reporting)) \
            .group_by(moves.c.account)
        sums = {int(r[0]): (int(r[1]), int(r[2])) for r in self._c.execute(query)}
        keys = {r.id: AccountKey(AccountType(r.type), r.coalition, r.fund, r.donor, r.currency, r.earmark,
                                 r.requirement) for r in self._c.execute(sa.select(a))}
        return {keys[account].name if account in keys else f"unknown account {account}": balance
                for account, balance in sums.items()}

    def count_problems(self) -> list[str]:
        """Where the maintained number of contributions differs from the records."""
        c, n = t.contributions, t.contribution_counts
        actual = {(r[0], r[1]): int(r[2]) for r in self._c.execute(
            sa.select(c.c.coalition, c.c.kind, sa.func.count()).group_by(c.c.coalition, c.c.kind))}
        kept = {(r[0], r[1]): int(r[2]) for r in self._c.execute(sa.select(n.c.coalition, n.c.kind, n.c.count))}
        return [f"{coalition} holds {actual.get((coalition, kind), 0)} {kind} record(s) but counts "
                f"{kept.get((coalition, kind), 0)}"
                for coalition, kind in sorted(set(actual) | set(kept))
                if actual.get((coalition, kind), 0) != kept.get((coalition, kind), 0)]

    def entry_problems(self) -> list[str]:
        e, a = t.ledger_entries, t.ledger_accounts
        debit, credit, original = a.alias("debit_account"), a.alias("credit_account"), e.alias("original")
        problems = [f"entry {r.id} moves a non-positive amount ({r.amount_minor} minor units)"
                    for r in self._c.execute(sa.select(e.c.id, e.c.amount_minor).where(e.c.amount_minor <= 0))]
        problems += [f"entry {r.id} in {r.currency} touches an account in {r.debit_currency} or {r.credit_currency}"
                     for r in self._c.execute(
                         sa.select(e.c.id, e.c.currency, debit.c.currency.label("debit_currency"),
                                   credit.c.currency.label("credit_currency"))
                         .join(debit, debit.c.id == e.c.debit).join(credit, credit.c.id == e.c.credit)
                         .where(sa.or_(debit.c.currency != e.c.currency, credit.c.currency != e.c.currency)))]
        problems += [f"entry {r.id} does not mirror the entry {r.reverses} it reverses"
                     for r in self._c.execute(
                         sa.select(e.c.id, e.c.reverses).join(original, original.c.id == e.c.reverses)
                         .where(sa.or_(e.c.debit != original.c.credit, e.c.credit != original.c.debit,
                                       e.c.amount_minor != original.c.amount_minor,
                                       e.c.reporting_minor != original.c.reporting_minor,
                                       e.c.kind != EntryKind.REVERSAL.value)))]
        return problems

    # --- bulk -----------------------------------------------------------------------------------------

    def bulk_record(self, valid: ValidRows, recorded_at: datetime,
                    progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        rows = valid.rows
        first_contribution = self._next_id(t.contributions)
        first_entry = self._next_id(t.ledger_entries)
        if not rows:
            return first_contribution, first_contribution - 1
        accounts_by_kind = {k.value: (d.value, c.value) for k, (d, c) in CONTRIBUTION_ACCOUNTS.items()}
        dims: set[tuple[Any, ...]] = set()
        for row in rows:
            debit_name, credit_name = accounts_by_kind[row[0]]  # type: ignore[index]
            dims.add((debit_name, row[2], row[3], row[4], row[6], row[8]))
            dims.add((credit_name, row[2], row[3], row[4], row[6], row[8]))
        keys = {d: AccountKey(AccountType(d[0]), *d[1:]) for d in dims}
        ids = self._account_ids(list(keys.values()))
        account_of = {d: ids[key] for d, key in keys.items()}
        stamp = recorded_at.isoformat()
        deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        sources: set[tuple[str, str, str]] = set()
        postgres = self._postgres
        contribution_rows: list[tuple[Any, ...]] = []
        entry_rows: list[tuple[Any, ...]] = []
        for offset, row in enumerate(rows):
            (kind, ref, coalition, fund, donor, units, currency, value_date, earmark, visibility, restricted,
             declassify, parent, description, reporting, rate, rate_date, source) = row
            contribution_id = first_contribution + offset
            parent_id = None if parent is None else (
                first_contribution + parent[1] if parent[0] == "file" else parent[1])  # type: ignore[index]
            debit_name, credit_name = accounts_by_kind[kind]  # type: ignore[index]
            debit = account_of[(debit_name, coalition, fund, donor, currency, earmark)]
            credit = account_of[(credit_name, coalition, fund, donor, currency, earmark)]
            day = value_date if postgres else value_date.isoformat()  # type: ignore[attr-defined]
            contribution_rows.append((
                contribution_id, kind, coalition, fund, donor, units, currency, day, earmark, visibility,
                _parties_text(restricted),  # type: ignore[arg-type]
                declassify if postgres or declassify is None else declassify.isoformat(),  # type: ignore[attr-defined]
                ref, parent_id, description, None, None, reporting, rate,
                rate_date if postgres else rate_date.isoformat(), source,  # type: ignore[attr-defined]
                False if postgres else 0, stamp))
            entry_rows.append((first_entry + offset, kind, day, debit, credit, units, currency, reporting,
                               contribution_id, None, "", stamp))
            debit_delta, credit_delta = deltas[debit], deltas[credit]
            debit_delta[0] += units  # type: ignore[operator]
            debit_delta[1] += reporting  # type: ignore[operator]
            credit_delta[0] -= units  # type: ignore[operator]
            credit_delta[1] -= reporting  # type: ignore[operator]
            sources.add((str(coalition), str(currency), str(source)))
        written = 0
        for table, columns, data in ((t.contributions, _CONTRIBUTION_COLUMNS, contribution_rows),
                                     (t.ledger_entries, _ENTRY_COLUMNS, entry_rows)):
            for start in range(0, len(data), CHUNK):
                self._write(table, columns, data[start:start + CHUNK])
                written += min(CHUNK, len(data) - start)
                if progress is not None:
                    progress(written // 2)
        self._apply(deltas)
        self._note_sources(sources)
        counted: dict[tuple[str, str], int] = defaultdict(int)
        for row in rows:
            counted[(str(row[2]), str(row[0]))] += 1
        self._count(counted)
        if postgres and len(rows) >= ANALYZE_AFTER:
            # The planner's statistics would otherwise describe the tables as they were before the load.
            for table in (t.contributions, t.ledger_entries):
                self._c.exec_driver_sql(f"ANALYZE {table.name}")
        return first_contribution, first_contribution + len(rows) - 1

    def _write(self, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        names = ", ".join(columns)
        if self._postgres:
            raw = self._c.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self._c.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)  # noqa: S608


ANALYZE_AFTER = 10_000  # rows of one import after which PostgreSQL's planner statistics are refreshed


def _parties_text(parties: tuple[str, ...]) -> str:
    """How the parties of a restricted record are stored: a JSON list, or '' for none."""
    return json.dumps(list(parties)) if parties else ""


def _reporting_currency(row: Any) -> str:
    return str(row.reporting_currency)
