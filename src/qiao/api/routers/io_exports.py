"""Exports of a form's records (XLSX or CSV, streamed) and export templates."""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.db.types import MAX_ID
from qiao.io import export_templates as templates
from qiao.io.exports import ExportRequest, export
from qiao.query.filters import parse_filter_param

router = APIRouter(tags=["import-export"])


def content_disposition(filename: str) -> str:
    """An ASCII fallback name plus the real (Chinese) name RFC 5987-encoded."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@router.get("/forms/{form_id}/export", summary="Export the records as XLSX or CSV (streamed)")
def export_records(
    form_id: IdPath,
    request: Request,
    ctx: CtxDep,
    rt: RuntimeDep,
    format: Literal["xlsx", "csv"] = Query(default="xlsx"),
    filter: str | None = Query(default=None, description="JSON filter tree"),
    sort: str | None = Query(default=None, description="e.g. -amount,name"),
    fields: str | None = Query(default=None, description="comma-separated field keys, in order"),
    q: str | None = Query(default=None, max_length=200),
    view: int | None = Query(default=None, ge=1, le=MAX_ID, description="a saved view's id"),
    template: int | None = Query(default=None, ge=1, le=MAX_ID, description="a template's id"),
    subforms: Literal["sheets", "rows", "count"] | None = Query(default=None),
) -> StreamingResponse:
    req = ExportRequest(
        format=format,
        filter=parse_filter_param(filter),
        sort=sort,
        fields=[f.strip() for f in fields.split(",") if f.strip()] if fields else None,
        q=q,
        view_id=view,
        template_id=template,
        subforms=subforms,
        base_url=str(request.base_url).rstrip("/"),
    )
    name, media_type, body = export(rt, ctx, form_id, req)
    return StreamingResponse(
        body, media_type=media_type, headers={"Content-Disposition": content_disposition(name)}
    )


@router.get("/forms/{form_id}/export-templates", summary="The form's export templates")
def list_templates(form_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON({"items": templates.list_templates(rt, ctx, form_id)})


@router.post(
    "/forms/{form_id}/export-templates", status_code=201, summary="Save an export template"
)
def create_template(
    form_id: IdPath, body: templates.TemplateIn, ctx: CtxDep, rt: RuntimeDep
) -> JSON:
    return JSON(templates.create_template(rt, ctx, form_id, body), status_code=201)


@router.patch("/export-templates/{template_id}", summary="Change an export template")
def update_template(
    template_id: IdPath, body: templates.TemplatePatch, ctx: CtxDep, rt: RuntimeDep
) -> JSON:
    return JSON(templates.update_template(rt, ctx, template_id, body))


@router.delete("/export-templates/{template_id}", status_code=204, summary="Delete a template")
def delete_template(template_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    templates.delete_template(rt, ctx, template_id)
    return Response(status_code=204)
