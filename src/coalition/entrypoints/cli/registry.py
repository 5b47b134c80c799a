"""Commands for the registry: parties, coalitions and funds, members, legal instruments."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated

import typer

from coalition.bootstrap import Platform
from coalition.domain.coalition import Coalition, DecisionMethod, DecisionRules, ExcessPolicy, Fund, MembershipRole
from coalition.domain.common import parse_date
from coalition.domain.errors import InvalidInput
from coalition.domain.identifiers import PartyIdentifier, parse_scheme
from coalition.domain.instrument import Instrument, InstrumentKind, add_years
from coalition.domain.party import Party, PartyKind
from coalition.entrypoints.cli.output import choice, console, emit_json, table
from coalition.services import registry as svc

parties = typer.Typer(help="States, organisations, agencies, ministries, companies, units and teams.",
                      no_args_is_help=True)
coalitions = typer.Typer(help="Coalitions and their funds.", no_args_is_help=True)
members = typer.Typer(help="Memberships and their history.", no_args_is_help=True)
instruments = typer.Typer(help="Legal instruments and their signatories.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of a table.")]
OnDate = Annotated[str | None, typer.Option("--on", help="The date to look at (YYYY-MM-DD); today if omitted.")]


def ready(ctx: typer.Context) -> Platform:
    """The wired platform, after checking the database schema is current."""
    platform: Platform = ctx.obj
    platform.require_current_schema()
    return platform


def _day(platform: Platform, text: str | None, field: str = "--on") -> date:
    return platform.clock().date() if text is None else parse_date(text, field)


def vars_of(value: object) -> dict[str, object]:
    """A dataclass's fields by name, to print beside what belongs with it."""
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}  # type: ignore[arg-type]


def _mark(illustrative: bool) -> str:
    return "*" if illustrative else ""


# --- parties ------------------------------------------------------------------------------


@parties.command("list")
def parties_list(ctx: typer.Context, kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
                 as_json: JsonFlag = False) -> None:
    """List parties, optionally of one kind."""
    platform = ready(ctx)
    wanted = None if kind is None else choice(kind, PartyKind, "--kind")
    found = svc.list_parties(platform.uow(), platform.operator(), wanted)
    if as_json:
        emit_json(found)
        return
    table(f"Parties ({len(found)})", ["Code", "Kind", "Name", "Назва", "Country"],
          [(p.code + _mark(p.illustrative), p.kind.value, p.name, p.name_uk, p.country) for p in found])


@parties.command("show")
def parties_show(ctx: typer.Context, code: str, as_json: JsonFlag = False) -> None:
    """Show one party."""
    platform = ready(ctx)
    party = svc.get_party(platform.uow(), platform.operator(), code)
    identifiers = svc.party_identifiers(platform.uow(), platform.operator(), code)
    if as_json:
        emit_json({**vars_of(party), "identifiers": identifiers})
        return
    table(None, ["Field", "Value"], [("code", party.code), ("kind", party.kind.value), ("name", party.name),
                                     ("name (uk)", party.name_uk), ("country", party.country),
                                     ("illustrative", party.illustrative)]
          + [(f"id ({i.scheme.value})", i.value) for i in identifiers])


@parties.command("identify")
def parties_identify(ctx: typer.Context, code: str,
                     scheme: Annotated[str, typer.Option(help="iati, ocds, lei or national.")],
                     id: Annotated[str, typer.Option("--id", help="The party's identifier in that scheme.")]) -> None:
    """Record a party's identifier in one scheme of the crosswalk (IATI organisation identifier, OCDS party id,
    Legal Entity Identifier, national register number)."""
    platform = ready(ctx)
    found = svc.identify_party(platform.uow(), platform.operator(), PartyIdentifier(code, parse_scheme(scheme), id))
    console.print(f"{found.party} is {found.value} in {found.scheme.value}")


@parties.command("add-state")
def parties_add_state(ctx: typer.Context,
                      country: Annotated[str, typer.Argument(help="ISO 3166-1 alpha-2 code, e.g. EE.")]) -> None:
    """Register a state by its ISO 3166-1 code; names in English and Ukrainian come from ISO data."""
    platform = ready(ctx)
    party = svc.register_party(platform.uow(), platform.operator(), Party.state(country))
    console.print(f"Registered {party.code}: {party.name} ({party.name_uk})")


