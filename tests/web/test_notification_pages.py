"""The bell and the notifications page, without a browser: a signed-in user sees how many notifications are
unread, reads them in its language, marks them read with the session's CSRF token, and chooses what it is told of
(an address refused with the field named)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.domain.notifications import EventType
from coalition.domain.steering import Procedure, ProposalKind
from coalition.entrypoints.api.app import create_app
from coalition.entrypoints.jobs import JobRunner
from coalition.services import notifications, steering
from tests.demo_copies import give_demo_world
from tests.web.test_pages import sign_in


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    platform.settings = platform.settings.model_copy(update={"login_attempts_per_minute": 10_000,
                                                             "jobs_in_process": False})
    give_demo_world(platform, procurement=False, users=True)
    runner = JobRunner(platform)
    runner.deliverer.drain()
    with platform.uow() as uow:
        uow.outbox.mark_read("lv-desk", None, platform.clock())
        uow.commit()
    steering.open_proposal(platform.uow(), platform.operator(), coalition="it-coalition",
                           kind=ProposalKind.APPROVE_PRIORITY_LIST, title="Approve priority list v2",
                           payload={"version": 2}, procedure=Procedure.WRITTEN,
                           deadline=platform.clock() + timedelta(days=7))
    runner.deliverer.drain()
    with TestClient(create_app(platform)) as client:
        yield client


def _bell(html: str) -> str:
    found = re.search(r'<a class="bell"[^>]*>(.*?)</a>', html, re.S)
    assert found is not None
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_bell_counts_unread_notifications_and_the_page_marks_them_read(client: TestClient) -> None:
    assert 'class="bell"' not in client.get("/").text
    token = sign_in(client, "lv-desk")
    assert _bell(client.get("/").text).endswith("Notifications 1 unread")
    page = client.get("/notifications")
    assert page.status_code == 200 and "Proposal open for your vote: Approve priority list v2" in page.text
    refused = client.post("/notifications/read", data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert _bell(client.get("/").text).endswith("1 unread")
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": "/"})
    assert "Пропозиція відкрита для вашого голосування" in client.get("/notifications").text
    read = client.post("/notifications/read", data={"csrf_token": token}, follow_redirects=False)
    assert read.status_code == 303
    assert _bell(client.get("/").text).endswith("Сповіщення"), "nothing unread: no count"


def test_a_user_chooses_its_address_and_what_it_is_told_of(client: TestClient, platform: Platform) -> None:
    token = sign_in(client, "lv-desk")
    bad = client.post("/account/notifications", data={"csrf_token": token, "email": "not an address"})
    assert bad.status_code == 200 and "email" in bad.text
    saved = client.post("/account/notifications", data={
        "csrf_token": token, "email": "desk@mod.lv", "email_events": ["decision-taken"],
        "page_events": ["decision-taken", "proposal-opened"]})
    assert saved.status_code == 200 and "desk@mod.lv" in saved.text
    found = notifications.contact(platform.uow(read_only=True), platform.operator(), "lv-desk")
    assert found.email == "desk@mod.lv" and found.choices.email == {EventType.DECISION_TAKEN}
    assert found.choices.page == {EventType.DECISION_TAKEN, EventType.PROPOSAL_OPENED}


def test_a_partys_representative_subscribes_its_system_sees_the_log_and_sends_again(client: TestClient,
                                                                                    platform: Platform) -> None:
    token = sign_in(client, "lv-desk")
    account = client.get("/account").text
    assert "/webhooks" in account
    title = account.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<form" not in title and account.count('id="notifications"') == 1, "the settings are in the page, once"
    refused = client.post("/webhooks", data={"csrf_token": token, "party": "EE", "url": "http://127.0.0.1:9/x",
                                             "events": ["proposal-opened"]}, follow_redirects=True)
    assert "EE" in refused.text and not notifications.subscriptions(platform.uow(read_only=True),
                                                                     platform.operator())
    added = client.post("/webhooks", data={"csrf_token": token, "party": "LV", "url": "http://127.0.0.1:9/x",
                                           "events": ["proposal-opened", "decision-taken"]})
    secret = re.search(r"<code>(whsec_[^<]+)</code>", added.text)
    assert added.status_code == 200 and secret is not None
    assert secret.group(1) not in client.get("/webhooks").text, "the secret is shown once"
    [subscription] = notifications.subscriptions(platform.uow(read_only=True), platform.operator())
    steering.open_proposal(platform.uow(), platform.operator(), coalition="it-coalition",
                           kind=ProposalKind.APPROVE_PRIORITY_LIST, title="Another", payload={"version": 2},
                           procedure=Procedure.WRITTEN, deadline=platform.clock() + timedelta(days=7))
    JobRunner(platform).deliverer.drain()  # nothing listens at port 9: the try fails
    page = client.get(f"/webhooks/{subscription.id}")
    assert page.status_code == 200 and "proposal-opened" in page.text and "ConnectError" in page.text
    [delivery] = notifications.deliveries(platform.uow(read_only=True), platform.operator(), subscription.id)
    again = client.post(f"/deliveries/{delivery.id}/resending", data={"csrf_token": token,
                                                                      "back": str(subscription.id)})
    assert again.status_code == 200 and "same event id" in again.text
    disabled = client.post(f"/webhooks/{subscription.id}/disabling", data={"csrf_token": token})
    assert disabled.status_code == 200 and "disabled by lv-desk" in disabled.text
    assert sign_in(client, "ee-desk") and client.get(f"/webhooks/{subscription.id}").status_code == 403
