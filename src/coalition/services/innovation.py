"""Use cases of the innovation pipeline: calls (of a coalition or of a national programme), projects and their
evidence, conflict declarations and expert reviews, scoring and shortlisting, stage-gate decisions (dated acts,
checked against the owner's stage list and gate rules), and grants from a coalition's fund; each change one
audited transaction. Permissions are checked in the call's owner (``Call.owner``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from coalition.domain.access import Actor, can
from coalition.domain.attribution import largest_remainder
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.coalition import Coalition
from coalition.domain.common import dated_act
from coalition.domain.contributions import Earmark, FundingRoute
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, NotFound, refusal
from coalition.domain.innovation import (
    PROGRESSION,
    Call,
    ConflictDeclaration,
    Evidence,
    GateDecision,
    GateFacts,
    GrantPayment,
    Project,
    ProjectGrant,
    ProjectHistory,
    ProjectScore,
    ProjectStage,
    Review,
    ScoringMethod,
    Shortlist,
    aggregate,
    check_gate,
    check_reviewer,
    check_tranche,
    check_trl,
    counted_reviews,
    latest_declarations,
    ranking_fixed_since,
    withdrawn_by,
)
from coalition.domain.ledger import AccountKey, AccountType, Entry, EntryKind
from coalition.domain.money import Money
from coalition.domain.planning import AvailableMoney
from coalition.domain.procurement import Contract, ProcurementCase
from coalition.domain.steering import ProposalKind
from coalition.domain.taxonomy import descendants
from coalition.services.audit import record_change, require
from coalition.services.decisions import check_decision
from coalition.services.planning import release_holdings
from coalition.services.ports import UnitOfWork
from coalition.services.programmes import load_programme, owner_pipeline
from coalition.services.registry import load_coalition, load_party
from coalition.services.views.delivery import DeliveryStatus, delivery_status


def load_call(uow: UnitOfWork, code: str, field: str = "call") -> Call:
    found = uow.innovation.get_call(code)
    if found is None:
        raise NotFound(f"no call with code '{code}'", field=field)
    return found


def load_project(uow: UnitOfWork, code: str, field: str = "project") -> tuple[Project, Call]:
    found = uow.innovation.get_project(code)
    if found is None:
        raise NotFound(f"no project with code '{code}'", field=field)
    return found, load_call(uow, found.call)


def load_grant(uow: UnitOfWork, code: str) -> tuple[ProjectGrant, Call]:
    found = uow.innovation.get_grant(code)
    if found is None:
        raise NotFound(f"no grant with code '{code}'", field="grant")
    return found, load_project(uow, found.project)[1]


def _donor_shares(units: Mapping[str, int], currency: str) -> dict[str, str]:
    """Per donor, its part of a movement of money, for the audit record."""
    return {donor: str(Money.from_minor_units(u, currency)) for donor, u in sorted(units.items())}


def open_call(uow: UnitOfWork, actor: Actor, call: Call) -> Call:
    """Open a call, a hackathon or an acceleration cohort, for capability areas or for one requirement."""
    require(can(actor, "manage_innovation", call.owner))
    with uow:
        if call.coalition is not None:
            load_coalition(uow, call.coalition)
        else:
            load_programme(uow, call.owner)
        if uow.innovation.get_call(call.code) is not None:
            raise Conflict(f"a call '{call.code}' already exists", field="code")
        for area in call.areas:
            if uow.areas.get(area) is None:
                raise NotFound(f"no capability area with code '{area}'", field="areas")
        if call.requirement is not None and call.coalition is None:
            raise refusal(InvalidInput, "a requirement belongs to a coalition; a programme's call cannot answer one",
                                    field="requirement")
        if call.requirement is not None:
            requirement = uow.requirements.get(call.requirement)
            if requirement is None or requirement.coalition != call.coalition:
                raise NotFound(f"{call.coalition} has no requirement '{call.requirement}'", field="requirement")
        uow.innovation.add_call(call)
        record_change(uow, actor, AuditEvent("open_call", "innovation_call", call.code, None, snapshot(call)))
        uow.commit()
    return call


def register_project(uow: UnitOfWork, actor: Actor, project: Project) -> Project:
    """A project answers a call; it starts as an idea (or at the stage a hackathon brought it to)."""
    with uow:
        call = load_call(uow, project.call)
        require(can(actor, "manage_innovation", call.owner))
        if uow.innovation.get_project(project.code) is not None:
            raise Conflict(f"a project '{project.code}' already exists", field="code")
        load_party(uow, project.team, "team")
        stages, _ = owner_pipeline(uow, call)
        if project.stage not in stages[:2]:
            raise refusal(InvariantViolated, "a project enters the pipeline at {first}; later stages are reached "
                                         "through stage gates", field="stage",
                                         first=" or ".join(s.value for s in stages[:2]))
        uow.innovation.add_project(project)
        record_change(uow, actor, AuditEvent("register_project", "innovation_project", project.code, None,
                                             snapshot(project)))
        uow.commit()
    return project


def add_evidence(uow: UnitOfWork, actor: Actor, evidence: Evidence) -> Evidence:
    with uow:
        _, call = load_project(uow, evidence.project)
        require(can(actor, "manage_innovation", call.owner))
        stored = uow.innovation.add_evidence(evidence)
        record_change(uow, actor, AuditEvent("add_evidence", "project_evidence", str(stored.id), None,
                                             snapshot(stored)))
        uow.commit()
    return stored


def declare_conflict(uow: UnitOfWork, actor: Actor, project: str, *, conflicted: bool,
                     note: str = "", withdraw: bool = False) -> ConflictDeclaration:
    """The signed-in reviewer declares whether they have a conflict of interest with a project. A conflict declared
    after reviewing withdraws the review: only while the call's ranking is open and with ``withdraw`` confirmed
    (``domain.innovation.withdrawn_by``); the audit record names the review withdrawn."""
    with uow:
        _, call = load_project(uow, project)
        require(can(actor, "review_projects", call.owner))
        declaration = ConflictDeclaration(project, actor.user, conflicted, note.strip(), uow.clock())
        withdrawn = withdrawn_by(declaration, call, reviews=uow.innovation.reviews([project]),
                                 declarations=uow.innovation.declarations([project]),
                                 shortlists=uow.innovation.shortlists(call.code), withdraw=withdraw)
        uow.innovation.declare(declaration)
        after = snapshot(declaration)
        if withdrawn is not None:
            after = {**after, "withdrawn_review": snapshot(withdrawn)}
        record_change(uow, actor, AuditEvent("declare_conflict", "innovation_project", project, None, after))
        uow.commit()
    return declaration


@dataclass(frozen=True, slots=True)
class OwnReview:
    """What the signed-in reviewer has done about one project: their latest declaration and their review (and
    whether it still counts), with the day a shortlist fixed the call's ranking, if one has."""

    declaration: ConflictDeclaration | None
    review: Review | None
    fixed_since: date | None

    @property
    def counts(self) -> bool:
        return self.review is not None and (self.declaration is None or not self.declaration.conflicted)


