"""The transactional outbox on a real database: a proposal opened for a vote reaches the voting members' users by
email (a local SMTP server, in each user's language), in the pages, and their party's webhook receiver, signed; a
decision taken follows; a change that rolls back sends nothing; a replayed request is refused by the receiver; a
worker killed with SIGKILL between sending and noting it leaves the delivery to the next worker, which sends it
again with the same event id, and the receiver that keeps ids acts on it once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.bootstrap import Platform
from coalition.domain.access import Grant, Role
from coalition.domain.notifications import EventType
from coalition.domain.steering import Procedure, ProposalKind, Vote
from coalition.entrypoints.jobs import JobRunner
from coalition.services import identity, notifications, steering
from coalition.services.audit import verify_audit_deep
from coalition.services.identity import actor_for_user
from tests.demo_copies import give_demo_world
from tests.integration.helpers import run
from tests.integration.receivers import Receiver, SmtpServer

IT = "it-coalition"
VOTING_MEMBERS = ("EE", "LU", "BE", "DK", "IS", "IT", "LV", "LT", "NL")
COMMAND = [sys.executable, "-m", "coalition"]


@pytest.fixture
def world(platform: Platform) -> Platform:
    give_demo_world(platform, procurement=False, users=True)
    JobRunner(platform).deliverer.drain()  # the demo world's own events (notifications in the pages)
    return platform


def _open(platform: Platform) -> int:
    proposal = steering.open_proposal(
        platform.uow(), platform.operator(), coalition=IT, kind=ProposalKind.APPROVE_PRIORITY_LIST,
        title="Approve priority list v2", payload={"version": 2}, procedure=Procedure.WRITTEN,
        deadline=platform.clock() + timedelta(days=7))
    assert proposal.id is not None
    return proposal.id


def _outbox(platform: Platform) -> list[tuple[str, str]]:
    with platform.engine.connect() as c:
        return [(r.event_id, r.type) for r in c.execute(sa.select(t.outbox).order_by(t.outbox.c.id))]


def _subscribe(platform: Platform, receiver: Receiver, party: str = "EE") -> int:
    added = notifications.add_subscription(platform.uow(), platform.operator(), party=party, url=receiver.url,
                                           types={EventType.PROPOSAL_OPENED, EventType.DECISION_TAKEN})
    receiver.secret = added.secret
    assert added.subscription.id is not None
    return added.subscription.id


def test_a_vote_reaches_email_in_each_language_the_pages_and_a_signed_webhook(world: Platform):
    operator = world.operator()
    notifications.set_contact(world.uow(), operator, "ee-desk", email="desk@mod.ee")
    notifications.set_contact(world.uow(), operator, "lv-desk", email="desk@mod.lv")
    identity.set_language(world.uow(), actor_for_user(world.uow(read_only=True), "ee-desk"), "uk")
    unread = {user: notifications.unread(world.uow(read_only=True), actor_for_user(world.uow(read_only=True), user))
              for user in ("ee-desk", "ua-mod")}
    with SmtpServer() as smtp, Receiver() as receiver:
        world.settings = world.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port})
        _subscribe(world, receiver)
        proposal = _open(world)
        turn = JobRunner(world).deliverer.drain()
        assert turn.fanned_out == 1 and turn.failed == 0

        by_address = {m["To"]: m for m in smtp.messages}
        assert set(by_address) == {"desk@mod.ee", "desk@mod.lv"}
        assert by_address["desk@mod.lv"]["Subject"] == "Proposal open for your vote: Approve priority list v2"
        ukrainian = by_address["desk@mod.ee"]
        assert ukrainian["Content-Language"] == "uk"
        assert ukrainian["Subject"].startswith("Пропозиція") and "Approve priority list v2" in ukrainian["Subject"]
        assert f"{proposal}" in ukrainian.get_content()

        assert len(receiver.received) == 1 and receiver.refused == []
        event_id, headers, body = receiver.received[0]
        sent = json.loads(body)
        assert sent["id"] == event_id == receiver.kept[0] and sent["type"] == "proposal-opened"
        assert sent["data"]["proposal"] == proposal and headers["Coalition-Event-Type"] == "proposal-opened"

        ee = actor_for_user(world.uow(read_only=True), "ee-desk")
        assert notifications.unread(world.uow(read_only=True), ee) == unread["ee-desk"] + 1
        assert notifications.notices(world.uow(read_only=True), ee)[0].facts["proposal"] == proposal
        ua = actor_for_user(world.uow(read_only=True), "ua-mod")  # the recipient does not vote
        assert notifications.unread(world.uow(read_only=True), ua) == unread["ua-mod"]
        assert notifications.mark_read(world.uow(), ee) == unread["ee-desk"] + 1
        assert notifications.unread(world.uow(read_only=True), ee) == 0

        # the same request again, five minutes and a second later: a replay, refused
        receiver.clock_offset = 301
        replayed = httpx.post(receiver.url, content=body, headers={k: v for k, v in headers.items()
                                                                   if k.startswith("Coalition-")})
        assert replayed.status_code == 400 and receiver.refused == [event_id]
        receiver.clock_offset = 0

        for party in VOTING_MEMBERS:
            steering.cast_vote(world.uow(), operator, proposal, party, Vote.FOR)
        steering.close_proposal(world.uow(), operator, proposal)
        JobRunner(world).deliverer.drain()
        assert [json.loads(b)["type"] for _, _, b in receiver.received[-1:]] == ["decision-taken"]
        assert len(receiver.kept) == 2
    assert verify_audit_deep(world.uow(read_only=True), operator).ok


def test_a_change_that_rolls_back_writes_no_event_and_sends_nothing(world: Platform):
    uow = world.uow()

    def refuse() -> None:
        raise RuntimeError("the commit fails")

    uow.commit = refuse  # type: ignore[method-assign]
    with Receiver() as receiver:
        _subscribe(world, receiver)
        before = _outbox(world)
        with pytest.raises(RuntimeError):
            steering.open_proposal(uow, world.operator(), coalition=IT, kind=ProposalKind.APPROVE_PRIORITY_LIST,
                                   title="Never opened", payload={"version": 2}, procedure=Procedure.WRITTEN,
                                   deadline=world.clock() + timedelta(days=7))
        assert _outbox(world) == before
        assert not JobRunner(world).deliverer.drain().busy
        assert receiver.received == []
        _open(world)
        assert [kind for _, kind in _outbox(world)[len(before):]] == ["proposal-opened"]


def _env(platform: Platform) -> dict[str, str]:
    return {**os.environ, "COALITION_DATABASE_URL": platform.settings.resolved_database_url,
            "COALITION_DATA_DIR": str(platform.settings.data_dir), "COALITION_OPERATOR": "tester",
            "COALITION_JOB_LEASE_SECONDS": "2"}


def _delivery(platform: Platform) -> sa.Row:
    with platform.engine.connect() as c:
        return c.execute(sa.select(t.deliveries)).one()


def test_a_worker_killed_between_sending_and_noting_it_sends_again_with_the_same_event_id(world: Platform):
    hold = threading.Event()
    with Receiver(hold=hold) as receiver:
        _subscribe(world, receiver)
        _open(world)
        worker = subprocess.Popen([*COMMAND, "worker", "--idle", "0.2"], env=_env(world), stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        try:
            assert receiver.arrived.wait(120), "the worker did not send the webhook"
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
        hold.set()  # the receiver acts on the event and answers a worker that is gone
        unnoted = _delivery(world)
        assert unnoted.status == "pending" and unnoted.attempts == 1 and unnoted.worker is not None

        receiver.hold = None
        again = subprocess.run([*COMMAND, "worker", "--once"], env=_env(world), capture_output=True, text=True,
                               timeout=300)
        assert again.returncode == 0, again.stdout + again.stderr
        ids = [event_id for event_id, _, _ in receiver.received]
        assert len(ids) == 2 and ids[0] == ids[1], "the same event, sent twice"
        assert receiver.kept == [ids[0]] and receiver.refused == [], "acted on once"
        delivered = _delivery(world)
        assert delivered.status == "delivered" and delivered.attempts == 2 and delivered.status_code == 200


def test_webhooks_and_notification_choices_on_the_command_line(world: Platform, capsys, monkeypatch):
    capsys.readouterr()
    with Receiver() as receiver:
        code, out, err = run(world, capsys, "webhooks", "add", "EE", receiver.url, "--events",
                             "proposal-opened,decision-taken", "--json")
        assert code == 0, err
        added = json.loads(out)
        receiver.secret = added["secret"]
        assert added["secret"].startswith("whsec_") and added["events"] == ["decision-taken", "proposal-opened"]
        code, out, _ = run(world, capsys, "webhooks", "list", "--json")
        assert code == 0 and "secret" not in out and json.loads(out)[0]["url"] == receiver.url
        code, _, err = run(world, capsys, "webhooks", "add", "EE", receiver.url, "--events", "no-such-event")
        assert code != 0 and "events" in err and "proposal-opened" in err
        code, _, err = run(world, capsys, "webhooks", "add", "EE", "ftp://example.org/x")
        assert code != 0 and "url" in err

        code, _, err = run(world, capsys, "users", "set-email", "ee-desk", "not an address")
        assert code != 0 and "email" in err
        assert run(world, capsys, "users", "set-email", "ee-desk", "desk@mod.ee")[0] == 0
        code, out, _ = run(world, capsys, "users", "notifications", "ee-desk", "--email", "decision-taken",
                           "--page", "none", "--json")
        assert code == 0 and json.loads(out) == {"username": "ee-desk", "email": "desk@mod.ee",
                                                 "email_events": "decision-taken", "page_events": "none"}

        _open(world)
        code, out, _ = run(world, capsys, "worker", "--once")
        assert code == 0 and "1 delivered" in " ".join(out.split())
        code, out, _ = run(world, capsys, "webhooks", "deliveries", "--subscription", str(added["id"]), "--json")
        log = json.loads(out)
        assert code == 0 and [(d["status"], d["status_code"], d["attempts"]) for d in log] == [("delivered", 200, 1)]
        assert run(world, capsys, "webhooks", "resend", str(log[0]["id"]))[0] == 0
        run(world, capsys, "worker", "--once")
        assert [e for e, _, _ in receiver.received] == [log[0]["event_id"]] * 2 and len(receiver.kept) == 1

        code, out, _ = run(world, capsys, "webhooks", "disable", str(added["id"]))
        assert code == 0
        _open(world)
        run(world, capsys, "worker", "--once")
        assert len(receiver.received) == 2, "nothing is sent to a disabled subscription"
    ee = actor_for_user(world.uow(read_only=True), "ee-desk")
    assert all(n.facts.get("title") != "Approve priority list v2" or n.type is not EventType.PROPOSAL_OPENED
               for n in notifications.notices(world.uow(read_only=True), ee)), "ee-desk chose none in the pages"


def test_a_subscription_whose_deliveries_keep_failing_is_disabled(world: Platform, monkeypatch):
    monkeypatch.setattr("coalition.adapters.outbox.DISABLE_AFTER", 3)
    receiver = Receiver()  # never started: nothing listens on its port
    subscription = _subscribe(world, receiver)
    _open(world)
    runner = JobRunner(world)
    for _ in range(3):
        runner.deliverer.drain()
        failed = _delivery(world)
        assert failed.status == "pending" and failed.status_code is None and failed.last_error
        notifications.resend(world.uow(), world.operator(), failed.id)
    stored = world.uow(read_only=True)
    with stored:
        found = stored.outbox.subscription(subscription)
    assert found is not None and not found.active and "3 failed deliveries" in found.note


def _events(platform: Platform, type: str) -> list[dict[str, object]]:
    with platform.engine.connect() as c:
        return [json.loads(r.body) for r in c.execute(sa.select(t.outbox).where(t.outbox.c.type == type))]


def test_a_silence_procedure_closing_within_48_hours_is_announced_once(world: Platform):
    proposal = steering.open_proposal(
        world.uow(), world.operator(), coalition=IT, kind=ProposalKind.APPROVE_PRIORITY_LIST,
        title="Approve priority list v2", payload={"version": 2}, procedure=Procedure.SILENCE,
        deadline=world.clock() + timedelta(hours=72))
    runner = JobRunner(world)
    assert runner.deliverer.drain().announced == 0, "72 hours ahead: not yet"
    world.clock.now += timedelta(hours=30)  # type: ignore[attr-defined]
    assert runner.deliverer.drain().announced == 1
    assert JobRunner(world).deliverer.drain().announced == 0, "once, whichever worker looks"
    [announced] = _events(world, "silence-closing")
    assert announced["facts"]["proposal"] == proposal.id and set(announced["parties"]) == set(VOTING_MEMBERS)


def test_an_arrival_tells_the_receiving_unit_and_a_payment_tells_its_donors_without_amounts(platform: Platform):
    give_demo_world(platform)
    arrived = _events(platform, "shipment-arrived")
    assert arrived and all(e["parties"] and e["facts"]["shipment"] for e in arrived)
    assert any("UA-TU-1" in e["parties"] for e in arrived)
    paid = _events(platform, "payment-disbursed")
    assert paid and all(set(e["facts"]) == {"payment", "contract", "paid_on"} and e["parties"] for e in paid)


def test_an_import_that_ends_tells_who_queued_it_in_the_same_transaction_as_its_end(world: Platform):
    bad = b"kind,external_ref,coalition,fund,donor,amount,currency,value_date\n" \
          b"pledge,BAD-1,it-coalition,it-coalition-fund,XX,1.001,EUR,2025-01-06\n"
    job = world.jobs.enqueue(kind="import-contributions", owner="secretariat", filename="bad.csv", payload=bad)
    runner = JobRunner(world)
    ended = runner.run_one()
    assert ended is not None and ended.status == "rejected"
    [told] = _events(world, "import-finished")
    assert told["users"] == ["secretariat"] and told["facts"]["job"] == job.id
    assert told["facts"]["status"] == "rejected" and told["parties"] == []
    runner.deliverer.drain()
    secretariat = actor_for_user(world.uow(read_only=True), "secretariat")
    newest = notifications.notices(world.uow(read_only=True), secretariat)[0]
    assert newest.type is EventType.IMPORT_FINISHED and newest.facts["filename"] == "bad.csv"


def test_a_user_made_an_expert_reviewer_of_a_coalition_is_told_once_in_their_language(world: Platform):
    operator = world.operator()
    notifications.set_contact(world.uow(), operator, "expert-1", email="expert-1@review.example")
    identity.set_language(world.uow(), actor_for_user(world.uow(read_only=True), "expert-1"), "uk")
    before = len(_events(world, "expert-assigned"))
    expert = actor_for_user(world.uow(read_only=True), "expert-1")
    grants = frozenset({*expert.grants, Grant(Role.EXPERT_REVIEWER, "drone-coalition")})
    with SmtpServer() as smtp:
        world.settings = world.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port})
        identity.set_grants(world.uow(), operator, "expert-1", grants)
        identity.set_grants(world.uow(), operator, "expert-1", grants)  # the same roles again: nothing new
        JobRunner(world).deliverer.drain()
        [told] = _events(world, "expert-assigned")[before:]
        assert told["users"] == ["expert-1"] and told["facts"]["coalition"] == "drone-coalition"
        [mail] = smtp.messages
        assert mail["To"] == "expert-1@review.example" and mail["Content-Language"] == "uk"
        assert "drone-coalition" in mail["Subject"] and "експерт" in mail["Subject"].lower()
    newest = notifications.notices(world.uow(read_only=True), actor_for_user(world.uow(read_only=True), "expert-1"))
    assert newest[0].type is EventType.EXPERT_ASSIGNED
