"""The root of the `coalition` command: wiring, error handling, `init` and `demo`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from coalition.bootstrap import Platform, bootstrap
from coalition.config import Environment
from coalition.demo.innovation import showcase
from coalition.demo.programmes import PARK
from coalition.demo.users import DEMO_PASSWORD, DEMO_USERS, build_demo_users
from coalition.demo.world import build_demo_world
from coalition.domain.errors import CoalitionError, DocumentStoreFailed, StorageFailed
from coalition.entrypoints.cli import (
    allocation,
    audit,
    backups,
    documents,
    exports,
    funding,
    identity,
    imports,
    innovation,
    intake_queue,
    jobs,
    offers,
    output,
    planning,
    procurement,
    programmes,
    registry,
    search,
    steering,
    webhooks,
)
from coalition.entrypoints.cli import packages as purl
from coalition.services.steering import list_meetings
from coalition.services.views.delivery import donor_procurement

app = typer.Typer(
    name="coalition",
    help="Coalition: members, instruments, money and equipment of capability coalitions on one audited record.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(registry.parties, name="parties")
app.add_typer(registry.coalitions, name="coalitions")
app.add_typer(registry.members, name="members")
app.add_typer(registry.instruments, name="instruments")
app.add_typer(funding.areas, name="areas")
app.add_typer(funding.pledges, name="pledges")
app.add_typer(funding.commitments, name="commitments")
app.add_typer(funding.receipts, name="receipts")
app.add_typer(funding.in_kind, name="in-kind")
app.add_typer(imports.imports, name="import")
app.add_typer(funding.fx, name="fx")
app.add_typer(funding.report, name="report")
app.add_typer(funding.ledger_app, name="ledger")
app.add_typer(planning.requirements, name="requirements")
app.add_typer(purl.packages, name="packages")  # planning's group, with the PURL commands added to it
app.add_typer(offers.offers, name="offers")
app.add_typer(exports.exports, name="export")
app.add_typer(planning.priorities, name="priorities")
app.add_typer(planning.allocation, name="allocation")
app.command("allocate")(allocation.allocate)
app.add_typer(steering.meetings, name="meetings")
app.add_typer(steering.proposals, name="proposals")
app.add_typer(steering.decisions, name="decisions")
app.add_typer(procurement.cases, name="cases")
app.add_typer(procurement.tenders, name="tenders")
app.add_typer(procurement.contracts, name="contracts")
app.add_typer(procurement.deliveries, name="deliveries")
app.add_typer(innovation.app, name="innovation")
app.add_typer(programmes.app, name="programmes")
app.add_typer(documents.documents, name="documents")
app.add_typer(intake_queue.intake, name="intake")  # `intake read` and the review queue
app.add_typer(audit.app, name="audit")
app.add_typer(audit.check, name="check")
app.add_typer(identity.users, name="users")
app.add_typer(identity.tokens, name="tokens")
app.command("serve")(identity.serve)
app.command("backup")(backups.backup)
app.command("restore")(backups.restore)
app.command("worker")(jobs.worker)
app.command("search")(search.search)
app.add_typer(jobs.jobs, name="jobs")
app.add_typer(webhooks.webhooks, name="webhooks")
identity.users.command("set-email")(webhooks.set_email)
identity.users.command("notifications")(webhooks.choose)


@app.callback()
def _root(ctx: typer.Context) -> None:
    if ctx.obj is None:
        ctx.obj = bootstrap()


@app.command("init")
def init(ctx: typer.Context) -> None:
    """Create the database, or bring its schema up to date."""
    platform: Platform = ctx.obj
    platform.init_database()
    output.console.print(f"Database ready: {platform.engine.url.render_as_string(hide_password=True)}")
    funding.load_bundled_rates(platform)


@app.command("demo")
def demo(ctx: typer.Context,
         serve: Annotated[bool, typer.Option(help="Then serve the web pages and the API until Ctrl-C.")] = False,
         ) -> None:
    """Build the demo world (idempotently), show its coalitions and, with --serve, serve it in a browser."""
    platform: Platform = ctx.obj
    platform.init_database()
    result = build_demo_world(platform.uow(), platform.operator())
    output.console.print(f"[bold]Demo world[/bold] in {platform.engine.url.render_as_string(hide_password=True)}: "
                         f"{len(result.created)} records created, {result.already_present} already present.")
    output.console.print("Records marked * are illustrative: their details are not public facts.\n")
    today = platform.clock().date()
    for coalition in ("it-coalition", "drone-coalition"):
        registry.print_coalition(platform, coalition, today)
    planning.priorities_show(ctx, "it-coalition", None, on=None, as_json=False)
    output.console.print("\n[bold]As of 6 March 2024[/bold]: was enough pooled for the first procurements by priority? "
                         "(coalition report funding it-coalition --on 2024-03-06)")
    planning.priorities_show(ctx, "it-coalition", None, on="2024-03-06", as_json=False)
    first_meeting = list_meetings(platform.uow(), platform.operator(), "it-coalition")[0]
    assert first_meeting.id is not None
    steering.meetings_show(ctx, first_meeting.id, False, False)
    steering.decisions_list(ctx, "it-coalition", False)
    for coalition in ("it-coalition", "drone-coalition"):
        procurement.cases_pipeline(ctx, coalition, on=None, as_json=False)
        procurement.deliveries_status(ctx, coalition, on=None, as_json=False)
    output.console.print("\n[bold]Following Estonia's euros to the units that received the equipment[/bold] "
                         "(coalition report donor EE shows the whole statement)")
    funding.print_donor_procurement(donor_procurement(platform.uow(), platform.operator(), "EE"))
    output.console.print("\n[bold]The IT Coalition's innovation challenge[/bold]: reviews normalised per reviewer, "
                         "and the adopted project from its call to the unit that received it")
    call, winner = showcase(platform.uow(), platform.operator())
    innovation.scores(ctx, call, True, False)
    innovation.projects_show(ctx, winner, False)
    output.console.print("\n[bold]Kazakhstan's Defense Tech IT Park[/bold]: a national programme, not a coalition")
    programmes.programmes_show(ctx, PARK, False)
    output.console.print("\n[bold]Beside the pooled funds[/bold]: PURL packages paid jointly by allies, and the "
                         "Danish-model offers to finance Ukraine's own industry")
    purl.packages_list(ctx, None, False)
    offers.offers_list(ctx, "drone-coalition", False)
    _demo_users(platform)
    if serve:
        identity.serve(ctx)


def _demo_users(platform: Platform) -> None:
    """The demo's users, one per role, for trying the web pages (never on a production installation)."""
    if platform.settings.env is Environment.PRODUCTION:
        output.console.print("\nNo demo users on a production installation; add users with 'coalition users add'.")
        return
    build_demo_users(platform.uow(), platform.operator(), platform.password_hasher)
    output.table(f"Demo users (password: '{DEMO_PASSWORD}')", ["User", "Acts for", "Roles", "Who"],
                 [(name, party or "", ", ".join(sorted(f"{g.role.value}@{g.coalition}" for g in grants)), who)
                  for name, party, grants, who in DEMO_USERS])
    where = f"http://{platform.settings.host}:{platform.settings.port}/"
    output.console.print(f"Web pages: {where} (sign in as one of the users above, or look as the public).",
                         highlight=False)


