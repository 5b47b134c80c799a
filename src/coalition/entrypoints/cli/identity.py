"""Commands for users, their roles and API tokens, and `serve`, which starts the HTTP API."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import Annotated

import typer

from coalition.bootstrap import Platform
from coalition.domain.errors import InvalidInput
from coalition.domain.identity import MAX_TOKEN_DAYS, Scope, User, parse_grant
from coalition.entrypoints.cli.output import console, emit_json, table
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import identity as svc

users = typer.Typer(help="Users who sign in to the API and the web pages; their roles, passwords and browser sessions.",
                    no_args_is_help=True)
tokens = typer.Typer(help="API tokens: scoped, expiring, revocable.", no_args_is_help=True)

RoleOption = Annotated[list[str], typer.Option("--role", help="role@COALITION (or platform-admin); repeatable.")]


def _password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise InvalidInput("no password on standard input", field="password")
        return line
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Repeat the password", hide_input=True) != first:
        raise InvalidInput("the two passwords differ", field="password")
    return str(first)


@users.command("add")
def users_add(ctx: typer.Context, username: str,
              party: Annotated[str | None, typer.Option(help="The party the user acts for.")] = None,
              role: RoleOption = [],  # noqa: B006 - Typer reads the default, never mutates it
              oidc_subject: Annotated[str | None, typer.Option(
                  help="Identity-provider subject; with it and no password, the user signs in only there.")] = None,
              password_stdin: Annotated[bool, typer.Option(
                  help="Read the password from standard input (one line) instead of asking.")] = False) -> None:
    """Register a user: USERNAME, the party it acts for and its roles. Asks for a password."""
    platform = ready(ctx)
    user = User(username, party, frozenset(parse_grant(r) for r in role), oidc_subject)
    password = None if oidc_subject is not None and not password_stdin else _password(password_stdin)
    svc.add_user(platform.uow(), platform.operator(), platform.password_hasher, user, password)
    console.print(f"User {username} added" + (f" for {party}" if party else "")
                  + (f" with {', '.join(role)}" if role else " with no role yet"))


@users.command("roles")
def users_roles(ctx: typer.Context, username: str, role: RoleOption = []) -> None:  # noqa: B006
    """Replace the roles a user holds (no --role removes them all)."""
    platform = ready(ctx)
    svc.set_grants(platform.uow(), platform.operator(), username, frozenset(parse_grant(r) for r in role))
    console.print(f"{username} now holds: {', '.join(role) or 'no role'}")


@users.command("disable")
def users_disable(ctx: typer.Context, username: str) -> None:
    """Stop a user signing in, by password, token or identity provider."""
    platform = ready(ctx)
    svc.set_active(platform.uow(), platform.operator(), username, False)
    console.print(f"{username} is disabled")


@users.command("enable")
def users_enable(ctx: typer.Context, username: str) -> None:
    """Let a disabled user sign in again."""
    platform = ready(ctx)
    svc.set_active(platform.uow(), platform.operator(), username, True)
    console.print(f"{username} is enabled")


@users.command("password")
def users_password(ctx: typer.Context, username: str,
                   password_stdin: Annotated[bool, typer.Option(
                       help="Read the password from standard input (one line) instead of asking.")] = False) -> None:
    """Give USERNAME a new password (asks for it); every browser session of the user ends."""
    platform = ready(ctx)
    svc.set_password(platform.uow(), platform.operator(), platform.password_hasher, username,
                     _password(password_stdin))
    console.print(f"{username} has a new password; its browser sessions have ended")


@users.command("sessions")
def users_sessions(ctx: typer.Context, username: str, as_json: JsonFlag = False) -> None:
    """USERNAME's live browser sessions: how and when each signed in, when it was last used and when it ends."""
    platform = ready(ctx)
    policy = platform.session_policy
    found = svc.list_sessions(platform.uow(), platform.operator(), username, policy)
    if as_json:
        emit_json([{"id": s.id, "username": s.username, "method": s.method, "created_at": s.created_at,
                    "last_seen_at": s.last_seen_at, "ends_at": policy.ends_at(s)} for s in found])
        return
    table(f"Browser sessions of {username}", ["Id", "Signed in by", "Signed in", "Last used", "Ends"],
          [(s.id, s.method.value, f"{s.created_at:%Y-%m-%d %H:%M} UTC", f"{s.last_seen_at:%Y-%m-%d %H:%M} UTC",
            f"{policy.ends_at(s):%Y-%m-%d %H:%M} UTC") for s in found])


@users.command("end-sessions")
def users_end_sessions(ctx: typer.Context, username: str) -> None:
    """Sign USERNAME out of every browser: its sessions end at once (its API tokens stay; revoke them apart)."""
    platform = ready(ctx)
    ended = svc.end_sessions(platform.uow(), platform.operator(), username, platform.session_policy)
    console.print(f"{ended} browser session{'' if ended == 1 else 's'} of {username} ended")


