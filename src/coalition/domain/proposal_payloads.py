"""What a steering-group proposal would change: one typed payload per kind of proposal.

A proposal keeps its payload as the JSON object it was opened with; each class here reads that object
(``parse``: every field checked, a bad one refused naming it as ``payload.<field>``) and writes it back
normalised (``to_payload``: dates as YYYY-MM-DD text, amounts as decimal strings), so what is stored
reads back to the same value. Which kind uses which payload is declared once, in the steering service's
table of kinds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from coalition.domain.coalition import DecisionRules, MembershipRole
from coalition.domain.common import check_code, parse_date
from coalition.domain.errors import InvalidInput
from coalition.domain.innovation import ProjectGrant, ProjectStage, check_trl, grant_from_payload, grant_payload
from coalition.domain.limits import JUSTIFICATION, MAX_ID, MAX_NUMBER, MAX_VERSION, NAME, TextRule, check_text

DECIDED_BY = "steering group"


class ProposalPayload(Protocol):
    """A checked payload of one kind of proposal."""

    def to_payload(self) -> dict[str, object]: ...


def _text(payload: Mapping[str, Any], key: str, rule: TextRule | None = None) -> str:
    """A text of the payload: a code, or free text by ``rule``."""
    value = payload.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("must be a non-empty string", field=f"payload.{key}")
    return check_code(value, f"payload.{key}") if rule is None else check_text(value, f"payload.{key}", rule)


def _whole(payload: Mapping[str, Any], key: str, high: int = MAX_ID) -> int:
    """A whole number of the payload, from 1 to ``high``."""
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= high:
        raise InvalidInput(f"must be a whole number from 1 to {high}", field=f"payload.{key}")
    return value


@dataclass(frozen=True, slots=True)
class PriorityListApproval:
    """Approve a version of the coalition's priority list."""

    version: int

    @classmethod
    def parse(cls, payload: Mapping[str, Any]) -> PriorityListApproval:
        return cls(_whole(payload, "version", MAX_VERSION))

    def to_payload(self) -> dict[str, object]:
        return {"version": self.version}


@dataclass(frozen=True, slots=True)
class PlanApproval:
    """Approve an allocation plan, so its reservations are recorded."""

    plan: int

    @classmethod
    def parse(cls, payload: Mapping[str, Any]) -> PlanApproval:
        return cls(_whole(payload, "plan"))

    def to_payload(self) -> dict[str, object]:
        return {"plan": self.plan}


def _membership(payload: Mapping[str, Any]) -> tuple[str, MembershipRole, date, str | None]:
    """The party, role, day and (optional) instrument of a membership change."""
    role = _text(payload, "role")
    try:
        found = MembershipRole(role)
    except ValueError:
        raise InvalidInput(f"'{role}' is not a membership role", field="payload.role") from None
    party = _text(payload, "party")
    on = parse_date(_text(payload, "on", NAME), "payload.on")
    instrument = _text(payload, "instrument") if payload.get("instrument") is not None else None
    return party, found, on, instrument


def _membership_payload(party: str, role: MembershipRole, on: date, instrument: str | None) -> dict[str, object]:
    written: dict[str, object] = {"party": party, "role": role.value, "on": on.isoformat()}
    if instrument is not None:
        written["instrument"] = instrument
    return written


@dataclass(frozen=True, slots=True)
class MemberAdmission:
    """Admit a party to the coalition in a role from a day, under an instrument if named."""

    party: str
    role: MembershipRole
    on: date
    instrument: str | None = None

    @classmethod
    def parse(cls, payload: Mapping[str, Any]) -> MemberAdmission:
        return cls(*_membership(payload))

    def to_payload(self) -> dict[str, object]:
        return _membership_payload(self.party, self.role, self.on, self.instrument)


@dataclass(frozen=True, slots=True)
class RoleChange:
    """Change a member's role from a day (an instrument named with it is kept with the proposal)."""

    party: str
    role: MembershipRole
    on: date
    instrument: str | None = None

    @classmethod
    def parse(cls, payload: Mapping[str, Any]) -> RoleChange:
        return cls(*_membership(payload))

    def to_payload(self) -> dict[str, object]:
        return _membership_payload(self.party, self.role, self.on, self.instrument)


@dataclass(frozen=True, slots=True)
class RulesChange:
    """Replace the coalition's decision rules."""

    rules: DecisionRules

    @classmethod
    def parse(cls, payload: Mapping[str, Any]) -> RulesChange:
        rules = payload.get("rules")
        if not isinstance(rules, Mapping):
            raise InvalidInput("must be an object of decision rules", field="payload.rules")
        return cls(DecisionRules.from_data(dict(rules)))

    def to_payload(self) -> dict[str, object]:
        return {"rules": self.rules.to_data()}


@dataclass(frozen=True, slots=True)
class RouteApproval:
    """Approve a procurement case's route."""

    case: str

    @classmethod
    def parse(cls, payload: Mapping[str, Any]) -> RouteApproval:
        return cls(_text(payload, "case"))

    def to_payload(self) -> dict[str, object]:
        return {"case": self.case}


@dataclass(frozen=True, slots=True)
class AwardApproval:
    """Award a lot of a tender to a bid, with the justification."""

    tender: str
    lot: int
    bid: int
    justification: str

    @classmethod
    def parse(cls, payload: Mapping[str, Any]) -> AwardApproval:
        return cls(_text(payload, "tender"), _whole(payload, "lot", MAX_NUMBER), _whole(payload, "bid"),
                   _text(payload, "justification", JUSTIFICATION))

    def to_payload(self) -> dict[str, object]:
        return {"tender": self.tender, "lot": self.lot, "bid": self.bid, "justification": self.justification}


@dataclass(frozen=True, slots=True)
class GrantAward:
    """Award a grant to an innovation project."""

    grant: ProjectGrant

    @classmethod
    def parse(cls, payload: Mapping[str, Any]) -> GrantAward:
        return cls(grant_from_payload(payload, DECIDED_BY))

    def to_payload(self) -> dict[str, object]:
        return grant_payload(self.grant)


@dataclass(frozen=True, slots=True)
class StageGatePass:
    """Move an innovation project through a stage gate on the evidence named."""

    project: str
    to: ProjectStage
    evidence: tuple[int, ...] = ()
    trl: int | None = None

    @classmethod
    def parse(cls, payload: Mapping[str, Any]) -> StageGatePass:
        project = payload.get("project")
        if not isinstance(project, str) or not project.strip():
            raise InvalidInput("must be a non-empty string", field="payload.project")
        check_code(project, "payload.project")
        try:
            to = ProjectStage(str(payload.get("to")))
        except ValueError:
            raise InvalidInput(f"'{payload.get('to')}' is not a project stage", field="payload.to") from None
        evidence = payload.get("evidence", [])
        if not isinstance(evidence, list) or not all(
                isinstance(e, int) and not isinstance(e, bool) and 0 < e <= MAX_ID for e in evidence):
            raise InvalidInput(f"must be a list of evidence ids (whole numbers from 1 to {MAX_ID})",
                               field="payload.evidence")
        trl = payload.get("trl")
        return cls(project, to, tuple(sorted(evidence)), None if trl is None else check_trl(trl))

    def to_payload(self) -> dict[str, object]:
        written: dict[str, object] = {"project": self.project, "to": self.to.value, "evidence": list(self.evidence)}
        if self.trl is not None:
            written["trl"] = self.trl
        return written
