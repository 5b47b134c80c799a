"""Commands for the audit chain: verify it, read it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from coalition.entrypoints.cli.output import console, emit_json, fail, table
from coalition.entrypoints.cli.params import cursor_option
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services.audit import audit_log, verify_audit

app = typer.Typer(help="The tamper-evident audit chain.", no_args_is_help=True)


@app.command("verify")
def verify(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Recompute the chain; name the first record that was altered, removed or moved."""
    platform = ready(ctx)
    report = verify_audit(platform.uow(), platform.operator())
    if as_json:
        emit_json({"ok": report.ok, "checked": report.checked, "broken_record": report.broken_seq,
                   "reason": report.reason or None})
    elif report.ok:
        console.print(f"Audit chain verified: {report.checked} records, all intact.")
    if not report.ok:
        fail(f"audit chain broken at record {report.broken_seq}: {report.reason} "
             f"({report.checked} records before it verified)", 6)


@app.command("log")
def log(ctx: typer.Context,
        after: Annotated[int, cursor_option("Show records after this sequence number.")] = 0,
        limit: Annotated[int, typer.Option(help="How many records to show.", min=1, max=10_000)] = 50,
        as_json: JsonFlag = False) -> None:
    """Read the audit records in order."""
    platform = ready(ctx)
    page = audit_log(platform.uow(), platform.operator(), after_seq=after, limit=limit)
    if as_json:
        emit_json({"total": page.total, "records": page.records})
        return
    table(f"Audit records {after + 1} to {after + len(page.records)} of {page.total}",
          ["#", "When (UTC)", "Actor", "Action", "Object", "After"],
          [(r.seq, r.occurred_at.strftime("%Y-%m-%d %H:%M:%S"), r.actor.get("user"), r.action,
            f"{r.object_type} {r.object_id}", json.dumps(r.after, ensure_ascii=False)[:60]) for r in page.records])
