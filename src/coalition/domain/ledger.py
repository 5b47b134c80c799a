"""The funding ledger: double-entry, append-only, multi-currency.

An entry moves one amount, in one currency, from a credited account to a debited account, so
every entry balances per currency by construction; an event that touches more accounts is a
group of entries. Entries are never changed: a correction is a reversal (the same amount with
debit and credit swapped, with a reason) and, where needed, a new entry.

Balances are kept per account in minor units, debit positive; the figures users read
(pledged, committed, received, reserved, contracted, disbursed, available) are measures over
account types. Each entry also carries its value in the coalition's reporting currency at the
rate of its value date, so reports in that currency are sums, not re-conversions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from coalition.domain.contributions import Contribution, ContributionKind
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated
from coalition.domain.limits import REASON, check_text
from coalition.domain.money import Money


class AccountType(StrEnum):
    PLEDGE_RECEIVABLE = "pledge-receivable"
    PLEDGED = "pledged"
    COMMITMENT_RECEIVABLE = "commitment-receivable"
    COMMITTED = "committed"
    FUND_AVAILABLE = "fund-available"
    RECEIVED = "received"
    IN_KIND_ASSETS = "in-kind-assets"
    IN_KIND_RECEIVED = "in-kind-received"
    RESERVED = "reserved"
    CONTRACTED = "contracted"
    DISBURSED = "disbursed"


class Measure(StrEnum):
    """The figures of the funding report, in the order money moves."""

    PLEDGED = "pledged"
    COMMITTED = "committed"
    RECEIVED = "received"
    IN_KIND = "in-kind"
    AVAILABLE = "available"
    RESERVED = "reserved"
    CONTRACTED = "contracted"
    DISBURSED = "disbursed"


# measure = sign x balance of the account type (balances are debit positive).
MEASURES: dict[Measure, tuple[AccountType, int]] = {
    Measure.PLEDGED: (AccountType.PLEDGED, -1),
    Measure.COMMITTED: (AccountType.COMMITTED, -1),
    Measure.RECEIVED: (AccountType.RECEIVED, -1),
    Measure.IN_KIND: (AccountType.IN_KIND_RECEIVED, -1),
    Measure.AVAILABLE: (AccountType.FUND_AVAILABLE, 1),
    Measure.RESERVED: (AccountType.RESERVED, 1),
    Measure.CONTRACTED: (AccountType.CONTRACTED, 1),
    Measure.DISBURSED: (AccountType.DISBURSED, 1),
}
MEASURE_OF_TYPE: dict[AccountType, tuple[Measure, int]] = {t: (m, s) for m, (t, s) in MEASURES.items()}


class EntryKind(StrEnum):
    PLEDGE = "pledge"
    COMMITMENT = "commitment"
    RECEIPT = "receipt"
    IN_KIND = "in-kind"
    RESERVATION = "reservation"
    RELEASE = "release"
    CONTRACT = "contract"
    DISBURSEMENT = "disbursement"
    REVERSAL = "reversal"


# (debit, credit) account types of the entry that records each kind of contribution.
CONTRIBUTION_ACCOUNTS: dict[ContributionKind, tuple[AccountType, AccountType]] = {
    ContributionKind.PLEDGE: (AccountType.PLEDGE_RECEIVABLE, AccountType.PLEDGED),
    ContributionKind.COMMITMENT: (AccountType.COMMITMENT_RECEIVABLE, AccountType.COMMITTED),
    ContributionKind.RECEIPT: (AccountType.FUND_AVAILABLE, AccountType.RECEIVED),
    ContributionKind.IN_KIND: (AccountType.IN_KIND_ASSETS, AccountType.IN_KIND_RECEIVED),
}


@dataclass(frozen=True, slots=True)
class AccountKey:
    """An account: its type and the dimensions balances are reported by ('' where none applies)."""

    type: AccountType
    coalition: str
    fund: str
    donor: str
    currency: str
    earmark: str = "none"
    requirement: str = ""

    @property
    def name(self) -> str:
        """A readable, colon-separated name, e.g. Received:it-coalition:it-coalition-fund:EE:EUR."""
        parts = [self.type.value.title().replace("-", ""), self.coalition, self.fund, self.donor, self.currency]
        if self.earmark != "none":
            parts.append(self.earmark)
        if self.requirement:
            parts.append(self.requirement)
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Entry:
    """One balanced movement: ``amount`` debited to ``debit`` and credited to ``credit``."""

    kind: EntryKind
    value_date: date
    debit: AccountKey
    credit: AccountKey
    amount: Money
    reporting_amount: Money
    contribution: int | None = None
    reverses: int | None = None
    reason: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        check_text(self.reason, "reason", REASON, required=False)
        if self.amount.amount <= 0:
            raise InvariantViolated(f"an entry moves a positive amount, not {self.amount}", field="amount")
        if self.reporting_amount.amount < 0:
            raise InvariantViolated("an entry's reporting amount is not negative", field="reporting_amount")
        if not self.debit.currency == self.credit.currency == self.amount.currency:
            raise InvariantViolated(
                f"an entry in {self.amount.currency} cannot touch accounts in {self.debit.currency} and "
                f"{self.credit.currency}", field="currency")
        if self.debit == self.credit:
            raise InvariantViolated("an entry debits and credits different accounts", field="credit")
        if (self.kind is EntryKind.REVERSAL) != (self.reverses is not None):
            raise InvariantViolated("a reversal, and only a reversal, names the entry it reverses", field="reverses")
        if self.kind is EntryKind.REVERSAL and not self.reason.strip():
            raise InvalidInput("a reversal needs a reason", field="reason")


def account(kind: AccountType, contribution: Contribution) -> AccountKey:
    return AccountKey(kind, contribution.coalition, contribution.fund, contribution.donor,
                      contribution.amount.currency, contribution.earmark.label)


def contribution_entry(contribution: Contribution, reporting_amount: Money) -> Entry:
    """The entry that records a contribution in the ledger."""
    debit_type, credit_type = CONTRIBUTION_ACCOUNTS[contribution.kind]
    return Entry(EntryKind(contribution.kind.value), contribution.value_date, account(debit_type, contribution),
                 account(credit_type, contribution), contribution.amount, reporting_amount, contribution.id)


# Where each account type's balance normally lies: money held and promises owed on the debit side, what donors
# gave or promised on the credit side. A balance on the other side is money counted twice.
DEBIT_NORMAL = frozenset({AccountType.PLEDGE_RECEIVABLE, AccountType.COMMITMENT_RECEIVABLE, AccountType.FUND_AVAILABLE,
                          AccountType.IN_KIND_ASSETS, AccountType.RESERVED, AccountType.CONTRACTED,
                          AccountType.DISBURSED})
CREDIT_NORMAL = frozenset(AccountType) - DEBIT_NORMAL

# How an entry of each kind is corrected when it cannot be reversed on its own: money that a contract, a payment
# or a grant moved is corrected through them, so their records and the ledger never disagree.
CORRECTED_THROUGH: dict[EntryKind, str] = {
    EntryKind.CONTRACT: "the contract (an amendment)",
    EntryKind.DISBURSEMENT: "the payment (a payment reversal)",
    EntryKind.RELEASE: "a new allocation plan",
}


def check_directly_reversible(entry: Entry) -> None:
    """Refuse a direct reversal of an entry that another record owns: contracts, payments, releases and grants."""
    owner = CORRECTED_THROUGH.get(entry.kind)
    if owner is None and entry.kind is EntryKind.RESERVATION and entry.debit.requirement.startswith("grant:"):
        owner = "the grant (cancelling it releases its money)"
    if owner is not None:
        raise InvariantViolated(f"entry {entry.id} records {entry.reason or entry.kind.value}; it is corrected through "
                                f"{owner}, not by reversing its entries", field="entry")


def held_in(entries: Iterable[Entry], account: AccountKey) -> Balance:
    """What ``entries`` leave on ``account`` (debit positive), in its currency and in the reporting currency."""
    units = reporting = 0
    for entry in entries:
        sign = 1 if entry.debit == account else -1 if entry.credit == account else 0
        units += sign * entry.amount.to_minor_units()
        reporting += sign * entry.reporting_amount.to_minor_units()
    return units, reporting


def moved_on(original: Entry, history: Iterable[Entry]) -> list[Entry]:
    """The later entries that drew the money ``original`` brought to its debit account and still hold it."""
    listed = list(history)
    undone = {entry.reverses for entry in listed if entry.reverses is not None}
    return [entry for entry in listed if entry.credit == original.debit and entry.kind is not EntryKind.REVERSAL
            and entry.id is not None and original.id is not None and entry.id > original.id and entry.id not in undone]


def reversal(original: Entry, *, reason: str, on: date, today: date, already_reversed: bool,
             history: Iterable[Entry], resting_on: Sequence[str] = ()) -> Entry:
    """The entry that undoes ``original``: the same amounts, debit and credit swapped.

    ``history`` holds every entry of the original's contribution: the money the original brought must still be
    where it brought it (nothing drew it on since), or the reversal would leave that account short and count the
    money twice, once where it went and once back where it came from. ``resting_on`` names the records that rest on
    the original's contribution outside the ledger (contributions fulfilling a pledge, a transfer from stock): while
    any stands, the original stays.
    """
    if original.id is None:
        raise InvariantViolated("only a recorded entry can be reversed", field="entry")
    if original.kind is EntryKind.REVERSAL:
        raise InvariantViolated(f"entry {original.id} is itself a reversal; record a new entry instead",
                                field="entry")
    if already_reversed:
        raise Conflict(f"entry {original.id} has already been reversed", field="entry")
    if on < original.value_date:
        raise InvariantViolated(f"a reversal on {on} cannot precede the entry it reverses ({original.value_date})",
                                field="on")
    if on > today:
        raise InvariantViolated(f"a reversal on {on} is in the future: it takes the date it is made, {today} at the "
                                "latest", field="on")
    if resting_on:
        raise InvariantViolated(f"entry {original.id} records contribution {original.contribution}, on which "
                                f"{', '.join(resting_on)} rest; correct those first", field="entry")
    listed = list(history)
    units, reporting = held_in(listed, original.debit)
    if units < original.amount.to_minor_units() or reporting < original.reporting_amount.to_minor_units():
        drawn = moved_on(original, listed)
        named = ", ".join(f"{entry.id} ({entry.reason or entry.kind.value})" for entry in drawn[:10])
        more = f" and {len(drawn) - 10} more" if len(drawn) > 10 else ""
        raise InvariantViolated(
            f"entry {original.id} brought {original.amount} to {original.debit.name}; only "
            f"{Money.from_minor_units(max(units, 0), original.amount.currency)} of it is still there: the rest "
            f"moved on in entries {named}{more}. Correct those first (or release what is still held)", field="entry")
    return Entry(EntryKind.REVERSAL, on, original.credit, original.debit, original.amount, original.reporting_amount,
                 original.contribution, original.id, reason.strip())


Balance = tuple[int, int]  # (minor units in the account's currency, minor units in the reporting currency)


def post(balances: dict[AccountKey, Balance], entry: Entry) -> None:
    """Apply ``entry`` to running balances (debit positive)."""
    units, reporting = entry.amount.to_minor_units(), entry.reporting_amount.to_minor_units()
    debit = balances.get(entry.debit, (0, 0))
    credit = balances.get(entry.credit, (0, 0))
    balances[entry.debit] = (debit[0] + units, debit[1] + reporting)
    balances[entry.credit] = (credit[0] - units, credit[1] - reporting)


def recompute(entries: Iterable[Entry]) -> dict[AccountKey, Balance]:
    balances: dict[AccountKey, Balance] = {}
    for entry in entries:
        post(balances, entry)
    return balances


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A maintained balance that differs from the one recomputed from the entries."""

    account: str
    maintained: Balance
    recomputed: Balance

    def describe(self) -> str:
        return (f"{self.account}: maintained balance {self.maintained[0]} (reporting {self.maintained[1]}) minor units,"
                f" recomputed from entries {self.recomputed[0]} (reporting {self.recomputed[1]})")


