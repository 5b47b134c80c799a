"""The search index: one entry per requirement, procurement case, contract, party, proposal and document, kept in
step with the record and searched with each engine's own full-text search.

Every audited change ends with the proof of the rows it wrote (``row_proofs.prove_pending``); the audit log hands
that proof here (``follow``) in the same transaction, and the entries of the rows it names are written again from
the rows as they now stand. No write path can leave the index behind: a write that is not audited is refused as
unproved. The text of an entry is the record's words and, after them, the dictionary form of each Ukrainian word
(pymorphy3), so a query's word in any case finds it. SQLite searches an FTS5 table kept from the entries by
triggers (porter stemming for English words); PostgreSQL a GIN index of ``to_tsvector('english', body)``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.intake_language import analyse
from coalition.domain.audit import ProofPart
from coalition.domain.intake import Language
from coalition.domain.search import SearchHit, SearchKind

_CYRILLIC_WORD = re.compile(r"[а-яіїєґёʼ'’-]*[а-яіїєґё][а-яіїєґёʼ'’-]*", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W_]+")  # a query's words are letters and digits only: nothing to quote
_CHUNK = 500

Entry = dict[str, Any]


def lemma(word: str) -> str:
    """The likeliest dictionary form of a Ukrainian word; other words as they are, lower-cased."""
    if not _CYRILLIC_WORD.fullmatch(word):
        return word.casefold()
    return analyse(word.casefold(), Language.UK)[2]


def indexed_text(*parts: str | None) -> str:
    """The words of the parts, then the dictionary forms of their Ukrainian words that differ from them."""
    text = " ".join(part for part in parts if part)
    forms = {lemma(word) for word in _CYRILLIC_WORD.findall(text)} - {w.casefold() for w in text.split()}
    return text + (" " + " ".join(sorted(forms)) if forms else "")


def _entry(kind: SearchKind, key: object, coalition: str | None, title: str, body: str,
           title_uk: str | None = None, attached: tuple[str, str] | None = None) -> Entry:
    return {"kind": kind.value, "key": str(key), "coalition": coalition, "caption": title, "caption_uk": title_uk,
            "attached_type": attached[0] if attached else None, "attached_key": attached[1] if attached else None,
            "body": body}


def _requirements(connection: sa.Connection, where: sa.ColumnElement[bool]) -> Iterable[Entry]:
    r = t.requirements
    for row in connection.execute(sa.select(r.c.code, r.c.coalition, r.c.title, r.c.unit, r.c.stock_number,
                                            r.c.area).where(where)):
        yield _entry(SearchKind.REQUIREMENT, row.code, row.coalition, row.title,
                     indexed_text(row.code, row.title, row.unit, row.stock_number, row.area))


def _cases(connection: sa.Connection, where: sa.ColumnElement[bool]) -> Iterable[Entry]:
    c = t.procurement_cases
    for row in connection.execute(sa.select(c.c.code, c.c.coalition, c.c.title, c.c.route).where(where)):
        yield _entry(SearchKind.CASE, row.code, row.coalition, row.title, indexed_text(row.code, row.title))


def _contracts(connection: sa.Connection, where: sa.ColumnElement[bool]) -> Iterable[Entry]:
    k, c, p = t.contracts, t.procurement_cases, t.parties
    query = (sa.select(k.c.code, c.c.coalition, c.c.title, p.c.name, p.c.name_uk, k.c.supplier)
             .join(c, c.c.code == k.c.case_code).join(p, p.c.code == k.c.supplier).where(where))
    for row in connection.execute(query):
        yield _entry(SearchKind.CONTRACT, row.code, row.coalition, f"{row.code}: {row.name}",
                     indexed_text(row.code, row.name, row.name_uk, row.supplier, row.title),
                     f"{row.code}: {row.name_uk}" if row.name_uk else None)


def _parties(connection: sa.Connection, where: sa.ColumnElement[bool]) -> Iterable[Entry]:
    p = t.parties
    for row in connection.execute(sa.select(p.c.code, p.c.name, p.c.name_uk, p.c.country).where(where)):
        yield _entry(SearchKind.PARTY, row.code, None, row.name,
                     indexed_text(row.code, row.name, row.name_uk, row.country), row.name_uk)


def _proposals(connection: sa.Connection, where: sa.ColumnElement[bool]) -> Iterable[Entry]:
    p = t.proposals
    for row in connection.execute(sa.select(p.c.id, p.c.coalition, p.c.title, p.c.reason).where(where)):
        yield _entry(SearchKind.PROPOSAL, row.id, row.coalition, row.title, indexed_text(row.title, row.reason))


def _documents(connection: sa.Connection, where: sa.ColumnElement[bool]) -> Iterable[Entry]:
    d = t.documents
    for row in connection.execute(sa.select(d.c.id, d.c.name, d.c.record_type, d.c.record_id).where(where)):
        yield _entry(SearchKind.DOCUMENT, row.id, None, row.name,
                     indexed_text(row.name, re.sub(r"[._-]+", " ", row.name), row.record_id),
                     attached=(row.record_type, row.record_id))


# Per table of the record that holds a searchable record: its kind, its key column and how its entries are read.
Reader = Callable[[sa.Connection, sa.ColumnElement[bool]], Iterable[Entry]]
SOURCES: dict[str, tuple[SearchKind, sa.Column[Any], Reader]] = {
    "requirements": (SearchKind.REQUIREMENT, t.requirements.c.code, _requirements),
    "procurement_cases": (SearchKind.CASE, t.procurement_cases.c.code, _cases),
    "contracts": (SearchKind.CONTRACT, t.contracts.c.code, _contracts),
    "parties": (SearchKind.PARTY, t.parties.c.code, _parties),
    "proposals": (SearchKind.PROPOSAL, t.proposals.c.id, _proposals),
    "documents": (SearchKind.DOCUMENT, t.documents.c.id, _documents),
}
# A contract's entry holds its supplier's names and its case's title: it is written again when either changes.
_CONTRACTS_OF = {"parties": t.contracts.c.supplier, "procurement_cases": t.contracts.c.case_code}


def _write(connection: sa.Connection, kind: SearchKind, keys: Sequence[str], entries: Iterable[Entry]) -> None:
    e = t.search_entries
    connection.execute(e.delete().where(e.c.kind == kind.value, e.c.key.in_(keys)))
    rows = list(entries)
    if rows:
        connection.execute(e.insert(), rows)


def _refresh(connection: sa.Connection, table: str, keys: Collection[str]) -> None:
    kind, column, read = SOURCES[table]
    ordered = sorted(keys)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        values: list[Any] = [int(key) for key in chunk] if isinstance(column.type, sa.Integer) else chunk
        _write(connection, kind, chunk, read(connection, column.in_(values)))


def follow(connection: sa.Connection, proof: Sequence[ProofPart]) -> None:
    """Write again the entries of every searchable row the proof names (a deleted row's entry goes)."""
    written: dict[str, set[str]] = defaultdict(set)
    for part in proof:
        if part.table in SOURCES:
            written[part.table].update(part.keys)
    for table, keys in written.items():
        _refresh(connection, table, keys)
        if table in _CONTRACTS_OF:
            column = _CONTRACTS_OF[table]
            contracts = {str(code) for code in connection.execute(
                sa.select(t.contracts.c.code).where(column.in_(sorted(keys)))).scalars()}
            if contracts:
                _refresh(connection, "contracts", contracts)


def rebuild(connection: sa.Connection) -> int:
    """Every entry written again from the record; the number of entries."""
    connection.execute(t.search_entries.delete())
    for _kind, _column, read in SOURCES.values():
        batch: list[Entry] = []
        for entry in read(connection, sa.true()):
            batch.append(entry)
            if len(batch) == 5000:
                connection.execute(t.search_entries.insert(), batch)
                batch = []
        if batch:
            connection.execute(t.search_entries.insert(), batch)
    return int(connection.execute(sa.select(sa.func.count()).select_from(t.search_entries)).scalar_one())


# --- searching ---------------------------------------------------------------------------------------------------

def _alternatives(word: str) -> list[str]:
    """What a query's word matches: the beginning of a word, and a Ukrainian word's dictionary form as well."""
    base = lemma(word)
    return [word] if base == word or not _LETTERS.fullmatch(base) else [word, base]


def _sqlite_query(words: Sequence[str]) -> str:
    terms = []
    for word in words:
        first, *rest = _alternatives(word)
        terms.append("(" + " OR ".join([f'"{first}"*'] + [f'"{other}"' for other in rest]) + ")")
    return " AND ".join(terms)


def _postgres_query(words: Sequence[str]) -> str:
    terms = []
    for word in words:
        first, *rest = _alternatives(word)
        terms.append("(" + " | ".join([f"'{first}':*"] + [f"'{other}'" for other in rest]) + ")")
    return " & ".join(terms)


_HIT_COLUMNS = "e.kind, e.key, e.coalition, e.caption, e.caption_uk, e.attached_type, e.attached_key"
_OF_KIND = "(CAST(:kind AS TEXT) IS NULL OR e.kind = :kind)"
_SQLITE_SEARCH = sa.text(
    f"SELECT {_HIT_COLUMNS} FROM search_terms JOIN search_entries e ON e.id = search_terms.rowid "  # noqa: S608
    f"WHERE search_terms MATCH :query AND {_OF_KIND} ORDER BY search_terms.rank, e.id LIMIT :limit")
_POSTGRES_SEARCH = sa.text(
    f"SELECT {_HIT_COLUMNS} FROM search_entries e, to_tsquery('english', :query) q "  # noqa: S608
    f"WHERE to_tsvector('english', e.body) @@ q AND {_OF_KIND} "
    "ORDER BY ts_rank(to_tsvector('english', e.body), q) DESC, e.id LIMIT :limit")


def search(connection: sa.Connection, words: Sequence[str], limit: int, kind: SearchKind | None = None
           ) -> list[SearchHit]:
    """The entries (of one kind) holding every word (its beginning, or a Ukrainian word's dictionary form), best
    first."""
    chosen = None if kind is None else kind.value
    if connection.dialect.name == "sqlite":
        rows = connection.execute(_SQLITE_SEARCH, {"query": _sqlite_query(words), "limit": limit, "kind": chosen})
    else:
        rows = connection.execute(_POSTGRES_SEARCH, {"query": _postgres_query(words), "limit": limit,
                                                     "kind": chosen})
    return [SearchHit(SearchKind(row.kind), row.key, row.coalition, row.caption, row.caption_uk,
                      (row.attached_type, row.attached_key) if row.attached_type else None) for row in rows]


class SqlSearchReads:
    """The search index as the search view reads it."""

    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def search(self, words: Sequence[str], limit: int, kind: SearchKind | None = None) -> list[SearchHit]:
        return search(self._c, words, limit, kind)