@parties.command("add")
def parties_add(ctx: typer.Context, code: str,
                kind: Annotated[str, typer.Option(help="ministry, agency, company, military-unit, ...")],
                name: Annotated[str, typer.Option(help="Name in English.")],
                name_uk: Annotated[str | None, typer.Option(help="Name in Ukrainian.")] = None,
                country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 country.")] = None,
                illustrative: Annotated[bool, typer.Option(help="Mark as illustrative, not a public fact.")] = False,
                ) -> None:
    """Register a party that is not a state (for a state use add-state)."""
    platform = ready(ctx)
    party_kind = choice(kind, PartyKind, "--kind")
    if party_kind is PartyKind.STATE:
        raise InvalidInput("register states with 'coalition parties add-state CODE'", field="--kind")
    party = svc.register_party(platform.uow(), platform.operator(),
                               Party(code, party_kind, name, name_uk, country, illustrative))
    console.print(f"Registered {party.code}: {party.name}")


# --- coalitions -----------------------------------------------------------------------------


@coalitions.command("list")
def coalitions_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List coalitions."""
    platform = ready(ctx)
    found = svc.list_coalitions(platform.uow(), platform.operator())
    if as_json:
        emit_json(found)
        return
    table(f"Coalitions ({len(found)})", ["Code", "Name", "Capability area", "Recipient", "Founded", "Currency"],
          [(c.code + _mark(c.illustrative), c.name, c.capability_area, c.recipient, c.founded_on,
            c.reporting_currency) for c in found])


def print_coalition(platform: Platform, code: str, on: date) -> None:
    """The readable status of one coalition: facts, members by role on a date, instruments."""
    view = svc.coalition_view(platform.uow(), platform.operator(), code, on)
    c = view.coalition
    console.rule(f"[bold]{c.name}[/bold] ({c.code}){_mark(c.illustrative)}")
    console.print(f"Capability area: {c.capability_area}\nFramework: {c.framework}\n"
                  f"Founded: {c.founded_on:%d %b %Y} at {c.founded_at}\n"
                  f"Recipient: {view.recipient.name} ({view.recipient.code})\n"
                  f"Reporting currency: {c.reporting_currency}\nDecision rules: {c.rules.describe()}")
    for fund in view.funds:
        console.print(f"Fund: {fund.name} ({fund.code}), custodian {fund.custodian}, {fund.currency}"
                      f"{_mark(fund.illustrative)}")
    table(f"Members on {on:%d %b %Y} ({len(view.members)})",
          ["Role", "Party", "Code", "Since", "Instrument", "Votes"],
          [(m.spell.role.label, m.party.name, m.party.code, f"{m.spell.start}{_mark(m.spell.illustrative)}",
            m.spell.instrument or "", "yes" if m.votes else "no") for m in view.members])
    for item in view.instruments:
        i = item.instrument
        term = f"{i.term_start} to {i.term_end}" if i.term_end else f"from {i.term_start}"
        console.print(f"\n[bold]{i.kind.value.replace('-', ' ').capitalize()}[/bold] {i.code}{_mark(i.illustrative)}: "
                      f"{i.title}\nTerm: {term}; signatories: " + ", ".join(
                          f"{s.party} ({s.signed_on}{_mark(s.illustrative)})" for s in item.signatures))
    console.print()


@coalitions.command("show")
def coalitions_show(ctx: typer.Context, code: str, on: OnDate = None, as_json: JsonFlag = False) -> None:
    """Show a coalition with its funds, instruments and members on a date."""
    platform = ready(ctx)
    day = _day(platform, on)
    if as_json:
        emit_json(svc.coalition_view(platform.uow(), platform.operator(), code, day))
        return
    print_coalition(platform, code, day)


@coalitions.command("create")
def coalitions_create(
    ctx: typer.Context, code: str,
    name: Annotated[str, typer.Option()],
    capability_area: Annotated[str, typer.Option()],
    framework: Annotated[str, typer.Option()],
    recipient: Annotated[str, typer.Option(help="Code of the recipient party.")],
    founded_on: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    founded_at: Annotated[str, typer.Option(help="Place or meeting of the founding.")],
    currency: Annotated[str, typer.Option(help="Reporting currency (ISO 4217).")] = "EUR",
    method: Annotated[str, typer.Option(help="consensus, simple-majority or qualified-majority.")] = "consensus",
    threshold: Annotated[str | None, typer.Option(help="Qualified-majority threshold, e.g. 2/3.")] = None,
    quorum: Annotated[str, typer.Option(help="Share of voting members needed, e.g. 1/2.")] = "1/2",
    excess: Annotated[str, typer.Option(help="Money beyond a pledge's or commitment's promise: refuse it, or flag "
                                        "it as excess on the donor's statement.")] = "refuse",
    illustrative: Annotated[bool, typer.Option()] = False,
) -> None:
    """Create a coalition."""
    platform = ready(ctx)
    rules = DecisionRules.from_data({"method": choice(method, DecisionMethod, "--method").value, "quorum": quorum,
                                     "threshold": threshold, "excess": choice(excess, ExcessPolicy, "--excess").value})
    created = svc.create_coalition(platform.uow(), platform.operator(), Coalition(
        code, name, capability_area, framework, recipient, parse_date(founded_on, "--founded-on"), founded_at,
        currency, rules, illustrative))
    console.print(f"Created coalition {created.code}: {created.name}")


@coalitions.command("add-fund")
def coalitions_add_fund(ctx: typer.Context, coalition: str, fund: str,
                        name: Annotated[str, typer.Option()],
                        custodian: Annotated[str, typer.Option(help="Code of the custodian party.")],
                        currency: Annotated[str, typer.Option()] = "EUR",
                        illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Add a fund, held by a custodian, to a coalition."""
    platform = ready(ctx)
    added = svc.add_fund(platform.uow(), platform.operator(),
                         Fund(fund, coalition, name, custodian, currency, illustrative))
    console.print(f"Added fund {added.code} to {added.coalition}")


