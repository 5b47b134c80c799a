"""The funding ledger over HTTP: contributions, reversals, imports, exchange rates, reports and the check."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import Field

from coalition.bootstrap import Platform
from coalition.domain.access import Actor, can
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
from coalition.domain.errors import InvalidInput
from coalition.domain.ledger import Entry, Period
from coalition.domain.money import Money, check_currency
from coalition.domain.taxonomy import CapabilityArea
from coalition.entrypoints.api.batching import GroupCommit
from coalition.entrypoints.api.core import (
    Amount,
    AsOfQuery,
    Body,
    Caller,
    CallerDep,
    Code,
    CodeInPath,
    CodeInQuery,
    Currency,
    CurrencyInQuery,
    Cursor,
    Day,
    DayInQuery,
    Description,
    EarmarkText,
    ExternalRef,
    Flag,
    FlagInQuery,
    Id,
    IdempotencyKey,
    IdInPath,
    Limit,
    Name,
    Offset,
    Page,
    Reason,
    Routes,
    ValuationSource,
    caller,
    idempotent,
    json_response,
    page_of,
)
from coalition.entrypoints.web import printed
from coalition.entrypoints.web.i18n import negotiate
from coalition.entrypoints.web.printed import MEDIA_TYPE
from coalition.services import funding as svc
from coalition.services.audit import require
from coalition.services.funding import ContributionView, ImportSummary
from coalition.services.views import funding as funding_views
from coalition.services.views import ledger as ledger_views
from coalition.services.views.funding import DonorStatement, FundingReport, PeriodFlows
from coalition.services.views.ledger import LedgerCheck

api = Routes("funding")
router = api.router


class MoneyIn(Body):
    amount: Amount
    currency: Currency

    def money(self) -> Money:
        return Money.parse(self.amount, check_currency(self.currency, "amount.currency"))


class ValuationIn(Body):
    rule: ValuationRule
    source: ValuationSource


class NewContribution(Body):
    kind: ContributionKind
    coalition: Code
    fund: Code
    donor: Code
    amount: MoneyIn
    value_date: Day
    earmark: EarmarkText = "none"
    visibility: Visibility = Visibility.PUBLIC
    restricted_to: Annotated[list[Code], Field(max_length=50)] = []
    declassify_on: Day | None = None
    external_ref: ExternalRef | None = None
    fulfils: Annotated[Id | None, Field(description="Id of the pledge or commitment fulfilled")] = None
    description: Description = ""
    valuation: ValuationIn | None = None
    illustrative: Flag = False

    def contribution(self) -> Contribution:
        return Contribution(
            kind=self.kind, coalition=self.coalition, fund=self.fund, donor=self.donor, amount=self.amount.money(),
            value_date=self.value_date, earmark=Earmark.parse(self.earmark),
            confidentiality=Confidentiality(self.visibility, tuple(self.restricted_to), self.declassify_on),
            external_ref=self.external_ref, parent=self.fulfils, description=self.description,
            valuation=None if self.valuation is None else Valuation(self.valuation.rule, self.valuation.source),
            illustrative=self.illustrative)


@api.get("/capability-areas", Page[CapabilityArea], summary="The capability-area taxonomy")
def list_areas(who: CallerDep, offset: Offset = 0, limit: Limit = 500) -> object:
    return page_of(svc.list_capability_areas(who.read(), who.actor), offset, limit)


class NewArea(Body):
    code: Code
    name: Name
    name_uk: Name | None = None
    parent: Code | None = None


@api.post("/capability-areas", CapabilityArea, summary="Add a capability area")
def add_area(body: NewArea, who: CallerDep) -> object:
    return svc.add_capability_area(who.write(), who.actor, CapabilityArea(body.code, body.name, body.name_uk,
                                                                          body.parent))


@api.get("/contributions", Page[ContributionView], cursor="id",
         summary="Contributions, oldest first or in the order asked (ties by id), narrowed by currency, kind of "
                 "earmark and value dates; confidential details masked as the caller must see them, and a list "
                 "narrowed or ordered by them (or by donor) holds only the records the caller may see in full; "
                 "after (a cursor) pages the list as recorded, offset any other")
def list_contributions(who: CallerDep, coalition: CodeInQuery = None, donor: CodeInQuery = None,
                       kind: ContributionKind | None = None, currency: CurrencyInQuery = None,
                       earmark: EarmarkKind | None = None, value_from: DayInQuery = None,
                       value_to: DayInQuery = None, order: ContributionOrder | None = None,
                       descending: FlagInQuery = False, offset: Offset = 0, limit: Limit = 50,
                       after: Cursor = None) -> object:
    chosen = ContributionFilter(currency, earmark, value_from, value_to, order or ContributionOrder.RECORDED,
                                descending)
    found = svc.list_contributions(who.read(), who.actor, coalition=coalition, donor=donor, kind=kind, offset=offset,
                                   limit=limit, after=after, filter=chosen)
    return Page(found.items, found.total, offset, limit)


ContributionWriter = GroupCommit[tuple[Actor, Contribution], Contribution]


def contribution_writer(platform: Callable[[], Platform]) -> ContributionWriter:
    """Contributions posted at once are written together: one transaction, one commit, per group."""
    return GroupCommit(lambda requests: svc.record_contributions(platform().uow(), requests))


def _record(who: Caller, body: NewContribution, writer: ContributionWriter) -> Response:
    stored = writer.submit((who.actor, body.contribution()))
    return json_response(svc.view_contribution(who.actor, stored, who.platform.clock().date()), ContributionView,
                         201)


@api.post("/contributions", ContributionView,
          summary="Record a pledge, commitment, receipt or in-kind contribution (send an Idempotency-Key)")
def record_contribution(body: NewContribution, request: Request, who: CallerDep,
                        idempotency_key: IdempotencyKey = None) -> object:
    writer: ContributionWriter = request.app.state.contribution_writer
    return idempotent(who, request, idempotency_key, body, lambda: _record(who, body, writer))


@dataclass(frozen=True, slots=True)
class ContributionEntries:
    contribution: Contribution
    entries: list[Entry]


@api.get("/contributions/{contribution_id}/entries", ContributionEntries,
         summary="A contribution and its ledger entries (for those who may see its details)")
def contribution_entries(who: CallerDep, contribution_id: IdInPath) -> object:
    found, entries = svc.contribution_entries(who.read(), who.actor, contribution_id)
    return ContributionEntries(found, entries)


class Reversal(Body):
    reason: Reason
    on: Day | None = None


@api.post("/ledger/entries/{entry_id}/reversal", Entry, summary="Reverse a ledger entry, with a reason")
def reverse_entry(body: Reversal, who: CallerDep, entry_id: IdInPath) -> object:
    return svc.reverse_entry(who.write(), who.actor, entry_id, reason=body.reason, on=body.on)


@api.get("/ledger/check", LedgerCheck, summary="Recompute every balance from the entries, check the ledger's "
                                                "invariants, and report every difference and breach")
def check_ledger(who: CallerDep) -> object:
    return ledger_views.check_ledger(who.read(), who.actor)


FileName = Annotated[str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}\.[A-Za-z]{3,4}$",
                                description="The file's name; its suffix says its format")]
FILE_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


async def _spool(request: Request, name: str) -> Path:
    """The request body in a file of its own (removed again if receiving it fails)."""
    folder = Path(tempfile.mkdtemp(prefix="coalition-upload-"))
    path = folder / Path(name).name
    try:
        with path.open("wb") as out:
            async for chunk in request.stream():
                out.write(chunk)
        if path.stat().st_size == 0:
            raise InvalidInput("the request body holds no file", field="body")
    except BaseException:
        _discard(path)
        raise
    return path


async def spooled_bytes(request: Request) -> bytes:
    """The request body's file, whole (the body limit of imports bounds it)."""
    chunks = [chunk async for chunk in request.stream()]
    content = b"".join(chunks)
    if not content:
        raise InvalidInput("the request body holds no file", field="body")
    return content


