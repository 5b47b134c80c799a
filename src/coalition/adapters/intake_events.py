"""The event rules of the news intake: which sentence states which event of the closed vocabulary, with its
coalition, parties, date, amount and the kind's own attributes.

A rule fires on a trigger word (a lemma: "підписати", "подписать", "sign") with the kind's other words in the
same sentence (an instrument for a signature, a facility for an opening). A trigger that is negated ("не
приєдналася"), in the future ("підпише", "will join", "планує приєднатися"), asked about, called for ("закликав
приєднатися", "invited to join") or denied gives no event. The parties are the states (CLDR names) and the
registry's organisations the sentence names; a state named as the speaker ("Міністр оборони України заявив")
is not a party of what is said unless it is named again; a state named as a place ("у Німеччині") is a place.

Confidence: 0.4, plus 0.6 times the share of the kind's fields that resolved (the coalition to a registry code
where the kind stands in one, every party to a code where the kind names parties, a date, an amount where the
kind has one), times 0.9 where only a noun ("підписання") rather than a verb carries the event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from datetime import date as Day  # a field of Clause is named date
from typing import Any

from coalition.adapters.intake_language import (
    NameIndex,
    NameMatch,
    Sentence,
    Token,
    coalition_by_code,
    find_amounts,
    find_coalitions,
    find_counts,
    find_dates,
    main_coalition,
    party_index,
    sentences,
    whole_number,
)
from coalition.domain.intake import (
    CoalitionMention,
    Event,
    EventKind,
    KnownNames,
    Language,
    PartialDate,
    PartyMention,
    StatedAmount,
)

_NEGATION = ("не", "ні", "not", "never", "no", "нет", "ни")
_FUTURE = ("можливість", "возможность", "possibility", "розглядати", "рассматривать", "вивчати", "изучать",
           "consider", "планувати", "плануватися", "запланувати", "запланований", "заплановано", "планироваться",
           "запланировать", "запланированный", "запланировано", "scheduled", "planned", "план", "намір",
           "збиратися", "мати", "очікуватися", "розраховувати", "могти",
           "планировать", "намерение", "намереваться", "собираться", "ожидаться", "мочь", "рассчитывать",
           "хотіти", "хотеть", "will", "would", "plan", "intend", "expect", "shall", "may", "might", "could",
           "should", "can", "going", "aim")
# Words that make a sentence tell of what is to come: planned, scheduled, the next or upcoming one.
_PLANNED = ("планувати", "плануватися", "запланувати", "запланований", "заплановано", "планировать",
            "планироваться", "запланировать", "запланированный", "запланировано", "scheduled", "planned",
            "наступний", "следующий", "next", "upcoming", "майбутній", "предстоящий",
            # only considered: "вивчають можливість приєднання", "рассматривает возможность присоединения"
            "можливість", "возможность", "possibility", "option", "розглядати", "рассматривать", "вивчати",
            "изучать", "consider", "weigh")
_CALL = ("закликати", "запросити", "запрошувати", "заклик", "призвать", "призывать", "пригласить", "приглашать",
         "призыв", "call", "urge", "invite", "appeal", "encourage")
_DENIAL = ("заперечити", "заперечувати", "спростувати", "спростовувати", "опровергнуть", "опровергать",
           "отрицать", "deny", "refute", "dismiss")
_UNKNOWN = ("невідомо", "неизвестно", "незрозуміло", "непонятно", "unclear", "unknown", "uncertain")
_SPEAKER = ("міністр", "міністерка", "очільниця", "речниця", "секретарка", "міністерство", "міноборони",
            "мінобороны", "глава", "очільник", "президент", "прем'єр", "прем'єр-міністр", "уряд", "посол", "речник",
            "министр", "министерство", "минобороны", "премьер", "премьер-министр", "правительство", "представитель",
            "minister", "ministry", "president", "government", "ambassador", "secretary", "spokesperson",
            "spokesman", "premier", "генсек", "секретар", "секретарь")
_PLACE = ("у", "в", "во", "in", "at")
_OBSERVER = ("спостерігач", "наблюдатель", "observer")
_LEAD = ("лідер", "лидер", "lead", "leader", "ведучий", "ведущий", "очолювати", "возглавлять", "голова", "chair")


@dataclass(frozen=True, slots=True)
class Clause:
    """One sentence with what the language tools found in it."""

    sentence: Sentence
    names: tuple[NameMatch, ...]
    coalition: CoalitionMention | None
    mentions_coalition: bool
    date: PartialDate | None
    amounts: tuple[StatedAmount, ...]
    speakers: frozenset[str]
    places: tuple[str, ...]
    recent: CoalitionMention | None = None  # the coalition named last, here or before
    language: Language = Language.EN
    published: Day | None = None
    paragraph_date: PartialDate | None = None  # the date of its own sentence or paragraph, none carried from before

    def has(self, *words: str) -> bool:
        return self.sentence.has(*words)

    def parties(self, *, speakers: bool = False, exclude: Sequence[str | None] = ()) -> list[NameMatch]:
        """Each party once, in the order named: those named only as the speaker left out unless asked for."""
        seen: dict[str, NameMatch] = {}
        for match in self.names:
            if match.code in exclude or match.code in seen:
                continue
            if not speakers and match.code in self.speakers:
                continue
            if match.state and (_is_place(self.sentence.tokens, match, self.sentence.text, self.sentence.start)
                                or _is_beneficiary(self.sentence.tokens, match) or _in_a_name(match)):
                continue
            seen[match.code] = match
        return list(seen.values())


@dataclass
class Article:
    language: Language
    published: date | None
    known: KnownNames
    clauses: list[Clause] = field(default_factory=list)
    main: CoalitionMention | None = None


def _is_place(words: Sequence[Token], match: NameMatch, text: str = "", offset: int = 0) -> bool:
    """A state named as where: "у Німеччині", "in Germany", "Рамштайн (Німеччина)"."""
    if match.first > 0 and words[match.first - 1].has(*_PLACE) and not words[match.first - 1].capital:
        return True
    start = words[match.first].start - offset
    return start > 0 and text[:start].rstrip().endswith("(") and match.first > 0 and words[match.first - 1].capital


def _in_a_name(match: NameMatch) -> bool:
    """A state's name inside another name written in capitals: a news agency's ("ИНТЕРФАКС-УКРАИНА")."""
    return "-" in match.text and match.text.isupper() and len(match.text.split("-")) > 1 \
        and not all(part.isupper() and len(part) <= 3 for part in match.text.split("-"))


_BENEFIT = ("підтримка", "поддержка", "support", "допомога", "помощь", "aid", "для", "for", "benefit", "потреба",
            "нужда", "needs", "інтерес", "интерес", "сила", "forces", "армія", "армия", "army", "флот", "navy")


def _is_beneficiary(words: Sequence[Token], match: NameMatch) -> bool:
    """A state named as whom something is for: "для підтримки України", "для Збройних сил України", "for
    Ukraine's armed forces"."""
    return any(w.has(*_BENEFIT) for w in words[max(0, match.first - 4):match.first])


