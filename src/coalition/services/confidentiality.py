"""Masking the money of contributions a viewer may not see, where it shows up outside the contribution itself.

A contract's funding shares and an allocation plan's lines name the contribution (and so the donor) whose
money they use. For a viewer who may not see that contribution, they keep their amounts (totals stay
whole) and lose the contribution, the donor and the earmark, as the funding report does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import TypeVar

from coalition.domain.access import CUSTODIAN_ROLES, Actor, can_see_record
from coalition.domain.planning import PlanLine
from coalition.domain.procurement import FundingShare
from coalition.services.ports import UnitOfWork

RESTRICTED = "(restricted)"  # in place of the donor and the earmark of money the viewer may not see
HIDDEN_CONTRIBUTION = 0

Line = TypeVar("Line", FundingShare, PlanLine)


def hidden_contributions(uow: UnitOfWork, actor: Actor, coalition: str, ids: Collection[int]) -> set[int]:
    """Which of the coalition's contributions ``ids`` the viewer may not see in full."""
    if actor.roles_for(coalition) & CUSTODIAN_ROLES:
        return set()
    today = uow.clock().date()
    hidden = set()
    for contribution_id in set(ids):
        found = uow.ledger.get_contribution(contribution_id)
        if found is not None and not can_see_record(actor, found.coalition, found.donor, found.confidentiality,
                                                    today):
            hidden.add(contribution_id)
    return hidden


def masked(lines: Sequence[Line], hidden: set[int]) -> list[Line]:
    """The lines, those drawing on a hidden contribution without it (and, for shares, without the donor)."""
    shown: list[Line] = []
    for line in lines:
        if line.contribution not in hidden:
            shown.append(line)
        elif isinstance(line, FundingShare):
            shown.append(dataclasses.replace(line, contribution=HIDDEN_CONTRIBUTION, donor=RESTRICTED,
                                             earmark=RESTRICTED))
        else:
            shown.append(dataclasses.replace(line, contribution=HIDDEN_CONTRIBUTION))
    return shown
