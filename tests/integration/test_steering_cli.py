"""The steering group at the command line."""

from __future__ import annotations

import json

import pytest

from coalition.bootstrap import Platform
from tests.demo_copies import give_demo_world
from tests.integration.helpers import assert_refused, run


@pytest.fixture
def demo(platform: Platform, capsys: pytest.CaptureFixture[str]) -> Platform:
    give_demo_world(platform, procurement=False)  # the command is tested on its own
    return platform


def test_the_demo_records_the_first_meeting_and_its_decisions(demo: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(demo, capsys, "decisions", "list", "it-coalition", "--json")
    found = json.loads(out)
    assert code == 0 and [d["outcome"] for d in found] == ["approved", "approved"]
    assert found[0]["tally"]["decided_on"] == "2024-02-02"
    assert found[0]["effects"] == ["priority list version 1 approved and active"]
    code, out, _ = run(demo, capsys, "meetings", "show", "1", "--markdown")
    assert code == 0 and out.startswith("# First steering-group meeting") and "- NATO (observer)" in out


def test_open_vote_close_through_the_command_line(demo: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, err = run(demo, capsys, "proposals", "open", "it-coalition", "approve-priority-list", "--title",
                         "Approve v2", "--payload", '{"version": 2}', "--written", "--json")
    assert code == 0, err
    proposal = str(json.loads(out)["id"])
    for party in ("EE", "LU", "BE", "DK", "IS", "IT", "LV", "LT", "NL"):
        assert run(demo, capsys, "proposals", "vote", proposal, party, "for")[0] == 0
    code, out, _ = run(demo, capsys, "proposals", "close", proposal)
    assert code == 0 and "approved" in out and "priority list version 2 approved and active" in out
    assert run(demo, capsys, "audit", "verify")[0] == 0


def test_an_observer_vote_is_refused_naming_the_rule(demo: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(demo, capsys, "proposals", "open", "it-coalition", "approve-priority-list", "--title",
                       "Approve v2", "--payload", '{"version": 2}', "--written", "--json")
    assert code == 0
    proposal = str(json.loads(out)["id"])
    assert_refused(demo, capsys, ["proposals", "vote", proposal, "NATO", "for"], 4,
                   "NATO is observer; under the coalition's rules only lead nation and member vote")
    assert_refused(demo, capsys, ["proposals", "vote", proposal, "GB", "against"], 4,
                   "GB is declaration-of-intent signatory")


@pytest.mark.parametrize(("argv", "exit_code", "message"), [
    (["proposals", "open", "it-coalition", "approve-plan", "--title", "x", "--payload", '{"plan": 99}',
      "--written"], 3, "payload.plan: it-coalition has no allocation plan 99"),
    (["proposals", "open", "it-coalition", "approve-plan", "--title", "x", "--payload", '{"plan": 1}'], 2,
     "procedure: choose exactly one of --meeting, --written and --silence-until"),
    (["proposals", "open", "it-coalition", "dissolve", "--title", "x", "--payload", "{}", "--written"], 2,
     "kind: 'dissolve' is not one of"),
    (["proposals", "close", "1"], 5, "proposal 1 is already decided"),
    (["meetings", "create", "it-coalition", "--on", "2023-01-01", "--title", "Early", "--place", "Tallinn",
      "--attendee", "EE"], 6, "EE is not a member of it-coalition on 2023-01-01"),
])
def test_bad_steering_input_is_refused_in_one_line(demo: Platform, capsys: pytest.CaptureFixture[str],
                                                  argv: list[str], exit_code: int, message: str):
    assert_refused(demo, capsys, argv, exit_code, message)
