"""SQL storage of the innovation pipeline: national programmes and each owner's gate rules, calls with their rubrics
(a programme's call named in programme_calls), projects, evidence, conflict declarations, reviews, shortlists and
stage-gate decisions with the time each was recorded."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.statements import insert_row, row_by
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.innovation import (
    Call,
    CallKind,
    ConflictDeclaration,
    Criterion,
    Evidence,
    EvidenceKind,
    GateAuthority,
    GateDecision,
    GateRules,
    GrantPayment,
    Milestone,
    Programme,
    Project,
    ProjectDomain,
    ProjectGrant,
    ProjectStage,
    Review,
    Rubric,
    ScoringMethod,
    Shortlist,
)
from coalition.domain.money import Money


@rebuilds_stored_values
class SqlInnovationRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    # --- calls ----------------------------------------------------------------------------------------

    @staticmethod
    def _call(row: Any) -> Call:
        rubric = Rubric(tuple(Criterion(c["code"], c["title"], Decimal(c["weight"]), c["scale_min"], c["scale_max"])
                              for c in row.rubric))
        return Call(row.code, row.coalition, CallKind(row.kind), row.title, row.opens_on, row.closes_on, rubric,
                    tuple(row.areas), row.requirement, GateAuthority(row.gate_authority), row.illustrative,
                    row.programme)

    @staticmethod
    def _calls() -> sa.Select[Any]:
        c, pc = t.innovation_calls, t.programme_calls
        return sa.select(c, pc.c.programme).select_from(c.outerjoin(pc, pc.c.call == c.c.code))

    def add_call(self, call: Call) -> None:
        insert_row(self._c, t.innovation_calls, dict(
            code=call.code, coalition=call.coalition, kind=call.kind.value, title=call.title, opens_on=call.opens_on,
            closes_on=call.closes_on, areas=list(call.areas), requirement=call.requirement,
            gate_authority=call.gate_authority.value, illustrative=call.illustrative,
            rubric=[{"code": c.code, "title": c.title, "weight": str(c.weight), "scale_min": c.scale_min,
                     "scale_max": c.scale_max} for c in call.rubric.criteria]))
        if call.programme is not None:
            insert_row(self._c, t.programme_calls, dict(call=call.code, programme=call.programme))

    def get_call(self, code: str) -> Call | None:
        row = self._c.execute(self._calls().where(t.innovation_calls.c.code == code)).first()
        return None if row is None else self._call(row)

    def calls(self, coalition: str | None = None, programme: str | None = None) -> list[Call]:
        c = t.innovation_calls
        query = self._calls().order_by(c.c.opens_on, c.c.code)
        if coalition is not None:
            query = query.where(c.c.coalition == coalition)
        if programme is not None:
            query = query.where(t.programme_calls.c.programme == programme)
        return [self._call(row) for row in self._c.execute(query)]

    # --- programmes and gate rules --------------------------------------------------------------------

    def add_programme(self, programme: Programme) -> None:
        insert_row(self._c, t.programmes, dict(
            code=programme.code, name=programme.name, owner=programme.owner, run_by=programme.run_by,
            areas=[a.value for a in programme.areas], stages=[s.value for s in programme.stages],
            place=programme.place, since_year=programme.since, illustrative=programme.illustrative))
        self.set_gate_rules("programme", programme.code, programme.gate_rules)

    def _programme(self, row: Any) -> Programme:
        rules = self.gate_rules("programme", row.code)
        return Programme(row.code, row.name, row.owner, tuple(ProjectDomain(a) for a in row.areas),
                         tuple(ProjectStage(s) for s in row.stages), rules or GateRules(), row.run_by, row.place,
                         row.since_year, row.illustrative)

    def get_programme(self, code: str) -> Programme | None:
        row = self._c.execute(row_by(t.programmes, "code"), {"key": code}).first()
        return None if row is None else self._programme(row)

    def programmes(self) -> list[Programme]:
        return [self._programme(row) for row in self._c.execute(sa.select(t.programmes)
                                                                .order_by(t.programmes.c.code))]

    def gate_rules(self, owner_kind: str, owner: str) -> GateRules | None:
        g = t.gate_rules
        row = self._c.execute(sa.select(g).where(g.c.owner_kind == owner_kind, g.c.owner == owner)).first()
        return None if row is None else GateRules(row.min_reviews, row.shortlist_first, row.own_evidence)

    def set_gate_rules(self, owner_kind: str, owner: str, rules: GateRules) -> None:
        g = t.gate_rules
        values = dict(min_reviews=rules.min_reviews, shortlist_first=rules.shortlist_first,
                      own_evidence=rules.own_evidence)
        changed = self._c.execute(g.update().where(g.c.owner_kind == owner_kind, g.c.owner == owner)
                                  .values(**values))
        if changed.rowcount == 0:
            insert_row(self._c, g, dict(owner_kind=owner_kind, owner=owner, **values))

    # --- projects -------------------------------------------------------------------------------------

    @staticmethod
    def _project(row: Any) -> Project:
        return Project(row.code, row.call, row.title, row.team, ProjectDomain(row.domain), row.trl,
                       tuple(row.members), row.summary, ProjectStage(row.stage), row.illustrative)

    def add_project(self, project: Project) -> None:
        insert_row(self._c, t.innovation_projects, dict(
            code=project.code, call=project.call, title=project.title, team=project.team,
            domain=project.domain.value, trl=project.trl, members=list(project.members), summary=project.summary,
            stage=project.stage.value, illustrative=project.illustrative))

    def get_project(self, code: str) -> Project | None:
        row = self._c.execute(row_by(t.innovation_projects, "code"), {"key": code}).first()
        return None if row is None else self._project(row)

    def projects(self, call: str | None = None, stage: ProjectStage | None = None) -> list[Project]:
        p = t.innovation_projects
        query = sa.select(p).order_by(p.c.code)
        if call is not None:
            query = query.where(p.c.call == call)
        if stage is not None:
            query = query.where(p.c.stage == stage.value)
        return [self._project(row) for row in self._c.execute(query)]

    def set_stage(self, code: str, current: ProjectStage, stage: ProjectStage, trl: int) -> bool:
        p = t.innovation_projects
        result = self._c.execute(p.update().where(p.c.code == code, p.c.stage == current.value)
                                 .values(stage=stage.value, trl=trl))
        return result.rowcount == 1

    # --- evidence, declarations, reviews --------------------------------------------------------------

    def add_evidence(self, evidence: Evidence) -> Evidence:
        result = insert_row(self._c, t.project_evidence, dict(
            project=evidence.project, kind=evidence.kind.value, title=evidence.title, reference=evidence.reference,
            recorded_on=evidence.recorded_on))
        return Evidence(evidence.project, evidence.kind, evidence.title, evidence.reference, evidence.recorded_on,
                        int(result.inserted_primary_key[0]) if result.inserted_primary_key else None)

    def evidence(self, project: str) -> list[Evidence]:
        e = t.project_evidence
        return [Evidence(r.project, EvidenceKind(r.kind), r.title, r.reference, r.recorded_on, r.id)
                for r in self._c.execute(sa.select(e).where(e.c.project == project).order_by(e.c.id))]

    def get_evidence(self, id: int) -> Evidence | None:
        r = self._c.execute(row_by(t.project_evidence, "id"), {"key": id}).first()
        return None if r is None else Evidence(r.project, EvidenceKind(r.kind), r.title, r.reference,
                                               r.recorded_on, r.id)

    def declare(self, declaration: ConflictDeclaration) -> None:
        insert_row(self._c, t.conflict_declarations, dict(
            project=declaration.project, reviewer=declaration.reviewer, conflicted=declaration.conflicted,
            note=declaration.note, declared_at=declaration.declared_at.isoformat()))

    def declarations(self, projects: list[str]) -> list[ConflictDeclaration]:
        d = t.conflict_declarations
        query = sa.select(d).where(d.c.project.in_(projects)).order_by(d.c.id)
        return [ConflictDeclaration(r.project, r.reviewer, r.conflicted, r.note, datetime.fromisoformat(r.declared_at))
                for r in self._c.execute(query)]

    def add_review(self, review: Review) -> Review:
        result = insert_row(self._c, t.project_reviews, dict(
            project=review.project, reviewer=review.reviewer, scores=dict(review.scores), comment=review.comment,
            submitted_at=review.submitted_at.isoformat()))
        return Review(review.project, review.reviewer, review.scores, review.comment, review.submitted_at,
                      int(result.inserted_primary_key[0]) if result.inserted_primary_key else None)

    def reviews(self, projects: list[str]) -> list[Review]:
        r = t.project_reviews
        query = sa.select(r).where(r.c.project.in_(projects)).order_by(r.c.id)
        return [Review(row.project, row.reviewer, dict(row.scores), row.comment,
                       datetime.fromisoformat(row.submitted_at), row.id) for row in self._c.execute(query)]

    # --- decisions ------------------------------------------------------------------------------------

    def add_shortlist(self, shortlist: Shortlist) -> Shortlist:
        result = insert_row(self._c, t.shortlists, dict(
            call=shortlist.call, method=shortlist.method.value,
            ranking=[[p, str(score)] for p, score in shortlist.ranking], shortlisted=list(shortlist.shortlisted),
            decided_by=shortlist.decided_by, decided_on=shortlist.decided_on, note=shortlist.note))
        new_id = int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0
        return next(s for s in self.shortlists(shortlist.call) if s.id == new_id)

    def shortlists(self, call: str) -> list[Shortlist]:
        s = t.shortlists
        return [Shortlist(r.call, ScoringMethod(r.method), tuple((p, Decimal(v)) for p, v in r.ranking),
                          tuple(r.shortlisted), r.decided_by, r.decided_on, r.note, r.id)
                for r in self._c.execute(sa.select(s).where(s.c.call == call).order_by(s.c.id))]

    def add_gate(self, gate: GateDecision) -> GateDecision:
        result = insert_row(self._c, t.gate_decisions, dict(
            project=gate.project, from_stage=gate.from_stage.value, to_stage=gate.to_stage.value,
            authority=gate.authority.value, decided_by=gate.decided_by, decided_on=gate.decided_on,
            evidence=list(gate.evidence), decision=gate.decision, note=gate.note))
        new_id = int(result.inserted_primary_key[0]) if result.inserted_primary_key else None
        if new_id is not None and gate.recorded_at is not None:
            insert_row(self._c, t.gate_times, dict(gate=new_id, recorded_at=gate.recorded_at.isoformat()))
        return GateDecision(gate.project, gate.from_stage, gate.to_stage, gate.authority, gate.decided_by,
                            gate.decided_on, gate.evidence, gate.decision, gate.note, new_id, gate.recorded_at)

    def gates(self, project: str) -> list[GateDecision]:
        g, gt = t.gate_decisions, t.gate_times
        query = (sa.select(g, gt.c.recorded_at).select_from(g.outerjoin(gt, gt.c.gate == g.c.id))
                 .where(g.c.project == project).order_by(g.c.id))
        return [GateDecision(r.project, ProjectStage(r.from_stage), ProjectStage(r.to_stage),
                             GateAuthority(r.authority), r.decided_by, r.decided_on, tuple(r.evidence), r.decision,
                             r.note, r.id, None if r.recorded_at is None else datetime.fromisoformat(r.recorded_at))
                for r in self._c.execute(query)]

    # --- grants ---------------------------------------------------------------------------------------

    def add_grant(self, grant: ProjectGrant, coalition: str) -> None:
        insert_row(self._c, t.grants, dict(
            code=grant.code, project=grant.project, coalition=coalition, fund=grant.fund,
            amount_minor=grant.amount.to_minor_units(), currency=grant.amount.currency, awarded_on=grant.awarded_on,
            decided_by=grant.decided_by, milestones=[{"number": m.number, "title": m.title,
                                                      "amount_minor": m.amount.to_minor_units()}
                                                     for m in grant.milestones]))

    @staticmethod
    def _grant(row: Any) -> ProjectGrant:
        return ProjectGrant(row.code, row.project, row.fund, Money.from_minor_units(row.amount_minor, row.currency),
                     tuple(Milestone(m["number"], m["title"], Money.from_minor_units(m["amount_minor"], row.currency))
                           for m in row.milestones), row.awarded_on, row.decided_by)

    def get_grant(self, code: str) -> ProjectGrant | None:
        row = self._c.execute(row_by(t.grants, "code"), {"key": code}).first()
        return None if row is None else self._grant(row)

    def grants(self, project: str) -> list[ProjectGrant]:
        g = t.grants
        return [self._grant(row) for row in self._c.execute(sa.select(g).where(g.c.project == project)
                                                            .order_by(g.c.code))]

    def add_grant_payment(self, payment: GrantPayment) -> GrantPayment:
        result = insert_row(self._c, t.grant_payments, dict(
            grant_code=payment.grant, milestone=payment.milestone, amount_minor=payment.amount.to_minor_units(),
            currency=payment.amount.currency, paid_on=payment.paid_on, reference=payment.reference))
        return GrantPayment(payment.grant, payment.milestone, payment.amount, payment.paid_on, payment.reference,
                            int(result.inserted_primary_key[0]) if result.inserted_primary_key else None)

    def grant_payments(self, grant: str) -> list[GrantPayment]:
        p = t.grant_payments
        return [GrantPayment(r.grant_code, r.milestone, Money.from_minor_units(r.amount_minor, r.currency), r.paid_on,
                             r.reference, r.id)
                for r in self._c.execute(sa.select(p).where(p.c.grant_code == grant).order_by(p.c.id))]

    # --- the bridge to procurement --------------------------------------------------------------------

    def link_case(self, project: str, case: str, on: date) -> None:
        insert_row(self._c, t.project_cases, dict(project=project, case_code=case, linked_on=on))

    def cases_of(self, project: str) -> list[str]:
        pc = t.project_cases
        return [r[0] for r in self._c.execute(sa.select(pc.c.case_code).where(pc.c.project == project)
                                               .order_by(pc.c.linked_on, pc.c.case_code))]

    def projects_of_case(self, case: str) -> list[str]:
        pc = t.project_cases
        return [r[0] for r in self._c.execute(sa.select(pc.c.project).where(pc.c.case_code == case)
                                               .order_by(pc.c.project))]