def own_review(uow: UnitOfWork, actor: Actor, project: str) -> OwnReview:
    with uow:
        _, call = load_project(uow, project)
        require(can(actor, "review_projects", call.owner))
        latest = latest_declarations(uow.innovation.declarations([project])).get((project, actor.user))
        review = next((r for r in uow.innovation.reviews([project]) if r.reviewer == actor.user), None)
        fixed = ranking_fixed_since(uow.innovation.shortlists(call.code))
        return OwnReview(latest, review, fixed)


def submit_review(uow: UnitOfWork, actor: Actor, project: str, scores: Mapping[str, int],
                  comment: str = "") -> Review:
    """The signed-in reviewer scores a project by its call's rubric, once, having declared no conflict."""
    if len(comment) > 2000:
        raise InvalidInput("must be at most 2000 characters", field="comment")
    with uow:
        _, call = load_project(uow, project)
        require(can(actor, "review_projects", call.owner))
        found = uow.innovation.get_project(project)
        check_reviewer(project, actor.user, uow.innovation.declarations([project]), uow.innovation.reviews([project]),
                       team=found.team if found else None, reviewer_party=actor.party)
        call.rubric.weighted(scores)  # every criterion scored, on its scale
        stored = uow.innovation.add_review(Review(project, actor.user, dict(scores), comment.strip(), uow.clock()))
        record_change(uow, actor, AuditEvent("submit_review", "innovation_project", project, None, snapshot(stored)))
        uow.commit()
    return stored


