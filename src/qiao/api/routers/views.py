"""Saved views of a form: shared and personal."""

from __future__ import annotations

from fastapi import APIRouter, Response

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.views import service
from qiao.views.inputs import ViewIn, ViewOrderIn, ViewPatch

router = APIRouter(tags=["views"])


@router.get("/forms/{form_id}/views", summary="The shared views and the caller's own")
def list_views(form_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON({"items": service.list_views(rt, ctx, form_id)})


@router.post("/forms/{form_id}/views", status_code=201, summary="Save a view")
def create_view(form_id: IdPath, body: ViewIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.create_view(rt, ctx, form_id, body), status_code=201)


@router.put("/forms/{form_id}/views/order", summary="Reorder the views")
def reorder_views(form_id: IdPath, body: ViewOrderIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON({"items": service.reorder_views(rt, ctx, form_id, body)})


@router.patch("/views/{view_id}", summary="Change a view")
def update_view(view_id: IdPath, body: ViewPatch, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.update_view(rt, ctx, view_id, body))


@router.delete("/views/{view_id}", status_code=204, summary="Delete a view")
def delete_view(view_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    service.delete_view(rt, ctx, view_id)
    return Response(status_code=204)
