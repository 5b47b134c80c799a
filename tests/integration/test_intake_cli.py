"""`coalition intake add|list|show|accept|reject` on both databases: a reading kept as JSON is added, its proposal
accepted changes the registry with the article named in the audit chain; bad input (an empty file, a binary file,
an unknown language, a file over the size limit, no reader for a raw article) is refused with one line naming the
problem and nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coalition.bootstrap import Platform
from coalition.demo.world import build_demo_registry
from coalition.domain.intake import MAX_ARTICLE_BYTES as READ_LIMIT
from coalition.domain.intake import (
    CoalitionMention,
    Event,
    EventKind,
    Language,
    PartialDate,
    PartyMention,
    Reading,
    reading_json,
)
from coalition.domain.intake_queue import MAX_ARTICLE_BYTES
from tests.integration.helpers import assert_refused, dump, run

TEXT = "Kyiv, 20 March 2025. Estonia joined the Drone Coalition on 1 March 2025, the ministry said."
SENTENCE = "Estonia joined the Drone Coalition on 1 March 2025, the ministry said."


def reading_file(folder: Path, *, text: str = TEXT, language: str = "en", name: str = "reading.json") -> Path:
    start = text.find(SENTENCE)
    event = Event(EventKind.MEMBER_JOINED, SENTENCE, (start, start + len(SENTENCE)), 0.9,
                  CoalitionMention("drone-coalition", "Drone Coalition"), (PartyMention("EE", "Estonia", "member"),),
                  PartialDate(2025, 3, 1))
    data = {**reading_json(Reading(Language.EN, None, text, (event,))), "text": text, "language": language}
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


CORPUS = Path(__file__).parent.parent / "data" / "intake"


@pytest.fixture
def world(platform: Platform) -> Platform:
    build_demo_registry(platform.uow(), platform.operator())
    return platform


def test_add_list_show_accept_changes_the_registry_with_the_source_in_the_audit_chain(world, capsys, tmp_path):
    path = reading_file(tmp_path)
    code, out, err = run(world, capsys, "intake", "add", "--reading", str(path), "--source",
                         "https://example.org/drones", "--json")
    assert code == 0, err
    added = json.loads(out)
    assert added["added"] is True and len(added["proposals"]) == 1
    proposal = str(added["proposals"][0])

    code, out, _ = run(world, capsys, "intake", "add", "--reading", str(path), "--source", "elsewhere")
    assert code == 0 and "already added" in " ".join(out.split()) and "nothing changed" in " ".join(out.split())

    code, out, _ = run(world, capsys, "intake", "list", "--status", "pending", "--json")
    (listed,) = json.loads(out)
    assert (listed["id"], listed["standing"], listed["kind"]) == (int(proposal), "new", "member-joined")

    code, out, _ = run(world, capsys, "intake", "show", proposal)
    shown = " ".join(out.split())
    assert code == 0 and "the registry has no membership of EE in drone-coalition" in shown and "example.org" in shown
    assert " ".join(TEXT.split()) in shown  # the article, its sentence marked

    code, out, err = run(world, capsys, "intake", "accept", proposal)
    assert code == 0, err
    assert "admitted EE to drone-coalition as member from 2025-03-01" in " ".join(out.split())

    code, out, _ = run(world, capsys, "audit", "log", "--newest-first", "--limit", "2", "--json")
    records = json.loads(out)
    records = records["records"] if isinstance(records, dict) else records
    accepted, admitted = records
    assert (accepted["action"], admitted["action"]) == ("accept_intake_proposal", "admit_member")
    assert "https://example.org/drones" in json.dumps(accepted["after"])
    assert "https://example.org/drones" in json.dumps(admitted["after"])
    code, out, _ = run(world, capsys, "audit", "verify")
    assert code == 0

    assert_refused(world, capsys, ["intake", "accept", proposal], 5, "already accepted")


def test_rejecting_keeps_the_reason(world, capsys, tmp_path):
    code, out, _ = run(world, capsys, "intake", "add", "--reading", str(reading_file(tmp_path)), "--source", "x",
                       "--json")
    proposal = str(json.loads(out)["proposals"][0])
    assert_refused(world, capsys, ["intake", "reject", proposal, "--reason", " "], 2, "a rejection needs a reason")
    code, out, _ = run(world, capsys, "intake", "reject", proposal, "--reason", "not confirmed", "--json")
    assert code == 0 and json.loads(out) == {"id": int(proposal), "status": "rejected", "reason": "not confirmed"}
    code, out, _ = run(world, capsys, "intake", "show", proposal, "--json")
    assert json.loads(out)["decision"]["reason"] == "not confirmed"


def test_an_article_read_from_its_file_is_added_once_with_its_proposals(world, capsys):
    article = str(CORPUS / "uk_netherlands.txt")
    code, out, _ = run(world, capsys, "intake", "add", article, "--source", "https://example.org/nl",
                       "--published-on", "2024-02-15", "--json")
    assert code == 0, out
    added = json.loads(out)
    assert added["added"] and len(added["proposals"]) == 1
    code, out, _ = run(world, capsys, "intake", "show", str(added["proposals"][0]), "--json")
    shown = json.loads(out)
    assert shown["kind"] == "member-joined" and shown["event"]["parties"][0]["code"] == "NL"
    assert "Нідерланди приєдналися до ІТ-коаліції" in shown["sources"][0]["evidence"]
    code, out, _ = run(world, capsys, "intake", "add", article, "--source", "https://example.org/nl", "--json")
    assert code == 0 and json.loads(out)["added"] is False


def _record(tables: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    return {name: rows for name, rows in tables.items() if name not in ("jobs", "job_workers", "sign_in_attempts")}


def test_bad_input_is_refused_with_one_line_and_nothing_stored(world, capsys, tmp_path):
    before = _record(dump(world.engine))
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert_refused(world, capsys, ["intake", "add", "--reading", str(empty), "--source", "x"], 2, "the file is empty")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert_refused(world, capsys, ["intake", "add", "--reading", str(binary), "--source", "x"], 2,
                   "the file is not text")
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"text": "caf\u00e9"}'.encode("latin-1"))
    assert_refused(world, capsys, ["intake", "add", "--reading", str(latin), "--source", "x"], 2, "not UTF-8")
    unknown = reading_file(tmp_path, language="de", name="german.json")
    assert_refused(world, capsys, ["intake", "add", "--reading", str(unknown), "--source", "x"], 2,
                   "unknown language 'de'")
    large = tmp_path / "large.json"
    large.write_bytes(b"a" * (MAX_ARTICLE_BYTES + 1))
    assert_refused(world, capsys, ["intake", "add", "--reading", str(large), "--source", "x"], 2,
                   f"the limit is {MAX_ARTICLE_BYTES}")
    assert_refused(world, capsys, ["intake", "add", "--reading", str(reading_file(tmp_path))], 2, "--source")
    article = tmp_path / "article.txt"
    article.write_text(TEXT, encoding="utf-8")
    german = tmp_path / "german.txt"
    german.write_text("Die Koalition hat sich heute in Berlin getroffen und zwei neue Mitglieder aufgenommen. "
                      "Die Minister sprachen lange über die Lieferungen des nächsten Jahres.", encoding="utf-8")
    assert_refused(world, capsys, ["intake", "add", str(german), "--source", "x"], 2,
                   "not Ukrainian, Russian or English")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"a" * (READ_LIMIT + 1))
    assert_refused(world, capsys, ["intake", "add", str(huge), "--source", "x"], 2, f"limit of {READ_LIMIT} bytes")
    program = tmp_path / "program.txt"
    program.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00")
    assert_refused(world, capsys, ["intake", "add", str(program), "--source", "x"], 2, "binary file")
    empty_article = tmp_path / "empty.txt"
    empty_article.write_bytes(b"  \n")
    assert_refused(world, capsys, ["intake", "add", str(empty_article), "--source", "x"], 2, "the article is empty")
    assert _record(dump(world.engine)) == before
    assert_refused(world, capsys, ["intake", "show", "999"], 3, "no intake proposal 999")
