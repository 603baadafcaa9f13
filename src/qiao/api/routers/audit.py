"""The audit log: search and export (system administrators), a record's history
(whoever may see the record), and the list of actions for the web app."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.audit import actions, export, history, search
from qiao.context import Ctx
from qiao.db.types import MAX_ID
from qiao.org.permissions import require_admin, require_user

router = APIRouter(tags=["audit"])

IdQuery = Query(ge=1, le=MAX_ID)
Limit = Annotated[int, Query(ge=1, le=search.MAX_LIMIT)]


def _filter(
    rt: RuntimeDep,
    user_id: Annotated[int | None, IdQuery] = None,
    app_id: Annotated[int | None, IdQuery] = None,
    form_id: Annotated[int | None, IdQuery] = None,
    record_id: Annotated[int | None, IdQuery] = None,
    action: Annotated[
        str | None, Query(max_length=2000, description="one action or several, comma-separated")
    ] = None,
    since: Annotated[
        str | None, Query(max_length=40, description="date or ISO date-time, inclusive")
    ] = None,
    until: Annotated[
        str | None, Query(max_length=40, description="date (the whole day) or ISO date-time")
    ] = None,
    q: Annotated[str | None, Query(max_length=1000, description="free text")] = None,
) -> search.AuditFilter:
    return search.parse_filter(
        rt.tz,
        user_id=user_id,
        app_id=app_id,
        form_id=form_id,
        record_id=record_id,
        action=action,
        since=since,
        until=until,
        q=q,
    )


FilterDep = Annotated[search.AuditFilter, Depends(_filter)]


def _admin(ctx: CtxDep) -> Ctx:
    """Checked before the filter: a non-admin learns nothing, not even a 422."""
    require_admin(ctx)
    return ctx


AdminCtx = Annotated[Ctx, Depends(_admin)]


@router.get("/audit", summary="Search the audit log, newest first (administrators)")
def search_log(
    ctx: AdminCtx,
    rt: RuntimeDep,
    f: FilterDep,
    limit: Limit = search.DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> JSON:
    return JSON(search.search(rt, ctx, f, limit=limit, cursor=cursor))


@router.get(
    "/audit/export",
    summary="The matching entries as CSV (UTF-8 with BOM); the export is itself audited",
    response_class=StreamingResponse,
)
async def export_log(ctx: AdminCtx, rt: RuntimeDep, f: FilterDep) -> StreamingResponse:
    upto = await run_in_threadpool(export.start, rt, ctx, f)
    return StreamingResponse(
        export.stream(rt, ctx, f, upto),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{export.filename(ctx)}"'},
    )


@router.get("/audit/actions", summary="The audit actions with their labels (administrators)")
def list_actions(ctx: AdminCtx) -> JSON:
    return JSON({"items": actions.catalogue(ctx.locale)})


@router.get(
    "/forms/{form_id}/records/{record_id}/history",
    summary="A record's history, newest first, as far as the reader may see the record",
)
def record_history(
    form_id: IdPath,
    record_id: IdPath,
    ctx: CtxDep,
    rt: RuntimeDep,
    limit: Limit = search.DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> JSON:
    require_user(ctx)
    return JSON(history.record_history(rt, ctx, form_id, record_id, limit=limit, cursor=cursor))
