"""Bulk imports from the browser: the file is received, then imported in the background while the page
polls its progress (validating, then writing) and finally shows the summary or every rejected cell.

The import itself is the same service as on the command line and the API: all rows valid, or
nothing written. Jobs live in this server process's memory; each is visible to the user who started it.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from coalition.bootstrap import Platform
from coalition.domain.access import can
from coalition.domain.contribution_import import ImportRejected
from coalition.domain.contribution_rules import RowError
from coalition.domain.errors import Busy, CoalitionError, InvalidInput, NotFound, PermissionDenied
from coalition.entrypoints.web.core import Viewer
from coalition.services import funding
from coalition.services.audit import require
from coalition.services.funding import ImportSummary

MAX_SHOWN_ERRORS = 1000


@dataclass
class ImportJob:
    id: str
    user: str
    filename: str
    rows: int = 0
    phase: str = "receiving"  # receiving, validating, writing, done, rejected, failed
    done: int = 0
    summary: ImportSummary | None = None
    errors: list[RowError] = field(default_factory=list)
    error_total: int = 0
    message: str = ""
    status: int = 200  # of the page showing it: as the API would answer the import
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def finish(self, phase: str, status: int, message: str) -> None:
        with self._lock:
            self.phase, self.status, self.message = phase, status, message

    def shown(self) -> ImportJob:
        """The job as it stands, all of a piece (its thread may finish it meanwhile)."""
        with self._lock:
            return dataclasses.replace(self, errors=list(self.errors), _lock=threading.Lock())

    @property
    def finished(self) -> bool:
        return self.phase in ("done", "rejected", "failed")

    @property
    def percent(self) -> int:
        """Validating is the first half of the work, writing the second."""
        if self.finished:
            return 100
        if not self.rows:
            return 0
        half = min(self.done, self.rows) * 50 // self.rows
        return half + (50 if self.phase == "writing" else 0)


def _status(error: CoalitionError) -> int:
    if isinstance(error, InvalidInput):
        return 422
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, Busy):
        return 503
    return 404 if isinstance(error, NotFound) else 409


class ImportJobs:
    """The imports started from this server's pages, by id."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._jobs: dict[str, ImportJob] = {}
        self._lock = threading.Lock()

    def counts(self) -> dict[str, int]:
        """How many imports this process holds, by phase (receiving, validating, writing, done, rejected, failed)."""
        found: dict[str, int] = {}
        for job in list(self._jobs.values()):
            found[job.phase] = found.get(job.phase, 0) + 1
        return found

    def get(self, who: Viewer, job_id: str) -> ImportJob:
        job = self._jobs.get(job_id)
        if job is None or job.user != who.actor.user:
            raise NotFound(f"no import {job_id} of yours on this server", field="job")
        return job

    async def start(self, who: Viewer, upload: Any) -> ImportJob:
        require(can(who.actor, "record_contributions"))
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("choose a CSV or XLSX file to import", field="file")
        name = Path(upload.filename).name
        if Path(name).suffix.lower() not in (".csv", ".xlsx"):
            raise InvalidInput(f"'{name}' is neither a CSV nor an XLSX file", field="file")
        folder = Path(tempfile.mkdtemp(prefix="coalition-import-"))
        path = folder / name
        with path.open("wb") as out:
            await run_in_threadpool(shutil.copyfileobj, upload.file, out)
        job = ImportJob(secrets.token_urlsafe(12), who.actor.user, name)
        with self._lock:
            if len(self._jobs) > 1000:  # forget finished jobs rather than grow without bound
                self._jobs = {k: j for k, j in self._jobs.items() if not j.finished}
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, who, path), daemon=True, name=f"import-{job.id}").start()
        return job

    def _run(self, job: ImportJob, who: Viewer, path: Path) -> None:
        def progress(phase: str, done: int) -> None:
            job.phase, job.done = phase, (job.rows if done < 0 else done)

        try:
            source = self.platform.open_table(path)
            job.rows, job.phase = source.row_count, "validating"
            job.summary = funding.import_contributions(who.write(), who.actor, source=source.name,
                                                       digest=source.sha256, header=source.header,
                                                       rows=source.rows, progress=progress)
            job.phase = "done"
        except ImportRejected as rejected:
            job.errors, job.error_total = rejected.errors[:MAX_SHOWN_ERRORS], rejected.total
            job.finish("rejected", 422, rejected.message)
        except CoalitionError as error:
            job.finish("failed", _status(error), str(error))
        except Exception as error:  # a defect: say so on the page rather than poll for ever
            job.finish("failed", 500, f"the import failed unexpectedly ({type(error).__name__})")
            raise
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)
