"""Request dependencies: the runtime and the request context (who, locale, zone)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Path, Request

from qiao.context import Ctx, utcnow
from qiao.db.types import MAX_ID
from qiao.errors import Forbidden, NotAuthenticated
from qiao.i18n import negotiate
from qiao.org.auth import Session, csrf_matches, resolve_api_token, resolve_session
from qiao.runtime import Runtime

SESSION_COOKIE = "qiao_session"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: what a session whose password must be changed may still do
_WHILE_MUST_CHANGE = {
    ("GET", "/api/v1/auth/me"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/account/password"),
    ("GET", "/api/v1/account/password-policy"),
}


def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

#: an id in the URL: out of range is a 422 naming the parameter, never a driver overflow
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def get_ctx(request: Request, rt: RuntimeDep) -> Ctx:
    """Authenticate by bearer token or session cookie; cookie writes need the CSRF token.

    A token narrowed to reading is refused any write here already (the permission layer
    checks it again below the API); a session whose password must be changed may only
    change it (or log out) until it does.
    """
    now = utcnow()
    user = None
    read_only = False
    app_ids: frozenset[int] | None = None
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated()
        resolved = resolve_api_token(rt.db, token.strip(), now)
        if resolved is None:
            raise NotAuthenticated()
        user, read_only, app_ids = resolved.user, resolved.read_only, resolved.app_ids
        if (
            read_only
            and request.method not in _SAFE_METHODS
            and request.url.path != "/api/v1/auth/logout"
        ):
            raise Forbidden("token_read_only")
    elif cookie := request.cookies.get(SESSION_COOKIE):
        session = resolve_session(rt.db, rt.settings, cookie, now)
        if session is not None:
            if request.method not in _SAFE_METHODS and not csrf_matches(
                session, request.headers.get("x-csrf-token")
            ):
                raise Forbidden("csrf_failed")
            if (
                session.must_change_password
                and (request.method, request.url.path) not in _WHILE_MUST_CHANGE
            ):
                raise Forbidden("password_change_required")
            request.state.session = session
            user = session.user
    client = request.client
    return Ctx(
        user=user,
        locale=negotiate(request.headers.get("accept-language"), rt.settings.default_locale),
        tz=rt.tz,
        request_id=request.headers.get("x-request-id") or secrets.token_hex(8),
        ip=client.host if client else None,
        user_agent=request.headers.get("user-agent"),
        token_read_only=read_only,
        token_app_ids=app_ids,
    )


CtxDep = Annotated[Ctx, Depends(get_ctx)]


def current_session(request: Request) -> Session | None:
    return getattr(request.state, "session", None)
