"""Users: list (for member pickers) and create (administrators)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from qiao.api.deps import CtxDep, RuntimeDep
from qiao.api.json import JSON
from qiao.org import users
from qiao.org.permissions import require_admin, require_user

router = APIRouter(prefix="/users", tags=["users"])


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    display_name: str | None = Field(default=None, max_length=128)
    email: str | None = Field(default=None, max_length=254)
    is_admin: bool = False


@router.get("", summary="List users")
def list_users(ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_user(ctx)
    with rt.db.read() as conn:
        return JSON({"items": [u.public() for u in users.list_users(conn)]})


@router.post("", status_code=201, summary="Create a user (administrators)")
def create_user(body: UserIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    user = rt.db.write(
        lambda conn: users.create_user(
            conn,
            body.username,
            body.password,
            display_name=body.display_name,
            email=body.email,
            is_admin=body.is_admin,
        )
    )
    return JSON(user.public(), status_code=201)