def _counted(uow: UnitOfWork, projects: list[str]) -> list[Review]:
    """The call's reviews that count: a conflict declared after reviewing withdraws the review."""
    return counted_reviews(uow.innovation.reviews(projects), uow.innovation.declarations(projects))


def call_scores(uow: UnitOfWork, actor: Actor, call: str,
                method: ScoringMethod = ScoringMethod.MEAN) -> list[ProjectScore]:
    """The call's reviewed projects, best first, by the weighted mean or normalised per reviewer."""
    with uow:
        found = load_call(uow, call)
        require(can(actor, "read_reviews", found.owner))
        projects = [p.code for p in uow.innovation.projects(call=call)]
        return aggregate(found.rubric, _counted(uow, projects), method)


def decide_shortlist(uow: UnitOfWork, actor: Actor, call: str, *, method: ScoringMethod, decided_by: str,
                     on: date, top: int | None = None, projects: Sequence[str] = (), note: str = "") -> Shortlist:
    """Record the ranking of a call and who is shortlisted: the ``top`` ranked, or the ``projects`` named."""
    if (top is None) == (not projects):
        raise InvalidInput("shortlist either the top N ranked projects or the projects named, not both",
                           field="top")
    if top is not None and top < 1:
        raise InvalidInput(f"{top} is not a number of projects", field="top")
    with uow:
        found = load_call(uow, call)
        require(can(actor, "manage_innovation", found.owner))
        codes = [p.code for p in uow.innovation.projects(call=call)]
        ranked = aggregate(found.rubric, _counted(uow, codes), method)
        chosen = tuple(s.project for s in ranked[:top]) if top is not None else tuple(projects)
        shortlist = uow.innovation.add_shortlist(Shortlist(
            call, method, tuple((s.project, s.score(method)) for s in ranked), chosen, decided_by, on, note))
        record_change(uow, actor, AuditEvent("decide_shortlist", "innovation_call", call, None, snapshot(shortlist)))
        uow.commit()
    return shortlist


def decide_gate(uow: UnitOfWork, actor: Actor, project: str, *, to: ProjectStage, decided_by: str, on: date | None,
                evidence: Sequence[int] = (), decision: int | None = None, trl: int | None = None,
                note: str = "") -> GateDecision:
    """Move a project to another stage by the decision of its owner's authority, citing its evidence.

    The move is checked against the owner's stage list (no stage skipped) and gate rules (independent reviews,
    a shortlist before the first gate, evidence of its own); it is a dated act, never in the future and never
    before the project's previous move (or the day its call opened). Where the steering group decides the
    gates, ``decision`` is its approved proposal.
    """
    if trl is not None:
        check_trl(trl)
    with uow:
        found, call = load_project(uow, project)
        require(can(actor, "manage_innovation", call.owner))
        earlier = uow.innovation.gates(project)
        day = dated_act(on, uow.clock().date(), not_before=earlier[-1].decided_on if earlier else call.opens_on,
                        after_what=f"{project}'s previous stage move" if earlier else f"{call.code} opened")
        stages, rules = owner_pipeline(uow, call)
        check_gate(found, to, call.gate_authority, evidence, decision, stages=stages, rules=rules,
                   facts=_gate_facts(uow, found, earlier))
        _check_gate_citations(uow, call, project, to, evidence, decision)
        gate = uow.innovation.add_gate(GateDecision(project, found.stage, to, call.gate_authority, decided_by, day,
                                                    tuple(evidence), decision, note, recorded_at=uow.clock()))
        if not uow.innovation.set_stage(project, found.stage, to, trl if trl is not None else found.trl):
            raise Conflict(f"{project} moved stage at the same time; read it again", field="stage")
        record_change(uow, actor, AuditEvent("decide_gate", "innovation_project", project,
                                             {"stage": found.stage.value, "trl": found.trl},
                                             {"stage": to.value, "trl": trl if trl is not None else found.trl,
                                              "gate": snapshot(gate)}))
        uow.commit()
    return gate


