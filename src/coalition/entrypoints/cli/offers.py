"""Commands for Danish-model offers: list, show, record, answer."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from coalition.domain.common import parse_date
from coalition.domain.money import Money, check_currency
from coalition.domain.offers import Offer, OfferAnswer, OfferRecord
from coalition.entrypoints.cli.output import choice, console, emit_json, table
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.services import offers as svc

offers = typer.Typer(help="Danish-model offers: the recipient proposes that a donor finance its own industry.",
                     no_args_is_help=True)
OnOption = Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD; today if omitted.")]


def _data(record: OfferRecord) -> dict[str, Any]:
    return {"offer": record.offer, "answer": record.answer.value, "case": record.case, "answers": record.replies}


@offers.command("list")
def offers_list(ctx: typer.Context, coalition: str, as_json: JsonFlag = False) -> None:
    """A coalition's offers with the donor's answer so far."""
    platform = ready(ctx)
    found = svc.list_offers(platform.uow(), platform.operator(), coalition)
    if as_json:
        emit_json([_data(r) for r in found])
        return
    table(f"Offers of {coalition} ({len(found)})", ["Code", "Donor", "Producer", "Purpose", "Amount", "Offered",
                                                     "Answer", "Case"],
          [(r.offer.code, r.offer.donor, r.offer.producer, r.offer.purpose, r.offer.amount, r.offer.offered_on,
            r.answer.value, r.case) for r in found])


@offers.command("show")
def offers_show(ctx: typer.Context, code: str, as_json: JsonFlag = False) -> None:
    """One offer with its dated answers."""
    platform = ready(ctx)
    record = svc.get_offer(platform.uow(), platform.operator(), code)
    if as_json:
        emit_json(_data(record))
        return
    o = record.offer
    console.print(f"[bold]{o.code}[/bold] ({o.coalition}): {o.recipient} offers {o.donor} to finance {o.producer} "
                  f"for {o.purpose}, {o.amount}, on {o.offered_on}; requirements {', '.join(o.requirements) or '-'}; "
                  f"{record.answer.value}" + (f", case {record.case}" if record.case else ""))
    table("Answers", ["Answer", "On", "Recorded", "Case", "Note"],
          [(r.answer.value, r.on, r.recorded_at, r.case, r.note) for r in record.replies])


@offers.command("record")
def offers_record(ctx: typer.Context, coalition: str, code: str,
                  donor: Annotated[str, typer.Option(help="The donor asked to finance.")],
                  producer: Annotated[str, typer.Option(help="The producer in the recipient's country.")],
                  purpose: Annotated[str, typer.Option(help="What the money would produce.")],
                  amount: Annotated[str, typer.Option()],
                  currency: Annotated[str, typer.Option()] = "EUR",
                  recipient: Annotated[str, typer.Option(help="The ministry that offers.")] = "UA-MOD",
                  requirement: Annotated[list[str] | None, typer.Option(
                      help="A requirement of the coalition the offer would finance (repeatable).")] = None,
                  on: OnOption = None, illustrative: Annotated[bool, typer.Option()] = False) -> None:
    """Record the recipient's offer to a donor."""
    platform = ready(ctx)
    day = platform.clock().date() if on is None else parse_date(on, "--on")
    record = svc.record_offer(platform.uow(), platform.operator(), Offer(
        code, coalition, recipient, donor, producer, purpose,
        Money.parse(amount, check_currency(currency, "--currency"), field="--amount"), day,
        tuple(requirement or ()), illustrative))
    console.print(f"Recorded offer {record.offer.code} to {record.offer.donor} of {record.offer.amount} on {day}")


@offers.command("answer")
def offers_answer(ctx: typer.Context, code: str,
                  answer: Annotated[str, typer.Argument(help="accepted, declined or open (still considering).")],
                  on: OnOption = None, note: Annotated[str, typer.Option()] = "",
                  case: Annotated[str | None, typer.Option(
                      help="Code of the direct-industry case an acceptance opens; the offer's code if omitted.")
                  ] = None) -> None:
    """Record the donor's answer; an acceptance opens the direct-industry case."""
    platform = ready(ctx)
    day = platform.clock().date() if on is None else parse_date(on, "--on")
    record = svc.answer_offer(platform.uow(), platform.operator(), code, choice(answer, OfferAnswer, "answer"),
                              on=day, note=note, case=case)
    console.print(f"{code} is {record.answer.value} on {day}" +
                  (f": direct-industry case {record.case} opened" if record.case else ""))
