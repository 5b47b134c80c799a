"""The news intake's resolvers: dates, amounts, party names and coalitions in Ukrainian, Russian and English, on
lemmas whatever the case; the article's own text apart from the page's clutter; the language; and the words
that make a sentence no event (the future, a negation, a call to join)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coalition.adapters.intake_events import read_events
from coalition.adapters.intake_language import (
    find_amounts,
    find_coalitions,
    find_dates,
    party_index,
    sentences,
)
from coalition.adapters.intake_text import detect_language, extract_text
from coalition.domain.errors import InvalidInput
from coalition.domain.intake import (
    MAX_ARTICLE_BYTES,
    ArticleFormat,
    EventKind,
    KnownCoalition,
    KnownNames,
    KnownParty,
    Language,
    decode_article,
)

KNOWN = KnownNames(
    parties=(KnownParty("NATO", ("North Atlantic Treaty Organization", "Організація Північноатлантичного договору"),
                        False),
             KnownParty("NSPA", ("NATO Support and Procurement Agency", "Агенція НАТО з підтримки та закупівель"),
                        False),
             KnownParty("UA-MOD", ("Ministry of Defence of Ukraine",), False),
             KnownParty("EE", ("Estonia",), True)),
    coalitions=(KnownCoalition("it-coalition", "IT Coalition", "UA", {"EE": "lead", "LU": "lead"}),
                KnownCoalition("drone-coalition", "Drone Coalition", "UA", {"LV": "lead"})))
PUBLISHED = date(2025, 3, 20)


def _one(text: str, language: Language):  # type: ignore[no-untyped-def]
    found = sentences(text, language)
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Угоду підписали 19 вересня 2023 року.", Language.UK, "2023-09-19"),
    ("Засідання відбулося 2 лютого.", Language.UK, "2025-02-02"),
    ("Засідання відбудеться 2 квітня.", Language.UK, "2024-04-02"),  # no year, after publication: a year before
    ("Парк відкрили у травні 2025 року.", Language.UK, "2025-05"),
    ("Коаліцію створили минулого року.", Language.UK, "2024"),
    ("Про це стало відомо вчора.", Language.UK, "2025-03-19"),
    ("Соглашение подписано 6 марта 2024 года.", Language.RU, "2024-03-06"),
    ("Встреча прошла 20 марта.", Language.RU, "2025-03-20"),
    ("Коалицию создали в прошлом году.", Language.RU, "2024"),
    ("Инициатива действует с 2022 года.", Language.RU, "2022"),
    ("The meeting took place on 2 February 2024.", Language.EN, "2024-02-02"),
    ("It was signed on March 6, 2024.", Language.EN, "2024-03-06"),
    ("The coalition was founded last year.", Language.EN, "2024"),
    ("The act was signed on 18.01.2024.", Language.EN, "2024-01-18"),
    ("Коаліцію створили 19 вересня минулого року.", Language.UK, "2024-09-19"),
    ("Коалицию создали 19 сентября прошлого года.", Language.RU, "2024-09-19"),
])
def test_dates_in_three_languages_at_the_precision_they_give(text: str, language: Language, expected: str) -> None:
    found = find_dates(_one(text, language), language, PUBLISHED)
    assert [d.value.iso() for d in found] == [expected]


def test_a_date_lacking_its_year_needs_the_publication_day() -> None:
    assert find_dates(_one("Засідання відбулося 2 лютого.", Language.UK), Language.UK, None) == []
    assert find_dates(_one("May was the month.", Language.EN), Language.EN, PUBLISHED) == []


@pytest.mark.parametrize(("text", "language", "amount", "currency", "approximate"), [
    ("Внески склали 2,3 млрд євро.", Language.UK, "2300000000", "EUR", False),
    ("Зібрано близько 400 млн доларів.", Language.UK, "400000000", "USD", True),
    ("Мобілізовано понад 1 500 000 гривень.", Language.UK, "1500000", "UAH", False),
    ("Мобилизовано около 1,5 млрд долларов.", Language.RU, "1500000000", "USD", True),
    ("Выделено 200 миллионов евро.", Language.RU, "200000000", "EUR", False),
    ("Allies pledged €200 million.", Language.EN, "200000000", "EUR", False),
    ("About $1.5 billion was mobilised.", Language.EN, "1500000000", "USD", True),
    ("It costs USD 1,250,000.", Language.EN, "1250000", "USD", False),
    ("Britain gave 50 million pounds.", Language.EN, "50000000", "GBP", False),
    ("Мобілізовано близько півтора мільярда доларів.", Language.UK, "1500000000", "USD", True),
    ("Зібрано 1,5 млрд дол. США.", Language.UK, "1500000000", "USD", False),
    ("Собрано $1,5 млрд.", Language.RU, "1500000000", "USD", False),
])
def test_amounts_with_scale_words_and_currencies(text: str, language: Language, amount: str, currency: str,
                                                 approximate: bool) -> None:
    found = find_amounts(_one(text, language), language)
    assert len(found) == 1
    assert (found[0].value.amount, found[0].value.currency, found[0].value.approximate) == (
        Decimal(amount), currency, approximate)


def test_a_number_without_a_currency_is_no_amount() -> None:
    assert find_amounts(_one("Коаліція об'єднує 11 країн з 2024 року.", Language.UK), Language.UK) == []


@pytest.mark.parametrize(("text", "language", "codes"), [
    ("Угоду підписали Естонією, Люксембургом і Нідерландів.", Language.UK, ["EE", "LU", "NL"]),
    ("Декларацію підписала Велика Британія, а Великої Британії там не було.", Language.UK, ["GB", "GB"]),
    ("Міністр оборони Казахстану відкрив парк в Алмати.", Language.UK, ["KZ"]),
    ("Спостерігачем була Агенція НАТО з підтримки та закупівель.", Language.UK, ["NSPA"]),
    ("Представник НАТО та Сполучених Штатів Америки.", Language.UK, ["NATO", "US"]),
    ("Соглашение подписали Эстонией, Нидерландами и Великобританией.", Language.RU, ["EE", "NL", "GB"]),
    ("Министерство обороны Казахстана и Литвой.", Language.RU, ["KZ", "LT"]),
    ("The Netherlands, the United Kingdom and Luxembourg's minister.", Language.EN, ["NL", "GB", "LU"]),
    ("NATO Support and Procurement Agency and the US.", Language.EN, ["NSPA", "US"]),
])
def test_party_names_resolve_on_lemmas_in_any_case(text: str, language: Language, codes: list[str]) -> None:
    found = party_index(KNOWN, language).find(_one(text, language).tokens)
    assert [m.code for m in found] == codes


def test_words_that_look_like_states_are_not_states() -> None:
    """"того" (uk/ru "that") is also Togo's name; a lower-case "us" is no United States."""
    found = party_index(KNOWN, Language.UK).find(_one("Після того вони мали зустріч.", Language.UK).tokens)
    assert found == []
    assert party_index(KNOWN, Language.EN).find(_one("He told us about it.", Language.EN).tokens) == []


