"""Running durable jobs (adapters/jobs.py): ``coalition worker``, and a thread in each server process where
COALITION_JOBS_IN_PROCESS says so (by default on SQLite).

A job's kind names its work; today there is one, ``import-contributions``: the file kept with the job is imported
by the same service as on the command line and the API, as the user who queued it (re-read, so a user disabled
meanwhile imports nothing). The import is one transaction: all rows, or none. Its outcome is ``done`` with the
summary, ``rejected`` with every bad cell (up to a thousand shown), or ``failed`` with the reason; a defect of the
software fails the job (retrying would fail the same way), while a worker that dies is replaced by the next claim.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog

from coalition.bootstrap import FAILED, REJECTED, Job, Platform, this_worker
from coalition.domain.contribution_import import ImportRejected
from coalition.domain.errors import Busy, CoalitionError, InvalidInput, NotFound, PermissionDenied
from coalition.domain.notifications import Event, EventType
from coalition.entrypoints.outbox import Deliverer, deliver_safely
from coalition.services import funding
from coalition.services.identity import actor_for_user

IMPORT = "import-contributions"
MAX_SHOWN_ERRORS = 1000
PROGRESS_EVERY = 0.5  # seconds between two notes of a job's progress in the database
SEEN_EVERY = 10.0  # seconds between two notes that an idle worker is alive (/readyz)
log = structlog.get_logger("coalition.jobs")

Outcome = tuple[str, dict[str, Any] | None, str]


def http_status(error: CoalitionError) -> int:
    """The status the API would answer ``error`` with (a page showing the job's outcome answers the same)."""
    if isinstance(error, InvalidInput):
        return 422
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, Busy):
        return 503
    return 404 if isinstance(error, NotFound) else 409


class JobRunner:
    """Claims queued jobs of one database and runs them, one at a time."""

    def __init__(self, platform: Platform, worker: str | None = None) -> None:
        self.platform = platform
        self.worker = worker or this_worker()
        self.deliverer = Deliverer(platform, self.worker)

    def run_one(self) -> Job | None:
        """Run the next job, if any; the job as it ended (None if there was none to claim)."""
        jobs = self.platform.jobs
        job = jobs.claim(self.worker)
        if job is None:
            return None
        log.info("job started", job=job.id, kind=job.kind, attempt=job.attempts, worker=self.worker)
        stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job.id, stop), daemon=True, name=f"beat-{job.id}")
        beat.start()
        try:
            status, outcome, message = self._execute(job)
        except Exception as error:
            log.exception("job failed unexpectedly", job=job.id)
            status, outcome, message = FAILED, {"status": 500}, f"the job failed unexpectedly ({type(error).__name__})"
        finally:
            stop.set()
            beat.join()
        told = Event(EventType.IMPORT_FINISHED, self.platform.clock(), None, users=(job.owner,),
                     facts={"job": job.id, "filename": job.filename, "status": status, "message": message})
        jobs.finish(job.id, self.worker, status, outcome=outcome, message=message, event=told)
        log.info("job finished", job=job.id, status=status)
        return jobs.get(job.id)

    def run(self, stop: threading.Event, idle: float = 1.0, wake: threading.Event | None = None) -> None:
        """Run jobs until ``stop`` is set, looking for new ones every ``idle`` seconds (or when ``wake`` is set)."""
        noted = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - noted >= SEEN_EVERY:
                    self.platform.jobs.seen(self.worker)
                    noted = time.monotonic()
                ran = self.run_one()
            except CoalitionError as error:  # the database is unreachable or busy: try again shortly
                log.warning("job worker could not claim a job", error=str(error))
                ran = None
            delivered = deliver_safely(self.deliverer).busy  # the outbox (entrypoints/outbox.py)
            if ran is None and not delivered:
                if wake is not None:
                    wake.wait(idle)
                    wake.clear()
                else:
                    stop.wait(idle)

    def _beat(self, job_id: str, stop: threading.Event) -> None:
        every = self.platform.settings.job_lease_seconds / 3
        while not stop.wait(every):
            try:
                self.platform.jobs.beat(job_id, self.worker)
            except CoalitionError:  # the lease may run out; the work itself decides what is kept
                log.warning("job heartbeat failed", job=job_id)

    def _execute(self, job: Job) -> Outcome:
        if job.kind != IMPORT:
            return FAILED, {"status": 422}, f"unknown kind of job '{job.kind}'"
        folder = Path(tempfile.mkdtemp(prefix="coalition-job-"))
        try:
            path = folder / (Path(job.filename).name or "import.csv")
            path.write_bytes(self.platform.jobs.payload(job.id))
            return self._import(job, path)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _import(self, job: Job, path: Path) -> Outcome:
        try:
            source = self.platform.open_table(path)
            total = source.row_count
            note = self._progress(job, total)
            note("validating", 0)
            actor = actor_for_user(self.platform.uow(read_only=True), job.owner)
            summary = funding.import_contributions(self.platform.uow(), actor, source=source.name,
                                                   digest=source.sha256, header=source.header, rows=source.rows,
                                                   progress=note)
        except ImportRejected as rejected:
            errors = [{"row": e.row, "column": e.column, "value": e.value, "rule": e.rule}
                      for e in rejected.errors[:MAX_SHOWN_ERRORS]]
            return REJECTED, {"status": 422, "errors": errors, "error_total": rejected.total}, rejected.message
        except CoalitionError as error:
            return FAILED, {"status": http_status(error)}, str(error)
        return "done", {"status": 200, "rows": total, "summary": dataclasses.asdict(summary)}, ""

    def _progress(self, job: Job, total: int) -> Callable[[str, int], None]:
        last = [0.0]

        def note(phase: str, done: int) -> None:
            now = time.monotonic()
            if done >= 0 and now - last[0] < PROGRESS_EVERY:
                return
            last[0] = now
            try:
                self.platform.jobs.progress(job.id, self.worker, phase, total if done < 0 else done, total)
            except CoalitionError:  # progress is a courtesy: the import goes on
                log.warning("job progress not noted", job=job.id)

        return note


class InProcessWorker:
    """A thread of a server process that runs the queued jobs (started with the server, woken by a new job)."""

    def __init__(self, platform: Platform) -> None:
        self.runner = JobRunner(platform)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def wake(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self.runner.run, args=(self._stop, 1.0, self._wake),
                                                daemon=True, name="coalition-jobs")
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
