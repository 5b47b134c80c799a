"""Commands that export the record in open standards: `coalition export ocds`."""

from pathlib import Path
from typing import Annotated

import typer

from coalition.domain.errors import InvalidInput
from coalition.entrypoints.cli.output import console
from coalition.entrypoints.cli.registry import ready
from coalition.services.views.open_contracting import procurement_record

app = typer.Typer(help="Export the record in open standards (OCDS 1.1 release and record packages).",
                  no_args_is_help=True)


@app.command("ocds")
def export_ocds(ctx: typer.Context, coalition: str,
                output: Annotated[Path, typer.Option("--output", help="The release package's file (JSON).")],
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
    uri = f"urn:coalition:{coalition}:ocds:releases"
    releases, merged = platform.ocds_packages(record, uri, f"urn:coalition:{coalition}:ocds:records")
    _write(output, releases, "--output")
    if records is not None:
        _write(records, merged, "--records")
    cases = len(record.cases)
    console.print(f"OCDS 1.1: {cases} contracting process{'es' if cases != 1 else ''} of {coalition} "
                  f"(ocid prefix {prefix}) written to {output}" + (f", records to {records}" if records else "")
                  + ("" if internal else "; donors named only where their records are public"), highlight=False)


def _write(path: Path, text: str, option: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot write {path}: {error.strerror}", field=option) from None
