"""Danish-model offers on both databases: the recipient offers a donor to finance its own industry; the donor's
dated answers are kept; an acceptance opens the direct-industry case through the ordinary procurement service
(so a requirement without money reserved cannot be bought), and every refusal writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from coalition.bootstrap import Platform
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.contributions import FundingRoute
from coalition.domain.errors import Conflict, InvalidInput, InvariantViolated, PermissionDenied
from coalition.domain.money import Money
from coalition.domain.offers import Offer, OfferAnswer
from coalition.domain.party import Party, PartyKind
from coalition.domain.procurement import CaseStage
from coalition.domain.requirements import RequirementStatus
from coalition.services import audit, offers, planning, registry
from coalition.services.procurement import cases
from tests.integration.helpers import dump, run
from tests.integration.procurement_world import C, funded_world


@pytest.fixture
def world(platform: Platform) -> Platform:
    funded_world(platform)
    actor = platform.operator()
    registry.register_party(platform.uow(), actor, Party.state("DK"))
    registry.register_party(platform.uow(), actor, Party("UA-RADIO", PartyKind.COMPANY, "Ukrainian radio maker",
                                                         country="UA"))
    return platform


def offer(code: str = "DK-OFFER-1", requirements: tuple[str, ...] = ("R-1",), producer: str = "UA-RADIO") -> Offer:
    return Offer(code, C, "UA-MOD", "DK", producer, "Radios made in Ukraine", Money.parse("100000", "EUR"),
                 date(2024, 3, 10), requirements)


def test_an_accepted_offer_becomes_a_direct_industry_case_opened_by_the_procurement_service(world: Platform):
    actor = world.operator()
    offers.record_offer(world.uow(), actor, offer())
    offers.answer_offer(world.uow(), actor, "DK-OFFER-1", OfferAnswer.OPEN, on=date(2024, 3, 20),
                        note="Denmark is considering it")
    answered = offers.answer_offer(world.uow(), actor, "DK-OFFER-1", OfferAnswer.ACCEPTED, on=date(2024, 4, 1))
    assert answered.answer is OfferAnswer.ACCEPTED and answered.case == "DK-OFFER-1"

    case = cases.get_case(world.uow(), actor, "DK-OFFER-1").case
    assert (case.route, case.buyer, case.requirements, case.opened_on, case.stage) == (
        FundingRoute.DIRECT_INDUSTRY, "UA-MOD", ("R-1",), date(2024, 4, 1), CaseStage.PROPOSED)
    assert planning.requirement_history(world.uow(), actor, "R-1")[0].status is RequirementStatus.IN_PROCUREMENT
    kept = offers.get_offer(world.uow(), actor, "DK-OFFER-1")
    assert [(r.answer, r.on) for r in kept.replies] == [(OfferAnswer.OPEN, date(2024, 3, 20)),
                                                        (OfferAnswer.ACCEPTED, date(2024, 4, 1))]
    assert [o.offer.code for o in offers.list_offers(world.uow(), actor, C)] == ["DK-OFFER-1"]
    assert audit.verify_audit_deep(world.uow(), actor).ok


def test_an_acceptance_obeys_the_rules_of_a_case_and_writes_nothing_when_refused(world: Platform):
    actor = world.operator()
    offers.record_offer(world.uow(), actor, offer(requirements=("R-2",)))  # R-2 is prioritised, nothing reserved
    before = dump(world.engine)
    with pytest.raises(InvariantViolated, match="R-2 is not funded"):
        offers.answer_offer(world.uow(), actor, "DK-OFFER-1", OfferAnswer.ACCEPTED, on=date(2024, 4, 1))
    assert dump(world.engine) == before
    offers.record_offer(world.uow(), actor, offer("DK-OFFER-2", requirements=()))
    with pytest.raises(InvariantViolated, match="names no requirement") as nothing:
        offers.answer_offer(world.uow(), actor, "DK-OFFER-2", OfferAnswer.ACCEPTED, on=date(2024, 4, 1))
    assert nothing.value.field == "requirements"


def test_answers_are_dated_and_final_once_accepted_or_declined(world: Platform):
    actor = world.operator()
    offers.record_offer(world.uow(), actor, offer())
    with pytest.raises(InvariantViolated, match="cannot precede the offer") as early:
        offers.answer_offer(world.uow(), actor, "DK-OFFER-1", OfferAnswer.DECLINED, on=date(2024, 3, 9))
    assert early.value.field == "on"
    with pytest.raises(InvariantViolated, match="in the future"):
        offers.answer_offer(world.uow(), actor, "DK-OFFER-1", OfferAnswer.DECLINED, on=date(2026, 11, 23))
    offers.answer_offer(world.uow(), actor, "DK-OFFER-1", OfferAnswer.DECLINED, on=date(2024, 3, 30))
    with pytest.raises(InvariantViolated, match="is declined; it can move to none"):
        offers.answer_offer(world.uow(), actor, "DK-OFFER-1", OfferAnswer.ACCEPTED, on=date(2024, 4, 1))


def test_an_offer_finances_the_recipients_own_industry_in_its_coalition(world: Platform):
    actor = world.operator()
    with pytest.raises(InvalidInput, match="SUP-A is in no country, not UA") as abroad:
        offers.record_offer(world.uow(), actor, offer(producer="SUP-A"))
    assert abroad.value.field == "producer"
    offers.record_offer(world.uow(), actor, offer())
    with pytest.raises(Conflict):
        offers.record_offer(world.uow(), actor, offer())


def test_the_recipient_records_offers_and_the_secretariat_answers_them(world: Platform):
    officer = Actor("ua-officer", "UA-MOD", frozenset({Grant(Role.RECIPIENT_OFFICER, C)}))
    offers.record_offer(world.uow(), officer, offer())
    with pytest.raises(PermissionDenied):
        offers.answer_offer(world.uow(), officer, "DK-OFFER-1", OfferAnswer.ACCEPTED, on=date(2024, 4, 1))
    with pytest.raises(PermissionDenied):
        offers.get_offer(world.uow(), Actor("anonymous"), "DK-OFFER-1")


def test_the_command_line_records_answers_and_shows_an_offer(world: Platform, capsys):
    code, out, err = run(world, capsys, "offers", "record", C, "DK-OFFER-9", "--donor", "DK", "--producer",
                         "UA-RADIO", "--purpose", "Radios made in Ukraine", "--amount", "100000",
                         "--requirement", "R-1", "--on", "2024-03-10")
    assert code == 0, err
    code, out, err = run(world, capsys, "offers", "answer", "DK-OFFER-9", "accepted", "--on", "2024-04-01",
                         "--case", "CASE-DK")
    assert code == 0, err
    assert "direct-industry case CASE-DK opened" in out
    code, out, _ = run(world, capsys, "offers", "list", C)
    assert "DK-OFFER-9" in out and "accepted" in out
    code, out, _ = run(world, capsys, "offers", "show", "DK-OFFER-9", "--json")
    assert '"case": "CASE-DK"' in out
    code, _, err = run(world, capsys, "offers", "answer", "DK-OFFER-9", "maybe")
    assert code == 2 and "answer" in err
