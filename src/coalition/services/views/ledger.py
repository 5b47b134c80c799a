"""The ledger check: every balance recomputed from the entries and compared, every entry that breaks a rule
of the ledger, and every place where the money breaks an invariant, whatever the sums say."""

from __future__ import annotations

from dataclasses import dataclass

from coalition.domain import ledger
from coalition.domain.access import Actor, can
from coalition.domain.ledger import Discrepancy
from coalition.services.audit import require
from coalition.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class LedgerCheck:
    accounts: int
    problems: list[str]
    discrepancies: list[Discrepancy]

    @property
    def ok(self) -> bool:
        """Whether the check found nothing wrong."""
        return not self.problems and not self.discrepancies


def check_ledger(uow: UnitOfWork, actor: Actor) -> LedgerCheck:
    """Recompute every balance from the entries and compare; list entries that break the ledger's rules and every
    place where the money breaks an invariant (``ledger.invariant_breaches``), whatever the sums say."""
    require(can(actor, "check_ledger"))
    with uow:
        checks = uow.ledger_checks
        maintained = checks.maintained_balances()
        recomputed = checks.recomputed_balances()
        problems = checks.entry_problems() + checks.count_problems() + ledger.invariant_breaches(
            uow.funding_reads.balances(), checks.wrong_side_holdings(), checks.target_money())
    return LedgerCheck(len(maintained), problems, ledger.compare_balances(maintained, recomputed))
