"""Charts drawn on the server as SVG, for the printed reports (a PDF runs no script, so ECharts cannot draw there).

One kind is enough for the reports: horizontal bars, one row per label and one bar per series in each row, scaled
to the largest value, each bar with its amount written beside it. Every bar is a ``<rect class="bar">`` whose
``<title>`` says what it is, so the chart can be read without seeing it; the printed tables hold the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from coalition.entrypoints.web.charts import PALETTE

WIDTH = 680
LABELS = 190  # the width of the labels' column
VALUES = 120  # room right of the longest bar for its amount
BAR = 13
GAP = 7
LEGEND = 22


@dataclass(frozen=True, slots=True)
class Series:
    """One bar in every row: its name (shown in the legend) and a value per label."""

    name: str
    values: Sequence[Decimal]


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 11, weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" text-anchor="{anchor}" '
            f'fill="#222">{escape(text)}</text>')


def _clip(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bars(title: str, labels: Sequence[str], series: Sequence[Series], shown: Callable[[Decimal], str]) -> Markup:
    """A horizontal bar chart: a row per label, a bar per series in each row, amounts written by ``shown``."""
    if any(len(s.values) != len(labels) for s in series):
        raise ValueError("every series needs one value per label")
    top = LEGEND if len(series) > 1 else 6
    row = len(series) * BAR + GAP * 2
    height = top + row * len(labels) + 4
    span = WIDTH - LABELS - VALUES
    largest = max((v for s in series for v in s.values), default=Decimal(0))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
             f'height="{height}" viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    if len(series) > 1:
        x = float(LABELS)
        for index, s in enumerate(series):
            parts.append(f'<rect class="key" x="{x:.1f}" y="4" width="10" height="10" '
                         f'fill="{PALETTE[index % len(PALETTE)]}"/>')
            parts.append(_text(x + 14, 13, s.name, size=10))
            x += 24 + 6.5 * len(s.name)
    for number, label in enumerate(labels):
        y = top + number * row
        parts.append(_text(LABELS - 8, y + row / 2 + 4, _clip(label), anchor="end"))
        for index, s in enumerate(series):
            value = s.values[number]
            width = 0.0 if largest <= 0 or value <= 0 else float(value / largest) * span
            bar_y = y + GAP + index * BAR
            parts.append(f'<rect class="bar" x="{LABELS}" y="{bar_y:.1f}" width="{width:.1f}" height="{BAR - 2}" '
                         f'fill="{PALETTE[index % len(PALETTE)]}"><title>{escape(label)} · {escape(s.name)}: '
                         f"{escape(shown(value))}</title></rect>")
            parts.append(_text(LABELS + width + 4, bar_y + BAR - 3, shown(value), size=9))
    parts.append(f'<line x1="{LABELS}" y1="{top}" x2="{LABELS}" y2="{height - 4}" stroke="#555" stroke-width="1"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it was escaped above
