"""The language tools of the news intake: tokens with their lemmas (pymorphy3 for Ukrainian and Russian),
sentences with their offsets, and the resolvers of names, dates and amounts that the event rules use.

Every name is matched on lemmas: a name from the registry or from CLDR (Babel's territory names in uk, ru and en)
is lemmatised token by token the same way as the article, so "Естонією", "Нідерландів" or "Великої Британії"
meet "Естонія", "Нідерланди" and "Велика Британія" whatever their case. Month names come from CLDR too (Babel),
scale words ("млрд", "мільйонів", "billion") from CLDR's compact number formats, currency names from CLDR's
currency names; relative dates ("минулого року", "вчера", "last year") are resolved by dateparser against the
day the article was published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pycountry
import pymorphy3
from babel import Locale
from babel.numbers import format_compact_decimal
from dateparser.date import DateDataParser

from coalition.domain.intake import (
    CoalitionMention,
    DatePrecision,
    KnownCoalition,
    KnownNames,
    Language,
    PartialDate,
    StatedAmount,
)

_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:[-'’ʼ][^\W\d_]+)*|[€$£₴]", re.UNICODE)
_ABBREVIATIONS = {"млрд", "млн", "тис", "тыс", "грн", "дол", "долл", "руб", "ген", "див", "р", "рр", "г", "гг", "ст",
                  "м", "вул", "ул", "т", "д", "ім", "им", "mr", "mrs", "ms", "dr", "st", "no", "vs", "etc", "u", "s",
                  "gen", "col", "lt"}


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int
    lemmas: frozenset[str]
    tags: tuple[str, ...] = ()
    base: str = ""  # the most likely dictionary form

    def has(self, *words: str) -> bool:
        return any(w in self.lemmas for w in words)

    @property
    def number(self) -> bool:
        return self.text[0].isdigit()

    @property
    def capital(self) -> bool:
        return self.text[0].isupper()

    def tagged(self, grammeme: str) -> bool:
        return any(grammeme in tag for tag in self.tags)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str
    tokens: tuple[Token, ...]
    paragraph: int

    def has(self, *words: str) -> bool:
        return any(t.has(*words) for t in self.tokens)

    def index_of(self, *words: str) -> int | None:
        return next((i for i, t in enumerate(self.tokens) if t.has(*words)), None)


# --- morphology --------------------------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def _analyser(language: str) -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang=language)


def _english_lemmas(word: str) -> set[str]:
    """English has little inflection: a word, its possessive and its plural or past stripped."""
    low = word.casefold().replace("’", "'")
    forms = {low, low.removesuffix("'s")}
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("d", ""),
                         ("ing", ""), ("ing", "e")):
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            forms.add(low[: -len(suffix)] + repl)
    return forms


_CYRILLIC = re.compile(r"[а-яіїєґё]", re.IGNORECASE)


def _gerund_verbs(word: str) -> set[str]:
    """The infinitives a past gerund comes from: "підписавши" from "підписати", "приєднавшись" from
    "приєднатися"."""
    for ending, verb in (("вшись", "тися"), ("вши", "ти"), ("шись", "тися"), ("ши", "ти")):
        if word.endswith(ending):
            return {word[: -len(ending)] + verb}
    return set()


def _participle_verbs(adjective: str) -> set[str]:
    """The infinitive a Ukrainian passive participle comes from: "заснований" from "заснувати", "підписаний" from
    "підписати", "створений" from "створити", "відкритий" from "відкрити"."""
    for ending, verb in (("ований", "увати"), ("аний", "ати"), ("ений", "ити"), ("тий", "ти")):
        if adjective.endswith(ending):
            return {adjective[: -len(ending)] + verb}
    return set()


def _slavic(word: str, language: str) -> tuple[set[str], tuple[str, ...], str]:
    parses = _analyser(language).parse(word)
    lemmas = {p.normal_form.replace("ё", "е") for p in parses} | {word.casefold()}
    if parses and "GRND" in str(parses[0].tag):  # the Ukrainian dictionary keeps a gerund as its own lemma
        lemmas |= _gerund_verbs(word.casefold())
    for parse in parses[:2]:  # and a passive participle as an adjective ("підписаний")
        if "pssv" in str(parse.tag) and "ADJF" in str(parse.tag):
            lemmas |= _participle_verbs(parse.normal_form)
    tags = [str(p.tag) for p in parses[:2]]
    verb = next((str(p.tag) for p in parses[2:] if "VERB" in str(p.tag)), None)
    if verb is not None and not any("VERB" in tag for tag in tags):  # "стане": a verb's future, not a noun's case
        tags.append(verb)
    return lemmas, tuple(tags), parses[0].normal_form if parses else word.casefold()


@lru_cache(maxsize=65536)
def analyse(word: str, language: Language) -> tuple[frozenset[str], tuple[str, ...], str]:
    """The lemmas a word may have, its first grammatical tags (Ukrainian and Russian only), its likeliest lemma."""
    if language is Language.EN or not _CYRILLIC.search(word):
        lemmas = _english_lemmas(word)
        if language is not Language.EN:
            lemmas.add(word.casefold())
        return frozenset(lemmas), (), word.casefold()
    lemmas, tags, base = _slavic(word, language.value)
    for part in word.split("-") if "-" in word else ():
        lemmas |= _slavic(part, language.value)[0] if _CYRILLIC.search(part) else {part.casefold()}
    return frozenset(lemmas), tags, base


def tokens(text: str, language: Language, offset: int = 0) -> tuple[Token, ...]:
    found = []
    for match in _WORD.finditer(text):
        word = match.group()
        lemmas, tags, base = (frozenset({word}), (), word) if word[0].isdigit() or word in "€$£₴" \
            else analyse(word, language)
        found.append(Token(word, offset + match.start(), offset + match.end(), lemmas, tags, base))
    return tuple(found)


_SPLIT = re.compile(r"(?<=[.!?…])[\"»”)]?\s+(?=[\"«„“(]?[A-ZА-ЯІЇЄҐЁ0-9])")


def sentences(text: str, language: Language) -> list[Sentence]:
    """The text's sentences with their offsets; a sentence never runs over a line break."""
    found: list[Sentence] = []
    position = 0
    for paragraph, line in enumerate(text.split("\n")):
        start = 0
        for match in _SPLIT.finditer(line):
            before = line[start:match.start()].rstrip(".").split()
            last = before[-1].casefold().strip("(\"«") if before else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
            _add_sentence(found, line, start, match.start(), position, paragraph, language)
            start = match.end()
        _add_sentence(found, line, start, len(line), position, paragraph, language)
        position += len(line) + 1
    return found


