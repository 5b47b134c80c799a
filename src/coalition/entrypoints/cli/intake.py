"""Commands of the news intake: read an article and show the registry changes it states, with their evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from coalition.domain.common import parse_date
from coalition.domain.errors import InvalidInput, refusal
from coalition.domain.intake import MAX_ARTICLE_BYTES, ArticleFormat, Reading, check_article_size, reading_json
from coalition.entrypoints.cli.output import console, table
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services.intake import read_article

app = typer.Typer(help="News intake: read announcements and propose the registry changes they state.",
                  no_args_is_help=True)


def _raw(path: Path) -> bytes:
    """The file's bytes, one past the size limit at most (so that a larger file is refused, not read whole)."""
    if not path.is_file():
        raise refusal(InvalidInput, "no article file at {path}", field="path", path=str(path))
    check_article_size(path.stat().st_size)  # a larger file is named with its own size, and never read
    with path.open("rb") as stream:
        return stream.read(MAX_ARTICLE_BYTES + 1)


@app.command("read")
def intake_read(ctx: typer.Context,
                path: Annotated[Path, typer.Argument(help="A plain-text, Markdown or HTML article (UTF-8).")],
                published_on: Annotated[str | None, typer.Option(
                    "--published-on", help="The day the article was published (YYYY-MM-DD): relative dates and "
                                           "dates without a year are read against it.")] = None,
                source: Annotated[str | None, typer.Option(help="Where the article comes from (a URL or a name).")]
                = None,
                as_json: JsonFlag = False) -> None:
    """Read an article (uk, ru or en) and show the events it states; nothing is written."""
    platform = ready(ctx)
    published = parse_date(published_on, "--published-on") if published_on else None
    reading = read_article(platform.uow(read_only=True), platform.operator(), _raw(path),
                           form=ArticleFormat.of_name(path.name), reader=platform.article_reader,
                           today=platform.clock().date(), published_on=published, source=source)
    if as_json:
        print(json.dumps(reading_json(reading), ensure_ascii=False, indent=2))
        return
    _show(reading)


def _show(reading: Reading) -> None:
    console.print(f"Language: {reading.language.value}; published: {reading.published_on or 'unknown'}; "
                  f"{len(reading.events)} event(s)", highlight=False)
    table("Events", ["Kind", "Coalition", "Parties", "Date", "Amount", "Details", "Confidence", "Evidence"],
          [(e.kind.value, (e.coalition.code or f"new: {e.coalition.name}") if e.coalition else "",
            ", ".join(f"{p.code or p.name}{f' ({p.role})' if p.role else ''}" for p in e.parties),
            e.date.iso() if e.date else "",
            f"{'~' if e.amount.approximate else ''}{e.amount.amount:,f} {e.amount.currency}" if e.amount else "",
            "; ".join(f"{k}: {v}" for k, v in e.attributes.items() if v not in (None, "", [], {})),
            f"{e.confidence:.2f}", e.evidence) for e in reading.events])