@pytest.mark.parametrize(("text", "language", "code", "name"), [
    ("Нідерланди приєдналися до ІТ-коаліції.", Language.UK, "it-coalition", "IT Coalition"),
    ("Люксембург приєднався до коаліції дронів.", Language.UK, "drone-coalition", "Drone Coalition"),
    ("Коаліцію безпілотників очолює Латвія.", Language.UK, "drone-coalition", "Drone Coalition"),
    ("Люксембург присоединился к коалиции беспилотников.", Language.RU, "drone-coalition", "Drone Coalition"),
    ("Нидерланды вошли в IT-коалицию.", Language.RU, "it-coalition", "IT Coalition"),
    ("Luxembourg joined the drone coalition.", Language.EN, "drone-coalition", "Drone Coalition"),
    ("Литва створила коаліцію з розмінування.", Language.UK, None, "коаліція з розмінування"),
    ("Lithuania leads the demining coalition.", Language.EN, None, "demining coalition"),
])
def test_coalitions_resolve_to_registry_codes_or_are_new(text: str, language: Language, code: str | None,
                                                         name: str) -> None:
    mentions = find_coalitions(_one(text, language), KNOWN)
    assert [(m.code, m.name) for _, m in mentions] == [(code, name)]


@pytest.mark.parametrize("text", [
    "Канада планує приєднатися до ІТ-коаліції.",
    "Канада приєднається до ІТ-коаліції наступного року.",
    "Польща не приєдналася до ІТ-коаліції.",
    "Міністр закликав Японію приєднатися до ІТ-коаліції.",
    "Чи приєдналася Польща до ІТ-коаліції?",
    "Міністерство спростувало, що Австрія приєдналася до ІТ-коаліції.",
])
def test_a_future_a_negation_a_call_or_a_denial_is_no_event(text: str) -> None:
    assert read_events(text, Language.UK, PUBLISHED, KNOWN) == ()


