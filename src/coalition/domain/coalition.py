"""Coalitions, their decision rules and their funds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from coalition.domain.common import check_code
from coalition.domain.errors import InvalidInput
from coalition.domain.limits import NAME, check_text
from coalition.domain.money import check_currency


class MembershipRole(StrEnum):
    """The capacity in which a party belongs to a coalition."""

    LEAD = "lead"
    MEMBER = "member"
    OBSERVER = "observer"
    DOI_SIGNATORY = "doi-signatory"
    RECIPIENT = "recipient"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    MembershipRole.LEAD: "lead nation",
    MembershipRole.MEMBER: "member",
    MembershipRole.OBSERVER: "observer",
    MembershipRole.DOI_SIGNATORY: "declaration-of-intent signatory",
    MembershipRole.RECIPIENT: "recipient",
}


class DecisionMethod(StrEnum):
    CONSENSUS = "consensus"
    SIMPLE_MAJORITY = "simple-majority"
    QUALIFIED_MAJORITY = "qualified-majority"


def _fraction(value: Fraction | str, field_name: str) -> Fraction:
    try:
        result = Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise InvalidInput(f"'{value}' is not a fraction such as 2/3 or 0.5", field=field_name) from None
    if not 0 < result <= 1:
        raise InvalidInput(f"{result} must be more than 0 and at most 1", field=field_name)
    return result


class ExcessPolicy(StrEnum):
    """What a coalition does with money beyond what a pledge or commitment promised."""

    REFUSE = "refuse"  # a receipt or commitment that would exceed its promise is refused
    FLAG = "flag"  # it is recorded, and the excess is flagged on the donor's statement


@dataclass(frozen=True, slots=True)
class DecisionRules:
    """How a coalition decides: the method, the quorum, and which roles vote.

    Quorum is the share of voting members who must take part (present, or for a written
    procedure all voting members). A qualified majority needs at least ``threshold`` of the
    votes cast, optionally weighted by contributions received.
    """

    method: DecisionMethod = DecisionMethod.CONSENSUS
    quorum: Fraction = Fraction(1, 2)
    threshold: Fraction | None = None
    weighted_by_contributions: bool = False
    voting_roles: frozenset[MembershipRole] = frozenset({MembershipRole.LEAD, MembershipRole.MEMBER})
    validating_authority: str | None = None  # an outside authority that approves priority lists, if any
    secretariat_may_approve: bool = False  # whether the secretariat may approve lists and plans without a decision
    steering_decides_procurement: bool = False  # whether procurement routes and awards are steering-group decisions
    excess: ExcessPolicy = ExcessPolicy.REFUSE  # money beyond a pledge's or commitment's promise

    def __post_init__(self) -> None:
        object.__setattr__(self, "quorum", _fraction(self.quorum, "rules.quorum"))
        if self.method is DecisionMethod.QUALIFIED_MAJORITY:
            if self.threshold is None:
                raise InvalidInput("a qualified majority needs a threshold such as 2/3", field="rules.threshold")
            threshold = _fraction(self.threshold, "rules.threshold")
            if threshold <= Fraction(1, 2):
                raise InvalidInput("a qualified majority's threshold must be more than 1/2", field="rules.threshold")
            object.__setattr__(self, "threshold", threshold)
        elif self.threshold is not None:
            raise InvalidInput(f"a threshold applies only to a qualified majority, not {self.method}",
                               field="rules.threshold")
        if self.weighted_by_contributions and self.method is not DecisionMethod.QUALIFIED_MAJORITY:
            raise InvalidInput("only a qualified majority can be weighted by contributions",
                               field="rules.weighted_by_contributions")
        if not self.voting_roles:
            raise InvalidInput("at least one role must vote", field="rules.voting_roles")

    def may_vote(self, role: MembershipRole) -> bool:
        return role in self.voting_roles

    def describe(self) -> str:
        parts = [self.method.value]
        if self.threshold is not None:
            parts.append(f"threshold {self.threshold}")
        if self.weighted_by_contributions:
            parts.append("weighted by contributions")
        parts.append(f"quorum {self.quorum}")
        parts.append("voting: " + ", ".join(sorted(r.value for r in self.voting_roles)))
        if self.validating_authority:
            parts.append(f"priority lists validated by {self.validating_authority}")
        if self.secretariat_may_approve:
            parts.append("the secretariat may approve lists and plans")
        if self.steering_decides_procurement:
            parts.append("the steering group decides procurement routes and awards")
        if self.excess is ExcessPolicy.FLAG:
            parts.append("money beyond a promise is accepted and flagged as excess")
        return "; ".join(parts)

    def to_data(self) -> dict[str, Any]:
        return {
            "method": self.method.value,
            "quorum": str(self.quorum),
            "threshold": None if self.threshold is None else str(self.threshold),
            "weighted_by_contributions": self.weighted_by_contributions,
            "voting_roles": sorted(role.value for role in self.voting_roles),
            "validating_authority": self.validating_authority,
            "secretariat_may_approve": self.secretariat_may_approve,
            "steering_decides_procurement": self.steering_decides_procurement,
            "excess": self.excess.value,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> DecisionRules:
        try:
            method = DecisionMethod(data.get("method", DecisionMethod.CONSENSUS.value))
        except ValueError:
            choices = ", ".join(m.value for m in DecisionMethod)
            raise InvalidInput(f"'{data.get('method')}' is not one of {choices}", field="rules.method") from None
        roles = data.get("voting_roles")
        if roles is not None and not isinstance(roles, list | tuple | set | frozenset):
            raise InvalidInput("must be a list of membership roles", field="rules.voting_roles")
        authority = data.get("validating_authority")
        if authority is not None and not isinstance(authority, str):
            raise InvalidInput("must be the code of a party", field="rules.validating_authority")
        try:
            voting_roles = (frozenset(MembershipRole(r) for r in roles) if roles is not None
                            else frozenset({MembershipRole.LEAD, MembershipRole.MEMBER}))
        except ValueError as error:
            raise InvalidInput(str(error), field="rules.voting_roles") from None
        threshold = data.get("threshold")
        try:
            excess = ExcessPolicy(data.get("excess", ExcessPolicy.REFUSE.value))
        except ValueError:
            choices = ", ".join(p.value for p in ExcessPolicy)
            raise InvalidInput(f"'{data.get('excess')}' is not one of {choices}", field="rules.excess") from None
        return cls(
            method=method,
            quorum=_fraction(data.get("quorum", "1/2"), "rules.quorum"),
            threshold=None if threshold is None else _fraction(threshold, "rules.threshold"),
            weighted_by_contributions=bool(data.get("weighted_by_contributions", False)),
            voting_roles=voting_roles,
            validating_authority=data.get("validating_authority"),
            secretariat_may_approve=bool(data.get("secretariat_may_approve", False)),
            steering_decides_procurement=bool(data.get("steering_decides_procurement", False)),
            excess=excess,
        )


@dataclass(frozen=True, slots=True)
class Fund:
    """A pool of a coalition's money, held by a custodian."""

    code: str
    coalition: str
    name: str
    custodian: str
    currency: str
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "fund")
        check_text(self.name, "name", NAME)
        object.__setattr__(self, "currency", check_currency(self.currency))


@dataclass(frozen=True, slots=True)
class Coalition:
    """A group of states building one capability of a recipient's defence forces."""

    code: str
    name: str
    capability_area: str
    framework: str
    recipient: str
    founded_on: date
    founded_at: str
    reporting_currency: str
    rules: DecisionRules = field(default_factory=DecisionRules)
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        check_text(self.name, "name", NAME)
        check_text(self.capability_area, "capability_area", NAME)
        check_text(self.framework, "framework", NAME)
        check_text(self.founded_at, "founded_at", NAME)
        object.__setattr__(self, "reporting_currency", check_currency(self.reporting_currency,
                                                                     "reporting_currency"))
