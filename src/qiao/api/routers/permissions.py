"""Permission groups of forms and administrators of apps."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.db.types import Id
from qiao.org import permission_groups as groups
from qiao.org.access import OPERATIONS, SCOPES

router = APIRouter(tags=["permissions"])


class AppAdminsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_ids: list[Id]


@router.get("/forms/{form_id}/permission-groups", summary="The permission groups of a form")
def list_groups(form_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(
        {
            "items": groups.list_groups(rt, ctx, form_id),
            "operations": list(OPERATIONS),
            "scopes": list(SCOPES),
        }
    )


@router.post(
    "/forms/{form_id}/permission-groups", status_code=201, summary="Add a permission group"
)
def create_group(form_id: IdPath, body: groups.GroupIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(groups.create_group(rt, ctx, form_id, body), status_code=201)


@router.patch("/permission-groups/{group_id}", summary="Change a permission group")
def update_group(group_id: IdPath, body: groups.GroupPatch, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(groups.update_group(rt, ctx, group_id, body))


@router.delete("/permission-groups/{group_id}", status_code=204, summary="Delete a group")
def delete_group(group_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    groups.delete_group(rt, ctx, group_id)
    return Response(status_code=204)


@router.get("/apps/{app_id}/admins", summary="The administrators of an app")
def app_admins(app_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON({"items": groups.list_app_admins(rt, ctx, app_id)})


@router.put("/apps/{app_id}/admins", summary="Name the administrators of an app")
def set_app_admins(app_id: IdPath, body: AppAdminsIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON({"items": groups.set_app_admins(rt, ctx, app_id, body.user_ids)})