def _add_sentence(found: list[Sentence], line: str, start: int, end: int, position: int, paragraph: int,
                  language: Language) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    begin = position + start + (len(piece) - len(piece.lstrip()))
    found.append(Sentence(begin, begin + len(stripped), stripped, tokens(stripped, language, begin), paragraph))


def lemma_sequence(name: str, language: Language) -> tuple[frozenset[str], ...]:
    return tuple(t.lemmas for t in tokens(name, language))


# --- names -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NameMatch:
    code: str
    state: bool
    first: int  # token indexes in the sentence, end exclusive
    last: int
    text: str


@dataclass
class NameIndex:
    """Names as sequences of lemma sets, keyed by the lemmas of their first word."""

    entries: dict[str, list[tuple[tuple[frozenset[str], ...], str, bool, bool]]] = field(default_factory=dict)

    def add(self, name: str, code: str, language: Language, *, state: bool) -> None:
        sequence = lemma_sequence(name, language)
        if not sequence:
            return
        exact = name.isupper() and len(name) <= 5  # an acronym ("US", "UK", "НАТО") must be written as it is
        if exact:
            sequence = (frozenset({name}), *sequence[1:])
        for lemma in sequence[0]:
            self.entries.setdefault(lemma, []).append((sequence, code, state, exact))

    def find(self, words: Sequence[Token]) -> list[NameMatch]:
        """The longest names in the words, left to right, never overlapping."""
        found: list[NameMatch] = []
        index = 0
        while index < len(words):
            best = self._longest(words, index)
            if best is None:
                index += 1
                continue
            found.append(best)
            index = best.last
        return found

    def _longest(self, words: Sequence[Token], index: int) -> NameMatch | None:
        best: NameMatch | None = None
        head = words[index]
        candidates = [entry for lemma in head.lemmas | {head.text} for entry in self.entries.get(lemma, ())]
        for sequence, code, state, exact in candidates:
            if exact and head.text not in sequence[0]:
                continue
            if not exact and state and not head.capital:
                continue
            end = index + len(sequence)
            if end > len(words) or not all(words[index + k].lemmas & sequence[k] for k in range(1, len(sequence))):
                continue
            if best is None or end > best.last:
                text = " ".join(w.text for w in words[index:end])
                best = NameMatch(code, state, index, end, text)
        return best


