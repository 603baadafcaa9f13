"""Background jobs: a job table in the same database, written in the transaction that
makes the job necessary (so a job exists exactly when its cause committed), and
workers that claim jobs and run them batch by batch.

- Claiming: one UPDATE of a queued job (or a running one whose lease ran out: its
  worker died) to ``running`` with a lease; on PostgreSQL the candidate is selected
  ``FOR UPDATE SKIP LOCKED`` so several workers never take the same job. SQLite has one
  writer at a time, which serialises claims by itself.
- Progress: a handler works in batches, each batch one transaction that also records
  ``done``, the resumable ``cursor`` and a renewed lease — work and progress commit
  together, so a killed worker's job resumes after the last committed batch.
- Failures: the error is kept and the job queued again, up to ``MAX_ATTEMPTS``; then it
  stays ``failed`` (visible through ``GET /api/v1/jobs/{id}``).
- Cancelling: :func:`cancel` marks the job ``cancelled``; the worker sees it before its
  next batch (each batch re-reads the state in its own transaction) and stops, so what
  is done stays done and nothing is half-done.

Workers: a thread inside ``qiao serve`` (default), or ``qiao worker`` processes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx, utcnow
from qiao.db import schema
from qiao.db.uow import after_commit
from qiao.errors import NotFound
from qiao.runtime import Runtime

log = logging.getLogger(__name__)
jobs_t = schema.jobs
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 3
_wakeup = threading.Event()


@dataclass
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    cursor: Any
    total: int
    done: int
    attempts: int


class Batch:
    """What a handler's batch reports: records processed, where to go on, finished."""

    def __init__(self, done: int, cursor: Any, finished: bool, total: int | None = None):
        self.done, self.cursor, self.finished, self.total = done, cursor, finished, total


#: kind -> handler(rt, conn, job) running ONE batch inside the given write transaction
Handler = Callable[[Runtime, Connection, Job], Batch]
HANDLERS: dict[str, Handler] = {}


#: kind -> work a job needs before its batches, outside any write transaction (reading
#: and analysing an import's file must not hold SQLite's write lock)
PREPARERS: dict[str, Callable[[Runtime, Job], None]] = {}


def preparer(
    kind: str,
) -> Callable[[Callable[[Runtime, Job], None]], Callable[[Runtime, Job], None]]:
    def register(fn: Callable[[Runtime, Job], None]) -> Callable[[Runtime, Job], None]:
        PREPARERS[kind] = fn
        return fn

    return register


