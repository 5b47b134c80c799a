"""The pages' languages: Babel message catalogs, and numbers, dates, money and countries per locale.

The catalogs are kept as ``.po`` files beside the code (``locale/<lang>/LC_MESSAGES/messages.po``)
and compiled in memory when the server starts, so there is no build step and no binary file to
keep in step. Ukrainian has three plural forms (one, few, many); Babel knows the rule.
"""

from __future__ import annotations

import gettext
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import pycountry
from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    format_percent,
    get_group_symbol,
    parse_decimal,
)
from babel.support import Translations

from coalition.domain.errors import CoalitionError, InvalidInput, refusal
from coalition.domain.identity import LANGUAGES
from coalition.domain.money import Money

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"


def N_(message: str) -> str:
    """Mark a text for the catalog where it is defined; it is translated where it is shown."""
    return message


def error_text(language: str, error: CoalitionError) -> str:
    """An error's message in ``language``: its template translated with its values put in, where it has one (see
    ``domain.errors.refusal``); otherwise the message as raised. The field it names leads, as on every path."""
    if error.template is None:
        return str(error)
    text = error_message(language, error)
    return f"{error.field}: {text}" if error.field else text


def error_message(language: str, error: CoalitionError) -> str:
    """An error's message (without its field) in ``language``, where its template is in the catalog."""
    if error.template is None:
        return error.message
    catalog = translations(language)
    values = dict(error.values)
    for key in WORDED & values.keys():  # an action's words and roles, named in the reader's language too
        values[key] = catalog.gettext(" or ").join(catalog.gettext(part) for part in str(values[key]).split(" or "))
    return catalog.gettext(error.template).format(**values)


# Values of refusals that are words of the catalog themselves (domain.access: actions and roles).
WORDED = frozenset({"action", "needed", "held"})


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language`` (English is the source language: no catalog)."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT or not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


@cache
def _country_names(language: str) -> gettext.NullTranslations:
    if language == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def negotiate(accept_language: str | None) -> str:
    """The first of the browser's languages that the platform speaks (English if none)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT


DAY_PATTERNS = {"uk": "d MMM y"}
PLAIN_AMOUNT = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True)
class Formats:
    """Formatting for one language, handed to the templates as ``fmt``."""

    language: str

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    def money(self, value: Money | None) -> str:
        if value is None:
            return "—"
        return format_currency(value.amount, value.currency, locale=self.language)

    def number(self, value: int | Decimal | None) -> str:
        return "—" if value is None else format_decimal(value, locale=self.language)

    def amount(self, text: str, field: str = "amount") -> str:
        """An amount as typed in this language, with its own decimal mark and grouping ("1 234,56" in Ukrainian,
        "1,234.56" in English; a plain "1234.56" in either), as a plain decimal text for ``Money.parse``."""
        typed = text.strip()
        if PLAIN_AMOUNT.fullmatch(typed):
            return typed
        group = get_group_symbol(self.language)
        if group.isspace():  # a blank of any width groups digits where the language groups with a blank
            typed = re.sub(r"[ \u00a0\u202f]", group, typed)
        try:
            return str(parse_decimal(typed, locale=self.language, strict=True))
        except NumberFormatError:
            raise refusal(InvalidInput, "'{text}' is not an amount as written in {language}: for example {example}",
                          field=field, text=text.strip(), language=self.language_name(self.language),
                          example=format_decimal(Decimal("1234.56"), locale=self.language)) from None

    def amount_example(self) -> str:
        return format_decimal(Decimal("100000.00"), locale=self.language, format="#,##0.00")

    def percent(self, value: Decimal | float) -> str:
        """A share with one decimal, as the language writes it (12.5%, 12,5%)."""
        return format_percent(value, locale=self.language, format="#,##0.0%")

    def day(self, value: date | None) -> str:
        """A day, as the language writes it; in Ukrainian without the closing "р." (year), which a sentence ending
        in the day would otherwise follow with a second full stop."""
        return "—" if value is None else format_date(value, format=DAY_PATTERNS.get(self.language, "medium"),
                                                       locale=self.language)

    def month(self, value: str) -> str:
        """A month kept as YYYY-MM, named as the language names it standing alone ("December 2026", "грудень
        2026")."""
        return format_date(date.fromisoformat(f"{value}-01"), format="LLLL y", locale=self.language)

    def moment(self, value: datetime | None) -> str:
        """A moment to the minute, with its time zone: the platform keeps and shows times in UTC."""
        if value is None:
            return "—"
        utc = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return f"{self.day(utc.date())}, {format_time(utc, 'HH:mm', tzinfo=UTC, locale=self.language)} UTC"

    def country(self, code: str | None) -> str:
        """A country's name in this language for an ISO 3166 code; other codes are shown as they are."""
        if not code:
            return "—"
        found = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
        if found is None:
            return code
        return _country_names(self.language).gettext(found.name)

    def language_name(self, language: str) -> str:
        return Locale.parse(language).get_display_name(language) or language
