"""Money by stage on the pages: how much reached each stage (each at most the one before) beside where the money
is now; and the public's money, from public records only."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

from fastapi.testclient import TestClient

from tests.web.test_pages import IT, client, csrf, sign_in  # noqa: F401  (the client fixture)


def table(html: str, name: str) -> str:
    """One table of the page, by its id."""
    body = html[html.index(f'id="{name}"'):]
    return body[:body.index("</table>")]


def amounts(html: str, name: str) -> list[tuple[str, Decimal]]:
    """The rows of one table of the page: the row's name and its (first) amount."""
    body = table(html, name)
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', body)
    return [(name, Decimal(re.sub(r"[^\d.]", "", value.replace("\u202f", "")))) for name, value in rows]


def amounts_column(html: str, name: str, column: int) -> list[tuple[str, Decimal]]:
    """The rows of one table with the amount in its ``column``-th number cell (0 the first)."""
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td class="num">[^<]+</td>)+)</tr>', table(html, name))
    found = []
    for name_, cells in rows:
        values = re.findall(r'<td class="num">([^<]+)</td>', cells)
        found.append((name_, Decimal(re.sub(r"[^\d.]", "", values[column]))))
    return found


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


def test_the_public_sees_totals_per_donor_and_year_from_public_records_the_same_everywhere(
        client: TestClient) -> None:  # noqa: F811
    overview = client.get(IT).text
    assert "Public totals per donor and per year" in overview and "From public records" in overview
    by_donor = amounts(overview, "public-by-donor")
    by_year = amounts(overview, "public-by-year")
    assert by_donor and by_year
    ledger = client.get(f"{IT}/ledger").text
    assert amounts(ledger, "public-by-donor") == by_donor  # one policy: the same public totals on every page
    assert "Netherlands" not in table(overview, "public-by-donor")  # its pledge is restricted
    priorities = client.get(f"{IT}/priorities").text
    assert f'href="{IT}#public-money"' in priorities and "sign in to see it" not in priorities
    assert "sign in to see it" not in overview

    sign_in(client, "secretariat")  # the members' figures count every record; the public totals stay public
    member = client.get(IT).text
    assert "Netherlands" not in table(member, "public-by-donor")
    assert amounts(member, "public-by-donor") == by_donor
    reached = dict(amounts(member, "table-reached"))
    public_received = sum(value for _, value in amounts_column(member, "public-by-donor", 3))
    assert public_received <= reached["received"]


def test_the_public_totals_are_in_ukrainian_too(client: TestClient) -> None:  # noqa: F811
    token = csrf(client, "/")
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": IT})
    page = client.get(IT).text
    assert "Публічні підсумки за донорами та роками" in page and "З публічних записів" in page
    assert "Естонія" in table(page, "public-by-donor")


def test_the_donor_statement_shows_the_money_that_reached_each_stage_beside_where_it_is_now(
        client: TestClient) -> None:  # noqa: F811
    sign_in(client, "ee-desk")
    html = client.get("/donors/EE").text
    head = re.findall(r'<th scope="col" class="num">([^<]+)</th>', table(html, "reached-it-coalition"))
    values = [Decimal(re.sub(r"[^\d.]", "", v)) for v in
              re.findall(r'<td class="num">([^<]+)</td>', table(html, "reached-it-coalition"))]
    assert head == ["received", "reserved", "contracted", "disbursed"]
    assert values[0] > 0 and values == sorted(values, reverse=True), values
    now = re.findall(r'<td class="num">([^<]+)</td>', table(html, "now-it-coalition"))
    assert len(now) == 8  # every measure where it sits now
    assert "Where the money is now" in html and "Money that reached each stage" in html


def test_the_ledger_shows_money_over_time_by_month_and_year_to_whom_reads_the_money(
        client: TestClient) -> None:  # noqa: F811
    assert "Over time" not in client.get(f"{IT}/ledger").text, "not to the public"
    token = sign_in(client, "lv-desk")
    html = client.get(f"{IT}/ledger").text
    assert 'id="chart-over-time"' in html and "Money to date, month by month" in html
    rows = amounts_column(html, "over-time", 2)  # received per year, then to date
    years, (last, received_to_date) = rows[:-1], rows[-1]
    assert years and all(re.fullmatch(r"\d{4}", year) for year, _ in years) and last == "To date"
    assert received_to_date == sum(value for _, value in years) > 0
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": f"{IT}/ledger"})
    ukrainian = client.get(f"{IT}/ledger").text
    assert "У часі" in ukrainian and "Наростаючим підсумком" in ukrainian
    assert client.get(f"{IT}/ledger", params={"on": "2025-01-31"}).text.count("chart-over-time") == 0