def main(argv: list[str] | None = None, platform: Platform | None = None) -> None:
    """Run the command line; every expected failure ends in one line on stderr and a non-zero exit."""
    try:
        try:
            wired = platform if platform is not None else bootstrap()
        except ValidationError as error:
            problem = error.errors()[0]
            output.fail(f"settings: {problem['msg'].removeprefix('Value error, ')}", 2)
        command = typer.main.get_command(app)
        command.main(args=argv if argv is not None else sys.argv[1:], prog_name="coalition",
                     standalone_mode=False, obj=wired)
    except CoalitionError as error:
        output.fail(str(error), output.exit_code_for(error))
    except typer.TyperException as error:
        # Typer's usage errors (missing or malformed options); a group called bare carries its help.
        if type(error).__name__ == "NoArgsIsHelpError":
            print(error.format_message())
            raise SystemExit(0) from None
        context = getattr(error, "ctx", None)
        where = f" (in '{context.command_path}')" if context is not None else ""
        message = " ".join(error.format_message().split())
        output.fail(f"{message}{where}; see --help", getattr(error, "exit_code", 2))
    except typer.Exit as error:
        raise SystemExit(error.exit_code) from None
    except typer.Abort:
        output.fail("aborted", 1)
    except StorageFailed as error:
        output.fail(f"{'document store' if isinstance(error, DocumentStoreFailed) else 'database'}: {error}", 1)
