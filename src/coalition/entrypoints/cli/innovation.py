"""Commands for the innovation pipeline: calls and hackathons (of a coalition or of a programme), projects and
evidence, conflict declarations and reviews, scores and shortlists, stage gates and each owner's gate rules, grants
and the bridge to procurement."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from coalition.bootstrap import Platform
from coalition.domain.access import Actor
from coalition.domain.common import parse_date
from coalition.domain.errors import InvalidInput, NotFound
from coalition.domain.identity import Unauthenticated
from coalition.domain.innovation import (
    Call,
    CallKind,
    Criterion,
    Evidence,
    EvidenceKind,
    GateAuthority,
    GateRules,
    Milestone,
    Project,
    ProjectDomain,
    ProjectGrant,
    ProjectStage,
    Rubric,
    ScoringMethod,
)
from coalition.domain.money import Money
from coalition.entrypoints.cli.output import choice, console, emit_json, table
from coalition.entrypoints.cli.params import id_option
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import identity
from coalition.services import innovation as svc
from coalition.services import programmes as programmes_svc

app = typer.Typer(help="The innovation pipeline: calls, projects, reviews, stage gates, grants.", no_args_is_help=True)
calls = typer.Typer(help="Calls, hackathons and acceleration cohorts.", no_args_is_help=True)
projects = typer.Typer(help="Projects and their evidence.", no_args_is_help=True)
grants = typer.Typer(help="Grants paid in milestone tranches through the ledger.", no_args_is_help=True)
app.add_typer(calls, name="calls")
app.add_typer(projects, name="projects")
app.add_typer(grants, name="grants")


def _criterion(text: str) -> Criterion:
    """CODE:WEIGHT[:MIN-MAX]:TITLE, e.g. impact:0.6:1-10:Operational impact."""
    parts = text.split(":")
    try:
        if len(parts) == 3:
            code, weight, title = parts
            low, high = 1, 10
        elif len(parts) == 4:
            code, weight, scale, title = parts
            low_text, _, high_text = scale.partition("-")
            low, high = int(low_text), int(high_text)
        else:
            raise ValueError
        return Criterion(code, title, Decimal(weight), low, high)
    except (ValueError, InvalidOperation):
        raise InvalidInput(f"'{text}' is not CODE:WEIGHT[:MIN-MAX]:TITLE (e.g. impact:0.6:1-10:Operational impact)",
                           field="--criterion") from None


@calls.command("add")
def calls_add(ctx: typer.Context, code: str,
              title: Annotated[str, typer.Option()],
              opens: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
              closes: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
              criterion: Annotated[list[str], typer.Option(help="CODE:WEIGHT[:MIN-MAX]:TITLE (repeatable).")],
              kind: Annotated[str, typer.Option(help="call, hackathon or acceleration-cohort.")] = "call",
              area: Annotated[list[str] | None, typer.Option(help="A capability area (repeatable).")] = None,
              requirement: Annotated[str | None, typer.Option(help="The requirement it answers.")] = None,
              gates: Annotated[str, typer.Option(help="Who decides stage gates: panel or steering-group.")] = "panel",
              coalition: Annotated[str | None, typer.Option(help="The coalition running it.")] = None,
              programme: Annotated[str | None, typer.Option(help="Or the national programme running it.")] = None,
              illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Open a call, a hackathon or an acceleration cohort of a coalition or of a programme, with its rubric."""
    platform = ready(ctx)
    if (coalition is None) == (programme is None):
        raise InvalidInput("name the call's owner: --coalition or --programme, one of them", field="--coalition")
    stored = svc.open_call(platform.uow(), platform.operator(), Call(
        code, coalition, choice(kind, CallKind, "--kind"), title, parse_date(opens, "--opens"),
        parse_date(closes, "--closes"), Rubric(tuple(_criterion(c) for c in criterion)), tuple(area or ()),
        requirement, choice(gates, GateAuthority, "--gates"), illustrative, programme))
    console.print(f"Opened {stored.kind.value} {stored.code} of {stored.owner}: {stored.title}")


@calls.command("list")
def calls_list(ctx: typer.Context, coalition: Annotated[str | None, typer.Argument()] = None,
               programme: Annotated[str | None, typer.Option(help="Only this programme's.")] = None,
               as_json: JsonFlag = False) -> None:
    """Calls, hackathons and cohorts, by opening date: of a coalition, of a programme, or all."""
    platform = ready(ctx)
    found = svc.list_calls(platform.uow(), platform.operator(), coalition, programme=programme)
    if as_json:
        emit_json(found)
        return
    table("Calls", ["Code", "Owner", "Kind", "Title", "Opens", "Closes", "Areas", "Gates"],
          [(c.code, c.owner, c.kind.value, c.title, c.opens_on, c.closes_on,
            ", ".join(c.areas) or (c.requirement or ""), c.gate_authority.value) for c in found])


