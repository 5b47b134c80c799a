"""Chart data for the pages: Apache ECharts options built on the server, and the members' timeline.

Options travel as JSON inside the page (a non-executable script element) and static/app.js hands
them to ECharts; amounts are decimal strings, as everywhere. Every chart has a table beside it
with the same figures, for readers who cannot see the chart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from coalition.domain.membership import Spell
from coalition.domain.money import Money
from coalition.domain.party import Party, PartyKind
from coalition.entrypoints.web.i18n import N_
from coalition.services.confidentiality import RESTRICTED

if TYPE_CHECKING:
    from coalition.entrypoints.web.core import Viewer
    from coalition.services.views.delivery import DeliveryMonth, PipelineRow
    from coalition.services.views.funding import DonorStatement, PeriodFlows
    from coalition.services.views.priorities import Coverage

PALETTE = ["#1f5aa6", "#2e8540", "#b35c00", "#7a3e9d", "#a61f3d", "#00797a", "#595959"]


def _amount(money: Money) -> str:
    return str(money.amount)


def _base(label: str) -> dict[str, Any]:
    return {"aria": {"enabled": True, "label": {"description": label}}, "color": PALETTE,
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}}, "animation": False,
            "grid": {"containLabel": True, "left": 8, "right": 16, "top": 32, "bottom": 8}}


def stages(who: Viewer, figures: list[tuple[str, Money]], *, now: bool = False) -> dict[str, Any]:
    """How much money reached each stage, from received to delivered, in the reporting currency; or, ``now``,
    where the money sits now."""
    currency = figures[0][1].currency
    title = (who.gettext("Where the money is now, in %(currency)s", currency=currency) if now else
             who.gettext("Money that reached each stage, in %(currency)s", currency=currency))
    option = _base(title)
    option["xAxis"] = {"type": "category", "data": [who.label(name) for name, _ in figures]}
    option["yAxis"] = {"type": "value", "name": currency}
    option["series"] = [{"type": "bar", "data": [_amount(m) for _, m in figures], "name": currency,
                         "itemStyle": {"color": PALETTE[0]}}]
    return option


def coverage(who: Viewer, found: Coverage) -> dict[str, Any]:
    """Per rank: money reserved, contracted or paid, given in kind, and what is still missing, stacked to the
    requirement's cost."""
    option = _base(who.gettext("Coverage per rank, in %(currency)s", currency=found.available.currency))
    labels = [f"{r.rank}. {r.requirement.code}" for r in found.ranks]
    option["legend"] = {"top": 0}
    option["yAxis"] = {"type": "category", "data": labels, "inverse": True}
    option["xAxis"] = {"type": "value", "name": found.available.currency}
    option["grid"]["right"] = 48  # room for the last amount on the horizontal axis
    option["series"] = [
        {"type": "bar", "stack": "cost", "name": who.gettext("reserved"), "data": [_amount(r.reserved)
                                                                                  for r in found.ranks],
         "itemStyle": {"color": PALETTE[1]}},
        {"type": "bar", "stack": "cost", "name": who.gettext("contracted or paid"),
         "data": [_amount(r.contracted) for r in found.ranks], "itemStyle": {"color": PALETTE[0]}},
        {"type": "bar", "stack": "cost", "name": who.gettext("given in kind"),
         "data": [_amount(r.in_kind) if r.in_kind else "0" for r in found.ranks], "itemStyle": {"color": PALETTE[3]}},
        {"type": "bar", "stack": "cost", "name": who.gettext("missing"), "data": [_amount(r.missing)
                                                                                 for r in found.ranks],
         "itemStyle": {"color": "#d9d9d9"}},
    ]
    return option


def pipeline(who: Viewer, rows: list[PipelineRow]) -> dict[str, Any]:
    """Contracted and paid money per funding route and stage."""
    currency = rows[0].contracted.currency
    option = _base(who.gettext("Procurement by route and stage, in %(currency)s", currency=currency))
    labels = [f"{who.gettext(r.route.value)} · {who.gettext(r.stage.value)}" for r in rows]
    option["legend"] = {"top": 0}
    option["xAxis"] = {"type": "category", "data": labels, "axisLabel": {"interval": 0, "rotate": 20}}
    option["yAxis"] = {"type": "value", "name": currency}
    option["series"] = [
        {"type": "bar", "name": who.gettext("contracted"), "data": [_amount(r.contracted) for r in rows]},
        {"type": "bar", "name": who.gettext("paid"), "data": [_amount(r.paid) for r in rows]},
    ]
    return option


def over_time(who: Viewer, periods: list[PeriodFlows]) -> dict[str, Any]:
    """Money pledged, committed, received and disbursed to date, month by month."""
    currency = periods[0].pledged.currency
    option = _base(who.gettext("Money to date, month by month, in %(currency)s", currency=currency))
    option["tooltip"] = {"trigger": "axis"}
    option["legend"] = {"top": 0}
    option["xAxis"] = {"type": "category", "data": [p.period for p in periods], "boundaryGap": False}
    option["yAxis"] = {"type": "value", "name": currency}
    option["series"] = [{"type": "line", "step": "end", "showSymbol": False, "name": who.label(name),
                         "data": [_amount(getattr(p, f"{name}_to_date")) for p in periods]}
                        for name in ("pledged", "committed", "received", "disbursed")]
    return option


