"""Commands for requirements, priority lists, packages and allocation plans."""

from datetime import date
from typing import Annotated

import typer

from coalition.domain.allocation import Policy
from coalition.domain.common import parse_date
from coalition.domain.contributions import FundingRoute
from coalition.domain.errors import InvalidInput
from coalition.domain.money import Money, check_currency
from coalition.domain.requirements import Package, Requirement, RequirementStatus
from coalition.entrypoints.cli.output import choice, console, emit_json, table
from coalition.entrypoints.cli.params import AsOf, as_of_day, id_argument, version_argument, version_option
from coalition.entrypoints.cli.process import collector_paused
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import planning as svc
from coalition.services.views import priorities as priority_views

requirements = typer.Typer(help="The recipient's requirements and their lifecycle.", no_args_is_help=True)
priorities = typer.Typer(help="Versioned priority lists.", no_args_is_help=True)
packages = typer.Typer(help="Packages funded jointly: PURL packages (list, show, propose, contribute, validate, fund, "
                            "deliver) and a coalition's own prioritized packages (add).", no_args_is_help=True)
allocation = typer.Typer(help="Allocation plans: run, show, approve, release.", no_args_is_help=True)


@requirements.command("add")
def requirements_add(ctx: typer.Context, coalition: str, code: str,
                     title: Annotated[str, typer.Option()], area: Annotated[str, typer.Option(help="Capability area.")],
                     quantity: Annotated[int, typer.Option()], unit: Annotated[str, typer.Option()],
                     unit_cost: Annotated[str, typer.Option(help="Estimated cost of one unit.")],
                     currency: Annotated[str, typer.Option()] = "EUR",
                     owner: Annotated[str, typer.Option(help="The recipient's party that owns it.")] = "UA-MOD",
                     end_user: Annotated[list[str] | None, typer.Option(help="Receiving unit (repeatable).")] = None,
                     stock_number: Annotated[str | None, typer.Option()] = None,
                     package: Annotated[str | None, typer.Option()] = None,
                     route: Annotated[str | None, typer.Option(
                         help="Intended funding route: agency, direct-industry, prioritized-package or "
                              "donation-from-stock.")] = None,
                     status: Annotated[str, typer.Option(help="Initial status (draft or submitted).")] = "draft",
                     illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Record a requirement of the recipient."""
    platform = ready(ctx)
    initial = choice(status, RequirementStatus, "--status")
    if initial not in (RequirementStatus.DRAFT, RequirementStatus.SUBMITTED):
        raise InvalidInput("a new requirement is draft or submitted", field="--status")
    added = svc.add_requirement(platform.uow(), platform.operator(), Requirement(
        code, coalition, owner, title, area, quantity, unit, Money.parse(unit_cost, check_currency(currency)),
        tuple(end_user or ()), stock_number, package, None if route is None else choice(route, FundingRoute, "--route"),
        initial, illustrative))
    console.print(f"Recorded requirement {added.code}: {added.quantity} {added.unit}, {added.cost}")


@requirements.command("list")
def requirements_list(ctx: typer.Context, coalition: str, as_json: JsonFlag = False) -> None:
    """Requirements of a coalition with their status and cost."""
    platform = ready(ctx)
    found = svc.list_requirements(platform.uow(), platform.operator(), coalition).items
    if as_json:
        emit_json(found)
        return
    table(f"Requirements of {coalition} ({len(found)})", ["Code", "Title", "Area", "Qty", "Unit", "Cost", "Status",
                                                          "End users"],
          [(r.code, r.title, r.area, r.quantity, r.unit, r.cost, r.status.value, ", ".join(r.end_users))
           for r in found])


@requirements.command("show")
def requirements_show(ctx: typer.Context, code: str, as_json: JsonFlag = False) -> None:
    """One requirement with its status history."""
    platform = ready(ctx)
    found, history = svc.requirement_history(platform.uow(), platform.operator(), code)
    if as_json:
        emit_json({"requirement": found, "history": [{"from": f, "to": t, "at": at, "note": n}
                                                     for f, t, at, n in history]})
        return
    console.print(f"[bold]{found.code}[/bold]: {found.title} ({found.area}); {found.quantity} {found.unit} at "
                  f"{found.unit_cost} = {found.cost}; status {found.status.value}")
    table("History", ["From", "To", "When", "Note"], history)


@requirements.command("status")
def requirements_status(ctx: typer.Context, code: str, to: Annotated[str, typer.Argument(help="New status.")],
                        note: Annotated[str, typer.Option()] = "") -> None:
    """Move a requirement along its lifecycle (submitted, validated, ... cancelled)."""
    platform = ready(ctx)
    moved = svc.change_requirement_status(platform.uow(), platform.operator(), code,
                                          choice(to, RequirementStatus, "status"), note)
    console.print(f"{moved.code} is now {moved.status.value}")


@packages.command("add")
def packages_add(ctx: typer.Context, coalition: str, code: str, title: Annotated[str, typer.Option()],
                 size: Annotated[str, typer.Option(help="The package's fixed size (amount).")],
                 currency: Annotated[str, typer.Option()] = "EUR",
                 illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Define a prioritized package; requirements join it with `requirements add --package`."""
    platform = ready(ctx)
    added = svc.add_package(platform.uow(), platform.operator(), Package(
        code, coalition, title, Money.parse(size, check_currency(currency), field="--size"), illustrative))
    console.print(f"Defined package {added.code} of {added.size}")


@priorities.command("submit")
def priorities_submit(ctx: typer.Context, coalition: str,
                      ranks: Annotated[list[str], typer.Argument(help="Requirement codes, highest priority first.")],
                      by: Annotated[str, typer.Option("--by", help="Submitting party.")] = "UA-MOD",
                      on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD; today if omitted.")] = None,
                      note: Annotated[str, typer.Option()] = "") -> None:
    """Submit a new version of the priority list."""
    platform = ready(ctx)
    day = platform.clock().date() if on is None else parse_date(on, "--on")
    version = svc.submit_priority_list(platform.uow(), platform.operator(), coalition=coalition, ranks=ranks,
                                       submitted_by=by, on=day, note=note)
    console.print(f"Submitted {coalition} priority list version {version.version} ({len(version.ranks)} ranks)")


@priorities.command("approve")
def priorities_approve(ctx: typer.Context, coalition: str,
                       version: Annotated[int, version_argument("The version to approve.")],
                       by: Annotated[str, typer.Option("--by", help="Who approves: the validating authority, "
                                                       "or the secretariat.")] = "secretariat",
                       on: Annotated[str | None, typer.Option("--on")] = None) -> None:
    """Approve a submitted version; it becomes the active list."""
    platform = ready(ctx)
    day = platform.clock().date() if on is None else parse_date(on, "--on")
    approved = svc.approve_priority_list(platform.uow(), platform.operator(), coalition=coalition, version=version,
                                         approved_by=by, on=day)
    console.print(f"Approved {coalition} priority list version {approved.version} by {approved.approved_by}")


@priorities.command("show")
def priorities_show(ctx: typer.Context, coalition: str,
                    version: Annotated[int | None, version_option("A version; the active one if omitted.")] = None,
                    on: AsOf = None, as_json: JsonFlag = False) -> None:
    """A priority list with, per rank, the cost, the money reserved, contracted or paid, and what is missing (as of
    a day with --on: the list active then and the money then)."""
    platform = ready(ctx)
    found = priority_views.coverage(platform.uow(), platform.operator(), coalition, version, on=as_of_day(on))
    short = found.next_short
    if as_json:
        emit_json({"coalition": coalition, "version": found.version, "on": found.on, "available": found.available,
                   "affordable": found.affordable,
                   "ranks": [{"rank": r.rank, "requirement": r.requirement.code, "title": r.requirement.title,
                              "cost": r.cost, "reserved": r.reserved, "contracted": r.contracted,
                              "in_kind": r.in_kind, "missing": r.missing,
                              "status": r.requirement.status} for r in found.ranks],
                   "next": None if short is None else {"requirement": short.requirement.code,
                                                       "missing": short.missing}})
        return
    table(f"{coalition} priority list version {found.version}: coverage per rank"
          + (f", as of {found.on}" if found.on else ""),
          ["Rank", "Requirement", "Title", "Cost", "Reserved", "Contracted or paid", "Given in kind", "Missing",
           "Status"],
          [(r.rank, r.requirement.code, r.requirement.title, r.cost.amount, r.reserved.amount, r.contracted.amount,
            r.in_kind.amount if r.in_kind else 0, r.missing.amount, r.requirement.status.value)
           for r in found.ranks])
    console.print(f"Money available, not yet reserved: {found.available}; with it, the first {found.affordable} "
                  "rank(s) would be complete, in order (earmarks aside)")
    if short is not None:
        console.print(f"Next: rank {short.rank}, {short.requirement.code} ({short.requirement.title}) still lacks "
                      f"{short.missing}")


@priorities.command("diff")
def priorities_diff(ctx: typer.Context, coalition: str, old: Annotated[int, version_argument("The older version.")],
                    new: Annotated[int, version_argument("The newer version.")], as_json: JsonFlag = False) -> None:
    """What moved between two versions of the priority list."""
    platform = ready(ctx)
    moves = priority_views.priority_diff(platform.uow(), platform.operator(), coalition, old, new)
    if as_json:
        emit_json([{"requirement": m.requirement, "before": m.before, "after": m.after, "change": m.change}
                   for m in moves])
        return
    table(f"{coalition}: version {old} to {new}", ["Requirement", f"Rank in v{old}", f"Rank in v{new}", "Change"],
          [(m.requirement, m.before, m.after, m.change) for m in moves])


def _print_plan(plan_id: int, ctx: typer.Context, as_json: bool) -> None:
    platform = ready(ctx)
    plan = svc.get_plan(platform.uow(), platform.operator(), plan_id)
    if as_json:
        emit_json(plan)
        return
    decided = f" on {plan.decided_on}" if plan.decided_on else ""
    console.print(f"[bold]Allocation plan {plan.id}[/bold] for {plan.coalition}: run on {plan.run_on}, "
                  f"{plan.state.value}{decided}; priority list v{plan.priority_version}; ledger position "
                  f"{plan.ledger_position}; policy {plan.policy.value}")
    table("Requirements", ["Rank", "Requirement", "Cost", "Reserved before", "This plan", "Missing", "Fully funded"],
          [(r.rank, r.requirement, r.cost.amount, r.reserved_before.amount, r.funded.amount, r.missing.amount,
            "yes" if r.fully_funded else "no") for r in plan.requirements])
    table("Lines (contribution -> requirement)", ["Contribution", "Requirement", "Amount", f"In {plan.currency}"],
          [(line.contribution, line.requirement, line.amount, line.reporting.amount) for line in plan.lines])
    short = plan.next_requirement
    console.print("Now fully funded: " + (", ".join(plan.now_fully_funded) or "none"))
    if short is not None:
        console.print(f"Next: {short.requirement} (rank {short.rank}) still lacks {short.missing}")


ActDay = Annotated[str | None, typer.Option("--on", help="The day the act happened (YYYY-MM-DD); today if not given.")]


def _day(text: str | None) -> date | None:
    return None if text is None else parse_date(text, "--on")


@allocation.command("run")
def allocation_run(ctx: typer.Context, coalition: str,
                   policy: Annotated[str, typer.Option(help="partial, strict or skip.")] = "partial",
                   with_commitments: Annotated[bool, typer.Option(
                       help="Count committed money not yet received too (a forecast, which cannot be approved).")
                   ] = False,
                   on: ActDay = None, as_json: JsonFlag = False) -> None:
    """Allocate unreserved money to the active priority list; store a proposed plan."""
    platform = ready(ctx)
    with collector_paused():
        plan = svc.run_allocation(platform.uow(), platform.operator(), coalition,
                                  policy=choice(policy, Policy, "--policy"), include_commitments=with_commitments,
                                  on=_day(on))
    assert plan.id is not None
    _print_plan(plan.id, ctx, as_json)


@allocation.command("show")
def allocation_show(ctx: typer.Context, plan: Annotated[int, id_argument("The plan's id.")],
                    as_json: JsonFlag = False) -> None:
    """A plan with its lines and the next requirement's shortfall."""
    _print_plan(plan, ctx, as_json)


@allocation.command("approve")
def allocation_approve(ctx: typer.Context, plan: Annotated[int, id_argument("The plan's id.")],
                       on: ActDay = None) -> None:
    """Approve a proposed plan: reserve its money in the ledger, each reservation naming its contribution."""
    platform = ready(ctx)
    approved = svc.approve_plan(platform.uow(), platform.operator(), plan, on=_day(on))
    console.print(f"Plan {plan} approved on {approved.decided_on}: {len(approved.lines)} reservations recorded")


@allocation.command("release")
def allocation_release(ctx: typer.Context, coalition: str, requirement: str,
                       reason: Annotated[str, typer.Option(help="Why the money is released.")],
                       on: ActDay = None,
                       excess_only: Annotated[bool, typer.Option(
                           "--excess-only", help="Only what is reserved beyond what the requirement still needs "
                           "after its contracts and the equipment given for it in kind.")] = False) -> None:
    """Release the money reserved for a requirement back to its funds (all of it, or only the excess), where the
    next allocation offers it to the next rank."""
    platform = ready(ctx)
    count = svc.release_reservation(platform.uow(), platform.operator(), coalition=coalition, requirement=requirement,
                                    reason=reason, on=_day(on), excess_only=excess_only)
    console.print(f"Released {count} reservation(s) of {requirement}")