def compare_balances(maintained: Mapping[str, Balance], recomputed: Mapping[str, Balance]) -> list[Discrepancy]:
    """Every account whose maintained balance differs from the recomputed one (missing counts as zero)."""
    found = []
    for name in sorted(set(maintained) | set(recomputed)):
        kept, fresh = maintained.get(name, (0, 0)), recomputed.get(name, (0, 0))
        if kept != fresh:
            found.append(Discrepancy(name, kept, fresh))
    return found


def on_wrong_side(type: AccountType, balance: Balance) -> bool:
    """Whether a balance lies on the side its account type never holds (see ``DEBIT_NORMAL``)."""
    sign = 1 if type in DEBIT_NORMAL else -1
    return sign * balance[0] < 0 or sign * balance[1] < 0


@dataclass(frozen=True, slots=True)
class Holding:
    """What the entries of one contribution leave on one account."""

    account: AccountKey
    contribution: int | None
    balance: Balance


@dataclass(frozen=True, slots=True)
class RequirementMoney:
    """Per spending target (a requirement, a grant): the money reserved for it from the fund, net of what went back,
    and the part of it contracted or paid out, in reporting-currency minor units."""

    coalition: str
    target: str
    reserved_in: int
    contracted_or_paid: int


def invariant_breaches(balances: Iterable[tuple[AccountKey, Balance]], holdings: Iterable[Holding],
                       targets: Iterable[RequirementMoney]) -> list[str]:
    """Every place where the money breaks a rule that must hold whatever the entries' sums say: no account's balance
    on its wrong side (no negative reserve, contract, fund or receipt); no contribution holding a balance on the
    wrong side of an account (what was drawn from a receipt never above what it brought); per requirement, what is
    contracted and paid never above what was reserved for it."""
    found = [f"{key.name}: balance {units} (reporting {reporting}) minor units lies on the wrong side for "
             f"{key.type.value} money" for key, (units, reporting) in balances
             if on_wrong_side(key.type, (units, reporting))]
    found += [f"contribution {h.contribution} holds {h.balance[0]} (reporting {h.balance[1]}) minor units on "
              f"{h.account.name}: more was drawn from it than it brought" for h in holdings
              if on_wrong_side(h.account.type, h.balance)]
    found += [f"{t.target} in {t.coalition}: {t.contracted_or_paid} minor units contracted or paid, above the "
              f"{t.reserved_in} reserved for it" for t in targets if t.contracted_or_paid > t.reserved_in]
    return found


