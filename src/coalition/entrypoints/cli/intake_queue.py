"""Commands of the news intake's review queue: add an article (read from a file, or a reading kept as JSON), list
and show the proposals with how each stands against the registry, accept or reject them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from coalition.bootstrap import Platform
from coalition.domain.coalition import MembershipRole
from coalition.domain.common import parse_date
from coalition.domain.errors import InvalidInput, refusal
from coalition.domain.instrument import InstrumentKind
from coalition.domain.intake import ArticleFormat, Reading
from coalition.domain.intake_queue import ProposalStatus, checked_bytes, digest_of, reading_from_data
from coalition.entrypoints.cli import intake as reading_commands
from coalition.entrypoints.cli.output import choice, console, emit_json, table
from coalition.entrypoints.cli.params import id_argument
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import intake_queue as svc
from coalition.services.intake import read_article

intake = reading_commands.app  # one group: `intake read` and the queue's commands

NOT_JSON = "the reading is not JSON: {problem}"
NEEDS_SOURCE = "say where the article comes from (--source, or a 'source' in the reading)"
NOTHING_TO_ADD = "give the article's file or a reading (--reading FILE.json)"


def _from_json(path: Path) -> tuple[Reading, bytes, dict[str, Any]]:
    text = checked_bytes(path.read_bytes(), "--reading")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise refusal(InvalidInput, NOT_JSON, field="--reading", problem=str(problem)) from None
    reading = reading_from_data(data)
    return reading, reading.text.encode("utf-8"), data


def _read(platform: Platform, path: Path | None, reading_file: Path | None, published_on: date | None,
          source: str | None) -> tuple[Reading, bytes, dict[str, Any]]:
    if reading_file is not None:
        return _from_json(reading_file)
    if path is None:
        raise refusal(InvalidInput, NOTHING_TO_ADD, field="path")
    raw = path.read_bytes()  # refused by the reader if empty, binary or over MAX_ARTICLE_BYTES
    reading = read_article(platform.uow(read_only=True), platform.operator(), raw,
                           form=ArticleFormat.of_name(path.name), reader=platform.article_reader,
                           today=platform.clock().date(), published_on=published_on, source=source)
    return reading, raw, {}


def _proposal_data(view: svc.ProposalView) -> dict[str, Any]:
    p = view.proposal
    return {"id": p.id, "kind": p.event.kind.value, "status": p.status.value, "fact": p.fact_key,
            "standing": view.comparison.standing.value, "comparison": view.comparison.detail,
            "event": svc.audited(p.event), "decision": p.decision,
            "sources": [{"article": s.article, "sha256": s.sha256, "source": s.source, "evidence": s.evidence,
                         "span": list(s.span), "confidence": f"{s.confidence:.3f}"} for s in p.sources]}


@intake.command("add")
def intake_add(ctx: typer.Context,
               path: Annotated[Path | None, typer.Argument(help="The article's file (read by the installed reader).",
                                                            exists=True, dir_okay=False)] = None,
               reading: Annotated[Path | None, typer.Option(
                   "--reading", exists=True, dir_okay=False,
                   help="A reading as JSON: what `intake read --json` prints, with the article's 'text'.")] = None,
               source: Annotated[str | None, typer.Option(help="Where the article was read (its address).")] = None,
               published_on: Annotated[str | None, typer.Option("--published-on", help="YYYY-MM-DD")] = None,
               as_json: JsonFlag = False) -> None:
    """Keep an article and the facts it states as proposals; the same article twice changes nothing."""
    platform = ready(ctx)
    day = parse_date(published_on, "--published-on") if published_on else None
    if not (source or reading is not None):
        raise refusal(InvalidInput, NEEDS_SOURCE, field="--source")
    read, raw, data = _read(platform, path, reading, day, source)
    where = source or (data.get("source") if isinstance(data.get("source"), str) else None)
    if not where:
        raise refusal(InvalidInput, NEEDS_SOURCE, field="--source")
    digest = data.get("sha256") if isinstance(data.get("sha256"), str) else digest_of(raw)
    added = svc.add_reading(platform.uow(), platform.operator(), reading=read, source=where, published_on=day,
                            sha256=digest)
    if as_json:
        emit_json({"article": added.article.id, "sha256": added.article.sha256, "added": added.added,
                   "proposals": added.proposals, "joined": added.joined})
        return
    if not added.added:
        console.print(f"Article {added.article.sha256[:12]} was already added (article {added.article.id}); "
                      "nothing changed")
        return
    console.print(f"Added article {added.article.id} ({added.article.sha256[:12]}): "
                  f"{len(added.proposals)} new proposal(s) {list(added.proposals)}, "
                  f"{len(added.joined)} already proposed {list(added.joined)}")


@intake.command("list")
def intake_list(ctx: typer.Context,
                status: Annotated[str | None, typer.Option(help="pending, accepted or rejected")] = None,
                as_json: JsonFlag = False) -> None:
    """The proposals, with how each stands against the registry."""
    platform = ready(ctx)
    wanted = choice(status, ProposalStatus, "--status") if status else None
    found = svc.list_proposals(platform.uow(), platform.operator(), wanted)
    if as_json:
        emit_json([_proposal_data(v) for v in found])
        return
    table(f"Intake proposals ({len(found)})", ["Id", "Kind", "Status", "Standing", "Sources", "Fact"],
          [(v.proposal.id, v.proposal.event.kind.value, v.proposal.status.value, v.comparison.standing.value,
            len(v.proposal.sources), v.proposal.fact_key) for v in found])


@intake.command("show")
def intake_show(ctx: typer.Context, proposal: Annotated[int, id_argument("The proposal's id.")],
                as_json: JsonFlag = False) -> None:
    """One proposal: the fact, how it stands against the registry, the sentences and articles it comes from."""
    platform = ready(ctx)
    view = svc.get_proposal(platform.uow(), platform.operator(), proposal)
    if as_json:
        emit_json({**_proposal_data(view), "articles": [
            {"id": a.id, "sha256": a.sha256, "source": a.source, "published_on": a.published_on,
             "language": a.language.value} for a in view.articles]})
        return
    p = view.proposal
    console.print(f"[bold]Proposal {p.id}[/bold]: {p.event.kind.value}, {p.status.value}")
    console.print(f"Fact: {p.fact_key}")
    console.print(f"Registry: {view.comparison.standing.value}: {view.comparison.detail}")
    if p.decision is not None:
        console.print(f"Decided: {p.decision.status.value} by {p.decision.decided_by} on "
                      f"{p.decision.decided_at.date()}: {p.decision.reason or p.decision.result}")
    table("Sources", ["Article", "Source", "Sentence", "Confidence"],
          [(s.sha256[:12], s.source, s.evidence, f"{s.confidence:.2f}") for s in p.sources])
    texts = {a.id: a for a in view.articles}
    for source in p.sources:
        article = texts.get(source.article)
        if article is None:
            continue
        start, end = source.span
        console.print(f"\n[bold]{escape(article.source)}[/bold] ({article.sha256[:12]}, {article.language.value}, "
                      f"{article.published_on or '-'})")
        console.print(escape(article.text[:start]) + "[reverse]" + escape(article.text[start:end]) + "[/reverse]"
                      + escape(article.text[end:]), highlight=False)


def _options(on: str | None, role: str | None, instrument: str | None, **given: str | None) -> svc.AcceptOptions:
    day: date | None = parse_date(on, "--on") if on else None
    return svc.AcceptOptions(
        on=day, role=choice(role, MembershipRole, "--role") if role else None,
        instrument=choice(instrument, InstrumentKind, "--instrument") if instrument else None, **given)


@intake.command("accept")
def intake_accept(ctx: typer.Context, proposal: Annotated[int, id_argument("The proposal's id.")],
                  on: Annotated[str | None, typer.Option(help="The day, where the article gives only a month or "
                                                              "year (YYYY-MM-DD).")] = None,
                  code: Annotated[str | None, typer.Option(help="Code of the instrument or coalition created.")
                                  ] = None,
                  title: Annotated[str | None, typer.Option(help="Title of the instrument or meeting.")] = None,
                  role: Annotated[str | None, typer.Option(help="A new member's role.")] = None,
                  instrument: Annotated[str | None, typer.Option(help="The instrument's kind.")] = None,
                  place: Annotated[str | None, typer.Option(help="Where a meeting or founding took place.")] = None,
                  recipient: Annotated[str | None, typer.Option(help="A new coalition's recipient.")] = None,
                  area: Annotated[str | None, typer.Option(help="A new coalition's capability area.")] = None,
                  framework: Annotated[str | None, typer.Option(help="A new coalition's framework.")] = None,
                  currency: Annotated[str | None, typer.Option(help="A new coalition's reporting currency.")] = None,
                  fund: Annotated[str | None, typer.Option(help="Record an amount mobilised as a pledge to this fund "
                                                                "(never as money received).")] = None,
                  donor: Annotated[str | None, typer.Option(help="The pledge's donor, where the article names "
                                                                 "none or several.")] = None,
                  as_json: JsonFlag = False) -> None:
    """Accept a proposal: apply it through the registry's services, naming its articles in the audit record."""
    platform = ready(ctx)
    options = _options(on, role, instrument, code=code, title=title, place=place, recipient=recipient,
                       capability_area=area, framework=framework, currency=currency, fund=fund, donor=donor)
    done = svc.accept_proposal(platform.uow(), platform.operator(), proposal, options)
    result = done.decision.result if done.decision else ""
    if as_json:
        emit_json({"id": done.id, "status": done.status.value, "result": result})
        return
    console.print(f"Accepted proposal {done.id}: {result}")


@intake.command("reject")
def intake_reject(ctx: typer.Context, proposal: Annotated[int, id_argument("The proposal's id.")],
                  reason: Annotated[str, typer.Option(help="Why the proposal is rejected (kept).")],
                  as_json: JsonFlag = False) -> None:
    """Reject a proposal, keeping the reason."""
    platform = ready(ctx)
    done = svc.reject_proposal(platform.uow(), platform.operator(), proposal, reason=reason)
    if as_json:
        emit_json({"id": done.id, "status": done.status.value, "reason": reason.strip()})
        return
    console.print(f"Rejected proposal {done.id}: {reason.strip()}")
