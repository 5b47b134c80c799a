"""Commands for open data: a coalition's IATI 2.03 activity file and its flat table of flows.

Both hold only what the operator at the command line may see (everything); the API serves the same files to each
caller with what that caller may see.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from coalition.entrypoints.cli.output import console
from coalition.entrypoints.cli.registry import ready
from coalition.services.views import open_data

exports = typer.Typer(help="Open data: IATI activity files and flat tables of flows.", no_args_is_help=True)

OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (standard output if "
                                                                           "omitted).")]


def _write(content: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    output.write_bytes(content)
    console.print(f"Wrote {output} ({len(content)} bytes)")


@exports.command("iati")
def export_iati(ctx: typer.Context, coalition: str, output: OutputOption = None) -> None:
    """The coalition's IATI 2.03 activity file: one activity per requirement that money reached, checked against
    the official schema."""
    platform = ready(ctx)
    export = open_data.iati_activities(platform.uow(read_only=True), platform.operator(), coalition)
    _write(platform.iati_file(export), output)


@exports.command("flows")
def export_flows(ctx: typer.Context, coalition: str,
                 format: Annotated[str, typer.Option("--format", help="csv, xlsx or json.")] = "csv",
                 output: OutputOption = None) -> None:
    """One row per pledge, commitment and receipt: donor, recipient, dates, status, the amount as recorded and in
    EUR and USD at the value date's rate with its source, earmark and reference (columns: see the README)."""
    platform = ready(ctx)
    export = open_data.flows(platform.uow(read_only=True), platform.operator(), coalition)
    content, _media = platform.flows_file(export, format)
    _write(content, output)
