"""The background jobs of imports: "import" writes the file's rows in batches, and
"import_undo" takes a finished import back.

Each batch is ONE transaction (the job runner's): the records of the batch's rows
(``create_in`` for new ones, ``update_in`` for the "update existing" strategy), an
``import_rows`` row for every file row of the batch, the counts on the import and the
job's cursor. Nothing is half-imported: a batch lands whole or not at all, and a killed
worker's job resumes at the last committed cursor. Rows already in ``import_rows`` are
never written again (their primary key is the import and the row number).

A ``create_in`` that refuses some rows (``ValidationFailed`` naming ``rows[i].``) is
retried in a savepoint without them; they become ``failed`` with their errors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao import jobs
from qiao.audit import log as audit_log
from qiao.context import Ctx, utcnow
from qiao.db import schema
from qiao.db.bulk import insert_many
from qiao.errors import ErrorDetail, QiaoError, ValidationFailed
from qiao.gcpause import paused_gc
from qiao.io.import_plan import Plan, row_of, strip_prefix, update_data
from qiao.org.access import FormAccess, form_access
from qiao.org.users import get_user
from qiao.records import service
from qiao.runtime import Runtime

log = logging.getLogger(__name__)
imports_t = schema.imports
rows_t = schema.import_rows
ACTIVE = ("queued", "running")
BATCH = 2000


def batch_size(rt: Runtime) -> int:
    """Rows per batch (``QIAO_IMPORT_BATCH``; small values in tests)."""
    return max(1, int(getattr(rt.settings, "import_batch", BATCH) or BATCH))


def _ctx(rt: Runtime, conn: Connection, user_id: int | None, locale: Any) -> Ctx:
    user = get_user(conn, int(user_id)) if user_id is not None else None
    return Ctx(user=user, locale=str(locale or "zh-CN"), tz=rt.tz)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def _error_json(details: list[ErrorDetail]) -> list[dict[str, Any]]:
    return [{"field": d.field, "code": d.code, "params": _jsonable(d.params)} for d in details]


def _failed(
    details: list[ErrorDetail], prefix: str = "", record_id: int | None = None
) -> dict[str, Any]:
    """The result of a row that was not written: its errors, their fields named without
    the row's ``prefix`` (as the analysis names them), and the record it was to update."""
    result: dict[str, Any] = {"action": "failed"}
    if record_id is not None:
        result["record_id"] = record_id
    result["error"] = _error_json([strip_prefix(d, prefix) for d in details])
    return result


# ----- import ---------------------------------------------------------------------------
@jobs.preparer("import")
def prepare_import(rt: Runtime, job: jobs.Job) -> None:
    """Analyse the file (into the cache) before the batches, on a read connection: a
    worker that did not analyse it yet must not do so inside a write transaction."""
    from qiao.io import imports

    with rt.db.read() as conn:
        row = conn.execute(
            sa.select(imports_t).where(imports_t.c.id == int(job.payload["import_id"]))
        ).first()
        if row is None or row.state not in ACTIVE or row.form_id is None:
            return
        user_id = job.payload.get("user_id", row.created_by)
        ctx = _ctx(rt, conn, user_id, job.payload.get("locale"))
        access = form_access(conn, ctx, rt.form(conn, row.form_id))
        imports.plan_of(rt, conn, access, ctx, row, frozen=job.payload.get("plan") or {})


@jobs.handler("import")
@paused_gc()  # thousands of records' objects next to a large plan (qiao.gcpause)
def import_batch(rt: Runtime, conn: Connection, job: jobs.Job) -> jobs.Batch:
    from qiao.io import imports

    import_id = int(job.payload["import_id"])
    row = conn.execute(sa.select(imports_t).where(imports_t.c.id == import_id)).first()
    if row is None or row.state not in ACTIVE or row.form_id is None:
        return jobs.Batch(0, job.cursor, True)
    # the user who started it (records are created as theirs, in their data scope)
    ctx = _ctx(rt, conn, job.payload.get("user_id", row.created_by), job.payload.get("locale"))
    access = form_access(conn, ctx, rt.form(conn, row.form_id))
    access.require("import")
    plan = imports.plan_of(rt, conn, access, ctx, row, frozen=job.payload.get("plan") or {})
    total = len(plan.actions)
    start = int((job.cursor or {}).get("next", 0))
    end = min(start + batch_size(rt), total)
    indexes = list(range(start, end))
    numbers = plan.table.row_numbers
    done = set(
        conn.execute(
            sa.select(rows_t.c.row_no).where(
                rows_t.c.import_id == import_id,
                rows_t.c.row_no.in_([numbers[i] for i in indexes]),
            )
        ).scalars()
    )
    todo = [i for i in indexes if numbers[i] not in done]
    results: dict[int, dict[str, Any]] = {}
    for i in todo:
        action = plan.actions[i]
        if action == "error":
            results[i] = _failed(plan.errors.get(i, []))
        elif action == "skip":
            results[i] = {"action": "skipped"}
    _create(conn, rt, access, ctx, plan, [i for i in todo if plan.actions[i] == "create"], results)
    _update(conn, rt, access, ctx, plan, [i for i in todo if plan.actions[i] == "update"], results)
    if results:
        insert_many(
            conn,
            rows_t,
            [
                {
                    "import_id": import_id,
                    "row_no": numbers[i],
                    "action": r["action"],
                    "record_id": r.get("record_id"),
                    "before": r.get("before"),
                    "error": r.get("error"),
                }
                for i, r in sorted(results.items())
            ],
        )
    counts = {a: 0 for a in ("created", "updated", "skipped", "failed")}
    for r in results.values():
        counts[r["action"]] += 1
    now = utcnow()
    conn.execute(
        sa.update(imports_t)
        .where(imports_t.c.id == import_id)
        .values(
            created=imports_t.c.created + counts["created"],
            updated=imports_t.c.updated + counts["updated"],
            skipped=imports_t.c.skipped + counts["skipped"],
            failed=imports_t.c.failed + counts["failed"],
            total=total,
        )
    )
    finished = end >= total
    state = "done" if finished else "running"
    conn.execute(
        sa.update(imports_t)
        .where(imports_t.c.id == import_id, imports_t.c.state.in_(ACTIVE))
        .values(state=state, finished_at=now if finished else None)
    )
    if finished:
        _audit(conn, ctx, import_id, "import")
    return jobs.Batch(len(indexes), {"next": end}, finished, total=total)


