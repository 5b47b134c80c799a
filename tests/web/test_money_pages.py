"""Money by stage on the pages: how much reached each stage (each at most the one before) beside where the money
is now; and the public's money, from public records only."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

from fastapi.testclient import TestClient

from tests.web.test_pages import IT, client, sign_in  # noqa: F401  (the client fixture)


def amounts(html: str, table: str) -> list[tuple[str, Decimal]]:
    """The rows of one table of the page: the row's name and its amount."""
    body = html[html.index(f'id="{table}"'):]
    body = body[:body.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', body)
    return [(name, Decimal(re.sub(r"[^\d.]", "", value.replace("\u202f", "")))) for name, value in rows]


def test_the_overview_shows_the_money_that_reached_each_stage_each_at_most_the_one_before(
        client: TestClient) -> None:  # noqa: F811
    sign_in(client, "lv-desk")
    html = client.get(IT).text
    reached = amounts(html, "table-reached")
    assert [name for name, _ in reached][:5] == ["received", "reserved", "contracted", "disbursed", "delivered"]
    flow = [value for _, value in reached[:4]]
    assert flow[0] > 0 and all(later <= earlier for earlier, later in itertools.pairwise(flow))
    assert reached[4][1] <= reached[2][1]  # units sign for what was contracted
    now = dict(amounts(html, "table-now"))
    assert list(now) == ["pledged", "committed", "available", "reserved", "contracted", "disbursed"]
    # the money paid in is where it sits now plus everything that went past it
    assert flow[0] == now["available"] + now["reserved"] + now["contracted"] + now["disbursed"]
    assert "Money that reached each stage" in html and "Where the money is now" in html
