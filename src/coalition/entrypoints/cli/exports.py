"""Commands for open data: a coalition's IATI 2.03 activity file, its flat table of flows, and its procurement as
OCDS 1.1 release and record packages.

The IATI file and the flows hold only what the operator at the command line may see (everything); the OCDS packages
name a donor only where its records are public unless asked otherwise. The API serves the same files to each caller
with what that caller may see.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from coalition.domain.errors import InvalidInput
from coalition.entrypoints.cli.output import console
from coalition.entrypoints.cli.registry import ready
from coalition.services.views import open_data
from coalition.services.views.open_contracting import procurement_record

exports = typer.Typer(help="Open data: IATI activity files, flat tables of flows, OCDS release and record packages.",
                      no_args_is_help=True)

OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (standard output if "
                                                                           "omitted).")]


def write_output(content: bytes, output: Path | None, option: str = "--output") -> None:
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(content)
    except OSError as error:
        raise InvalidInput(f"cannot write {output}: {error.strerror}", field=option) from None
    console.print(f"Wrote {output} ({len(content)} bytes)")


@exports.command("iati")
def export_iati(ctx: typer.Context, coalition: str, output: OutputOption = None) -> None:
    """The coalition's IATI 2.03 activity file: one activity per requirement that money reached, checked against
    the official schema."""
    platform = ready(ctx)
    export = open_data.iati_activities(platform.uow(read_only=True), platform.operator(), coalition)
    write_output(platform.iati_file(export), output)


@exports.command("flows")
def export_flows(ctx: typer.Context, coalition: str,
                 format: Annotated[str, typer.Option("--format", help="csv, xlsx or json.")] = "csv",
                 output: OutputOption = None) -> None:
    """One row per pledge, commitment and receipt: donor, recipient, dates, status, the amount as recorded and in
    EUR and USD at the value date's rate with its source, earmark and reference (columns: see the README)."""
    platform = ready(ctx)
    export = open_data.flows(platform.uow(read_only=True), platform.operator(), coalition)
    content, _media = platform.flows_file(export, format)
    write_output(content, output)


@exports.command("ocds")
def export_ocds(ctx: typer.Context, coalition: str,
                output: Annotated[Path, typer.Option("--output", "-o", help="The release package's file (JSON).")],
                ocid_prefix: Annotated[str | None, typer.Option(
                    "--ocid-prefix", help="The publisher's ocid prefix (default: COALITION_OCID_PREFIX).")] = None,
                records: Annotated[Path | None, typer.Option(
                    "--records", help="Also write the record package merged from the releases to this file.")] = None,
                internal: Annotated[bool, typer.Option(
                    "--internal", help="Name every donor you may see, not only those whose records are public "
                                       "(not for publication).")] = False,
                ) -> None:
    """Write the coalition's procurement cases as an OCDS 1.1 release package: one release per act of each case,
    dated by the act's own day; with --records, the record package merged from it too."""
    platform = ready(ctx)
    prefix = ocid_prefix or platform.settings.ocid_prefix
    record = procurement_record(platform.uow(read_only=True), platform.operator(), coalition, ocid_prefix=prefix,
                                public=not internal)
    releases, merged = platform.ocds_packages(record, f"urn:coalition:{coalition}:ocds:releases",
                                              f"urn:coalition:{coalition}:ocds:records")
    write_output(releases.encode("utf-8"), output)
    if records is not None:
        write_output(merged.encode("utf-8"), records, "--records")
    cases = len(record.cases)
    console.print(f"OCDS 1.1: {cases} contracting process{'es' if cases != 1 else ''} of {coalition} "
                  f"(ocid prefix {prefix}) written to {output}" + (f", records to {records}" if records else "")
                  + ("" if internal else "; donors named only where their records are public"), highlight=False)
