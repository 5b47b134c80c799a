"""Commands for the funding ledger: contributions, imports, exchange rates, reports, checks."""


import hashlib
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from coalition.bootstrap import Platform, Publication
from coalition.domain.common import parse_date
from coalition.domain.contribution_import import ImportRejected
from coalition.domain.contributions import (
    Confidentiality,
    Contribution,
    ContributionFilter,
    ContributionKind,
    ContributionOrder,
    Earmark,
    EarmarkKind,
    Valuation,
    ValuationRule,
    Visibility,
)
from coalition.domain.errors import InvalidInput, NotFound
from coalition.domain.identity import check_language
from coalition.domain.ledger import Measure
from coalition.domain.money import Money, check_currency
from coalition.domain.taxonomy import CapabilityArea
from coalition.entrypoints.cli.exports import write_output
from coalition.entrypoints.cli.output import choice, console, emit_json, fail, table
from coalition.entrypoints.cli.params import AsOf, as_of_day, id_argument, id_option
from coalition.entrypoints.cli.process import collector_paused
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import funding as svc
from coalition.services.views import funding as funding_views
from coalition.services.views import ledger as ledger_views
from coalition.services.views import priorities
from coalition.services.views.delivery import DonorProcurement

pledges = typer.Typer(help="Pledges: donors' promises.", no_args_is_help=True)
commitments = typer.Typer(help="Commitments: signed contribution arrangements.", no_args_is_help=True)
receipts = typer.Typer(help="Receipts: money paid into a coalition fund.", no_args_is_help=True)
in_kind = typer.Typer(help="In-kind contributions: equipment from stock, valued by a named rule.",
                      no_args_is_help=True)
fx = typer.Typer(help="Exchange rates (ECB reference rates, National Bank of Ukraine).", no_args_is_help=True)
report = typer.Typer(help="Funding reports.", no_args_is_help=True)
ledger_app = typer.Typer(help="The double-entry ledger: check and reverse.", no_args_is_help=True)
areas = typer.Typer(help="The capability-area taxonomy.", no_args_is_help=True)

MASK = "(restricted)"
Fund = Annotated[str, typer.Option("--fund", help="Code of the coalition's fund.")]
ValueDate = Annotated[str, typer.Option("--on", help="Value date, YYYY-MM-DD.")]
EarmarkOption = Annotated[str, typer.Option(help="none, areas:A,B, requirement:R, package:P or route:ROUTE.")]
VisibilityOption = Annotated[str, typer.Option(help="public, coalition or restricted.")]
RestrictedTo = Annotated[str, typer.Option(help="Parties that may see a restricted record, separated by ';'.")]
Declassify = Annotated[str | None, typer.Option(help="Date from which the record is public, YYYY-MM-DD.")]
Reference = Annotated[str | None, typer.Option("--ref", help="External reference (unique in the coalition).")]
Illustrative = Annotated[bool, typer.Option(help="Mark as illustrative, not a real figure.")]


def _confidentiality(visibility: str, restricted_to: str, declassify_on: str | None) -> Confidentiality:
    return Confidentiality(choice(visibility, Visibility, "--visibility"),
                           tuple(p.strip() for p in restricted_to.split(";") if p.strip()),
                           None if declassify_on is None else parse_date(declassify_on, "--declassify-on"))


def _contribution(kind: ContributionKind, coalition: str, donor: str, amount: str, currency: str, fund: str, on: str,
                  *, earmark: str, visibility: str, restricted_to: str, declassify_on: str | None, ref: str | None,
                  fulfils: int | None, illustrative: bool, description: str = "",
                  valuation: Valuation | None = None) -> Contribution:
    """The one command every `add` of this group builds from its arguments."""
    return Contribution(
        kind=kind, coalition=coalition, fund=fund, donor=donor,
        amount=Money.parse(amount, check_currency(currency, "currency")), value_date=parse_date(on, "--on"),
        earmark=Earmark.parse(earmark), confidentiality=_confidentiality(visibility, restricted_to, declassify_on),
        external_ref=ref, parent=fulfils, description=description, valuation=valuation, illustrative=illustrative)


def _record(platform: Platform, contribution: Contribution) -> None:
    stored = svc.record_contribution(platform.uow(), platform.operator(), contribution)
    reporting = stored.reporting
    converted = "" if reporting is None or reporting.amount.currency == stored.amount.currency else (
        f" = {reporting.amount} at {reporting.rate} ({reporting.source}, rate of {reporting.rate_date})")
    console.print(f"Recorded {stored.kind} {stored.id}: {stored.donor} {stored.amount}{converted} to {stored.fund}")