def _create(
    conn: Connection,
    rt: Runtime,
    access: FormAccess,
    ctx: Ctx,
    plan: Plan,
    indexes: list[int],
    results: dict[int, dict[str, Any]],
) -> None:
    if not indexes:
        return
    prefixes = {i: f"rows[{i}]." for i in indexes}
    datas = [plan.datas[i] for i in indexes]
    if plan.form is access.form and all(i in plan.prepared for i in indexes):
        # the form is the one the analysis prepared the rows for: no need to again
        prepared = [plan.prepared[i] for i in indexes]
        problems: list[ErrorDetail] = []
    else:
        prepared, problems = service.prepare_items(
            access, ctx, datas, [prefixes[i] for i in indexes]
        )
    bad = _by_row(problems)
    pending = [(i, p, d) for i, p, d in zip(indexes, prepared, datas, strict=True) if i not in bad]
    while pending:
        try:
            ids = _create_rows(conn, rt, access, ctx, pending, prefixes)
        except ValidationFailed as exc:
            named = _by_row(exc.details)
            named = {i: e for i, e in named.items() if i in prefixes}
            if not named:  # nothing names a row: each row alone finds the culprits
                _one_by_one(conn, rt, access, ctx, pending, prefixes, bad, results)
                break
            bad.update(named)
            pending = [x for x in pending if x[0] not in named]
            continue
        except sa.exc.IntegrityError:  # a unique value taken concurrently
            _one_by_one(conn, rt, access, ctx, pending, prefixes, bad, results)
            break
        for (i, _, _), record_id in zip(pending, ids, strict=True):
            results[i] = {"action": "created", "record_id": record_id}
        break
    for i, details in bad.items():
        results[i] = _failed(details, prefixes[i])


def _one_by_one(
    conn: Connection,
    rt: Runtime,
    access: FormAccess,
    ctx: Ctx,
    pending: list[tuple[int, Any, Any]],
    prefixes: dict[int, str],
    bad: dict[int, list[ErrorDetail]],
    results: dict[int, dict[str, Any]],
) -> None:
    """Create the rows one at a time (each in its own savepoint)."""
    for row in pending:
        i = row[0]
        try:
            ids = _create_rows(conn, rt, access, ctx, [row], prefixes)
        except ValidationFailed as exc:
            bad[i] = exc.details or [ErrorDetail(prefixes[i], exc.code, exc.params)]
            continue
        except sa.exc.IntegrityError:
            bad[i] = [ErrorDetail(prefixes[i], "import_row_conflict", {})]
            continue
        results[i] = {"action": "created", "record_id": ids[0]}


def _create_rows(
    conn: Connection,
    rt: Runtime,
    access: FormAccess,
    ctx: Ctx,
    rows: list[tuple[int, Any, Any]],
    prefixes: dict[int, str],
) -> list[int]:
    """``create_in`` for these (index, prepared, data) rows in one savepoint: the ids of
    the new records, or ValidationFailed / IntegrityError with nothing of them written
    (the rest of the batch goes on)."""
    with conn.begin_nested():
        return service.create_in(
            conn,
            rt,
            access,
            ctx,
            [p for _, p, _ in rows],
            [d for _, _, d in rows],
            [None] * len(rows),
            [prefixes[i] for i, _, _ in rows],
        )


def _by_row(details: list[ErrorDetail]) -> dict[int, list[ErrorDetail]]:
    result: dict[int, list[ErrorDetail]] = {}
    for detail in details:
        index = row_of(detail.field)
        if index is not None:
            result.setdefault(index, []).append(detail)
    return result


