"""Use cases of national defence-innovation programmes and of every owner's gate rules.

A programme is a state's own pipeline (a defence-tech park, a hub): it owns calls as a coalition does, runs them
through its own stage list and decides its gates by its own rules, and has no coalition fund, so no grant that
draws on one is made for its projects. Gate rules (independent reviews needed, a shortlist before the first
gate, evidence of its own for each gate) are data set per owner; an owner that has set none follows the
default rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from coalition.domain.access import Actor, can
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.errors import Conflict, InvalidInput, NotFound, refusal
from coalition.domain.innovation import (
    COALITION_STAGES,
    DEFAULT_GATE_RULES,
    Call,
    GateRules,
    Programme,
    Project,
    ProjectStage,
)
from coalition.domain.party import PartyKind
from coalition.services.audit import record_change, require
from coalition.services.ports import UnitOfWork
from coalition.services.registry import load_coalition, load_party

COALITION, PROGRAMME = "coalition", "programme"


def load_programme(uow: UnitOfWork, code: str, field: str = "programme") -> Programme:
    found = uow.innovation.get_programme(code)
    if found is None:
        raise refusal(NotFound, "no programme with code '{code}'", field=field, code=code)
    return found


def owner_pipeline(uow: UnitOfWork, call: Call) -> tuple[tuple[ProjectStage, ...], GateRules]:
    """The stage list and gate rules of the call's owner: its programme's, or its coalition's (the default stages,
    and the rules it has set or the default ones)."""
    if call.programme is not None:
        programme = load_programme(uow, call.programme)
        return programme.stages, programme.gate_rules
    return COALITION_STAGES, uow.innovation.gate_rules(COALITION, call.owner) or DEFAULT_GATE_RULES


def create_programme(uow: UnitOfWork, actor: Actor, programme: Programme) -> Programme:
    """Register a state's own defence-innovation programme, with its areas, stage list and gate rules."""
    require(can(actor, "create_programme"))
    with uow:
        if uow.innovation.get_programme(programme.code) is not None:
            raise refusal(Conflict, "a programme '{code}' already exists", field="code", code=programme.code)
        if uow.coalitions.get(programme.code) is not None:
            raise refusal(Conflict, "'{code}' names a coalition; a programme needs a code of its own", field="code",
                                code=programme.code)
        owner = load_party(uow, programme.owner, "owner")
        if owner.kind is not PartyKind.STATE:
            raise refusal(InvalidInput, "a programme is owned by a state, and {owner} is a {kind}", field="owner",
                                    owner=owner.code, kind=owner.kind.value)
        if programme.run_by is not None:
            load_party(uow, programme.run_by, "run_by")
        uow.innovation.add_programme(programme)
        record_change(uow, actor, AuditEvent("create_programme", "programme", programme.code, None,
                                             snapshot(programme)))
        uow.commit()
    return programme


def list_programmes(uow: UnitOfWork, actor: Actor) -> list[Programme]:
    require(can(actor, "read_innovation"))
    with uow:
        return uow.innovation.programmes()


@dataclass(frozen=True, slots=True)
class ProgrammeView:
    """A programme with its calls and its projects, each at a stage of the programme's list."""

    programme: Programme
    calls: list[Call]
    projects: list[Project]

    def at(self, stage: ProjectStage) -> list[Project]:
        return [p for p in self.projects if p.stage is stage]


def programme_view(uow: UnitOfWork, actor: Actor, code: str) -> ProgrammeView:
    """One programme as its page and ``programmes show`` present it, read at one moment."""
    require(can(actor, "read_innovation", code))
    with uow:
        programme = load_programme(uow, code)
        calls = uow.innovation.calls(programme=code)
        owned = {c.code for c in calls}
        projects = [p for p in uow.innovation.projects() if p.call in owned]
        return ProgrammeView(programme, calls, projects)


def gate_rules_of(uow: UnitOfWork, actor: Actor, coalition: str) -> GateRules:
    """The gate rules a coalition's calls follow: those it has set, or the default ones."""
    require(can(actor, "read_innovation", coalition))
    with uow:
        load_coalition(uow, coalition)
        return uow.innovation.gate_rules(COALITION, coalition) or DEFAULT_GATE_RULES


def set_gate_rules(uow: UnitOfWork, actor: Actor, rules: GateRules, *, coalition: str | None = None,
                   programme: str | None = None) -> GateRules:
    """Set the gate rules of one owner, a coalition or a programme; the gates decided after follow them."""
    if (coalition is None) == (programme is None):
        raise refusal(InvalidInput, "gate rules are set for a coalition or for a programme, exactly one of them",
                                field="coalition")
    kind, owner = (COALITION, str(coalition)) if coalition is not None else (PROGRAMME, str(programme))
    require(can(actor, "manage_innovation", owner))
    with uow:
        if kind == COALITION:
            load_coalition(uow, owner)
        else:
            load_programme(uow, owner)
        before = uow.innovation.gate_rules(kind, owner)
        uow.innovation.set_gate_rules(kind, owner, rules)
        record_change(uow, actor, AuditEvent("set_gate_rules", kind, owner, snapshot(before), snapshot(rules)))
        uow.commit()
    return rules