def _speakers(words: Sequence[Token], names: Sequence[NameMatch]) -> frozenset[str]:
    """States named as whose minister, ministry or government speaks: "Міністр оборони України", "Ukraine's
    defence minister", "Minister of Defence of Ukraine"."""
    codes: dict[str, bool] = {}
    for match in names:
        if _in_a_name(match):
            continue
        before = words[max(0, match.first - 3):match.first]
        after = words[match.last:match.last + 3]
        speaking = any(w.has(*_SPEAKER) for w in before) or (
            match.text.endswith(("'s", "’s")) and any(w.has(*_SPEAKER) for w in after))
        codes[match.code] = codes.get(match.code, True) and speaking
    return frozenset(code for code, only_speaking in codes.items() if only_speaking)


def _places(words: Sequence[Token], names: Sequence[NameMatch]) -> tuple[str, ...]:
    """Capitalised words after "у"/"в"/"in" that name no party: the cities of the sentence ("в Алмати")."""
    taken = {i for m in names for i in range(m.first, m.last)}
    found = []
    for index in range(1, len(words)):
        word = words[index]
        preposition = words[index - 1]
        if index not in taken and word.capital and not word.number and preposition.has(*_PLACE) \
                and (not preposition.capital or index == 1) and len(word.text) > 2:
            found.append(word.text)
    return tuple(found)


def _clause(sentence: Sentence, article: Article, index: NameIndex, carried: PartialDate | None) -> Clause:
    names = tuple(index.find(sentence.tokens))
    mentions = find_coalitions(sentence, article.known)
    coalition = next((m for _, m in mentions if m.code), None) or next((m for _, m in mentions if m.name), None)
    dates = find_dates(sentence, article.language, article.published)
    return Clause(sentence, names, coalition, bool(mentions), dates[0].value if dates else carried,
                  tuple(a.value for a in find_amounts(sentence, article.language)), _speakers(sentence.tokens, names),
                  _places(sentence.tokens, names), language=article.language, published=article.published)


_EARLIER = ("раніше", "ранее", "earlier", "previously", "нещодавно", "недавно", "recently", "нагадати", "напомнить",
            "recall", "нагадаємо", "напомним")


def _background(sentence: Sentence) -> bool:
    """A sentence that recalls what happened before ("Раніше ...", "Нагадаємо, що ...", "recently"): it has no
    date but its own, and gives none to the sentences after it."""
    return any(w.has(*_EARLIER) for w in sentence.tokens[:2])


_SINCE = ("з", "із", "с", "since", "від", "от")


def _own_date(clause: Clause) -> bool:
    return bool(find_dates(clause.sentence, clause.language, clause.published))


def _carried(clause: Clause, before: PartialDate | None) -> PartialDate | None:
    """The date the next sentences have when they name none: the day of the news (an article tells of one
    occasion), not a date something has run since ("з 2022 року")."""
    if clause.date is None or clause.date == before:
        return before
    words = clause.sentence.tokens
    for match in find_dates(clause.sentence, clause.language, clause.published):
        if match.relative:
            continue  # "минулого місяця ... мобілізували": that sentence's own, not the news' occasion
        if match.first == 0 or not words[match.first - 1].has(*_SINCE):
            return match.value
    return before


def read_events(text: str, language: Language, published: date | None, known: KnownNames) -> tuple[Event, ...]:
    """The events the text states, one per fact."""
    article = Article(language, published, known)
    _read_clauses(text, article)
    article.main = main_coalition(c.coalition for c in article.clauses if c.coalition)
    found = [(event, clause) for position, clause in enumerate(article.clauses) for rule in RULES
             if (event := rule(clause, article, position)) is not None]
    # A sentence that says it turns to something else ("Separately, ...") is the article's own, whoever it names.
    return tuple(_one_per_fact([e for e, clause in found
                                if _relevant(e, article) or _aside(clause.sentence.tokens)
                                or _told(clause.sentence)]))


def _read_clauses(text: str, article: Article) -> None:
    """The article's sentences with what the language tools find in them, each dated as news tells it."""
    index = party_index(article.known, article.language)
    carried: PartialDate | None = None  # a sentence without a date of its own has the last one before it
    recent: CoalitionMention | None = None
    paragraph, opened_with = -1, carried
    for sentence in sentences(text, article.language):
        if sentence.paragraph != paragraph:
            paragraph, opened_with = sentence.paragraph, carried
        background = _background(sentence)
        clause = _clause(sentence, article, index, None if background else carried)
        carried = carried if background else _carried(clause, carried)
        recent = clause.coalition if clause.coalition is not None and clause.coalition.name else recent
        own = clause.date if clause.date != opened_with or _own_date(clause) else None
        article.clauses.append(replace(clause, recent=recent, paragraph_date=own))


