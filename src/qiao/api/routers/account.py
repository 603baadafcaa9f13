"""My account's security (password, sessions, two-factor login, login history), the
password policy, and an administrator's account actions on another user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from qiao.api.deps import CtxDep, IdPath, RuntimeDep, current_session
from qiao.api.json import JSON
from qiao.context import Ctx
from qiao.db.types import MAX_ID
from qiao.errors import Forbidden
from qiao.org import account, password_policy
from qiao.org.permissions import require_admin, require_user

router = APIRouter(prefix="/account", tags=["account"])


def require_full_access(ctx: Ctx) -> None:
    """Account security is not for a narrowed token: a token limited to some apps (or to
    reading) must not be able to widen itself by changing what guards the account."""
    require_user(ctx)
    if ctx.token_read_only or ctx.token_app_ids is not None:
        raise Forbidden("token_narrowed")


def _session_id(request: Request) -> int | None:
    session = current_session(request)
    return session.id if session else None


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=16)


class DisableTotpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str | None = Field(default=None, max_length=16)
    password: str | None = Field(default=None, max_length=1024)


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_length: int = Field(
        ge=password_policy.MIN_LENGTH_FLOOR, le=password_policy.MIN_LENGTH_CEILING
    )
    require_letters_and_digits: bool
    require_symbol: bool
    forbid_username: bool
    max_age_days: int = Field(ge=0, le=password_policy.MAX_AGE_CEILING)


@router.get("", summary="My account: two-factor state, password age")
def summary(ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_user(ctx)
    with rt.db.read() as conn:
        return JSON(account.summary(conn, ctx))


@router.post("/password", summary="Change my password; my other sessions end")
def change_password(body: PasswordIn, ctx: CtxDep, request: Request, rt: RuntimeDep) -> JSON:
    require_full_access(ctx)
    current = _session_id(request)
    ended = rt.db.write(
        lambda conn: account.change_password(
            conn, ctx, body.current_password, body.new_password, keep_session=current
        )
    )
    return JSON({"sessions_ended": ended})


# ----- sessions ------------------------------------------------------------------------------
@router.get("/sessions", summary="My live sessions")
def list_sessions(ctx: CtxDep, request: Request, rt: RuntimeDep) -> JSON:
    require_user(ctx)
    with rt.db.read() as conn:
        items = account.list_sessions(conn, rt.settings, ctx, _session_id(request))
    return JSON({"items": items})


@router.delete("/sessions/{session_id}", status_code=204, summary="End one of my sessions")
def end_session(session_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    require_full_access(ctx)
    rt.db.write(lambda conn: account.end_session(conn, ctx, session_id))
    return Response(status_code=204)


@router.post("/sessions/revoke-others", summary="End all my sessions but this one")
def end_other_sessions(ctx: CtxDep, request: Request, rt: RuntimeDep) -> JSON:
    require_full_access(ctx)
    current = _session_id(request)
    ended = rt.db.write(lambda conn: account.end_other_sessions(conn, ctx, current))
    return JSON({"sessions_ended": ended})


# ----- two-factor login ----------------------------------------------------------------------
@router.post("/totp/setup", summary="Start setting up two-factor login: a new secret to scan")
def totp_setup(ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_full_access(ctx)
    setup = rt.db.write(lambda conn: account.totp_setup(conn, ctx))
    return JSON({"secret": setup.secret, "uri": setup.uri, "qr_svg": setup.qr_svg})


@router.post("/totp/enable", summary="Switch two-factor login on with a code from the app")
def totp_enable(body: CodeIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_full_access(ctx)
    rt.db.write(lambda conn: account.totp_enable(conn, ctx, body.code))
    return JSON({"totp_enabled": True})


@router.post("/totp/disable", summary="Switch two-factor login off (a code or the password)")
def totp_disable(body: DisableTotpIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_full_access(ctx)
    rt.db.write(
        lambda conn: account.totp_disable(conn, ctx, code=body.code, password=body.password)
    )
    return JSON({"totp_enabled": False})


# ----- login history -------------------------------------------------------------------------
@router.get("/logins", summary="My recent logins and failed logins")
def logins(
    ctx: CtxDep,
    rt: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> JSON:
    require_user(ctx)
    with rt.db.read() as conn:
        return JSON(account.login_history(conn, ctx, limit, before))


# ----- the password policy -------------------------------------------------------------------
@router.get("/password-policy", summary="The password policy (every user: to choose one)")
def get_policy(ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_user(ctx)
    with rt.db.read() as conn:
        return JSON(password_policy.load(conn).as_dict())


@router.put("/password-policy", summary="Change the password policy (administrators)")
def put_policy(body: PolicyIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    require_full_access(ctx)
    policy = password_policy.PasswordPolicy(**body.model_dump())
    rt.db.write(lambda conn: account.set_policy(conn, ctx, policy))
    return JSON(policy.as_dict())


# ----- an administrator on another user's account --------------------------------------------
@router.post(
    "/admin/users/{user_id}/revoke-sessions",
    summary="End every session of a user (administrators)",
)
def admin_revoke_sessions(user_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    require_full_access(ctx)
    ended = rt.db.write(lambda conn: account.admin_end_sessions(conn, ctx, user_id))
    return JSON({"sessions_ended": ended})


@router.post(
    "/admin/users/{user_id}/reset-totp",
    summary="Switch a user's two-factor login off (administrators)",
)
def admin_reset_totp(user_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_admin(ctx)
    require_full_access(ctx)
    was_on = rt.db.write(lambda conn: account.admin_reset_totp(conn, ctx, user_id))
    return JSON({"was_enabled": was_on})
