"""The write ports of PURL packages (``PackageRepository``) and Danish-model offers (``OfferRepository``), the same
on the fake, SQLite and PostgreSQL: rows written once, shares, acts and answers appended in order, with the time
they were recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime

from coalition.domain.contributions import FundingRoute
from coalition.domain.money import Money
from coalition.domain.offers import Offer, OfferAnswer, OfferReply
from coalition.domain.packages import PackageAct, PackageShare, PackageState, PurlPackage
from coalition.domain.procurement import ProcurementCase
from tests.contract.conftest import C, Units, written

AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def package(code: str, on: date, owner: str = "NSPA") -> PurlPackage:
    return PurlPackage(code, "Radios from stock", owner, "NSPA", "EE", "UA", Money.parse("1000.00", "USD"), on)


def test_packages_read_back_with_their_shares_and_acts_in_order(units: Units):
    with units() as uow:
        uow.packages.add(package("PK-2", date(2025, 8, 2)))
        uow.packages.add(package("PK-1", date(2025, 8, 1)))
        uow.packages.add(package("PK-3", date(2025, 8, 3), owner="UA-MOD"))
        uow.packages.add_act(PackageAct("PK-1", PackageState.PROPOSED, date(2025, 8, 1), note="proposed"), AT)
        uow.packages.add_act(PackageAct("PK-1", PackageState.VALIDATED, date(2025, 8, 2)), AT)
        uow.packages.add_share(PackageShare("PK-1", "LV", Money.parse("600.00", "USD"), date(2025, 8, 2)), AT)
        uow.packages.add_share(PackageShare("PK-1", "EE", Money.parse("400.00", "USD"), date(2025, 8, 3)), AT)
        written(uow, "packages")
    with units() as uow:
        record = uow.packages.get("PK-1")
        assert record is not None and record.package == package("PK-1", date(2025, 8, 1))
        assert [(a.state, a.on, a.note, a.recorded_at) for a in record.acts] == [
            (PackageState.PROPOSED, date(2025, 8, 1), "proposed", AT),
            (PackageState.VALIDATED, date(2025, 8, 2), "", AT)]
        assert [(s.donor, s.amount, s.on) for s in record.shares] == [
            ("LV", Money.parse("600.00", "USD"), date(2025, 8, 2)),
            ("EE", Money.parse("400.00", "USD"), date(2025, 8, 3))]
        assert record.state is PackageState.VALIDATED and record.covered == Money.parse("1000.00", "USD")
        assert [r.package.code for r in uow.packages.every()] == ["PK-1", "PK-2", "PK-3"]
        assert [r.package.code for r in uow.packages.every("NSPA")] == ["PK-1", "PK-2"]
        assert uow.packages.every("LV") == [] and uow.packages.get("PK-9") is None


def offer(code: str, on: date) -> Offer:
    return Offer(code, C, "UA-MOD", "EE", "SUP-A", "Radios made at home", Money.parse("500.00", "EUR"), on,
                 ("R-1", "R-2"))


def test_offers_read_back_with_their_answers_in_order(units: Units):
    with units() as uow:
        uow.procurement.add_case(ProcurementCase("CASE-O", C, FundingRoute.DIRECT_INDUSTRY, "Radios", ("R-1",),
                                                 "UA-MOD", date(2025, 6, 1)))
        uow.offers.add(offer("OF-2", date(2025, 5, 2)))
        uow.offers.add(offer("OF-1", date(2025, 5, 1)))
        uow.offers.add_reply(OfferReply("OF-1", OfferAnswer.OPEN, date(2025, 5, 10), "considering"), AT)
        uow.offers.add_reply(OfferReply("OF-1", OfferAnswer.ACCEPTED, date(2025, 6, 1), case="CASE-O"), AT)
        written(uow, "offers")
    with units() as uow:
        record = uow.offers.get("OF-1")
        assert record is not None and record.offer == offer("OF-1", date(2025, 5, 1))
        assert [(r.answer, r.on, r.note, r.case, r.recorded_at) for r in record.replies] == [
            (OfferAnswer.OPEN, date(2025, 5, 10), "considering", None, AT),
            (OfferAnswer.ACCEPTED, date(2025, 6, 1), "", "CASE-O", AT)]
        assert record.answer is OfferAnswer.ACCEPTED and record.case == "CASE-O"
        assert [r.offer.code for r in uow.offers.every(C)] == ["OF-1", "OF-2"]
        assert uow.offers.every("other") == [] and uow.offers.get("OF-9") is None
        second = uow.offers.get("OF-2")
        assert second is not None and second.replies == () and second.answer is OfferAnswer.OPEN
