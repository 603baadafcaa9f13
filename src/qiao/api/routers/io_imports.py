"""Imports of spreadsheets into forms: upload, configure, preview, error report, start,
cancel, undo, delete of a draft, history, saved mappings and the import template
(``qiao.io.imports``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Query, Response, UploadFile

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.api.routers.files import content_disposition
from qiao.errors import BadRequest
from qiao.io import imports

router = APIRouter(tags=["import-export"])

#: the upload routes, which get the larger body limit (``max_upload_bytes``)
UPLOAD_PATH = r"^/api/v1/(forms/[0-9]+/imports|apps/[0-9]+/imports/analyze)$"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type=XLSX,
        headers={
            "Content-Disposition": content_disposition(name, False),
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post(
    "/forms/{form_id}/imports",
    status_code=201,
    summary="Upload a spreadsheet to import into the form (a draft with a proposed mapping)",
)
def upload(
    form_id: IdPath,
    file: Annotated[UploadFile, File(description=".xlsx, .xls, .csv, .txt or .ods")],
    ctx: CtxDep,
    rt: RuntimeDep,
) -> JSON:
    limit = rt.settings.max_upload_bytes
    content = file.file.read(limit + 1)
    if not file.filename:
        raise BadRequest("file_missing")
    return JSON(imports.create_import(rt, ctx, form_id, file.filename, content), status_code=201)


@router.get("/forms/{form_id}/imports", summary="The form's import history")
def history(form_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(imports.list_imports(rt, ctx, form_id))


@router.get("/imports/{import_id}", summary="An import: its choices, analysis, counts and job")
def get_import(import_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(imports.get_import(rt, ctx, import_id))


@router.patch(
    "/imports/{import_id}",
    summary="Choose the sheet, header row, mapping or options of a draft import",
)
def configure(
    import_id: IdPath,
    ctx: CtxDep,
    rt: RuntimeDep,
    body: Annotated[dict[str, Any], Body()],
) -> JSON:
    return JSON(imports.configure(rt, ctx, import_id, body))


@router.delete(
    "/imports/{import_id}",
    status_code=204,
    summary="Delete a draft import (never started) with its stored file",
)
def delete_import(import_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    imports.delete_draft(rt, ctx, import_id)
    return Response(status_code=204)


@router.get("/imports/{import_id}/preview", summary="A page of the analysed rows")
def preview(
    import_id: IdPath,
    ctx: CtxDep,
    rt: RuntimeDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    only: Annotated[str | None, Query(description="errors | duplicates | changed")] = None,
) -> JSON:
    return JSON(imports.preview(rt, ctx, import_id, offset, limit, only))


@router.get(
    "/imports/{import_id}/report.xlsx",
    summary="The rows with errors (all rows with all=1), bad cells marked, to fix and upload again",
)
def report(
    import_id: IdPath,
    ctx: CtxDep,
    rt: RuntimeDep,
    all: Annotated[bool, Query(description="every row, not only those with errors")] = False,
) -> Response:
    content = imports.report_xlsx(rt, ctx, import_id, all_rows=all)
    name = "import-errors.xlsx" if ctx.locale == "en" else "导入错误.xlsx"
    return _xlsx(content, name)


@router.post("/imports/{import_id}/start", summary="Start the import as a background job")
def start(import_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(imports.start(rt, ctx, import_id))


@router.post("/imports/{import_id}/cancel", summary="Stop a running import after its batch")
def cancel(import_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(imports.cancel(rt, ctx, import_id))


@router.post("/imports/{import_id}/undo", summary="Undo an import (in the background)")
def undo(import_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(imports.undo(rt, ctx, import_id))


@router.get("/forms/{form_id}/import-mappings", summary="Saved column mappings of the form")
def mappings(form_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(imports.list_mappings(rt, ctx, form_id))


@router.delete("/import-mappings/{mapping_id}", status_code=204, summary="Delete a saved mapping")
def delete_mapping(mapping_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    imports.delete_mapping(rt, ctx, mapping_id)
    return Response(status_code=204)


@router.get(
    "/forms/{form_id}/import-template.xlsx",
    summary="An import template: the form's headers, a sample row, dropdowns, notes",
)
def template(form_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    content, name = imports.import_template(rt, ctx, form_id)
    return _xlsx(content, name)
