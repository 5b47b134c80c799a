"""Commands for the audit chain: verify it (and every row it proves), read it, sign checkpoints of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from coalition.bootstrap import Ed25519Signer, Platform, new_signing_key, signing_key_id, write_signing_key
from coalition.domain.audit import AuditQuery, act_day, checkpoint_data, parse_checkpoint
from coalition.domain.common import parse_date
from coalition.domain.errors import InvalidInput
from coalition.entrypoints.cli.output import console, emit_json, fail, table
from coalition.entrypoints.cli.params import cursor_option
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services.audit import (
    adopt_rows,
    audit_log,
    take_checkpoint,
    verify_audit,
    verify_audit_deep,
    verify_checkpoint,
)
from coalition.services.views import history as history_views

app = typer.Typer(help="The tamper-evident audit chain.", no_args_is_help=True)


@app.command("verify")
def verify(ctx: typer.Context,
           deep: Annotated[bool, typer.Option("--deep", help="Also recompute every stored row and compare it with "
                                              "the last audit record that wrote it.")] = False,
           checkpoint: Annotated[Path | None, typer.Option(help="A checkpoint file kept earlier: prove the chain "
                                                           "still holds every record it signed.")] = None,
           public_key: Annotated[str | None, typer.Option(help="The public key (base64) the checkpoint must be "
                                                          "signed with; by default the one the file names.")] = None,
           as_json: JsonFlag = False) -> None:
    """Recompute the chain; name the first record that was altered, removed or moved (and with --deep, every row
    that differs from its record; with --checkpoint, whether the chain still holds what the checkpoint signed)."""
    platform = ready(ctx)
    if checkpoint is not None:
        _verify_checkpoint(platform, checkpoint, public_key, as_json)
        return
    if deep:
        _verify_deep(platform, as_json)
        return
    report = verify_audit(platform.uow(), platform.operator())
    if as_json:
        emit_json({"ok": report.ok, "checked": report.checked, "broken_record": report.broken_seq,
                   "reason": report.reason or None})
    elif report.ok:
        console.print(f"Audit chain verified: {report.checked} records, all intact.")
    if not report.ok:
        fail(f"audit chain broken at record {report.broken_seq}: {report.reason} "
             f"({report.checked} records before it verified)", 6)


def _verify_deep(platform: Platform, as_json: bool) -> None:
    report = verify_audit_deep(platform.uow(), platform.operator())
    chain = report.chain
    if as_json:
        emit_json({"ok": report.ok, "records": chain.checked, "broken_record": chain.broken_seq,
                   "reason": chain.reason or None, "rows_proved": report.rows_proved,
                   "rows_checked": report.rows_checked, "findings": report.finding_count,
                   "shown": [{"table": f.table, "key": f.key, "problem": f.problem.value, "record": f.seq,
                              "description": f.describe()} for f in report.findings]})
    elif report.findings:
        table(f"Rows that differ from the audit chain (first {len(report.findings)} of {report.finding_count})",
              ["Table", "Row", "Problem", "Last record"],
              [(f.table, f.key, f.problem.value, f.seq or "") for f in report.findings])
    if not chain.ok:
        fail(f"audit chain broken at record {chain.broken_seq}: {chain.reason} "
             f"({chain.checked} records before it verified)", 6)
    if report.finding_count:
        fail(f"{report.finding_count} stored row(s) differ from what the audit chain proves, e.g. "
             f"{report.findings[0].describe()}", 6)
    if not as_json:
        console.print(f"Audit chain verified: {chain.checked} records, all intact; {report.rows_checked} stored rows "
                      f"match the {report.rows_proved} row proofs of their last records.")


def _verify_checkpoint(platform: Platform, path: Path, public_key: str | None, as_json: bool) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"'{path}' is not a readable checkpoint file: {error}", field="checkpoint") from None
    found = parse_checkpoint(data)
    key = public_key or found.public_key
    if not key:
        fail("--public-key: the checkpoint file names no public key; give the one it was signed with", 2)
    report = verify_checkpoint(platform.uow(read_only=True), found, public_key=key,
                               key_id=signing_key_id(key), signature_holds=platform.signature_holds)
    if as_json:
        emit_json({"ok": report.ok, "records": found.seq, "hash": found.hash,
                   "signed_at": found.signed_at.isoformat(), "key_id": found.key_id, "problem": report.problem})
    if not report.ok:
        fail(f"checkpoint of {found.seq} records signed on {found.signed_at.isoformat()}: {report.problem}", 6)
    if not as_json:
        console.print(f"Checkpoint verified: the chain still holds, unchanged, the {found.seq} records signed on "
                      f"{found.signed_at.isoformat()} (key {found.key_id[:16]}...); it now holds "
                      f"{report.chain.checked}.")


@app.command("adopt")
def adopt(ctx: typer.Context,
          reason: Annotated[str, typer.Option(help="Why these rows have no record, e.g. stored before row proofs "
                                              "were kept.")]) -> None:
    """Have one audited record prove every row no record accounts for (after an upgrade); refused while any row
    or proof differs from its record."""
    platform = ready(ctx)
    adopted = adopt_rows(platform.uow(), platform.operator(), reason=reason)
    if adopted.record is None:
        console.print("Every stored row is already proved by the audit chain: nothing to adopt.")
        return
    console.print(f"Audit record {adopted.record} now proves {sum(adopted.rows.values())} rows: "
                  + ", ".join(f"{table} {count}" for table, count in adopted.rows.items()))


@app.command("checkpoint")
def checkpoint(ctx: typer.Context,
               output: Annotated[Path | None, typer.Option(help="Also write the checkpoint to this file, for "
                                                           "keeping outside the platform.")] = None,
               as_json: JsonFlag = False) -> None:
    """Sign the chain's head (its count of records and last hash) with the key held outside the database."""
    platform = ready(ctx)
    signer = platform.checkpoint_signer
    signed = take_checkpoint(platform.uow(), platform.operator(), signer)
    data = checkpoint_data(signed)
    if output is not None:
        output.write_text(json.dumps(data, indent=2) + "\n")
    if as_json:
        emit_json(data)
        return
    console.print(f"Checkpoint signed: {signed.seq} records, head {signed.hash[:16]}..., key {signed.key_id[:16]}..."
                  + (f"; written to {output}" if output else ""))


