"""The mechanisms beside the pooled funds over HTTP: PURL packages (in no coalition) and Danish-model offers."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from coalition.domain.offers import Offer, OfferAnswer
from coalition.domain.packages import PackageShare, PurlPackage
from coalition.entrypoints.api.core import (
    Body,
    CallerDep,
    Code,
    CodeInPath,
    CodeInQuery,
    Day,
    Flag,
    Limit,
    Note,
    Offset,
    Page,
    Routes,
    Title,
    page_of,
)
from coalition.entrypoints.api.funding import MoneyIn
from coalition.services import offers, packages
from coalition.services.offers import OfferView
from coalition.services.packages import PackageView

api = Routes("packages and offers")
router = api.router


class NewPackage(Body):
    code: Code
    title: Title
    owner: Code
    validator: Code
    supplier: Code
    recipient: Code
    amount: MoneyIn
    proposed_on: Day
    illustrative: Flag = False


class ShareIn(Body):
    donor: Code
    amount: MoneyIn
    on: Day


class SharesIn(Body):
    shares: Annotated[list[ShareIn], Field(min_length=1, max_length=100)]


class DatedAct(Body):
    on: Day
    note: Note = ""


class Funding(Body):
    on: Day
    shares: Annotated[list[ShareIn], Field(max_length=100)] = []
    note: Note = ""


def _shares(code: str, given: list[ShareIn]) -> list[PackageShare]:
    return [PackageShare(code, s.donor, s.amount.money(), s.on) for s in given]


@api.get("/packages", Page[PackageView], summary="PURL packages, of one mechanism's owner if named")
def list_packages(who: CallerDep, owner: CodeInQuery = None, offset: Offset = 0, limit: Limit = 50) -> object:
    return page_of([packages.view(r) for r in packages.list_packages(who.read(), who.actor, owner)], offset, limit)


@api.post("/packages", PackageView, summary="Record a package proposed from the prioritised requirements list")
def propose_package(body: NewPackage, who: CallerDep) -> object:
    package = PurlPackage(body.code, body.title, body.owner, body.validator, body.supplier, body.recipient,
                          body.amount.money(), body.proposed_on, body.illustrative)
    return packages.view(packages.propose_package(who.write(), who.actor, package))


@api.get("/packages/{code}", PackageView, summary="A package with its allies' shares and dated acts")
def get_package(who: CallerDep, code: CodeInPath) -> object:
    return packages.view(packages.get_package(who.read(), who.actor, code))


@api.post("/packages/{code}/shares", PackageView, summary="Record allies' shares of a package (all or none)")
def record_shares(body: SharesIn, who: CallerDep, code: CodeInPath) -> object:
    return packages.view(packages.record_shares(who.write(), who.actor, code, _shares(code, body.shares)))


@api.post("/packages/{code}/validation", PackageView, 200, summary="The outside authority validated the package")
def validate_package(body: DatedAct, who: CallerDep, code: CodeInPath) -> object:
    return packages.view(packages.validate_package(who.write(), who.actor, code, on=body.on, note=body.note))


@api.post("/packages/{code}/funding", PackageView, 200,
          summary="Record the last shares and mark the package funded (only when they cover it)")
def fund_package(body: Funding, who: CallerDep, code: CodeInPath) -> object:
    return packages.view(packages.fund_package(who.write(), who.actor, code, on=body.on,
                                               shares=_shares(code, body.shares), note=body.note))


@api.post("/packages/{code}/delivery", PackageView, 200, summary="The supplier delivered the funded package")
def deliver_package(body: DatedAct, who: CallerDep, code: CodeInPath) -> object:
    return packages.view(packages.deliver_package(who.write(), who.actor, code, on=body.on, note=body.note))


class NewOffer(Body):
    code: Code
    recipient: Code
    donor: Code
    producer: Code
    purpose: Title
    amount: MoneyIn
    offered_on: Day
    requirements: Annotated[list[Code], Field(max_length=1000)] = []
    illustrative: Flag = False


class AnswerIn(Body):
    answer: OfferAnswer
    on: Day
    note: Note = ""
    case: Code | None = None


@api.get("/coalitions/{coalition}/offers", Page[OfferView], summary="A coalition's Danish-model offers")
def list_offers(who: CallerDep, coalition: CodeInPath, offset: Offset = 0, limit: Limit = 50) -> object:
    return page_of([offers.view(r) for r in offers.list_offers(who.read(), who.actor, coalition)], offset, limit)


@api.post("/coalitions/{coalition}/offers", OfferView, summary="Record the recipient's offer to a donor")
def record_offer(body: NewOffer, who: CallerDep, coalition: CodeInPath) -> object:
    offer = Offer(body.code, coalition, body.recipient, body.donor, body.producer, body.purpose, body.amount.money(),
                  body.offered_on, tuple(body.requirements), body.illustrative)
    return offers.view(offers.record_offer(who.write(), who.actor, offer))


@api.get("/offers/{code}", OfferView, summary="An offer with its dated answers")
def get_offer(who: CallerDep, code: CodeInPath) -> object:
    return offers.view(offers.get_offer(who.read(), who.actor, code))


@api.post("/offers/{code}/answers", OfferView, summary="Record the donor's answer; an acceptance opens the case")
def answer_offer(body: AnswerIn, who: CallerDep, code: CodeInPath) -> object:
    return offers.view(offers.answer_offer(who.write(), who.actor, code, body.answer, on=body.on, note=body.note,
                                           case=body.case))
