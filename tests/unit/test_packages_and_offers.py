"""PURL packages and Danish-model offers as pure domain rules: a package's lifecycle and coverage, its dated acts;
an offer's answers, its producer at home, and the case an acceptance becomes; every refusal names its field and
has Ukrainian words with the same placeholders."""

from __future__ import annotations

import re
from datetime import date

import pytest
from babel.messages.pofile import read_po

from coalition.domain import offers, packages
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.contributions import FundingRoute
from coalition.domain.errors import InvalidInput, InvariantViolated
from coalition.domain.money import Money
from coalition.domain.offers import Offer, OfferAnswer, OfferRecord
from coalition.domain.packages import PackageRecord, PackageShare, PackageState, PurlPackage
from coalition.domain.party import Party, PartyKind
from coalition.entrypoints.web.i18n import LOCALE_DIR
from coalition.entrypoints.web.messages import REFUSALS
from coalition.services import offers as offer_services
from coalition.services import packages as package_services
from coalition.services import registry
from tests.fakes import FakeUnitOfWork

TODAY = date(2026, 11, 22)


def usd(millions: int) -> Money:
    return Money.parse(str(millions * 1_000_000), "USD")


def nordic() -> PackageRecord:
    package = PurlPackage("PURL-N", "Air defence", "NATO", "NATO", "US", "UA", usd(500), date(2025, 7, 30))
    return PackageRecord(package, (), (packages.proposal(package, TODAY),))


def share(donor: str, millions: int, on: date = date(2025, 8, 5)) -> PackageShare:
    return PackageShare("PURL-N", donor, usd(millions), on)


def test_three_allies_fund_a_package_only_once_their_shares_cover_it():
    record = nordic()
    validated = packages.next_act(record, PackageState.VALIDATED, date(2025, 8, 2), TODAY)
    record = PackageRecord(record.package, (), (*record.acts, validated))
    for ally, millions in (("DK", 180), ("NO", 170)):
        packages.check_share(record, share(ally, millions), TODAY)
        record = packages.with_share(record, share(ally, millions))
    with pytest.raises(InvariantViolated, match=r"350000000.00 USD of 500000000.00 USD; record the missing "
                                                r"150000000.00 USD") as short:
        packages.next_act(record, PackageState.FUNDED, date(2025, 8, 5), TODAY)
    assert short.value.field == "shares"
    record = packages.with_share(record, share("SE", 150))
    funded = packages.next_act(record, PackageState.FUNDED, date(2025, 8, 5), TODAY)
    assert funded.state is PackageState.FUNDED
    assert record.by_donor()[0] == ("DK", usd(180))


def test_a_package_is_delivered_only_after_it_is_funded_and_never_before_its_last_act():
    record = nordic()
    with pytest.raises(InvariantViolated, match="package PURL-N is proposed; it can move to validated, not "
                                                "delivered"):
        packages.next_act(record, PackageState.DELIVERED, date(2025, 9, 1), TODAY)
    with pytest.raises(InvariantViolated, match="cannot precede the package's last act") as early:
        packages.next_act(record, PackageState.VALIDATED, date(2025, 7, 1), TODAY)
    assert early.value.field == "on"
    with pytest.raises(InvariantViolated, match="in the future"):
        packages.next_act(record, PackageState.VALIDATED, date(2026, 11, 23), TODAY)


def test_a_share_stays_within_the_amount_in_its_currency_while_the_package_takes_shares():
    record = nordic()
    with pytest.raises(InvariantViolated, match="would take it beyond its amount"):
        packages.check_share(record, share("DK", 501), TODAY)
    with pytest.raises(InvalidInput) as currency:
        packages.check_share(record, PackageShare("PURL-N", "DK", Money.parse("1", "EUR"), date(2025, 8, 5)), TODAY)
    assert currency.value.field == "currency"
    with pytest.raises(InvalidInput, match="a share is positive"):
        share("DK", 0)


def test_a_package_names_four_parties_and_a_positive_amount():
    with pytest.raises(InvalidInput) as same:
        PurlPackage("P", "T", "NATO", "NATO", "UA", "UA", usd(1), date(2025, 1, 1))
    assert same.value.field == "supplier"
    with pytest.raises(InvalidInput) as nothing:
        PurlPackage("P", "T", "NATO", "NATO", "US", "UA", Money.parse("0", "USD"), date(2025, 1, 1))
    assert nothing.value.field == "amount"


