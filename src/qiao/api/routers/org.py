"""Organization: the department tree, roles, accepting an invitation, and importing
users and departments from Excel. Reads of the tree and roles are open to every user
(pickers); changes need an administrator."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.context import utcnow
from qiao.db.types import Id
from qiao.errors import ErrorDetail, ValidationFailed
from qiao.org import departments, org_import, roles, users
from qiao.org.permissions import require_admin, require_user

router = APIRouter(tags=["organization"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DepartmentIn(_In):
    name: str = Field(min_length=1, max_length=128)
    parent_id: Id | None = None
    position: int | None = Field(default=None, ge=0, le=100_000)
    manager_ids: list[Id] | None = Field(default=None, max_length=100)


class DepartmentPatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    #: send null to move the department to the top level
    parent_id: Id | None = None
    position: int | None = Field(default=None, ge=0, le=100_000)
    manager_ids: list[Id] | None = Field(default=None, max_length=100)


class RoleIn(_In):
    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=2000)
    member_ids: list[Id] | None = Field(default=None, max_length=10_000)


class RolePatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    description: str | None = Field(default=None, max_length=2000)
    member_ids: list[Id] | None = Field(default=None, max_length=10_000)


class AcceptInviteIn(_In):
    password: str = Field(min_length=1, max_length=1024)


# ----- departments ------------------------------------------------------------------------
@router.get("/departments", summary="The department tree with member counts")
def department_tree(ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_user(ctx)
    with rt.db.read() as conn:
        return JSON({"items": departments.tree(conn)})


@router.post("/departments", status_code=201, summary="Create a department (administrators)")
def create_department(body: DepartmentIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    created = rt.db.write(
        lambda conn: departments.create(
            conn,
            ctx,
            body.name,
            body.parent_id,
            position=body.position,
            manager_ids=body.manager_ids,
        )
    )
    return JSON(created, status_code=201)


@router.patch(
    "/departments/{dept_id}", summary="Rename, move, reorder or set managers (administrators)"
)
def update_department(dept_id: IdPath, body: DepartmentPatch, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    kwargs: dict[str, Any] = {
        "name": body.name,
        "position": body.position,
        "manager_ids": body.manager_ids,
    }
    if "parent_id" in body.model_fields_set:
        kwargs["parent_id"] = body.parent_id
    return JSON(rt.db.write(lambda conn: departments.update(conn, ctx, dept_id, **kwargs)))


@router.delete(
    "/departments/{dept_id}",
    status_code=204,
    summary="Delete a department without sub-departments and members (administrators)",
)
def delete_department(dept_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    require_admin(ctx)
    rt.db.write(lambda conn: departments.delete(conn, ctx, dept_id))
    return Response(status_code=204)


# ----- roles ---------------------------------------------------------------------------
@router.get("/roles", summary="Roles with their members")
def list_roles(ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_user(ctx)
    with rt.db.read() as conn:
        return JSON({"items": roles.list_roles(conn)})


@router.post("/roles", status_code=201, summary="Create a role (administrators)")
def create_role(body: RoleIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    created = rt.db.write(
        lambda conn: roles.create_role(conn, ctx, body.name, body.description, body.member_ids)
    )
    return JSON(created, status_code=201)


@router.patch("/roles/{role_id}", summary="Rename a role or set its members (administrators)")
def update_role(role_id: IdPath, body: RolePatch, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    return JSON(
        rt.db.write(
            lambda conn: roles.update_role(
                conn,
                ctx,
                role_id,
                name=body.name,
                description=body.description,
                member_ids=body.member_ids,
            )
        )
    )


@router.delete("/roles/{role_id}", status_code=204, summary="Delete a role (administrators)")
def delete_role(role_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    require_admin(ctx)
    rt.db.write(lambda conn: roles.delete_role(conn, ctx, role_id))
    return Response(status_code=204)


# ----- invitations (no login: the link is the credential) ---------------------------------
@router.get("/auth/invite/{token}", summary="Who an invitation link is for (if still valid)")
def invite_info(token: str, rt: RuntimeDep) -> JSON:
    with rt.db.read() as conn:
        return JSON(users.invite_info(conn, token[:200], utcnow()))


@router.post("/auth/invite/{token}", summary="Set the password of an invited user")
def accept_invite(token: str, body: AcceptInviteIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(
        rt.db.write(lambda conn: users.accept_invite(conn, ctx, token[:200], body.password))
    )


# ----- import from Excel ---------------------------------------------------------------
@router.get("/org/import/template", summary="The Excel template for importing users")
def import_template(ctx: CtxDep) -> Response:
    require_admin(ctx)
    name = "users-template.xlsx" if ctx.locale == "en" else "users-template-zh.xlsx"
    return Response(
        org_import.template(ctx.locale),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _upload(request: Request) -> bytes:
    content = await request.body()
    if not content:
        raise ValidationFailed(details=[ErrorDetail("file", "import_file_invalid")])
    return content


@router.post(
    "/org/import",
    summary="Import users and departments from an .xlsx body (dry_run: only check)",
    openapi_extra={
        "requestBody": {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def import_users(
    request: Request,
    ctx: CtxDep,
    rt: RuntimeDep,
    dry_run: bool = Query(default=True, description="only list the problems"),
) -> JSON:
    require_admin(ctx)
    content = await _upload(request)
    from starlette.concurrency import run_in_threadpool

    if dry_run:

        def check() -> dict[str, Any]:
            with rt.db.read() as conn:
                return org_import.preview(conn, ctx, content)

        return JSON(await run_in_threadpool(check))
    result = await run_in_threadpool(rt.db.write, lambda conn: org_import.run(conn, ctx, content))
    return JSON(result)
