"""The pages of the two mechanisms beside the pooled fund: PURL packages (in no coalition) and a coalition's
Danish-model offers, with the forms that record a package's next act or share and an offer's answer."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from coalition.domain.common import parse_date
from coalition.domain.errors import InvalidInput
from coalition.domain.money import Money
from coalition.domain.offers import OfferAnswer
from coalition.domain.packages import PACKAGE_TRANSITIONS, TAKES_SHARES, PackageShare, PackageState, mobilised
from coalition.entrypoints.api.core import CodeInPath
from coalition.entrypoints.web.core import Viewer, act, render, viewer
from coalition.entrypoints.web.i18n import N_
from coalition.services import offers, packages

router = APIRouter(include_in_schema=False)
WhoDep = Annotated[Viewer, Depends(viewer)]
ACTS = {PackageState.VALIDATED: packages.validate_package, PackageState.FUNDED: packages.fund_package,
        PackageState.DELIVERED: packages.deliver_package}
DONE = {PackageState.VALIDATED: N_("Package %(code)s is validated as of %(day)s."),
        PackageState.FUNDED: N_("Package %(code)s is funded as of %(day)s."),
        PackageState.DELIVERED: N_("Package %(code)s is delivered as of %(day)s.")}
ANSWERED = {OfferAnswer.OPEN: N_("Offer %(code)s is still open as of %(day)s."),
            OfferAnswer.ACCEPTED: N_("Offer %(code)s is accepted as of %(day)s: direct-industry case %(case)s."),
            OfferAnswer.DECLINED: N_("Offer %(code)s is declined as of %(day)s.")}


@router.get("/packages", response_class=HTMLResponse)
def packages_page(request: Request, who: WhoDep) -> Response:
    records = packages.list_packages(who.read(), who.actor)
    return render(request, who, "packages.html", packages=[packages.view(r) for r in records],
                  mobilised=mobilised(records))


@router.get("/packages/{code}", response_class=HTMLResponse)
def package_page(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    found = packages.view(packages.get_package(who.read(), who.actor, code))
    following = sorted(PACKAGE_TRANSITIONS[found.state], key=list(PackageState).index)
    return render(request, who, "package.html", p=found, next_state=following[0] if following else None,
                  takes_shares=found.state in TAKES_SHARES, manager=who.may("manage_packages"))


@router.post("/packages/{code}/acts")
async def package_act(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        try:
            to = PackageState(form.get("state", ""))
            run = ACTS[to]
        except (ValueError, KeyError):
            raise InvalidInput(f"'{form.get('state', '')}' is not a state a package moves to", field="state") from None
        day = parse_date(form.get("on", ""), "on")
        run(who.write(), who.actor, code, on=day, note=form.get("note", ""))
        return who.gettext(DONE[to], code=code, day=who.fmt.day(day))
    return await act(request, who, change, f"/packages/{code}")


@router.post("/packages/{code}/shares")
async def package_share(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        record = packages.get_package(who.read(), who.actor, code)
        share = PackageShare(code, form.get("donor", "").strip().upper(),
                             Money.parse(who.fmt.amount(form.get("amount", "")), record.package.amount.currency),
                             parse_date(form.get("on", ""), "on"))
        packages.record_shares(who.write(), who.actor, code, [share])
        return who.gettext("A share of %(amount)s from %(donor)s is recorded for package %(code)s.",
                           amount=who.fmt.money(share.amount), donor=share.donor, code=code)
    return await act(request, who, change, f"/packages/{code}")


@router.get("/coalitions/{coalition}/offers", response_class=HTMLResponse)
def offers_page(request: Request, who: WhoDep, coalition: CodeInPath) -> Response:
    found = [offers.view(r) for r in offers.list_offers(who.read(), who.actor, coalition)]
    return render(request, who, "offers.html", offers=found)


@router.get("/offers/{code}", response_class=HTMLResponse)
def offer_page(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    found = offers.view(offers.get_offer(who.read(), who.actor, code))
    who = dataclasses.replace(who, coalition=found.offer.coalition)
    return render(request, who, "offer.html", o=found, answers=list(OfferAnswer),
                  answerer=who.may("answer_offers") and found.answer is OfferAnswer.OPEN)


@router.post("/offers/{code}/answers")
async def answer_offer(request: Request, who: WhoDep, code: CodeInPath) -> Response:
    def change(form: dict[str, str]) -> str:
        try:
            answer = OfferAnswer(form.get("answer", ""))
        except ValueError:
            raise InvalidInput(f"'{form.get('answer', '')}' is not an answer (accepted, declined or open)",
                               field="answer") from None
        day = parse_date(form.get("on", ""), "on")
        record = offers.answer_offer(who.write(), who.actor, code, answer, on=day, note=form.get("note", ""),
                                     case=form.get("case", "").strip() or None)
        return who.gettext(ANSWERED[answer], code=code, day=who.fmt.day(day), case=record.case or "")
    return await act(request, who, change, f"/offers/{code}")