# --- members ------------------------------------------------------------------------------------


@members.command("list")
def members_list(ctx: typer.Context, coalition: str, on: OnDate = None, as_json: JsonFlag = False) -> None:
    """Members of a coalition on a date (today if --on is omitted)."""
    platform = ready(ctx)
    day = _day(platform, on)
    found = svc.members_on(platform.uow(), platform.operator(), coalition, day)
    counts = svc.count_members(found)
    if as_json:
        emit_json({"coalition": coalition, "on": day, "counts": counts, "members": [
            {"party": m.party.code, "name": m.party.name, "role": m.spell.role, "since": m.spell.start,
             "until": m.spell.end, "instrument": m.spell.instrument, "votes": m.votes,
             "illustrative": m.spell.illustrative} for m in found]})
        return
    table(f"Members of {coalition} on {day}: {counts.states} state(s), {counts.organisations} organisation(s) "
          f"taking part, {counts.observers} observer(s)",
          ["Role", "Party", "Code", "Since", "Instrument", "Votes"],
          [(m.spell.role.label, m.party.name, m.party.code, f"{m.spell.start}{_mark(m.spell.illustrative)}",
            m.spell.instrument, "yes" if m.votes else "no") for m in found])


@members.command("history")
def members_history(ctx: typer.Context, coalition: str,
                    party: Annotated[str | None, typer.Option(help="Only this party.")] = None,
                    as_json: JsonFlag = False) -> None:
    """Every recorded membership change, oldest first."""
    platform = ready(ctx)
    found = svc.membership_history(platform.uow(), platform.operator(), coalition, party)
    if as_json:
        emit_json(found)
        return
    table(f"Membership history of {coalition}", ["#", "Effective", "Party", "Change", "Role", "Instrument", "Note"],
          [(c.id, f"{c.effective_on}{_mark(c.illustrative)}", c.party, c.kind.value,
            c.role.label if c.role else "", c.instrument, c.note) for c in found])


RoleOption = Annotated[str, typer.Option("--role", help="lead, member, observer, doi-signatory or recipient.")]
RequiredDate = Annotated[str, typer.Option("--on", help="Effective date, YYYY-MM-DD.")]
InstrumentOption = Annotated[str | None, typer.Option(help="Code of the legal instrument.")]
NoteOption = Annotated[str, typer.Option(help="A short note kept with the record.")]