def _gate_facts(uow: UnitOfWork, project: Project, earlier: Sequence[GateDecision]) -> GateFacts:
    """What the gate rules weigh: the project's reviews that count, its shortlisting, its earlier gates' evidence."""
    shortlisted = any(project.code in s.shortlisted for s in uow.innovation.shortlists(project.call))
    passed = [g for g in earlier if g.to_stage in PROGRESSION]
    return GateFacts(len(_counted(uow, [project.code])), shortlisted, not passed,
                     frozenset(e for g in earlier for e in g.evidence))


def _check_gate_citations(uow: UnitOfWork, call: Call, project: str, to: ProjectStage, evidence: Sequence[int],
                          decision: int | None) -> None:
    """The evidence cited is the project's own; a steering group's decision is its coalition's, for this move."""
    own = {e.id for e in uow.innovation.evidence(project)}
    foreign = sorted(set(evidence) - own)
    if foreign:
        raise NotFound(f"{project} has no evidence {', '.join(map(str, foreign))}", field="evidence")
    if decision is not None and call.coalition is None:
        raise refusal(InvalidInput, "a programme has no steering group: its gates cite no decision", field="decision")
    if decision is not None and call.coalition is not None:
        check_decision(uow, call.coalition, decision, ProposalKind.PASS_STAGE_GATE,
                       {"project": project, "to": to.value}, "stage gate")


def list_calls(uow: UnitOfWork, actor: Actor, coalition: str | None = None, *,
               programme: str | None = None) -> list[Call]:
    """Calls by opening day: of one coalition, of one programme, or all."""
    require(can(actor, "read_innovation", coalition or programme))
    with uow:
        if coalition is not None:
            load_coalition(uow, coalition)
        if programme is not None:
            load_programme(uow, programme)
        return uow.innovation.calls(coalition, programme)


def get_call(uow: UnitOfWork, actor: Actor, code: str) -> Call:
    with uow:
        found = load_call(uow, code)
        require(can(actor, "read_innovation", found.owner))
        return found


def list_projects(uow: UnitOfWork, actor: Actor, *, call: str | None = None, coalition: str | None = None,
                  stage: ProjectStage | None = None) -> list[Project]:
    """Projects by code: of one call, or of every call of one coalition, or all; optionally at one stage."""
    require(can(actor, "read_innovation", coalition))
    with uow:
        if call is not None:
            load_call(uow, call)
        found = uow.innovation.projects(call=call, stage=stage)
        if coalition is None:
            return found
        calls = {c.code for c in uow.innovation.calls(coalition)}
        return [p for p in found if p.call in calls]


def project_history(uow: UnitOfWork, actor: Actor, code: str) -> ProjectHistory:
    """A project from its call through every gate, with its evidence and how many reviews it had."""
    with uow:
        found, call = load_project(uow, code)
        require(can(actor, "read_innovation", call.owner))
        reviews = len(uow.innovation.reviews([code])) if can(actor, "read_reviews", call.owner) else 0
        return dataclasses.replace(ProjectHistory(found, call), gates=uow.innovation.gates(code),
                                   evidence=uow.innovation.evidence(code), reviews=reviews)


