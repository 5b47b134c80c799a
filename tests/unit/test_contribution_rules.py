"""The one rulebook of a new contribution: every bad cell of a row named, the same rules for a request and a file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coalition.domain import contribution_rules as rules
from coalition.domain.contributions import Confidentiality, ContributionKind, Earmark, Visibility
from coalition.domain.errors import Conflict, InvalidInput, NotFound
from coalition.domain.fx import MissingRate
from coalition.domain.money import Money


class Store:
    """What a small registry knows; each question counted, to show the snapshot asks each once."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def reporting_currency(self, coalition: str) -> str | None:
        self.asked.append(("coalition", coalition))
        return "EUR" if coalition == "it-coalition" else None

    def fund_coalition(self, fund: str) -> str | None:
        return {"it-fund": "it-coalition", "drone-fund": "drone-coalition"}.get(fund)

    def is_party(self, code: str) -> bool:
        self.asked.append(("party", code))
        return code in {"EE", "LV", "LU"}

    def is_area(self, code: str) -> bool:
        return code == "cyber"

    def by_reference(self, coalition: str, reference: str) -> rules.Stored | None:
        return rules.Stored(7, "pledge", coalition, "EE", "it-fund", 100_00, "EUR", date(2025, 1, 1)) \
            if reference == "EE-P1" else None

    def by_id(self, id: int) -> rules.Stored | None:
        kind = {7: "pledge", 8: "receipt"}.get(id)
        return None if kind is None else rules.Stored(id, kind, "it-coalition", "EE", "it-fund", 100_00, "EUR",
                                                      date(2025, 1, 1))

    def rate(self, base: str, quote: str, on: date) -> tuple[Decimal, date, str]:
        if base == quote:
            return Decimal(1), on, "same currency"
        if base == "USD" and on >= date(2025, 1, 2):
            return Decimal("0.9"), date(2025, 1, 2), "ECB"
        raise MissingRate(f"no exchange rate from {base} to {quote} on or before {on}", field="currency")


def cells(**changes: str) -> rules.Cells:
    return rules.Cells("receipt", "R-1", "it-coalition", "it-fund", "EE", "1000.00", "EUR", "2025-02-03")._replace(
        **changes)


def test_every_bad_cell_of_a_row_is_named_with_its_rule():
    found = rules.check(5, cells(kind="gift", fund="moon-fund", donor="XX", amount="abc", currency="EURO",
                                 value_date="3 Feb", earmark="areas:space", visibility="secret"),
                        rules.Snapshot(Store(), rules.FILE))
    named = {(e.column, e.error) for e in found.errors}
    assert named == {("kind", InvalidInput), ("fund", NotFound), ("donor", NotFound), ("amount", InvalidInput),
                     ("currency", InvalidInput), ("value_date", InvalidInput), ("earmark", NotFound),
                     ("visibility", InvalidInput)}
    assert all(e.row == 5 for e in found.errors)


def test_a_request_and_a_file_meet_the_same_rules_but_the_reference():
    for path in (rules.REQUEST, rules.FILE):
        good = rules.check(1, cells(currency="USD"), rules.Snapshot(Store(), path))
        assert good.errors == [] and good.reporting_units == 900_00 and good.rate == (Decimal("0.9"),
                                                                                     date(2025, 1, 2), "ECB")
    request = rules.check(1, cells(external_ref=""), rules.Snapshot(Store(), rules.REQUEST))
    file = rules.check(1, cells(external_ref=""), rules.Snapshot(Store(), rules.FILE))
    assert request.errors == [] and [e.column for e in file.errors] == ["external_ref"]


def test_a_stored_reference_is_refused_to_a_request_and_left_alone_in_a_file_with_the_same_values():
    same = cells(kind="pledge", external_ref="EE-P1", amount="100.00", value_date="2025-01-01")
    assert rules.check(1, same, rules.Snapshot(Store(), rules.FILE)).unchanged
    (refused,) = rules.check(1, same, rules.Snapshot(Store(), rules.REQUEST)).errors
    assert refused.error is Conflict and refused.column == "external_ref"
    (other,) = rules.check(1, same._replace(amount="101.00"), rules.Snapshot(Store(), rules.FILE)).errors
    assert "with other values" in other.rule


def test_parents_missing_rates_and_confidentiality_are_named():
    snapshot = rules.Snapshot(Store(), rules.REQUEST)
    (parent,) = rules.check(1, cells(parent="#8"), snapshot).errors
    assert parent.column == "parent" and "is a receipt; a receipt fulfils a commitment or pledge" in parent.rule
    (rate,) = rules.check(1, cells(currency="USD", value_date="2024-12-31"), snapshot).errors
    assert rate.error is MissingRate and "on or before 2024-12-31" in rate.rule
    (secret,) = rules.check(1, cells(visibility="restricted", restricted_to="LV;ZZ"), snapshot).errors
    assert secret.column == "restricted_to" and "ZZ" in secret.rule


def test_a_snapshot_asks_the_store_each_question_once():
    store = Store()
    snapshot = rules.Snapshot(store, rules.FILE)
    for number in range(100):
        rules.check(number, cells(external_ref=f"R-{number}", visibility="restricted", restricted_to="LV"),
                    snapshot)
    assert store.asked.count(("coalition", "it-coalition")) == 1
    assert store.asked.count(("party", "LV")) == 1


def test_a_request_written_as_cells_reads_back_as_it_was():
    written = rules.Cells.of(ContributionKind.RECEIPT, "it-coalition", "it-fund", "EE", Money(Decimal("12.50"), "EUR"),
                             date(2025, 2, 3), earmark=Earmark.parse("areas:cyber"),
                             confidentiality=Confidentiality(Visibility.RESTRICTED, ("EE", "LU")), parent=7)
    found = rules.check(1, written, rules.Snapshot(Store(), rules.REQUEST))
    assert found.errors == [] and found.units == 1250 and found.earmark == "areas:cyber"
    assert found.confidentiality == Confidentiality(Visibility.RESTRICTED, ("EE", "LU"))
    assert found.parent is not None and found.parent.id == 7