@pytest.mark.parametrize("text", [
    "Канада присоединится к IT-коалиции.", "Польша не присоединилась к IT-коалиции.",
    "Министр призвал Японию присоединиться к IT-коалиции.",
    "Canada will join the IT Coalition.", "Poland has not joined the IT Coalition.",
    "The minister invited Japan to join the IT Coalition.",
])
def test_the_same_in_russian_and_english(text: str) -> None:
    language = Language.RU if "коал" in text else Language.EN
    assert read_events(text, language, PUBLISHED, KNOWN) == ()


def test_a_fact_stated_twice_gives_one_event() -> None:
    text = ("Нідерланди приєдналися до ІТ-коаліції\n\n"
            "Нідерланди приєдналися до ІТ-коаліції, повідомило Міноборони. До коаліції приєдналися Нідерланди.")
    events = read_events(text, Language.UK, PUBLISHED, KNOWN)
    assert [(e.kind, [p.code for p in e.parties]) for e in events] == [(EventKind.MEMBER_JOINED, ["NL"])]
    start, end = events[0].span
    assert text[start:end] == events[0].evidence


def test_the_page_around_an_article_is_left_out() -> None:
    page = ("Головна | Новини\n\nЛюксембург приєднався до коаліції дронів.\n\nЧитайте також: Польща купила танки\n"
            "- Японія підписала угоду\n- Чехія отримала снаряди\n👁 1234\nПереглядів: 12\nФото: Міноборони\n"
            "Реклама. Кредит під 0%\nhttps://example.news/1")
    assert extract_text(page, ArticleFormat.TEXT) == "Люксембург приєднався до коаліції дронів."
    markdown = "[Головна](/) · [Світ](/w)\n\n# Заголовок\n\nТекст статті тут.\n\n* [Інша новина](/x)\n* [Ще одна](/y)\n"
    assert extract_text(markdown, ArticleFormat.MARKDOWN) == "Заголовок\n\nТекст статті тут."


def test_html_main_text_by_trafilatura() -> None:
    page = ("<html><body><nav><a href='/'>Головна</a></nav><aside><a href='/1'>Польща купила танки</a></aside>"
            "<article><h1>Люксембург приєднався до коаліції дронів</h1><p>Люксембург приєднався до коаліції "
            "дронів, повідомило Міністерство оборони України у четвер. Це вже другий внесок країни.</p></article>"
            "<footer>© Новини</footer></body></html>")
    text = extract_text(page, ArticleFormat.HTML)
    assert "Люксембург приєднався до коаліції дронів, повідомило" in text
    assert "Польща" not in text and "Головна" not in text


@pytest.mark.parametrize(("text", "language"), [
    ("Нідерланди приєдналися до ІТ-коаліції, повідомило Міністерство оборони.", Language.UK),
    ("Нидерланды присоединились к IT-коалиции, сообщило Министерство обороны.", Language.RU),
    ("The Netherlands joined the IT Coalition, the ministry of defence said.", Language.EN),
    ("Die Niederlande sind der IT-Koalition beigetreten, teilte das Ministerium mit.", None),
    ("Holandia przystąpiła do koalicji informatycznej, poinformowało ministerstwo.", None),
])
def test_the_language_is_uk_ru_or_en_or_none(text: str, language: Language | None) -> None:
    assert detect_language(text) is language


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "the article is empty"), (b"\x00abc", "binary"), (b"\xc3\x28", "binary"),
    (b"x" * (MAX_ARTICLE_BYTES + 1), "over the limit"),
])
def test_a_file_that_is_no_article_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        decode_article(raw)