@members.command("add")
def members_add(ctx: typer.Context, coalition: str, party: str, role: RoleOption, on: RequiredDate,
                instrument: InstrumentOption = None, note: NoteOption = "",
                illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Admit a party to a coalition in a role from a date."""
    platform = ready(ctx)
    change = svc.admit_member(platform.uow(), platform.operator(), coalition=coalition, party=party,
                              role=choice(role, MembershipRole, "--role"), on=parse_date(on, "--on"),
                              instrument=instrument, note=note, illustrative=illustrative)
    console.print(f"{party} joined {coalition} as {change.role.label if change.role else ''} on {change.effective_on}")


@members.command("change-role")
def members_change_role(ctx: typer.Context, coalition: str, party: str, role: RoleOption, on: RequiredDate,
                        instrument: InstrumentOption = None, note: NoteOption = "",
                        illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Record a member's new role from a date; the earlier role stays in the history."""
    platform = ready(ctx)
    change = svc.change_member_role(platform.uow(), platform.operator(), coalition=coalition, party=party,
                                    role=choice(role, MembershipRole, "--role"), on=parse_date(on, "--on"),
                                    instrument=instrument, note=note, illustrative=illustrative)
    console.print(f"{party} is {change.role.label if change.role else ''} of {coalition} from {change.effective_on}")


@members.command("leave")
def members_leave(ctx: typer.Context, coalition: str, party: str, on: RequiredDate, note: NoteOption = "",
                  illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Record that a member left (it is no longer a member from that date)."""
    platform = ready(ctx)
    change = svc.record_departure(platform.uow(), platform.operator(), coalition=coalition, party=party,
                                  on=parse_date(on, "--on"), note=note, illustrative=illustrative)
    console.print(f"{party} left {coalition} on {change.effective_on}")


# --- instruments ---------------------------------------------------------------------------------


@instruments.command("list")
def instruments_list(ctx: typer.Context, coalition: str, as_json: JsonFlag = False) -> None:
    """Legal instruments of a coalition with their signatories."""
    platform = ready(ctx)
    found = svc.list_instruments(platform.uow(), platform.operator(), coalition)
    if as_json:
        emit_json(found)
        return
    table(f"Instruments of {coalition}", ["Code", "Kind", "Title", "Term", "Signatories"],
          [(v.instrument.code + _mark(v.instrument.illustrative), v.instrument.kind.value, v.instrument.title,
            f"{v.instrument.term_start} to {v.instrument.term_end or 'open'}",
            ", ".join(s.party for s in v.signatures)) for v in found])


@instruments.command("show")
def instruments_show(ctx: typer.Context, code: str, as_json: JsonFlag = False) -> None:
    """One instrument with its signatories and their signing dates."""
    platform = ready(ctx)
    view = svc.get_instrument(platform.uow(), platform.operator(), code)
    if as_json:
        emit_json(view)
        return
    i = view.instrument
    console.print(f"[bold]{i.title}[/bold] ({i.code}), {i.kind.value} of {i.coalition}{_mark(i.illustrative)}\n"
                  f"Term: {i.term_start} to {i.term_end or 'open'}")
    table(None, ["Signatory", "Signed on"], [(s.party, f"{s.signed_on}{_mark(s.illustrative)}")
                                             for s in view.signatures])


@instruments.command("add")
def instruments_add(ctx: typer.Context, coalition: str, code: str,
                    kind: Annotated[str, typer.Option(help="cooperation-agreement, declaration-of-intent, memorandum")],
                    title: Annotated[str, typer.Option()],
                    start: Annotated[str, typer.Option(help="Start of the term, YYYY-MM-DD.")],
                    end: Annotated[str | None, typer.Option(help="End of the term, YYYY-MM-DD.")] = None,
                    years: Annotated[int | None, typer.Option(min=1, max=100,
                                                              help="Term length in years (instead of --end).")] = None,
                    illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Record a legal instrument of a coalition."""
    platform = ready(ctx)
    term_start = parse_date(start, "--start")
    if end is not None and years is not None:
        raise InvalidInput("give either --end or --years, not both", field="--years")
    if years is not None and years <= 0:
        raise InvalidInput("must be a positive number of years", field="--years")
    term_end = parse_date(end, "--end") if end is not None else (
        add_years(term_start, years) if years is not None else None)
    recorded = svc.record_instrument(platform.uow(), platform.operator(), Instrument(
        code, coalition, choice(kind, InstrumentKind, "--kind"), title, term_start, term_end, illustrative))
    console.print(f"Recorded {recorded.kind.value} {recorded.code} for {recorded.coalition}")


@instruments.command("sign")
def instruments_sign(ctx: typer.Context, code: str, party: str,
                     on: Annotated[str, typer.Option("--on", help="Signing date, YYYY-MM-DD.")],
                     illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Add a signatory to an instrument."""
    platform = ready(ctx)
    signature = svc.add_signatory(platform.uow(), platform.operator(), instrument=code, party=party,
                                  signed_on=parse_date(on, "--on"), illustrative=illustrative)
    console.print(f"{signature.party} signed {signature.instrument} on {signature.signed_on}")
