"""An article's own text and its language: HTML through trafilatura, Markdown through markdown-it, plain text as
it is, each with the news page's clutter left out; the language by lingua.

Clutter is what surrounds an article on a news page: related links and other headlines ("Read also",
"Читайте також"), advertisements, view counters, photo captions, tags, share buttons. trafilatura separates the
main text of an HTML page from them; in Markdown and plain text the same kinds of lines are recognised by their
shape (a link, a list of short headlines, a counter, a marker word) and dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import trafilatura
from lingua import Language as Lingua
from lingua import LanguageDetector, LanguageDetectorBuilder
from markdown_it import MarkdownIt

from coalition.domain.intake import ArticleFormat, Language

# Languages the detector tells apart: the three it reads, and the Latin-script languages most often met beside them,
# so that a text in one of the latter is recognised as not readable rather than taken for English. No other
# Cyrillic language is among them: short Ukrainian news is too easily taken for Kazakh, Belarusian or Bulgarian.
_READ = {Lingua.UKRAINIAN: Language.UK, Lingua.RUSSIAN: Language.RU, Lingua.ENGLISH: Language.EN}
_OTHERS = (Lingua.GERMAN, Lingua.FRENCH, Lingua.SPANISH, Lingua.ITALIAN, Lingua.POLISH, Lingua.DUTCH,
           Lingua.PORTUGUESE, Lingua.CZECH, Lingua.ROMANIAN, Lingua.TURKISH, Lingua.ESTONIAN, Lingua.LATVIAN,
           Lingua.LITHUANIAN, Lingua.DANISH, Lingua.SWEDISH, Lingua.FINNISH, Lingua.HUNGARIAN, Lingua.CROATIAN)

# A line that leads into other articles, advertises, counts, captions or tags; matched at the line's start.
_MARKERS = re.compile(
    r"^\s*(?:читайте\s+(?:також|также|ще|еще)|дивіться\s+також|смотрите\s+также|read\s+(?:also|more)|see\s+also|"
    r"related|популярне|популярное|останні\s+новини|последние\s+новости|latest\s+news|more\s+news|інші\s+новини|"
    r"другие\s+новости|other\s+news|новини\s+за\s+темою|новости\s+по\s+теме|по\s+теме|на\s+тему|related\s+news|новини\s+партнерів|новости\s+партнеров|головне|главное|top\s+stories|"
    r"реклама|advertisement|sponsored|промо|партнерський|фото|photo|відео|видео|video|джерело|источник|source|"
    r"теги|тэги|tags|поділитися|поделиться|share|підписуйтесь|подписывайтесь|subscribe|переглядів|просмотров|"
    r"views|коментарі|комментарии|comments|©|\(c\)|copyright)\b[^\n]*$",
    re.IGNORECASE)
_COUNTER = re.compile(r"^[\W\d\s]*\d[\W\d\s]*$")  # a line of digits and signs only: "👁 1234", "12:45", "1/5"
_HEADLINE_WORDS = 10  # a block of other headlines ends at a longer line, a paragraph of the article
_FEED_TIME = re.compile(r"^\d{1,2}:\d{2}\s+\S")  # "12:30 Японія ...": an item of a news feed
_DATELINE = re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{4}\b")  # "07.03.2024 10:15" dates the article: kept
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…»\"”)]\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•·–—]|\d{1,2}[.)])\s+")


def extract_text(text: str, form: ArticleFormat) -> str:
    """The article's own text, paragraphs on lines of their own, clutter left out."""
    if form is ArticleFormat.HTML:
        extracted = trafilatura.extract(text, include_comments=False, include_tables=False, include_links=False,
                                        include_images=False, include_formatting=False, favor_precision=True,
                                        deduplicate=True)
        lines = (extracted or "").splitlines()
    elif form is ArticleFormat.MARKDOWN:
        lines = _markdown_lines(text)
    else:
        lines = text.splitlines()
    return "\n".join(_article_lines(lines)).strip()