def grant_account(code: str) -> str:
    """The spending target a grant's money is reserved for in the ledger (beside requirements)."""
    return f"grant:{code}"


def award_grant(uow: UnitOfWork, actor: Actor, grant: ProjectGrant, *, decision: int | None = None) -> ProjectGrant:
    """Award a grant to a project and reserve its money in the fund, oldest eligible receipts first, so every
    euro of it names the contribution (the donor) it came from.

    Reserving a coalition's money is the steering group's ``decision`` (an award-grant proposal), or the
    secretariat's where the coalition's rules allow it.
    """
    with uow:
        uow.ledger.lock()
        found, call = load_project(uow, grant.project)
        require(can(actor, "manage_innovation", call.owner))
        if uow.innovation.get_grant(grant.code) is not None:
            raise Conflict(f"a grant '{grant.code}' already exists", field="code")
        if found.stage in (ProjectStage.REJECTED, ProjectStage.ARCHIVED):
            raise InvariantViolated(f"{found.code} is {found.stage.value}: no grant is awarded to it", field="project")
        coalition = load_coalition(uow, _coalition_fund_owner(call, found.code))
        _check_award(uow, coalition, grant, decision)
        areas = uow.areas.all()
        below = {a.code: descendants(areas, a.code) for a in areas}
        sources = [m for m in uow.ledger.available_money(coalition.code)
                   if m.fund == grant.fund and m.currency == grant.amount.currency
                   and call.may_be_funded_by(Earmark.parse(m.earmark), below)]
        if sum(m.units for m in sources) < grant.amount.to_minor_units():
            have = Money.from_minor_units(sum(m.units for m in sources), grant.amount.currency)
            raise InvariantViolated(f"{grant.fund} holds {have} that may fund {call.code}'s projects; the grant needs "
                                    f"{grant.amount}", field="amount")
        drawn = _reserve_for_grant(uow, coalition.code, grant, sources)
        uow.innovation.add_grant(grant, coalition.code)
        record_change(uow, actor, AuditEvent("award_grant", "grant", grant.code, None, {
            **snapshot(grant), "donor_shares": _donor_shares(drawn, grant.amount.currency)}))
        uow.commit()
    return grant


def _coalition_fund_owner(call: Call, project: str) -> str:
    """The coalition whose fund pays for the call's projects; a programme's call has none, so the grant is refused."""
    if call.coalition is None:
        raise refusal(InvariantViolated,
            "{project} answers {call} of the programme {programme}, which has no coalition fund: a grant "
            "that draws on a coalition fund cannot be made for it", field="project", project=project, call=call.code,
            programme=call.owner)
    return call.coalition


def _check_award(uow: UnitOfWork, coalition: Coalition, grant: ProjectGrant, decision: int | None) -> None:
    """A grant is awarded by the steering group's decision (or the secretariat's where the rules allow it), from a
    fund of the coalition, in its reporting currency."""
    if decision is None and not coalition.rules.secretariat_may_approve:
        raise InvariantViolated(f"under {coalition.code}'s rules, awarding a grant is a steering-group decision: "
                                "open a proposal (award-grant)", field="decision")
    if decision is not None:
        check_decision(uow, coalition.code, decision, ProposalKind.AWARD_GRANT,
                       {"grant": grant.code, "project": grant.project}, "grant")
    fund = uow.coalitions.get_fund(grant.fund)
    if fund is None or fund.coalition != coalition.code:
        raise NotFound(f"no fund '{grant.fund}' in {coalition.code}", field="fund")
    if grant.amount.currency != coalition.reporting_currency:
        raise InvalidInput(f"grants of {coalition.code} are in its reporting currency, "
                           f"{coalition.reporting_currency}", field="amount")


