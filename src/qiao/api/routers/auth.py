"""Log in and out, who am I, API tokens."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from qiao.api.deps import SESSION_COOKIE, CtxDep, IdPath, RuntimeDep, current_session
from qiao.api.json import JSON
from qiao.context import utcnow
from qiao.errors import NotAuthenticated
from qiao.org import auth
from qiao.org.permissions import require_user

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)


@router.post("/login", summary="Log in with a password; sets the session cookie")
async def login(body: LoginIn, request: Request, rt: RuntimeDep) -> JSON:
    client = request.client
    try:
        result = await run_in_threadpool(
            auth.login,
            rt.db,
            rt.settings,
            body.username,
            body.password,
            utcnow(),
            client.host if client else None,
            request.headers.get("user-agent"),
        )
    except auth.LoginFailed as exc:
        if exc.delay:
            await asyncio.sleep(exc.delay)  # slows guessing without holding a worker thread
        raise
    session = result.session
    response = JSON({"user": session.user.public(), "csrf_token": session.csrf_token})
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
    auth.logout(rt.db, session.id, ctx.now())
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
    return JSON(body)


@router.post("/tokens", status_code=201, summary="Create an API token (shown only once)")
def create_token(body: TokenIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_user(ctx)
    assert ctx.user is not None
    return JSON(auth.create_api_token(rt.db, ctx.user, body.name, ctx.now()), status_code=201)


@router.get("/tokens", summary="My API tokens (without their secrets)")
def list_tokens(ctx: CtxDep, rt: RuntimeDep) -> JSON:
    require_user(ctx)
    assert ctx.user is not None
    return JSON({"items": auth.list_api_tokens(rt.db, ctx.user)})


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke an API token")
def revoke_token(token_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    require_user(ctx)
    assert ctx.user is not None
    auth.revoke_api_token(rt.db, ctx.user, token_id, ctx.now())
    return Response(status_code=204)