# States whose name is also a common word of the three languages ("Того", "Мали", "Chad") are left out.
_AMBIGUOUS = {"TG", "ML", "TD", "JE", "GU", "NU", "IO", "AQ", "BV", "HM", "UM", "TF"}
_STATE_ALIASES = {
    Language.EN: {"GB": ("UK", "U.K.", "Britain", "Great Britain"), "US": ("US", "USA", "U.S.", "America"),
                  "NL": ("Holland",), "KZ": ("Kazakhstan",)},
    Language.UK: {"GB": ("Британія", "Сполучене Королівство", "Об'єднане Королівство"),
                  "US": ("США", "Сполучені Штати Америки"), "NL": ("Голландія",)},
    Language.RU: {"GB": ("Великобритания", "Британия", "Соединённое Королевство"),
                  "US": ("США", "Соединённые Штаты Америки"), "NL": ("Голландия",)},
}
# Organisations as the press spells them out, beside the registry's own names and codes.
_ORGANISATIONS: dict[str, dict[Language, tuple[str, ...]]] = {
    "NATO": {Language.UK: ("НАТО", "Північноатлантичний альянс"), Language.RU: ("НАТО", "Североатлантический альянс"),
             Language.EN: ("NATO", "North Atlantic Alliance")},
    "NSPA": {Language.UK: ("Агенція НАТО з підтримки та закупівель", "Агентство НАТО з підтримки та закупівель",
                           "Агенція НАТО з питань підтримки та закупівель", "Агенція НАТО з підтримки та постачання",
                           "Агентство НАТО з підтримки та постачання", "Агенція НАТО", "Агентство НАТО", "NSPA"),
             Language.RU: ("Агентство НАТО по поддержке и закупкам", "Агентство НАТО по обеспечению и закупкам",
                           "Агентство НАТО по поддержке и снабжению", "Агентство НАТО", "NSPA"),
             Language.EN: ("NATO Support and Procurement Agency", "NSPA")},
}


def _state_names(language: Language) -> Iterable[tuple[str, str]]:
    territories = Locale(language.value).territories
    for country in pycountry.countries:
        code = country.alpha_2
        if code in _AMBIGUOUS:
            continue
        if code in territories:
            yield code, territories[code]
        if language is Language.EN:
            for attribute in ("name", "common_name"):
                if hasattr(country, attribute):
                    yield code, str(getattr(country, attribute))
    for code, aliases in _STATE_ALIASES[language].items():
        for alias in aliases:
            yield code, alias


@lru_cache(maxsize=3)
def _state_index(language: Language) -> NameIndex:
    index = NameIndex()
    for code, name in _state_names(language):
        index.add(name, code, language, state=True)
    return index


def party_index(known: KnownNames, language: Language) -> NameIndex:
    """States from CLDR, and the registry's organisations by their names, identifiers and spelled-out forms."""
    index = NameIndex()
    index.entries = {k: list(v) for k, v in _state_index(language).entries.items()}
    known_codes = {p.code for p in known.parties}
    for party in known.parties:
        if party.state or party.kind == "ministry":  # a ministry speaks for its state, matched as the state
            continue
        for name in (*party.names, party.code):
            index.add(name, party.code, language, state=False)
    for code, spellings in _ORGANISATIONS.items():
        if code in known_codes or not known.parties:
            for name in spellings[language]:
                index.add(name, code, language, state=False)
    return index


# --- coalitions --------------------------------------------------------------------------------------------------

_COALITION = ("коаліція", "коалиция", "coalition")
# What a coalition is about, in the words the press uses: the English word of the registry's names they stand for.
_QUALIFIERS = {
    "it": ("іт", "ит", "it", "айті", "інформаційний", "информационный", "ікт", "икт"),
    "drone": ("дрон", "безпілотник", "беспилотник", "бпла", "бпла", "дроновий", "дроновый", "drone", "uav",
              "безпілотний", "беспилотный"),
}
_LINKS = {"з", "із", "зі", "по", "щодо", "у", "в", "for", "of", "on", "the", "a", "an", "and", "та", "и", "і", "й"}
_FIELDS = ("питання", "сфера", "галузь", "напрям", "напрямок", "вопрос", "сфера", "область", "направление", "field",
           "area", "sphere", "domain")
