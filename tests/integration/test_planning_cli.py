"""Planning at the command line, and the allocation engine's machine interface."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coalition.bootstrap import Platform
from tests.demo_copies import give_demo_world
from tests.integration.helpers import allow_secretariat_approval, assert_refused, run

INSTANCE = {
    "currency": "EUR", "policy": "partial",
    "contributions": [{"id": "A", "amount": "100.00", "earmark": ["cybersecurity", "communications"]},
                      {"id": "B", "amount": "100.00", "earmark": ["cybersecurity"]},
                      {"id": "C", "amount": "50.00"}],
    "requirements": [{"id": "r1", "category": "cybersecurity", "amount": "100.00"},
                     {"id": "r2", "category": "communications", "amount": "100.00"},
                     {"id": "r3", "category": "cloud", "amount": "80.00"}],
}


@pytest.fixture
def demo(platform: Platform, capsys: pytest.CaptureFixture[str]) -> Platform:
    give_demo_world(platform, procurement=False)  # the command is tested on its own
    return platform


@pytest.fixture
def demo_with_shortcut(demo: Platform) -> Platform:
    allow_secretariat_approval(demo, "it-coalition")
    return demo


def test_allocate_finds_the_re_routing_a_waterfall_misses(platform: Platform, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path):
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(INSTANCE), encoding="utf-8")
    code, _, err = run(platform, capsys, "allocate", "--input", str(source), "--output", str(target))
    assert code == 0, err
    result = json.loads(target.read_text(encoding="utf-8"))
    assert result["requirements"] == [
        {"id": "r1", "funded": "100.00", "missing": "0.00", "fully_funded": True},
        {"id": "r2", "funded": "100.00", "missing": "0.00", "fully_funded": True},
        {"id": "r3", "funded": "50.00", "missing": "30.00", "fully_funded": False}]
    assert {(x["contribution"], x["requirement"], x["amount"]) for x in result["lines"]} == {
        ("B", "r1", "100.00"), ("A", "r2", "100.00"), ("C", "r3", "50.00")}
    assert result["unallocated"] == []
    assert result["signal"]["next_requirement"] == "r3"


@pytest.mark.parametrize(("change", "path"), [
    (lambda d: d["contributions"][1].update(amount=100), "contributions[1].amount"),
    (lambda d: d["contributions"][0].update(earmark="cyber"), "contributions[0].earmark"),
    (lambda d: d["requirements"][2].pop("category"), "requirements[2].category"),
    (lambda d: d["requirements"][0].update(amount="1.001"), "requirements[0].amount"),
    (lambda d: d.update(policy="greedy"), "policy"),
    (lambda d: d.update(currency="EURO"), "currency"),
    (lambda d: d["requirements"].append({"id": "r1", "category": "x", "amount": "1.00"}), "requirements[3].id"),
])
def test_malformed_input_names_the_path_of_the_bad_field(platform: Platform, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path, change, path: str):
    document = json.loads(json.dumps(INSTANCE))
    change(document)
    source = tmp_path / "in.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = run(platform, capsys, "allocate", "--input", str(source), "--output", str(tmp_path / "o.json"))
    assert code == 2
    assert err.startswith(f"error: {path}:")
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.json").exists()


def test_priorities_show_the_next_requirement_and_what_it_lacks(demo: Platform, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(demo, capsys, "priorities", "show", "it-coalition", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["version"] == 1
    assert [r["requirement"] for r in shown["ranks"]][:2] == ["CP-KIT-01", "CP-RADIO-02"]
    assert shown["next"]["requirement"] == "CP-KIT-05"
    code, out, _ = run(demo, capsys, "priorities", "diff", "it-coalition", "1", "2", "--json")
    assert {m["requirement"]: m["change"] for m in json.loads(out)}["CYBER-SOC-03"] == "up 1"


def test_approving_without_a_decision_is_refused_where_the_rules_require_one(
        demo: Platform, capsys: pytest.CaptureFixture[str]):
    assert run(demo, capsys, "receipts", "add", "it-coalition", "LU", "100.00", "EUR", "--fund",
               "it-coalition-fund", "--on", "2024-07-01")[0] == 0
    code, out, _ = run(demo, capsys, "allocation", "run", "it-coalition", "--json")
    assert code == 0
    plan = str(json.loads(out)["id"])
    assert_refused(demo, capsys, ["allocation", "approve", plan], 6, "needs a steering-group decision")


def test_run_show_approve_through_the_command_line(demo_with_shortcut: Platform,
                                                   capsys: pytest.CaptureFixture[str]):
    demo = demo_with_shortcut
    assert run(demo, capsys, "receipts", "add", "it-coalition", "LU", "995967.74", "EUR", "--fund",
               "it-coalition-fund", "--on", "2024-07-01", "--earmark", "areas:command-posts")[0] == 0
    code, out, _ = run(demo, capsys, "allocation", "run", "it-coalition", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["state"] == "proposed" and plan["priority_version"] == 1
    code, out, _ = run(demo, capsys, "allocation", "approve", str(plan["id"]))
    assert code == 0 and "reservations recorded" in out
    code, _, err = run(demo, capsys, "allocation", "approve", str(plan["id"]))
    assert code == 5 and "only a proposed plan" in err
    assert run(demo, capsys, "ledger", "check")[0] == 0
    assert run(demo, capsys, "audit", "verify")[0] == 0


@pytest.mark.parametrize(("argv", "exit_code", "message"), [
    (["requirements", "status", "CP-KIT-01", "closed"], 6, "status: CP-KIT-01 is fully-funded; it can move to"),
    (["priorities", "submit", "it-coalition", "CP-KIT-01", "GHOST"], 2, "ranks: rank 2: no requirement 'GHOST'"),
    (["priorities", "approve", "it-coalition", "7"], 3, "no priority list version 7"),
    (["allocation", "approve", "99"], 3, "plan: no allocation plan 99"),
    (["requirements", "add", "it-coalition", "X-1", "--title", "T", "--area", "space", "--quantity", "1",
      "--unit", "u", "--unit-cost", "1.00"], 3, "area: no capability area with code 'space'"),
    (["requirements", "add", "it-coalition", "X-1", "--title", "T", "--area", "cloud", "--quantity", "0",
      "--unit", "u", "--unit-cost", "1.00"], 2, "quantity: 0 must be a positive number of units"),
])
def test_bad_planning_input_is_refused_in_one_line(demo: Platform, capsys: pytest.CaptureFixture[str],
                                                  argv: list[str], exit_code: int, message: str):
    assert_refused(demo, capsys, argv, exit_code, message)
