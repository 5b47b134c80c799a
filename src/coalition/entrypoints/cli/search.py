"""The search command: requirements, procurement cases, contracts, parties, proposals and documents holding every
word of a query, in English or Ukrainian."""

from __future__ import annotations

from typing import Annotated

import typer

from coalition.domain.errors import InvalidInput
from coalition.domain.search import SearchKind
from coalition.entrypoints.cli.output import emit_json, table
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services.views import search as svc


def search(ctx: typer.Context, words: Annotated[list[str], typer.Argument(help="The words to find.")],
           kind: Annotated[SearchKind | None, typer.Option(help="Only records of this kind.")] = None,
           as_json: JsonFlag = False) -> None:
    """Find records by the words they hold: each word as the beginning of a word, a Ukrainian word in any of its
    forms, an English one by its stem; best first, at most 50."""
    platform = ready(ctx)
    try:
        results = svc.search(platform.uow(read_only=True), platform.operator(), " ".join(words), kind)
    except InvalidInput as error:  # the query is this command's WORDS
        raise InvalidInput(error.message, field="WORDS", template=error.template, values=error.values) from None
    if as_json:
        emit_json([{"kind": h.kind.value, "key": h.key, "coalition": h.coalition, "title": h.title,
                    "title_uk": h.title_uk, "attached_to": list(h.attached_to) if h.attached_to else None}
                   for h in results.hits])
        return
    table(f"Records holding: {' '.join(results.words)} ({len(results.hits)})",
          ["Kind", "Key", "Coalition", "Title", "Attached to"],
          [(h.kind.value, h.key, h.coalition, h.title + (f" / {h.title_uk}" if h.title_uk else ""),
            " ".join(h.attached_to) if h.attached_to else None) for h in results.hits])