def _update(
    conn: Connection,
    rt: Runtime,
    access: FormAccess,
    ctx: Ctx,
    plan: Plan,
    indexes: list[int],
    results: dict[int, dict[str, Any]],
) -> None:
    for i in indexes:
        data = update_data(plan.datas[i])
        record_id = plan.targets[i]
        prefix = f"rows[{i}]."
        try:
            with conn.begin_nested():  # a refused row leaves nothing of its own behind
                before, _ = service.update_in(conn, rt, access, ctx, record_id, data, prefix)
        except ValidationFailed as exc:
            results[i] = _failed(exc.details, prefix)
            continue
        except QiaoError as exc:  # the record went away or is out of reach now
            results[i] = _failed([ErrorDetail("", exc.code, exc.params)], record_id=record_id)
            continue
        kept = {key: before["data"].get(key) for key in data}
        results[i] = {"action": "updated", "record_id": record_id, "before": _jsonable(kept)}


def _audit(conn: Connection, ctx: Ctx, import_id: int, action: str) -> None:
    row = conn.execute(sa.select(imports_t).where(imports_t.c.id == import_id)).one()
    form_app = conn.execute(
        sa.select(schema.forms.c.app_id).where(schema.forms.c.id == row.form_id)
    ).scalar()
    audit_log.append(
        conn,
        ctx,
        action,
        app_id=form_app,
        form_id=row.form_id,
        object_type="import",
        object_id=import_id,
        details={
            "count": row.created if action == "import" else row.created + row.updated,
            "import_id": import_id,
            "filename": row.filename,
            "created": row.created,
            "updated": row.updated,
            "skipped": row.skipped,
            "failed": row.failed,
        },
    )


# ----- undo -----------------------------------------------------------------------------
@jobs.handler("import_undo")
def undo_batch(rt: Runtime, conn: Connection, job: jobs.Job) -> jobs.Batch:
    import_id = int(job.payload["import_id"])
    row = conn.execute(sa.select(imports_t).where(imports_t.c.id == import_id)).first()
    if row is None or row.state != "undoing" or row.form_id is None:
        return jobs.Batch(0, job.cursor, True)
    ctx = _ctx(rt, conn, job.payload.get("user_id"), job.payload.get("locale"))
    access = form_access(conn, ctx, rt.form(conn, row.form_id))
    after = int((job.cursor or {}).get("after", -1))
    size = batch_size(rt)
    found = conn.execute(
        sa.select(rows_t)
        .where(
            rows_t.c.import_id == import_id,
            rows_t.c.row_no > after,
            rows_t.c.action.in_(("created", "updated")),
        )
        .order_by(rows_t.c.row_no)
        .limit(size)
    ).all()
    created = [r.record_id for r in found if r.action == "created" and r.record_id is not None]
    if created:
        service.delete_in(conn, rt, access, ctx, created)
    problems: list[str] = []
    for r in found:
        if r.action != "updated" or r.record_id is None or not r.before:
            continue
        try:
            with conn.begin_nested():
                service.update_in(conn, rt, access, ctx, r.record_id, dict(r.before))
        except QiaoError as exc:
            problems.append(f"{r.row_no}:{exc.code}")
    if problems:
        log.warning("import %s: undo could not restore rows %s", import_id, problems)
        current = conn.execute(
            sa.select(imports_t.c.error).where(imports_t.c.id == import_id)
        ).scalar()
        text = ((current or "") + " " + " ".join(problems)).strip()
        conn.execute(
            sa.update(imports_t).where(imports_t.c.id == import_id).values(error=text[:2000])
        )
    finished = len(found) < size
    if finished:
        conn.execute(
            sa.update(imports_t)
            .where(imports_t.c.id == import_id, imports_t.c.state == "undoing")
            .values(state="undone", undone_at=utcnow())
        )
        _audit(conn, ctx, import_id, "import_undo")
    cursor = {"after": found[-1].row_no if found else after}
    return jobs.Batch(len(found), cursor, finished)


# ----- running a job in this process -----------------------------------------------------
def run_here(rt: Runtime, job_id: int, progress: Callable[[int, int], None] | None = None) -> None:
    """Run one queued job to its end in this process (the CLI's progress bar)."""
    jobs._load_handlers()
    jobs_t = schema.jobs

    def claim(conn: Connection) -> jobs.Job | None:
        now = utcnow()
        taken = conn.execute(
            sa.update(jobs_t)
            .where(jobs_t.c.id == job_id, jobs_t.c.state == "queued")
            .values(
                state="running",
                locked_until=now + jobs.LEASE,
                attempts=jobs_t.c.attempts + 1,
                updated_at=now,
            )
        ).rowcount
        if not taken:
            return None
        r = conn.execute(sa.select(jobs_t).where(jobs_t.c.id == job_id)).one()
        return jobs.Job(r.id, r.kind, dict(r.payload), r.cursor, r.total, r.done, r.attempts)

    job = rt.db.write(claim)
    if job is None:
        return
    run = jobs.HANDLERS[job.kind]
    try:
        prepare = jobs.PREPARERS.get(job.kind)
        if prepare is not None:
            prepare(rt, job)
        while True:
            finished = rt.db.write(lambda conn: jobs._batch(rt, conn, job, run))
            if progress is not None:
                progress(job.done, job.total)
            if finished:
                return
    except Exception as exc:
        jobs._fail(rt, job, exc)
        raise