def _add_command(group: typer.Typer, kind: ContributionKind, parent_help: str | None) -> None:
    """The same `add` for pledges, commitments and receipts (they differ only in kind and parent)."""

    def add(ctx: typer.Context, coalition: str, donor: str, amount: str, currency: str, fund: Fund,
            on: ValueDate, earmark: EarmarkOption = "none", visibility: VisibilityOption = "public",
            restricted_to: RestrictedTo = "", declassify_on: Declassify = None, ref: Reference = None,
            fulfils: Annotated[int | None, id_option(parent_help or "-", hidden=parent_help is None)] = None,
            illustrative: Illustrative = False) -> None:
        _record(ready(ctx), _contribution(kind, coalition, donor, amount, currency, fund, on, earmark=earmark,
                                          visibility=visibility, restricted_to=restricted_to,
                                          declassify_on=declassify_on, ref=ref, fulfils=fulfils,
                                          illustrative=illustrative))

    add.__doc__ = f"Record a {kind.value}: COALITION DONOR AMOUNT CURRENCY."
    group.command("add")(add)


def _list_command(group: typer.Typer, kind: ContributionKind) -> None:
    def list_(ctx: typer.Context, coalition: Annotated[str | None, typer.Option()] = None,
              donor: Annotated[str | None, typer.Option()] = None,
              currency: Annotated[str | None, typer.Option(help="Only in this currency.")] = None,
              earmark: Annotated[EarmarkKind | None, typer.Option(help="Only with this kind of earmark.")] = None,
              value_from: Annotated[str | None, typer.Option("--from", help="Valued on or after YYYY-MM-DD.")] = None,
              value_to: Annotated[str | None, typer.Option("--to", help="Valued on or before YYYY-MM-DD.")] = None,
              order: Annotated[ContributionOrder, typer.Option(help="The order to list in.")] = (
                  ContributionOrder.RECORDED),
              descending: Annotated[bool, typer.Option(help="Largest, latest or last first.")] = False,
              offset: Annotated[int, typer.Option(min=0, max=10_000_000)] = 0,
              limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50, as_json: JsonFlag = False) -> None:
        platform = ready(ctx)
        chosen = ContributionFilter(currency, earmark, parse_date(value_from, "--from") if value_from else None,
                                    parse_date(value_to, "--to") if value_to else None, order, descending)
        page = svc.list_contributions(platform.uow(), platform.operator(), coalition=coalition, donor=donor,
                                      kind=kind, offset=offset, limit=limit, filter=chosen)
        if as_json:
            emit_json({"total": page.total, "offset": offset, "items": page.items})
            return
        columns = ["Id", "Coalition", "Donor", "Amount", "Reporting", "Value date", "Recorded (UTC)", "Earmark",
                   "Visibility", "Ref", "Fulfils"]
        if kind is ContributionKind.PLEDGE:
            columns += ["Committed", "Received", "Status"]
        rows = []
        for c in page.items:
            row = [c.id, c.coalition, MASK if c.masked else c.donor, MASK if c.masked else c.amount,
                   c.reporting.amount if c.reporting else "", c.value_date,
                   c.recorded_at.strftime("%Y-%m-%d %H:%M") if c.recorded_at else "", c.earmark, c.visibility.value,
                   c.external_ref, c.parent]
            if c.progress is not None:
                row += [c.progress.committed, c.progress.received, c.progress.status.value]
            rows.append(row)
        table(f"{kind.value.capitalize()}s {offset + 1}-{offset + len(page.items)} of {page.total}", columns, rows)

    list_.__doc__ = f"List {kind.value}s, newest last or in the order asked, narrowed by the options."
    group.command("list")(list_)


_add_command(pledges, ContributionKind.PLEDGE, None)
_add_command(commitments, ContributionKind.COMMITMENT, "Id of the pledge this commitment fulfils.")
_add_command(receipts, ContributionKind.RECEIPT, "Id of the pledge or commitment this receipt fulfils.")
for _group, _kind in ((pledges, ContributionKind.PLEDGE), (commitments, ContributionKind.COMMITMENT),
                      (receipts, ContributionKind.RECEIPT), (in_kind, ContributionKind.IN_KIND)):
    _list_command(_group, _kind)


