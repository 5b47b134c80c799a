"""The secretariat's pages of the news intake on both databases: the queue lists the pending proposals with how each
stands against the registry; a proposal's page shows its article with the sentence marked; the forms accept (the
registry changes) and reject (the reason is kept); a refusal is shown in Ukrainian and writes nothing; a member's
desk may not see the queue."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.domain.intake import CoalitionMention, Event, EventKind, Language, PartialDate, PartyMention, Reading
from coalition.services import intake_queue, registry
from tests.integration.helpers import dump
from tests.web.test_pages import csrf, sign_in

TEXT = ("Kyiv, 20 March 2025. Estonia joined the Drone Coalition on 1 March 2025, the ministry said. "
        "The Netherlands joined the IT Coalition in May 2024.")
JOIN = "Estonia joined the Drone Coalition on 1 March 2025, the ministry said."
NL = "The Netherlands joined the IT Coalition in May 2024."


def joined(sentence: str, coalition: str, party: str, when: PartialDate) -> Event:
    start = TEXT.index(sentence)
    return Event(EventKind.MEMBER_JOINED, sentence, (start, start + len(sentence)), 0.9,
                 CoalitionMention(coalition, coalition), (PartyMention(party, party, "member"),), when)


def add_article(platform: Platform) -> tuple[int, ...]:
    reading = Reading(Language.EN, None, TEXT, (joined(JOIN, "drone-coalition", "EE", PartialDate(2025, 3, 1)),
                                                joined(NL, "it-coalition", "NL", PartialDate(2024, 5))))
    return intake_queue.add_reading(platform.uow(), platform.operator(), reading=reading,
                                    source="https://example.org/web-news").proposals


def test_the_queue_and_a_proposal_with_its_sentence_marked(client: TestClient, platform: Platform) -> None:
    join, contradicted = add_article(platform)
    sign_in(client, "secretariat")
    queue = html.unescape(client.get("/intake").text)
    assert "the registry has no membership of EE in drone-coalition" in queue
    assert "the registry records NL joining it-coalition on 2024-02-14; the article says 2024-05" in queue
    page = html.unescape(client.get(f"/intake/proposals/{join}").text)
    assert f"<mark>{JOIN}</mark>" in page and "https://example.org/web-news" in page
    assert "Accept the proposal" in page and "Reject the proposal" in page

    accepted = client.post(f"/intake/proposals/{join}/accept", data={"csrf_token": csrf(client, "/intake")})
    assert "admitted EE to drone-coalition as member from 2025-03-01" in html.unescape(accepted.text)
    assert [c.party for c in registry.membership_history(platform.uow(), platform.operator(), "drone-coalition")
            if c.party == "EE"] == ["EE"]
    assert "Accept the proposal" not in client.get(f"/intake/proposals/{join}").text

    rejected = client.post(f"/intake/proposals/{contradicted}/reject",
                           data={"csrf_token": csrf(client, "/intake"), "reason": "the registry has the day"})
    assert f"Proposal {contradicted} is rejected." in rejected.text
    assert "the registry has the day" in client.get(f"/intake/proposals/{contradicted}").text
    assert "No proposal here." in client.get("/intake").text
    assert "the registry has the day" not in client.get("/intake?status=accepted").text


def test_a_refusal_is_shown_in_ukrainian_and_writes_nothing(client: TestClient, platform: Platform) -> None:
    _, contradicted = add_article(platform)
    token = sign_in(client, "secretariat")
    client.post("/language", data={"csrf_token": token, "language": "uk", "next": "/intake"})
    page = html.unescape(client.get(f"/intake/proposals/{contradicted}").text)
    assert "реєстр записує, що NL приєдналася до it-coalition 2024-02-14; стаття каже 2024-05" in page
    before = dump(platform.engine)
    refused = client.post(f"/intake/proposals/{contradicted}/accept", data={"csrf_token": csrf(client, "/intake")})
    assert "стаття суперечить реєстру" in html.unescape(refused.text)
    blank = client.post(f"/intake/proposals/{contradicted}/reject",
                        data={"csrf_token": csrf(client, "/intake"), "reason": " "})
    assert "відхилення потребує причини" in html.unescape(blank.text)
    assert dump(platform.engine) == before


def test_a_members_desk_may_not_see_the_queue(client: TestClient, platform: Platform) -> None:
    join, _ = add_article(platform)
    sign_in(client, "lv-desk")
    assert client.get("/intake").status_code == 403
    assert client.get(f"/intake/proposals/{join}").status_code == 403
    assert "News intake" not in client.get("/").text