_STOP_QUALIFIER = {"ukraine", "україна", "украина", "до", "к", "to", "with", "join", "приєднатися", "присоединиться",
                   "момент", "час", "початок", "рамка", "склад", "межа", "учасник", "член", "країна", "лідер",
                   "засідання", "рішення", "время", "начало", "рамки", "состав", "участник", "страна", "лидер",
                   "заседание", "решение", "its", "their", "момента", "since", "which", "that", "який", "который",
                   "її", "ее", "свій", "свой", "этот", "цей", "member", "country", "state", "leader", "meeting"}


def find_coalitions(sentence: Sentence, known: KnownNames) -> list[tuple[int, CoalitionMention]]:
    """Each mention of a coalition with the index of its word: a registry coalition where its qualifier matches,
    a new one (no code) where another qualifier names it, the article's own (empty name) where none does."""
    found: list[tuple[int, CoalitionMention]] = []
    words = sentence.tokens
    for index, word in enumerate(words):
        if not word.has(*_COALITION) and not any(word.text.casefold().endswith(c) for c in ("-коаліції",)):
            continue
        qualifiers = _qualifier_words(words, index)
        found.append((index, _resolve_coalition(qualifiers, word, sentence, known)))
    return found


def _qualifier_words(words: Sequence[Token], index: int) -> list[Token]:
    """The words that may say what a coalition is about: the first part of "ІТ-коаліція", an adjective or a
    Latin word before it, a noun after it (past a preposition)."""
    word = words[index]
    if "-" in word.text:
        head = word.text.split("-")[0]
        return [Token(head, word.start, word.start + len(head), word.lemmas)]
    before = _qualifier_before(words, index)
    return ([before] if before is not None else []) + _qualifier_after(words, index)


def _qualifier_before(words: Sequence[Token], index: int) -> Token | None:
    previous = words[index - 1] if index > 0 else None
    if previous is None or previous.has(*_LINKS) or previous.number:
        return None
    return previous if previous.tagged("ADJF") or not previous.tags else None  # "дронова коаліція", "IT Coalition"


def _qualifier_after(words: Sequence[Token], index: int) -> list[Token]:
    following = index + 1
    while following < len(words) and words[following].has(*_LINKS, *_FIELDS) and following - index < 5:
        following += 1  # "коаліція з питань ІТ", "коалиция в сфере информационных технологий"
    if following >= len(words) or following - index > 5 or words[following].has(*_STOP_QUALIFIER):
        return []
    candidate = words[following]
    linked = following > index + 1  # "коаліція дронів", "коаліція з розмінування", "coalition for demining"
    if not (linked or candidate.tags or candidate.capital):
        return []
    noun = words[following + 1] if following + 1 < len(words) else None
    if candidate.tagged("ADJF") and noun is not None and noun.tagged("NOUN"):
        return [candidate, noun]  # "коаліція протиповітряної оборони", "коалиция беспилотных систем"
    return [candidate]


def _registry_coalition(qualifiers: list[Token], known: KnownNames) -> CoalitionMention | None:
    """A coalition of the registry whose English name holds the word a qualifier stands for."""
    for qualifier in qualifiers:
        for english, words in _QUALIFIERS.items():
            if not (qualifier.has(*words) or qualifier.text.casefold() in words):
                continue
            for coalition in known.coalitions:
                if english in coalition.name.casefold().split():
                    return CoalitionMention(coalition.code, coalition.name)
            return CoalitionMention(None, f"{english.upper() if english == 'it' else english} coalition")
    return None


def _resolve_coalition(qualifiers: list[Token], coalition_word: Token, sentence: Sentence,
                       known: KnownNames) -> CoalitionMention:
    registered = _registry_coalition(qualifiers, known)
    if registered is not None:
        return registered
    named = [q for q in qualifiers if _names_a_coalition(q, coalition_word)]
    if not named:
        return CoalitionMention(None, "")
    last = named[-1]
    if last.start < coalition_word.start and last.tagged("ADJF") and coalition_word.tags:
        return CoalitionMention(None, _nominative(last, coalition_word, sentence))  # "морської коаліції"
    if last.start < coalition_word.start:  # "demining coalition"
        return CoalitionMention(None, sentence.text[last.start - sentence.start:coalition_word.end - sentence.start])
    if last.has(*_STOP_QUALIFIER) or last.tagged("ADJF"):
        return CoalitionMention(None, "")
    # "коаліція з розмінування": the coalition's word in its dictionary form, then the words that name it
    head = coalition_word.base if coalition_word.tags else coalition_word.text
    tail = sentence.text[coalition_word.end - sentence.start:last.end - sentence.start]
    return CoalitionMention(None, f"{head}{tail}")