def measures(balances: Iterable[tuple[AccountKey, Balance]]) -> dict[Measure, Balance]:
    """Sum balances into the report's measures (positive figures)."""
    totals: dict[Measure, list[int]] = defaultdict(lambda: [0, 0])
    for key, (units, reporting) in balances:
        found = MEASURE_OF_TYPE.get(key.type)
        if found is None:
            continue
        measure, sign = found
        totals[measure][0] += sign * units
        totals[measure][1] += sign * reporting
    return {m: (v[0], v[1]) for m, v in totals.items()}


# The stages money paid in passes through, in order, and the measure that holds what sits at each now: money
# received waits in the fund (available) until a plan reserves it, a contract takes it from the reserve and a
# payment moves it on to disbursed. Grants are paid straight from their reserve; they count as contracted.
FLOW: tuple[Measure, ...] = (Measure.RECEIVED, Measure.RESERVED, Measure.CONTRACTED, Measure.DISBURSED)
HELD_AT: dict[Measure, Measure] = {Measure.RECEIVED: Measure.AVAILABLE, Measure.RESERVED: Measure.RESERVED,
                                   Measure.CONTRACTED: Measure.CONTRACTED, Measure.DISBURSED: Measure.DISBURSED}


def reached(found: Mapping[Measure, Balance]) -> dict[Measure, Balance]:
    """How much money reached each stage of ``FLOW``: what sits there now plus everything that went past it, so
    every stage is at most the one before (reached contracted = contracted + disbursed). ``found`` are the
    current measures (``measures``); pledges, commitments and in-kind gifts are not stages of the flow."""
    total = (0, 0)
    cumulative: dict[Measure, Balance] = {}
    for stage in reversed(FLOW):
        units, reporting = found.get(HELD_AT[stage], (0, 0))
        total = (total[0] + max(units, 0), total[1] + max(reporting, 0))
        cumulative[stage] = total
    return {stage: cumulative[stage] for stage in FLOW}


