"""How a proposed fact stands against the registry, as a pure function: dates compared at the article's precision,
founding and signing days, counts of members, kinds the registry keeps no record of; and what comes in refused
naming the problem."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coalition.domain.coalition import Coalition, MembershipRole
from coalition.domain.errors import InvalidInput
from coalition.domain.instrument import Instrument, InstrumentKind, Signature
from coalition.domain.intake import CoalitionMention, Event, EventKind, PartialDate, PartyMention, StatedAmount
from coalition.domain.intake_queue import (
    MAX_ARTICLE_BYTES,
    RegistryFacts,
    Standing,
    check_event,
    checked_bytes,
    compare,
    latest,
    matches,
    reading_from_data,
)
from coalition.domain.membership import ChangeKind, MembershipChange

IT = Coalition("it-coalition", "IT Coalition", "IT", "UDCG", "UA", date(2023, 9, 19), "Ramstein", "EUR")
CA = Instrument("it-coalition-ca", "it-coalition", InstrumentKind.COOPERATION_AGREEMENT, "Agreement",
                date(2023, 12, 6))
FACTS = RegistryFacts(
    IT, frozenset({"EE", "NL", "LU"}),
    (MembershipChange("it-coalition", "EE", ChangeKind.JOINED, date(2023, 9, 19), MembershipRole.LEAD),
     MembershipChange("it-coalition", "NL", ChangeKind.JOINED, date(2024, 2, 14), MembershipRole.MEMBER)),
    ((CA, (Signature("it-coalition-ca", "EE", date(2023, 12, 6)),)),))


def event(kind: EventKind, when: PartialDate | None, *parties: str, **attributes: object) -> Event:
    return Event(kind, "A sentence.", (0, 11), 0.9, CoalitionMention("it-coalition", "IT Coalition"),
                 tuple(PartyMention(p, p) for p in parties), when, attributes=attributes)


def test_a_date_matches_every_day_its_precision_allows():
    assert matches(PartialDate(2024, 2), date(2024, 2, 29)) and not matches(PartialDate(2024, 3), date(2024, 2, 29))
    assert matches(PartialDate(2024), date(2024, 12, 31)) and not matches(PartialDate(2024, 2, 13), date(2024, 2, 14))
    assert [latest(PartialDate(2024, 2)), latest(PartialDate(2024, 12)), latest(PartialDate(9999, 12))] == [
        date(2024, 2, 29), date(2024, 12, 31), date(9999, 12, 31)]


def test_founding_joining_and_signing_days_agree_or_contradict():
    cases = [
        (event(EventKind.COALITION_FOUNDED, PartialDate(2023, 9)), Standing.RECORDED),
        (event(EventKind.COALITION_FOUNDED, PartialDate(2023, 10, 1)), Standing.CONTRADICTS),
        (event(EventKind.MEMBER_JOINED, PartialDate(2024), "NL"), Standing.RECORDED),
        (event(EventKind.MEMBER_JOINED, PartialDate(2024, 5), "NL"), Standing.CONTRADICTS),
        (event(EventKind.MEMBER_JOINED, PartialDate(2024, 5), "LU"), Standing.NEW),
        (event(EventKind.MEMBER_JOINED, PartialDate(2024, 5), "PL"), Standing.NEW),
        (event(EventKind.INSTRUMENT_SIGNED, PartialDate(2023, 12), "EE", instrument="cooperation-agreement"),
         Standing.RECORDED),
        (event(EventKind.INSTRUMENT_SIGNED, PartialDate(2024, 1), "EE", instrument="cooperation-agreement"),
         Standing.CONTRADICTS),
        (event(EventKind.INSTRUMENT_SIGNED, PartialDate(2024, 1), "EE", instrument="memorandum"), Standing.NEW),
        (event(EventKind.MEMBERSHIP_COUNT, PartialDate(2024, 3, 1), count=2), Standing.RECORDED),
        (event(EventKind.MEMBERSHIP_COUNT, PartialDate(2024, 1, 1), count=2), Standing.CONTRADICTS),
        (event(EventKind.FACILITY_OPENED, PartialDate(2024)), Standing.NOT_APPLICABLE),
    ]
    assert [compare(e, FACTS).standing for e, _ in cases] == [standing for _, standing in cases]
    assert compare(cases[1][0], FACTS).detail == ("the registry records it-coalition founded on 2023-09-19; the "
                                                  "article says 2023-10-01")
    assert compare(cases[5][0], FACTS).detail == "the registry has no party PL"
    assert compare(cases[10][0], FACTS).detail == ("the registry counts 1 members of it-coalition on 2024-01-01; "
                                                   "the article says 2")
    unknown = RegistryFacts(None)
    assert compare(event(EventKind.MEMBER_JOINED, None, "NL"), unknown).detail == (
        "the registry has no coalition IT Coalition")


def test_what_comes_in_is_refused_naming_the_problem():
    for raw, said in ((b"", "the file is empty"), (b"a\x00b", "NUL bytes"), (b"caf\xe9", "not UTF-8 at offset 3"),
                      (b"a" * (MAX_ARTICLE_BYTES + 1), "the limit is")):
        with pytest.raises(InvalidInput, match=said):
            checked_bytes(raw)
    with pytest.raises(InvalidInput, match="unknown language 'de'") as german:
        reading_from_data({"language": "de", "text": "Text", "events": []})
    assert german.value.field == "language"
    with pytest.raises(InvalidInput, match="event 1 cannot be read") as broken:
        reading_from_data({"language": "en", "text": "Text", "events": [{"kind": "member-joined", "parties": "x"}]})
    assert broken.value.field == "events"
    huge = Event(EventKind.AID_MOBILISED, "A sentence.", (0, 11), 0.5,
                 amount=StatedAmount(Decimal("1e20"), "USD"))
    with pytest.raises(InvalidInput, match="its amount must be"):
        check_event(huge, 1)
    with pytest.raises(InvalidInput, match="its confidence"):
        check_event(Event(EventKind.AID_MOBILISED, "A sentence.", (0, 11), float("nan")), 2)
