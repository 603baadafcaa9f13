"""Duplicates in existing data: find groups, merge a group into one record, undo."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.db.types import Id
from qiao.io import merge

router = APIRouter(tags=["import-export"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FindIn(_In):
    fields: list[str] = Field(min_length=1, max_length=10)
    fuzzy: bool = False
    threshold: float = Field(default=0.85, ge=0.5, le=1.0)
    limit: int = Field(default=200, ge=1, le=merge.MAX_GROUPS)


class MergeIn(_In):
    survivor: Id
    others: list[Id] = Field(min_length=1, max_length=merge.MAX_MERGE)
    values: dict[str, Any] = Field(default_factory=dict)


@router.post("/forms/{form_id}/duplicates/find", summary="Find groups of duplicate records")
def find_duplicates(form_id: IdPath, body: FindIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(merge.find_groups(rt, ctx, form_id, body.model_dump()))


@router.post("/forms/{form_id}/merges", summary="Merge duplicate records into one")
def merge_records(form_id: IdPath, body: MergeIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(merge.merge(rt, ctx, form_id, body.model_dump()))


@router.get("/forms/{form_id}/merges", summary="Merges of a form, newest first")
def list_merges(form_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(merge.list_merges(rt, ctx, form_id))


@router.post("/merges/{merge_id}/undo", summary="Undo a merge")
def undo_merge(merge_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(merge.undo(rt, ctx, merge_id))
