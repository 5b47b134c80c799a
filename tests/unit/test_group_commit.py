"""Group commit: items handed in at once by many threads are written together, each caller getting its own outcome."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from coalition.entrypoints.api.batching import GroupCommit


class Recorder:
    """A write that records each call's items; the first call waits until ``gate`` opens, so others queue."""

    def __init__(self, fail: set[int] | None = None, explode_on: int | None = None) -> None:
        self.calls: list[list[int]] = []
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.fail = fail or set()
        self.explode_on = explode_on

    def __call__(self, items: list[int]) -> list[int | Exception]:
        if not self.calls:
            self.entered.set()
            self.gate.wait(timeout=5)
        self.calls.append(items)
        if self.explode_on in items:
            raise RuntimeError("the store went away")
        return [ValueError(f"item {i} refused") if i in self.fail else i * 10 for i in items]


def run_at_once(group: GroupCommit[int, int], recorder: Recorder, items: list[int]
                ) -> list[int | BaseException]:
    """Submit the first item alone, the rest while its write is held; return each caller's outcome."""

    def submit(item: int) -> int | BaseException:
        try:
            return group.submit(item)
        except Exception as error:
            return error

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        first = pool.submit(submit, items[0])
        assert recorder.entered.wait(timeout=5)  # the first caller is writing its own item
        rest = [pool.submit(submit, item) for item in items[1:]]
        while len(group._queue) < len(items) - 1:  # the others wait behind it (the queue is private: read only)
            threading.Event().wait(0.001)
        recorder.gate.set()
        return [first.result(), *(future.result() for future in rest)]


def test_a_lone_item_is_written_alone():
    recorder = Recorder()
    recorder.gate.set()
    group = GroupCommit(recorder)
    assert group.submit(4) == 40
    assert group.submit(5) == 50
    assert recorder.calls == [[4], [5]]


def test_items_arriving_while_one_is_written_are_written_together_next():
    recorder = Recorder()
    outcomes = run_at_once(GroupCommit(recorder), recorder, [1, 2, 3, 4, 5])
    assert outcomes == [10, 20, 30, 40, 50]
    assert recorder.calls[0] == [1]
    assert sorted(recorder.calls[1]) == [2, 3, 4, 5]


def test_a_group_holds_at_most_its_limit():
    recorder = Recorder()
    outcomes = run_at_once(GroupCommit(recorder, limit=2), recorder, [1, 2, 3, 4, 5, 6])
    assert outcomes == [10, 20, 30, 40, 50, 60]
    assert [len(call) for call in recorder.calls] == [1, 2, 2, 1]


def test_a_refused_item_fails_its_own_caller_only():
    recorder = Recorder(fail={3})
    outcomes = run_at_once(GroupCommit(recorder), recorder, [1, 2, 3, 4])
    assert outcomes[:2] == [10, 20] and outcomes[3] == 40
    assert isinstance(outcomes[2], ValueError) and str(outcomes[2]) == "item 3 refused"


def test_a_write_that_fails_fails_every_caller_of_its_group_and_the_next_group_is_written():
    recorder = Recorder(explode_on=3)
    group = GroupCommit(recorder)
    outcomes = run_at_once(group, recorder, [1, 2, 3, 4])
    assert outcomes[0] == 10
    assert all(isinstance(o, RuntimeError) for o in outcomes[1:])
    assert group.submit(7) == 70  # the writer's part was handed on, not lost


def test_a_group_needs_room_for_one_item():
    with pytest.raises(ValueError, match="at least one item"):
        GroupCommit(Recorder(), limit=0)
