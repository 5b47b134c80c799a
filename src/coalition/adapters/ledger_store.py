"""SQL storage of the funding ledger: capability areas, exchange rates, contributions, entries, balances.

Single records go through SQLAlchemy Core. A bulk import stages its rows in two temporary tables
(what repeats once per profile; each row's own values through the driver: executemany on SQLite,
COPY on PostgreSQL), then the database derives the contributions, their entries and the balance
changes per profile with set-based statements, all inside the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from coalition.adapters import tables as t
from coalition.adapters.statements import highest_id, insert_or_add, insert_or_ignore, insert_row, month_of, row_by
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.access import RecordScope
from coalition.domain.contribution_import import ImportRow, ValidRows
from coalition.domain.contribution_rules import Stored
from coalition.domain.contributions import (
    EVERY_CONTRIBUTION,
    Confidentiality,
    Contribution,
    ContributionFilter,
    ContributionKind,
    ContributionOrder,
    Earmark,
    EarmarkKind,
    ReportingValue,
    Valuation,
    ValuationRule,
    Visibility,
)
from coalition.domain.fx import FxRate
from coalition.domain.ledger import (
    CONTRIBUTION_ACCOUNTS,
    DEBIT_NORMAL,
    AccountKey,
    AccountType,
    Balance,
    Entry,
    EntryKind,
    Holding,
    RequirementMoney,
)
from coalition.domain.money import Money
from coalition.domain.planning import AvailableMoney
from coalition.domain.taxonomy import CapabilityArea

CHUNK = 50_000


@rebuilds_stored_values
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


@rebuilds_stored_values
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


# --- staging of a bulk import (see SqlLedgerRepository.bulk_record) ------------------------------------
# A profile: what a validated row shares with many others, as (ValidRows field, staging column) pairs.
_FIELD = {name: index for index, name in enumerate(ImportRow._fields)}
_PROFILE = tuple((_FIELD[name], column) for name, column in (
    ("kind", "kind"), ("coalition", "coalition"), ("fund", "fund"), ("donor", "donor"), ("currency", "currency"),
    ("earmark", "earmark"), ("visibility", "visibility"), ("restricted_to", "restricted_to"),
    ("declassify_on", "declassify_on"), ("rate_source", "rate_source")))
_PROFILE_FIELDS = tuple(name for _, name in _PROFILE)
_PROFILE_OF = itemgetter(*(index for index, _ in _PROFILE))
_ACCOUNTS_BY_KIND = {k.value: (d.value, c.value) for k, (d, c) in CONTRIBUTION_ACCOUNTS.items()}
_staging = sa.MetaData()
_STAGED_PROFILES = sa.Table(
    "import_staged_profiles", _staging,
    sa.Column("profile", sa.Integer, primary_key=True, autoincrement=False),
    *(sa.Column(name, t.contributions.c[name].type, nullable=name == "declassify_on")
      for name in _PROFILE_FIELDS),
    sa.Column("debit", sa.Integer, nullable=False),
    sa.Column("credit", sa.Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
_STAGED_ROWS = sa.Table(
    "import_staged_rows", _staging,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),  # the row's place among the valid rows
    sa.Column("profile", sa.Integer, nullable=False),
    *(sa.Column(name, t.contributions.c[name].type) for name in (
        "amount_minor", "value_date", "external_ref", "parent", "description", "reporting_minor", "rate",
        "rate_date")),
    prefixes=["TEMPORARY"],
)


def _from_stage(target: sa.Table, values: dict[str, sa.ColumnElement[Any]]) -> sa.Insert:
    """INSERT INTO target SELECT values FROM the staged rows and their profiles, in row order."""
    rows, profiles = _STAGED_ROWS.c, _STAGED_PROFILES.c
    query = sa.select(*values.values()).join_from(_STAGED_ROWS, _STAGED_PROFILES, rows.profile == profiles.profile)
    return target.insert().from_select(list(values), query.order_by(rows.seq))


def _bound(name: str, type_: sa.types.TypeEngine[Any]) -> sa.ColumnElement[Any]:
    return sa.cast(sa.bindparam(name, type_=type_), type_)


_CONTRIBUTIONS_FROM_STAGE = _from_stage(t.contributions, {
    "id": _STAGED_ROWS.c.seq + _bound("first", sa.BigInteger()),
    **{name: _STAGED_PROFILES.c[name] for name in _PROFILE_FIELDS},
    **{name: _STAGED_ROWS.c[name] for name in ("amount_minor", "value_date", "external_ref", "parent",
                                               "description", "reporting_minor", "rate", "rate_date")},
    "illustrative": sa.false(),
    "recorded_at": _bound("stamp", sa.String(40)),
})
_ENTRIES_FROM_STAGE = _from_stage(t.ledger_entries, {
    "id": _STAGED_ROWS.c.seq + _bound("first_entry", sa.BigInteger()),
    "kind": _STAGED_PROFILES.c.kind,
    "value_date": _STAGED_ROWS.c.value_date,
    "debit": _STAGED_PROFILES.c.debit,
    "credit": _STAGED_PROFILES.c.credit,
    "amount_minor": _STAGED_ROWS.c.amount_minor,
    "currency": _STAGED_PROFILES.c.currency,
    "reporting_minor": _STAGED_ROWS.c.reporting_minor,
    "contribution": _STAGED_ROWS.c.seq + _bound("first", sa.BigInteger()),
    "reason": sa.literal(""),
    "recorded_at": _bound("stamp", sa.String(40)),
})
_STAGED_MONTH = month_of(_STAGED_ROWS.c.value_date)
_STAGED_SUMS = sa.select(_STAGED_ROWS.c.profile, _STAGED_MONTH, sa.func.count(),
                         sa.func.sum(_STAGED_ROWS.c.amount_minor), sa.func.sum(_STAGED_ROWS.c.reporting_minor)
                         ).group_by(_STAGED_ROWS.c.profile, _STAGED_MONTH)
_ACCOUNT_KEY = ("type", "coalition", "fund", "donor", "currency", "earmark", "requirement")
_ACCOUNT_COLUMNS = sa.select(t.ledger_accounts.c.id, *(t.ledger_accounts.c[c] for c in _ACCOUNT_KEY))
# A single entry's two accounts as two conjunctions: SQLite searches its key index for each, where a row-value
# IN list (the form for many keys at once) scans the table.
_ACCOUNT_PAIR = _ACCOUNT_COLUMNS.where(sa.or_(*(
    sa.and_(*(t.ledger_accounts.c[c] == sa.bindparam(f"{c}_{i}") for c in _ACCOUNT_KEY)) for i in (0, 1))))
_ACCOUNTS_BY_KEY = _ACCOUNT_COLUMNS.where(
    sa.tuple_(*(t.ledger_accounts.c[c] for c in _ACCOUNT_KEY)).in_(sa.bindparam("keys", expanding=True)))
# The ledger's next ids; on PostgreSQL reading them locks their row until commit, which serialises writers of money.
_NEXT_IDS = sa.select(t.ledger_next_ids.c.contribution, t.ledger_next_ids.c.entry).where(t.ledger_next_ids.c.id == 1)
_SAVE_NEXT_IDS = t.ledger_next_ids.update().where(t.ledger_next_ids.c.id == 1).values(
    contribution=sa.bindparam("next_contribution", type_=sa.BigInteger()),
    entry=sa.bindparam("next_entry", type_=sa.BigInteger()))
_ADD_TO_BALANCE = t.ledger_accounts.update().where(t.ledger_accounts.c.id == sa.bindparam("account")).values(
    balance_minor=t.ledger_accounts.c.balance_minor + sa.bindparam("units"),
    reporting_minor=t.ledger_accounts.c.reporting_minor + sa.bindparam("reporting"))


def _prefixed(prefix: str, row: dict[str, Any]) -> dict[str, Any]:
    return {prefix + name: value for name, value in row.items()}


def _insert_named(table: sa.Table, prefix: str) -> sa.Insert:
    """INSERT into ``table`` with each column bound to the parameter ``prefix`` + its name."""
    return table.insert().values({column.name: sa.bindparam(prefix + column.name, type_=column.type)
                                  for column in table.c})


# An entry's row and its two accounts' balances: the debit account gains ``units``, the credit account loses them.
_INSERT_ENTRY = _insert_named(t.ledger_entries, "e_")
_ENTRY_ACCOUNTS = (sa.bindparam("e_debit", type_=sa.Integer()), sa.bindparam("e_credit", type_=sa.Integer()))
_MOVE_BALANCES = t.ledger_accounts.update().where(t.ledger_accounts.c.id.in_(_ENTRY_ACCOUNTS)).values(
    balance_minor=t.ledger_accounts.c.balance_minor + sa.case(
        (t.ledger_accounts.c.id == _ENTRY_ACCOUNTS[0], sa.bindparam("units", type_=sa.BigInteger())),
        else_=-sa.bindparam("units", type_=sa.BigInteger())),
    reporting_minor=t.ledger_accounts.c.reporting_minor + sa.case(
        (t.ledger_accounts.c.id == _ENTRY_ACCOUNTS[0], sa.bindparam("reporting", type_=sa.BigInteger())),
        else_=-sa.bindparam("reporting", type_=sa.BigInteger())))
# The entry's month of both accounts moves with their balances (``ledger_months``).
_MONTH_ROWS = [{"account": _ENTRY_ACCOUNTS[0], "month": sa.bindparam("month", type_=sa.Integer()),
                "balance_minor": sa.bindparam("units", type_=sa.BigInteger()),
                "reporting_minor": sa.bindparam("reporting", type_=sa.BigInteger())},
               {"account": _ENTRY_ACCOUNTS[1], "month": sa.bindparam("month", type_=sa.Integer()),
                "balance_minor": -sa.bindparam("units", type_=sa.BigInteger()),
                "reporting_minor": -sa.bindparam("reporting", type_=sa.BigInteger())}]
_MONTH_KEY = ("account", "month")
_MONTH_SUMS = ("balance_minor", "reporting_minor")
_PG_MONTHS = postgresql.insert(t.ledger_months).values(_MONTH_ROWS)
_PG_MONTHS = _PG_MONTHS.on_conflict_do_update(
    index_elements=list(_MONTH_KEY), set_={c: t.ledger_months.c[c] + _PG_MONTHS.excluded[c] for c in _MONTH_SUMS})


def month_number(day: date) -> int:
    """The month of ``day`` as ``ledger_months`` keys it: YYYYMM."""
    return day.year * 100 + day.month


# On PostgreSQL, where every statement is a round trip made while holding the ledger lock, the parts of a booking
# go in one statement: data-modifying CTEs, with the foreign keys checked at its end.
_BOOK_ENTRY = _MOVE_BALANCES.add_cte(_INSERT_ENTRY.cte("entry"), _PG_MONTHS.cte("months"),
                                     _SAVE_NEXT_IDS.cte("saved_ids"))
_NOTE_SOURCE = postgresql.insert(t.conversion_sources).values(
    {name: sa.bindparam("s_" + name) for name in ("coalition", "currency", "source")}).on_conflict_do_nothing(
    index_elements=["coalition", "currency", "source"])
_COUNT = postgresql.insert(t.contribution_counts).values(
    {name: sa.bindparam("n_" + name) for name in ("coalition", "kind", "count")})
_COUNT = _COUNT.on_conflict_do_update(index_elements=["coalition", "kind"],
                                      set_={"count": t.contribution_counts.c.count + _COUNT.excluded["count"]})
_BOOK_CONTRIBUTION = _MOVE_BALANCES.add_cte(
    _NOTE_SOURCE.cte("noted"), _insert_named(t.contributions, "c_").cte("contribution"), _COUNT.cte("counted"),
    _INSERT_ENTRY.cte("entry"), _PG_MONTHS.cte("months"), _SAVE_NEXT_IDS.cte("saved_ids"))


def _key_values(key: AccountKey) -> tuple[str, ...]:
    """The account's key columns (``_ACCOUNT_KEY``), in order; also the order new accounts are created in."""
    return key.type.value, key.coalition, key.fund, key.donor, key.currency, key.earmark, key.requirement


