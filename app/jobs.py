"""Periodic jobs: the registry, one pass over it, and the loops that run it.

`agora serve` runs the loop as a task in each process (so one process needs nothing else),
`agora worker` runs only the loop, `agora jobs run-once` one pass. Jobs must be idempotent and
safe to run in several processes at once; each runs in its own session and transaction, so one
failing job neither blocks nor rolls back the others.
"""

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from functools import partial

import anyio
from sqlmodel import Session

from app.announcements.jobs import remove_expired_site_pins
from app.core.config import get_settings
from app.core.db import get_engine, refresh_statistics_job, utcnow
from app.core.transactions import writing
from app.events.jobs import send_event_followups
from app.mail.digests import send_due_digests
from app.mail.outbox import deliver_outbox
from app.people.import_batches import continue_people_imports
from app.people.sso.service import recheck_sso_people
from app.polls.dates import close_due_date_polls
from app.polls.quick import close_due_polls
from app.prompts.jobs import publish_scheduled_posts
from app.recognition.jobs import grant_badges
from app.uploads.cleanup import remove_expired_uploads

log = logging.getLogger("agora.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Session], int]  # returns how many things it did
    # At most this often in one process; a catch-up job need not run on every pass.
    every_seconds: float = 0


# When each job last ran in this process. Only pacing lives here, never correctness: every job
# is idempotent, so another process running it too changes nothing.
_last_run: dict[str, float] = {}


# Add a domain's job with one line.
JOBS: list[Job] = [
    Job("publish_scheduled_posts", publish_scheduled_posts),
    Job("remove_expired_site_pins", remove_expired_site_pins),
    Job("send_event_followups", lambda session: send_event_followups(session, utcnow())),
    # Answers already stop at the deadline itself; this marks the poll closed, at that time.
    Job("close_due_date_polls", lambda session: close_due_date_polls(session)),
    Job("close_due_polls", lambda session: close_due_polls(session)),
    # Commits as it goes: it claims, sends with no transaction open, then records each outcome.
    Job("deliver_mail", deliver_outbox),
    # Digests go out in each person's morning: a pass every ten minutes is on time enough.
    Job("send_digests", lambda session: send_due_digests(session), every_seconds=600),
    # Badges are granted right after each contribution; this pass only catches up.
    Job("grant_badges", grant_badges, every_seconds=900),
    # People the single sign-on provider disabled lose their sessions and tokens.
    Job("recheck_sso_people", recheck_sso_people, every_seconds=60),
    # Large CSV imports whose browser stopped asking (or never could: no JavaScript).
    Job("continue_people_imports", continue_people_imports),
    # Table sizes change slowly; the query planner's view of them is refreshed a few times a day.
    Job("refresh_planner_statistics", refresh_statistics_job, every_seconds=6 * 3600),
    # Removed, orphaned and long-deleted content's files; it lists the whole store, so hourly.
    Job(
        "remove_expired_uploads",
        lambda session: remove_expired_uploads(session),
        every_seconds=3600,
    ),
]


def run_jobs_once(names: list[str] | None = None, *, paced: bool = False) -> dict[str, int | None]:
    """Run each job (or the named ones) once; a failed job is logged and reported as None.

    ``paced`` (the background loops) skips jobs that ran in this process less than their
    ``every_seconds`` ago.
    """
    results: dict[str, int | None] = {}
    now = time.monotonic()
    for job in JOBS:
        if names and job.name not in names:
            continue
        if paced and now - _last_run.get(job.name, -job.every_seconds) < job.every_seconds:
            continue
        _last_run[job.name] = now
        # Jobs write: on SQLite they take the write lock when they begin (app.core.transactions).
        with writing(), Session(get_engine(), expire_on_commit=False) as session:
            try:
                results[job.name] = job.run(session)
                session.commit()
            except Exception:
                session.rollback()
                log.exception("job %s failed", job.name)
                results[job.name] = None
    return results


def run_forever(stop: threading.Event, interval: float | None = None) -> None:
    """The worker loop: a pass, then wait, until stop is set."""
    interval = interval or get_settings().jobs_interval_seconds
    while not stop.is_set():
        try:
            run_jobs_once(paced=True)
        except Exception:
            log.exception("periodic jobs failed")
        stop.wait(interval)


async def _loop(interval: float) -> None:
    while True:
        try:
            # In a thread: jobs use the blocking database driver and must not stall requests.
            await anyio.to_thread.run_sync(partial(run_jobs_once, paced=True))
        except Exception:  # the loop outlives a database that is briefly away
            log.exception("periodic jobs failed")
        await asyncio.sleep(interval)


@asynccontextmanager
async def periodic_jobs() -> AsyncIterator[None]:
    """For the app's lifespan: run the jobs in the background while the server is up."""
    settings = get_settings()
    if not settings.jobs_enabled:
        yield
        return
    task = asyncio.create_task(_loop(settings.jobs_interval_seconds), name="agora-jobs")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
