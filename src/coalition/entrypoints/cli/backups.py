"""`coalition backup FILE` and `coalition restore FILE`: the whole record in one file, and back (ADR 0034)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coalition.bootstrap import Backup, Platform
from coalition.entrypoints.cli.output import console, emit_json, error_console
from coalition.entrypoints.cli.registry import JsonFlag

FileArgument = Annotated[Path, typer.Argument(help="The backup file.", dir_okay=False)]


def backup(ctx: typer.Context, file: FileArgument,
           force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
           as_json: JsonFlag = False) -> None:
    """Write the whole database to FILE in one consistent snapshot, safe while the server writes (a ZIP of every
    table's rows and a manifest with their SHA-256 and the audit head); it restores on SQLite or PostgreSQL."""
    platform: Platform = ctx.obj
    taken = platform.backup(file, force=force)
    _report(taken, f"Backup written to {file}", as_json)
    _documents_beside(platform, taken, "copy them beside the backup")


def restore(ctx: typer.Context, file: FileArgument, as_json: JsonFlag = False) -> None:
    """Restore FILE into the configured database, which must hold no rows (a new database is migrated first; do not
    run 'coalition init' before, as it loads the bundled rates). The file's checksum is checked before anything is
    written; afterwards 'audit verify --deep' and 'ledger check' run, and if either fails the database is emptied
    again and the restore refused."""
    platform: Platform = ctx.obj
    restored = platform.restore(file)
    _report(restored, f"Restored {file} into {platform.engine.url.render_as_string(hide_password=True)}; audit chain "
            "and every row's proof verified, ledger check passed", as_json)
    _documents_beside(platform, restored, "put them back there, then run 'coalition documents verify'")


def _documents_beside(platform: Platform, found: Backup, then: str) -> None:
    """The documents' files are not in the backup (ADR 0038): say where they are kept, once there are any."""
    count = found.rows.get("documents", 0)
    if count:
        error_console.print(f"Note: the files of the {count} documents are not in the backup but in "
                            f"{platform.document_store.location}: {then}.", highlight=False)


def _report(found: Backup, what: str, as_json: bool) -> None:
    if as_json:
        emit_json({"engine": found.engine, "revision": found.revision, "created_at": found.created_at,
                   "audit_head": {"seq": found.audit_seq, "hash": found.audit_hash}, "rows": found.rows,
                   "sha256": found.sha256})
        return
    console.print(f"{what}: {sum(found.rows.values())} rows in {sum(1 for n in found.rows.values() if n)} tables, "
                  f"taken {found.created_at} from {found.engine} at schema revision {found.revision}; audit head "
                  f"record {found.audit_seq or 0}; SHA-256 {found.sha256}", highlight=False)
