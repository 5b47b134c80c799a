"""Pages of a priority list's coverage are cut from the whole list's coverage, computed once per change: every page
cut from it is the page the service computes on its own, and a change is seen on the next request."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from datetime import date

from coalition.entrypoints.api.core import News, ReadCache, json_response
from coalition.services.views import priorities
from coalition.services.views.priorities import Coverage
from tests.api.conftest import IT, Served

V = "/api/v1"


def _alone(world: Served, offset: int, limit: int) -> object:
    platform = world.platform
    computed = priorities.coverage(platform.uow(read_only=True), platform.operator(), IT, offset=offset, limit=limit)
    return json.loads(bytes(json_response(computed, Coverage).body))


def _kept(world: Served) -> bool:
    cache = world.client.app.state.read_cache
    return any(isinstance(key, tuple) and key[0] == "whole" for key in cache._entries)


def test_every_page_cut_from_the_whole_coverage_is_the_page_computed_alone(world: Served):
    secretariat = world.as_role("secretariat")
    path = f"{V}/coalitions/{IT}/coverage"
    first = world.client.get(path, params={"offset": 0, "limit": 1}, headers=secretariat).json()
    total = first["total_ranks"]
    for _ in range(200):
        if _kept(world):
            break
        time.sleep(0.02)
    assert _kept(world), "the whole coverage is computed after the first page"
    for limit in (2, 3):
        for offset in range(0, total + 1, limit):
            page = world.client.get(path, params={"offset": offset, "limit": limit}, headers=secretariat).json()
            assert page == _alone(world, offset, limit)
    assert world.client.get(path, params={"offset": 0, "limit": 5}).status_code == 401, "the permission still holds"


def test_a_change_is_seen_by_the_next_page(world: Served):
    secretariat = world.as_role("secretariat")
    path = f"{V}/coalitions/{IT}/coverage"
    world.client.get(path, params={"offset": 0, "limit": 4}, headers=secretariat)
    before = world.client.get(path, params={"offset": 0, "limit": 7}, headers=secretariat).json()
    received = {"kind": "receipt", "coalition": IT, "fund": "it-coalition-fund", "donor": "LV",
                "amount": {"amount": "12345.00", "currency": "EUR"}, "value_date": "2026-11-20"}
    assert world.client.post(f"{V}/contributions", headers=secretariat, json=received).status_code == 201
    after = world.client.get(path, params={"offset": 0, "limit": 7}, headers=secretariat).json()
    assert after["available"] != before["available"]
    assert after == _alone(world, 0, 7)


def test_a_page_taking_the_list_wide_figures_from_another_page_is_the_page_computed_alone(world: Served):
    platform = world.platform
    actor = platform.operator()
    first = priorities.coverage(platform.uow(read_only=True), actor, IT, offset=0, limit=1)
    for offset in range(first.total_ranks + 1):
        alone = priorities.coverage(platform.uow(read_only=True), actor, IT, offset=offset, limit=2)
        known = priorities.coverage(platform.uow(read_only=True), actor, IT, offset=offset, limit=2, known=first)
        assert known == alone
    other_day = dataclasses.replace(first, on=date(2026, 1, 5), affordable=first.affordable + 99)
    taken = priorities.coverage(platform.uow(read_only=True), actor, IT, offset=0, limit=2, known=other_day)
    assert taken.affordable == first.affordable, "the figures of another question are not taken"


def test_the_cache_lets_go_of_the_entry_used_longest_ago_and_keeps_the_one_used_all_the_time():
    cache = ReadCache(seconds=60, capacity=3)
    cache.put("whole", cache.generation, "every page is cut from it")
    for n in range(10):
        cache.put(("page", n), cache.generation, n)
        assert cache.get("whole") == "every page is cut from it"
    assert cache.get(("page", 9)) == 9 and cache.get(("page", 8)) == 8
    assert cache.get(("page", 0)) is None and cache.get(("page", 7)) is None
    cache.changed()
    assert cache.get("whole") is None, "a change empties it"


def test_requests_that_ask_together_share_one_round_trip_and_one_asking_during_it_waits_for_the_next():
    calls: list[int] = []
    under_way, release = threading.Event(), threading.Event()

    def sync() -> None:
        calls.append(len(calls) + 1)
        if len(calls) == 1:
            under_way.set()
            release.wait(5)

    async def asking() -> None:
        news = News(sync)
        together = [asyncio.ensure_future(news.hear()) for _ in range(5)]
        await asyncio.sleep(0)
        assert await asyncio.get_running_loop().run_in_executor(None, under_way.wait, 5)
        late = asyncio.ensure_future(news.hear())  # asked while the first round trip is under way
        release.set()
        await asyncio.gather(*together)
        await late
        assert calls == [1, 2], "five requests shared the first; the late one had a round trip of its own"
        news.close()

    asyncio.run(asking())
