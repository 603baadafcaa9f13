"""Log in (password, then a code when two-factor login is on) and out, who am I, API
tokens (optionally narrowed to reading and/or some apps)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from qiao.api.deps import SESSION_COOKIE, CtxDep, IdPath, RuntimeDep, current_session
from qiao.api.json import JSON
from qiao.api.routers.account import require_full_access
from qiao.context import utcnow
from qiao.db.types import MAX_ID
from qiao.errors import NotAuthenticated
from qiao.org import auth
from qiao.org.permissions import require_user
from qiao.runtime import Runtime

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class TotpLoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    challenge: str = Field(min_length=1, max_length=256)
    code: str = Field(min_length=1, max_length=16)


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)
    read_only: bool = False
    #: the apps the token may reach; null: every app its user may reach
    app_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None, max_length=500
    )


def _client(request: Request) -> tuple[str | None, str | None]:
    client = request.client
    return (client.host if client else None), request.headers.get("user-agent")


async def _slowed(exc: auth.LoginFailed) -> None:
    if exc.delay:
        await asyncio.sleep(exc.delay)  # slows guessing without holding a worker thread


@router.post(
    "/login",
    summary="Log in with a password; sets the session cookie, or asks for a TOTP code",
)
async def login(body: LoginIn, request: Request, rt: RuntimeDep) -> JSON:
    try:
        result = await run_in_threadpool(
            auth.login,
            rt.db,
            rt.settings,
            body.username,
            body.password,
            utcnow(),
            *_client(request),
        )
    except auth.LoginFailed as exc:
        await _slowed(exc)
        raise
    if isinstance(result, auth.TotpRequired):
        return JSON(
            {
                "totp_required": True,
                "challenge": result.challenge,
                "challenge_expires_at": result.expires_at,
            }
        )
    return _session_response(rt, result)


@router.post("/login/totp", summary="Second step of a two-factor login: the code")
async def login_totp(body: TotpLoginIn, request: Request, rt: RuntimeDep) -> JSON:
    try:
        result = await run_in_threadpool(
            auth.login_totp,
            rt.db,
            rt.settings,
            body.challenge,
            body.code,
            utcnow(),
            *_client(request),
        )
    except auth.LoginFailed as exc:
        await _slowed(exc)
        raise
    return _session_response(rt, result)


def _session_response(rt: Runtime, result: auth.LoginResult) -> JSON:
    session = result.session
    response = JSON(
        {
            "user": session.user.public(),
            "csrf_token": session.csrf_token,
            "must_change_password": session.must_change_password,
        }
    )
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=rt.settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=rt.settings.cookie_secure,
        path="/",
    )
    return response


@router.post("/logout", status_code=204, summary="End the current session")
def logout(ctx: CtxDep, request: Request, rt: RuntimeDep) -> Response:
    session = current_session(request)
    if session is None:
        raise NotAuthenticated()
    auth.logout(rt.db, session.id, ctx.now(), auth.Client(ctx.ip, ctx.user_agent))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", summary="The logged-in user (and the CSRF token of a cookie session)")
def me(ctx: CtxDep, request: Request) -> JSON:
    require_user(ctx)
    assert ctx.user is not None
    session = current_session(request)
    body: dict[str, Any] = {"user": ctx.user.public()}
    if session is not None:
        body["csrf_token"] = session.csrf_token
        body["must_change_password"] = session.must_change_password
    return JSON(body)


@router.post("/tokens", status_code=201, summary="Create an API token (shown only once)")
def create_token(body: TokenIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_full_access(ctx)  # a narrowed token must not mint a wider one
    assert ctx.user is not None
    created = auth.create_api_token(
        rt.db,
        ctx.user,
        body.name,
        ctx.now(),
        read_only=body.read_only,
        app_ids=body.app_ids,
        ctx=ctx,
    )
    return JSON(created, status_code=201)


@router.get("/tokens", summary="My API tokens (without their secrets)")
def list_tokens(ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_user(ctx)
    assert ctx.user is not None
    return JSON({"items": auth.list_api_tokens(rt.db, ctx.user)})


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke an API token")
def revoke_token(token_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    require_full_access(ctx)
    assert ctx.user is not None
    auth.revoke_api_token(rt.db, ctx.user, token_id, ctx.now(), ctx)
    return Response(status_code=204)
