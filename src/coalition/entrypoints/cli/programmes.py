"""Commands for national defence-innovation programmes: list them, show one with its stages, gate rules and
calls, and create one owned by a state."""

from __future__ import annotations

from typing import Annotated

import typer

from coalition.domain.innovation import COALITION_STAGES, GateRules, Programme, ProjectDomain, ProjectStage
from coalition.entrypoints.cli.output import choice, console, emit_json, table
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import programmes as svc

app = typer.Typer(help="National defence-innovation programmes: their calls, stages and gate rules.",
                  no_args_is_help=True)


@app.command("list")
def programmes_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Programmes by code."""
    platform = ready(ctx)
    found = svc.list_programmes(platform.uow(), platform.operator())
    if as_json:
        emit_json(found)
        return
    table("Programmes", ["Code", "Name", "Owner", "Run by", "Place", "Since", "Stages"],
          [(p.code, p.name, p.owner, p.run_by or "", p.place, p.since or "", " -> ".join(s.value for s in p.stages))
           for p in found])


@app.command("show")
def programmes_show(ctx: typer.Context, code: str, as_json: JsonFlag = False) -> None:
    """A programme: its areas, stages, gate rules, calls, and projects by stage."""
    platform = ready(ctx)
    view = svc.programme_view(platform.uow(), platform.operator(), code)
    if as_json:
        emit_json(view)
        return
    p = view.programme
    console.print(f"[bold]{p.name}[/bold] ({p.code}), a programme of {p.owner}"
                  f"{f', run by {p.run_by}' if p.run_by else ''}{f', {p.place}' if p.place else ''}"
                  f"{f', since {p.since}' if p.since else ''}")
    console.print(f"Areas: {', '.join(a.value for a in p.areas)}")
    console.print(f"Stages: {' -> '.join(s.value for s in p.stages)}")
    console.print(f"Gate rules: {'; '.join(p.gate_rules.describe())}")
    table("Calls", ["Code", "Kind", "Title", "Opens", "Closes"],
          [(c.code, c.kind.value, c.title, c.opens_on, c.closes_on) for c in view.calls])
    table("Projects by stage", ["Stage", "Projects"],
          [(s.value, ", ".join(x.code for x in view.at(s))) for s in p.stages])


@app.command("create")
def programmes_create(ctx: typer.Context, code: str,
                      name: Annotated[str, typer.Option()],
                      owner: Annotated[str, typer.Option(help="The state that owns it (a party's code).")],
                      area: Annotated[list[str], typer.Option(help=", ".join(d.value for d in ProjectDomain)
                                                              + " (repeatable).")],
                      stage: Annotated[list[str] | None, typer.Option(
                          help="Its stages in order (repeatable); the coalition pipeline's if omitted.")] = None,
                      run_by: Annotated[str | None, typer.Option(help="The body that runs it (a party's code).")]
                      = None,
                      place: Annotated[str, typer.Option()] = "",
                      since: Annotated[int | None, typer.Option(help="The year it began.")] = None,
                      min_reviews: Annotated[int, typer.Option(help="Independent reviews needed before a gate.")] = 1,
                      shortlist_first: Annotated[bool, typer.Option(help="A shortlist before the first gate.")]
                      = False,
                      own_evidence: Annotated[bool, typer.Option(help="Each gate cites evidence of its own.")] = True,
                      illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Register a state's own defence-innovation programme."""
    platform = ready(ctx)
    stages = tuple(choice(s, ProjectStage, "--stage") for s in stage) if stage else COALITION_STAGES
    stored = svc.create_programme(platform.uow(), platform.operator(), Programme(
        code, name, owner, tuple(choice(a, ProjectDomain, "--area") for a in area), stages,
        GateRules(min_reviews, shortlist_first, own_evidence), run_by, place, since, illustrative))
    console.print(f"Created programme {stored.code} of {stored.owner}: {' -> '.join(s.value for s in stored.stages)}")