def _told(sentence: Sentence) -> bool:
    """A sentence the article tells in full (it ends as a sentence does), not a headline of another article left
    around it: told, it is the article's own whoever it names."""
    return sentence.text.rstrip().endswith((".", "!", "…")) and len(sentence.tokens) >= 4


def _core(article: Article) -> set[str]:
    """What the article is about: the parties and coalitions its headline and lead name (its first two
    sentences), and those it names in two sentences or more."""
    seen: dict[str, int] = {}
    for position, clause in enumerate(article.clauses):
        named = {m.code for m in clause.names} | ({clause.coalition.code or clause.coalition.name.casefold()}
                                                  if clause.coalition else set())
        for key in named:
            seen[key] = seen.get(key, 0) + (2 if position < 2 else 1)
    return {key for key, count in seen.items() if count >= 2}


def _relevant(event: Event, article: Article) -> bool:
    """An event whose parties and coalition the article is otherwise silent about is an aside (a headline of
    another article left in the text), not what the article reports."""
    if not event.parties:
        return True
    coalition = (event.coalition.code or event.coalition.name.casefold()) if event.coalition else None
    named = {p.code or p.name for p in event.parties} | ({coalition} if coalition else set())
    return bool(named & _core(article))


# --- triggers and what blocks them -------------------------------------------------------------------------------

def _blocked(words: Sequence[Token], at: int, sentence: Sentence) -> bool:
    """A negated, future, called-for, denied or asked trigger."""
    trigger = words[at]
    if sentence.text.rstrip().endswith("?") or trigger.tagged("futr") or trigger.tagged("INFN"):
        return True
    return _hedged(words, at) or _asked(words, at) or any(w.has(*_CALL) or w.has(*_DENIAL) or w.has(*_UNKNOWN)
                                                          for w in words[:at])


def _hedged(words: Sequence[Token], at: int) -> bool:
    """Negated, or only planned, expected or asked for, by the words just before the trigger."""
    if any(w.has(*_NEGATION) or w.text.casefold().endswith("n't") for w in words[max(0, at - 2):at]):
        return True
    if any(w.has(*_FUTURE) or (w.has("бути", "быть") and w.tagged("futr")) for w in words[max(0, at - 4):at]):
        return True
    return any(w.has("to") for w in words[max(0, at - 1):at])  # "invited Poland to join", "plans to sign"


def _asked(words: Sequence[Token], at: int) -> bool:
    """"Чи стане Японія членом ...", "Станет ли Чехия ...": asked, even without a question mark."""
    return (bool(words) and words[0].has("чи")) or any(w.text.casefold() == "ли" for w in words[max(0, at - 1):at + 2])


def _trigger(clause: Clause, verbs: Sequence[str], nouns: Sequence[str] = ()) -> tuple[int, float] | None:
    """The first unblocked trigger: its index and the weight of its evidence (a verb 1.0, a noun 0.9)."""
    return next(_triggers(clause, verbs, nouns), None)


def _triggers(clause: Clause, verbs: Sequence[str], nouns: Sequence[str] = ()) -> Iterator[tuple[int, float]]:
    """Every unblocked trigger, in the order written."""
    words = clause.sentence.tokens
    for index, word in enumerate(words):
        if word.has(*verbs) and not _blocked(words, index, clause.sentence):
            yield index, 1.0
        elif nouns and word.has(*nouns) and not any(w.has(*_NEGATION) for w in words[max(0, index - 2):index]) \
                and not _blocked_sentence(clause):
            yield index, 0.9


def _blocked_sentence(clause: Clause) -> bool:
    words = clause.sentence.tokens
    if clause.sentence.text.rstrip().endswith("?"):
        return True
    return any(w.tagged("futr") or w.has(*_CALL) or w.has(*_DENIAL) or w.has("will", *_PLANNED) for w in words)


# --- building an event -------------------------------------------------------------------------------------------

def _confidence(weight: float, *resolved: bool) -> float:
    share = sum(resolved) / len(resolved) if resolved else 1.0
    return round(min(1.0, (0.4 + 0.6 * share) * weight), 3)


_NO_COALITION = (EventKind.FACILITY_OPENED, EventKind.AID_MOBILISED)  # kinds that stand in no coalition
_NO_PARTIES = (EventKind.AID_MOBILISED, EventKind.MEMBERSHIP_COUNT, EventKind.FUNDING_MILESTONE)


def _event(kind: EventKind, clause: Clause, weight: float, *, coalition: CoalitionMention | None,
           parties: Sequence[PartyMention] = (), amount: StatedAmount | None = None, place: str | None = None,
           attributes: dict[str, Any] | None = None, needs_amount: bool = False, at: int | None = None) -> Event:
    sentence = clause.sentence
    if at is not None:
        clause = replace(clause, date=_nearest_date(clause, at))
    resolved = [clause.date is not None]
    if kind not in _NO_COALITION:
        resolved.append(coalition is not None and coalition.code is not None)
    if kind not in _NO_PARTIES:
        resolved.append(all(p.code for p in parties) and bool(parties))
    if needs_amount:
        resolved.append(amount is not None)
    return Event(kind=kind, evidence=sentence.text, span=(sentence.start, sentence.end),
                 confidence=_confidence(weight, *resolved), coalition=coalition, parties=tuple(parties),
                 date=clause.date, place=place, amount=amount, attributes=attributes or {})


_NOW = ("зараз", "наразі", "нині", "тепер", "сейчас", "ныне", "теперь", "now", "currently", "today")


