"""The ledger's list of contributions narrowed by donor, currency, earmark and value dates, sorted by its columns,
paged, each view at an address of its own; a list narrowed or sorted by what a restricted record hides holds only
the records the viewer may see in full; a bad range is refused in the viewer's language."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.domain.contributions import Confidentiality, Contribution, ContributionKind, Earmark
from coalition.domain.money import Money
from coalition.services import funding
from tests.web.test_pages import sign_in

# The pages on SQLite only: the repository contract suite holds the filters and orders on both engines.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

LEDGER = "/coalitions/it-coalition/ledger"
ROW = re.compile(r'<tr(?: class="masked")?>\s*<td>(\d+)</td>')


def _listed(client: TestClient, query: str) -> tuple[list[int], str]:
    page = client.get(f"{LEDGER}?{query}")
    assert page.status_code == 200, page.text[:300]
    section = page.text[page.text.index('id="contribs"'):]
    return [int(n) for n in ROW.findall(section)], section


def _api(client: TestClient, query: str) -> list[dict[str, object]]:
    found = client.get(f"/api/v1/contributions?coalition=it-coalition&limit=500&{query}")
    assert found.status_code == 200
    return list(found.json()["items"])


def test_the_secretariat_narrows_by_currency_donor_and_dates_as_the_api_does(client: TestClient) -> None:
    sign_in(client, "secretariat")
    everything = _api(client, "")
    for query, keep in (("currency=DKK", lambda c: c["amount"]["currency"] == "DKK"),
                        ("donor=EE", lambda c: c["donor"] == "EE"),
                        ("earmark=none", lambda c: c["earmark"]["kind"] == "none"),
                        ("value_from=2025-01-01&value_to=2025-06-30",
                         lambda c: "2025-01-01" <= str(c["value_date"]) <= "2025-06-30")):
        expected = [c["id"] for c in everything if keep(c)]
        shown, section = _listed(client, query)
        assert expected and shown == expected, query
        assert f"{len(expected)} contribution" in section
        assert [c["id"] for c in _api(client, query)] == expected


def test_sorting_by_a_column_orders_the_rows_and_says_so_and_a_second_click_reverses(client: TestClient) -> None:
    sign_in(client, "secretariat")
    by_amount = sorted(_api(client, ""), key=lambda c: (Decimal(str(c["reporting"]["amount"]["amount"])),  # type: ignore[index]
                                                          c["id"]))
    shown, section = _listed(client, "order=amount")
    assert shown == [c["id"] for c in by_amount]
    assert 'aria-sort="ascending"' in section
    again = re.search(r'aria-sort="ascending"><a href="([^"#]+)', section)
    assert again is not None and "descending=true" in again.group(1)
    reversed_rows, reversed_section = _listed(client, again.group(1).split("?", 1)[1].replace("&amp;", "&"))
    assert reversed_rows == shown[::-1] and 'aria-sort="descending"' in reversed_section


def test_the_public_sorted_by_amount_sees_no_restricted_record_and_is_told_why(client: TestClient) -> None:
    shown, section = _listed(client, "")
    masked = '<tr class="masked">'
    assert masked in section, "the list as recorded counts the restricted pledge, masked"
    sorted_rows, sorted_section = _listed(client, "order=amount")
    assert masked not in sorted_section and len(sorted_rows) < len(shown)
    assert "only the records you may see in full" in sorted_section
    assert any(c["masked"] for c in _api(client, "")), "listed as recorded, the restricted pledge is counted"
    assert not any(c["masked"] for c in _api(client, "currency=EUR")), "narrowed by currency, it would be told"


def test_a_sorted_list_pages_by_offset_without_losing_or_repeating_a_row(client: TestClient, platform: Platform
                                                                         ) -> None:
    for n in range(60):
        funding.record_contribution(platform.uow(), platform.operator(), Contribution(
            ContributionKind.RECEIPT, "it-coalition", "it-coalition-fund", "LV", Money.parse(f"{100 + n}.00", "EUR"),
            date(2025, 3, 1), Earmark(), Confidentiality(), f"LV-SORT-{n}"))
    sign_in(client, "secretariat")
    first, section = _listed(client, "order=value-date&descending=true")
    following = re.search(r'<a href="[^"?]*\?([^"#]+)#contribs" rel="next"', section)
    assert len(first) == 50 and following is not None and "offset=50" in following.group(1)
    second, _ = _listed(client, following.group(1).replace("&amp;", "&"))
    whole = [c["id"] for c in _api(client, "order=value-date&descending=true")]
    assert first + second == whole


def test_a_range_that_ends_before_it_starts_is_refused_naming_the_field_in_ukrainian(client: TestClient) -> None:
    token = sign_in(client, "secretariat")
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": "/"})
    refused = client.get(f"{LEDGER}?value_from=2025-05-01&value_to=2025-01-01")
    assert refused.status_code == 422
    assert "value_to" in refused.text and "раніше" in refused.text
