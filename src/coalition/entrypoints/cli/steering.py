"""Commands for the steering group: meetings, proposals, votes, decisions."""

import json
from datetime import datetime
from typing import Annotated

import typer

from coalition.domain.common import parse_date
from coalition.domain.errors import InvalidInput
from coalition.domain.steering import Meeting, Procedure, ProposalKind, Vote
from coalition.entrypoints.cli.output import choice, console, emit_json, table
from coalition.entrypoints.cli.params import id_argument, id_option
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import steering as svc

meetings = typer.Typer(help="Steering-group meetings: attendance, agenda, minutes.", no_args_is_help=True)
proposals = typer.Typer(help="Proposals: open, vote, close, show.", no_args_is_help=True)
decisions = typer.Typer(help="Decisions and their effects.", no_args_is_help=True)


@meetings.command("create")
def meetings_create(ctx: typer.Context, coalition: str,
                    on: Annotated[str, typer.Option("--on", help="Date of the meeting, YYYY-MM-DD.")],
                    title: Annotated[str, typer.Option()],
                    place: Annotated[str, typer.Option(help="Where it is held.")] = "",
                    virtual: Annotated[bool, typer.Option(help="Held online.")] = False,
                    agenda: Annotated[list[str] | None, typer.Option(help="An agenda item (repeatable).")] = None,
                    attendee: Annotated[list[str] | None, typer.Option(help="A party present (repeatable).")] = None,
                    illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Record a meeting with its agenda and attendance."""
    platform = ready(ctx)
    stored = svc.create_meeting(platform.uow(), platform.operator(), Meeting(
        coalition, parse_date(on, "--on"), title, place, virtual, tuple(agenda or ()), illustrative=illustrative),
        attendee or ())
    console.print(f"Recorded meeting {stored.id} of {coalition} on {stored.held_on}")


@meetings.command("attend")
def meetings_attend(ctx: typer.Context, meeting: Annotated[int, id_argument("The meeting's id.")], party: str) -> None:
    """Record that a party attended a meeting."""
    platform = ready(ctx)
    svc.record_attendance(platform.uow(), platform.operator(), meeting, party)
    console.print(f"{party} attended meeting {meeting}")


@meetings.command("list")
def meetings_list(ctx: typer.Context, coalition: str, as_json: JsonFlag = False) -> None:
    """A coalition's meetings."""
    platform = ready(ctx)
    found = svc.list_meetings(platform.uow(), platform.operator(), coalition)
    if as_json:
        emit_json(found)
        return
    table(f"Meetings of {coalition}", ["Id", "Date", "Title", "Where"],
          [(m.id, m.held_on, m.title, "virtual" if m.virtual else m.place) for m in found])


@meetings.command("show")
def meetings_show(ctx: typer.Context, meeting: Annotated[int, id_argument("The meeting's id.")],
                  markdown: Annotated[bool, typer.Option(help="Print the minutes as Markdown.")] = False,
                  as_json: JsonFlag = False) -> None:
    """A meeting: attendance, agenda, proposals with their decisions, minutes."""
    platform = ready(ctx)
    view = svc.get_meeting(platform.uow(), platform.operator(), meeting)
    if as_json:
        emit_json(view)
    elif markdown:
        print(svc.minutes_markdown(view), end="")
    else:
        console.print(svc.minutes_markdown(view), markup=False)


@meetings.command("minutes")
def meetings_minutes(ctx: typer.Context, meeting: Annotated[int, id_argument("The meeting's id.")],
                     text: Annotated[str, typer.Argument(help="The minutes.")]
                     ) -> None:
    """Record a meeting's minutes (the earlier text stays in the audit log)."""
    platform = ready(ctx)
    svc.set_minutes(platform.uow(), platform.operator(), meeting, text)
    console.print(f"Minutes of meeting {meeting} recorded")


@proposals.command("open")
def proposals_open(ctx: typer.Context, coalition: str,
                   kind: Annotated[str, typer.Argument(help="approve-priority-list, approve-plan, admit-member, "
                                                            "change-role or change-rules.")],
                   title: Annotated[str, typer.Option()],
                   payload: Annotated[str, typer.Option(help='What it would change, as JSON, e.g. {"version": 2}.')],
                   meeting: Annotated[int | None, id_option("Decide it in this meeting.")] = None,
                   written: Annotated[bool, typer.Option(help="Decide it by written procedure.")] = False,
                   silence_until: Annotated[str | None, typer.Option(
                       help="Silence procedure: approved unless a voting member objects before this time "
                            "(YYYY-MM-DDTHH:MM+00:00).")] = None,
                   as_json: JsonFlag = False) -> None:
    """Put a proposal to the steering group."""
    platform = ready(ctx)
    chosen = [name for name, flag in (("--meeting", meeting is not None), ("--written", written),
                                      ("--silence-until", silence_until is not None)) if flag]
    if len(chosen) != 1:
        raise InvalidInput("choose exactly one of --meeting, --written and --silence-until", field="procedure")
    try:
        data = json.loads(payload)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"not valid JSON: {error.msg}", field="--payload") from None
    if not isinstance(data, dict):
        raise InvalidInput("must be a JSON object", field="--payload")
    deadline = None
    if silence_until is not None:
        try:
            deadline = datetime.fromisoformat(silence_until)
        except ValueError:
            raise InvalidInput(f"'{silence_until}' is not a date and time such as 2024-03-01T12:00+00:00",
                               field="--silence-until") from None
        if deadline.tzinfo is None:
            raise InvalidInput("give the time zone, e.g. +00:00", field="--silence-until")
    procedure = Procedure.MEETING if meeting is not None else Procedure.WRITTEN if written else Procedure.SILENCE
    stored = svc.open_proposal(platform.uow(), platform.operator(), coalition=coalition,
                               kind=choice(kind, ProposalKind, "kind"), title=title, payload=data,
                               procedure=procedure, meeting=meeting, deadline=deadline)
    if as_json:
        emit_json(stored)
        return
    console.print(f"Opened proposal {stored.id}: {stored.title} ({stored.procedure.value})")