def _nearest_date(clause: Clause, at: int) -> PartialDate | None:
    """The date of the sentence nearest to the word at ``at`` (a sentence may tell two facts with two dates);
    "now" before it is the publication day."""
    words = clause.sentence.tokens
    if clause.published is not None and any(w.has(*_NOW) for w in words[max(0, at - 3):at + 1]):
        return PartialDate.of(clause.published)
    dated = find_dates(clause.sentence, clause.language, clause.published)
    if not dated:
        return clause.date
    return min(dated, key=lambda d: min(abs(d.first - at), abs(d.last - 1 - at))).value


_ASIDE = ("окремо", "отдельно", "separately", "meanwhile", "independently", "elsewhere")


def _aside(words: Sequence[Token]) -> bool:
    """A sentence that opens on something else: "Separately, ...", "Окремо ...", "Тим часом ...", "Тем временем"."""
    if not words:
        return False
    return words[0].has(*_ASIDE) or (len(words) > 1 and words[0].has("тим", "тем", "той", "тот")
                                     and words[1].has("час", "время"))


def _coalition_of(clause: Clause, article: Article) -> CoalitionMention | None:
    """The sentence's coalition; "the coalition" or none named: the one the article is about, unless the sentence
    opens as an aside ("Separately, ...", "Окремо ...", "Тем временем ...") and names none."""
    if clause.coalition is not None and (clause.coalition.code or clause.coalition.name):
        return clause.coalition
    if _aside(clause.sentence.tokens) and not clause.mentions_coalition:
        return None
    return clause.recent or article.main


def _role(article: Article, coalition: CoalitionMention | None, code: str, clause: Clause, default: str) -> str:
    known = coalition_by_code(article.known, coalition.code if coalition else None)
    # the coalition's recipient; for a coalition the registry does not hold yet, the usual one
    if code == (known.recipient if known is not None else _usual_recipient(article)):
        return "recipient"
    if known is not None and known.roles.get(code) == "lead" and default == "member":
        return "lead"
    if default == "member" and clause.has(*_LEAD):
        match = next((m for m in clause.names if m.code == code), None)
        lead_at = clause.sentence.index_of(*_LEAD)
        if match is not None and lead_at is not None and match.first < lead_at:
            return "lead"
    return default


def _usual_recipient(article: Article) -> str | None:
    """The recipient of most of the registry's coalitions (a new coalition is most likely for it too)."""
    recipients = [c.recipient for c in article.known.coalitions if c.recipient]
    return max(set(recipients), key=recipients.count) if recipients else None


def _mentions(matches: Sequence[NameMatch], role: str | None) -> list[PartyMention]:
    return [PartyMention(m.code, m.text, role) for m in matches]


def _after(clause: Clause, at: int, stops: Sequence[str] = ()) -> str:
    """The sentence's words after the token at ``at``, up to a stop word or the end, as written."""
    words = clause.sentence.tokens
    end = len(words)
    for index in range(at + 1, len(words)):
        if words[index].has(*stops):
            end = index
            break
    if at + 1 >= end:
        return ""
    start = words[at + 1].start - clause.sentence.start
    return clause.sentence.text[start:words[end - 1].end - clause.sentence.start].strip(" ,;:")


# --- the rules, one per kind -------------------------------------------------------------------------------------

def _founded(clause: Clause, article: Article, position: int) -> Event | None:
    found = _trigger(clause, ("заснувати", "створити", "утворити", "започаткувати", "основать", "создать",
                              "учредить", "образовать", "found", "establish", "create", "launch", "form"),
                     ("заснування", "створення", "засновник", "основание", "создание", "учреждение", "основатель",
                      "founding", "founder", "establishment"))
    if found is None or not clause.mentions_coalition:
        return None
    described = clause.sentence.tokens[found[0]].tagged("PRTF") or clause.sentence.tokens[found[0]].tagged("pssv")
    if (found[1] < 1.0 or described) and not find_dates(clause.sentence, article.language, article.published):
        # "since its founding", "ИТ-коалицией, созданной в поддержку ...": a founding named in passing
        return None
    coalition = _coalition_of(clause, article)
    parties = _mentions(clause.parties(), "founder")
    place = clause.places[0] if clause.places else None
    return _event(EventKind.COALITION_FOUNDED, clause, found[1], coalition=coalition, parties=parties, place=place,
                  at=found[0])


_INSTRUMENTS = (("declaration-of-intent", ("декларація", "декларация", "declaration")),
                ("memorandum", ("меморандум", "memorandum")),
                ("cooperation-agreement", ("угода", "договір", "соглашение", "договор", "agreement")))


def _instrument(clause: Clause) -> str | None:
    for kind, nouns in _INSTRUMENTS:
        if clause.has(*nouns):
            if kind == "cooperation-agreement" and not (clause.has("співпраця", "співробітництво", "сотрудничество",
                                                                   "cooperation", "co-operation")
                                                        or clause.mentions_coalition):
                return "other"
            return kind
    return None


def _term_years(clause: Clause) -> int | None:
    words = clause.sentence.tokens
    for index in range(1, len(words)):
        if words[index].has("рік", "год", "year", "лет", "років"):
            value = whole_number(words[index - 1])
            if value is not None and value <= 50:
                return value
    return None


def _signatories(clause: Clause, article: Article, position: int) -> list[tuple[Clause, NameMatch]]:
    """The parties the signing sentence names; where it names none ("Угоду підписали десять держав."), the states
    the next sentence of its paragraph lists ("Серед них — Естонія, Люксембург, ...")."""
    # "Міністр оборони України та Міністр оборони Норвегії підписали": states named only as whose ministers sign
    named = [(clause, m) for m in clause.parties() or clause.parties(speakers=True)]
    following = article.clauses[position + 1] if position + 1 < len(article.clauses) else None
    if named or following is None or following.sentence.paragraph != clause.sentence.paragraph:
        return named
    listed = [m for m in following.parties() if m.state]
    return [(following, m) for m in listed] if len(listed) >= 2 else []


