"""Formulas at run time: checking an expression in the designer, evaluating a record
draft in the record form, and the progress of background jobs."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from qiao import jobs
from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.db.types import Id
from qiao.records import evaluate

router = APIRouter(tags=["formulas"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckIn(_In):
    expression: str = Field(min_length=1, max_length=4000)
    #: the field being edited (a formula field: its cycles are checked)
    field_key: str | None = Field(default=None, max_length=63)
    #: check as a row formula of this sub-form field
    subform: str | None = Field(default=None, max_length=63)
    purpose: Literal["field", "rule", "condition", "default"] = "field"
    #: the designer's current fields (as in the publish body), unpublished ones included
    fields: list[dict[str, Any]] | None = Field(default=None, max_length=500)


class EvaluateIn(_In):
    data: dict[str, Any] = Field(default_factory=dict)
    record_id: Id | None = None
    #: the field the user just changed (a relation with ``fill`` fills fields)
    changed: str | None = Field(default=None, max_length=63)


@router.post(
    "/forms/{form_id}/formula/check",
    summary="Check an expression against the form (designer); evaluate it on a sample record",
)
def check(form_id: IdPath, body: CheckIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(
        evaluate.check(
            rt,
            ctx,
            form_id,
            body.expression,
            field_key=body.field_key,
            subform=body.subform,
            purpose=body.purpose,
            fields=body.fields,
        )
    )


@router.post(
    "/forms/{form_id}/records/evaluate",
    summary="What saving this draft would compute: values, defaults, fills, visibility, errors",
)
def evaluate_record(form_id: IdPath, body: EvaluateIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(evaluate.evaluate(rt, ctx, form_id, body.data, body.record_id, body.changed))


@router.get("/jobs/{job_id}", summary="A background job's state and progress")
def get_job(job_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(jobs.get_job(rt, ctx, job_id))
