"""Create a form from a spreadsheet: analyse the file, then create the form and its import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.io import from_sheet

router = APIRouter(tags=["import-export"])


class AnalyzeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: 0-based sheet index; None keeps the current one
    sheet: int | None = Field(default=None, ge=0)
    #: 0-based header row; None takes the sheet's detected one
    header_row: int | None = Field(default=None, ge=0)


@router.post(
    "/apps/{app_id}/imports/analyze",
    summary="Upload a spreadsheet to create a form from: its sheets and a proposed field "
    "per column",
)
def analyze_upload(
    app_id: IdPath,
    file: Annotated[UploadFile, File(description=".xlsx, .xls, .csv, .ods or .txt")],
    ctx: CtxDep,
    rt: RuntimeDep,
    sheet: Annotated[int | None, Form(ge=0)] = None,
    header_row: Annotated[int | None, Form(ge=0)] = None,
) -> JSON:
    content = file.file.read()
    body = from_sheet.analyze_file(
        rt, ctx, app_id, file.filename or "", content, sheet=sheet, header_row=header_row
    )
    return JSON(body)


@router.post(
    "/imports/{import_id}/analyze",
    summary="Propose fields for another sheet or header row of an analysed spreadsheet",
)
def analyze_again(import_id: IdPath, body: AnalyzeIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(from_sheet.analyze(rt, ctx, import_id, body.sheet, body.header_row))


@router.post(
    "/imports/{import_id}/create-form",
    summary="Create the form from the analysed spreadsheet; the analysis becomes a draft "
    "import of the new form, mapped to its fields",
)
def create_form(
    import_id: IdPath, body: from_sheet.CreateFormIn, ctx: CtxDep, rt: RuntimeDep
) -> JSON:
    return JSON(from_sheet.create_form(rt, ctx, import_id, body))