DELIVERY_SERIES = (("contracted", N_("items contracted")), ("shipped", N_("items shipped")),
                   ("arrived", N_("items arrived")), ("accepted", N_("items accepted")))


def delivery_over_time(who: Viewer, months: list[DeliveryMonth]) -> dict[str, Any]:
    """Items contracted, shipped, arrived and accepted by the units to date, month by month."""
    option = _base(who.gettext("Items to date, month by month: contracted, shipped, arrived, accepted"))
    option["tooltip"] = {"trigger": "axis"}
    option["legend"] = {"top": 0}
    option["xAxis"] = {"type": "category", "data": [m.month for m in months], "boundaryGap": False}
    option["yAxis"] = {"type": "value", "name": who.gettext("items"), "minInterval": 1}
    option["series"] = [{"type": "line", "step": "end", "showSymbol": False, "name": who.gettext(name),
                         "data": [getattr(m, key) for m in months]}
                        for key, name in DELIVERY_SERIES]
    return option


def party_name(who: Viewer, party: Party | None, code: str) -> str:
    """A party's name in the viewer's language: a state's from the country names, others' as they gave it."""
    if party is None:
        return code
    if party.kind is PartyKind.STATE:
        return who.fmt.country(party.country or party.code)
    return party.name_uk if who.language == "uk" and party.name_uk else party.name


def namer(who: Viewer, parties: Mapping[str, Party]) -> Callable[[str], str]:
    """A function naming each party of ``parties`` by its code in the viewer's language (a masked donor as
    restricted; a code it does not hold as it is)."""

    def name(code: str) -> str:
        return who.gettext("restricted") if code == RESTRICTED else party_name(who, parties.get(code), code)

    return name


def sankey(who: Viewer, statement: DonorStatement) -> dict[str, Any]:
    """The donor's money: donor -> requirement -> contract -> units that signed for the equipment, each node by
    its name in the viewer's language."""
    flows: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    currency = ""
    parties = statement.parties
    donor = party_name(who, parties.get(statement.donor), statement.name)

    def contract(code: str, supplier: str) -> str:
        return who.gettext("contract with %(supplier)s (%(code)s)", supplier=party_name(who, parties.get(supplier),
                                                                                     supplier), code=code)

    suppliers = {line.contract: line.supplier for found in statement.procurement for line in found.contracted}
    for found in statement.procurement:
        currency = found.currency
        for line in found.contracted:
            requirement = statement.titles.get(line.requirement, line.requirement)
            flows[(donor, requirement)] += line.reporting.amount
            flows[(requirement, contract(line.contract, line.supplier))] += line.reporting.amount
        for share in found.delivered:
            unit = party_name(who, parties.get(share.unit), share.unit)
            flows[(contract(share.contract, suppliers.get(share.contract, "")), unit)] += share.share.amount
    names = list(dict.fromkeys(name for pair in flows for name in pair))
    option: dict[str, Any] = {
        "aria": {"enabled": True, "label": {"description": who.gettext(
            "Where %(donor)s's money went, in %(currency)s", donor=donor, currency=currency)}},
        "color": PALETTE, "animation": False, "tooltip": {"trigger": "item"},
        "series": [{"type": "sankey", "emphasis": {"focus": "adjacency"}, "nodeAlign": "left",
                    "left": 8, "right": 160, "top": 8, "bottom": 8,
                    "data": [{"name": n} for n in names],
                    "links": [{"source": s, "target": t, "value": str(v)} for (s, t), v in flows.items() if v > 0],
                    "lineStyle": {"color": "gradient", "curveness": 0.5}}],
    }
    return option


@dataclass(frozen=True, slots=True)
class Bar:
    """One period of one member on the timeline, as a share of the whole span (for CSS positioning)."""

    party: str
    role: str
    start: date
    end: date | None
    left: Decimal
    width: Decimal
    illustrative: bool


def timeline(periods: list[Spell], today: date) -> tuple[list[Bar], date, date]:
    """Each member's periods in their roles, from the first admission to today."""
    if not periods:
        return [], today, today
    first = min(s.start for s in periods)
    span = max((today - first).days, 1)
    bars = []
    for s in sorted(periods, key=lambda s: (s.start, s.party)):
        end = min(s.end or today, today)
        left = Decimal(max((s.start - first).days, 0) * 100) / span
        width = max(Decimal((end - s.start).days * 100) / span, Decimal("0.8"))
        bars.append(Bar(s.party, s.role.value, s.start, s.end, left.quantize(Decimal("0.01")),
                        min(width, 100 - left).quantize(Decimal("0.01")), s.illustrative))
    return bars, first, today