@proposals.command("vote")
def proposals_vote(ctx: typer.Context, proposal: Annotated[int, id_argument("The proposal's id.")], party: str,
                   vote: Annotated[str, typer.Argument(help="for, against or abstain.")]) -> None:
    """Record a voting member's vote (it may change until the proposal closes)."""
    platform = ready(ctx)
    cast = svc.cast_vote(platform.uow(), platform.operator(), proposal, party, choice(vote, Vote, "vote"))
    console.print(f"{cast.party} voted {cast.vote.value} on proposal {proposal}")


@proposals.command("close")
def proposals_close(ctx: typer.Context, proposal: Annotated[int, id_argument("The proposal's id.")],
                    on: Annotated[str | None, typer.Option("--on", help=(
                        "The day a written or silence procedure closed (YYYY-MM-DD); today if not given."))] = None,
                    as_json: JsonFlag = False) -> None:
    """Count the votes under the rules in force; record the decision and apply it if approved."""
    platform = ready(ctx)
    decided = svc.close_proposal(platform.uow(), platform.operator(), proposal,
                                 on=None if on is None else parse_date(on, "--on"))
    if as_json:
        emit_json(decided)
        return
    console.print(f"Proposal {proposal}: {decided.outcome.value if decided.outcome else ''}. {decided.reason}")
    for effect in decided.effects:
        console.print(f"  effect: {effect}")


@proposals.command("show")
def proposals_show(ctx: typer.Context, proposal: Annotated[int, id_argument("The proposal's id.")],
                   as_json: JsonFlag = False) -> None:
    """A proposal with every vote cast and, once decided, the decision."""
    platform = ready(ctx)
    view = svc.get_proposal(platform.uow(), platform.operator(), proposal)
    if as_json:
        emit_json(view)
        return
    p = view.proposal
    console.print(f"[bold]{p.title}[/bold] ({p.kind.value}, {p.procedure.value}): {p.state.value}"
                  + (f", {p.outcome.value}: {p.reason}" if p.outcome else ""))
    table("Votes (the latest of each member counts)", ["Party", "Vote", "Cast at", "Recorded by"],
          [(v.party, v.vote.value, v.cast_at.isoformat(timespec="seconds"), v.actor) for v in view.votes])


@decisions.command("list")
def decisions_list(ctx: typer.Context, coalition: str, as_json: JsonFlag = False) -> None:
    """Every decision of a coalition: what, when, under which rule, and what it changed."""
    platform = ready(ctx)
    found = svc.decisions(platform.uow(), platform.operator(), coalition)
    if as_json:
        emit_json(found)
        return
    table(f"Decisions of {coalition}", ["Proposal", "Decided", "Title", "Outcome", "Reason", "Effects"],
          [(p.id, (p.tally or {}).get("decided_on", ""), p.title, p.outcome.value if p.outcome else "",
            p.reason, "; ".join(p.effects)) for p in found])
