"""The rules of time a record must keep, checked over a whole database: ``coalition check history``.

Every act is refused when it is recorded out of order (see ``coalition.domain.common.dated_act`` and the services);
this check finds what entered before a rule existed, or by another way than the services. Each rule is named, with
the sentence it holds; each violation names its record and the dates that break the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from coalition.domain.ledger import AccountKey, on_wrong_side


class HistoryRule(StrEnum):
    MONEY_BEFORE_IT_CAME = "money-before-it-came"
    PAYMENT_BEFORE_CONTRACT = "payment-before-contract"
    CONTRACT_BEFORE_CASE = "contract-before-case"
    SHIPMENT_OUT_OF_ORDER = "shipment-out-of-order"
    RECEIPT_BEFORE_ARRIVAL = "receipt-before-arrival"
    LIST_APPROVED_BEFORE_SUBMITTED = "list-approved-before-submitted"
    PLAN_BEFORE_LIST = "plan-before-list"
    PLAN_DECIDED_BEFORE_RUN = "plan-decided-before-run"
    MEMBER_WITHOUT_SIGNATURE = "member-without-signature"
    MEMBER_OUTSIDE_TERM = "member-outside-term"


RULES: dict[HistoryRule, str] = {
    HistoryRule.MONEY_BEFORE_IT_CAME: "no money moves on before it came in: every account, as of every day, holds "
                                      "its balance on its own side (a contract draws only on money reserved by its "
                                      "date, a reservation only on money received by then)",
    HistoryRule.PAYMENT_BEFORE_CONTRACT: "a payment is made on or after the day its contract was signed",
    HistoryRule.CONTRACT_BEFORE_CASE: "a contract is signed on or after the day its procurement case opened",
    HistoryRule.SHIPMENT_OUT_OF_ORDER: "a shipment's events follow each other in time",
    HistoryRule.RECEIPT_BEFORE_ARRIVAL: "a unit signs for equipment on or after the day its shipment arrived",
    HistoryRule.LIST_APPROVED_BEFORE_SUBMITTED: "a priority list is approved on or after the day it was submitted",
    HistoryRule.PLAN_BEFORE_LIST: "an allocation plan runs on or after the day the priority list it follows was "
                                  "approved",
    HistoryRule.PLAN_DECIDED_BEFORE_RUN: "an allocation plan is decided on or after the day it ran",
    HistoryRule.MEMBER_WITHOUT_SIGNATURE: "a membership citing an instrument starts on or after the member "
                                          "signed it",
    HistoryRule.MEMBER_OUTSIDE_TERM: "a membership citing an instrument starts within the instrument's term",
}


@dataclass(frozen=True, slots=True)
class Anachronism:
    """A record that breaks a rule of time: the rule, the record, and what its dates say."""

    rule: HistoryRule
    subject: str
    detail: str

    def describe(self) -> str:
        """One line: the record, what its dates say, and the rule."""
        return f"{self.subject}: {self.detail} ({self.rule.value}: {RULES[self.rule]})"


def money_before_it_came(days: Iterable[tuple[AccountKey, date, int, int]]) -> Iterator[Anachronism]:
    """From each account's net moves per value day, in order of account and day: the first day each account
    stood on its wrong side, which only money moved on before it came in can do (the entries of every
    single day together always leave the balance on its side, as the database checks)."""
    current: AccountKey | None = None
    held, flagged = (0, 0), False
    for key, day, units, reporting in days:
        if key != current:
            current, held, flagged = key, (0, 0), False
        held = (held[0] + units, held[1] + reporting)
        if not flagged and on_wrong_side(key.type, held):
            flagged = True
            yield Anachronism(HistoryRule.MONEY_BEFORE_IT_CAME, key.name,
                              f"would hold {held[0]} minor units at the end of {day}: money moved on before the "
                              "entries that brought it, valued later")