class PledgeStatus(StrEnum):
    PLEDGED = "pledged"
    COMMITTED = "committed"
    PARTLY_RECEIVED = "partly-received"
    RECEIVED = "received"
    REVERSED = "reversed"


def net_units(entries: Iterable[Entry]) -> dict[int, int]:
    """Per contribution, the amount its own entries still carry (recorded minus reversed), in minor units.

    Entries that merely draw on a contribution (reservations, releases and their reversals) do not count.
    """
    return {contribution: units for contribution, (units, _) in net_amounts(entries).items()}


def net_amounts(entries: Iterable[Entry]) -> dict[int, Balance]:
    """Per contribution, what its own entries still carry (recorded minus reversed), in minor units of its currency
    and of the reporting currency; entries that merely draw on a contribution do not count."""
    own = {EntryKind(kind.value) for kind in ContributionKind}
    listed = list(entries)
    kind_of = {entry.id: entry.kind for entry in listed}
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for entry in listed:
        if entry.contribution is None:
            continue
        sign = 1 if entry.kind in own else -1 if (entry.kind is EntryKind.REVERSAL
                                                   and kind_of.get(entry.reverses) in own) else 0
        totals[entry.contribution][0] += sign * entry.amount.to_minor_units()
        totals[entry.contribution][1] += sign * entry.reporting_amount.to_minor_units()
    return {contribution: (units, reporting) for contribution, (units, reporting) in totals.items()}