@pytest.mark.parametrize(("text", "language", "kind", "coalition", "parties"), [
    ("ІТ-коаліцію заснували Естонія, Люксембург та Україна на зустрічі в Рамштайні (Німеччина) 19 вересня 2023 "
     "року.", Language.UK, EventKind.COALITION_FOUNDED, "it-coalition",
     [("EE", "founder"), ("LU", "founder"), ("UA", "founder")]),
    ("Литва та Ісландія створили коаліцію з розмінування для підтримки Збройних сил України.", Language.UK,
     EventKind.COALITION_FOUNDED, None, [("LT", "founder"), ("IS", "founder")]),
    ("Міністр оборони України повідомив, що Нідерланди приєдналися до ІТ-коаліції.", Language.UK,
     EventKind.MEMBER_JOINED, "it-coalition", [("NL", "member")]),
    ("Люксембург стал участником коалиции дронов.", Language.RU, EventKind.MEMBER_JOINED, "drone-coalition",
     [("LU", "member")]),
    ("Кроме того, к IT-коалиции присоединилась Великобритания, подписав Декларацию о намерениях.", Language.RU,
     EventKind.INSTRUMENT_SIGNED, "it-coalition", [("GB", "declaration-of-intent")]),
    ("Угоду про співпрацю в рамках ІТ-коаліції підписали Естонія, Люксембург, Бельгія та Україна.", Language.UK,
     EventKind.INSTRUMENT_SIGNED, "it-coalition", [("EE", "lead"), ("LU", "lead"), ("BE", "member"),
                                                   ("UA", "recipient")]),
    ("Агенція НАТО з питань підтримки та закупівель (NSPA) уклала перші контракти для ІТ-коаліції на оснащення "
     "командних пунктів.", Language.UK, EventKind.CONTRACT_PLACED, "it-coalition", [("NSPA", "buyer")]),
    ("Глава Минобороны Украины предложил Люксембургу финансировать производство дронов по датской модели.",
     Language.RU, EventKind.FINANCING_PROPOSED, None, [("UA", "proposer"), ("LU", "addressee")]),
    ("Міністр оборони Казахстану відкрив в Алмати Defense Tech IT Park.", Language.UK, EventKind.FACILITY_OPENED,
     None, [("KZ", "owner")]),
])
def test_sentences_give_their_event_with_parties_and_roles(text: str, language: Language, kind: EventKind,
                                                           coalition: str | None,
                                                           parties: list[tuple[str, str]]) -> None:
    events = [e for e in read_events(text, language, PUBLISHED, KNOWN) if e.kind is kind]
    assert len(events) == 1
    assert (events[0].coalition.code if events[0].coalition else None) == coalition
    assert [(p.code, p.role) for p in events[0].parties] == parties


def test_signatories_listed_in_the_next_sentence() -> None:
    text = ("Угоду про співпрацю в межах ІТ-коаліції підписали чотири держави. Серед них — Естонія та Люксембург як "
            "лідери, а також Бельгія та Україна.")
    events = read_events(text, Language.UK, PUBLISHED, KNOWN)
    assert [(e.kind, [(p.code, p.role) for p in e.parties]) for e in events] == [
        (EventKind.INSTRUMENT_SIGNED, [("EE", "lead"), ("LU", "lead"), ("BE", "member"), ("UA", "recipient")])]


def test_the_founders_of_a_coalition_do_not_join_it() -> None:
    text = ("ІТ-коаліцію було створено 19 вересня 2023 року з ініціативи Естонії та Люксембургу, до яких долучилася "
            "Україна.")
    assert [e.kind for e in read_events(text, Language.UK, PUBLISHED, KNOWN)] == [EventKind.COALITION_FOUNDED]
