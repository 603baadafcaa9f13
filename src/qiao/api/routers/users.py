"""Users: the directory any user reads (member pickers), and their administration.

``GET /users`` serves both: an administrator gets the full view (e-mail, phone,
departments, roles, supervisor); anyone else the directory (name, main department).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.db.types import Id
from qiao.org import users
from qiao.org.permissions import require_admin, require_user

router = APIRouter(prefix="/users", tags=["users"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Profile(_In):
    display_name: str | None = Field(default=None, max_length=128)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    is_admin: bool | None = None
    supervisor_id: Id | None = None
    department_ids: list[Id] | None = Field(default=None, max_length=100)
    main_department_id: Id | None = None
    role_ids: list[Id] | None = Field(default=None, max_length=100)

    def changes(self) -> users.UserChanges:
        return users.UserChanges(
            display_name=self.display_name,
            email=self.email,
            phone=self.phone,
            is_admin=self.is_admin,
            supervisor_id=self.supervisor_id,
            clear_supervisor="supervisor_id" in self.model_fields_set
            and self.supervisor_id is None,
            department_ids=self.department_ids,
            main_department_id=self.main_department_id,
            role_ids=self.role_ids,
        )


class UserIn(_Profile):
    username: str = Field(min_length=1, max_length=64)
    #: leave out to invite the user with a one-time link instead
    password: str | None = Field(default=None, min_length=1, max_length=1024)
    invite_days: int | None = Field(default=None, ge=1, le=users.MAX_INVITE_DAYS)
    must_change_password: bool = False


class PasswordIn(_In):
    password: str = Field(min_length=1, max_length=1024)


class InviteIn(_In):
    invite_days: int = Field(default=users.INVITE_DAYS, ge=1, le=users.MAX_INVITE_DAYS)


@router.get("", summary="List users (directory for everyone, full view for administrators)")
def list_users(
    ctx: CtxDep,
    rt: RuntimeDep,
    q: str | None = Query(
        default=None, max_length=100, description="name, username, e-mail, phone"
    ),
    department_id: Id | None = Query(default=None),
    include_sub: bool = Query(default=False, description="with the sub-departments' users"),
    active: bool | None = Query(default=None),
    offset: int = Query(default=0, ge=0, le=10_000_000),
    limit: int | None = Query(default=None, ge=1, le=1000, description="all when left out"),
) -> JSON:
    require_user(ctx)
    assert ctx.user is not None
    with rt.db.read() as conn:
        items, total = users.list_users(
            conn,
            full=ctx.user.is_admin,
            q=q,
            department_id=department_id,
            include_sub=include_sub,
            active=active,
            offset=offset,
            limit=limit,
        )
    return JSON({"items": items, "total": total})


@router.get("/{user_id}", summary="One user (administrators, or yourself)")
def get_user(user_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_user(ctx)
    if ctx.user_id != user_id:
        require_admin(ctx)
    with rt.db.read() as conn:
        return JSON(users.user_detail(conn, user_id))


@router.post("", status_code=201, summary="Create a user with a password, or invite one")
def create_user(body: UserIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    created = rt.db.write(
        lambda conn: users.admin_create(
            conn,
            ctx,
            body.username,
            password=body.password,
            invite_days=body.invite_days,
            changes=body.changes(),
            must_change_password=body.must_change_password,
        )
    )
    return JSON(created, status_code=201)


@router.patch("/{user_id}", summary="Edit a user (administrators)")
def update_user(user_id: IdPath, body: _Profile, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    _exists(rt, user_id)
    return JSON(rt.db.write(lambda conn: users.admin_update(conn, ctx, user_id, body.changes())))


@router.post("/{user_id}/disable", summary="Disable a user: ends their sessions and tokens")
def disable_user(user_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    return JSON(rt.db.write(lambda conn: users.set_active(conn, ctx, user_id, False)))


@router.post("/{user_id}/enable", summary="Enable a disabled user")
def enable_user(user_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    return JSON(rt.db.write(lambda conn: users.set_active(conn, ctx, user_id, True)))


@router.post("/{user_id}/reset-password", summary="Set a new password, to be changed at login")
def reset_password(user_id: IdPath, body: PasswordIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    return JSON(rt.db.write(lambda conn: users.reset_password(conn, ctx, user_id, body.password)))


@router.post("/{user_id}/invite", summary="A new invitation link for a user without password")
def reinvite(user_id: IdPath, ctx: CtxDep, rt: RuntimeDep, body: InviteIn | None = None) -> JSON:
    require_admin(ctx)
    days = body.invite_days if body else users.INVITE_DAYS
    return JSON(rt.db.write(lambda conn: users.reinvite(conn, ctx, user_id, days)))


def _exists(rt: Any, user_id: int) -> None:
    with rt.db.read() as conn:
        users.user_detail(conn, user_id)
