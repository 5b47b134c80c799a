"""The history check: every rule of time (``coalition.domain.history``) run over the whole record, for data that
entered before a rule existed or by another way than the services."""

from __future__ import annotations

from dataclasses import dataclass

from coalition.domain.access import Actor, can
from coalition.domain.history import RULES, Anachronism, HistoryRule
from coalition.services.audit import require
from coalition.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class HistoryCheck:
    rules: dict[HistoryRule, str]
    anachronisms: list[Anachronism]

    @property
    def ok(self) -> bool:
        """Whether no record breaks a rule of time."""
        return not self.anachronisms


def check_history(uow: UnitOfWork, actor: Actor) -> HistoryCheck:
    """Every record that breaks a rule of time, rule by rule, read in one transaction."""
    require(can(actor, "check_ledger"))
    with uow:
        return HistoryCheck(dict(RULES), uow.history_checks.anachronisms())