def _reserve_for_grant(uow: UnitOfWork, coalition: str, grant: ProjectGrant, sources: list[AvailableMoney]
                       ) -> dict[str, int]:
    """Reserve the grant's amount from ``sources`` in their order, one reservation entry per contribution drawn on;
    return the minor units drawn per donor."""
    needed, now, target = grant.amount.to_minor_units(), uow.clock(), grant_account(grant.code)
    drawn: dict[str, int] = {}
    for source in sources:
        if needed == 0:
            break
        units = min(needed, source.units)
        needed -= units
        available = AccountKey(AccountType.FUND_AVAILABLE, coalition, source.fund, source.donor, source.currency,
                               source.earmark)
        amount = Money.from_minor_units(units, source.currency)
        uow.ledger.add_entry(Entry(EntryKind.RESERVATION, grant.awarded_on,
                                   dataclasses.replace(available, type=AccountType.RESERVED, requirement=target),
                                   available, amount, amount, source.contribution, reason=f"grant {grant.code}"), now)
        drawn[source.donor] = drawn.get(source.donor, 0) + units
    return drawn


def pay_grant(uow: UnitOfWork, actor: Actor, code: str, *, milestone: int, amount: Money, paid_on: date,
              reference: str = "") -> GrantPayment:
    """Pay a tranche of a grant for a milestone met: a disbursement of its reserved money, split over the
    contributions that fund it in proportion to what each still holds (largest remainder)."""
    with uow:
        uow.ledger.lock()
        grant, call = load_grant(uow, code)
        require(can(actor, "manage_innovation", call.owner))
        check_tranche(grant, uow.innovation.grant_payments(code), milestone, amount)
        if paid_on < grant.awarded_on:
            raise InvariantViolated(f"a tranche paid on {paid_on} precedes the award on {grant.awarded_on}",
                                    field="paid_on")
        held = uow.ledger.holdings(_coalition_fund_owner(call, grant.project), grant_account(code))
        if sum(units for _, _, units, _ in held) < amount.to_minor_units():
            still = Money.from_minor_units(sum(units for _, _, units, _ in held), amount.currency)
            raise InvariantViolated(f"grant {code} holds {still} in reserve; {amount} is more", field="amount")
        split = largest_remainder(amount.to_minor_units(), [units for _, _, units, _ in held])
        now, shares = uow.clock(), dict[str, int]()
        for (contribution, reserved, _, _), units in zip(held, split, strict=True):
            if units == 0:
                continue
            part = Money.from_minor_units(units, amount.currency)
            uow.ledger.add_entry(Entry(EntryKind.DISBURSEMENT, paid_on,
                                       dataclasses.replace(reserved, type=AccountType.DISBURSED), reserved, part, part,
                                       contribution, reason=f"grant {code}, milestone {milestone}"), now)
            shares[reserved.donor] = shares.get(reserved.donor, 0) + units
        stored = uow.innovation.add_grant_payment(GrantPayment(code, milestone, amount, paid_on, reference.strip()))
        record_change(uow, actor, AuditEvent("pay_grant", "grant", code, None, {
            **snapshot(stored), "donor_shares": _donor_shares(shares, amount.currency)}))
        uow.commit()
    return stored


def release_grant(uow: UnitOfWork, actor: Actor, code: str, *, reason: str, on: date) -> Money:
    """End a grant early (a project rejected or withdrawn): what is still reserved for it returns to the
    fund, per contribution; tranches already paid stay paid. Return the amount released."""
    if not reason.strip():
        raise InvalidInput("a release needs a reason", field="reason")
    with uow:
        uow.ledger.lock()
        grant, call = load_grant(uow, code)
        require(can(actor, "manage_innovation", call.owner))
        held = release_holdings(uow, _coalition_fund_owner(call, grant.project), grant_account(code),
                                grant.amount.currency, on, f"grant {code} released: {reason.strip()}")
        if not held:
            raise InvariantViolated(f"nothing is reserved for grant {code} any more", field="grant")
        released = Money.from_minor_units(sum(units for _, _, units, _ in held), grant.amount.currency)
        record_change(uow, actor, AuditEvent("release_grant", "grant", code, None,
                                             {"released": str(released), "reason": reason.strip()}))
        uow.commit()
    return released


