"""Durable jobs over HTTP: queue an import as a job (answered at once, 202) and follow any job from any server.

``POST /imports/jobs`` takes the same file as ``POST /imports`` and queues it (adapters/jobs.py); a worker imports
it (``coalition worker``, or the server itself where COALITION_JOBS_IN_PROCESS says so). ``GET /jobs/{id}`` shows
its status, progress and outcome to the user who queued it (and to platform administrators), from whichever server
process is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from coalition.bootstrap import Job
from coalition.domain.access import Actor, Role, can
from coalition.domain.errors import NotFound
from coalition.entrypoints.api.core import CallerDep, caller, json_response
from coalition.entrypoints.api.funding import FILE_BODY, FileName, spooled_bytes
from coalition.entrypoints.jobs import IMPORT
from coalition.services.audit import require
from coalition.services.funding import ImportSummary

router = APIRouter(tags=["jobs"])


@dataclass(frozen=True, slots=True)
class CellError:
    row: int
    column: str
    value: str
    rule: str


@dataclass(frozen=True, slots=True)
class JobView:
    id: str
    kind: str
    filename: str
    status: str
    phase: str
    done: int
    total: int
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    message: str
    summary: ImportSummary | None
    errors: list[CellError]
    error_total: int

    @classmethod
    def of(cls, job: Job) -> JobView:
        outcome = job.outcome or {}
        summary = ImportSummary(**outcome["summary"]) if "summary" in outcome else None
        errors = [CellError(**e) for e in outcome.get("errors", ())]
        return cls(job.id, job.kind, job.filename, job.status, job.phase, job.done, job.total, job.attempts,
                   job.created_at, job.started_at, job.finished_at, job.message, summary, errors,
                   int(outcome.get("error_total", 0)))


def _sees(actor: Actor, job: Job) -> bool:
    return job.owner == actor.user or any(grant.role is Role.PLATFORM_ADMIN for grant in actor.grants)


@router.post("/imports/jobs", status_code=202, response_model=JobView, openapi_extra=FILE_BODY,
             summary="Queue a CSV or XLSX file of contributions for import as a durable job; follow it at /jobs/{id}")
async def queue_import(request: Request, filename: FileName) -> Response:
    who = await caller(request)
    require(can(who.actor, "record_contributions"))
    user = who.signed_in().user
    content = await spooled_bytes(request)
    job = await run_in_threadpool(who.platform.jobs.enqueue, kind=IMPORT, owner=user, filename=filename,
                                  payload=content)
    worker = request.app.state.import_jobs.worker
    if worker is not None:
        worker.wake()
    return json_response(JobView.of(job), JobView, 202)


@router.get("/jobs", response_model=list[JobView], summary="Your jobs, newest first (the latest hundred)")
def list_jobs(who: CallerDep) -> Response:
    jobs = who.platform.jobs.list(owner=who.signed_in().user)
    return json_response([JobView.of(job) for job in jobs], list[JobView])


@router.get("/jobs/{job_id}", response_model=JobView, summary="A job's status, progress and outcome")
def get_job(who: CallerDep, job_id: str) -> Response:
    actor = who.signed_in()
    job = who.platform.jobs.get(job_id)
    if job is None or not _sees(actor, job):
        raise NotFound(f"no job {job_id} of yours", field="job")
    return json_response(JobView.of(job), JobView)
