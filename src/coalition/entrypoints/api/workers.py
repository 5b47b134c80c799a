"""The application as each of several server processes builds it (`coalition serve --workers N`).

uvicorn starts every worker as a new process that imports ``create_worker_app`` and calls it: the worker wires its
own platform from the environment (the command that started it has set the database and the data folder there), so
each process has its own engine, read cache and sign-in rate limits.
"""

from __future__ import annotations

import gc
import os
import sys

from fastapi import FastAPI

from coalition.bootstrap import bootstrap
from coalition.entrypoints.api import logs
from coalition.entrypoints.api.app import create_app

IMPORT_STRING = "coalition.entrypoints.api.workers:create_worker_app"
LOG_LEVEL = "COALITION_SERVE_LOG_LEVEL"


def create_worker_app() -> FastAPI:
    """One worker's application, on a platform wired from the environment."""
    logs.configure(os.environ.get(LOG_LEVEL, "info"))
    platform = bootstrap()
    platform.require_current_schema()
    app = create_app(platform)
    settle()
    return app


def settle() -> None:
    """What is loaded by now lives as long as the server: keep it out of the collector's full passes, which would
    otherwise stop every request now and then; and have a worker thread computing a report hand the interpreter back
    to the event loop sooner."""
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(0.0005)
