"""The command line takes what the API takes, on SQLite and PostgreSQL alike: ids from 1 to 2**63 - 1, free
text by its field's rule, amounts below ten trillion. Anything else is one line naming the argument and the
rule, exit code 2, and nothing written."""

from __future__ import annotations

import json

import pytest

from coalition.adapters.tables import parties
from coalition.bootstrap import Platform
from coalition.domain.limits import DESCRIPTION, MAX_ID, NOTE
from tests.demo_copies import give_demo_world
from tests.integration.helpers import assert_refused, run

IN_KIND = ["in-kind", "add", "it-coalition", "LT", "420000", "EUR", "--fund", "it-coalition-fund", "--on",
           "2024-07-01", "--valuation", "book-value", "--valuation-source", "asset register"]


@pytest.fixture
def demo(platform: Platform) -> Platform:
    give_demo_world(platform, procurement=False)
    return platform


def test_an_id_beyond_64_bits_is_refused_naming_the_argument_and_one_above_32_bits_looked_up(
        demo: Platform, capsys: pytest.CaptureFixture[str]):
    for argv, name in ((["proposals", "show", str(MAX_ID + 1)], "'proposal'"),
                       (["ledger", "reverse", str(2**70), "--reason", "wrong fund"], "'entry'"),
                       (["allocation", "approve", "0"], "'plan'"),
                       (["priorities", "approve", "it-coalition", str(MAX_ID)], "'version'"),
                       (["receipts", "add", "it-coalition", "EE", "10", "EUR", "--fund", "it-coalition-fund", "--on",
                         "2025-01-06", "--fulfils", str(MAX_ID + 1)], "'--fulfils'")):
        assert_refused(demo, capsys, argv, 2, name)
    # Above 32 bits, an id is looked up like any other, and not found.
    assert_refused(demo, capsys, ["proposals", "show", "6874341783"], 3, "6874341783")
    assert_refused(demo, capsys, ["ledger", "entries", str(MAX_ID)], 3, str(MAX_ID))


def test_text_and_amounts_are_refused_beyond_their_rules_and_stored_within(demo: Platform,
                                                                          capsys: pytest.CaptureFixture[str]):
    assert_refused(demo, capsys, [*IN_KIND, "--description", "40 radios\x00"], 2, "description")
    assert_refused(demo, capsys, [*IN_KIND, "--description", "x" * (DESCRIPTION.max_length + 1)], 2,
                   f"description: must be at most {DESCRIPTION.max_length} characters")
    assert_refused(demo, capsys, ["members", "leave", "it-coalition", "NL", "--on", "2026-01-01", "--note",
                                  "n" * (NOTE.max_length + 1)], 2, "note")
    for name in ("NATO\nSupport", "NATO Support\n", "\tNATO Support"):  # inside or around: refused as the API does
        assert_refused(demo, capsys, ["parties", "add", "NSPA2", "--kind", "agency", "--name", name], 2,
                       "name: must not hold control characters")
    # Text at its limit is stored, multi-byte characters counted as characters.
    code, _, err = run(demo, capsys, *IN_KIND, "--description", "ї" * DESCRIPTION.max_length, "--ref", "LT-LONG")
    assert code == 0, err
    code, _, err = run(demo, capsys, "members", "leave", "it-coalition", "NL", "--on", "2026-01-01", "--note",
                       "ї" * NOTE.max_length)
    assert code == 0, err
    # An amount beyond what the ledger holds.
    assert_refused(demo, capsys, ["pledges", "add", "it-coalition", "EE", "99999999999999999999999999.00", "EUR",
                                  "--fund", "it-coalition-fund", "--on", "2025-01-06"], 2,
                   "amount: '99999999999999999999999999.00' has more than 13 digits before the decimal point")


def test_a_record_kept_before_the_rules_stays_readable(demo: Platform, capsys: pytest.CaptureFixture[str]):
    """Text is checked as it comes in, not as it is read back: a party named with a tab before the character
    rule existed is still listed and shown."""
    with demo.engine.begin() as connection:
        connection.execute(parties.insert(), {"code": "OLD-NAME", "kind": "agency", "name": "Kept\tbefore the rules",
                                              "illustrative": False})
    code, out, err = run(demo, capsys, "parties", "show", "OLD-NAME", "--json")
    assert code == 0, err
    assert json.loads(out)["name"] == "Kept\tbefore the rules"
    assert run(demo, capsys, "parties", "list")[0] == 0