def _discard(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.parent.rmdir()


async def _uploaded(request: Request, filename: str, action: str, handle: Callable[[Caller, Path], Any],
                    kind: Any) -> Response:
    """Receive a file for ``action`` (refused before receiving it if the caller may not), hand it to a service."""
    who = await caller(request)
    require(can(who.actor, action))
    path = await _spool(request, filename)
    try:
        result = await run_in_threadpool(handle, who, path)
    finally:
        _discard(path)
    return json_response(result, kind, 201)


@router.post("/imports", status_code=201, response_model=ImportSummary, openapi_extra=FILE_BODY,
             summary="Import a CSV or XLSX file of contributions: all rows valid, or nothing written")
async def import_contributions(request: Request, filename: FileName) -> Response:
    return await _uploaded(request, filename, "record_contributions", _import, ImportSummary)


def _import(who: Caller, path: Path) -> ImportSummary:
    source = Platform.open_table(path)
    return svc.import_contributions(who.write(), who.actor, source=source.name, digest=source.sha256,
                                    header=source.header, rows=source.rows)


@dataclass(frozen=True, slots=True)
class RatesImported:
    read: int
    new: int


@router.post("/fx-rates", status_code=201, response_model=RatesImported, openapi_extra=FILE_BODY,
             summary="Import an ECB (CSV or ZIP) or National Bank of Ukraine (JSON or XML) rates file")
async def import_rates(request: Request, filename: FileName) -> Response:
    return await _uploaded(request, filename, "import_rates", _import_rates, RatesImported)


def _import_rates(who: Caller, path: Path) -> RatesImported:
    content = path.read_bytes()
    rates = Platform.read_rates(path)
    added = svc.import_fx_rates(who.write(), who.actor, source=path.name, digest=hashlib.sha256(content).hexdigest(),
                                rates=rates)
    return RatesImported(len(rates), added)


@dataclass(frozen=True, slots=True)
class RateSeries:
    base: str
    quote: str
    source: str
    first: date
    last: date
    days: int


@api.get("/fx-rates", list[RateSeries], summary="Stored exchange rates by currency pair and publisher")
def list_rates(who: CallerDep) -> object:
    return [RateSeries(*row) for row in svc.fx_summary(who.read(), who.actor)]


PDF_RESPONSE = {200: {"content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                      "description": "The report as PDF (A4, with its charts, page numbers, the day and the audit "
                                     "head it was read from), holding only what the caller may see"}}
Language = Annotated[Literal["en", "uk"] | None, Query(
    description="The PDF's language: en or uk; the Accept-Language header's if not given")]


def _pdf(content: bytes, name: str) -> Response:
    return Response(content, media_type=MEDIA_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@api.get("/reports/funding/{coalition}/pdf", None, response_class=Response, responses=PDF_RESPONSE,
         summary="The funding report as PDF, in English or Ukrainian")
def funding_report_pdf(request: Request, who: CallerDep, coalition: CodeInPath, on: AsOfQuery = None,
                       lang: Language = None) -> object:
    language = lang or negotiate(request.headers.get("accept-language"))
    return _pdf(printed.funding_pdf(who.platform, who.actor, coalition, on, language),
                printed.file_name("funding", coalition, on, language))


@api.get("/reports/donors/{donor}/pdf", None, response_class=Response, responses=PDF_RESPONSE,
         summary="A donor's statement as PDF, in English or Ukrainian")
def donor_statement_pdf(request: Request, who: CallerDep, donor: CodeInPath, on: AsOfQuery = None,
                        lang: Language = None) -> object:
    language = lang or negotiate(request.headers.get("accept-language"))
    return _pdf(printed.donor_pdf(who.platform, who.actor, donor, on, language),
                printed.file_name("statement", donor, on, language))


@api.get("/reports/funding/{coalition}", FundingReport, cached=True,
         summary="Funding status: by donor, earmark and currency, in original currencies and the reporting one")
def funding_report(who: CallerDep, coalition: CodeInPath, on: AsOfQuery = None) -> object:
    return funding_views.funding_report(who.read(), who.actor, coalition, on)


@api.get("/reports/funding/{coalition}/over-time", list[PeriodFlows],
         summary="Money over time: pledged, committed, received and disbursed per month or year, and to date")
def funding_over_time(who: CallerDep, coalition: CodeInPath, by: Period = Period.MONTH) -> object:
    return funding_views.funding_over_time(who.read(), who.actor, coalition, by)


@api.get("/reports/donors/{donor}", DonorStatement, cached=True,
         summary="A donor's statement: pledged, committed, paid, and what its money bought")
def donor_statement(who: CallerDep, donor: CodeInPath, on: AsOfQuery = None) -> object:
    return funding_views.donor_statement(who.read(), who.actor, donor, on=on)