@projects.command("add")
def projects_add(ctx: typer.Context, code: str,
                 call: Annotated[str, typer.Option(help="The call it answers.")],
                 title: Annotated[str, typer.Option()],
                 team: Annotated[str, typer.Option(help="The party of the team (company, start-up, research team).")],
                 domain: Annotated[str, typer.Option(help=", ".join(d.value for d in ProjectDomain))],
                 trl: Annotated[int, typer.Option(help="Technology readiness level, 1 to 9.")],
                 member: Annotated[list[str] | None, typer.Option(help="A team member (repeatable).")] = None,
                 summary: Annotated[str, typer.Option()] = "",
                 stage: Annotated[str, typer.Option(help="idea or prototype.")] = "idea",
                 illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Register a project answering a call."""
    platform = ready(ctx)
    stored = svc.register_project(platform.uow(), platform.operator(), Project(
        code, call, title, team, choice(domain, ProjectDomain, "--domain"), trl, tuple(member or ()), summary,
        choice(stage, ProjectStage, "--stage"), illustrative))
    console.print(f"Registered project {stored.code} ({stored.stage.value}, TRL {stored.trl}) in {stored.call}")


@projects.command("list")
def projects_list(ctx: typer.Context, call: Annotated[str | None, typer.Option(help="Only this call's.")] = None,
                  stage: Annotated[str | None, typer.Option(help="Only at this stage.")] = None,
                  as_json: JsonFlag = False) -> None:
    """Projects by code, with their stage."""
    platform = ready(ctx)
    found = svc.list_projects(platform.uow(), platform.operator(), call=call,
                              stage=None if stage is None else choice(stage, ProjectStage, "--stage"))
    if as_json:
        emit_json(found)
        return
    table("Projects", ["Code", "Call", "Title", "Team", "Domain", "TRL", "Stage"],
          [(p.code, p.call, p.title, p.team, p.domain.value, p.trl, p.stage.value) for p in found])


@projects.command("show")
def projects_show(ctx: typer.Context, code: str, as_json: JsonFlag = False) -> None:
    """A project's whole trail: the call, every gate with its evidence, grants, and what it delivered."""
    platform = ready(ctx)
    trail = svc.project_trail(platform.uow(), platform.operator(), code)
    if as_json:
        emit_json(trail)
        return
    p, c = trail.history.project, trail.history.call
    console.print(f"[bold]{p.code}[/bold] {p.title} — team {p.team}, {p.domain.value}, TRL {p.trl}, "
                  f"stage {p.stage.value}", highlight=False)
    console.print(f"Answered {c.kind.value} {c.code} ({c.title}) of {c.owner}; {trail.history.reviews} "
                  "review(s)", highlight=False)
    table("Stage gates", ["From", "To", "Decided by", "On", "Recorded", "Evidence", "Decision"],
          [(g.from_stage.value, g.to_stage.value, g.decided_by, g.decided_on,
            g.recorded_at.isoformat(timespec="seconds") if g.recorded_at else "", ", ".join(map(str, g.evidence)),
            g.decision or "") for g in trail.history.gates])
    table("Evidence", ["Id", "Kind", "Title", "Reference", "On"],
          [(e.id, e.kind.value, e.title, e.reference, e.recorded_on) for e in trail.history.evidence])
    table("Grants", ["Grant", "Fund", "Awarded", "Paid", "Milestones"],
          [(g.code, g.fund, g.amount, trail.paid[g.code], len(g.milestones)) for g in trail.grants])
    table("Procurement", ["Case", "Route", "Requirements", "Contract", "Supplier"],
          [(case.code, case.route.value, ", ".join(case.requirements),
            ", ".join(k.code for k in trail.contracts if k.case == case.code),
            ", ".join(k.supplier for k in trail.contracts if k.case == case.code)) for case in trail.cases])
    table("Deliveries", ["Requirement", "Required", "Contracted", "Shipped", "Accepted"],
          [(d.requirement, d.required, d.contracted, d.shipped, d.accepted) for d in trail.deliveries])


@projects.command("evidence")
def projects_evidence(ctx: typer.Context, project: str,
                      kind: Annotated[str, typer.Option(help=", ".join(k.value for k in EvidenceKind))],
                      title: Annotated[str, typer.Option()],
                      reference: Annotated[str, typer.Option(help="Where the document or result is kept.")],
                      on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD.")]) -> None:
    """Add evidence (a test report, a field-test result, a document) to a project."""
    platform = ready(ctx)
    stored = svc.add_evidence(platform.uow(), platform.operator(), Evidence(
        project, choice(kind, EvidenceKind, "--kind"), title, reference, parse_date(on, "--on")))
    console.print(f"Evidence {stored.id} added to {project}")


def _reviewer(platform: Platform, username: str) -> Actor:
    """The registered reviewer, on whose behalf the operator records a declaration or a review."""
    try:
        return identity.actor_for_user(platform.uow(), username)
    except Unauthenticated:
        raise NotFound(f"no active user '{username}'", field="--reviewer") from None


@app.command("declare")
def declare(ctx: typer.Context, project: str,
            reviewer: Annotated[str, typer.Option(help="The reviewer's user name.")],
            conflicted: Annotated[bool, typer.Option(help="The reviewer has a conflict of interest.")] = False,
            note: Annotated[str, typer.Option(help="What the conflict is (required with --conflicted).")] = "",
            withdraw_review: Annotated[bool, typer.Option(
                "--withdraw-review", help="Confirm that a conflict declared after reviewing withdraws the review "
                                      "(and changes the normalised scores of the call's projects).")] = False) -> None:
    """Record a reviewer's declaration of (no) conflict of interest with a project."""
    platform = ready(ctx)
    actor = _reviewer(platform, reviewer)
    svc.declare_conflict(platform.uow(), actor, project, conflicted=conflicted, note=note, withdraw=withdraw_review)
    console.print(f"{reviewer} declared {'a' if conflicted else 'no'} conflict of interest with {project}")


def _scores(items: list[str]) -> dict[str, int]:
    found = {}
    for item in items:
        code, _, value = item.partition("=")
        if not code or not re.fullmatch(r"-?[0-9]+", value.strip()):
            raise InvalidInput(f"'{item}' is not CRITERION=SCORE (a whole number)", field="--score")
        found[code.strip()] = int(value)
    return found


@app.command("review")
def review(ctx: typer.Context, project: str,
           reviewer: Annotated[str, typer.Option(help="The reviewer's user name.")],
           score: Annotated[list[str], typer.Option(help="CRITERION=SCORE (repeatable, every criterion).")],
           comment: Annotated[str, typer.Option()] = "") -> None:
    """Record a reviewer's scores of a project by its call's rubric."""
    platform = ready(ctx)
    actor = _reviewer(platform, reviewer)
    svc.submit_review(platform.uow(), actor, project, _scores(score), comment)
    console.print(f"Review of {project} by {reviewer} recorded")


@app.command("scores")
def scores(ctx: typer.Context, call: str,
           normalised: Annotated[bool, typer.Option(help="Rank by scores normalised per reviewer.")] = False,
           as_json: JsonFlag = False) -> None:
    """A call's reviewed projects, best first: weighted mean, and normalised per reviewer (z-scores)."""
    platform = ready(ctx)
    method = ScoringMethod.NORMALISED if normalised else ScoringMethod.MEAN
    found = svc.call_scores(platform.uow(), platform.operator(), call, method)
    if as_json:
        emit_json(found)
        return
    table(f"Scores of {call}, by {method.value}", ["Rank", "Project", "Reviews", "Mean", "Normalised"],
          [(i, s.project, s.reviews, s.mean, s.normalised) for i, s in enumerate(found, 1)])


@app.command("shortlist")
def shortlist(ctx: typer.Context, call: str,
              decided_by: Annotated[str, typer.Option(help="Who decided (a panel, the steering group).")],
              on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD.")],
              top: Annotated[int | None, typer.Option(help="Shortlist the top N.")] = None,
              project: Annotated[list[str] | None, typer.Option(help="Shortlist this project (repeatable).")] = None,
              normalised: Annotated[bool, typer.Option(help="Rank by normalised scores.")] = False,
              note: Annotated[str, typer.Option()] = "") -> None:
    """Record the ranking of a call and who is shortlisted."""
    platform = ready(ctx)
    method = ScoringMethod.NORMALISED if normalised else ScoringMethod.MEAN
    stored = svc.decide_shortlist(platform.uow(), platform.operator(), call, method=method, decided_by=decided_by,
                                  on=parse_date(on, "--on"), top=top, projects=project or (), note=note)
    console.print(f"Shortlist {stored.id} of {call}: {', '.join(stored.shortlisted)}")


@app.command("gate")
def gate(ctx: typer.Context, project: str,
         to: Annotated[str, typer.Option(help="The stage to move to.")],
         decided_by: Annotated[str, typer.Option(help="The panel or body that decided.")],
         on: Annotated[str | None, typer.Option("--on", help="The day it was decided, YYYY-MM-DD; today if "
                                                           "omitted.")] = None,
         evidence: Annotated[list[int] | None, id_option("An evidence id (repeatable).")] = None,
         decision: Annotated[int | None, id_option("The steering group's decision (proposal id).")] = None,
         trl: Annotated[int | None, typer.Option(help="The readiness level reached.")] = None,
         note: Annotated[str, typer.Option()] = "") -> None:
    """Move a project through a stage gate, by a recorded decision with its evidence."""
    platform = ready(ctx)
    stored = svc.decide_gate(platform.uow(), platform.operator(), project, to=choice(to, ProjectStage, "--to"),
                             decided_by=decided_by, on=None if on is None else parse_date(on, "--on"),
                             evidence=evidence or (),
                             decision=decision, trl=trl, note=note)
    console.print(f"{project}: {stored.from_stage.value} -> {stored.to_stage.value} (gate {stored.id})")


@app.command("gate-rules")
def gate_rules(ctx: typer.Context,
               min_reviews: Annotated[int, typer.Option(help="Independent reviews a project needs before a gate.")],
               shortlist_first: Annotated[bool, typer.Option(help="A shortlist before the first gate.")] = False,
               own_evidence: Annotated[bool, typer.Option(help="Each gate cites evidence of its own.")] = True,
               coalition: Annotated[str | None, typer.Option(help="The coalition whose rules these are.")] = None,
               programme: Annotated[str | None, typer.Option(help="Or the programme whose rules these are.")] = None,
               ) -> None:
    """Set the gate rules of a coalition or a programme; gates decided after follow them."""
    platform = ready(ctx)
    stored = programmes_svc.set_gate_rules(platform.uow(), platform.operator(),
                                           GateRules(min_reviews, shortlist_first, own_evidence), coalition=coalition,
                                           programme=programme)
    console.print(f"Gate rules of {coalition or programme}: {'; '.join(stored.describe())}")


def _milestone(number: int, text: str, currency: str) -> Milestone:
    title, _, amount = text.rpartition("=")
    if not title:
        raise InvalidInput(f"'{text}' is not TITLE=AMOUNT", field="--milestone")
    return Milestone(number, title, Money.parse(amount.strip(), currency, "--milestone"))


@grants.command("award")
def grants_award(ctx: typer.Context, code: str,
                 project: Annotated[str, typer.Option()],
                 fund: Annotated[str, typer.Option(help="The coalition fund paying it.")],
                 amount: Annotated[str, typer.Option(help="A decimal amount.")],
                 currency: Annotated[str, typer.Option(help="The coalition's reporting currency.")],
                 milestone: Annotated[list[str], typer.Option(help="TITLE=AMOUNT, in order (repeatable).")],
                 on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD.")],
                 decided_by: Annotated[str, typer.Option(help="Who decided the award.")],
                 decision: Annotated[int | None, id_option(
                     "The steering group's decision (unless the rules let the secretariat award).")] = None,
                 ) -> None:
    """Award a grant; its money is reserved in the fund, each part naming its contribution."""
    platform = ready(ctx)
    code_currency = currency.strip().upper()
    stored = svc.award_grant(platform.uow(), platform.operator(), ProjectGrant(
        code, project, fund, Money.parse(amount, code_currency),
        tuple(_milestone(i, m, code_currency) for i, m in enumerate(milestone, 1)), parse_date(on, "--on"),
        decided_by), decision=decision)
    console.print(f"Grant {stored.code} of {stored.amount} awarded to {stored.project}")


@grants.command("pay")
def grants_pay(ctx: typer.Context, code: str,
               milestone: Annotated[int, typer.Option(help="The milestone met.")],
               amount: Annotated[str, typer.Option()],
               currency: Annotated[str, typer.Option()],
               on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD.")],
               reference: Annotated[str, typer.Option()] = "") -> None:
    """Pay a tranche of a grant for a milestone met."""
    platform = ready(ctx)
    stored = svc.pay_grant(platform.uow(), platform.operator(), code, milestone=milestone,
                           amount=Money.parse(amount, currency.strip().upper()), paid_on=parse_date(on, "--on"),
                           reference=reference)
    console.print(f"Paid {stored.amount} of grant {code} for milestone {milestone}")


@grants.command("release")
def grants_release(ctx: typer.Context, code: str,
                   reason: Annotated[str, typer.Option(help="Why the grant ends early.")],
                   on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD.")]) -> None:
    """End a grant early: what is still reserved for it returns to the fund (paid tranches stay paid)."""
    platform = ready(ctx)
    released = svc.release_grant(platform.uow(), platform.operator(), code, reason=reason,
                                 on=parse_date(on, "--on"))
    console.print(f"Grant {code}: {released} returned to the fund")


@app.command("bridge")
def bridge(ctx: typer.Context, project: str, case: str,
           on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD.")]) -> None:
    """Name an adopted project's team as the supplier of a direct-industry-financing case."""
    platform = ready(ctx)
    svc.bridge_to_procurement(platform.uow(), platform.operator(), project, case, on=parse_date(on, "--on"))
    console.print(f"{project} is the supplier of case {case}")
