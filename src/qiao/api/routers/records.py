"""Records of a form: create, read, list with the filter language, update, delete, bulk."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.db.types import Id
from qiao.query.filters import parse_filter_param
from qiao.records import export, service, titles
from qiao.records.reads import MAX_LIMIT, ListQuery

router = APIRouter(prefix="/forms/{form_id}/records", tags=["records"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordIn(_In):
    data: dict[str, Any]
    owner: int | None = None


class RecordPatch(_In):
    data: dict[str, Any]
    version: int | None = None


class BulkIn(_In):
    items: list[Any] = Field(min_length=1)


class BulkUpdateIn(_In):
    ids: list[Id] | None = None
    filter: Any = None
    data: dict[str, Any]


class BulkDeleteIn(_In):
    ids: list[Id] | None = None
    filter: Any = None


@router.get("", summary="List records (filter, sort, search, keyset pages)")
def list_records(
    form_id: IdPath,
    ctx: CtxDep,
    rt: RuntimeDep,
    filter: str | None = Query(default=None, description="JSON filter tree"),
    sort: str | None = Query(default=None, description="e.g. -amount,name"),
    limit: int = Query(default=50, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
    fields: str | None = Query(default=None, description="comma-separated field keys"),
    q: str | None = Query(default=None, max_length=200),
    trashed: bool = Query(default=False, description="list the recycle bin"),
    total: bool = Query(default=True, description="count all matching records"),
) -> JSON:
    query = ListQuery(
        filter=parse_filter_param(filter),
        sort=sort,
        limit=limit,
        cursor=cursor,
        fields=[f.strip() for f in fields.split(",") if f.strip()] if fields else None,
        q=q,
        trashed=trashed,
        with_total=total,
    )
    return JSON(service.list_(rt, ctx, form_id, query))


@router.post("", status_code=201, summary="Create a record")
def create(form_id: IdPath, body: RecordIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.create_record(rt, ctx, form_id, body.data, body.owner), status_code=201)


@router.post("/bulk", status_code=201, summary="Create many records, all or nothing")
def bulk_create(form_id: IdPath, body: BulkIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.bulk_create(rt, ctx, form_id, body.items), status_code=201)


@router.post("/bulk-update", summary="Set the same values on records chosen by ids or filter")
def bulk_update(form_id: IdPath, body: BulkUpdateIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.bulk_update(rt, ctx, form_id, body.ids, body.filter, body.data))


@router.post("/bulk-delete", summary="Move records chosen by ids or filter to the recycle bin")
def bulk_delete(form_id: IdPath, body: BulkDeleteIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    if body.ids is None and body.filter is None:
        return JSON(service.delete_records(rt, ctx, form_id, None, None))
    return JSON(service.delete_records(rt, ctx, form_id, body.ids, body.filter))


@router.get("/export.csv", summary="Export the records (filter, sort, fields) as CSV")
def export_csv(
    form_id: IdPath,
    ctx: CtxDep,
    rt: RuntimeDep,
    filter: str | None = Query(default=None, description="JSON filter tree"),
    sort: str | None = Query(default=None),
    fields: str | None = Query(default=None, description="comma-separated field keys"),
    q: str | None = Query(default=None, max_length=200),
) -> StreamingResponse:
    query = ListQuery(
        filter=parse_filter_param(filter),
        sort=sort,
        fields=[f.strip() for f in fields.split(",") if f.strip()] if fields else None,
        q=q,
    )
    name, body = export.export_csv(rt, ctx, form_id, query)
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return StreamingResponse(
        body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )


class TransferIn(_In):
    ids: list[Id] | None = None
    filter: Any = None
    owner: Any = None


@router.post("/transfer", summary="Hand records (by ids or filter) to a new owner")
def transfer(form_id: IdPath, body: TransferIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.transfer_owner(rt, ctx, form_id, body.ids, body.filter, body.owner))


@router.get("/titles", summary="The titles of records (for relation values and pickers)")
def record_titles(
    form_id: IdPath,
    ctx: CtxDep,
    rt: RuntimeDep,
    ids: str = Query(default="", max_length=4000, description="comma-separated record ids"),
) -> JSON:
    return JSON({"items": titles.titles(rt, ctx, form_id, ids)})


@router.get("/{record_id}", summary="One record")
def get(
    form_id: IdPath, record_id: IdPath, ctx: CtxDep, rt: RuntimeDep, trashed: bool = False
) -> JSON:
    return JSON(service.get_record(rt, ctx, form_id, record_id, trashed=trashed))


@router.get("/{record_id}/unmasked", summary="The unmasked values of masked fields (audited)")
def unmasked(
    form_id: IdPath,
    record_id: IdPath,
    ctx: CtxDep,
    rt: RuntimeDep,
    fields: str = Query(max_length=2000, description="comma-separated field keys"),
) -> JSON:
    keys = [k.strip() for k in fields.split(",") if k.strip()]
    return JSON(service.unmasked_values(rt, ctx, form_id, record_id, keys))


@router.patch("/{record_id}", summary="Update a record (optimistic: send the version you read)")
def update(
    form_id: IdPath, record_id: IdPath, body: RecordPatch, ctx: CtxDep, rt: RuntimeDep
) -> JSON:
    return JSON(service.update_record(rt, ctx, form_id, record_id, body.data, body.version))


@router.delete("/{record_id}", status_code=204, summary="Move a record to the recycle bin")
def delete(form_id: IdPath, record_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    service.delete_records(rt, ctx, form_id, [record_id])
    return Response(status_code=204)


@router.post("/{record_id}/restore", summary="Restore a record from the recycle bin")
def restore(form_id: IdPath, record_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.restore_record(rt, ctx, form_id, record_id))