def pledge_status(pledged: int, committed: int, received: int) -> PledgeStatus:
    """A pledge's status from the amounts its entries and its fulfilling contributions' entries carry."""
    if pledged <= 0:
        return PledgeStatus.REVERSED
    if received >= pledged:
        return PledgeStatus.RECEIVED
    if received > 0:
        return PledgeStatus.PARTLY_RECEIVED
    if committed > 0:
        return PledgeStatus.COMMITTED
    return PledgeStatus.PLEDGED


class Period(StrEnum):
    """The length of the periods money is shown over time by."""

    MONTH = "month"
    YEAR = "year"


# What is shown over time: promises made and money paid in and out (each net of reversals valued in the period).
OVER_TIME: tuple[Measure, ...] = (Measure.PLEDGED, Measure.COMMITTED, Measure.RECEIVED, Measure.DISBURSED)
PeriodFigures = dict[Measure, int]


def flows_by_period(monthly: Iterable[tuple[int, AccountType, int]], by: Period
                    ) -> list[tuple[str, PeriodFigures, PeriodFigures]]:
    """Per month ("YYYY-MM") or year ("YYYY"), from the first with a movement to the last, none skipped: what was
    pledged, committed, received and disbursed in it and in all up to its end, in reporting-currency minor units.

    ``monthly`` are each month's (YYYYMM) net changes per account type, debit positive (the ledger's months)."""
    flows: dict[str, PeriodFigures] = {}
    for month, type, change in monthly:
        found = MEASURE_OF_TYPE.get(type)
        if found is None or found[0] not in OVER_TIME:
            continue
        measure, sign = found
        key = _period_key(month // 100, month % 100, by)
        flows.setdefault(key, dict.fromkeys(OVER_TIME, 0))[measure] += sign * change
    if not flows:
        return []
    running = dict.fromkeys(OVER_TIME, 0)
    result = []
    for key in _periods(min(flows), max(flows), by):
        period = flows.get(key, dict.fromkeys(OVER_TIME, 0))
        running = {m: running[m] + period[m] for m in OVER_TIME}
        result.append((key, period, running))
    return result


def _period_key(year: int, month: int, by: Period) -> str:
    return f"{year:04d}" if by is Period.YEAR else f"{year:04d}-{month:02d}"


def _periods(first: str, last: str, by: Period) -> Iterable[str]:
    """Every period from ``first`` to ``last``, both included."""
    year = int(first[:4])
    month = int(first[5:7]) if by is Period.MONTH else 1
    while (key := _period_key(year, month, by)) <= last:
        yield key
        if by is Period.YEAR:
            year += 1
        else:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