def _load_handlers() -> None:
    from qiao.io import imports  # noqa: F401  (registers its handlers)
    from qiao.jobs import recompute  # noqa: F401  (registers its handler)


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def enqueue(
    conn: Connection,
    kind: str,
    payload: dict[str, Any],
    *,
    total: int = 0,
    created_by: int | None = None,
) -> int:
    """Add a job inside the caller's transaction (it exists iff the transaction commits);
    an in-process worker is woken once it has."""
    now = utcnow()
    job_id = conn.execute(
        sa.insert(jobs_t)
        .values(
            kind=kind,
            payload=payload,
            state="queued",
            total=total,
            done=0,
            attempts=0,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        .returning(jobs_t.c.id)
    ).scalar_one()
    after_commit(conn, _wakeup.set)
    return int(job_id)


def _claim(conn: Connection) -> Job | None:
    now = utcnow()
    ready = sa.or_(
        jobs_t.c.state == "queued",
        sa.and_(jobs_t.c.state == "running", jobs_t.c.locked_until < now),
    )
    stmt = sa.select(jobs_t).where(ready).order_by(jobs_t.c.id).limit(1)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    row = conn.execute(stmt).first()
    if row is None:
        return None
    claimed = conn.execute(
        sa.update(jobs_t)
        .where(jobs_t.c.id == row.id, ready)
        .values(
            state="running",
            locked_until=now + LEASE,
            attempts=jobs_t.c.attempts + 1,
            updated_at=now,
        )
    ).rowcount
    if not claimed:
        return None
    return Job(
        row.id, row.kind, dict(row.payload), row.cursor, row.total, row.done, row.attempts + 1
    )


def run_one(rt: Runtime) -> bool:
    """Claim one job and run it to its end (batch by batch); False when none waits."""
    _load_handlers()
    job = rt.db.write(_claim)
    if job is None:
        return False
    run_handler = HANDLERS.get(job.kind)
    try:
        if run_handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        prepare = PREPARERS.get(job.kind)
        if prepare is not None:
            prepare(rt, job)
        while True:
            finished = rt.db.write(lambda conn: _batch(rt, conn, job, run_handler))
            if finished:
                return True
    except Exception as exc:  # a job's failure must not stop the worker
        log.exception("job %s failed", job.id)
        _fail(rt, job, exc)
        return True


def _batch(rt: Runtime, conn: Connection, job: Job, run_handler: Handler) -> bool:
    state = conn.execute(sa.select(jobs_t.c.state).where(jobs_t.c.id == job.id)).scalar()
    if state != "running":  # cancelled (or taken over) since the last batch
        return True
    result = run_handler(rt, conn, job)
    now = utcnow()
    job.done += result.done
    job.cursor = result.cursor
    if result.total is not None:
        job.total = result.total
    values: dict[str, Any] = {
        "done": job.done,
        "cursor": job.cursor,
        "total": max(job.total, job.done),
        "updated_at": now,
        "locked_until": now + LEASE,
    }
    if result.finished:
        values.update(state="done", finished_at=now, locked_until=None, error=None)
    conn.execute(sa.update(jobs_t).where(jobs_t.c.id == job.id).values(values))
    return result.finished


def _fail(rt: Runtime, job: Job, exc: Exception) -> None:
    def record(conn: Connection) -> None:
        final = job.attempts >= MAX_ATTEMPTS
        conn.execute(
            sa.update(jobs_t)
            .where(jobs_t.c.id == job.id)
            .values(
                state="failed" if final else "queued",
                error=f"{type(exc).__name__}: {exc}"[:2000],
                locked_until=None,
                updated_at=utcnow(),
                finished_at=utcnow() if final else None,
            )
        )

    rt.db.write(record)


def cancel(conn: Connection, job_id: int) -> bool:
    """Stop a queued or running job before its next batch; False when it had ended."""
    return bool(
        conn.execute(
            sa.update(jobs_t)
            .where(jobs_t.c.id == job_id, jobs_t.c.state.in_(("queued", "running")))
            .values(state="cancelled", locked_until=None, updated_at=utcnow(), finished_at=utcnow())
        ).rowcount
    )


def run_pending(rt: Runtime, limit: int = 100) -> int:
    """Run queued jobs until none is left (tests, ``qiao worker --once``)."""
    count = 0
    while count < limit and run_one(rt):
        count += 1
    return count


def start_worker(rt: Runtime, idle_seconds: float = 2.0) -> Callable[[], None]:
    """A worker thread in this process; returns the function that stops it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                worked = run_one(rt)
            except Exception:
                log.exception("job worker")
                worked = False
            if not worked:
                _wakeup.wait(idle_seconds)
                _wakeup.clear()

    thread = threading.Thread(target=loop, name="qiao-worker", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        _wakeup.set()
        thread.join(timeout=10)

    return halt


def job_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "state": row.state,
        "total": row.total,
        "done": row.done,
        "progress": (row.done / row.total) if row.total else (1.0 if row.state == "done" else 0),
        "error": row.error if row.state == "failed" else None,
        "created_at": row.created_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "payload": row.payload,
    }


def get_job(rt: Runtime, ctx: Ctx, job_id: int) -> dict[str, Any]:
    """A job's progress, for whoever started it and administrators."""
    from qiao.org.permissions import require_user

    require_user(ctx)
    with rt.db.read() as conn:
        row = conn.execute(sa.select(jobs_t).where(jobs_t.c.id == job_id)).first()
    user = ctx.user
    if row is None or user is None or (not user.is_admin and row.created_by != user.id):
        raise NotFound("job_not_found")
    return job_json(row)