@in_kind.command("add")
def in_kind_add(ctx: typer.Context, coalition: str, donor: str, amount: str, currency: str, fund: Fund,
                on: ValueDate, description: Annotated[str, typer.Option(help="What was given, e.g. 20 radios.")],
                valuation: Annotated[str, typer.Option(help="market-price, replacement-cost or book-value.")],
                valuation_source: Annotated[str, typer.Option(help="Where the value comes from.")],
                earmark: EarmarkOption = "none", visibility: VisibilityOption = "public",
                restricted_to: RestrictedTo = "", declassify_on: Declassify = None, ref: Reference = None,
                fulfils: Annotated[int | None, id_option("Id of the pledge or commitment.")] = None,
                illustrative: Illustrative = False) -> None:
    """Record equipment given from stock, valued by a named rule: COALITION DONOR AMOUNT CURRENCY."""
    _record(ready(ctx), _contribution(
        ContributionKind.IN_KIND, coalition, donor, amount, currency, fund, on, earmark=earmark, visibility=visibility,
        restricted_to=restricted_to, declassify_on=declassify_on, ref=ref, fulfils=fulfils, illustrative=illustrative,
        description=description, valuation=Valuation(choice(valuation, ValuationRule, "--valuation"),
                                                     valuation_source)))


def _progress_bar(total: int) -> Progress | None:
    """A progress bar for files big enough to take more than a moment."""
    if total < 20_000:
        return None
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


def import_file(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="CSV or XLSX file.")]) -> None:
    """Import pledges, commitments and receipts: every row is checked first; all or nothing; re-import is a no-op."""
    platform = ready(ctx)
    source = platform.open_table(file)
    bar = _progress_bar(source.row_count)
    tasks: dict[str, object] = {}

    def progress(phase: str, done: int) -> None:
        if bar is None:
            return
        if phase not in tasks:
            tasks[phase] = bar.add_task(phase.capitalize(), total=source.row_count)
        bar.update(tasks[phase], completed=source.row_count if done < 0 else done)  # type: ignore[arg-type]

    try:
        if bar is not None:
            bar.start()
        with collector_paused():
            summary = svc.import_contributions(platform.uow(), platform.operator(), source=source.name,
                                               digest=source.sha256, header=source.header, rows=source.rows,
                                               progress=progress)
    except ImportRejected as rejected:
        if bar is not None:
            bar.stop()
        table(f"{source.name}: {rejected.total} invalid cell(s); nothing was imported", ["Row", "Column", "Value",
                                                                                         "Rule"],
              [(e.row, e.column, e.value, e.rule) for e in rejected.errors], err=True)
        if rejected.total > len(rejected.errors):
            console.print(f"(the first {len(rejected.errors)} are shown)", style="dim")
        fail(f"file: {source.name}: {rejected.message}", 2)
    finally:
        if bar is not None:
            bar.stop()
    console.print(f"Imported {summary.imported} contributions from {summary.source}"
                  + (f" (ids {summary.first_id} to {summary.last_id})" if summary.imported else "")
                  + f"; {summary.unchanged} already recorded and left unchanged.")
    for key, total in summary.totals.items():
        console.print(f"  {key}: {total}")


@fx.command("import")
def fx_import(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="ECB CSV/ZIP or NBU JSON/XML file.")]
              ) -> None:
    """Import published exchange rates; rates already stored are skipped."""
    platform = ready(ctx)
    if not file.is_file():
        raise InvalidInput(f"'{file}' is not a readable file", field="file")
    rates = platform.read_rates(file)
    added = svc.import_fx_rates(platform.uow(), platform.operator(), source=file.name,
                                digest=hashlib.sha256(file.read_bytes()).hexdigest(), rates=rates)
    console.print(f"Read {len(rates)} rates from {file.name}; {added} new, {len(rates) - added} already stored.")


HISTORY_FROM = "2022-01-01"  # the rates a new installation holds begin with the year support to Ukraine was pooled


@fx.command("update")
def fx_update(ctx: typer.Context, offline: Annotated[bool, typer.Option(
                  help="Only the ECB history shipped with the installation.")] = False,
              since: Annotated[str, typer.Option(help="Keep rates from this day on (YYYY-MM-DD).")] = HISTORY_FROM,
              timeout: Annotated[float, typer.Option(min=1, max=120, help="Seconds to wait for each publisher.")] = 10,
              ) -> None:
    """Bring the stored rates up to date: the ECB history shipped with the installation and, unless --offline, the
    ECB's and the National Bank of Ukraine's current publications; then say the last rate held from each."""
    platform = ready(ctx)
    start = parse_date(since, "--since")
    found: list[Publication | tuple[str, Exception]] = [platform.bundled_rates()]
    if not offline:
        found += platform.published_rates(timeout)
    for publication in found:
        if isinstance(publication, tuple):
            origin, reason = publication
            console.print(f"{origin}: not reached ({reason}); the rates already held stay.")
            continue
        _store_rates(platform, publication, start)
    print_last_rates(platform)