def _names_a_coalition(qualifier: Token, coalition_word: Token) -> bool:
    """A qualifier that may name a coalition the registry does not hold: a name, a noun, a genitive, a Latin word,
    or an adjective before the coalition's word that says what it is for ("морська коаліція")."""
    if qualifier.capital or qualifier.tagged("NOUN") or qualifier.tagged("gent") or not qualifier.tags:
        return True
    return qualifier.start < coalition_word.start and qualifier.tagged("ADJF") and not qualifier.has(*_GENERIC)


# Adjectives that say nothing of what a coalition is for ("нова коаліція", "the international coalition").
_GENERIC = ("новий", "нова", "новый", "новая", "міжнародний", "международный", "широкий", "весь", "вся", "цей", "этот",
            "такий", "такой", "наш", "ваш", "свій", "свой", "перший", "первый", "другий", "второй", "великий",
            "большой", "згаданий", "упомянутый", "вказаний", "указанный", "оборонний", "оборонный")


def _nominative(adjective: Token, coalition_word: Token, sentence: Sentence) -> str:
    """"морської коаліції" as "морська коаліція": the adjective agreeing with the coalition's word, both in the
    nominative, as the dictionary inflects them; as written where it cannot."""
    language = "uk" if coalition_word.has("коаліція") else "ru"
    parse = next((p for p in _analyser(language).parse(adjective.text) if "ADJF" in str(p.tag)), None)
    inflected = parse.inflect({"femn", "nomn"}) if parse is not None else None
    if inflected is None:
        return sentence.text[adjective.start - sentence.start:coalition_word.end - sentence.start]
    word = inflected.word
    return f"{word.capitalize() if adjective.text[:1].isupper() else word} {coalition_word.base}"


def main_coalition(mentions: Iterable[CoalitionMention]) -> CoalitionMention | None:
    """The coalition an article is about: the registry coalition it names most often."""
    counts: dict[str, int] = {}
    named: dict[str, CoalitionMention] = {}
    for mention in mentions:
        if mention.code:
            counts[mention.code] = counts.get(mention.code, 0) + 1
            named[mention.code] = mention
    return named[max(counts, key=lambda c: counts[c])] if counts else None


def coalition_by_code(known: KnownNames, code: str | None) -> KnownCoalition | None:
    return next((c for c in known.coalitions if c.code == code), None)


# --- dates -------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=3)
def _months(language: Language) -> dict[str, int]:
    """Lemmas of the month names (CLDR's, in their forms of the calendar), to month numbers."""
    months = Locale(language.value).months
    lemmas: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in months[context][width].items():
                clean = name.strip(".").casefold()
                if len(clean) < 3:
                    continue
                lemmas[clean] = number
                if width == "wide":
                    for lemma in analyse(clean, language)[0]:
                        lemmas.setdefault(lemma, number)
    return lemmas


_YEAR_WORDS = ("рік", "год", "year", "г", "р")
# Relative expressions as lemmas, each with the words dateparser reads it from (against the publication day).
_RELATIVE: dict[Language, tuple[tuple[tuple[str, ...], str], ...]] = {
    Language.UK: ((("минулий", "місяць"), "минулого місяця"), (("цей", "місяць"), "цього місяця"),
                  (("минулий", "рік"), "минулого року"), (("попередній", "рік"), "минулого року"),
                  (("торік",), "торік"), (("цей", "рік"), "цього року"), (("поточний", "рік"), "цього року"),
                  (("позавчора",), "позавчора"), (("вчора",), "вчора"), (("сьогодні",), "сьогодні")),
    Language.RU: ((("прошлый", "месяц"), "в прошлом месяце"), (("этот", "месяц"), "в этом месяце"),
                  (("прошлый", "год"), "в прошлом году"), (("прошедший", "год"), "в прошлом году"),
                  (("этот", "год"), "в этом году"), (("текущий", "год"), "в этом году"),
                  (("позавчера",), "позавчера"), (("вчера",), "вчера"), (("сегодня",), "сегодня")),
    Language.EN: ((("last", "month"), "last month"), (("this", "month"), "this month"),
                  (("last", "year"), "last year"), (("this", "year"), "this year"), (("yesterday",), "yesterday"),
                  (("today",), "today")),
}


