"""Delivery over time on the procurement page: for viewers of the money, a chart and a table of the months in which
something moved, named in the viewer's language; for others, nothing."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from tests.web.test_pages import sign_in

# The pages on SQLite only: tests/integration/test_delivery_over_time.py holds the figures on both engines.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PAGE = "/coalitions/it-coalition/procurement"


def _section(html: str) -> str:
    body = html[html.index('id="over-time"'):]
    return body[:body.index("</section>")]


def test_the_secretariat_sees_delivery_month_by_month_in_both_languages(client: TestClient, platform: Platform
                                                                        ) -> None:
    token = sign_in(client, "secretariat")
    section = _section(client.get(PAGE).text)
    months = re.findall(r'<tr><th scope="row">([^<]+)</th>', section)
    assert months[0] == "August 2024" and months[-1] == platform.clock().strftime("%B %Y"), "to this month"
    assert "February 2025" in months and "March 2025" not in months, "only the months in which something moved"
    assert 'id="chart-delivery"' in section and "€8,376,000.00" in section
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": PAGE})
    ukrainian = _section(client.get(PAGE).text)
    assert "Поставки в часі" in ukrainian and "серпень 2024" in ukrainian


def test_the_public_and_a_units_officer_see_no_delivery_over_time(client: TestClient) -> None:
    assert 'id="over-time"' not in client.get(PAGE).text
    sign_in(client, "ua-tu-1")
    assert 'id="over-time"' not in client.get(PAGE).text
