"""Bulk imports from the browser: the file is received and queued as a durable job (adapters/jobs.py), which a
worker imports while the page polls its progress (queued, validating, then writing) and finally shows the summary or
every rejected cell.

The import itself is the same service as on the command line and the API: all rows valid, or nothing written. The
job lives in the database, so any server process shows it; each job is visible to the user who started it. Where
this server runs the jobs itself (COALITION_JOBS_IN_PROCESS, by default on SQLite), queuing one wakes its worker;
otherwise `coalition worker` takes it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from coalition.bootstrap import Job, Platform
from coalition.domain.access import can
from coalition.domain.contribution_rules import RowError
from coalition.domain.errors import InvalidInput, NotFound
from coalition.entrypoints.jobs import IMPORT, InProcessWorker
from coalition.entrypoints.web.core import Viewer
from coalition.services.audit import require
from coalition.services.funding import ImportSummary

ERRORS_PER_PAGE = 50


@dataclass
class ImportJob:
    """An import job as its page shows it."""

    id: str
    filename: str
    rows: int = 0
    phase: str = "queued"  # queued, starting, validating, writing, done, rejected, failed
    done: int = 0
    summary: ImportSummary | None = None
    errors: list[RowError] = field(default_factory=list)
    error_total: int = 0
    message: str = ""
    status: int = 200  # of the page showing it: as the API would answer the import

    @classmethod
    def of(cls, job: Job) -> ImportJob:
        outcome: dict[str, Any] = job.outcome or {}
        summary = ImportSummary(**outcome["summary"]) if "summary" in outcome else None
        errors = [RowError(e["row"], e["column"], e["value"], e["rule"]) for e in outcome.get("errors", ())]
        return cls(job.id, job.filename, int(outcome.get("rows", job.total)), job.phase, job.done, summary, errors,
                   int(outcome.get("error_total", 0)), job.message, int(outcome.get("status", 200)))

    @property
    def finished(self) -> bool:
        return self.phase in ("done", "rejected", "failed")

    @property
    def groups(self) -> list[tuple[str, str, int]]:
        """The errors kept, by column and rule, the most frequent first."""
        counted = Counter((e.column, e.rule) for e in self.errors)
        return [(column, rule, count) for (column, rule), count in
                sorted(counted.items(), key=lambda item: (-item[1], item[0]))]

    def errors_page(self, number: int) -> list[RowError]:
        start = (max(number, 1) - 1) * ERRORS_PER_PAGE
        return self.errors[start:start + ERRORS_PER_PAGE]

    @property
    def error_pages(self) -> int:
        return max(1, -(-len(self.errors) // ERRORS_PER_PAGE))

    @property
    def percent(self) -> int:
        """Validating is the first half of the work, writing the second."""
        if self.finished:
            return 100
        if not self.rows:
            return 0
        half = min(self.done, self.rows) * 50 // self.rows
        return half + (50 if self.phase == "writing" else 0)


class ImportJobs:
    """The imports started from the pages: queued as durable jobs, shown from the database."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.worker = InProcessWorker(platform) if platform.jobs_in_process else None

    def counts(self) -> dict[str, int]:
        """How many jobs the database holds, by status."""
        return self.platform.jobs.counts()

    def get(self, who: Viewer, job_id: str) -> ImportJob:
        job = self.platform.jobs.get(job_id)
        if job is None or job.owner != who.actor.user:
            raise NotFound(f"no import {job_id} of yours", field="job")
        return ImportJob.of(job)

    async def start(self, who: Viewer, upload: Any) -> ImportJob:
        require(can(who.actor, "record_contributions"))
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("choose a CSV or XLSX file to import", field="file")
        name = Path(upload.filename).name
        if Path(name).suffix.lower() not in (".csv", ".xlsx"):
            raise InvalidInput(f"'{name}' is neither a CSV nor an XLSX file", field="file")
        content = await upload.read()
        job = await run_in_threadpool(self.platform.jobs.enqueue, kind=IMPORT, owner=who.actor.user, filename=name,
                                      payload=content)
        if self.worker is not None:
            self.worker.wake()
        return ImportJob.of(job)

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
