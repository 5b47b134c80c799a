"""Commands for PURL packages: list, show, propose, contribute, validate, fund, deliver.

They join the `packages` group beside `packages add` (a coalition's own prioritized package): a PURL package
stands in no coalition, so `packages list` takes the party running the mechanism (NATO), not a coalition.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from coalition.domain.common import parse_date
from coalition.domain.errors import InvalidInput
from coalition.domain.money import Money, check_currency
from coalition.domain.packages import PackageRecord, PackageShare, PurlPackage, mobilised
from coalition.entrypoints.cli.output import console, emit_json, table
from coalition.entrypoints.cli.planning import packages as packages
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import packages as svc

OnOption = Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD; today if omitted.")]
NoteOption = Annotated[str, typer.Option(help="What the act was, in a line.")]
ShareOption = Annotated[list[str] | None, typer.Option(
    "--share", help="DONOR=AMOUNT in the package's currency, e.g. NL=250000000 (repeatable).")]


def _data(record: PackageRecord) -> dict[str, Any]:
    return {"package": record.package, "state": record.state.value, "covered": record.covered,
            "shares": record.shares, "acts": record.acts}


def _shares(record: PackageRecord, given: list[str] | None, day: str | None, platform: Any) -> list[PackageShare]:
    """``DONOR=AMOUNT`` pairs as shares of ``record``'s package, dated ``day``."""
    on = platform.clock().date() if day is None else parse_date(day, "--on")
    shares = []
    for text in given or ():
        donor, sep, amount = text.partition("=")
        if not sep or not donor.strip():
            raise InvalidInput(f"'{text}' is not DONOR=AMOUNT", field="--share")
        shares.append(PackageShare(record.package.code, donor.strip().upper(),
                                   Money.parse(amount, record.package.amount.currency, field="--share"), on))
    return shares


@packages.command("list")
def packages_list(ctx: typer.Context, owner: Annotated[str | None, typer.Argument(
        help="Only the packages of the mechanism this party runs (e.g. NATO).")] = None,
                  as_json: JsonFlag = False) -> None:
    """PURL packages with their state, amount and how much of it allies' shares cover."""
    platform = ready(ctx)
    found = svc.list_packages(platform.uow(), platform.operator(), owner)
    if as_json:
        emit_json([_data(r) for r in found])
        return
    table(f"PURL packages ({len(found)})", ["Code", "Title", "Validator", "Supplier", "Amount", "Covered", "State",
                                             "Since", "Allies"],
          [(r.package.code, r.package.title, r.package.validator, r.package.supplier, r.package.amount, r.covered,
            r.state.value, r.last_day, ", ".join(d for d, _ in r.by_donor())) for r in found])
    totals = mobilised(found)
    if totals:
        console.print("Mobilised through funded packages: " + ", ".join(str(m) for m in totals))


@packages.command("show")
def packages_show(ctx: typer.Context, code: str, as_json: JsonFlag = False) -> None:
    """One PURL package: its allies' shares and its dated acts."""
    platform = ready(ctx)
    record = svc.get_package(platform.uow(), platform.operator(), code)
    if as_json:
        emit_json(_data(record))
        return
    p = record.package
    console.print(f"[bold]{p.code}[/bold]: {p.title}; {p.amount} of {p.supplier} equipment for {p.recipient}, "
                  f"run by {p.owner}, validated by {p.validator}; {record.state.value}, covered {record.covered}")
    table("Shares", ["Ally", "Amount", "On", "Recorded"], [(s.donor, s.amount, s.on, s.recorded_at)
                                                          for s in record.shares])
    table("Acts", ["State", "On", "Recorded", "Note"], [(a.state.value, a.on, a.recorded_at, a.note)
                                                        for a in record.acts])


@packages.command("propose")
def packages_propose(ctx: typer.Context, code: str, title: Annotated[str, typer.Option()],
                     amount: Annotated[str, typer.Option(help="The package's amount.")],
                     currency: Annotated[str, typer.Option()] = "USD",
                     owner: Annotated[str, typer.Option(help="The party running the mechanism.")] = "NATO",
                     validator: Annotated[str, typer.Option(help="The authority that validates it.")] = "NATO",
                     supplier: Annotated[str, typer.Option(help="The state supplying the equipment.")] = "US",
                     recipient: Annotated[str, typer.Option()] = "UA",
                     on: OnOption = None, illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Record a package proposed from the prioritised requirements list."""
    platform = ready(ctx)
    day = platform.clock().date() if on is None else parse_date(on, "--on")
    record = svc.propose_package(platform.uow(), platform.operator(), PurlPackage(
        code, title, owner, validator, supplier, recipient,
        Money.parse(amount, check_currency(currency, "--currency"), field="--amount"), day, illustrative))
    console.print(f"Proposed package {record.package.code} of {record.package.amount} on {day}")


@packages.command("contribute")
def packages_contribute(ctx: typer.Context, code: str, share: ShareOption = None, on: OnOption = None) -> None:
    """Record allies' shares of a proposed or validated package (all or none)."""
    platform = ready(ctx)
    shares = _shares(svc.get_package(platform.uow(), platform.operator(), code), share, on, platform)
    if not shares:
        raise InvalidInput("name at least one share", field="--share")
    record = svc.record_shares(platform.uow(), platform.operator(), code, shares)
    console.print(f"{code}: {record.covered} of {record.package.amount} covered")


@packages.command("validate")
def packages_validate(ctx: typer.Context, code: str, on: OnOption = None, note: NoteOption = "") -> None:
    """The outside authority validated the package."""
    platform = ready(ctx)
    day = platform.clock().date() if on is None else parse_date(on, "--on")
    record = svc.validate_package(platform.uow(), platform.operator(), code, on=day, note=note)
    console.print(f"{code} is {record.state.value} on {day}")


@packages.command("fund")
def packages_fund(ctx: typer.Context, code: str, share: ShareOption = None, on: OnOption = None,
                  note: NoteOption = "") -> None:
    """Record the last shares (if any) and mark the package funded: only when the shares cover its amount."""
    platform = ready(ctx)
    day = platform.clock().date() if on is None else parse_date(on, "--on")
    shares = _shares(svc.get_package(platform.uow(), platform.operator(), code), share, on, platform)
    record = svc.fund_package(platform.uow(), platform.operator(), code, on=day, shares=shares, note=note)
    console.print(f"{code} is {record.state.value} on {day}: {record.covered} from "
                  f"{', '.join(d for d, _ in record.by_donor())}")


@packages.command("deliver")
def packages_deliver(ctx: typer.Context, code: str, on: OnOption = None, note: NoteOption = "") -> None:
    """The supplier delivered the funded package."""
    platform = ready(ctx)
    day = platform.clock().date() if on is None else parse_date(on, "--on")
    record = svc.deliver_package(platform.uow(), platform.operator(), code, on=day, note=note)
    console.print(f"{code} is {record.state.value} on {day}")
