"""The news intake's review queue on both databases: an article and its proposals kept once; the same fact from two
articles one proposal with two sources; each proposal compared with the registry (recorded, new, contradicting);
accepting applies it through the registry's services with the article named in the audit record; rejecting keeps
the reason; a decision is not taken twice, and every refusal writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coalition.bootstrap import Platform
from coalition.demo.world import build_demo_registry
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.audit import AuditQuery
from coalition.domain.contributions import ContributionKind
from coalition.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from coalition.domain.intake import (
    CoalitionMention,
    Event,
    EventKind,
    Language,
    PartialDate,
    PartyMention,
    Reading,
    StatedAmount,
)
from coalition.domain.intake_queue import ProposalStatus, Standing
from coalition.domain.membership import ChangeKind
from coalition.services import audit, funding, intake_queue, registry
from coalition.services.intake_queue import AcceptOptions
from tests.integration.helpers import dump

IT, DRONE = "it-coalition", "drone-coalition"
SECRETARIAT = Actor("secretary", grants=frozenset({Grant(Role.SECRETARIAT)}))


def joined(party: str, coalition: str, when: PartialDate, sentence: str, text: str) -> Event:
    start = text.index(sentence)
    return Event(EventKind.MEMBER_JOINED, sentence, (start, start + len(sentence)), 0.9,
                 CoalitionMention(coalition, coalition), (PartyMention(party, party, "member"),), when)


def reading(*events: Event, text: str) -> Reading:
    return Reading(Language.EN, date(2025, 3, 20), text, events)


JOIN_TEXT = "Kyiv. Estonia joined the Drone Coalition on 1 March 2025. More news follows."
JOIN = "Estonia joined the Drone Coalition on 1 March 2025."


@pytest.fixture
def world(platform: Platform) -> Platform:
    build_demo_registry(platform.uow(), platform.operator())
    return platform


def add(world: Platform, read: Reading, source: str = "https://example.org/news/1") -> intake_queue.Added:
    return intake_queue.add_reading(world.uow(), SECRETARIAT, reading=read, source=source)


def test_accepting_a_new_membership_admits_the_member_through_the_registry_naming_the_article(world: Platform):
    added = add(world, reading(joined("EE", DRONE, PartialDate(2025, 3, 1), JOIN, JOIN_TEXT), text=JOIN_TEXT))
    assert added.added and len(added.proposals) == 1
    (view,) = intake_queue.list_proposals(world.uow(), SECRETARIAT, ProposalStatus.PENDING)
    assert view.comparison.standing is Standing.NEW
    assert view.comparison.detail == "the registry has no membership of EE in drone-coalition"

    accepted = intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    assert accepted.status is ProposalStatus.ACCEPTED
    (change,) = [c for c in registry.membership_history(world.uow(), SECRETARIAT, DRONE) if c.party == "EE"]
    assert (change.kind, change.effective_on) == (ChangeKind.JOINED, date(2025, 3, 1))
    cited = f"intake article {added.article.sha256[:12]} (https://example.org/news/1)"
    assert change.note == cited

    records = audit.audit_log(world.uow(), world.operator(), AuditQuery(), limit=1000).records
    admitted, decided = records[-2], records[-1]
    assert admitted.action == "admit_member" and cited in str(admitted.after)
    assert decided.action == "accept_intake_proposal" and decided.object_id == str(added.proposals[0])
    assert decided.after["sources"] == [{"article": added.article.sha256, "source": "https://example.org/news/1",
                                         "cited": cited}]
    assert audit.verify_audit_deep(world.uow(), world.operator()).ok
    shown = intake_queue.get_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    assert shown.comparison.standing is Standing.RECORDED and shown.articles[0].text == JOIN_TEXT


def test_rejecting_keeps_the_reason_and_a_decision_is_not_taken_twice(world: Platform):
    added = add(world, reading(joined("EE", DRONE, PartialDate(2025, 3, 1), JOIN, JOIN_TEXT), text=JOIN_TEXT))
    with pytest.raises(InvalidInput) as blank:
        intake_queue.reject_proposal(world.uow(), SECRETARIAT, added.proposals[0], reason="  ")
    assert blank.value.field == "reason"
    rejected = intake_queue.reject_proposal(world.uow(), SECRETARIAT, added.proposals[0],
                                            reason="the minister said Estonia may join")
    assert rejected.decision is not None and rejected.decision.reason == "the minister said Estonia may join"
    kept = intake_queue.get_proposal(world.uow(), SECRETARIAT, added.proposals[0]).proposal
    assert kept.status is ProposalStatus.REJECTED and kept.decision == rejected.decision
    before = dump(world.engine)
    with pytest.raises(Conflict, match="already rejected"):
        intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    with pytest.raises(Conflict, match="already rejected"):
        intake_queue.reject_proposal(world.uow(), SECRETARIAT, added.proposals[0], reason="again")
    assert dump(world.engine) == before
    assert not [c for c in registry.membership_history(world.uow(), SECRETARIAT, DRONE) if c.party == "EE"]
    last = audit.audit_log(world.uow(), world.operator(), AuditQuery(), limit=1000).records[-1]
    assert last.action == "reject_intake_proposal" and last.after["reason"] == "the minister said Estonia may join"
    assert "https://example.org/news/1" in str(last.after["sources"])


def test_the_same_article_twice_changes_nothing_and_the_same_fact_twice_is_one_proposal(world: Platform):
    first = add(world, reading(joined("EE", DRONE, PartialDate(2025, 3, 1), JOIN, JOIN_TEXT), text=JOIN_TEXT))
    before = dump(world.engine)
    again = add(world, reading(joined("EE", DRONE, PartialDate(2025, 3, 1), JOIN, JOIN_TEXT), text=JOIN_TEXT),
                source="another address")
    assert not again.added and again.article.id == first.article.id
    assert dump(world.engine) == before

    other_text = "Tallinn. On 1 March 2025 Estonia joined the Drone Coalition, its ministry said."
    other = "On 1 March 2025 Estonia joined the Drone Coalition, its ministry said."
    second = add(world, reading(joined("EE", DRONE, PartialDate(2025, 3, 1), other, other_text), text=other_text),
                 source="https://example.org/news/2")
    assert second.added and second.proposals == () and second.joined == first.proposals
    (view,) = intake_queue.list_proposals(world.uow(), SECRETARIAT)
    assert [(s.source, s.evidence, other_text[s.span[0]:s.span[1]] if s.source.endswith("2") else None)
            for s in view.proposal.sources] == [("https://example.org/news/1", JOIN, None),
                                                ("https://example.org/news/2", other, other)]


def test_a_different_join_date_contradicts_the_registry_and_cannot_be_accepted(world: Platform):
    text = "The Netherlands joined the IT Coalition in May 2024."
    added = add(world, reading(joined("NL", IT, PartialDate(2024, 5), text, text), text=text))
    view = intake_queue.get_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    assert view.comparison.standing is Standing.CONTRADICTS
    assert view.comparison.detail == ("the registry records NL joining it-coalition on 2024-02-14; the article says "
                                      "2024-05")
    before = dump(world.engine)
    with pytest.raises(Conflict, match="contradicts the registry"):
        intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    assert dump(world.engine) == before


def test_dates_and_counts_compare_at_the_precision_the_article_gives(world: Platform):
    text = "In February 2024 the Netherlands joined. On 6 March 2024 the coalition united 11 states. It had 12."
    month = joined("NL", IT, PartialDate(2024, 2), "In February 2024 the Netherlands joined.", text)
    count = Event(EventKind.MEMBERSHIP_COUNT, "On 6 March 2024 the coalition united 11 states.", (41, 89), 0.8,
                  CoalitionMention(IT, "IT Coalition"), date=PartialDate(2024, 3, 6), attributes={"count": 11})
    wrong = Event(EventKind.MEMBERSHIP_COUNT, "It had 12.", (90, 100), 0.5, CoalitionMention(IT, "IT Coalition"),
                  date=PartialDate(2024, 3), attributes={"count": 12})
    added = add(world, reading(month, count, wrong, text=text))
    standings = [intake_queue.get_proposal(world.uow(), SECRETARIAT, p).comparison for p in added.proposals]
    assert [(c.standing, c.detail) for c in standings] == [
        (Standing.RECORDED, "membership of NL in it-coalition since 2024-02-14"),
        (Standing.RECORDED, "11 members of it-coalition on 2024-03-06"),
        (Standing.CONTRADICTS, "the registry counts 11 members of it-coalition on 2024-03-31; the article says 12")]
    # Accepting a recorded fact only notes it: nothing of the registry changes.
    history = registry.membership_history(world.uow(), SECRETARIAT, IT)
    accepted = intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    assert accepted.decision is not None
    assert accepted.decision.result == "membership of NL in it-coalition since 2024-02-14"
    assert registry.membership_history(world.uow(), SECRETARIAT, IT) == history


def test_an_instrument_signed_is_recorded_with_its_signatories(world: Platform):
    text = "Latvia and Ukraine signed a memorandum on the Drone Coalition on 3 April 2025 for 2 years."
    event = Event(EventKind.INSTRUMENT_SIGNED, text, (0, len(text)), 0.9, CoalitionMention(DRONE, "Drone Coalition"),
                  (PartyMention("LV", "Latvia", "member"), PartyMention("UA", "Ukraine", "recipient")),
                  PartialDate(2025, 4, 3), attributes={"instrument": "memorandum", "term_years": 2})
    added = add(world, reading(event, text=text))
    accepted = intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    code = "drone-coalition-memorandum-2025-04-03"
    assert accepted.decision is not None and accepted.decision.result == (
        f"recorded instrument {code} signed by LV, UA on 2025-04-03")
    view = registry.get_instrument(world.uow(), SECRETARIAT, code)
    assert view.instrument.term_end == date(2027, 4, 3)
    assert sorted(s.party for s in view.signatures) == ["LV", "UA"]


def test_what_an_accept_needs_and_the_article_does_not_say_is_refused_naming_it(world: Platform):
    text = "Estonia joined the Drone Coalition in March 2025."
    added = add(world, reading(joined("EE", DRONE, PartialDate(2025, 3), text, text), text=text))
    before = dump(world.engine)
    with pytest.raises(InvalidInput) as refused:
        intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    assert refused.value.field == "on" and "2025-03" in str(refused.value)
    assert dump(world.engine) == before
    intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0], AcceptOptions(on=date(2025, 3, 10)))
    assert [c.effective_on for c in registry.membership_history(world.uow(), SECRETARIAT, DRONE)
            if c.party == "EE"] == [date(2025, 3, 10)]


def test_an_amount_mobilised_is_noted_never_recorded_as_money(world: Platform):
    text = "About USD 1.5 bn has been mobilised through PURL."
    event = Event(EventKind.AID_MOBILISED, text, (0, len(text)), 0.8, amount=StatedAmount(Decimal("1500000000"), "USD",
                  True), attributes={"name": "PURL"})
    added = add(world, reading(event, text=text))
    view = intake_queue.get_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    assert view.comparison.standing is Standing.NOT_APPLICABLE
    before = {k: v for k, v in dump(world.engine).items() if k.startswith(("ledger", "contribution"))}
    accepted = intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    assert accepted.decision is not None
    assert accepted.decision.result.startswith("the registry keeps no record of this kind")
    assert {k: v for k, v in dump(world.engine).items() if k.startswith(("ledger", "contribution"))} == before
    last = audit.audit_log(world.uow(), world.operator(), AuditQuery(), limit=1000).records[-1]
    assert last.after["event"]["amount"] == {"amount": "1500000000", "currency": "USD", "approximate": True}


def test_only_the_secretariat_adds_and_decides_and_unknown_proposals_are_named(world: Platform):
    member = Actor("member", grants=frozenset({Grant(Role.MEMBER_REPRESENTATIVE, IT)}))
    with pytest.raises(PermissionDenied):
        intake_queue.add_reading(world.uow(), member, reading=reading(text=JOIN_TEXT), source="x")
    with pytest.raises(PermissionDenied):
        intake_queue.list_proposals(world.uow(), member)
    with pytest.raises(NotFound) as missing:
        intake_queue.accept_proposal(world.uow(), SECRETARIAT, 999)
    assert missing.value.field == "id"
    with pytest.raises(InvalidInput) as empty:
        intake_queue.add_reading(world.uow(), SECRETARIAT, reading=reading(text="   "), source="x")
    assert empty.value.field == "text"


def test_an_announced_amount_is_recorded_as_a_pledge_when_a_fund_is_named(world: Platform):
    text = "Luxembourg announced EUR 12 million for the IT Coalition on 5 March 2024."
    event = Event(EventKind.AID_MOBILISED, text, (0, len(text)), 0.8, CoalitionMention(IT, "IT Coalition"),
                  (PartyMention("LU", "Luxembourg", "donor"),), PartialDate(2024, 3, 5),
                  amount=StatedAmount(Decimal("12000000"), "EUR"))
    added = add(world, reading(event, text=text))
    with pytest.raises(NotFound) as no_fund:
        intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0], AcceptOptions(fund="nope"))
    assert no_fund.value.field == "fund"
    accepted = intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0],
                                            AcceptOptions(fund="it-coalition-fund"))
    assert accepted.decision is not None and accepted.decision.result.startswith(
        "recorded the announced 12000000 EUR as a pledge of LU to it-coalition-fund on 2024-03-05")
    (pledge,) = funding.list_contributions(world.uow(), SECRETARIAT, coalition=IT, donor="LU").items
    assert (pledge.kind, pledge.amount.amount, pledge.external_ref) == (
        ContributionKind.PLEDGE, Decimal("12000000.00"), f"intake-{added.proposals[0]}")
    assert "https://example.org/news/1" in pledge.description
    assert audit.verify_audit_deep(world.uow(), world.operator()).ok


FINLAND_TEXT = "Helsinki. Finland joined the Drone Coalition on 2 April 2025. More news follows."
FINLAND = "Finland joined the Drone Coalition on 2 April 2025."


def test_accepting_a_state_the_registry_does_not_hold_registers_it_first_in_the_same_decision(world: Platform):
    with pytest.raises(NotFound):
        registry.get_party(world.uow(), SECRETARIAT, "FI")
    added = add(world, reading(joined("FI", DRONE, PartialDate(2025, 4, 2), FINLAND, FINLAND_TEXT),
                               text=FINLAND_TEXT))
    accepted = intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    assert accepted.decision is not None
    assert accepted.decision.result.startswith("registered the state FI (Finland); admitted FI to drone-coalition")
    party = registry.get_party(world.uow(), SECRETARIAT, "FI")
    assert (party.name, party.name_uk, party.country) == ("Finland", "Фінляндія", "FI")
    actions = [r.action for r in audit.audit_log(world.uow(), world.operator(), AuditQuery(), limit=1000).records]
    assert actions[-3:] == ["register_party", "admit_member", "accept_intake_proposal"]
    assert audit.verify_audit_deep(world.uow(), world.operator()).ok


def test_a_party_code_that_is_no_state_nor_in_the_registry_is_refused_and_nothing_is_written(world: Platform):
    added = add(world, reading(joined("XX", DRONE, PartialDate(2025, 4, 2), FINLAND, FINLAND_TEXT),
                               text=FINLAND_TEXT))
    before = dump(world.engine)
    with pytest.raises(InvalidInput, match="XX"):
        intake_queue.accept_proposal(world.uow(), SECRETARIAT, added.proposals[0])
    assert dump(world.engine) == before


def test_two_facts_naming_the_same_new_state_register_it_once_whichever_is_accepted_first(world: Platform):
    signed_text = "Riga. Finland signed a memorandum of the Drone Coalition on 3 April 2025. More news follows."
    signed = "Finland signed a memorandum of the Drone Coalition on 3 April 2025."
    start = signed_text.index(signed)
    memorandum = Event(EventKind.INSTRUMENT_SIGNED, signed, (start, start + len(signed)), 0.9,
                       CoalitionMention(DRONE, DRONE), (PartyMention("FI", "Finland", "member"),),
                       PartialDate(2025, 4, 3), attributes={"instrument": "memorandum"})
    first = add(world, reading(joined("FI", DRONE, PartialDate(2025, 4, 2), FINLAND, FINLAND_TEXT),
                               text=FINLAND_TEXT))
    second = add(world, reading(memorandum, text=signed_text), source="https://example.org/news/2")
    intake_queue.accept_proposal(world.uow(), SECRETARIAT, first.proposals[0])
    done = intake_queue.accept_proposal(world.uow(), SECRETARIAT, second.proposals[0])
    assert done.decision is not None and "registered" not in done.decision.result, "registered once, by the first"
    assert [p.code for p in registry.list_parties(world.uow(), SECRETARIAT) if p.code == "FI"] == ["FI"]
    assert audit.verify_audit_deep(world.uow(), world.operator()).ok
