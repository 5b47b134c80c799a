"""Workers named by machine and process, and whether one of this machine is gone (jobs and outbox deliveries)."""

from __future__ import annotations

import os
import socket

HOST = socket.gethostname()


def _gone(worker: str | None) -> bool:
    """Whether ``worker`` ran on this machine and its process no longer exists."""
    if not worker:
        return False
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
