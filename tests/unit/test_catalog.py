"""Every text of the pages has its Ukrainian words, with the same placeholders, and Ukrainian plurals
follow their three forms."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from coalition.entrypoints.web.i18n import LOCALE_DIR, translations
from coalition.entrypoints.web.messages import template_catalog

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_message_of_the_pages_is_translated_into_ukrainian_with_its_placeholders() -> None:
    with (LOCALE_DIR / "uk" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale="uk")
    missing, broken = [], []
    for message in template_catalog():
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = [] if found is None else (found.string if isinstance(found.string, tuple) else (found.string,))
        if found is None or found.fuzzy or not all(strings):
            missing.append(message.id)
            continue
        source_id = message.id[0] if isinstance(message.id, tuple) else message.id
        wanted = set(PLACEHOLDER.findall(source_id))
        broken += [(source_id, s) for s in strings if set(PLACEHOLDER.findall(s)) != wanted]
    assert missing == [], f"untranslated (run 'make messages' and translate): {missing}"
    assert broken == []


def test_ukrainian_plurals_take_their_three_forms() -> None:
    uk = translations("uk")
    forms = [uk.ngettext("%(count)s record, newest first", "%(count)s records, newest first", n)
             for n in (1, 3, 5, 21, 11)]
    assert len({forms[0], forms[1], forms[2]}) == 3  # one, few, many
    assert forms[3] == forms[0] and forms[4] == forms[2]


def test_amounts_are_read_and_numbers_dates_and_times_written_as_each_language_does() -> None:
    from datetime import UTC, date, datetime
    from decimal import Decimal

    import pytest

    from coalition.domain.errors import InvalidInput
    from coalition.entrypoints.web.i18n import Formats

    english, ukrainian = Formats("en"), Formats("uk")
    assert english.amount("1,234.56") == ukrainian.amount("1 234,56") == ukrainian.amount("1\u00a0234,56") == "1234.56"
    assert english.amount("1234.56") == ukrainian.amount("1234.56") == "1234.56"
    assert ukrainian.amount("12,5") == "12.5"
    for formats, text in ((english, "1 234,56"), (ukrainian, "1,234.56"), (english, "12,5"), (english, "abc")):
        with pytest.raises(InvalidInput) as refused:
            formats.amount(text)
        assert refused.value.field == "amount"
    assert english.percent(Decimal("0.33333")) == "33.3%" and ukrainian.percent(Decimal("0.125")) == "12,5%"
    assert not ukrainian.day(date(2026, 12, 7)).endswith(".")  # a sentence ending in a day takes one full stop
    moment = datetime(2026, 12, 7, 5, 26, 34, tzinfo=UTC)
    assert english.moment(moment).endswith("05:26 UTC") and ukrainian.moment(moment).endswith("05:26 UTC")
