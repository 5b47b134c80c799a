"""The search index follows the record: a party, a proposal or a document is found as soon as its change commits,
by any form of its Ukrainian words or the stem of its English ones, and only by a viewer who may read it; rebuilt
from scratch, the index holds what following every change left in it. On SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from coalition.adapters import search_index
from coalition.adapters import tables as t
from coalition.bootstrap import Platform
from coalition.domain.access import PUBLIC_ACTOR, Actor, Grant, Role
from coalition.domain.audit import DELETED, ProofPart
from coalition.domain.errors import InvalidInput
from coalition.domain.party import Party, PartyKind
from coalition.domain.search import SearchKind
from coalition.domain.steering import Procedure, ProposalKind
from coalition.services import documents, registry, steering
from coalition.services.views.search import search
from tests.demo_copies import give_demo_world
from tests.integration.helpers import run

SECRETARIAT = Actor("it-desk", "EE", frozenset({Grant(Role.SECRETARIAT, "it-coalition")}))
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _found(platform: Platform, text: str, actor: Actor = PUBLIC_ACTOR, kind: SearchKind | None = None
           ) -> list[tuple[str, str]]:
    return [(hit.kind.value, hit.key) for hit in search(platform.uow(read_only=True), actor, text, kind).hits]


def test_a_new_party_is_found_by_any_form_of_its_names(platform: Platform) -> None:
    registry.register_party(platform.uow(), platform.operator(), Party(
        "UA-ZHBTZ", PartyKind.COMPANY, "Zhytomyr Armoured Vehicle Plant", "Житомирський бронетанковий завод", "UA"))
    assert _found(platform, "бронетанкового заводу") == [("party", "UA-ZHBTZ")], "Ukrainian, in another case"
    assert _found(platform, "житомирськ") == [("party", "UA-ZHBTZ")], "the beginning of a word"
    assert _found(platform, "armoured plants") == [("party", "UA-ZHBTZ")], "English, by its stem"
    assert _found(platform, "armoured tractor") == [], "every word must be found"
    hit = search(platform.uow(read_only=True), PUBLIC_ACTOR, "завод").hits[0]
    assert (hit.title_in("uk"), hit.title_in("en")) == ("Житомирський бронетанковий завод",
                                                        "Zhytomyr Armoured Vehicle Plant")


def test_a_proposal_and_a_document_are_found_once_recorded_and_only_by_who_may_read_them(platform: Platform) -> None:
    give_demo_world(platform)
    found = next(c for c in registry.list_coalitions(platform.uow(), platform.operator()) if c.code == "it-coalition")
    proposal = steering.open_proposal(
        platform.uow(), platform.operator(), coalition="it-coalition", kind=ProposalKind.CHANGE_RULES,
        title="Quorum for satellite terminals", payload={"rules": found.rules.to_data()}, procedure=Procedure.WRITTEN)
    assert ("proposal", str(proposal.id)) in _found(platform, "satellite terminals")
    code = _a_contract(platform)
    documents.attach(platform.uow(), platform.document_store, platform.operator(), "contract", code,
                     "Acceptance act Kharkiv depot.pdf", PDF)
    assert [kind for kind, _ in _found(platform, "kharkiv depot", SECRETARIAT)] == ["document"]
    assert _found(platform, "kharkiv depot") == [], "the public may not read a contract's documents"
    assert _found(platform, code, SECRETARIAT, SearchKind.CONTRACT) == [("contract", code)]
    assert _found(platform, code, kind=SearchKind.CONTRACT) == [], "nor its contracts"


def _a_contract(platform: Platform) -> str:
    with platform.engine.connect() as connection:
        cases = t.procurement_cases
        return str(connection.execute(
            sa.select(t.contracts.c.code).join(cases, cases.c.code == t.contracts.c.case_code)
            .where(cases.c.coalition == "it-coalition").order_by(t.contracts.c.code)).scalars().first())


def test_rebuilt_from_scratch_the_index_holds_what_following_every_change_left(platform: Platform) -> None:
    give_demo_world(platform)
    entries = sa.select(t.search_entries.c.kind, t.search_entries.c.key, t.search_entries.c.coalition,
                        t.search_entries.c.caption, t.search_entries.c.caption_uk, t.search_entries.c.body)
    with platform.engine.begin() as connection:
        followed = sorted(connection.execute(entries).all())
        assert search_index.rebuild(connection) == len(followed)
        assert sorted(connection.execute(entries).all()) == followed
    kinds = {row[0] for row in followed}
    assert kinds == {"requirement", "case", "contract", "party", "proposal"}


def test_a_suppliers_new_name_is_written_into_its_contracts_entries(platform: Platform) -> None:
    """A contract's entry holds its supplier's name: the rows a change wrote of a party write its contracts again."""
    give_demo_world(platform)
    code = _a_contract(platform)
    with platform.engine.begin() as connection:
        supplier = connection.execute(sa.select(t.contracts.c.supplier).where(t.contracts.c.code == code)).scalar_one()
        connection.execute(t.parties.update().where(t.parties.c.code == supplier).values(name="Quasar Logistics"))
        search_index.follow(connection, [ProofPart("parties", 0, (supplier,), DELETED)])
    assert ("contract", code) in _found(platform, "quasar", SECRETARIAT)
    assert ("party", supplier) in _found(platform, "quasar logistics")


@pytest.mark.parametrize("text", ["!!!", "", "x" * 201])
def test_a_query_without_a_word_or_too_long_is_refused_naming_q(platform: Platform, text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        search(platform.uow(read_only=True), PUBLIC_ACTOR, text)
    assert refused.value.field == "q"


def test_the_command_line_searches_as_the_operator(platform: Platform, capsys: pytest.CaptureFixture[str]) -> None:
    give_demo_world(platform)
    code, out, _ = run(platform, capsys, "search", "Латвії", "--json")
    assert code == 0 and [(h["kind"], h["key"], h["title_uk"]) for h in json.loads(out)] == [("party", "LV", "Латвія")]
    code, _, err = run(platform, capsys, "search", "!!")
    assert code != 0 and "WORDS: a search needs at least one word" in err