def _signed(clause: Clause, article: Article, position: int) -> Event | None:
    if _contract_at(clause) is not None:
        return None
    found = _trigger(clause, ("підписати", "підписувати", "подписать", "подписывать", "sign", "укласти",
                              "заключить", "conclude", "ink"), ("підписання", "подписание", "signing", "signatory",
                                                                "підписант", "подписант", "учасник", "участник",
                                                                "сторона"))
    instrument = _instrument(clause)
    if found is None and instrument == "declaration-of-intent":  # "joined through a Declaration of Intent"
        joined = _trigger(clause, ("приєднатися", "долучитися", "присоединиться", "join"))
        found = (joined[0], 0.9) if joined else None
    if found is None or instrument is None:
        return None
    coalition = _coalition_of(clause, article)
    default = "declaration-of-intent" if instrument == "declaration-of-intent" else "member"
    listed = _signatories(clause, article, position)
    parties = [PartyMention(m.code, m.text, _role(article, coalition, m.code, source, default))
               for source, m in listed]
    if not parties:
        return None
    attributes: dict[str, Any] = {"instrument": instrument}
    term = next((t for c in _following(article, position)[:2] if (t := _term_years(c)) is not None), None)
    if term is not None:
        attributes["term_years"] = term
    place = clause.places[0] if clause.places else None
    return _event(EventKind.INSTRUMENT_SIGNED, clause, found[1], coalition=coalition, parties=parties, place=place,
                  attributes=attributes, at=found[0])


# Words that open a clause describing what was just named ("the coalition, which Latvia leads"; "led by"): the
# parties named in it are not those the sentence reports on.
_RELATIVE = ("який", "яка", "яке", "які", "котрий", "котра", "который", "которая", "которое", "которые", "which",
             "whose", "led", "headed", "очолюваний", "очолювана", "возглавляемый", "возглавляемая")


def _joiners(clause: Clause, recipient: str | None) -> list[PartyMention]:
    """Who joined, in which role; the speaker's own state where the sentence says "her country" and names no
    other ("the minister of Luxembourg said her country has joined")."""
    declaration = clause.has("декларація", "декларация", "declaration")
    role = "declaration-of-intent" if declaration else ("observer" if clause.has(*_OBSERVER) else "member")
    described = clause.sentence.index_of(*_RELATIVE)  # "..., которую возглавляют Латвия и Великобритания"
    parties = _mentions([m for m in clause.parties(exclude=(recipient,)) if described is None or m.first < described],
                        role)
    if not parties and clause.has("країна", "держава", "страна", "государство", "country", "ми", "мы", "we"):
        parties = _mentions([m for m in clause.names if m.code in clause.speakers and m.code != recipient][:1], role)
    return parties


def _joined(clause: Clause, article: Article, position: int) -> Event | None:
    joins: tuple[str, ...] = ("приєднатися", "приєднуватися", "долучитися", "вступити", "увійти", "присоединиться",
                              "присоединяться", "вступить", "войти", "join", "accede")
    if clause.has(*_MEMBER_NOUNS) and not clause.has(*_LEAD):
        joins = (*joins, "стати", "стать", "become")  # "став учасником коаліції", "became a member"
    found = _trigger(clause, joins,
                     ("приєднання", "присоединение", "вступ", "вступление", "accession"))
    if found is not None and any(w.has(*_WORK) for w in clause.sentence.tokens[found[0] + 1:found[0] + 3]):
        return None  # "долучилася до роботи як спостерігач": took part in the meeting's work
    before = article.clauses[position - 1] if position else None
    if found is None or not (clause.mentions_coalition or (before is not None and before.mentions_coalition)):
        return None
    if _founded(clause, article, position) is not None:
        return None  # the founders of a coalition do not join it
    coalition = _coalition_of(clause, article)
    known = coalition_by_code(article.known, coalition.code if coalition else None)
    parties = _joiners(clause, known.recipient if known else None)
    if not parties:
        return None
    return _event(EventKind.MEMBER_JOINED, clause, found[1], coalition=coalition, parties=parties, at=found[0])


_WORK = ("робота", "работа", "work", "засідання", "заседание", "meeting", "обговорення", "обсуждение",
         "discussion", "переговори", "переговоры", "talks", "нарада", "совещание")
_MEMBER_NOUNS = ("член", "учасник", "учасниця", "участник", "участница", "member", "part")
_STEERING = ("керівний", "керівна", "керуючий", "руководящий", "управляющий", "steering")
_CONTACT = ("контактний", "контактная", "контактный", "contact", "рамштайн", "ramstein")


_MEETING = ("засідання", "зустріч", "нарада", "заседание", "встреча", "совещание", "meeting", "session",
            "переговори", "переговоры", "talks")


_MEETING_VERBS = ("зустрітися", "провести", "відбутися", "зібратися", "встретиться", "провести", "состояться",
                  "собраться", "meet", "met", "held", "hold", "convene")


def _meeting_found(clause: Clause) -> tuple[tuple[int, float], str | None] | None:
    """The meeting's trigger and its body; none where the meeting is only the occasion of something else
    ("at the contact group's meeting, X joined") or no body nor coalition is named."""
    if not clause.has(*_MEETING, "met", "зустрітися", "встретиться"):
        return None
    body = "steering-group" if clause.has(*_STEERING) else ("contact-group" if clause.has(*_CONTACT) else None)
    if body == "steering-group":
        found = _trigger(clause, _MEETING_VERBS, _MEETING)
    else:
        reported = _reported_meeting(clause)
        if reported is None:
            return None
        found, passed_over = reported
        body = None if passed_over else body  # the body named is the occasion's ("на полях засідання Контактної групи")
    if found is None:
        return None
    if body is None and not clause.mentions_coalition and len(clause.parties(speakers=True)) < 2:
        return None  # a meeting of no body nor coalition: of two parties at least ("the minister met NATO's chief")
    return found, body