@dataclass(frozen=True, slots=True)
class DateMatch:
    value: PartialDate
    first: int
    last: int
    relative: bool = False  # said against the day of the news ("минулого місяця"), not written out


def _month_of(word: Token, language: Language) -> int | None:
    if word.number:
        return None
    if language is Language.EN and not word.capital:
        return None
    table = _months(language)
    return next((table[lemma] for lemma in word.lemmas if lemma in table), None)


def _int(word: Token | None, low: int, high: int) -> int | None:
    if word is None or not word.text.isdigit():
        return None
    value = int(word.text)
    return value if low <= value <= high else None


def _at(words: Sequence[Token], index: int) -> Token | None:
    return words[index] if 0 <= index < len(words) else None


def find_dates(sentence: Sentence, language: Language, published: date | None) -> list[DateMatch]:
    """Dates in a sentence, at the precision the text gives; without a year, the publication's year (the year
    before if that puts the day after the publication); without a publication day, a date lacking its year is
    left out."""
    words = sentence.tokens
    found: list[DateMatch] = []
    index = 0
    while index < len(words):
        match = _date_at(words, index, language, published) or _relative_at(words, index, language, published)
        if match is not None:
            found.append(match)
            index = match.last
        else:
            index += 1
    return found


def _with_year(year: int | None, month: int, day: int | None, published: date | None) -> PartialDate | None:
    if year is not None:
        return PartialDate(year, month, day)
    if published is None:
        return None
    candidate = PartialDate(published.year, month, day)
    if candidate.earliest() > published:
        candidate = PartialDate(published.year - 1, month, day)
    return candidate


def _date_at(words: Sequence[Token], index: int, language: Language, published: date | None) -> DateMatch | None:
    try:
        return (_numeric_date(words, index) or _day_first(words, index, language, published)
                or _month_first(words, index, language, published) or _year_only(words, index))
    except ValueError:  # an impossible day ("31 лютого")
        return None


def _numeric_date(words: Sequence[Token], index: int) -> DateMatch | None:
    numeric = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", words[index].text)
    if not numeric:
        return None
    day, month, year = (int(g) for g in numeric.groups())
    return DateMatch(PartialDate(year, month, day), index, index + 1)


def _day_first(words: Sequence[Token], index: int, language: Language, published: date | None) -> DateMatch | None:
    """2 лютого [2024 року], 6 марта, 2 February 2024."""
    day = _int(words[index], 1, 31)
    following = _at(words, index + 1)
    month = _month_of(following, language) if day and following is not None else None
    if day is None or month is None:
        return None
    year = _int(_at(words, index + 2), 1900, 2100)
    relative = _relative_at(words, index + 2, language, published) if year is None else None
    if relative is not None and relative.value.precision is DatePrecision.YEAR:  # "19 вересня минулого року"
        return DateMatch(PartialDate(relative.value.year, month, day), index, relative.last)
    value = _with_year(year, month, day, published)
    return DateMatch(value, index, index + (3 if year else 2)) if value else None


def _month_first(words: Sequence[Token], index: int, language: Language, published: date | None
                 ) -> DateMatch | None:
    """February 2, 2024; лютий 2024; у лютому (the month alone after "у"/"в"/"in")."""
    month = _month_of(words[index], language)
    if month is None:
        return None
    day = _int(_at(words, index + 1), 1, 31) if language is Language.EN else None
    year = _int(_at(words, index + (2 if day else 1)), 1900, 2100)
    if day is None and year is None and not (index > 0 and words[index - 1].has("у", "в", "in", "во")):
        return None
    value = _with_year(year, month, day, published)
    return DateMatch(value, index, index + 1 + (day is not None) + (year is not None)) if value else None


def _year_only(words: Sequence[Token], index: int) -> DateMatch | None:
    """2023 року, в 2023 году, in 2023."""
    year = _int(words[index], 1990, 2100)
    following = _at(words, index + 1)
    previous = _at(words, index - 1)
    if year and ((following is not None and following.has(*_YEAR_WORDS))
                 or (previous is not None and previous.has("у", "в", "in", "since", "з", "с"))):
        return DateMatch(PartialDate(year), index, index + 1)
    return None


