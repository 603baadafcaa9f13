"""Apps and the forms inside them."""

from __future__ import annotations

from fastapi import APIRouter, Response

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.forms import apps as service
from qiao.forms import service as forms
from qiao.forms.inputs import AppIn, AppPatch, FormIn, FormOrderIn

router = APIRouter(prefix="/apps", tags=["apps"])


@router.get("", summary="List apps with their forms")
def list_apps(ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON({"items": service.list_apps(rt, ctx)})


@router.get("/trash", summary="Deleted apps that can still be restored (admins)")
def list_deleted_apps(ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON({"items": service.list_deleted_apps(rt, ctx)})


@router.post("", status_code=201, summary="Create an app")
def create_app(body: AppIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.create_app(rt, ctx, body), status_code=201)


@router.get("/{app_id}", summary="An app with its forms")
def get_app(app_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.get_app(rt, ctx, app_id))


@router.patch("/{app_id}", summary="Rename or restyle an app")
def update_app(app_id: IdPath, body: AppPatch, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.update_app(rt, ctx, app_id, body))


@router.delete("/{app_id}", status_code=204, summary="Delete an app and its forms")
def delete_app(app_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    service.delete_app(rt, ctx, app_id)
    return Response(status_code=204)


@router.post("/{app_id}/restore", summary="Restore a deleted app with its forms")
def restore_app(app_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.restore_app(rt, ctx, app_id))


@router.put("/{app_id}/forms/order", summary="Order the app's forms and group them")
def order_forms(app_id: IdPath, body: FormOrderIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.order_forms(rt, ctx, app_id, body))


@router.get("/{app_id}/forms", summary="The forms of an app, with their fields")
def list_forms(app_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    service.get_app(rt, ctx, app_id)
    return JSON({"items": forms.list_forms(rt, ctx, app_id)})


@router.get("/{app_id}/forms/trash", summary="Deleted forms of the app that can be restored")
def list_deleted_forms(app_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON({"items": service.list_deleted_forms(rt, ctx, app_id)})


@router.post("/{app_id}/forms", status_code=201, summary="Create a form with its fields")
def create_form(app_id: IdPath, body: FormIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(forms.create_form(rt, ctx, app_id, body), status_code=201)