def _reported_meeting(clause: Clause) -> tuple[tuple[int, float], bool] | None:
    """The meeting the sentence reports, passing over one named as its occasion ("на полях засідання ... провів
    зустріч з"), and whether one was passed over; none if it reports only the occasion."""
    words = clause.sentence.tokens
    triggers = list(_triggers(clause, _MEETING_VERBS, _MEETING))
    occasion = next((at for at, _ in triggers if _circumstance(words, at)), None)
    found = next(((at, weight) for at, weight in triggers if weight == 1.0 or not _circumstance(words, at)), None)
    if found is None or _circumstance(words, found[0]):
        return None
    if found[1] < 1.0 and not any(words[i].has(*_MEETING_VERBS) for i in range(found[0])):
        return None
    return found, occasion is not None and occasion < found[0]


def _meeting(clause: Clause, article: Article, position: int) -> Event | None:
    meeting = _meeting_found(clause)
    if meeting is None:
        return None
    found, body = meeting
    parties = _attendance(article, position)
    attributes: dict[str, Any] = {"body": body or "meeting",
                                  "participants": [p.code or p.name for p in parties if p.role == "participant"],
                                  "observers": [p.code or p.name for p in parties if p.role == "observer"]}
    decisions = _decisions(article, position)
    if decisions:
        attributes["decisions"] = decisions
    if clause.has("перший", "первый", "first", "inaugural"):
        attributes["first"] = True
    place = clause.places[0] if clause.places else None
    coalition = _coalition_of(clause, article) if body or clause.mentions_coalition else None
    return _event(EventKind.MEETING_HELD, clause, found[1], coalition=coalition,
                  parties=parties, place=place, attributes=attributes, at=found[0])


_DECIDE = ("вирішити", "ухвалити", "погодити", "визначити", "обговорити", "затвердити", "решить", "принять",
           "определить", "согласовать", "обсудить", "утвердить", "decide", "agree", "approve", "discuss", "set")
_ATTEND = ("участь", "участие", "учасник", "участник", "participate", "attend", "присутній", "присутствовать",
           "спостерігач", "наблюдатель", "observer", "participant", "представник", "представитель")


def _circumstance(words: Sequence[Token], at: int) -> bool:
    """A meeting named as the occasion of something else: "на засіданні", "під час зустрічі", "at the meeting"."""
    before = words[max(0, at - 3):at]
    return any(w.has("на", "під", "час", "ході", "ход", "время", "at", "during", "sidelines") for w in before)


def _following(article: Article, position: int) -> list[Clause]:
    """The clause and those after it in its paragraph and the next one."""
    paragraph = article.clauses[position].sentence.paragraph
    return [c for c in article.clauses[position:position + 4] if c.sentence.paragraph - paragraph <= 2]


def _attendance(article: Article, position: int) -> list[PartyMention]:
    """Who took part and who observed: in the meeting's sentence and the next ones that speak of attending."""
    found: dict[str, PartyMention] = {}
    for offset, clause in enumerate(_following(article, position)):
        if offset and not clause.has(*_ATTEND):
            continue
        observers_at = clause.sentence.index_of(*_OBSERVER)
        observing = _segment(clause, observers_at) if observers_at is not None else None
        for match in clause.parties(speakers=True):
            role = "observer" if observing is not None and _segment(clause, match.first) == observing else "participant"
            found.setdefault(match.code, PartyMention(match.code, match.text, role))
    return list(found.values())


def _segment(clause: Clause, at: int) -> int:
    """Which part of the sentence, between commas, dashes or semicolons, the token at ``at`` is in."""
    offset = clause.sentence.tokens[at].start - clause.sentence.start
    return len(re.findall(r"[,;]", clause.sentence.text[:offset]))


def _decisions(article: Article, position: int) -> str:
    for clause in _following(article, position):
        decided = clause.sentence.index_of(*_DECIDE)
        if decided is not None:
            return _after(clause, decided)
    return ""


_MONEY = ("кошт", "сума", "внесок", "фінансування", "средство", "сумма", "взнос", "финансирование", "fund", "money",
          "contribution", "amount")


def _milestone(clause: Clause, article: Article, position: int) -> Event | None:
    enough = clause.sentence.index_of("достатньо", "достатній", "достаточно", "достаточный", "enough", "sufficient",
                                      "вистачати", "вистачити", "хватать", "хватить")
    if enough is None and clause.has(*_MONEY):  # "зібрали необхідну суму для перших закупівель"
        enough = clause.sentence.index_of("необхідний", "необходимый", "потрібний", "нужный", "required", "needed")
    if enough is None or not clause.has("закупівля", "закупка", "procurement", "purchase", "придбання", "закупить",
                                        "закупити", "procure"):
        return None
    if _blocked_sentence(clause) or any(w.has(*_NEGATION) for w in clause.sentence.tokens[max(0, enough - 2):enough]):
        return None
    first = clause.has("перший", "первый", "first")
    attributes = {"milestone": "first-procurements" if first else "procurements",
                  "summary": _after(clause, enough - 1)}
    return _event(EventKind.FUNDING_MILESTONE, clause, 1.0, coalition=_coalition_of(clause, article),
                  attributes=attributes)


_MEMBERS = ("країна", "держава", "член", "учасник", "учасниця", "страна", "государство", "участник", "участница",
            "country", "state", "member", "nation", "country-member")
_UNITE = ("об'єднувати", "налічувати", "нараховувати", "об'єднати", "включати", "входити", "складатися",
          "объединять", "насчитывать", "объединить", "включать", "входить", "состоять", "unite", "include", "comprise",
          "number", "count", "bring", "вже", "уже", "already", "зрости", "досягти", "вирости", "достигнуть", "вырасти",
          "reach", "grow", "rise")