def bridge_to_procurement(uow: UnitOfWork, actor: Actor, project: str, case: str, *, on: date) -> None:
    """Name an adopted project's team as the supplier of a direct-industry-financing case, keeping the link
    from the call to the contract and the units that receive the equipment."""
    with uow:
        uow.ledger.lock()  # as contract signing does: no contract slips in between the checks and the link
        found, call = load_project(uow, project)
        require(can(actor, "manage_innovation", call.owner))
        if call.coalition is None:
            raise refusal(InvariantViolated, "{project} is a project of the programme {programme}; procurement cases "
                                         "are a coalition's, so it is not bridged to one", field="project",
                                         project=project, programme=call.owner)
        require(can(actor, "manage_procurement", call.coalition))
        if found.stage is not ProjectStage.ADOPTED:
            raise InvariantViolated(f"{project} is at {found.stage.value}; only an adopted project is procured",
                                    field="project")
        procured = uow.procurement.get_case(case)
        if procured is None or procured.coalition != call.coalition:
            raise NotFound(f"{call.coalition} has no procurement case '{case}'", field="case")
        if procured.route is not FundingRoute.DIRECT_INDUSTRY:
            raise InvariantViolated(f"case {case} is on the {procured.route.value} route; an adopted project is "
                                    "financed directly (direct-industry)", field="case")
        if call.requirement is not None and call.requirement not in procured.requirements:
            raise InvariantViolated(f"{call.code} answers {call.requirement}, which case {case} does not buy",
                                    field="case")
        if case in uow.innovation.cases_of(project):
            raise Conflict(f"{project} is already linked to case {case}", field="case")
        for other in uow.innovation.projects_of_case(case):
            linked = uow.innovation.get_project(other)
            if linked is not None and linked.team != found.team:
                raise InvariantViolated(f"case {case} already finances {other} of {linked.team}; its contract has "
                                        "one supplier", field="case")
        signed = [c for c in uow.procurement.contracts([case]) if c.supplier != found.team]
        if signed:
            raise InvariantViolated(f"case {case} is already contracted to {signed[0].supplier}, not {found.team}",
                                    field="case")
        uow.innovation.link_case(project, case, on)
        record_change(uow, actor, AuditEvent("bridge_to_procurement", "innovation_project", project, None,
                                             {"case": case, "team": found.team, "on": on.isoformat()}))
        uow.commit()


@dataclass(frozen=True, slots=True)
class ProjectTrail:
    """A project's history and what followed adoption: its procurement cases, contracts and deliveries."""

    history: ProjectHistory
    grants: list[ProjectGrant]
    paid: dict[str, Money]
    cases: list[ProcurementCase]
    contracts: list[Contract]
    deliveries: list[DeliveryStatus]


def project_trail(uow: UnitOfWork, actor: Actor, code: str) -> ProjectTrail:
    """From the call through every gate to the contract and the units that signed for the equipment."""
    history = project_history(uow, actor, code)
    coalition = history.call.coalition
    # money and contracts are shown as the API shows them; a programme's project has neither from a coalition
    if coalition is None or not can(actor, "read_funding", coalition):
        return ProjectTrail(history, [], {}, [], [], [])
    with uow:
        grants = uow.innovation.grants(code)
        paid = {g.code: Money.from_minor_units(sum(p.amount.to_minor_units()
                                                   for p in uow.innovation.grant_payments(g.code)),
                                               g.amount.currency) for g in grants}
        cases = [c for c in (uow.procurement.get_case(k) for k in uow.innovation.cases_of(code)) if c is not None]
        contracts = uow.procurement.contracts([c.code for c in cases])
    deliveries: list[DeliveryStatus] = []
    if cases:
        wanted = {r for c in cases for r in c.requirements}
        deliveries = [d for d in delivery_status(uow, actor, coalition) if d.requirement in wanted]
    return ProjectTrail(history, grants, paid, cases, contracts, deliveries)