def danish() -> OfferRecord:
    return OfferRecord(Offer("DK-1", "drone-coalition", "UA-MOD", "DK", "UA-MFR", "Interceptor drones",
                             Money.parse("3000000", "EUR"), date(2025, 5, 5), ("UAV-1",)))


def test_an_offer_is_answered_by_dated_acts_and_accepted_or_declined_for_good():
    record = danish()
    still = offers.reply(record, OfferAnswer.OPEN, date(2025, 5, 12), TODAY, "considering")
    record = OfferRecord(record.offer, (still,))
    with pytest.raises(InvariantViolated, match="cannot precede the last answer"):
        offers.reply(record, OfferAnswer.ACCEPTED, date(2025, 5, 10), TODAY)
    accepted = offers.reply(record, OfferAnswer.ACCEPTED, date(2025, 5, 26), TODAY)
    record = OfferRecord(record.offer, (still, accepted))
    assert record.answer is OfferAnswer.ACCEPTED
    with pytest.raises(InvariantViolated, match="offer DK-1 is accepted; it can move to none"):
        offers.reply(record, OfferAnswer.DECLINED, date(2025, 6, 1), TODAY)


def test_an_accepted_offer_becomes_a_direct_industry_case_bought_by_the_recipient():
    case = offers.direct_industry_case(danish().offer, "DK-1", date(2025, 5, 26))
    assert (case.route, case.buyer, case.requirements, case.opened_on) == (
        FundingRoute.DIRECT_INDUSTRY, "UA-MOD", ("UAV-1",), date(2025, 5, 26))
    empty = OfferRecord(Offer("LU-1", "drone-coalition", "UA-MOD", "LU", "UA-MFR", "Industry",
                              Money.parse("1", "EUR"), date(2025, 3, 20)))
    with pytest.raises(InvariantViolated, match="names no requirement") as nothing:
        offers.reply(empty, OfferAnswer.ACCEPTED, date(2025, 4, 1), TODAY)
    assert nothing.value.field == "requirements"


def test_the_danish_model_finances_the_recipients_own_industry():
    with pytest.raises(InvalidInput, match="UA-MFR is in PL, not UA") as abroad:
        offers.check_producer(danish().offer, "PL", "UA")
    assert abroad.value.field == "producer"
    with pytest.raises(InvalidInput) as same:
        Offer("X", "c", "UA-MOD", "UA-MOD", "UA-MFR", "p", Money.parse("1", "EUR"), date(2025, 1, 1))
    assert same.value.field == "donor"


def test_every_refusal_has_ukrainian_words_with_the_same_placeholders():
    with (LOCALE_DIR / "uk" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale="uk")
    texts = (*packages.TEXTS, *offers.TEXTS, *package_services.TEXTS, *offer_services.TEXTS)
    assert set(texts) <= set(REFUSALS)
    for text in texts:
        found = catalog.get(text)
        assert found is not None and found.string, text
        assert set(re.findall(r"\{(\w+)\}", found.string)) == set(re.findall(r"\{(\w+)\}", text)), text


def test_the_services_run_a_package_on_the_fakes_and_a_refused_act_keeps_nothing():
    uow, admin = FakeUnitOfWork(), Actor("admin", grants=frozenset({Grant(Role.PLATFORM_ADMIN)}))
    for code in ("US", "UA", "NL"):
        registry.register_party(uow, admin, Party.state(code))
    registry.register_party(uow, admin, Party("NATO", PartyKind.INTERNATIONAL_ORGANISATION, "NATO"))
    package_services.propose_package(uow, admin, nordic().package)
    package_services.validate_package(uow, admin, "PURL-N", on=date(2025, 8, 2))
    with pytest.raises(InvariantViolated):
        package_services.fund_package(uow, admin, "PURL-N", on=date(2025, 8, 3), shares=[share("NL", 100)])
    assert package_services.get_package(uow, admin, "PURL-N").shares == ()
    funded = package_services.fund_package(uow, admin, "PURL-N", on=date(2025, 8, 3), shares=[share("NL", 500)])
    assert funded.state is PackageState.FUNDED
    assert package_services.view(funded).allies[0].donor == "NL"


def test_what_is_mobilised_counts_funded_and_delivered_packages_only():
    proposed = nordic()
    funded = PackageRecord(proposed.package, (share("DK", 500),), (
        *proposed.acts, packages.next_act(proposed, PackageState.VALIDATED, date(2025, 8, 2), TODAY),
        packages.PackageAct("PURL-N", PackageState.FUNDED, date(2025, 8, 5))))
    assert packages.mobilised([proposed, funded, funded]) == [usd(1000)]
    assert packages.mobilised([proposed]) == []