def _account_row(key: AccountKey) -> dict[str, Any]:
    return {**dict(zip(_ACCOUNT_KEY, _key_values(key), strict=True)), "balance_minor": 0, "reporting_minor": 0}


def _key_of(row: Any) -> AccountKey:
    return AccountKey(AccountType(row["type"]), row["coalition"], row["fund"], row["donor"], row["currency"],
                      row["earmark"], row["requirement"])


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def moves(*where: sa.ColumnElement[bool]) -> sa.Subquery:
    """Every entry (of those ``where`` selects) as two moves, one per account: (account, day, month, units,
    reporting), the debit account gaining the amount and the credit account losing it."""
    e = t.ledger_entries
    month = month_of(e.c.value_date)
    return sa.union_all(
        sa.select(e.c.debit.label("account"), e.c.value_date.label("day"), month.label("month"),
                  e.c.amount_minor.label("units"), e.c.reporting_minor.label("reporting")).where(*where),
        sa.select(e.c.credit, e.c.value_date, month, -e.c.amount_minor, -e.c.reporting_minor).where(*where)
    ).subquery()


def balances_on(on: date) -> sa.Subquery:
    """Each account's balance as of the end of ``on`` (account, balance_minor, reporting_minor), from the entries
    valued up to that day: the kept months before its month, and that month's entries up to the day."""
    e, m = t.ledger_entries, t.ledger_months
    window = (e.c.value_date >= on.replace(day=1), e.c.value_date <= on)
    parts = sa.union_all(
        sa.select(m.c.account, m.c.balance_minor.label("units"), m.c.reporting_minor.label("reporting"))
        .where(m.c.month < month_number(on)),
        sa.select(e.c.debit, e.c.amount_minor, e.c.reporting_minor).where(*window),
        sa.select(e.c.credit, -e.c.amount_minor, -e.c.reporting_minor).where(*window)).subquery()
    return (sa.select(parts.c.account.label("account"), sa.func.sum(parts.c.units).label("balance_minor"),
                      sa.func.sum(parts.c.reporting).label("reporting_minor"))
            .group_by(parts.c.account).subquery("balances_on"))