@lru_cache(maxsize=16)
def _date_parser(language: Language, published: date) -> DateDataParser:
    return DateDataParser(languages=[language.value], settings={
        "RELATIVE_BASE": datetime(published.year, published.month, published.day),  # noqa: DTZ001 (a calendar day)
        "PREFER_DATES_FROM": "past"})


def _relative_at(words: Sequence[Token], index: int, language: Language, published: date | None
                 ) -> DateMatch | None:
    if published is None:
        return None
    for phrase, text in _RELATIVE[language]:
        span = words[index:index + len(phrase)]
        if len(span) == len(phrase) and all(w.has(p) for w, p in zip(span, phrase, strict=True)):
            data = _date_parser(language, published).get_date_data(text)
            if data.date_obj is None:
                return None
            when = data.date_obj.date()
            value = PartialDate(when.year) if data.period == "year" else (
                PartialDate(when.year, when.month) if data.period == "month" else PartialDate.of(when))
            return DateMatch(value, index, index + len(phrase), relative=True)
    return None


# --- amounts -----------------------------------------------------------------------------------------------------

_CURRENCIES = ("EUR", "USD", "GBP", "UAH", "KZT", "CAD", "DKK", "NOK", "SEK", "PLN", "CHF", "JPY")
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "₴": "UAH"}
_APPROXIMATE = ("близько", "приблизно", "орієнтовно", "майже", "около", "примерно", "почти", "порядка",
                "about", "around", "approximately", "nearly", "almost", "some", "roughly")


@lru_cache(maxsize=3)
def _scales(language: Language) -> dict[str, int]:
    """Scale words of CLDR's compact number formats ("тис.", "мільйонів", "млрд", "billion"), as lemmas."""
    scales: dict[str, int] = {}
    for power in (3, 6, 9):
        for count in (1, 2, 5, 21):
            for kind in ("short", "long"):
                shown = format_compact_decimal(count * 10 ** power, format_type=kind, locale=language.value)
                word = re.sub(r"[\d\s\xa0.,]+", " ", shown).strip().casefold()
                if word:
                    scales[word] = power
                    for lemma in analyse(word, language)[0]:
                        scales.setdefault(lemma, power)
    if language is Language.EN:
        scales.update({"bn": 9, "bln": 9, "mn": 6, "mln": 6, "m": 6, "k": 3})
    return scales


@lru_cache(maxsize=3)
def _currency_words(language: Language) -> dict[str, str]:
    """The first word of each currency's CLDR name ("долар", "евро", "pound"), its code and its symbol."""
    locale = Locale(language.value)
    table: dict[str, str] = {}
    for code in _CURRENCIES:
        table[code.casefold()] = code
        first = locale.currencies[code].split()[0].casefold()
        adjective = len(locale.currencies[code].split()) > 1 and first.endswith(("ий", "ый", "ська", "ская"))
        word = locale.currencies[code].split()[-1].casefold() if adjective else first
        for lemma in analyse(word, language)[0] | {word}:
            table.setdefault(lemma, code)
    table.update({"dollar": "USD", "euro": "EUR", "pound": "GBP", "hryvnia": "UAH", "tenge": "KZT", "дол": "USD",
                  "долл": "USD", "грн": "UAH", "тенге": "KZT", "bucks": "USD"})
    return table


def _number(text: str, language: Language) -> Decimal | None:
    if language is Language.EN and re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text) and language is not Language.EN:
        text = text.replace(".", "")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


@dataclass(frozen=True, slots=True)
class AmountMatch:
    value: StatedAmount
    first: int
    last: int


_HALVES = ("півтора", "полтора")  # "півтора мільярда": one and a half


def find_amounts(sentence: Sentence, language: Language) -> list[AmountMatch]:
    """Amounts of money: a number with an optional scale word and a currency (word, code or symbol) on
    either side, "about" before it making it approximate."""
    words = sentence.tokens
    found: list[AmountMatch] = []
    for index, word in enumerate(words):
        if not (word.number or word.has(*_HALVES) or _half_of(word, language)) or (found and index < found[-1].last):
            continue
        match = _amount_at(words, index, language)
        if match is not None:
            found.append(match)
    return found


def _currency(word: Token | None, language: Language) -> str | None:
    if word is None:
        return None
    if word.text in _SYMBOLS:
        return _SYMBOLS[word.text]
    table = _currency_words(language)
    if word.text.isupper() and word.text.casefold() in table:
        return table[word.text.casefold()]
    return next((table[lemma] for lemma in word.lemmas if lemma in table and len(lemma) > 2), None)