def load_bundled_rates(platform: Platform) -> None:
    """On a database holding no rate yet, store the ECB rates shipped with the installation from ``HISTORY_FROM``
    on (``coalition init``); ``coalition fx update --since`` takes earlier ones."""
    if svc.last_rate_days(platform.uow(read_only=True), platform.operator()):
        return
    console.print(f"Storing the ECB reference rates since {HISTORY_FROM} shipped with the installation ...")
    _store_rates(platform, platform.bundled_rates(), date.fromisoformat(HISTORY_FROM))
    print_last_rates(platform)


def _store_rates(platform: Platform, publication: Publication, since: date) -> None:
    rates = [rate for rate in platform.parse_rates(publication.data) if rate.day >= since]
    if not rates:
        console.print(f"{publication.origin}: no rate on or after {since}.")
        return
    added = svc.import_fx_rates(platform.uow(), platform.operator(), source=f"{publication.origin}: {publication.name}",
                                digest=hashlib.sha256(publication.data).hexdigest(), rates=rates)
    console.print(f"{publication.origin}: {len(rates)} rates since {since} read; {added} new, "
                  f"{len(rates) - added} already stored.")


def print_last_rates(platform: Platform) -> None:
    last = svc.last_rate_days(platform.uow(read_only=True), platform.operator())
    console.print("Last rate held: " + ("; ".join(f"{source} {day}" for source, day in last.items()) or "none"))


@fx.command("list")
def fx_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Stored exchange rates by currency pair and publisher."""
    platform = ready(ctx)
    found = svc.fx_summary(platform.uow(), platform.operator())
    if as_json:
        emit_json([{"base": b, "quote": q, "source": s, "first": f, "last": last, "count": n}
                   for b, q, s, f, last, n in found])
        return
    table("Exchange rates", ["Base", "Quote", "Source", "First", "Last", "Days"], found)


@fx.command("convert")
def fx_convert(ctx: typer.Context, amount: str, currency: str, to: Annotated[str, typer.Option("--to")],
               on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD")], as_json: JsonFlag = False) -> None:
    """Convert an amount at the rate of a date (or the last earlier published rate), saying which."""
    platform = ready(ctx)
    value = svc.convert(platform.uow(), platform.operator(), Money.parse(amount, check_currency(currency)),
                        check_currency(to, "--to"), parse_date(on, "--on"))
    if as_json:
        emit_json(value)
        return
    note = "" if value.rate_date == parse_date(on, "--on") else " (last earlier published rate)"
    console.print(f"{amount} {currency.upper()} = {value.amount} at {value.rate} of {value.rate_date}{note}; "
                  f"source: {value.source}")


MEASURES = list(Measure)
PdfOption = Annotated[Path | None, typer.Option("--pdf", help="Write the report as PDF to this file ('-': standard "
                                                               "output) instead of showing it.")]
LangOption = Annotated[str, typer.Option("--lang", help="The PDF's language: en or uk.")]


def _print_pdf(kind: str, platform: Platform, code: str, day: date | None, lang: str, target: Path) -> None:
    """Write the PDF of a report (the same read as the tables, as the operator sees it)."""
    from coalition.entrypoints.web import printed  # the templates and charts are the web pages'; loaded when asked

    draw = printed.funding_pdf if kind == "funding" else printed.donor_pdf
    write_output(draw(platform, platform.operator(), code, day, lang), None if str(target) == "-" else target,
                 "--pdf")


def _money_row(values: dict[Measure, Money]) -> list[object]:
    return [values[m].amount for m in MEASURES]


@report.command("funding")
def report_funding(ctx: typer.Context, coalition: str, on: AsOf = None, as_json: JsonFlag = False,
                   pdf: PdfOption = None, lang: LangOption = "en") -> None:
    """The coalition's money by donor, earmark and currency, in original currencies and the reporting one (as of a
    day with --on), and the coverage of its priority list then; with --pdf, the report as PDF with its charts."""
    platform = ready(ctx)
    day, lang = as_of_day(on), check_language(lang, "--lang")
    if pdf is not None:
        _print_pdf("funding", platform, coalition, day, lang, pdf)
        return
    found = funding_views.funding_report(platform.uow(), platform.operator(), coalition, day)
    if as_json:
        emit_json(found)
        return
    rc = found.reporting_currency
    heads = [m.value.capitalize() for m in MEASURES]
    table(f"Funding of {coalition}{_as_of(day)}: totals in {rc}", ["", *heads],
          [["Total", *_money_row(found.totals)]])
    table("By donor, earmark and currency (original currency / reporting currency)",
          ["Donor", "Earmark", "Currency", *heads],
          [[line.donor, line.earmark, line.currency,
            *(f"{line.original[m].amount} / {line.reporting[m].amount}" if line.currency != rc
              else line.original[m].amount for m in MEASURES)] for line in found.lines])
    table(f"By earmark, in {rc}", ["Earmark", *heads], [[e, *_money_row(v)] for e, v in found.by_earmark.items()])
    table("By original currency", ["Currency", *heads], [[c, *_money_row(v)] for c, v in found.by_currency.items()])
    if found.conversion_sources:
        console.print(f"Converted to {rc} at the rate of each value date (or the last earlier published rate): "
                      + "; ".join(f"{c}: {s}" for c, s in found.conversion_sources))
    try:
        ranks = priorities.coverage(platform.uow(), platform.operator(), coalition, on=day)
    except NotFound:
        return  # no approved priority list yet: nothing to cover
    table(f"Coverage per rank (priority list v{ranks.version}){_as_of(day)}",
          ["Rank", "Requirement", "Cost", "Reserved", "Contracted or paid", "Given in kind", "Missing"],
          [(r.rank, r.requirement.code, r.cost.amount, r.reserved.amount, r.contracted.amount,
            r.in_kind.amount if r.in_kind else 0, r.missing.amount) for r in ranks.ranks])
    short = ranks.next_short
    console.print(f"Available in the fund: {ranks.available}. " + (
        f"Next: {short.requirement.code} (rank {short.rank}) still lacks {short.missing}; the money available "
        f"would complete the first {ranks.affordable} rank(s) in order" if short else "Every rank is covered."))


def _as_of(day: date | None) -> str:
    """A title's note of the day a report is as of."""
    return "" if day is None else f", as of {day}"


