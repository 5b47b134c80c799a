"""The check every action taken by a steering-group decision shares: the decision named is the coalition's,
of the right kind, about this very thing, and not rejected."""

from __future__ import annotations

from collections.abc import Mapping

from coalition.domain.errors import InvalidInput, InvariantViolated
from coalition.domain.steering import Outcome, ProposalKind
from coalition.services.ports import UnitOfWork


def check_decision(uow: UnitOfWork, coalition: str, decision: int, kind: ProposalKind,
                   about: Mapping[str, object], what: str) -> None:
    """Refuse ``decision`` unless it is a proposal of ``kind`` in ``coalition`` whose payload says ``about``,
    and it was not rejected (an open one is the proposal being closed now, taking effect)."""
    proposal = uow.steering.get_proposal(decision)
    if proposal is None or proposal.coalition != coalition or proposal.kind is not kind:
        raise InvalidInput(f"decision {decision} is not a proposal of kind {kind.value} in {coalition}",
                           field="decision")
    if any(proposal.payload.get(key) != value for key, value in about.items()):
        raise InvalidInput(f"decision {decision} is about {dict(proposal.payload)}, not this {what}", field="decision")
    if proposal.outcome is not None and proposal.outcome is not Outcome.APPROVED:
        raise InvariantViolated(f"decision {decision} was {proposal.outcome.value}", field="decision")
