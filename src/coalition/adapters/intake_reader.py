"""The news intake's reader: the text, language and event adapters behind the service's ``ArticleReader``."""

from __future__ import annotations

from datetime import date

from coalition.adapters.intake_events import read_events
from coalition.adapters.intake_text import detect_language, extract_text
from coalition.domain.intake import ArticleFormat, Event, KnownNames, Language


class LanguageToolsReader:
    """Reads with trafilatura, markdown-it, lingua, pymorphy3, Babel and dateparser; downloads nothing."""

    def extract(self, text: str, form: ArticleFormat) -> str:
        return extract_text(text, form)

    def language(self, text: str) -> Language | None:
        return detect_language(text)

    def events(self, text: str, language: Language, published_on: date | None,
               known: KnownNames) -> tuple[Event, ...]:
        return read_events(text, language, published_on, known)