def print_donor_procurement(statements: list[DonorProcurement]) -> None:
    """What a donor's money bought, per coalition: contract lines, payments, deliveries to units."""
    for bought in statements:
        money = bought.currency
        console.print(f"[bold]What {bought.donor}'s money bought in {bought.coalition}[/bold] ({money}; "
                      "contracted, paid "
                      "and delivered are stages of the same money, not added together)")
        table(f"Contracted: {bought.total_contracted}", ["Contract", "Supplier", "Route", "Line", "Requirement",
                                                         "Amount", money],
              [(f.contract, f.supplier, f.route.value, f.line, f.requirement, f.amount, f.reporting.amount)
               for f in bought.contracted])
        table(f"Paid: {bought.total_paid}", ["Payment", "Paid on", "Contract", "Supplier", "Requirement", "Amount",
                                             money],
              [(p.payment, p.paid_on, p.contract, p.supplier, p.requirement, p.amount, p.reporting.amount)
               for p in bought.paid])
        table(f"Delivered to units: {bought.total_delivered} (units: {', '.join(bought.units) or 'none yet'})",
              ["Receipt", "On", "Unit", "Contract", "Requirement", "Items accepted", "Receipt value", "Donor share"],
              [(d.receipt, d.received_on, d.unit, d.contract, d.requirement, d.quantity, d.value.amount,
                d.share.amount) for d in bought.delivered])


@report.command("donor")
def report_donor(ctx: typer.Context, donor: str, on: AsOf = None, as_json: JsonFlag = False,
                 pdf: PdfOption = None, lang: LangOption = "en") -> None:
    """What a donor pledged, committed, paid and gave in kind, with each pledge's status, and what its money bought
    (as of a day with --on); with --pdf, the statement as PDF with its charts."""
    platform = ready(ctx)
    day, lang = as_of_day(on), check_language(lang, "--lang")
    if pdf is not None:
        _print_pdf("donor", platform, donor, day, lang, pdf)
        return
    found = funding_views.donor_statement(platform.uow(), platform.operator(), donor, on=day)
    if as_json:
        emit_json(found)
        return
    console.print(f"[bold]Donor statement: {found.name} ({found.donor}){_as_of(day)}[/bold]")
    heads = [m.value.capitalize() for m in MEASURES]
    for code, part in found.coalitions.items():
        table(f"{code}, in {part.reporting_currency}", ["", *heads], [["Total", *_money_row(part.totals)]])
        table(f"{code}, in original currencies", ["Currency", *heads],
              [[c, *_money_row(v)] for c, v in part.by_currency.items()])
    if found.masked:
        console.print("Some of this donor's records are restricted: totals and what its money bought are not shown.")
    _print_pledges(found.contributions)
    print_donor_procurement(found.procurement)


