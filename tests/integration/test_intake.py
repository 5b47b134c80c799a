"""The news intake's reading half against the demo world: every article of the corpus in tests/data/intake gives
exactly its expected events (kind, coalition, parties with roles, date, amount, the kind's key attributes) and no
event from the page around it; `intake read --json` prints one object and writes nothing; bad input is refused in
one line."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.domain.intake import MAX_ARTICLE_BYTES, ArticleFormat, Event, Reading, event_json
from coalition.services.intake import read_article
from tests.demo_copies import give_demo_world
from tests.integration.helpers import assert_refused, dump, run

CORPUS = Path(__file__).parent.parent / "data" / "intake"
ARTICLES = sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".expected.json"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[Platform]:
    """The demo world on SQLite, built once for the corpus (reading writes nothing, so it can be shared)."""
    folder = tmp_path_factory.mktemp("intake")
    shutil.copyfile(migrated_sqlite, folder / "coalition.db")
    wired = Platform(Settings(database_url=f"sqlite:///{folder / 'coalition.db'}", data_dir=folder,
                              operator="tester"))
    give_demo_world(wired)
    yield wired
    wired.engine.dispose()


def _read(platform: Platform, path: Path, published: str | None) -> Reading:
    return read_article(platform.uow(read_only=True), platform.operator(), path.read_bytes(),
                        form=ArticleFormat.of_name(path.name), reader=platform.article_reader,
                        today=date(2026, 1, 1), published_on=date.fromisoformat(published) if published else None)


def _comparable(event: dict[str, Any], keys: set[str]) -> tuple[Any, ...]:
    coalition = event["coalition"]
    name = (coalition["code"] or coalition["name"]) if isinstance(coalition, dict) else coalition
    parties = sorted(tuple(p) if isinstance(p, list) else (p["code"], p["role"]) for p in event["parties"])
    attributes = {k: json.dumps(v, ensure_ascii=False) for k, v in event["attributes"].items() if k in keys}
    return (event["kind"], name, tuple(parties), event["date"], event["date_precision"],
            json.dumps(event["amount"], sort_keys=True), tuple(sorted(attributes.items())))


@pytest.mark.parametrize("path", ARTICLES, ids=[p.name for p in ARTICLES])
def test_the_corpus_gives_exactly_the_expected_events(demo: Platform, path: Path) -> None:
    expected = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text("utf-8"))
    reading = _read(demo, path, expected["published_on"])
    assert reading.language.value == expected["language"]
    wanted = sorted(_comparable(e, set(e["attributes"])) for e in expected["events"])
    keys = {k for e in expected["events"] for k in e["attributes"]}
    got = sorted(_comparable(event_json(e), keys) for e in reading.events)
    assert got == wanted
    for event in reading.events:
        _assert_evidence(reading, event)


def _assert_evidence(reading: Reading, event: Event) -> None:
    start, end = event.span
    assert reading.text[start:end] == event.evidence
    assert 0 <= event.confidence <= 1


def test_the_corpus_covers_every_kind_and_all_three_languages(demo: Platform) -> None:
    kinds: set[str] = set()
    languages: set[str] = set()
    for path in ARTICLES:
        expected = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text("utf-8"))
        kinds |= {e["kind"] for e in expected["events"]}
        languages.add(expected["language"])
    assert len(ARTICLES) >= 15
    assert kinds == {"coalition-founded", "instrument-signed", "member-joined", "meeting-held", "funding-milestone",
                     "membership-count", "contract-placed", "aid-mobilised", "financing-proposed", "facility-opened"}
    assert languages == {"uk", "ru", "en"}


def test_clutter_names_no_state_of_its_own(demo: Platform) -> None:
    """States named only in the page's other headlines, links and advertisements appear in no event."""
    reading = _read(demo, CORPUS / "uk_steering.html", "2024-02-03")
    named = {p.code for e in reading.events for p in e.parties}
    assert named == {"EE", "LU", "LV", "UA", "NATO"}
    assert "Фінляндія" not in reading.text and "Польщі" not in reading.text and "Фото" not in reading.text


def test_without_a_publication_day_a_date_lacking_its_year_is_left_out(demo: Platform) -> None:
    reading = _read(demo, CORPUS / "uk_steering.html", None)
    assert [e.date for e in reading.events] == [None]
    reading = _read(demo, CORPUS / "uk_it_founded.txt", None)
    assert [e.date.iso() if e.date else None for e in reading.events] == ["2023-09-19"]


def test_read_prints_one_json_object_and_writes_nothing(platform: Platform, capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    give_demo_world(platform, procurement=False)
    before = dump(platform.engine)
    code, out, err = run(platform, capsys, "intake", "read", str(CORPUS / "ru_drone_lu.txt"),
                         "--published-on", "2025-03-20", "--source", "example.news", "--json")
    assert code == 0, err
    printed = json.loads(out)
    assert set(printed) == {"language", "published_on", "events"}
    assert printed["language"] == "ru" and printed["published_on"] == "2025-03-20"
    joined = next(e for e in printed["events"] if e["kind"] == "member-joined")
    assert joined["coalition"] == {"code": "drone-coalition", "name": "Drone Coalition"}
    assert [(p["code"], p["role"]) for p in joined["parties"]] == [("LU", "member")]
    assert dump(platform.engine) == before
    code, out, err = run(platform, capsys, "intake", "read", str(CORPUS / "uk_purl.md"))
    assert code == 0, err
    assert "aid-mobilised" in " ".join(out.split())


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the article is empty"),
    (b"   \n\n  ", "the article is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "the article is a binary file, not UTF-8 text"),
    (b"\xff\xfe\xfa not utf-8", "the article is not UTF-8 text (byte 1 is not)"),
    ("Défense: la coalition".encode("latin-1"), "text in another encoding"),
    (b"Die Niederlande sind der IT-Koalition beigetreten, teilte das Verteidigungsministerium am Montag mit. "
     b"Die Koalition vereint nun elf Staaten.", "the article's language is not Ukrainian, Russian or English"),
    (b"a" * (MAX_ARTICLE_BYTES + 1), f"over the limit of {MAX_ARTICLE_BYTES} bytes"),
    (b"a" * (3 * MAX_ARTICLE_BYTES), f"the article is {3 * MAX_ARTICLE_BYTES} bytes, over the limit"),
])
def test_bad_input_is_refused_in_one_line(platform: Platform, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          content: bytes, message: str) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes(content)
    assert_refused(platform, capsys, ["intake", "read", str(article), "--json"], 2, message)


def test_a_missing_file_and_a_bad_day_are_refused(platform: Platform, capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    assert_refused(platform, capsys, ["intake", "read", str(tmp_path / "none.txt")], 2, "no article file at")
    article = tmp_path / "a.txt"
    article.write_text("Luxembourg has joined the Drone Coalition.", "utf-8")
    assert_refused(platform, capsys, ["intake", "read", str(article), "--published-on", "20.03.2025"], 2,
                   "--published-on")
