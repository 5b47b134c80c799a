"""Group commit: writes that arrive together are written together, in one transaction.

Request threads hand their item to a ``GroupCommit`` and wait. One of them at a time is the writer: it
takes every item waiting (up to a limit) and writes them in one call, while items arriving meanwhile
gather for the next call. When it has written, it wakes the threads it served and hands the writer's
part to the oldest thread still waiting, whose own item is then in the next call. No thread of its
own is kept, and a request never waits for more than the call before its own and its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


class _Waiting(Generic[Item, Outcome]):
    __slots__ = ("done", "error", "item", "outcome", "woken", "writes")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.outcome: Outcome | None = None
        self.error: BaseException | None = None
        self.done = False
        self.writes = False
        self.woken = threading.Event()


class GroupCommit(Generic[Item, Outcome]):
    """Runs ``write`` over the items of concurrent callers, at most ``limit`` at a time.

    ``write`` returns one outcome per item, in order; an outcome that is an exception is raised to
    that item's caller alone. An exception from ``write`` itself is raised to every caller of the call.
    """

    def __init__(self, write: Callable[[list[Item]], Sequence[Outcome | Exception]], limit: int = 64) -> None:
        if limit < 1:
            raise ValueError("a group holds at least one item")
        self._write = write
        self._limit = limit
        self._lock = threading.Lock()
        self._queue: list[_Waiting[Item, Outcome]] = []
        self._writing = False

    def submit(self, item: Item) -> Outcome:
        """Write ``item`` with those of other callers waiting now; return its outcome or raise its error."""
        waiting: _Waiting[Item, Outcome] = _Waiting(item)
        with self._lock:
            self._queue.append(waiting)
            if not self._writing:
                self._writing = waiting.writes = True
        while not waiting.done:
            if waiting.writes:
                waiting.writes = False
                self._write_next()
            else:
                waiting.woken.wait()
                waiting.woken.clear()
        if waiting.error is not None:
            raise waiting.error
        return waiting.outcome  # type: ignore[return-value]  # set with done when there is no error

    def _write_next(self) -> None:
        with self._lock:
            group = self._queue[:self._limit]
            del self._queue[:self._limit]
        try:
            outcomes = self._write([waiting.item for waiting in group])
            if len(outcomes) != len(group):
                raise RuntimeError(f"{len(outcomes)} outcome(s) for {len(group)} item(s)")
            for waiting, outcome in zip(group, outcomes, strict=True):
                if isinstance(outcome, Exception):
                    waiting.error = outcome
                else:
                    waiting.outcome = outcome
        except BaseException as error:  # raised to every caller whose item was in this call
            for waiting in group:
                waiting.error = error
        finally:
            with self._lock:
                following = self._queue[0] if self._queue else None
                if following is None:
                    self._writing = False
                else:
                    following.writes = True
            for waiting in group:
                waiting.done = True
                waiting.woken.set()
            if following is not None:
                following.woken.set()