def _count(clause: Clause, article: Article, position: int) -> Event | None:
    counts = find_counts(clause.sentence, _MEMBERS)
    if not counts or not clause.has(*_UNITE) or not (clause.mentions_coalition or clause.recent is not None):
        return None  # "10 states signed": a count of signatories, not of the coalition's members
    value = counts[0][0]
    if _blocked_sentence(clause) or value < 2 or value > 200:
        return None
    return _event(EventKind.MEMBERSHIP_COUNT, clause, 1.0,
                  coalition=_coalition_of(clause, article), attributes={"count": value}, at=counts[0][1])


_SUPPLY = ("постачання", "поставка", "оснащення", "оснащение", "обладнання", "оборудование", "закупівля", "закупка",
           "придбання", "supply", "equipment", "delivery")


def _contract_at(clause: Clause) -> int | None:
    """Where the sentence names a contract: "контракт", or "договір" for a supply ("договори на постачання")."""
    at = clause.sentence.index_of("контракт", "contract")
    if at is None and clause.has(*_SUPPLY):
        at = clause.sentence.index_of("договір", "договор")
    return at


def _contract(clause: Clause, article: Article, position: int) -> Event | None:
    found = _trigger(clause, ("укласти", "підписати", "розмістити", "законтрактувати", "заключить", "подписать",
                              "разместить", "законтрактовать", "place", "sign", "award", "conclude"), ())
    at = _contract_at(clause)
    if found is None or at is None:
        return None
    organisations = [m for m in clause.parties() if not m.state]
    # "Министерство обороны Казахстана заключило контракт": the state whose ministry signed, where none else buys
    buyers = organisations or clause.parties()[:1] or clause.parties(speakers=True)[:1]
    what = ""
    for index in range(at + 1, len(clause.sentence.tokens)):
        if clause.sentence.tokens[index].has("на", "для", "щодо", "for", "to", "covering", "о", "про"):
            what = _unattributed(_after(clause, index))
            break
    attributes: dict[str, Any] = {"items": what}
    amount = clause.amounts[0] if clause.amounts else None
    clause = replace(clause, date=clause.paragraph_date)  # a contract is dated by its own paragraph, if at all
    return _event(EventKind.CONTRACT_PLACED, clause, found[1], coalition=_coalition_of(clause, article),
                  parties=_mentions(buyers, "buyer"), amount=amount, attributes=attributes)


_SAID = re.compile(r",\s*[^,]*\b(said|says|announced|reported|told|повідоми\w*|заяви\w*|сообщи\w*|"
                   r"заяви\w*|рассказа\w*|розповіл\w*|зазначи\w*|отмети\w*)\b[^,]*$", re.IGNORECASE)


def _unattributed(text: str) -> str:
    """What was written without its last clause where that clause says who told it ("..., the ministry said")."""
    return _SAID.sub("", text).strip(" ,;:")


_MECHANISM = ("механізм", "механизм", "mechanism", "пакет", "package", "ініціатива", "инициатива", "initiative",
              "фонд", "fund", "програма", "программа", "programme", "program")


def _mechanism_name(clause: Clause, codes: set[str]) -> str | None:
    words = clause.sentence.tokens
    for word in words:
        if re.fullmatch(r"[A-Z]{3,8}", word.text) and word.text not in codes and word.text not in (
                "EUR", "USD", "GBP", "UAH", "NATO", "NSPA"):
            return word.text
    quoted = re.search(r"[«\"“„]([^»\"”“]{2,80})[»\"”“]", clause.sentence.text)
    if quoted:
        return quoted.group(1)
    at = clause.sentence.index_of(*_MECHANISM)
    return words[at + 1].text if at is not None and at + 1 < len(words) and words[at + 1].capital else None


_SO_FAR = ("вже", "уже", "already", "досі", "доселе", "наразі", "початок", "начало", "beginning", "start")


def _aid(clause: Clause, article: Article, position: int) -> Event | None:
    found = _trigger(clause, ("мобілізувати", "залучити", "зібрати", "акумулювати", "профінансувати", "виділити",
                              "мобилизовать", "привлечь", "собрать", "аккумулировать", "профинансировать", "выделить",
                              "mobilise", "mobilize", "raise", "gather", "allocate"),
                     ("мобілізація", "мобилизация", "mobilisation", "mobilization"))
    if found is None or not clause.amounts:
        return None
    amount = clause.amounts[0]
    name = _mechanism_name(clause, {p.code for p in article.known.parties})
    # A coalition named, or "the coalition" the article is about ("через коаліцію вже мобілізовано ...")
    coalition = clause.coalition if clause.coalition and clause.coalition.code else (
        _coalition_of(clause, article) if clause.mentions_coalition else None)
    attributes: dict[str, Any] = {"name": name, "approximate": amount.approximate}
    if not _own_date(clause) and clause.has(*_SO_FAR):
        clause = replace(clause, date=None)  # a total so far, not dated by the sentences before it
    return _event(EventKind.AID_MOBILISED, clause, found[1], coalition=coalition, amount=amount,
                  attributes=attributes, needs_amount=True, at=None if clause.date is None else found[0])


def _proposers(clause: Clause, article: Article, at: int, recipient: str | None) -> list[PartyMention]:
    """Who proposes: the party named last before the verb; else the recipient where the article names it (the
    recipient's minister proposing to a donor, named in an earlier sentence)."""
    before = [m for m in clause.names if m.last <= at]
    if before:
        return _mentions(before[-1:], "proposer")
    named = [m for c in article.clauses for m in c.names if m.code == recipient]
    return [PartyMention(recipient, named[0].text, "proposer")] if recipient is not None and named else []