def _scale(word: Token | None, language: Language) -> int | None:
    if word is None:
        return None
    scales = _scales(language)
    return next((scales[x] for x in word.lemmas | {word.text.casefold()} if x in scales), None)


def _half_of(word: Token, language: Language) -> int | None:
    """The power of ten of a word that says half of a scale word: "півмільярда", "полмиллиона"."""
    text = word.text.casefold()
    prefix = next((p for p in ("пів", "пол") if text.startswith(p) and len(text) > len(p) + 4), None)
    if prefix is None:
        return None
    rest = text[len(prefix):].lstrip("-")
    scales = _scales(language)
    return scales.get(rest) or next((scales[x] for x in analyse(rest, language)[0] if x in scales), None)


def _stated_number(words: Sequence[Token], index: int, language: Language) -> tuple[Decimal, int, int] | None:
    """The number written from ``index`` with its scale: (number, power of ten, index of the word after)."""
    half = _half_of(words[index], language)
    if half is not None:  # "півмільярда євро": the number and its scale in one word
        return Decimal("0.5"), half, index + 1
    number = Decimal("1.5") if words[index].has(*_HALVES) else _number(words[index].text, language)
    if number is None:
        return None
    after = index + 1
    while after < len(words) and words[after].number and re.fullmatch(r"\d{3}", words[after].text):
        number = number * 1000 + Decimal(words[after].text)  # "1 500": thousands set apart by a space
        after += 1
    power = _scale(_at(words, after), language)
    return (number, power, after + 1) if power is not None else (number, 0, after)


def _amount_at(words: Sequence[Token], index: int, language: Language) -> AmountMatch | None:
    stated = _stated_number(words, index, language)
    if stated is None:
        return None
    number, power, after = stated
    before = _at(words, index - 1)
    currency = _currency(before, language) if before is not None and before.text in _SYMBOLS else None
    first, last = index - 1, after
    if currency is None:
        currency = _currency(_at(words, after), language)
        first, last = index, after + 1
    if currency is None:
        currency = _currency(before, language)
        first, last = index - 1, after
    if currency is None:
        return None
    amount = number * (Decimal(10) ** power)
    approximate = any(w.has(*_APPROXIMATE) for w in words[max(0, first - 2):first])
    return AmountMatch(StatedAmount(amount, currency, approximate), first, last)


# Numerals written as words, as lemmas (the dictionaries give "одинадцять" for "одинадцяти").
NUMBER_WORDS = {
    **dict(zip(("один", "два", "три", "чотири", "п'ять", "шість", "сім", "вісім", "дев'ять", "десять", "одинадцять",
                "дванадцять", "тринадцять", "чотирнадцять", "п'ятнадцять", "шістнадцять", "сімнадцять",
                "вісімнадцять", "дев'ятнадцять", "двадцять"), range(1, 21), strict=True)),
    **dict(zip(("один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять", "десять", "одиннадцать",
                "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать", "семнадцать",
                "восемнадцать", "девятнадцать", "двадцать"), range(1, 21), strict=True)),
    **dict(zip(("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"),
               range(1, 21), strict=True)),
}


def whole_number(word: Token) -> int | None:
    """The value of a whole number written in digits or as a word."""
    if word.text.isdigit():
        return int(word.text)
    return next((NUMBER_WORDS[lemma] for lemma in word.lemmas if lemma in NUMBER_WORDS), None)


def find_counts(sentence: Sentence, nouns: Sequence[str]) -> list[tuple[int, int]]:
    """Whole numbers just before one of the nouns ("11 країн", "одинадцять держав", "11 states"): value, index."""
    words = sentence.tokens
    found = []
    for index, word in enumerate(words):
        value = whole_number(word)
        if value is not None and index + 1 < len(words):
            following = words[index + 1: index + 3]
            if any(w.has(*nouns) for w in following[:1]) or (len(following) > 1 and following[1].has(*nouns)
                                                              and not following[0].number):
                found.append((value, index))
        if value is not None and not found and _counted_before(words, index, nouns):
            found.append((value, index))
    return found


def _counted_before(words: Sequence[Token], index: int, nouns: Sequence[str]) -> bool:
    """"Кількість учасників коаліції зросла до 11", "the number of members has reached 11"."""
    before = words[max(0, index - 6):index]
    return any(w.has("кількість", "количество", "число", "number") for w in before) and any(
        w.has(*nouns) for w in before)
