"""The server's SVG bar charts: a bar per label and series, widths in proportion to the values, every text escaped,
and a series that does not match its labels refused; printing fetches nothing from outside the report."""

from __future__ import annotations

import re
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]

from coalition.bootstrap import Platform
from coalition.entrypoints.web.svg import LABELS, VALUES, WIDTH, Series, bars

SVG = "{http://www.w3.org/2000/svg}"


def _shown(value: Decimal) -> str:
    return f"{value:,.2f} EUR"


def test_a_bar_per_label_and_series_in_proportion_to_its_value():
    chart = bars("Money <by> donor", ["Estonia", "Latvia & co", "<script>"],
                 [Series("pledged", [Decimal(100), Decimal(50), Decimal(0)]),
                  Series("received", [Decimal(25), Decimal(50), Decimal(10)])], _shown)
    root = etree.fromstring(str(chart).encode())  # well-formed XML: every text was escaped
    rects = root.findall(f"{SVG}rect[@class='bar']")
    assert len(rects) == 6
    widths = [float(r.get("width")) for r in rects]
    span = WIDTH - LABELS - VALUES
    assert widths == [span, span / 4, span / 2, span / 2, 0.0, span / 10]
    assert root.findtext(f"{SVG}title") == "Money <by> donor"
    assert "<script>" not in str(chart) and "Latvia &amp; co" in str(chart)
    assert rects[0].findtext(f"{SVG}title") == "Estonia · pledged: 100.00 EUR"
    assert len(root.findall(f"{SVG}rect[@class='key']")) == 2  # a legend for two series
    assert re.search(r'height="(\d+)"', str(chart))


def test_a_single_series_has_no_legend_and_all_zero_values_draw_empty_bars():
    chart = bars("Nothing yet", ["a", "b"], [Series("EUR", [Decimal(0), Decimal(0)])], _shown)
    root = etree.fromstring(str(chart).encode())
    assert not root.findall(f"{SVG}rect[@class='key']")
    assert [r.get("width") for r in root.findall(f"{SVG}rect[@class='bar']")] == ["0.0", "0.0"]


def test_a_series_must_have_a_value_per_label():
    with pytest.raises(ValueError, match="one value per label"):
        bars("t", ["a", "b"], [Series("x", [Decimal(1)])], _shown)


def test_printing_fetches_nothing_from_outside_the_report(tmp_path: Path) -> None:
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red }")
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        pdf = Platform.pdf(f'<link rel="stylesheet" href="{url}/a.css"><img src="{url}/b.png">'
                           f'<img src="{secret.as_uri()}"><p>only this</p>')
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF-") and asked == []