def _markdown_lines(text: str) -> list[str]:
    """Markdown's blocks as lines of plain text: headings and paragraphs, list items with their bullet kept (so
    that a list of headlines is recognised as one); a link keeps its words, an image disappears."""
    lines: list[str] = []
    depth = 0
    for token in MarkdownIt("commonmark").parse(text):
        if token.type.endswith("_list_open"):
            depth += 1
        elif token.type.endswith("_list_close"):
            depth -= 1
        elif token.type == "inline":
            lines.extend(_inline_lines(token.children or [], in_list=depth > 0))
        elif token.type in ("paragraph_close", "heading_close"):
            lines.append("")
    return lines


def _inline_lines(children: list[Any], *, in_list: bool) -> list[str]:
    words = "".join("\n" if child.type == "softbreak" else child.content for child in children
                    if child.type in ("text", "code_inline", "softbreak"))
    linked = any(child.type == "link_open" for child in children)
    prefix = "- " if in_list else ("[link] " if linked else "")
    return [prefix + line for line in words.splitlines() or [""]]


def _article_lines(lines: list[str]) -> list[str]:
    """Drop the lines of clutter; a run of two or more short lines without a sentence's end is a headline list.
    A line that opens a block of other articles ("Читайте також:", "Other news") drops the short lines after it,
    blank lines between them or not, up to the first line long enough to be a paragraph of the article."""
    kept: list[str] = []
    skipping = False
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            kept.append("")
            continue
        if skipping and len(line.split()) > _HEADLINE_WORDS:
            skipping = False
        if skipping or _is_clutter(line) or _in_headline_run(lines, index):
            skipping = skipping or (bool(_MARKERS.match(line)) and not _SENTENCE_END.search(line))
            continue
        kept.append(line.removeprefix("[link] "))
    return _collapse_blank(kept)


def _is_menu(line: str) -> bool:
    """A line of a few short items set apart by bars, dots, slashes or breadcrumb arrows: "Головна | Новини |
    Політика", "Главная › Мир"."""
    items = [item for item in re.split(r"\s[|·•/›»>→]\s|\s[|·•/›»>→]|[|·•›»→]", line) if item.strip()]
    return len(items) >= 2 and all(len(item.split()) <= 3 for item in items)


def _is_clutter(line: str) -> bool:
    if _is_menu(line) or _FEED_TIME.match(line):
        return True
    if line.startswith("[link] ") and len(line.split()) < 16:
        return True
    if _COUNTER.match(line) and not _DATELINE.search(line):
        return True
    if _MARKERS.match(line) or _LINK.search(line):
        return True
    return bool(_BULLET.match(line)) and not _SENTENCE_END.search(line)


def _headline_like(line: str) -> bool:
    line = line.strip()
    if _DATELINE.search(line) and len(line.split()) <= 4:
        return False
    return bool(line) and len(line.split()) <= 16 and not _SENTENCE_END.search(line)


def _in_headline_run(lines: list[str], index: int) -> bool:
    """A headline-like line next to another headline-like line (no blank between): a list of other headlines."""
    if not _headline_like(lines[index]):
        return False
    before = index > 0 and _headline_like(lines[index - 1])
    after = index + 1 < len(lines) and _headline_like(lines[index + 1])
    return before or after


def _collapse_blank(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return out


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    """Lingua's detector on trigrams only (its low-accuracy mode): ample for an article's paragraphs, and its
    models load in a fraction of a second rather than many seconds."""
    return LanguageDetectorBuilder.from_languages(*_READ, *_OTHERS).with_low_accuracy_mode().build()


def detect_language(text: str) -> Language | None:
    """uk, ru or en, or None when the text is in another language (or too short to tell)."""
    found = _detector().detect_language_of(text[:5000])
    return _READ.get(found) if found is not None else None
