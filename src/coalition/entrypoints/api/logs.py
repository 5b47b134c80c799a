"""Structured logs of the server: one JSON line per event on standard error.

Lines are rendered where they happen and written by a thread of their own, in batches, so a slow
disk or pipe never holds up a request. Nothing logged carries a header, a body or a secret.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
from typing import Any, TextIO

import structlog


class _LineWriter:
    """Writes queued lines to a stream from a daemon thread; ``close`` writes what is left."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            batch = [self.lines.get()]
            while not self.lines.empty() and len(batch) < 1000:
                batch.append(self.lines.get_nowait())
            ended = None in batch
            self.stream.write("".join(f"{line}\n" for line in batch if line is not None))
            self.stream.flush()
            if ended:
                return

    def close(self) -> None:
        self.lines.put(None)
        self.thread.join(timeout=5)


class _QueuedLogger:
    def __init__(self, writer: _LineWriter) -> None:
        self._put = writer.lines.put

    def msg(self, message: str) -> None:
        self._put(message)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def configure(level: str = "info", stream: TextIO | None = None) -> Any:
    """Route structlog through a background writer; returns a closer to call at shutdown."""
    writer = _LineWriter(stream or sys.stderr)
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso", utc=True),
                    structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=lambda *_: _QueuedLogger(writer), cache_logger_on_first_use=True)
    return writer.close