def _financing(clause: Clause, article: Article, position: int) -> Event | None:
    found = _trigger(clause, ("запропонувати", "пропонувати", "закликати", "предложить", "предлагать", "призвать",
                              "propose", "offer", "suggest", "call", "urge", "invite"),
                     ("пропозиція", "предложение", "proposal"))
    if found is None or not clause.has("фінансувати", "фінансування", "финансировать", "финансирование", "finance",
                                       "financing", "fund", "модель", "model"):
        return None
    model = "danish-model" if clause.has("данський", "датский", "danish", "данія", "дания", "denmark") else "other"
    coalition = _coalition_of(clause, article)
    known = coalition_by_code(article.known, coalition.code if coalition else None)
    recipient = known.recipient if known else None
    at = found[0]
    proposers = _proposers(clause, article, at, recipient)
    proposer_codes = {p.code for p in proposers}
    after = {m.code: m for m in reversed(clause.names) if m.first > at and m.code not in (recipient, *proposer_codes)
             and not _is_beneficiary(clause.sentence.tokens, m)}
    addressees = _mentions(list(reversed(after.values())), "addressee")
    if not addressees:
        return None
    return _event(EventKind.FINANCING_PROPOSED, clause, found[1], coalition=coalition,
                  parties=proposers + addressees, attributes={"model": model}, at=found[0])


_FACILITY = ("парк", "технопарк", "центр", "хаб", "кластер", "лабораторія", "лаборатория", "park", "hub", "centre",
             "center", "cluster", "lab", "laboratory", "it-парк", "іт-парк", "ит-парк")
_AREAS = ("напрям", "напрямок", "сфера", "галузь", "направление", "область", "area", "field", "focus", "domain")


def _facility_name(clause: Clause) -> str | None:
    text = clause.sentence.text
    quoted = re.search(r"[«\"“„]([^»\"”“]{2,80})[»\"”“]", text)
    if quoted:
        return quoted.group(1)
    latin = re.search(r"(?:[A-Z][A-Za-z]*\s+){0,5}(?:Park|Hub|Centre|Center|Cluster|Lab)\b", text)
    if latin:
        return latin.group(0).strip()
    at = clause.sentence.index_of(*_FACILITY)
    return clause.sentence.tokens[at].text if at is not None else None


def _areas(article: Article, position: int) -> list[str]:
    """The facility's areas: the list after "напрями"/"areas" in its sentence or one of the next three."""
    for clause in article.clauses[position:position + 4]:
        at = clause.sentence.index_of(*_AREAS)
        if at is None:
            continue
        rest = clause.sentence.text[clause.sentence.tokens[at].end - clause.sentence.start:]
        rest = rest.split(":", 1)[1] if ":" in rest else rest
        parts = re.split(r"\s*(?:,|;|\sта\s|\sі\s|\sй\s|\sи\s|\sand\s)\s*", rest.strip(" .:—-"))
        items = [p.strip(" .—-") for p in parts if p.strip(" .—-")]
        if len(items) >= 2:
            return items
    return []


def _facility(clause: Clause, article: Article, position: int) -> Event | None:
    found = _trigger(clause, ("відкрити", "відкриватися", "відкритися", "запустити", "запрацювати", "открыть",
                              "открыться", "запустить", "заработать", "open", "inaugurate", "launch"),
                     ("відкриття", "открытие", "opening"))
    if found is None or not clause.has(*_FACILITY) or clause.mentions_coalition:
        return None
    owners = [m for m in clause.parties(speakers=True) if m.state][:1]
    place = clause.places[0] if clause.places else None
    return _event(EventKind.FACILITY_OPENED, clause, found[1], coalition=None,
                  parties=_mentions(owners, "owner"), place=place,
                  attributes={"name": _facility_name(clause), "areas": _areas(article, position)}, at=found[0])


Rule = Callable[[Clause, Article, int], Event | None]
RULES: tuple[Rule, ...] = (_founded, _signed, _joined, _meeting, _milestone, _count, _contract, _aid, _financing,
                           _facility)


# --- one event per fact ------------------------------------------------------------------------------------------

def _compatible(kept: Event, other: Event) -> bool:
    """Same kind and coalition, and no date nor amount that differs."""
    if kept.kind is not other.kind:
        return False
    if (kept.coalition.code if kept.coalition else None) != (other.coalition.code if other.coalition else None):
        return False
    if other.date is not None and kept.date is not None and other.date != kept.date:
        return False
    return other.amount is None or kept.amount is None or other.amount == kept.amount


def _covers(kept: Event, other: Event) -> bool:
    """Whether ``kept`` states at least what ``other`` does (the same fact told again, perhaps with less)."""
    if not _compatible(kept, other):
        return False
    mine = {(p.code or p.name, p.role) for p in kept.parties}
    named = {code for code, _ in mine}
    # a party in the default role ("member", from a headline) is covered by the same party in a role the body
    # tells ("які очолюють": lead)
    if not all(pair in mine or (pair[1] == "member" and pair[0] in named)
               for pair in {(p.code or p.name, p.role) for p in other.parties}):
        return False
    if kept.kind is EventKind.INSTRUMENT_SIGNED:
        return kept.attributes.get("instrument") == other.attributes.get("instrument")
    if kept.kind is EventKind.MEMBERSHIP_COUNT:
        return kept.attributes.get("count") == other.attributes.get("count")
    return True


def _richness(event: Event) -> tuple[int, float, bool, int]:
    return (len(event.parties) + (event.date is not None) + (event.amount is not None)
            + sum(1 for v in event.attributes.values() if v), event.confidence,
            event.evidence.rstrip()[-1:] in ".!?…", len(event.evidence))


def _one_per_fact(events: list[Event]) -> list[Event]:
    kept: list[Event] = []
    for event in sorted(events, key=_richness, reverse=True):
        if any(_covers(k, event) for k in kept):
            continue
        kept.append(event)
    order = {id(e): i for i, e in enumerate(events)}
    return sorted(kept, key=lambda e: order[id(e)])
