"""Every kind of proposal has its payload, its check and its effect in one table, and nothing falls through."""

from typing import Any, cast

import pytest

from coalition.domain.coalition import DecisionMethod, DecisionRules, MembershipRole
from coalition.domain.errors import InvalidInput
from coalition.domain.innovation import ProjectStage
from coalition.domain.proposal_payloads import (
    AwardApproval,
    GrantAward,
    MemberAdmission,
    PlanApproval,
    PriorityListApproval,
    RoleChange,
    RouteApproval,
    RulesChange,
    StageGatePass,
)
from coalition.domain.steering import ProposalKind
from coalition.services.proposal_kinds import KINDS, rules_of

K = ProposalKind
STORED: dict[ProposalKind, dict[str, Any]] = {  # payloads as proposals keep them in the database
    K.APPROVE_PRIORITY_LIST: {"version": 2},
    K.APPROVE_PLAN: {"plan": 7},
    K.ADMIT_MEMBER: {"party": "PL", "role": "member", "on": "2024-03-01", "instrument": "IT-DOI"},
    K.CHANGE_ROLE: {"party": "GB", "role": "observer", "on": "2024-05-01"},
    K.CHANGE_RULES: {"rules": DecisionRules(method=DecisionMethod.SIMPLE_MAJORITY).to_data()},
    K.APPROVE_ROUTE: {"case": "IT-CP-KITS"},
    K.APPROVE_AWARD: {"tender": "T-1", "lot": 1, "bid": 3, "justification": "Lowest compliant price"},
    K.AWARD_GRANT: {"grant": "G-1", "project": "P-1", "fund": "it-fund", "amount": "200000.00", "currency": "EUR",
                    "awarded_on": "2025-03-25", "milestones": [{"title": "Prototype", "amount": "60000.00"},
                                                              {"title": "Pilot", "amount": "140000.00"}]},
    K.PASS_STAGE_GATE: {"project": "P-1", "to": "prototype", "evidence": [4, 9], "trl": 6},
}
TYPES = {K.APPROVE_PRIORITY_LIST: PriorityListApproval, K.APPROVE_PLAN: PlanApproval, K.ADMIT_MEMBER: MemberAdmission,
         K.CHANGE_ROLE: RoleChange, K.CHANGE_RULES: RulesChange, K.APPROVE_ROUTE: RouteApproval,
         K.APPROVE_AWARD: AwardApproval, K.AWARD_GRANT: GrantAward, K.PASS_STAGE_GATE: StageGatePass}


def test_every_kind_has_exactly_one_entry():
    assert set(KINDS) == set(ProposalKind)
    for kind in ProposalKind:
        entry = rules_of(kind)
        assert callable(entry.read) and callable(entry.check) and callable(entry.apply)


def test_an_unknown_kind_is_refused_by_name_rather_than_changing_the_rules():
    with pytest.raises(InvalidInput, match="'change-everything' is not a kind of proposal") as refused:
        rules_of(cast(ProposalKind, "change-everything"))
    assert refused.value.field == "kind"


@pytest.mark.parametrize("kind", list(ProposalKind))
def test_a_stored_payload_reads_back_typed_and_writes_the_same_json(kind: ProposalKind):
    read = rules_of(kind).read(STORED[kind])
    assert type(read) is TYPES[kind]
    assert read.to_payload() == STORED[kind]


def test_payloads_carry_typed_values():
    admission = MemberAdmission.parse(STORED[K.ADMIT_MEMBER])
    assert admission.role is MembershipRole.MEMBER and admission.on.isoformat() == "2024-03-01"
    assert admission.instrument == "IT-DOI"
    gate = StageGatePass.parse({"project": "P-1", "to": "prototype", "evidence": [9, 4]})
    assert gate.to is ProjectStage.PROTOTYPE and gate.evidence == (4, 9) and gate.trl is None
    assert gate.to_payload() == {"project": "P-1", "to": "prototype", "evidence": [4, 9]}
    assert RulesChange.parse(STORED[K.CHANGE_RULES]).rules.method is DecisionMethod.SIMPLE_MAJORITY
    assert str(GrantAward.parse(STORED[K.AWARD_GRANT]).grant.amount.amount) == "200000.00"


@pytest.mark.parametrize(("kind", "payload", "field", "message"), [
    (K.APPROVE_PRIORITY_LIST, {"version": "2"}, "payload.version", "must be a whole number from 1"),
    (K.APPROVE_PLAN, {"plan": True}, "payload.plan", "must be a whole number from 1"),
    (K.APPROVE_PLAN, {}, "payload.plan", "must be a whole number from 1"),
    (K.ADMIT_MEMBER, {"party": "PL", "role": "king", "on": "2024-03-01"}, "payload.role",
     "'king' is not a membership role"),
    (K.ADMIT_MEMBER, {"party": "PL", "role": "member", "on": "1 March"}, "payload.on", "is not a date"),
    (K.CHANGE_ROLE, {"role": "member", "on": "2024-03-01"}, "payload.party", "must be a non-empty string"),
    (K.CHANGE_RULES, {"rules": "consensus"}, "payload.rules", "must be an object of decision rules"),
    (K.APPROVE_ROUTE, {"case": "no spaces"}, "payload.case", "is not a valid code"),
    (K.APPROVE_AWARD, {"tender": "T-1", "lot": 1, "bid": 3}, "payload.justification", "must be a non-empty"),
    (K.PASS_STAGE_GATE, {"project": "P-1", "to": "moon"}, "payload.to", "'moon' is not a project stage"),
    (K.PASS_STAGE_GATE, {"project": "P-1", "to": "prototype", "evidence": [0]}, "payload.evidence",
     "list of evidence ids"),
    (K.AWARD_GRANT, {**STORED[K.AWARD_GRANT], "milestones": []}, "payload.milestones", "must be a list"),
])
def test_a_bad_payload_is_refused_naming_its_field(kind: ProposalKind, payload: dict[str, Any], field: str,
                                                   message: str):
    with pytest.raises(InvalidInput, match=message) as refused:
        rules_of(kind).read(payload)
    assert refused.value.field == field
