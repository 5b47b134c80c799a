"""`coalition worker` runs the durable jobs (imports queued from the pages or the API); `coalition jobs list|show`
shows them, from any machine that reaches the database."""

from __future__ import annotations

import dataclasses
import signal
import threading
from typing import Annotated, Any

import typer

from coalition.bootstrap import Job
from coalition.domain.errors import NotFound
from coalition.entrypoints.cli.output import console, emit_json, table
from coalition.entrypoints.cli.registry import JsonFlag, ready
from coalition.entrypoints.jobs import JobRunner

jobs = typer.Typer(help="Durable jobs: imports queued from the pages or the API.", no_args_is_help=True)


def worker(ctx: typer.Context,
           once: Annotated[bool, typer.Option("--once", help="Run the queued jobs and deliver what is due, then "
                                              "stop.")] = False,
           idle: Annotated[float, typer.Option(min=0.1, max=60, help="Seconds between two looks for new jobs "
                                               "when there is none.")] = 1.0) -> None:
    """Run queued jobs and deliver the outbox (webhooks, email) until stopped (SIGTERM or Ctrl-C finish the job at
    hand first; a worker killed outright leaves nothing of its job, which the next worker takes again, and
    sends again what it was delivering, with the same event id)."""
    platform = ready(ctx)
    runner = JobRunner(platform)
    console.print(f"Job worker {runner.worker} on "
                  f"{platform.engine.url.render_as_string(hide_password=True)}", highlight=False)
    if once:
        while (job := runner.run_one()) is not None:
            _said(job)
        turn = runner.deliverer.drain()
        console.print(f"Outbox: {turn.fanned_out} event(s) fanned out, {turn.sent} delivered, {turn.failed} to "
                      "try again", highlight=False)
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    runner.run(stop, idle)
    console.print("Job worker stopped.")


def _said(job: Job) -> None:
    console.print(f"Job {job.id} ({job.kind}, {job.filename}): {job.status}"
                  + (f": {job.message}" if job.message else ""), highlight=False)


def _data(job: Job) -> dict[str, Any]:
    found = dataclasses.asdict(job)
    for key in ("created_at", "started_at", "finished_at", "heartbeat_at"):
        found[key] = found[key].isoformat() if found[key] is not None else None
    return found


@jobs.command("list")
def list_jobs(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The latest hundred jobs, newest first."""
    found = ready(ctx).jobs.list()
    if as_json:
        emit_json([_data(job) for job in found])
        return
    table("Jobs", ["Id", "Kind", "File", "Owner", "Status", "Progress", "Tries", "Queued"],
          [(j.id, j.kind, j.filename, j.owner, j.status, f"{j.done}/{j.total}", j.attempts,
            f"{j.created_at:%Y-%m-%d %H:%M}") for j in found])


@jobs.command("show")
def show_job(ctx: typer.Context, job_id: Annotated[str, typer.Argument(help="The job's id.")],
             as_json: JsonFlag = False) -> None:
    """One job: its status, progress, tries and outcome."""
    job = ready(ctx).jobs.get(job_id)
    if job is None:
        raise NotFound(f"no job {job_id}", field="job")
    if as_json:
        emit_json(_data(job))
        return
    _said(job)
    console.print(f"  owner {job.owner}; {job.done} of {job.total} rows ({job.phase}); try {job.attempts} of "
                  f"{job.max_attempts}; worker {job.worker or '-'}", highlight=False)
