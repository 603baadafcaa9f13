"""The ``recompute`` job: a form's computed fields over all its records, after a formula
changed on a form too large to recompute inside the publish transaction.

Keyset batches of ``compute.BATCH`` records by id, each its own transaction together
with the job's progress; the cursor is the last id done, so a restarted job resumes.
Each batch reads the schema as it is then: a formula changed again meanwhile is
computed with its newest definition (a later job finishes what this one had done).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.jobs import Batch, Job, handler
from qiao.records import compute
from qiao.runtime import Runtime


@handler("recompute")
def recompute_batch(rt: Runtime, conn: Connection, job: Job) -> Batch:
    catalog = rt.schema.get(conn)
    form_id = int(job.payload["form_id"])
    form = catalog.forms.get(form_id)
    if form is None or form.deleted_at is not None:
        return Batch(0, job.cursor, True)
    last = int((job.cursor or {}).get("last_id", 0))
    table = form.table
    ids = list(
        conn.execute(
            sa.select(table.c.id)
            .where(table.c.id > last, table.c.deleted_at.is_(None))
            .order_by(table.c.id)
            .limit(compute.BATCH)
        ).scalars()
    )
    if not ids:
        return Batch(0, job.cursor, True)
    ctx = Ctx(user=None, tz=rt.tz)
    compute.recompute(conn, catalog, form_id, ids, ctx)
    return Batch(len(ids), {"last_id": ids[-1]}, len(ids) < compute.BATCH)