@app.command("keygen")
def keygen(output: Annotated[Path, typer.Option(help="Where to write the new private key (readable by its owner "
                                                "only); set COALITION_AUDIT_KEY_FILE to it.")]) -> None:
    """Make a new key for signing checkpoints, kept outside the database."""
    if output.exists():
        fail(f"--output: '{output}' exists; a key is never written over", 2)
    private = new_signing_key()
    write_signing_key(output, private)
    signer = Ed25519Signer(private)
    console.print(f"Key written to {output}. Public key: {signer.public_key} (id {signer.key_id})")


@app.command("public-key")
def public_key(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The public key checkpoints are signed with, to publish beside them."""
    signer = ready(ctx).checkpoint_signer
    if as_json:
        emit_json({"public_key": signer.public_key, "key_id": signer.key_id})
        return
    console.print(f"{signer.public_key} (id {signer.key_id})")


@app.command("log")
def log(ctx: typer.Context,
        after: Annotated[int, cursor_option("Show records after this sequence number.")] = 0,
        limit: Annotated[int, typer.Option(help="How many records to show.", min=1, max=10_000)] = 50,
        actor: Annotated[str | None, typer.Option(help="Only the records of this user.")] = None,
        action: Annotated[str | None, typer.Option(help="Only this action (e.g. record_contribution).")] = None,
        record_type: Annotated[str | None, typer.Option("--record-type", help="Only records of this kind "
                                                        "(e.g. contribution).")] = None,
        record: Annotated[str | None, typer.Option(help="Only the record with this id.")] = None,
        since: Annotated[str | None, typer.Option(help="Recorded on or after this day (YYYY-MM-DD, UTC).")] = None,
        until: Annotated[str | None, typer.Option(help="Recorded on or before this day (YYYY-MM-DD, UTC).")] = None,
        newest_first: Annotated[bool, typer.Option("--newest-first", help="The latest records first.")] = False,
        as_json: JsonFlag = False) -> None:
    """Read the audit records in order (or newest first), filtered by actor, action, record and days."""
    platform = ready(ctx)
    query = AuditQuery(actor, action, record_type, record, None if since is None else parse_date(since, "--since"),
                       None if until is None else parse_date(until, "--until"), newest_first, after)
    page = audit_log(platform.uow(), platform.operator(), query, limit=limit)
    if as_json:
        emit_json({"total": page.total, "records": page.records})
        return
    table(f"{len(page.records)} of {page.total} audit records" + (", newest first" if newest_first else ""),
          ["#", "Recorded (UTC)", "Act dated", "Actor", "Action", "Object", "After"],
          [(r.seq, r.occurred_at.strftime("%Y-%m-%d %H:%M:%S"), act_day(r) or "", r.actor.get("user"), r.action,
            f"{r.object_type} {r.object_id}", json.dumps(r.after, ensure_ascii=False)[:60]) for r in page.records])


check = typer.Typer(help="Checks over the whole record.", no_args_is_help=True)


@check.command("history")
def check_history_command(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Run every rule of time over the whole record (money moved on before it came, payments before contracts,
    receipts before arrivals, lists approved before submitted, members before they signed) and list what breaks
    them; exit 6 if anything does."""
    platform = ready(ctx)
    result = history_views.check_history(platform.uow(), platform.operator())
    if as_json:
        emit_json({"ok": result.ok, "rules": {rule.value: text for rule, text in result.rules.items()},
                   "anachronisms": [{"rule": a.rule.value, "subject": a.subject, "detail": a.detail}
                                    for a in result.anachronisms]})
    elif result.ok:
        console.print(f"History check passed: no record breaks any of the {len(result.rules)} rules of time.")
    if not result.ok:
        for found in result.anachronisms:
            console.print(f"  {found.describe()}", style="red")
        fail(f"history check failed: {len(result.anachronisms)} record(s) break a rule of time", 6)
