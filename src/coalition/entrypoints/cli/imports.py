"""`coalition import`: a bulk file of contributions (CSV or XLSX, the default), a donor's IATI activity file
(`import iati`) or an agency's OCDS release package (`import ocds`). Each is all or nothing and idempotent; a refused
file lists every bad value (row and column, or the element's path) and leaves with exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from coalition.domain.interchange import FileRefused, ImportReport, Standard
from coalition.entrypoints.cli import funding
from coalition.entrypoints.cli.output import console, fail, table
from coalition.entrypoints.cli.process import collector_paused
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import interchange


class _ImportGroup(TyperGroup):
    """`coalition import FILE` stays the contributions import; `iati` and `ocds` name the standards."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["contributions", *args]
        return super().parse_args(ctx, args)


imports = typer.Typer(cls=_ImportGroup, no_args_is_help=True,
                      help="Import contributions (CSV or XLSX: coalition import FILE), a donor's IATI activity file "
                           "or an agency's OCDS release package; all or nothing, and importing again changes nothing.")
imports.command("contributions")(funding.import_file)

FileArgument = Annotated[Path, typer.Argument(help="The file to import.")]
CoalitionOption = Annotated[str, typer.Option("--coalition", help="The coalition the file's records go to.")]


def _run(ctx: typer.Context, standard: Standard, file: Path, coalition: str, as_json: bool) -> None:
    platform = ready(ctx)
    read = platform.read_standard_file(standard, file)
    service = interchange.import_iati if standard is Standard.IATI else interchange.import_ocds
    try:
        with collector_paused():
            report = service(platform.uow(), platform.operator(), coalition, read)
    except FileRefused as refused:
        if as_json:
            print(json.dumps({"file": str(file), "standard": standard.value, "imported": False,
                              "errors": [{"path": e.path, "value": e.value, "rule": e.rule}
                                         for e in refused.errors], "total": refused.total},
                             ensure_ascii=False, indent=2))
        else:
            table(f"{file.name}: {refused.total} bad value(s); nothing was imported", ["Path", "Value", "Rule"],
                  [(e.path, e.value, e.rule) for e in refused.errors], err=True)
        fail(f"file: {file.name}: {refused.message}", 2)
    if as_json:
        print(json.dumps(_as_data(file, report), ensure_ascii=False, indent=2))
        return
    console.print(f"{standard.value.upper()} {file.name} into {coalition}: {len(report.new)} new, "
                  f"{len(report.already)} already recorded and left unchanged.", highlight=False)
    if report.new:
        table("New records", ["Record"], [(what,) for what in report.new])
    for what in report.left_out_summary():
        console.print(f"  not imported: {what}", style="dim", highlight=False)


def _as_data(file: Path, report: ImportReport) -> dict[str, Any]:
    return {"file": str(file), "standard": report.standard.value, "coalition": report.coalition, "imported": True,
            "new": list(report.new), "already_recorded": list(report.already),
            "left_out": [{"path": i.path, "count": i.count, "what": i.what} for i in report.left_out]}


@imports.command("iati")
def import_iati(ctx: typer.Context, file: FileArgument, coalition: CoalitionOption,
                as_json: JsonFlag = False) -> None:
    """A donor's IATI 2.03 activity file: transactions become pledges (12, 13), commitments (2, 11) and receipts
    (3, 1); organisations are matched by their IATI identifier in the crosswalk or their ISO 3166-1 code."""
    _run(ctx, Standard.IATI, file, coalition, as_json)


@imports.command("ocds")
def import_ocds(ctx: typer.Context, file: FileArgument, coalition: CoalitionOption,
                as_json: JsonFlag = False) -> None:
    """An agency's OCDS 1.1 release package: each contracting process becomes a procurement case (its code the
    ocid without its prefix), its contracts and their payments, for requirements the coalition holds."""
    _run(ctx, Standard.OCDS, file, coalition, as_json)