def account_balances(connection: sa.Connection, *, coalition: str | None = None, donor: str | None = None,
                     on: date | None = None) -> list[tuple[AccountKey, Balance]]:
    """Every account (of the coalition, of the donor) with its maintained balance, in order of creation; or, as of
    the day ``on``, every account with an entry valued up to that day, with its balance then."""
    a = t.ledger_accounts
    if on is None:
        query = sa.select(a, a.c.balance_minor.label("units"), a.c.reporting_minor.label("reporting"))
    else:
        then = balances_on(on)
        query = sa.select(a, then.c.balance_minor.label("units"), then.c.reporting_minor.label("reporting")).join(
            then, then.c.account == a.c.id)
    if coalition is not None:
        query = query.where(a.c.coalition == coalition)
    if donor is not None:
        query = query.where(a.c.donor == donor)
    return [(AccountKey(AccountType(r.type), r.coalition, r.fund, r.donor, r.currency, r.earmark, r.requirement),
             (int(r.units), int(r.reporting))) for r in connection.execute(query.order_by(a.c.id))]


@rebuilds_stored_values
class SqlLedgerRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection
        self._postgres = connection.dialect.name == "postgresql"
        self._ids: dict[AccountKey, int] = {}
        self._keys: dict[int, AccountKey] = {}
        self._next: dict[str, int] = {}  # table -> its next id, once read under the lock

    # --- ids and accounts -------------------------------------------------------------------------

    def lock(self) -> None:
        """Serialise writers of money until commit: on PostgreSQL by locking the row of the next ids, which it reads
        (SQLite writers are already serialised by BEGIN IMMEDIATE)."""
        if not self._next:
            contribution, entry = self._c.execute(_NEXT_IDS.with_for_update() if self._postgres else _NEXT_IDS).one()
            self._next = {t.contributions.name: int(contribution), t.ledger_entries.name: int(entry)}

    def _next_id(self, table: sa.Table, count: int = 1) -> int:
        """The first of ``count`` new ids of contributions or entries.

        Ids follow commit order: they are read once per transaction, under the lock that serialises writers of
        money, and counted on from there; every statement that stores rows with them also saves the next ones
        (``_next_ids``), so every insert of either table comes here.
        """
        self.lock()
        first = self._next[table.name]
        self._next[table.name] = first + count
        return first

    def _next_ids(self) -> dict[str, int]:
        """The parameters of ``_SAVE_NEXT_IDS``."""
        return {"next_contribution": self._next[t.contributions.name], "next_entry": self._next[t.ledger_entries.name]}

    def _remember(self, key: AccountKey, account_id: int) -> None:
        self._ids[key] = account_id
        self._keys[account_id] = key

    def _account_ids(self, keys: Collection[AccountKey]) -> dict[AccountKey, int]:
        """Ids of the accounts, creating those that do not exist yet."""
        missing = [k for k in keys if k not in self._ids]
        if missing:  # mostly they exist: look them up, create the rest (unless a concurrent writer just did)
            self._look_up_accounts(missing)
            # Created in one order (by key) whoever creates them: two PostgreSQL writers creating the same new
            # accounts then wait for each other in turn, never each for the other.
            created = [_account_row(k) for k in sorted((k for k in missing if k not in self._ids), key=_key_values)]
            if created:
                statement = insert_or_ignore(self._c, t.ledger_accounts, _ACCOUNT_KEY)
                for start in range(0, len(created), 2000):
                    self._c.execute(statement, created[start:start + 2000])
                self._look_up_accounts([k for k in missing if k not in self._ids])
        return {k: self._ids[k] for k in keys}

    def open_accounts(self, keys: Collection[AccountKey]) -> None:
        self._account_ids(keys)

    def _look_up_accounts(self, keys: Sequence[AccountKey]) -> None:
        """Remember the ids of those of ``keys`` that exist (one query for one or two keys, or per 500 keys)."""
        wanted = list(map(_key_values, keys))
        found: Iterable[Any]
        if len(wanted) <= 2:
            pair = (wanted * 2)[:2]
            found = self._c.execute(_ACCOUNT_PAIR, {f"{c}_{i}": value for i, key in enumerate(pair)
                                                    for c, value in zip(_ACCOUNT_KEY, key, strict=True)})
        else:
            found = (row for start in range(0, len(wanted), 500)
                     for row in self._c.execute(_ACCOUNTS_BY_KEY, {"keys": wanted[start:start + 500]}))
        for row in found:
            self._remember(_key_of(row._mapping), row.id)

    def _keys_for(self, ids: Collection[int]) -> dict[int, AccountKey]:
        missing = sorted(set(ids) - set(self._keys))
        a = t.ledger_accounts
        for start in range(0, len(missing), 1000):
            for row in self._c.execute(sa.select(a).where(a.c.id.in_(missing[start:start + 1000]))):
                self._remember(AccountKey(AccountType(row.type), row.coalition, row.fund, row.donor, row.currency,
                                          row.earmark, row.requirement), row.id)
        return {i: self._keys[i] for i in ids}

    def _apply(self, deltas: dict[int, list[int]]) -> None:
        """Add many accounts' changes to their balances (the bulk import)."""
        rows = [{"account": account, "units": units, "reporting": reporting}
                for account, (units, reporting) in sorted(deltas.items())]
        if rows:
            self._c.execute(_ADD_TO_BALANCE, rows)

    def _add_to_months(self, deltas: dict[tuple[int, int], list[int]]) -> None:
        """Add changes to accounts' months (``ledger_months``), creating the months not yet there."""
        if deltas:
            statement = insert_or_add(self._c, t.ledger_months, _MONTH_KEY, *_MONTH_SUMS)
            self._c.execute(statement, [{"account": account, "month": month, "balance_minor": units,
                                         "reporting_minor": reporting}
                                        for (account, month), (units, reporting) in sorted(deltas.items())])

    def _count(self, added: dict[tuple[str, str], int]) -> None:
        """Add to the maintained number of contributions per coalition and kind."""
        if added:
            statement = insert_or_add(self._c, t.contribution_counts, ("coalition", "kind"), "count")
            self._c.execute(statement, [{"coalition": c, "kind": k, "count": n} for (c, k), n in sorted(added.items())])

    def _note_sources(self, sources: Collection[tuple[str, str, str]]) -> None:
        """Note where conversions came from (under the ledger lock, so no other writer notes them meanwhile)."""
        if sources:
            statement = insert_or_ignore(self._c, t.conversion_sources, ("coalition", "currency", "source"))
            self._c.execute(statement, [{"coalition": c, "currency": cur, "source": s}
                                        for c, cur, s in sorted(sources)])

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
            row.illustrative, row.id, datetime.fromisoformat(row.recorded_at))

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

    def add_contribution(self, contribution: Contribution, entry: Entry, recorded_at: datetime
                         ) -> tuple[Contribution, Entry]:
        assert contribution.reporting is not None, "contributions are stored with their reporting value"
        r = contribution.reporting
        # Before the id, and so before the lock on PostgreSQL: finding the accounts of the contribution's entry needs
        # no serialising (they are mostly there already), and the shorter writers of money hold the lock, the more
        # of them pass. The bulk import takes the same steps in the same order.
        ids = self._account_ids([entry.debit, entry.credit])
        new_id, entry_id = self._next_id(t.contributions), self._next_id(t.ledger_entries)
        stored = dataclasses.replace(contribution, id=new_id, recorded_at=recorded_at)  # reads back exactly as given
        entry = dataclasses.replace(entry, id=entry_id, contribution=new_id)
        source = {"coalition": contribution.coalition, "currency": contribution.amount.currency, "source": r.source}
        row = dict(
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
            illustrative=contribution.illustrative, recorded_at=recorded_at.isoformat())
        counted = {"coalition": contribution.coalition, "kind": contribution.kind.value, "count": 1}
        if self._postgres:  # one round trip, inside the lock: the rows, the count, the entry and both balances
            self._c.execute(_BOOK_CONTRIBUTION, {**_prefixed("s_", source), **_prefixed("c_", row),
                                                 **_prefixed("n_", counted), **self._entry_values(entry, ids,
                                                                                                  recorded_at),
                                                 **self._next_ids()})
        else:
            self._note_sources([(source["coalition"], source["currency"], source["source"])])
            insert_row(self._c, t.contributions, row)
            self._count({(contribution.coalition, contribution.kind.value): 1})
            self._book(entry, ids, recorded_at)
        return stored, entry

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
                  kind: ContributionKind | None, scope: RecordScope | None = None,
                  filter: ContributionFilter = EVERY_CONTRIBUTION) -> sa.Select[Any]:
        c = t.contributions
        if scope is not None and not scope.everything:
            query = query.where(self._visible(scope))
        if coalition is not None:
            query = query.where(c.c.coalition == coalition)
        if donor is not None:
            query = query.where(c.c.donor == donor)
        if kind is not None:
            query = query.where(c.c.kind == kind.value)
        if filter.currency is not None:
            query = query.where(c.c.currency == filter.currency)
        if filter.earmark is EarmarkKind.NONE:
            query = query.where(c.c.earmark == EarmarkKind.NONE.value)
        elif filter.earmark is not None:
            query = query.where(c.c.earmark.like(f"{filter.earmark.value}:%"))
        if filter.value_from is not None:
            query = query.where(c.c.value_date >= filter.value_from)
        if filter.value_to is not None:
            query = query.where(c.c.value_date <= filter.value_to)
        return query

    def contributions(self, *, coalition: str | None = None, donor: str | None = None,
                      kind: ContributionKind | None = None, offset: int = 0, limit: int | None = None,
                      scope: RecordScope | None = None, after: int | None = None,
                      filter: ContributionFilter = EVERY_CONTRIBUTION) -> list[Contribution]:
        c = t.contributions
        column = {ContributionOrder.RECORDED: None, ContributionOrder.VALUE_DATE: c.c.value_date,
                  ContributionOrder.AMOUNT: c.c.reporting_minor, ContributionOrder.DONOR: c.c.donor}[filter.order]
        keys = [c.c.id] if column is None else [column, c.c.id]
        query = self._filtered(self._select_contributions(), coalition, donor, kind, scope, filter).order_by(
            *(key.desc() if filter.descending else key for key in keys))
        if after is not None:
            query = query.where(c.c.id > after)
        query = query.offset(offset).limit(limit)
        return [self._contribution(row) for row in self._c.execute(query)]

    def count_contributions(self, *, coalition: str | None = None, donor: str | None = None,
                            kind: ContributionKind | None = None, scope: RecordScope | None = None,
                            filter: ContributionFilter = EVERY_CONTRIBUTION) -> int:
        if coalition is not None and donor is None and (scope is None or scope.everything) and not filter.narrows:
            n = t.contribution_counts
            maintained = sa.select(sa.func.coalesce(sa.func.sum(n.c.count), 0)).where(n.c.coalition == coalition)
            if kind is not None:
                maintained = maintained.where(n.c.kind == kind.value)
            return int(self._c.execute(maintained).scalar_one())
        query = self._filtered(sa.select(sa.func.count()).select_from(t.contributions), coalition, donor, kind,
                               scope, filter)
        return int(self._c.execute(query).scalar_one())

    def children_of(self, parents: Collection[int]) -> list[Contribution]:
        found: list[Contribution] = []
        ordered = sorted(parents)
        for start in range(0, len(ordered), 1000):
            query = self._select_contributions().where(t.contributions.c.parent.in_(ordered[start:start + 1000]))
            found.extend(self._contribution(row) for row in self._c.execute(query.order_by(t.contributions.c.id)))
        return found

    def existing_refs(self, coalitions: Collection[str]) -> dict[tuple[str, str], Stored]:
        c = t.contributions
        query = sa.select(c.c.coalition, c.c.external_ref, c.c.id, c.c.kind, c.c.donor, c.c.fund, c.c.amount_minor,
                          c.c.currency, c.c.value_date).where(c.c.coalition.in_(sorted(coalitions)),
                                                              c.c.external_ref.is_not(None))
        return {(r.coalition, r.external_ref): Stored(r.id, r.kind, r.coalition, r.donor, r.fund, r.amount_minor,
                                                      r.currency, r.value_date)
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

    def reserved(self, coalition: str) -> dict[str, int]:
        return self._per_requirement(coalition, (AccountType.RESERVED,))

    def contracted(self, coalition: str) -> dict[str, int]:
        return self._per_requirement(coalition, (AccountType.CONTRACTED, AccountType.DISBURSED))

    def _per_requirement(self, coalition: str, types: tuple[AccountType, ...]) -> dict[str, int]:
        a = t.ledger_accounts
        query = (sa.select(a.c.requirement, sa.func.sum(a.c.reporting_minor))
                 .where(a.c.coalition == coalition, a.c.type.in_([k.value for k in types]),
                        a.c.requirement != "")
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
        entry = dataclasses.replace(entry, id=self._next_id(t.ledger_entries))
        self._book(entry, ids, recorded_at)
        return entry

    @staticmethod
    def _entry_values(entry: Entry, ids: dict[AccountKey, int], recorded_at: datetime) -> dict[str, Any]:
        """The parameters of ``_BOOK_ENTRY``: the entry's row (``e_`` names) and its two accounts' changes."""
        units, reporting = entry.amount.to_minor_units(), entry.reporting_amount.to_minor_units()
        return {**_prefixed("e_", dict(
            id=entry.id, kind=entry.kind.value, value_date=entry.value_date, debit=ids[entry.debit],
            credit=ids[entry.credit], amount_minor=units, currency=entry.amount.currency, reporting_minor=reporting,
            contribution=entry.contribution, reverses=entry.reverses, reason=entry.reason,
            recorded_at=recorded_at.isoformat())), "units": units, "reporting": reporting,
                "month": month_number(entry.value_date)}

    def _book(self, entry: Entry, ids: dict[AccountKey, int], recorded_at: datetime) -> None:
        """Store the entry and move both its accounts' balances (one statement on PostgreSQL)."""
        values = self._entry_values(entry, ids, recorded_at) | self._next_ids()
        if self._postgres:
            self._c.execute(_BOOK_ENTRY, values)
        else:
            self._c.execute(_INSERT_ENTRY, values)
            self._c.execute(_MOVE_BALANCES, values)
            self._add_to_months({(ids[entry.debit], values["month"]): [values["units"], values["reporting"]],
                                 (ids[entry.credit], values["month"]): [-values["units"], -values["reporting"]]})
            self._c.execute(_SAVE_NEXT_IDS, values)

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
        return account_balances(self._c, coalition=coalition, donor=donor)

    # --- bulk -----------------------------------------------------------------------------------------

    def bulk_record(self, valid: ValidRows, recorded_at: datetime,
                    progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        """Store the rows through two staging tables, then derive contributions, entries and balances in SQL.

        What repeats from row to row (kind, coalition, fund, donor, currency, earmark, confidentiality, rate
        publisher, and so the two accounts) is stored once per distinct combination, a profile; each row
        carries only its own values and its profile's number. The database then writes the contributions and
        their entries with one INSERT ... SELECT each and sums the balance changes per profile.
        """
        rows = valid.rows
        keys = list(map(_PROFILE_OF, rows))
        code_of = {key: code for code, key in enumerate(dict.fromkeys(keys))}
        # Accounts, then ids, then conversion sources, as for a single contribution. On PostgreSQL writers create
        # accounts before they take the ledger lock, every one in the same order, and sources only under it, so
        # none waits, holding a row or the lock, for a row or the lock another holds while waiting for it.
        accounts = self._profile_accounts(code_of)
        first = self._next_id(t.contributions, len(rows))
        first_entry = self._next_id(t.ledger_entries, len(rows))
        self._note_sources({(key[1], key[4], key[9]) for key in code_of})
        if not rows:
            return first, first - 1
        self._c.execute(_SAVE_NEXT_IDS, self._next_ids())
        cache_size = None
        if not self._postgres:  # room for the indexes a large load extends (SQLite's default is 2 MiB)
            cache_size = self._c.exec_driver_sql("PRAGMA cache_size").scalar_one()
            self._c.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        self._stage(rows, keys, code_of, accounts, first, progress)
        stamp = recorded_at.isoformat()
        self._c.execute(_CONTRIBUTIONS_FROM_STAGE, {"first": first, "stamp": stamp})
        self._c.execute(_ENTRIES_FROM_STAGE, {"first": first, "first_entry": first_entry, "stamp": stamp})
        if progress is not None:
            progress(len(rows))
        self._apply_staged_sums(code_of, accounts)
        for table in (_STAGED_ROWS, _STAGED_PROFILES):
            table.drop(self._c)
        if cache_size is not None:
            self._c.exec_driver_sql(f"PRAGMA cache_size = {int(cache_size)}")
        if self._postgres and len(rows) >= ANALYZE_AFTER:
            # The planner's statistics would otherwise describe the tables as they were before the load.
            for table in (t.contributions, t.ledger_entries):
                self._c.exec_driver_sql(f"ANALYZE {table.name}")
        return first, first + len(rows) - 1

    def _stage(self, rows: Sequence[ImportRow], keys: list[tuple[Any, ...]], code_of: dict[tuple[Any, ...], int],
               accounts: dict[int, tuple[int, int]], first: int, progress: Callable[[int], None] | None) -> None:
        """Write the profiles and the rows, each with its own values and its profile's number, to the staging
        tables (created anew)."""
        profiles = [dict(zip(_PROFILE_FIELDS, key, strict=True), profile=code, debit=accounts[code][0],
                         credit=accounts[code][1], restricted_to=_parties_text(key[7]))
                    for key, code in code_of.items()]
        parents = [None if p is None else first + p[1] if p[0] == "file" else p[1]
                   for p in map(itemgetter(_FIELD["parent"]), rows)]
        days: list[Any] = list(map(itemgetter(_FIELD["value_date"]), rows))
        rate_days: list[Any] = list(map(itemgetter(_FIELD["rate_date"]), rows))
        if not self._postgres:  # the driver's executemany takes dates as the text SQLAlchemy stores
            days, rate_days = list(map(date.isoformat, days)), list(map(date.isoformat, rate_days))

        def column(name: str) -> Iterable[Any]:
            return map(itemgetter(_FIELD[name]), rows)

        staged = list(zip(range(len(rows)), map(code_of.__getitem__, keys), column("amount_minor"), days,
                          column("external_ref"), parents, column("description"), column("reporting_minor"),
                          column("rate"), rate_days, strict=True))
        for table in (_STAGED_PROFILES, _STAGED_ROWS):
            table.drop(self._c, checkfirst=True)
            table.create(self._c)
        self._c.execute(_STAGED_PROFILES.insert(), profiles)
        for start in range(0, len(staged), CHUNK):
            self._write(_STAGED_ROWS, _STAGED_ROWS.c.keys(), staged[start:start + CHUNK])
            if progress is not None:
                progress(min(start + CHUNK, len(staged)) // 2)

    def _apply_staged_sums(self, code_of: dict[tuple[Any, ...], int], accounts: dict[int, tuple[int, int]]) -> None:
        """Move the balances, their months and the counts of contributions by the staged rows' sums per profile
        and month."""
        deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        months: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
        counted: dict[tuple[str, str], int] = defaultdict(int)
        by_code = {code: key for key, code in code_of.items()}
        for code, month, count, units, reporting in self._c.execute(_STAGED_SUMS):
            for account, sign in zip(accounts[code], (1, -1), strict=True):
                for kept in (deltas[account], months[(account, int(month))]):
                    kept[0] += sign * int(units)
                    kept[1] += sign * int(reporting)
            counted[(by_code[code][1], by_code[code][0])] += int(count)
        self._apply(deltas)
        self._add_to_months(months)
        self._count(counted)

    def _profile_accounts(self, code_of: dict[tuple[Any, ...], int]) -> dict[int, tuple[int, int]]:
        """The (debit, credit) accounts of each profile, created where missing."""
        wanted = {code: tuple(AccountKey(AccountType(name), key[1], key[2], key[3], key[4], key[5])
                              for name in _ACCOUNTS_BY_KIND[key[0]]) for key, code in code_of.items()}
        ids = self._account_ids({k for pair in wanted.values() for k in pair})
        return {code: (ids[debit], ids[credit]) for code, (debit, credit) in wanted.items()}

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


BULK_CACHE_KIB = 262_144  # SQLite page cache during a bulk import, in KiB
ANALYZE_AFTER = 10_000  # rows of one import after which PostgreSQL's planner statistics are refreshed



@rebuilds_stored_values
class SqlLedgerChecks:
    """The ledger's own checks: balances recomputed from the entries, and every entry or holding that breaks a
    rule (``coalition ledger check``)."""

    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def maintained_balances(self) -> dict[str, Balance]:
        return {key.name: balance for key, balance in account_balances(self._c)}

    def recomputed_balances(self) -> dict[str, Balance]:
        a, moved = t.ledger_accounts, moves()
        query = sa.select(moved.c.account, sa.func.sum(moved.c.units), sa.func.sum(moved.c.reporting)) \
            .group_by(moved.c.account)
        sums = {int(r[0]): (int(r[1]), int(r[2])) for r in self._c.execute(query)}
        keys = {r.id: AccountKey(AccountType(r.type), r.coalition, r.fund, r.donor, r.currency, r.earmark,
                                 r.requirement) for r in self._c.execute(sa.select(a))}
        return {keys[account].name if account in keys else f"unknown account {account}": balance
                for account, balance in sums.items()}

    def wrong_side_holdings(self) -> list[Holding]:
        e, a = t.ledger_entries, t.ledger_accounts
        moves = sa.union_all(
            sa.select(e.c.debit.label("account"), e.c.contribution, e.c.amount_minor.label("units"),
                      e.c.reporting_minor.label("reporting")),
            sa.select(e.c.credit, e.c.contribution, -e.c.amount_minor, -e.c.reporting_minor)).subquery()
        sums = (sa.select(moves.c.account, moves.c.contribution, sa.func.sum(moves.c.units).label("units"),
                          sa.func.sum(moves.c.reporting).label("reporting"))
                .group_by(moves.c.account, moves.c.contribution).subquery())
        debit_normal = [type.value for type in DEBIT_NORMAL]
        query = (sa.select(sums.c.contribution, sums.c.units, sums.c.reporting, a)
                 .join(a, a.c.id == sums.c.account)
                 .where(sa.or_(sa.and_(a.c.type.in_(debit_normal), sa.or_(sums.c.units < 0, sums.c.reporting < 0)),
                               sa.and_(a.c.type.not_in(debit_normal),
                                       sa.or_(sums.c.units > 0, sums.c.reporting > 0))))
                 .order_by(sums.c.contribution, a.c.id))
        return [Holding(_key_of(row._mapping), row.contribution, (int(row.units), int(row.reporting)))
                for row in self._c.execute(query)]

    def target_money(self) -> list[RequirementMoney]:
        e, a = t.ledger_entries, t.ledger_accounts
        debit, credit = a.alias("debit_account"), a.alias("credit_account")
        reserved, available = AccountType.RESERVED.value, AccountType.FUND_AVAILABLE.value
        into = debit.c.type == reserved
        target = sa.case((into, debit.c.requirement), else_=credit.c.requirement)
        coalition = debit.c.coalition
        flows = (sa.select(coalition.label("coalition"), target.label("target"),
                           sa.func.sum(sa.case((into, e.c.reporting_minor), else_=-e.c.reporting_minor)))
                 .join(debit, debit.c.id == e.c.debit).join(credit, credit.c.id == e.c.credit)
                 .where(sa.or_(sa.and_(into, credit.c.type == available),
                               sa.and_(debit.c.type == available, credit.c.type == reserved)))
                 .group_by(coalition, target))
        reserved_in = {(r[0], r[1]): int(r[2]) for r in self._c.execute(flows)}
        spent = (sa.select(a.c.coalition, a.c.requirement, sa.func.sum(a.c.reporting_minor))
                 .where(a.c.type.in_([AccountType.CONTRACTED.value, AccountType.DISBURSED.value]),
                        a.c.requirement != "")
                 .group_by(a.c.coalition, a.c.requirement))
        contracted = {(r[0], r[1]): int(r[2]) for r in self._c.execute(spent)}
        return [RequirementMoney(coalition, code, reserved_in.get((coalition, code), 0),
                                 contracted.get((coalition, code), 0))
                for coalition, code in sorted(set(reserved_in) | set(contracted))]

    def count_problems(self) -> list[str]:
        """Where what is kept beside the records differs from them: the number of contributions per coalition and
        kind, and the next ids (each must be above every stored one)."""
        c, n = t.contributions, t.contribution_counts
        actual = {(r[0], r[1]): int(r[2]) for r in self._c.execute(
            sa.select(c.c.coalition, c.c.kind, sa.func.count()).group_by(c.c.coalition, c.c.kind))}
        kept = {(r[0], r[1]): int(r[2]) for r in self._c.execute(sa.select(n.c.coalition, n.c.kind, n.c.count))}
        problems = [f"{coalition} holds {actual.get((coalition, kind), 0)} {kind} record(s) but counts "
                    f"{kept.get((coalition, kind), 0)}"
                    for coalition, kind in sorted(set(actual) | set(kept))
                    if actual.get((coalition, kind), 0) != kept.get((coalition, kind), 0)]
        next_ids = self._c.execute(_NEXT_IDS).one()
        for (name, table), following in zip((("contribution", c), ("entry", t.ledger_entries)), next_ids, strict=True):
            highest = int(self._c.execute(highest_id(table)).scalar_one())
            if following <= highest:
                problems.append(f"the next {name} id is {following}, but {name} {highest} is stored")
        return problems + self._month_problems()

    def _month_problems(self) -> list[str]:
        """Where an account's kept change in a month (``ledger_months``) differs from its entries valued then."""
        m, moved = t.ledger_months, moves()
        query = (sa.select(moved.c.account, moved.c.month, sa.func.sum(moved.c.units), sa.func.sum(moved.c.reporting))
                 .group_by(moved.c.account, moved.c.month))
        actual = {(int(r[0]), int(r[1])): (int(r[2]), int(r[3])) for r in self._c.execute(query)}
        kept = {(int(r[0]), int(r[1])): (int(r[2]), int(r[3])) for r in self._c.execute(
            sa.select(m.c.account, m.c.month, m.c.balance_minor, m.c.reporting_minor))}
        return [f"account {account} keeps {kept.get((account, month), (0, 0))} for {month // 100}-{month % 100:02d} "
                f"but its entries of that month move {actual.get((account, month), (0, 0))}"
                for account, month in sorted(set(actual) | set(kept))
                if actual.get((account, month), (0, 0)) != kept.get((account, month), (0, 0))]

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


def _parties_text(parties: tuple[str, ...]) -> str:
    """How the parties of a restricted record are stored: a JSON list, or '' for none."""
    return json.dumps(list(parties)) if parties else ""


def _reporting_currency(row: Any) -> str:
    return str(row.reporting_currency)