@users.command("list")
def users_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Users, their parties and roles."""
    platform = ready(ctx)
    found = svc.list_users(platform.uow(), platform.operator())
    if as_json:
        emit_json(found)
        return
    table("Users", ["User", "Party", "Roles", "Identity provider subject", "Active"],
          [(u.username, u.party or "", ", ".join(u.actor().describe()["roles"]),  # type: ignore[arg-type]
            u.oidc_subject or "", "yes" if u.active else "no") for u in found])


@tokens.command("create")
def tokens_create(ctx: typer.Context, username: str,
                  name: Annotated[str, typer.Option(help="What the token is for, e.g. the client system.")],
                  scope: Annotated[list[str], typer.Option(help="read or write (write includes read).")] = ["read"],  # noqa: B006
                  days: Annotated[int, typer.Option(min=1, max=MAX_TOKEN_DAYS, help="Days until it expires.")] = 90
                  ) -> None:
    """Create an API token for USERNAME; the token is printed once and never stored readable."""
    platform = ready(ctx)
    scopes = frozenset(Scope(s) if s in {x.value for x in Scope} else _bad_scope(s) for s in scope)
    token, text = svc.create_token(platform.uow(), platform.operator(), username=username, name=name, scopes=scopes,
                                   days=days)
    console.print(f"Token {token.id} for {username} ({', '.join(sorted(scopes))}), expires {token.expires_at:%Y-%m-%d}."
                  " Send it as 'Authorization: Bearer <token>'; it is shown only now:", highlight=False)
    print(text)


def _bad_scope(text: str) -> Scope:
    raise InvalidInput(f"'{text}' is not a scope (read, write)", field="--scope")


@tokens.command("revoke")
def tokens_revoke(ctx: typer.Context, token_id: str) -> None:
    """Revoke an API token by its id: it stops working at once."""
    platform = ready(ctx)
    svc.revoke_token(platform.uow(), platform.operator(), token_id)
    console.print(f"Token {token_id} revoked")


@tokens.command("list")
def tokens_list(ctx: typer.Context, user: Annotated[str | None, typer.Option(help="Only this user's.")] = None,
                as_json: JsonFlag = False) -> None:
    """API tokens with their scopes, expiry and revocation (never their secrets)."""
    platform = ready(ctx)
    found = svc.list_tokens(platform.uow(), platform.operator(), user)
    if as_json:
        emit_json([{"id": t.id, "username": t.username, "name": t.name, "scopes": sorted(t.scopes),
                    "created_at": t.created_at, "expires_at": t.expires_at, "revoked_at": t.revoked_at}
                   for t in found])
        return
    table("API tokens", ["Id", "User", "Name", "Scopes", "Created", "Expires", "Revoked"],
          [(t.id, t.username, t.name, ", ".join(sorted(t.scopes)), f"{t.created_at:%Y-%m-%d}",
            f"{t.expires_at:%Y-%m-%d}", "" if t.revoked_at is None else f"{t.revoked_at:%Y-%m-%d}") for t in found])


def serve(ctx: typer.Context,
          host: Annotated[str | None, typer.Option(help="Address to listen on (COALITION_HOST; 127.0.0.1).")] = None,
          port: Annotated[int | None, typer.Option(help="Port (COALITION_PORT; 8000).")] = None,
          workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes sharing the port. On "
                                               "PostgreSQL they hear of each other's changes and count sign-in "
                                               "attempts together; on SQLite each has its own read cache and "
                                               "sign-in limits, and they share the database file on this machine "
                                               "(WAL; writers queue).")] = 1,
          log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info") -> None:
    """Serve the web pages and the HTTP API (docs at /api/docs) with uvicorn (uvloop, httptools): one process, or
    --workers N processes on one port."""
    import uvicorn

    from coalition.entrypoints.api import logs
    from coalition.entrypoints.api.app import SERVER_OPTIONS, create_app
    from coalition.entrypoints.api.health import MULTIPROCESS_DIR
    from coalition.entrypoints.api.workers import IMPORT_STRING, LOG_LEVEL, settle

    platform = ready(ctx)
    close_logs = logs.configure(log_level)
    settings = platform.settings
    where = f"http://{host or settings.host}:{port or settings.port}"
    console.print(f"Coalition on {where}/: web pages there, the API under /api/v1 (documentation: {where}/api/docs); "
                  f"database {platform.engine.url.render_as_string(hide_password=True)}"
                  f"{_processes(platform, workers)}", highlight=False)
    counts: str | None = None
    options = {"host": host or settings.host, "port": port or settings.port, "loop": "uvloop", "http": "httptools",
               "log_level": log_level, "log_config": None, **SERVER_OPTIONS}
    try:
        if workers == 1:
            app = create_app(platform)
            settle()
            uvicorn.run(app, workers=1, **options)
        else:
            # Each worker wires itself from the environment: the database and data folder this command uses.
            os.environ.update({"COALITION_DATABASE_URL": platform.settings.resolved_database_url,
                               "COALITION_DATA_DIR": str(settings.data_dir), LOG_LEVEL: log_level})
            if not os.environ.get(MULTIPROCESS_DIR):  # the processes' counts, gathered by whichever is scraped
                counts = tempfile.mkdtemp(prefix="coalition-metrics-")
                os.environ[MULTIPROCESS_DIR] = counts
            uvicorn.run(IMPORT_STRING, factory=True, workers=workers, **options)
    finally:
        close_logs()
        if counts is not None:
            shutil.rmtree(counts, ignore_errors=True)


def _processes(platform: Platform, workers: int) -> str:
    if workers == 1:
        return ""
    if platform.shared:
        return (f"; {workers} processes: each one's read cache is emptied by any change PostgreSQL tells of, and "
                "sign-in attempts are counted in the database for all")
    return (f"; {workers} processes, each with its own read cache and sign-in rate limits; SQLite: the processes "
            "share the database file on this machine (for several machines use PostgreSQL)")