def _print_pledges(contributions: list[svc.ContributionView]) -> None:
    """A donor's pledges with their progress (masked ones without their amount)."""
    table("Pledges", ["Id", "Coalition", "Value date", "Pledged", "Committed", "Received", "Status", "Excess",
                      "Earmark"],
          [(c.id, c.coalition, c.value_date, MASK if c.masked else c.amount,
            c.progress.committed if c.progress else "", c.progress.received if c.progress else "",
            c.progress.status.value if c.progress else "",
            c.progress.excess if c.progress and c.progress.excess.amount else "", c.earmark or "")
           for c in contributions if c.kind is ContributionKind.PLEDGE])


@ledger_app.command("check")
def ledger_check(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Recompute every balance from the entries; report differences and entries that break the rules."""
    platform = ready(ctx)
    result = ledger_views.check_ledger(platform.uow(), platform.operator())
    if as_json:
        emit_json({"ok": result.ok, "accounts": result.accounts, "problems": result.problems,
                   "discrepancies": [d.describe() for d in result.discrepancies]})
    elif result.ok:
        console.print(f"Ledger check passed: {result.accounts} account balances equal their entries; "
                      "every entry balances.")
    if not result.ok:
        for line in result.problems + [d.describe() for d in result.discrepancies]:
            console.print(f"  {line}", style="red")
        fail(f"ledger check failed: {len(result.problems)} rule(s) broken, {len(result.discrepancies)} balance(s) "
             "differ", 6)


@ledger_app.command("reverse")
def ledger_reverse(ctx: typer.Context, entry: Annotated[int, id_argument("The entry to reverse.")],
                   reason: Annotated[str, typer.Option(help="Why the entry is reversed (kept in the ledger).")],
                   on: Annotated[str | None, typer.Option("--on", help="Date of the reversal; today if omitted.")]
                   = None) -> None:
    """Reverse a ledger entry: the same amount, debit and credit swapped, with a reason."""
    platform = ready(ctx)
    day: date | None = None if on is None else parse_date(on, "--on")
    stored = svc.reverse_entry(platform.uow(), platform.operator(), entry, reason=reason, on=day)
    console.print(f"Entry {stored.id} reverses entry {entry}: {stored.amount} back from {stored.credit.name} to "
                  f"{stored.debit.name}")


@ledger_app.command("entries")
def ledger_entries(ctx: typer.Context, contribution: Annotated[int, id_argument("The contribution's id.")],
                   as_json: JsonFlag = False) -> None:
    """The ledger entries of one contribution."""
    platform = ready(ctx)
    found, entries = svc.contribution_entries(platform.uow(), platform.operator(), contribution)
    if as_json:
        emit_json({"contribution": found, "entries": entries})
        return
    table(f"Entries of {found.kind} {found.id}", ["Entry", "Kind", "Value date", "Debit", "Credit", "Amount",
                                                  "Reporting", "Reverses", "Reason"],
          [(e.id, e.kind.value, e.value_date, e.debit.name, e.credit.name, e.amount, e.reporting_amount, e.reverses,
            e.reason) for e in entries])


@areas.command("list")
def areas_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The capability areas, with their parents."""
    platform = ready(ctx)
    found = svc.list_capability_areas(platform.uow(), platform.operator())
    if as_json:
        emit_json(found)
        return
    table("Capability areas", ["Code", "Name", "Назва", "Parent"], [(a.code, a.name, a.name_uk, a.parent)
                                                                     for a in found])


@areas.command("add")
def areas_add(ctx: typer.Context, code: str, name: Annotated[str, typer.Option()],
              name_uk: Annotated[str | None, typer.Option()] = None,
              parent: Annotated[str | None, typer.Option()] = None) -> None:
    """Add a capability area (optionally under a parent)."""
    platform = ready(ctx)
    added = svc.add_capability_area(platform.uow(), platform.operator(), CapabilityArea(code, name, name_uk, parent))
    console.print(f"Added capability area {added.code}")
